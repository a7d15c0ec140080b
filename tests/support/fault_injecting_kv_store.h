// A KvStore wrapper whose writes fail on demand, for tests that show a failed or interrupted
// write changes nothing: fail every write from now on (a full disk, a dead process), or from the
// next synced write on (a process that dies just before its commit point). Synced writes can
// also be held at a gate, to see what happens while one is under way. Reads pass through.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/storage/kv_store.h"

namespace omnia::testing {

class FaultInjectingKvStore final : public storage::KvStore {
 public:
  explicit FaultInjectingKvStore(std::unique_ptr<storage::KvStore> inner)
      : inner_(std::move(inner)) {}

  // Every write fails while set.
  void set_fail_writes(bool fail) { fail_writes_ = fail; }
  // From the next synced write on, every write fails, as if the process had died there.
  void fail_from_next_sync() { fail_from_next_sync_ = true; }

  // Synced writes wait at the gate from now on, until ReleaseHeld.
  void HoldSyncedWrites() {
    absl::MutexLock lock(&gate_mu_);
    holding_ = true;
  }
  // Blocks until `count` synced writes wait at the gate.
  void AwaitHeld(int count) {
    absl::MutexLock lock(&gate_mu_);
    std::pair<int*, int> args(&held_, count);
    gate_mu_.Await(absl::Condition(
        +[](std::pair<int*, int>* a) { return *a->first >= a->second; }, &args));
  }
  // Lets the writes waiting at the gate go on, failing them if `fail` (the disk failed while
  // they were under way); later writes pass.
  void ReleaseHeld(bool fail) {
    absl::MutexLock lock(&gate_mu_);
    holding_ = false;
    fail_held_ = fail;
    ++release_round_;
  }

  absl::Status Write(const storage::WriteBatch& batch, storage::Durability durability) override {
    if (durability == storage::Durability::kSync) {
      absl::MutexLock lock(&gate_mu_);
      if (holding_) {
        ++held_;
        std::pair<uint64_t*, uint64_t> args(&release_round_, release_round_);
        gate_mu_.Await(absl::Condition(
            +[](std::pair<uint64_t*, uint64_t>* a) { return *a->first != a->second; }, &args));
        --held_;
        // INTERNAL, as RocksDB's I/O errors come back.
        if (fail_held_) return absl::InternalError("injected failure of a write under way");
      }
    }
    if (fail_from_next_sync_ && durability == storage::Durability::kSync) fail_writes_ = true;
    if (fail_writes_) return absl::UnavailableError("injected write failure");
    return inner_->Write(batch, durability);
  }
  absl::StatusOr<std::optional<std::string>> Get(int column, std::string_view key) override {
    return inner_->Get(column, key);
  }
  absl::Status Scan(int column, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& visit) override {
    return inner_->Scan(column, begin, end, visit);
  }
  absl::Status Checkpoint(const std::string& dir) override { return inner_->Checkpoint(dir); }
  uint64_t DiskBytes() override { return inner_->DiskBytes(); }

 private:
  std::unique_ptr<storage::KvStore> inner_;
  absl::Mutex gate_mu_;
  bool holding_ = false;
  bool fail_held_ = false;
  int held_ = 0;
  uint64_t release_round_ = 0;
  // Atomic: set by a test while other threads may be writing.
  std::atomic<bool> fail_writes_{false};
  std::atomic<bool> fail_from_next_sync_{false};
};

}  // namespace omnia::testing
