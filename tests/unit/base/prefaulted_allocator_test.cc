#include "libs/base/prefaulted_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"

namespace omnia::base {
namespace {

// How many of the whole pages inside [data, data + size) are resident now.
size_t ResidentPages(const void* data, size_t size, size_t* pages) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + size) & ~(page - 1);
  *pages = (end - begin) / page;
  std::vector<unsigned char> residency(*pages);
  EXPECT_EQ(mincore(reinterpret_cast<void*>(begin), end - begin, residency.data()), 0);
  size_t resident = 0;
  for (unsigned char r : residency) resident += r & 1;
  return resident;
}

TEST(PrefaultedAllocatorTest, ALargeBlockIsResidentBeforeItIsFirstWritten) {
  PrefaultedAllocator<uint64_t> allocator;
  const size_t count = (size_t{64} << 20) / sizeof(uint64_t);
  uint64_t* block = allocator.allocate(count);
  size_t pages = 0;
  EXPECT_EQ(ResidentPages(block, count * sizeof(uint64_t), &pages), pages);
  EXPECT_GT(pages, 0u);
  // And it is ordinary memory.
  for (size_t i = 0; i < count; i += 4096) block[i] = i;
  for (size_t i = 0; i < count; i += 4096) EXPECT_EQ(block[i], i);
  allocator.deallocate(block, count);
}

// Callers that must not proceed on lazy memory (the event log's index) learn whether the pages
// were backed.
TEST(PrefaultedAllocatorTest, PrefaultPagesSaysItBackedAFreshMapping) {
  const size_t size = size_t{8} << 20;
  void* block = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(block, MAP_FAILED);
  EXPECT_TRUE(PrefaultPages(block, size));
  size_t pages = 0;
  EXPECT_EQ(ResidentPages(block, size, &pages), pages);
  munmap(block, size);
}

TEST(PrefaultedAllocatorTest, AHashTableReservedWithItHoldsWhatIsInserted) {
  absl::flat_hash_map<uint64_t, uint64_t, absl::Hash<uint64_t>, std::equal_to<uint64_t>,
                      PrefaultedAllocator<std::pair<const uint64_t, uint64_t>>>
      table;
  table.reserve(1 << 20);
  for (uint64_t i = 0; i < (1 << 20); ++i) table.emplace(i * 7919, i);
  ASSERT_EQ(table.size(), size_t{1} << 20);
  for (uint64_t i = 0; i < (1 << 20); i += 997) EXPECT_EQ(table.at(i * 7919), i);
}

}  // namespace
}  // namespace omnia::base
