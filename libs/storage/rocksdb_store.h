// The RocksDB implementation of KvStore: one column family per column, merge operators adapted
// from MergeFunction, checkpoints through rocksdb::Checkpoint.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/storage/kv_store.h"

namespace omnia::storage {

struct RocksDbOptions {
  // Open an existing checkpoint without writing to it (release reads).
  bool read_only = false;
  // Block cache and write buffer sizes; the defaults suit a service on a small machine.
  size_t block_cache_bytes = 64 << 20;
  size_t write_buffer_bytes = 64 << 20;
};

// Opens (creating if needed) the store at `path` with exactly `columns`.
absl::StatusOr<std::unique_ptr<KvStore>> OpenRocksDb(const std::string& path,
                                                     const std::vector<ColumnSpec>& columns,
                                                     const RocksDbOptions& options = {});

}  // namespace omnia::storage
