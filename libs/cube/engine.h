// The aggregation service's whole state on disk: the live cube store, frozen releases and
// rebuilds, under one data directory.
//
//   <data_dir>/CURRENT            name of the live cube directory (replaced atomically)
//   <data_dir>/cube-<n>/          the live RocksDB cube store
//   <data_dir>/releases/<id>/     a RocksDB checkpoint of the cube at Freeze time (immutable)
//   <data_dir>/releases/<id>.release   its metadata, written after the checkpoint is complete
//
// A rebuild writes a new cube-<n+1> beside the live one and switches CURRENT only when it has
// completed, so a failed or interrupted rebuild leaves the live cube untouched.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/base/lru_cache.h"
#include "libs/cube/cube_store.h"

namespace omnia::cube {

struct ReleaseInfo {
  std::string release_id;
  absl::Time create_time;
  std::string description;
  std::map<std::string, uint64_t> applied_sequences;
};

class CubeEngine;

struct CubeEngineOptions {
  // Bound on the memory of the frozen releases held in memory for queries (see
  // CubeState::MemoryBytes); the least recently queried are evicted first and read again from
  // disk when next queried. One release is always kept, even if it alone exceeds the bound: it is
  // still served, and is evicted as soon as another release is queried.
  size_t release_cache_bytes = size_t{512} << 20;
  // Threads that share the work of applying one batch (CubeStore::Open); not owned, it must
  // outlive the engine. Null: each batch is applied on the calling thread alone.
  base::ForkJoinPool* apply_pool = nullptr;
  // Distinct workers the live cube's worker map (and a rebuild's) makes room for when opened;
  // 0 grows as needed. See CubeStore::ReserveWorkers.
  size_t expected_workers = 0;
};

// Builds a new cube aside from the live one; see CubeEngine::BeginRebuild.
class RebuildSession {
 public:
  ~RebuildSession();  // abandons the rebuild unless Commit() succeeded
  absl::StatusOr<ApplyOutcome> Apply(const FactBatch& batch);
  absl::StatusOr<ReplaceOutcome> ReplacePublished(
      const std::string& producer, uint64_t sequence, domain::Measure measure,
      const std::vector<int>& years, const std::vector<PublishedCell>& cells,
      std::optional<uint64_t> previous_sequence = std::nullopt);
  // Makes the rebuilt cube the live one.
  absl::Status Commit();
  CubeStats Stats() const { return store_->Stats(); }

 private:
  friend class CubeEngine;
  RebuildSession(CubeEngine* engine, std::string dir, std::unique_ptr<CubeStore> store)
      : engine_(engine), dir_(std::move(dir)), store_(std::move(store)) {}
  CubeEngine* engine_;
  std::string dir_;
  std::unique_ptr<CubeStore> store_;
  bool committed_ = false;
};

class CubeEngine {
 public:
  static absl::StatusOr<std::unique_ptr<CubeEngine>> Open(const std::string& data_dir,
                                                          const domain::Codelists& codelists,
                                                          const Clock& clock,
                                                          CubeEngineOptions options = {});
  ~CubeEngine();

  // As CubeStore::Apply / ReplacePublished on the live cube; UNAVAILABLE while a rebuild runs.
  absl::StatusOr<ApplyOutcome> Apply(const FactBatch& batch,
                                     const std::function<bool()>& cancelled = nullptr);
  absl::StatusOr<ReplaceOutcome> ReplacePublished(
      const std::string& producer, uint64_t sequence, domain::Measure measure,
      const std::vector<int>& years, const std::vector<PublishedCell>& cells,
      std::optional<uint64_t> previous_sequence = std::nullopt);

  // Reads the live cube (empty release_id) or a frozen release (NOT_FOUND if unknown).
  absl::StatusOr<std::vector<QueryCell>> Query(const CubeQuery& query,
                                               const std::string& release_id);
  // One page of Query; see RunQueryPage.
  absl::StatusOr<QueryPage> QueryOnePage(const CubeQuery& query, const std::string& release_id,
                                         uint64_t start, size_t max_cells);

