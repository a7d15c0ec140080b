// The durable cube: the micro-data and published layers of CubeState, kept in a KvStore and
// mirrored in memory for queries.
//
// Only base cells (month x region x type) are stored; every rollup is precomputed in memory, both
// as batches are applied and when the cube is loaded. Storing the rollups too would multiply the
// writes (and the merges RocksDB must later fold) by 27 for no gain: they are a pure function of
// the base cells.
//
// Exactly once: every Apply carries (producer, sequence); the producer's last applied sequence is
// written in the same atomic batch as the cell deltas and the new worker-dictionary entries, so a
// batch is either wholly applied and recorded or not at all, and a retried batch is recognised.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/fork_join.h"
#include "libs/base/prefaulted_allocator.h"
#include "libs/cube/cube_state.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "libs/facts/facts.h"
#include "libs/storage/kv_store.h"

namespace omnia::cube {

// The facts a cube is built from (libs/facts), named here in the cube's own vocabulary.
using facts::ApplicationFact;
using facts::FactBatch;
using facts::kPseudonymBytes;
using facts::PaymentFact;
using facts::Pseudonym;
using facts::PublishedCell;

enum class ApplyOutcome { kApplied, kAlreadyApplied };

struct ReplaceOutcome {
  bool duplicate = false;
  uint64_t cells_removed = 0;  // base cells
  uint64_t cells_written = 0;  // base cells
};

// Cells of one measure at one level combination.
struct LevelKey {
  domain::Measure measure;
  domain::PeriodLevel period_level;
  RegionLevel region_level;
  TypeLevel type_level;
  friend auto operator<=>(const LevelKey&, const LevelKey&) = default;
};

struct LevelCounts {
  uint64_t micro_data_cells = 0;
  uint64_t published_cells = 0;
};

struct CubeStats {
  std::map<LevelKey, LevelCounts> levels;
  std::map<std::string, uint64_t> last_sequences;
  uint64_t distinct_workers = 0;
  uint64_t disk_bytes = 0;
};

// Cell counts per level of a state (a live cube or a release).
void CountLevels(const CubeState& state, CubeStats& stats);

class CubeStore {
 public:
  // Column layout the KvStore must be opened with.
  static std::vector<storage::ColumnSpec> Columns();

  // Loads the cube held in `kv` (opened with Columns()) into memory. With `apply_pool` (not
  // owned; it must outlive the store), Apply shares a batch's roll-up and its unions into the
  // cells among the pool's threads; without, Apply runs on the caller alone.
  static absl::StatusOr<std::unique_ptr<CubeStore>> Open(std::unique_ptr<storage::KvStore> kv,
                                                         const domain::Codelists& codelists,
                                                         base::ForkJoinPool* apply_pool = nullptr);

  // Applies a batch exactly once. A sequence at or below the producer's last applied one is
  // kAlreadyApplied and changes nothing. Sequences may skip numbers (a producer may coalesce
  // several of its log entries into one batch named by the last); a producer resumes from
  // LastSequence() after a restart, so nothing is skipped for real.
  //
  // Compare-and-set: when batch.previous_sequence is given, a batch that is not a duplicate is
  // applied only if it equals LastSequence(); otherwise ABORTED names the actual last sequence
  // and nothing changes. A sender that skips numbers thus never builds on a write it did not
  // make. A batch that builds on a sequence not applied yet first waits up to
  // kOvertakenWriteWait for it: a sender with two requests in flight may see the second arrive
  // first, while the first is still being received or decoded. `cancelled` (optional) is asked
  // after such a wait: a caller that gave up meanwhile gets CANCELLED and nothing is applied.
  absl::StatusOr<ApplyOutcome> Apply(const FactBatch& batch,
                                     const std::function<bool()>& cancelled = nullptr);
  static constexpr absl::Duration kOvertakenWriteWait = absl::Seconds(2);

  // Atomically replaces the published cells of `measure` for each year in `years` with `cells`
  // (whose months must all fall in those years): a new revision of an imported file. A listed
  // year without cells is served from micro-data again. Idempotent by (producer, sequence),
  // sharing the counter of Apply, and compare-and-set by `previous_sequence` as Apply.
  absl::StatusOr<ReplaceOutcome> ReplacePublished(
      const std::string& producer, uint64_t sequence, domain::Measure measure,
      const std::vector<int>& years, const std::vector<PublishedCell>& cells,
      std::optional<uint64_t> previous_sequence = std::nullopt);

