// Storage behind an interface: an ordered key-value store with named columns, atomic batches,
// merges and checkpoints. RocksDB is the real implementation (rocksdb_store.h), an in-memory one
// (memory_store.h) serves tests; every service's durable state goes through this interface, and
// one contract suite (tests/unit/storage/kv_store_contract_test.cc) runs against both.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace omnia::storage {

// Combines a stored value with one merge operand (both may be absent/empty: `existing` is nullopt
// when the key has no value yet). Must be associative: RocksDB may combine operands before it
// sees the base value.
using MergeFunction =
    std::function<std::string(std::optional<std::string_view> existing, std::string_view operand)>;

struct ColumnSpec {
  std::string name;
  // Set for columns whose values are updated by Merge; leave empty otherwise.
  MergeFunction merge;
  // False for columns whose values do not compress (packed binary records of hashes and
  // numbers): the stores that compress skip them instead of spending time for nothing.
  bool compress = true;
};

// A set of writes applied atomically: after a crash either all of them are visible or none.
class WriteBatch {
 public:
  enum class Op { kPut, kMerge, kDelete, kDeleteRange };
  struct Entry {
    Op op;
    int column;         // index into the columns the store was opened with
    std::string key;    // for kDeleteRange: the first key removed
    std::string value;  // for kDeleteRange: the first key kept (exclusive end)
  };

  void Put(int column, std::string key, std::string value);
  void Merge(int column, std::string key, std::string operand);
  void Delete(int column, std::string key);
  void DeleteRange(int column, std::string begin, std::string end);

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // Approximate payload bytes, for batching decisions.
  size_t bytes() const { return bytes_; }

 private:
  std::vector<Entry> entries_;
  size_t bytes_ = 0;
};

// Durability of one write. kSync returns only once the write is on stable storage (survives a
// power cut); kProcessCrashSafe survives the process being killed but not the machine failing.
enum class Durability { kSync, kProcessCrashSafe };

class KvStore {
 public:
  virtual ~KvStore() = default;

  virtual absl::Status Write(const WriteBatch& batch, Durability durability) = 0;

  // The value of `key`, or nullopt when absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(int column, std::string_view key) = 0;

  // Visits keys in [begin, end) in order (end empty = to the last key) until `visit` returns
  // false. The scan sees the store as it was when it began: writes made meanwhile (by `visit`
  // too) are not visited.
  virtual absl::Status Scan(
      int column, std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;

  // A consistent, independent on-disk copy of the whole store in `dir` (which must not exist),
  // openable as a store of its own.
  virtual absl::Status Checkpoint(const std::string& dir) = 0;

  // Bytes of live data files and logs on disk.
  virtual uint64_t DiskBytes() = 0;
};

}  // namespace omnia::storage
