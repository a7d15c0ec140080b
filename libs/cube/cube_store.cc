#include "libs/cube/cube_store.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/storage/key_codec.h"

namespace omnia::cube {
namespace {

// How many payments ahead Apply probes the worker map: enough to cover a memory access.
constexpr size_t kWorkerPrefetchDistance = 16;
// Base cells serialized by one pool thread at a time (see base::ForEachInBlocks).
constexpr size_t kCellsPerSerializePart = 16;

// Column indexes, in the order of Columns().
constexpr int kCells = 0;      // packed cell key -> CellValue (merged)
constexpr int kPublished = 1;  // packed cell key -> CellValue (count)
// The worker dictionary: dense ids in order of first appearance. Each applied batch adds one
// record naming the ids its new workers got: key kWorkerRunTag + first id (4 bytes big-endian),
// value their pseudonyms concatenated (the i-th holds first id + i). One record per batch keeps
// the write small and sequential however many workers are new. Stores written before these
// records hold one entry per worker: key the pseudonym, value its id (4 bytes big-endian).
constexpr int kWorkers = 2;
constexpr int kMeta = 3;  // bookkeeping, see the key helpers below

constexpr char kSequencePrefix[] = "seq/";
constexpr char kPublishedYearPrefix[] = "pubyear/";
constexpr char kNextWorkerKey[] = "next_worker_id";
constexpr char kWorkerRunTag = '\0';
constexpr size_t kWorkerRunKeyBytes = 5;

using storage::BigEndian;
using storage::ReadBigEndian;

std::string PublishedYearKey(domain::Measure measure, int year) {
  return absl::StrCat(kPublishedYearPrefix, AsAbsl(domain::MeasureCode(measure)), "/", year);
}

bool IsBase(const CellKey& key) {
  return key.period.level == domain::PeriodLevel::kMonth &&
         key.region_level == RegionLevel::kRegion && key.type_level == TypeLevel::kType;
}

// The published layer from its base cells: additive measures get every rollup; WORKERS keeps
// its base cells only, since distinct counts cannot be rolled up.
CellMap ExpandPublished(const CellMap& base, const domain::Codelists& codelists) {
  CellMap additive;
  CellMap workers;
  for (const auto& [packed, value] : base) {
    if (domain::IsAdditive(UnpackCellKey(packed).measure)) {
      additive[packed] = value;
    } else {
      workers[packed] = value;
    }
  }
  CellMap layer = ExpandToLattice(additive, codelists);
  for (auto& [packed, value] : workers) layer[packed] = std::move(value);
  return layer;
}

LevelKey LevelOf(const CellKey& key) {
  return LevelKey{key.measure, key.period.level, key.region_level, key.type_level};
}

absl::Status LoadCells(storage::KvStore& kv, int column, CellMap& cells) {
  absl::Status parse_error;
  absl::Status scanned = kv.Scan(column, "", "", [&](std::string_view key, std::string_view value) {
    absl::StatusOr<uint64_t> packed = DecodeStorageKey(key);
    absl::StatusOr<CellValue> cell =
        packed.ok() ? CellValue::Parse(value) : absl::StatusOr<CellValue>(packed.status());
    if (!cell.ok()) {
      parse_error = cell.status();
      return false;
    }
    cells[*packed] = std::move(*cell);
    return true;
  });
  return scanned.ok() ? parse_error : scanned;
}

}  // namespace

std::vector<storage::ColumnSpec> CubeStore::Columns() {
  return {{"cells", MergeSerializedCells}, {"published", {}}, {"workers", {}}, {"meta", {}}};
}

CubeStore::CubeStore(std::unique_ptr<storage::KvStore> kv, const domain::Codelists& codelists)
    : kv_(std::move(kv)), codelists_(codelists) {}

absl::StatusOr<CubeState> CubeStore::LoadState(storage::KvStore& kv,
                                               const domain::Codelists& codelists) {
  CubeState state;
  CellMap base;
  if (absl::Status s = LoadCells(kv, kCells, base); !s.ok()) return s;
  state.micro = ExpandToLattice(base, codelists);
  base.clear();
  if (absl::Status s = LoadCells(kv, kPublished, base); !s.ok()) return s;
  state.published = ExpandPublished(base, codelists);
  absl::Status bad;
  absl::Status scanned = kv.Scan(
      kMeta, kPublishedYearPrefix, storage::PrefixEnd(kPublishedYearPrefix),
      [&](std::string_view key, std::string_view) {
        std::string_view rest = key.substr(sizeof(kPublishedYearPrefix) - 1);
        const size_t slash = rest.find('/');
        absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(rest.substr(0, slash));
        int year = 0;
        if (slash == std::string_view::npos || !measure.ok() ||
            !absl::SimpleAtoi(AsAbsl(rest.substr(slash + 1)), &year)) {
          bad = absl::DataLossError(absl::StrCat("bad published-year record ", AsAbsl(key)));
          return false;
        }
        state.published_years.insert({*measure, year});
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  state.RecomputeLatestMonth();
  return state;
}

absl::StatusOr<std::unique_ptr<CubeStore>> CubeStore::Open(std::unique_ptr<storage::KvStore> kv,
                                                           const domain::Codelists& codelists,
                                                           base::ForkJoinPool* apply_pool) {
  std::unique_ptr<CubeStore> store(new CubeStore(std::move(kv), codelists));
  store->apply_pool_ = apply_pool;
  absl::StatusOr<CubeState> state = LoadState(*store->kv_, codelists);
  if (!state.ok()) return state.status();
  store->state_ = std::move(*state);

  absl::StatusOr<std::optional<std::string>> next = store->kv_->Get(kMeta, kNextWorkerKey);
  if (!next.ok()) return next.status();
  if (next->has_value()) {
    absl::StatusOr<uint64_t> next_id = storage::ReadStoredInteger(**next, 4, kNextWorkerKey);
    if (!next_id.ok()) return next_id.status();
    store->next_worker_id_ = static_cast<uint32_t>(*next_id);
  }
  if (absl::Status s = store->LoadWorkerIds(); !s.ok()) return s;
  absl::Status damaged = absl::OkStatus();
  absl::Status scanned = store->kv_->Scan(
      kMeta, kSequencePrefix, storage::PrefixEnd(kSequencePrefix),
      [&](std::string_view key, std::string_view value) {
        absl::StatusOr<uint64_t> sequence = storage::ReadStoredInteger(value, 8, key);
        if (!sequence.ok()) {
          damaged = sequence.status();
          return false;
        }
        store->last_sequences_[std::string(key.substr(sizeof(kSequencePrefix) - 1))] = *sequence;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!damaged.ok()) return damaged;
  return store;
}

size_t CubeStore::PseudonymHash::operator()(const Pseudonym& pseudonym) const {
  uint64_t words[kPseudonymBytes / 8];
  std::memcpy(words, pseudonym.data(), kPseudonymBytes);
  return absl::HashOf(words[0], words[1], words[2], words[3]);
}

bool CubeStore::PseudonymEq::operator()(const Pseudonym& a, const Pseudonym& b) const {
  uint64_t x[kPseudonymBytes / 8];
  uint64_t y[kPseudonymBytes / 8];
  std::memcpy(x, a.data(), kPseudonymBytes);
  std::memcpy(y, b.data(), kPseudonymBytes);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

absl::Status CubeStore::LoadWorkerIds() {
  worker_ids_.reserve(next_worker_id_);
  const auto add = [&](const char* pseudonym_bytes, uint64_t id) {
    Pseudonym pseudonym;
    std::memcpy(pseudonym.data(), pseudonym_bytes, kPseudonymBytes);
    worker_ids_[pseudonym] = static_cast<uint32_t>(id);
    return id < next_worker_id_;
  };
  bool valid = true;
  absl::Status scanned =
      kv_->Scan(kWorkers, "", "", [&](std::string_view key, std::string_view value) {
        if (key.size() == kWorkerRunKeyBytes && key[0] == kWorkerRunTag &&
            value.size() % kPseudonymBytes == 0) {
          const uint64_t first = ReadBigEndian(key.substr(1));
          for (size_t i = 0; valid && i < value.size() / kPseudonymBytes; ++i) {
            valid = add(value.data() + i * kPseudonymBytes, first + i);
          }
        } else {
          valid = key.size() == kPseudonymBytes && value.size() == 4 &&
                  add(key.data(), ReadBigEndian(value));
        }
        return valid;
      });
  if (!scanned.ok()) return scanned;
  if (!valid) return absl::DataLossError("bad worker dictionary entry");
  return absl::OkStatus();
}

uint64_t CubeStore::LastSequence(const std::string& producer) const {
  std::shared_lock lock(state_mu_);
  auto it = last_sequences_.find(producer);
  return it == last_sequences_.end() ? 0 : it->second;
}

absl::StatusOr<bool> CubeStore::IsNextWrite(const std::string& producer, uint64_t sequence,
                                            std::optional<uint64_t> previous_sequence) const {
  const uint64_t last = LastSequence(producer);
  if (sequence <= last) return false;
  if (previous_sequence.has_value() && *previous_sequence != last) {
    return absl::AbortedError(
        absl::StrCat("producer ", producer, ": previous_sequence ", *previous_sequence,
                     " does not match the last applied sequence ", last, "; nothing was applied"));
  }
  return true;
}

void CubeStore::AwaitPreviousWrite(const std::string& producer, uint64_t previous_sequence) {
  struct Applied {
    const std::map<std::string, uint64_t>* last_sequences;
    const std::string* producer;
    uint64_t sequence;
    // Read with write_mu_ held: every writer of last_sequences_ holds it too.
    bool operator()() const {
      const auto it = last_sequences->find(*producer);
      return (it == last_sequences->end() ? 0 : it->second) >= sequence;
    }
  };
  Applied applied{&last_sequences_, &producer, previous_sequence};
  if (applied()) return;
  write_mu_.AwaitWithTimeout(absl::Condition(&applied), kOvertakenWriteWait);
}

absl::StatusOr<ApplyOutcome> CubeStore::Apply(const FactBatch& batch,
                                              const std::function<bool()>& cancelled) {
  absl::MutexLock writer(&write_mu_);
  // A duplicate is answered at once, whatever position it names; so is a batch naming a position
  // at or after its own sequence, which no write can make right.
  if (batch.previous_sequence.has_value() && *batch.previous_sequence < batch.sequence &&
      batch.sequence > LastSequence(batch.producer)) {
    AwaitPreviousWrite(batch.producer, *batch.previous_sequence);
    if (cancelled && cancelled()) {
      return absl::CancelledError("the call was cancelled while it waited; nothing was applied");
    }
  }
  absl::StatusOr<bool> next = IsNextWrite(batch.producer, batch.sequence, batch.previous_sequence);
  if (!next.ok()) return next.status();
  if (!*next) return ApplyOutcome::kAlreadyApplied;

  storage::WriteBatch writes;
  CubeDelta delta;
  for (const ApplicationFact& a : batch.applications)
    delta.AddApplication(a.month, a.region, a.type);

  // Dense ids for workers first seen in this batch are recorded in the same write as the cells.
  // They enter the worker map as they are met (one probe per payment), and leave it again if the
  // write fails, so that a failed batch changes nothing: a map of the batch's own new workers,
  // grown from empty for every batch, cost more than the lookups themselves.
  // The new workers' pseudonyms in id order, as the dictionary record stores them.
  std::string new_pseudonyms;
  uint32_t next_id = next_worker_id_;
  // Undone on every way out unless the write has stored them, a thrown allocation failure
  // included: once they are on disk they must stay, whatever fails after.
  bool stored = false;
  absl::Cleanup forget_new_workers = [&] {
    if (stored) return;
    for (size_t at = 0; at < new_pseudonyms.size(); at += kPseudonymBytes) {
      Pseudonym pseudonym;
      std::memcpy(pseudonym.data(), new_pseudonyms.data() + at, kPseudonymBytes);
      worker_ids_.erase(pseudonym);
    }
  };
  // The worker map is far larger than the caches: its probes are issued a few payments ahead so
  // that their cache misses overlap instead of being paid one after the other.
  const std::vector<PaymentFact>& payments = batch.payments;
  for (size_t i = 0; i < std::min(payments.size(), kWorkerPrefetchDistance); ++i) {
    worker_ids_.prefetch(payments[i].worker);
  }
  for (size_t i = 0; i < payments.size(); ++i) {
    if (i + kWorkerPrefetchDistance < payments.size()) {
      worker_ids_.prefetch(payments[i + kWorkerPrefetchDistance].worker);
    }
    const PaymentFact& p = payments[i];
    const auto [slot, first_seen] = worker_ids_.try_emplace(p.worker, next_id);
    if (first_seen) {
      ++next_id;
      new_pseudonyms.append(p.worker.data(), kPseudonymBytes);
    }
    delta.AddPayment(p.month, p.region, p.type, slot->second, p.months_covered);
  }

  // The batch is expanded to its lattice cells here (unions of the batch's small sets), so each
  // cell of the cube takes one union per batch: merging every base cell straight into its 27
  // rollups would union into a large rollup cell once per base cell below it, and a union into a
  // large cell costs in proportion to the cell, not to the batch.
  ExpandedDelta expanded = std::move(delta).Expand(codelists_, apply_pool_);
  std::vector<std::string> serialized(expanded.base_keys.size());
  base::ForEachInBlocks(apply_pool_, serialized.size(), kCellsPerSerializePart, [&](size_t i) {
    serialized[i] = expanded.lattice.at(expanded.base_keys[i]).Serialize();
  });
  for (size_t i = 0; i < serialized.size(); ++i) {
    writes.Merge(kCells, EncodeStorageKey(expanded.base_keys[i]), serialized[i]);
  }
  if (!new_pseudonyms.empty()) {
    writes.Put(kWorkers, std::string(1, kWorkerRunTag) + BigEndian(next_worker_id_, 4),
               new_pseudonyms);
    writes.Put(kMeta, kNextWorkerKey, BigEndian(next_id, 4));
  }
  writes.Put(kMeta, absl::StrCat(kSequencePrefix, batch.producer), BigEndian(batch.sequence, 8));

  // The synced write and the fold's unions need nothing from each other: the write goes to
  // storage on a thread of its own (which inherits this one's priority) while the unions run here
  // and on the pool. The fold is only prepared meanwhile and is committed once the write has
  // succeeded, so a failed write still changes nothing. The unions run while queries may still
  // read (this is the only writer); queries wait only for the swaps.
  absl::Status written;
  CubeState::PreparedFold fold;
  {
    // Joined when the block ends, by an exception from the unions too, so `stored` is final
    // before anything reads it.
    std::jthread storage_write([&] {
      written = kv_->Write(writes, storage::Durability::kSync);
      stored = written.ok();
    });
    std::shared_lock lock(state_mu_);
    fold = state_.PrepareMicroFold(std::move(expanded), apply_pool_);
  }
  if (!written.ok()) return written;
  {
    std::unique_lock lock(state_mu_);
    next_worker_id_ = next_id;
    state_.CommitMicroFold(fold);
    last_sequences_[batch.producer] = batch.sequence;
  }
  return ApplyOutcome::kApplied;  // the replaced values in `fold` are freed unlocked
}

absl::StatusOr<ReplaceOutcome> CubeStore::ReplacePublished(
    const std::string& producer, uint64_t sequence, domain::Measure measure,
    const std::vector<int>& years, const std::vector<PublishedCell>& cells,
    std::optional<uint64_t> previous_sequence) {
  std::set<int> year_set(years.begin(), years.end());
  for (size_t i = 0; i < cells.size(); ++i) {
    if (year_set.count(cells[i].month.year) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cells[", i, "].period: year ", cells[i].month.year, " is not listed in years"));
    }
  }
  CellMap base_cells;
  std::set<int> years_with_cells;
  for (const PublishedCell& c : cells) {
    const CellKey base = BaseCell(measure, c.month, c.region, c.type);
    if (base_cells.count(PackCellKey(base)) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("cells: ", domain::FormatIsoYearMonth(c.month), " region ",
                       codelists_.regions()[c.region].inps_label, " type ",
                       codelists_.intervention_types()[c.type].code, " is given twice"));
    }
    years_with_cells.insert(c.month.year);
    base_cells[PackCellKey(base)] = CellValue::Count(c.value);
  }
  CellMap layer = ExpandPublished(base_cells, codelists_);

  absl::MutexLock writer(&write_mu_);
  ReplaceOutcome outcome;
  absl::StatusOr<bool> next = IsNextWrite(producer, sequence, previous_sequence);
  if (!next.ok()) return next.status();
  if (!*next) {
    outcome.duplicate = true;
    return outcome;
  }
  storage::WriteBatch writes;
  std::vector<uint64_t> stale;
  {
    std::shared_lock lock(state_mu_);
    for (const auto& [packed, unused] : state_.published) {
      const CellKey key = UnpackCellKey(packed);
      if (key.measure == measure && year_set.count(key.period.year) > 0) {
        stale.push_back(packed);
        if (IsBase(key)) ++outcome.cells_removed;
      }
    }
  }
  for (uint64_t packed : stale) {
    if (IsBase(UnpackCellKey(packed))) writes.Delete(kPublished, EncodeStorageKey(packed));
  }
  for (const auto& [packed, value] : base_cells) {
    writes.Put(kPublished, EncodeStorageKey(packed), value.Serialize());
  }
  for (int year : year_set) {
    if (years_with_cells.count(year) > 0) {
      writes.Put(kMeta, PublishedYearKey(measure, year), "");
    } else {
      writes.Delete(kMeta, PublishedYearKey(measure, year));
    }
  }
  writes.Put(kMeta, absl::StrCat(kSequencePrefix, producer), BigEndian(sequence, 8));
  if (absl::Status s = kv_->Write(writes, storage::Durability::kSync); !s.ok()) return s;

  std::unique_lock lock(state_mu_);
  for (uint64_t packed : stale) state_.published.erase(packed);
  for (auto& [packed, value] : layer) state_.published[packed] = std::move(value);
  for (int year : year_set) {
    if (years_with_cells.count(year) > 0) {
      state_.published_years.insert({measure, year});
    } else {
      state_.published_years.erase({measure, year});
    }
  }
  state_.RecomputeLatestMonth();
  last_sequences_[producer] = sequence;
  outcome.cells_written = cells.size();
  return outcome;
}

absl::StatusOr<std::map<std::string, uint64_t>> CubeStore::Checkpoint(const std::string& dir) {
  absl::MutexLock writer(&write_mu_);
  if (absl::Status s = kv_->Checkpoint(dir); !s.ok()) return s;
  std::shared_lock lock(state_mu_);
  return last_sequences_;
}

absl::StatusOr<std::vector<QueryCell>> CubeStore::Query(const CubeQuery& query) const {
  std::shared_lock lock(state_mu_);
  return RunQuery(state_, codelists_, query);
}

absl::StatusOr<QueryPage> CubeStore::QueryOnePage(const CubeQuery& query, uint64_t start,
                                                  size_t max_cells) const {
  std::shared_lock lock(state_mu_);
  return RunQueryPage(state_, codelists_, query, start, max_cells);
}

void CountLevels(const CubeState& state, CubeStats& stats) {
  // Every measure and combination of levels has an entry, empty ones included
  // (aggregation.proto: 3 x 3 x 3 per measure).
  for (const domain::Measure measure : domain::kAllMeasures) {
    for (int p = 0; p < kLevelsPerDimension; ++p) {
      for (int r = 0; r < kLevelsPerDimension; ++r) {
        for (int t = 0; t < kLevelsPerDimension; ++t) {
          stats.levels.try_emplace(LevelKey{measure, static_cast<domain::PeriodLevel>(p),
                                            static_cast<RegionLevel>(r),
                                            static_cast<TypeLevel>(t)});
        }
      }
    }
  }
  for (const auto& [packed, unused] : state.micro) {
    ++stats.levels[LevelOf(UnpackCellKey(packed))].micro_data_cells;
  }
  for (const auto& [packed, unused] : state.published) {
    ++stats.levels[LevelOf(UnpackCellKey(packed))].published_cells;
  }
}

std::optional<domain::YearMonth> CubeStore::LatestMonth(
    const std::vector<domain::Measure>& measures) const {
  std::shared_lock lock(state_mu_);
  return state_.LatestMonth(measures);
}

absl::Status CubeStore::ReserveWorkers(size_t expected_workers) {
  // Dense worker ids are 32 bits: no more workers can ever be held.
  constexpr size_t kMaxWorkers = size_t{1} << 32;
  if (expected_workers > kMaxWorkers) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot make room for ", expected_workers,
                                                     " workers: worker ids have 32 bits"));
  }
  absl::MutexLock writer(&write_mu_);
  try {
    worker_ids_.reserve(expected_workers);
  } catch (const std::exception&) {  // std::bad_alloc; the map is left as it was
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot make room for ", expected_workers, " workers in memory"));
  }
  return absl::OkStatus();
}

size_t CubeStore::WorkerMapBytes() const {
  absl::MutexLock writer(&write_mu_);
  // A slot and a control byte per place in the table.
  return worker_ids_.capacity() * (sizeof(WorkerIds::slot_type) + 1);
}

CubeStats CubeStore::Stats() const {
  CubeStats stats;
  {
    std::shared_lock lock(state_mu_);
    CountLevels(state_, stats);
    stats.last_sequences = last_sequences_;
    stats.distinct_workers = next_worker_id_;
  }
  stats.disk_bytes = kv_->DiskBytes();
  return stats;
}

}  // namespace omnia::cube