  absl::StatusOr<std::vector<QueryCell>> Query(const CubeQuery& query) const;
  // One page of Query; see RunQueryPage.
  absl::StatusOr<QueryPage> QueryOnePage(const CubeQuery& query, uint64_t start,
                                         size_t max_cells) const;

  // Last applied sequence of `producer`, 0 when it never applied anything.
  uint64_t LastSequence(const std::string& producer) const;

  CubeStats Stats() const;
  // Makes room in the worker map for `expected_workers` distinct workers, those known included,
  // so that it does not grow (rehashing every worker it holds, on the applying thread) while
  // they arrive; its memory (about 37 bytes per worker) is committed now, not page by page while
  // batches are applied. Fewer than the map has room for changes nothing. RESOURCE_EXHAUSTED,
  // changing nothing, when that memory cannot be had.
  absl::Status ReserveWorkers(size_t expected_workers);
  // Memory of the worker map's table; it changes only when the map grows.
  size_t WorkerMapBytes() const;
  // See CubeState::LatestMonth.
  std::optional<domain::YearMonth> LatestMonth(const std::vector<domain::Measure>& measures) const;

  storage::KvStore& kv() { return *kv_; }

  // Writes a copy of the store to `dir` (see KvStore::Checkpoint) and returns the last applied
  // sequences it holds: writers wait meanwhile, so the sequences are exactly the checkpoint's.
  absl::StatusOr<std::map<std::string, uint64_t>> Checkpoint(const std::string& dir);

  // Loads a cube from a store without keeping it open for writes (a frozen release): the stored
  // base cells, with every rollup recomputed from them.
  static absl::StatusOr<CubeState> LoadState(storage::KvStore& kv,
                                             const domain::Codelists& codelists);

 private:
  CubeStore(std::unique_ptr<storage::KvStore> kv, const domain::Codelists& codelists);

  // Whether a write of `sequence` by `producer` is to be applied: false for a duplicate,
  // ABORTED when `previous_sequence` is given and differs from the last applied sequence.
  // Called with write_mu_ held, so the answer stays true until the write.
  absl::StatusOr<bool> IsNextWrite(const std::string& producer, uint64_t sequence,
                                   std::optional<uint64_t> previous_sequence) const;
  // With write_mu_ held: waits (releasing it meanwhile) up to kOvertakenWriteWait until
  // `producer`'s last applied sequence reaches `previous_sequence`.
  void AwaitPreviousWrite(const std::string& producer, uint64_t previous_sequence)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  std::unique_ptr<storage::KvStore> kv_;
  const domain::Codelists& codelists_;
  base::ForkJoinPool* apply_pool_ = nullptr;

  // Writers (Apply, ReplacePublished) take write_mu_ for their whole run; state_mu_ guards the
  // in-memory mirror, held exclusively only while a committed delta is folded in.
  mutable absl::Mutex write_mu_;
  mutable std::shared_mutex state_mu_;
  CubeState state_;
  // All 32 bytes mixed: Apply accepts any bytes from a caller with the right, so pseudonyms that
  // share a prefix (not HMAC output) must not collide into one bucket chain.
  struct PseudonymHash {
    size_t operator()(const Pseudonym& pseudonym) const;
  };
  struct PseudonymEq {
    bool operator()(const Pseudonym& a, const Pseudonym& b) const;
  };
  // Prefaulted: the map is written at random slots, so each growth's new table would otherwise
  // fault in page by page while a batch is applied (libs/base/prefaulted_allocator.h).
  using WorkerIds =
      absl::flat_hash_map<Pseudonym, uint32_t, PseudonymHash, PseudonymEq,
                          base::PrefaultedAllocator<std::pair<const Pseudonym, uint32_t>>>;
  absl::Status LoadWorkerIds();

  WorkerIds worker_ids_;
  uint32_t next_worker_id_ = 0;
  std::map<std::string, uint64_t> last_sequences_;
};

}  // namespace omnia::cube
