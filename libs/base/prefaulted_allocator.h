#ifndef OMNIA_LIBS_BASE_PREFAULTED_ALLOCATOR_H_
#define OMNIA_LIBS_BASE_PREFAULTED_ALLOCATOR_H_

// An allocator whose large blocks are backed by memory before they are returned.
//
// A large hash table reserved up front (the event log's deduplication index) is written one
// random slot at a time, so every first write to one of its pages stops in the kernel to map and
// zero that page. On virtual machines that fault is expensive: filling an 11-million-id index
// spent an eighth of ingestion's CPU there, in the middle of acknowledging batches. Populating
// the block when it is allocated moves that work to the moment the table is sized (start-up, or
// a growth that rehashes every entry anyway) and leaves the per-event path without faults.

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older headers lack the name
#endif

namespace omnia::base {

// Maps and zero-fills every whole page of [data, data + size) now. Prefers the kernel's
// populate advice (no pass over the memory from user space); on kernels without it, writes one
// byte per page, which faults each page in the same way. When the kernel cannot back the pages
// now (memory is short), they stay lazy as before: they fault on first use, no worse than
// without this; the result is then false. The bytes' values are unspecified afterwards, as for
// any fresh allocation.
inline bool PrefaultPages(void* data, size_t size) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + size) & ~(page - 1);
  if (end <= begin) return true;
  if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE) == 0) return true;
  if (errno != EINVAL) return false;  // supported, but the pages cannot be backed now
  for (uintptr_t p = begin; p < end; p += page) {
    *reinterpret_cast<volatile char*>(p) = 0;
  }
  return true;
}

// std::allocator, except that blocks of at least kPrefaultBytes are prefaulted (see above).
// Small blocks are left alone: their pages are shared with other allocations and usually
// resident already.
template <typename T>
class PrefaultedAllocator {
 public:
  using value_type = T;
  static constexpr size_t kPrefaultBytes = size_t{2} << 20;

  PrefaultedAllocator() = default;
  template <typename U>
  PrefaultedAllocator(const PrefaultedAllocator<U>&) {}  // NOLINT: allocators convert implicitly

  T* allocate(size_t n) {
    T* block = std::allocator<T>().allocate(n);
    if (n * sizeof(T) >= kPrefaultBytes) PrefaultPages(block, n * sizeof(T));
    return block;
  }
  void deallocate(T* block, size_t n) { std::allocator<T>().deallocate(block, n); }

  template <typename U>
  friend bool operator==(const PrefaultedAllocator&, const PrefaultedAllocator<U>&) {
    return true;
  }
};

}  // namespace omnia::base

#endif  // OMNIA_LIBS_BASE_PREFAULTED_ALLOCATOR_H_