  // Longest description a release may carry (aggregation.proto).
  static constexpr size_t kMaxReleaseDescriptionCharacters = 1000;

  // Freezes the live cube as `release_id` ([A-Za-z0-9._-], 1..64 characters, starting with a
  // letter or a digit; a description of at most 1000 characters). Freezing an
  // existing id again returns the existing release with created = false. The release records
  // exactly the applied sequences of the checkpointed state, even while writes continue.
  absl::StatusOr<std::pair<ReleaseInfo, bool>> Freeze(const std::string& release_id,
                                                      const std::string& description);
  // Newest first.
  std::vector<ReleaseInfo> ListReleases() const;

  // Starts a rebuild; ABORTED while another one is open.
  absl::StatusOr<std::unique_ptr<RebuildSession>> BeginRebuild();
  bool rebuild_in_progress() const;

  CubeStats Stats() const;
  // Statistics of the live cube (empty release_id) or of a release.
  absl::StatusOr<CubeStats> Stats(const std::string& release_id);
  // The latest month holding a served cell of any of `measures`, live or in a release (nullopt
  // when none does or the release is unknown).
  std::optional<domain::YearMonth> LatestMonth(const std::string& release_id,
                                               const std::vector<domain::Measure>& measures);
  uint64_t LastSequence(const std::string& producer) const;
  const domain::Codelists& codelists() const { return codelists_; }

  struct ReleaseCacheStats {
    size_t bytes = 0;      // estimated memory of the releases held
    size_t max_bytes = 0;  // the bound (exceeded only by a single release larger than it)
    size_t releases = 0;   // releases held
    uint64_t loads = 0;    // times a release was read from disk since Open
  };
  ReleaseCacheStats ReleaseCache() const;

 private:
  friend class RebuildSession;
  struct CachedRelease {
    std::shared_ptr<const CubeState> state;
    size_t bytes;  // state->MemoryBytes(), measured once outside the engine's lock
  };
  using ReleaseCacheMap = LruCache<std::string, CachedRelease>;
  // One read of a release from disk, shared by every query that asks for it meanwhile.
  struct ReleaseLoad {
    absl::Notification done;
    absl::StatusOr<CachedRelease> release;  // set before done is notified
  };

  CubeEngine(std::string data_dir, const domain::Codelists& codelists, const Clock& clock,
             const CubeEngineOptions& options);
  absl::Status CommitRebuild(RebuildSession* session);
  void EndRebuild();
  std::shared_ptr<CubeStore> live() const;
  absl::StatusOr<std::shared_ptr<const CubeState>> ReleaseState(const std::string& release_id);
  absl::StatusOr<CachedRelease> LoadRelease(const std::string& release_id);

  const std::string data_dir_;
  const domain::Codelists& codelists_;
  const Clock& clock_;
  base::ForkJoinPool* const apply_pool_;
  const size_t expected_workers_;

  mutable absl::Mutex mu_;
  std::shared_ptr<CubeStore> live_ ABSL_GUARDED_BY(mu_);
  std::string live_dir_ ABSL_GUARDED_BY(mu_);
  bool rebuilding_ ABSL_GUARDED_BY(mu_) = false;
  // Frozen releases held in memory. A query keeps the state it reads alive even if it is evicted
  // meanwhile, so memory may briefly exceed the bound by the releases being read.
  ReleaseCacheMap release_states_ ABSL_GUARDED_BY(mu_);
  // Releases being read from disk: a concurrent query of the same release waits for that read
  // instead of starting its own.
  std::map<std::string, std::shared_ptr<ReleaseLoad>> release_loads_ ABSL_GUARDED_BY(mu_);
  uint64_t release_load_count_ ABSL_GUARDED_BY(mu_) = 0;
  // Serialises Freeze calls so two checkpoints of one id never race.
  absl::Mutex freeze_mu_;
};

// True when `id` may name a release: 1..64 characters from [A-Za-z0-9._-], not starting with '.'.
bool IsValidReleaseId(const std::string& id);

}  // namespace omnia::cube
