// An in-memory KvStore: the same contract as the RocksDB store (tests/unit/storage runs one suite
// against both), for tests that need storage but not a disk. Writes are atomic and visible at
// once; a scan sees the store as it was when the scan began. Durability is moot: nothing
// survives the object, except what Checkpoint writes, which OpenMemoryKvStoreCheckpoint reads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/storage/kv_store.h"

namespace omnia::storage {

// An empty store with exactly `columns`.
std::unique_ptr<KvStore> NewMemoryKvStore(const std::vector<ColumnSpec>& columns);

// A store holding what a memory store's Checkpoint wrote to `dir`, with exactly `columns`
// (matched by name; a column the checkpoint lacks starts empty).
absl::StatusOr<std::unique_ptr<KvStore>> OpenMemoryKvStoreCheckpoint(
    const std::string& dir, const std::vector<ColumnSpec>& columns);

}  // namespace omnia::storage
