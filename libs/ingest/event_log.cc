#include "libs/ingest/event_log.h"

#include <openssl/rand.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/domain/events.h"
#include "libs/ingest/internal/entry_codec.h"
#include "libs/ingest/internal/id_hash.h"
#include "libs/ingest/internal/log_layout.h"
#include "libs/storage/key_codec.h"

namespace omnia::ingest {

using internal::AcceptedSequenceKey;
using internal::AppendIdRecord;
using internal::AppendStagedEvent;
using internal::CheckEncodable;
using internal::ContentFingerprint;
using internal::DecodeEntry;
using internal::DecodeFields;
using internal::DecodePublishedYear;
using internal::EncodeEventsEntry;
using internal::EncodeFields;
using internal::EncodePublishedEntry;
using internal::EncodePublishedYear;
using internal::EncodeRecord;
using internal::EntryUnits;
using internal::EntryUnitsBefore;
using internal::ForEachIdRecord;
using internal::ForEachStagedEvent;
using internal::HashId;
using internal::IdHashes;
using internal::IdOf;
using internal::IdTagName;
using internal::IsLowerHex;
using internal::kApplicationBytes;
using internal::kCountersKey;
using internal::kCursorKey;
using internal::kFormatKey;
using internal::kFormatVersion;
using internal::kIdHashKeyKey;
using internal::kIds;
using internal::KindOf;
using internal::kLog;
using internal::kMaxIndex;
using internal::kMeta;
using internal::kPaymentBytes;
using internal::kProducerFields;
using internal::kProducerPrefix;
using internal::kPseudonymKeyFingerprintKey;
using internal::kPublishedYearPrefix;
using internal::kSequencePrefix;
using internal::kSha256HexBytes;
using internal::kStage;
using internal::ProducerKey;
using internal::PublishedYearKey;
using internal::PublishedYearRecord;
using internal::RevisionKey;
using internal::SequenceKey;
using internal::SequenceKeysEnd;
using internal::StagedEvent;
using internal::StageKey;
using internal::TimeField;
using internal::TimeFromField;

// Waits for a batch's turn to be written, or for its cancellation.
struct EventLog::TurnOrCancelled {
  const uint64_t* turn;
  uint64_t ticket;
  const absl::Status* cancelled;
  bool Ready() const { return *turn == ticket || !cancelled->ok(); }
};

// The outcome of classifying a batch's or file's events; see PlanEvents.
struct EventLog::Plan {
  struct Chunk {
    std::string applications;  // encoded records
    std::string payments;
    std::string application_ids;  // id records, same order
    std::string payment_ids;
    uint64_t events = 0;
  };
  std::vector<Chunk> chunks;
  // The one atomic write: AddEntries puts the entries and their id records, the caller its
  // bookkeeping.
  storage::WriteBatch writes;
  // Index keys added for new events, with the event's position, so that Rollback can remove
  // them and a conflict can name the earlier event of the same batch.
  std::vector<std::pair<IdKey, size_t>> inserted;
  uint64_t accepted = 0;
  uint64_t duplicate = 0;
};

// A batch planned and not yet written: what its write and its publication need.
struct EventLog::PlannedBatch {
  Plan plan;
  ProducerStatus producer;  // the producer's state and window after the batch
  SequenceWindow window;
  Counters counters;  // the log's counters after the batch
  std::vector<std::pair<uint64_t, uint64_t>> entry_units;
  uint64_t log_sequence = 0;  // of its last entry (0 if none)
};

std::vector<storage::ColumnSpec> EventLog::Columns() {
  // The entries are packed records of pseudonyms (hashes) and numbers: Snappy saved 1 % of
  // their bytes for 7 % of ingestion's processor time. Their ids are text and do compress.
  return {{"log", {}, /*compress=*/false},
          {"log_ids", {}},
          {"log_meta", {}},
          {"log_stage", {}, /*compress=*/false}};
}

EventLog::EventLog(std::unique_ptr<storage::KvStore> kv, const Clock& clock,
                   size_t max_sequence_window)
    : kv_(std::move(kv)), clock_(clock), max_sequence_window_(max_sequence_window) {}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(std::unique_ptr<storage::KvStore> kv,
                                                         const Clock& clock,
                                                         size_t max_sequence_window) {
  std::unique_ptr<EventLog> log(new EventLog(std::move(kv), clock, max_sequence_window));
  if (absl::Status s = log->Load(); !s.ok()) return s;
  return log;
}

absl::Status EventLog::Load() {
  absl::MutexLock writer(&write_mu_);
  absl::MutexLock state(&state_mu_);

  absl::StatusOr<std::optional<std::string>> format = kv_->Get(kMeta, kFormatKey);
  if (!format.ok()) return format.status();
  if (!format->has_value()) {
    storage::WriteBatch init;
    init.Put(kMeta, kFormatKey, kFormatVersion);
    if (absl::Status s = kv_->Write(init, storage::Durability::kSync); !s.ok()) return s;
  } else if (**format != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log format ", **format, " is not supported (expected ", kFormatVersion, ")"));
  }

  if (absl::Status s = LoadIdHashKeys(); !s.ok()) return s;

  absl::StatusOr<std::optional<std::string>> counters = kv_->Get(kMeta, kCountersKey);
  if (!counters.ok()) return counters.status();
  if (counters->has_value()) {
    if (absl::Status s = DecodeCounters(**counters, counters_); !s.ok()) return s;
  }
  absl::StatusOr<std::optional<std::string>> cursor = kv_->Get(kMeta, kCursorKey);
  if (!cursor.ok()) return cursor.status();
  if (cursor->has_value()) {
    uint64_t time = 0;
    if (absl::Status s =
            DecodeFields("cursor", **cursor, {&cursor_.sequence, &cursor_.units_through, &time});
        !s.ok()) {
      return s;
    }
    cursor_.time = TimeFromField(time);
  }

  // Entries up to the counters' last sequence must all be there (the last one is checked; the
  // readers report any other gap). Entries beyond it were never acknowledged: see
  // DeleteUnacknowledged.
  if (absl::Status s = DeleteUnacknowledged(); !s.ok()) return s;
  uint64_t tail = 0;
  absl::Status scanned = kv_->Scan(
      kLog, SequenceKey(counters_.last_sequence), "", [&](std::string_view key, std::string_view) {
        tail = key.size() == 8 ? storage::ReadBigEndian(key.data(), 8) : ~uint64_t{0};
        return false;
      });
  if (!scanned.ok()) return scanned;
  if (counters_.last_sequence > 0 && tail != counters_.last_sequence) {
    return absl::DataLossError(absl::StrCat("the event log's counters end at entry ",
                                            counters_.last_sequence, " but that entry is missing"));
  }
  if (cursor_.sequence > counters_.last_sequence) {
    return absl::DataLossError(absl::StrCat("the forwarding cursor (", cursor_.sequence,
                                            ") is past the end of the event log (",
                                            counters_.last_sequence, ")"));
  }

  absl::Status bad;
  scanned = kv_->Scan(kMeta, kProducerPrefix, storage::PrefixEnd(kProducerPrefix),
                      [&](std::string_view key, std::string_view value) {
                        ProducerStatus producer;
                        producer.producer_id = std::string(key.substr(sizeof(kProducerPrefix) - 1));
                        uint64_t time = 0;
                        SequenceWindow window;
                        bad = DecodeFields(
                            "producer", value,
                            {&producer.last_acknowledged_sequence, &producer.batches_accepted,
                             &producer.events_accepted, &time, &producer.last_log_sequence,
                             &window.exact_through, &window.floor});
                        if (value.size() < 8 * kProducerFields) {
                          window.exact_through = producer.last_acknowledged_sequence;
                          window.floor = producer.last_acknowledged_sequence;
                        }
                        producer.last_acknowledged_time = TimeFromField(time);
                        windows_.emplace(producer.producer_id, std::move(window));
                        std::string id = producer.producer_id;
                        producers_.emplace(std::move(id), std::move(producer));
                        return bad.ok();
                      });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  scanned = kv_->Scan(
      kMeta, kSequencePrefix, storage::PrefixEnd(kSequencePrefix),
      [&](std::string_view key, std::string_view value) {
        const std::string_view rest = key.substr(sizeof(kSequencePrefix) - 1);
        const size_t nul = rest.find('\0');
        auto window =
            nul == std::string_view::npos ? windows_.end() : windows_.find(rest.substr(0, nul));
        if (window == windows_.end() || rest.size() != nul + 1 + 8 || value.size() != 8) {
          bad = absl::DataLossError("a bad accepted-sequence record in the event log");
          return false;
        }
        const uint64_t sequence = storage::ReadBigEndian(rest.data() + nul + 1, 8);
        window->second.accepted.emplace(sequence, storage::ReadBigEndian(value.data(), 8));
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;

  scanned =
      kv_->Scan(kMeta, kPublishedYearPrefix, storage::PrefixEnd(kPublishedYearPrefix),
                [&](std::string_view key, std::string_view value) {
                  absl::StatusOr<PublishedYearRecord> record = DecodePublishedYear(key, value);
                  if (!record.ok()) {
                    bad = record.status();
                    return false;
                  }
                  published_[{record->measure, record->year}] = PublishedYear{
                      std::move(record->sha256), std::move(record->years), record->revision,
                      record->log_sequence,      record->import_cells,     record->year_cells};
                  return true;
                });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  for (domain::Measure measure : domain::kAllMeasures) {
    absl::StatusOr<std::optional<std::string>> revision = kv_->Get(kMeta, RevisionKey(measure));
    if (!revision.ok()) return revision.status();
    if (revision->has_value()) {
      uint64_t value = 0;
      if (absl::Status s = DecodeFields("revision", **revision, {&value}); !s.ok()) return s;
      revisions_[measure] = value;
    }
  }

  // Every accepted event is listed once in the id records.
  index_.Reserve(counters_.events_accepted);
  std::vector<std::pair<IdKey, Fingerprint>> pending_keys;
  scanned = kv_->Scan(kIds, "", "", [&](std::string_view key, std::string_view value) {
    const uint64_t sequence = key.size() == 8 ? storage::ReadBigEndian(key.data(), 8) : 0;
    pending_keys.clear();
    const bool valid =
        ForEachIdRecord(value, [&](EventKind kind, std::string_view id, uint64_t fingerprint) {
          pending_keys.emplace_back(KeyOf(kind, id),
                                    Fingerprint{static_cast<uint32_t>(fingerprint),
                                                static_cast<uint32_t>(fingerprint >> 32)});
        });
    if (!valid) {
      bad =
          absl::DataLossError(absl::StrCat("the id record of log entry ", sequence, " is corrupt"));
    }
    if (bad.ok() && (sequence == 0 || sequence > counters_.last_sequence)) {
      bad = absl::DataLossError(
          absl::StrCat("an id record belongs to log entry ", sequence, ", which does not exist"));
    }
    if (!bad.ok()) return false;
    // A tight loop of inserts only, so the processor overlaps their cache misses.
    for (const auto& [id_key, fingerprint] : pending_keys) index_.TryInsert(id_key, fingerprint);
    return true;
  });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  index_bytes_ = index_.MemoryBytes();
  return absl::OkStatus();
}

absl::Status EventLog::LoadIdHashKeys() {
  absl::StatusOr<std::optional<std::string>> stored = kv_->Get(kMeta, kIdHashKeyKey);
  if (!stored.ok()) return stored.status();
  std::string key;
  if (stored->has_value()) {
    key = **stored;
  } else {
    key.resize(crypto_shorthash_siphashx24_KEYBYTES);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) !=
        1) {
      return absl::InternalError("cannot draw the event log's id hash key");
    }
    storage::WriteBatch init;
    init.Put(kMeta, kIdHashKeyKey, key);
    if (absl::Status s = kv_->Write(init, storage::Durability::kSync); !s.ok()) return s;
  }
  if (key.size() != crypto_shorthash_siphashx24_KEYBYTES) {
    return absl::DataLossError("the event log's id hash key is corrupt");
  }
  std::memcpy(id_keys_.application.data(), key.data(), key.size());
  id_keys_.payment = id_keys_.application;
  // Separate id spaces: the same id as an application and as a payment hashes independently.
  id_keys_.payment[0] ^= 0x01;
  return absl::OkStatus();
}

const std::array<unsigned char, 16>& EventLog::IdKeyFor(EventKind kind) const {
  return kind == EventKind::kApplication ? id_keys_.application : id_keys_.payment;
}

EventLog::IdKey EventLog::KeyOf(EventKind kind, std::string_view id) const {
  const IdHashes hashes = HashId(IdKeyFor(kind), id);
  return IdKey{static_cast<uint32_t>(hashes.slot), static_cast<uint32_t>(hashes.slot >> 32),
               hashes.check};
}

absl::Status EventLog::DeleteUnacknowledged() {
  // Safe to delete: the counters are written last, in the synced write that acknowledges a file
  // (see Large files), so an entry beyond them belongs to a commit that never answered, and no
  // reader ever saw it (they all stop at the counters' last_sequence).
  bool beyond = false;
  absl::Status scanned = kv_->Scan(kLog, SequenceKey(counters_.last_sequence + 1), "",
                                   [&](std::string_view, std::string_view) {
                                     beyond = true;
                                     return false;
                                   });
  if (!scanned.ok()) return scanned;
  if (!beyond) {
    scanned = kv_->Scan(kIds, SequenceKey(counters_.last_sequence + 1), "",
                        [&](std::string_view, std::string_view) {
                          beyond = true;
                          return false;
                        });
    if (!scanned.ok()) return scanned;
  }
  bool staged = false;
  scanned = kv_->Scan(kStage, "", "", [&](std::string_view, std::string_view) {
    staged = true;
    return false;
  });
  if (!scanned.ok()) return scanned;
  storage::WriteBatch cleanup;
  if (beyond) {
    cleanup.DeleteRange(kLog, SequenceKey(counters_.last_sequence + 1), SequenceKeysEnd());
    cleanup.DeleteRange(kIds, SequenceKey(counters_.last_sequence + 1), SequenceKeysEnd());
  }
  // Stages belong to uploads of an earlier process, which ended without an answer.
  if (staged) cleanup.DeleteRange(kStage, "", std::string(17, '\xff'));
  if (cleanup.empty()) return absl::OkStatus();
  return kv_->Write(cleanup, storage::Durability::kSync);
}

absl::Status EventLog::BindPseudonymKey(std::string_view fingerprint) {
  absl::MutexLock writer(&write_mu_);
  AwaitBatchWrites();
  absl::StatusOr<std::optional<std::string>> stored = kv_->Get(kMeta, kPseudonymKeyFingerprintKey);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (**stored == fingerprint) return absl::OkStatus();
    return absl::FailedPreconditionError(
        "the pseudonymisation key is not the one this event log was written with: every worker "
        "pseudonym would change and workers would be counted twice. Start with the original key, "
        "or rebuild from a new, empty log");
  }
  // A new log, or one from before fingerprints were kept: bound to the key it is opened with.
  storage::WriteBatch bind;
  bind.Put(kMeta, kPseudonymKeyFingerprintKey, std::string(fingerprint));
  return kv_->Write(bind, storage::Durability::kSync);
}

namespace {

// Conflicts described in an error message (of a batch or a file); the rest are counted.
constexpr size_t kMaxConflictsInMessage = 100;

std::string DescribeConflicts(const std::vector<EventConflict>& found, size_t total) {
  std::string message;
  for (size_t i = 0; i < found.size() && i < kMaxConflictsInMessage; ++i) {
    const EventConflict& c = found[i];
    if (!message.empty()) message.append("; ");
    // Events of a file are named with their lines too; a batch's have none (line 0).
    absl::StrAppend(&message, "events[", c.event_index, "]");
    if (c.line > 0) absl::StrAppend(&message, " (line ", c.line, ")");
    absl::StrAppend(&message, ": ", AsAbsl(IdTagName(c.kind)), " ", c.event_id);
    if (c.repeats_index.has_value()) {
      absl::StrAppend(&message, " repeats events[", *c.repeats_index, "]");
      if (c.repeats_line > 0) absl::StrAppend(&message, " (line ", c.repeats_line, ")");
      message.append(" with different content");
    } else {
      message.append(" was already ingested with different content");
    }
  }
  if (total > kMaxConflictsInMessage) {
    absl::StrAppend(&message, "; and ", total - kMaxConflictsInMessage, " more");
  }
  return message;
}

}  // namespace

absl::Status EventLog::PlanEvents(const std::vector<LoggedEvent>& events, size_t max_per_entry,
                                  Plan& plan, std::vector<EventConflict>* conflicts) {
  // The index is far larger than the caches, so its probes dominate the cost per event. They
  // run in a tight loop of their own (pass 2), where the processor overlaps their cache
  // misses; interleaved with the encoding work they would be paid one after the other.
  const size_t n = events.size();

  // Pass 1: check, encode and hash every event.
  struct Hashed {
    IdKey key;
    Fingerprint fingerprint;
  };
  std::vector<Hashed> hashed(n);
  std::string records(n * kPaymentBytes, '\0');
  for (size_t i = 0; i < n; ++i) {
    if (absl::Status s = CheckEncodable(i, events[i]); !s.ok()) return s;
    const EventKind kind = KindOf(events[i]);
    const IdHashes hashes = HashId(IdKeyFor(kind), IdOf(events[i]));
    char* record = records.data() + i * kPaymentBytes;
    const size_t size = EncodeRecord(events[i], record);
    const uint64_t fingerprint = ContentFingerprint(kind, std::string_view(record, size));
    hashed[i] = {
        IdKey{static_cast<uint32_t>(hashes.slot), static_cast<uint32_t>(hashes.slot >> 32),
              hashes.check},
        Fingerprint{static_cast<uint32_t>(fingerprint), static_cast<uint32_t>(fingerprint >> 32)}};
  }

  // Pass 2: look every id up in the log's index, adding the new ones: one probe per id. An id
  // found was logged before or added by an earlier event of this batch (then a repeat).
  enum class Verdict : uint8_t { kNew, kDuplicate, kConflict };
  std::vector<Verdict> verdicts(n);
  // Each probe misses the caches: the ones a few events ahead are fetched meanwhile.
  constexpr size_t kPrefetchDistance = 16;
  for (size_t i = 0; i < std::min(n, kPrefetchDistance); ++i) index_.Prefetch(hashed[i].key);
  for (size_t i = 0; i < n; ++i) {
    if (i + kPrefetchDistance < n) index_.Prefetch(hashed[i + kPrefetchDistance].key);
    const auto [stored, inserted] = index_.TryInsert(hashed[i].key, hashed[i].fingerprint);
    if (inserted) {
      verdicts[i] = Verdict::kNew;
      plan.inserted.emplace_back(hashed[i].key, i);
    } else if (stored == hashed[i].fingerprint) {
      verdicts[i] = Verdict::kDuplicate;
    } else {
      verdicts[i] = Verdict::kConflict;
    }
  }

  // Pass 4: report conflicts, or encode the new events into entries.
  std::vector<EventConflict> found;
  std::optional<absl::flat_hash_map<IdKey, size_t, IdKeyHash>> added_here;
  for (size_t i = 0; i < n; ++i) {
    if (verdicts[i] != Verdict::kConflict) continue;
    const EventKind kind = KindOf(events[i]);
    const std::string_view id = IdOf(events[i]);
    // The id may have been added by an earlier event of this batch: then name that event.
    std::optional<size_t> earlier;
    if (!added_here.has_value()) added_here.emplace(plan.inserted.begin(), plan.inserted.end());
    if (auto it = added_here->find(hashed[i].key); it != added_here->end()) earlier = it->second;
    found.push_back({i, kind, std::string(id), earlier});
  }
  if (!found.empty()) {
    const std::string message = DescribeConflicts(found, found.size());
    if (conflicts != nullptr) conflicts->insert(conflicts->end(), found.begin(), found.end());
    Rollback(plan);
    return absl::AlreadyExistsError(message);
  }

  for (size_t i = 0; i < n; ++i) {
    if (verdicts[i] == Verdict::kDuplicate) ++plan.duplicate;
  }
  plan.accepted = plan.inserted.size();
  // Each chunk's strings are sized before they are filled: grown by appending, every doubling
  // copied what they held again.
  struct ChunkBytes {
    size_t applications = 0, payments = 0, application_ids = 0, payment_ids = 0;
  };
  std::vector<ChunkBytes> chunk_bytes(
      plan.inserted.empty() ? 0 : (plan.inserted.size() - 1) / max_per_entry + 1);
  for (size_t k = 0; k < plan.inserted.size(); ++k) {
    const LoggedEvent& event = events[plan.inserted[k].second];
    ChunkBytes& bytes = chunk_bytes[k / max_per_entry];
    const size_t id_bytes = internal::kIdRecordOverhead + IdOf(event).size();
    if (KindOf(event) == EventKind::kApplication) {
      bytes.applications += kApplicationBytes;
      bytes.application_ids += id_bytes;
    } else {
      bytes.payments += kPaymentBytes;
      bytes.payment_ids += id_bytes;
    }
  }
  size_t chunks_made = 0;
  for (const auto& [key, i] : plan.inserted) {
    if (plan.chunks.empty() || plan.chunks.back().events >= max_per_entry) {
      Plan::Chunk& chunk = plan.chunks.emplace_back();
      if (chunks_made < chunk_bytes.size()) {
        const ChunkBytes& bytes = chunk_bytes[chunks_made++];
        chunk.applications.reserve(bytes.applications);
        chunk.payments.reserve(bytes.payments);
        chunk.application_ids.reserve(bytes.application_ids);
        chunk.payment_ids.reserve(bytes.payment_ids);
      }
    }
    Plan::Chunk& chunk = plan.chunks.back();
    const EventKind kind = KindOf(events[i]);
    const char* record = records.data() + i * kPaymentBytes;
    const uint64_t fingerprint =
        (uint64_t{hashed[i].fingerprint.high} << 32) | hashed[i].fingerprint.low;
    if (kind == EventKind::kApplication) {
      chunk.applications.append(record, kApplicationBytes);
      AppendIdRecord(chunk.application_ids, kind, IdOf(events[i]), fingerprint);
    } else {
      chunk.payments.append(record, kPaymentBytes);
      AppendIdRecord(chunk.payment_ids, kind, IdOf(events[i]), fingerprint);
    }
    ++chunk.events;
  }
  return absl::OkStatus();
}

void EventLog::Rollback(const Plan& plan) {
  for (const auto& [key, index] : plan.inserted) index_.Erase(key);
}

EventLog::Counters EventLog::AddEntries(Counters counters, const Plan& plan,
                                        storage::WriteBatch& writes,
                                        std::vector<std::pair<uint64_t, uint64_t>>& entry_units) {
  for (const Plan::Chunk& chunk : plan.chunks) {
    const uint64_t units = chunk.events;
    std::string value =
        EncodeEventsEntry(counters.units_logged, units, chunk.applications, chunk.payments);
    ++counters.last_sequence;
    counters.units_logged += units;
    writes.Put(kLog, SequenceKey(counters.last_sequence), std::move(value));
    std::string ids;
    ids.reserve(chunk.application_ids.size() + chunk.payment_ids.size());
    ids.append(chunk.application_ids);
    ids.append(chunk.payment_ids);
    writes.Put(kIds, SequenceKey(counters.last_sequence), std::move(ids));
    entry_units.emplace_back(counters.last_sequence, counters.units_logged);
  }
  counters.events_accepted += plan.accepted;
  counters.events_duplicate += plan.duplicate;
  return counters;
}

EventLog::SequenceState EventLog::Classify(const SequenceWindow& window, uint64_t sequence) {
  if (sequence <= window.exact_through) return SequenceState::kAccepted;
  if (sequence <= window.floor) return SequenceState::kUnknown;
  return window.accepted.count(sequence) > 0 ? SequenceState::kAccepted : SequenceState::kNew;
}

void EventLog::Accept(SequenceWindow& window, uint64_t sequence, uint64_t log_sequence,
                      std::vector<uint64_t>& dropped) const {
  window.accepted.emplace(sequence, log_sequence);
  while (!window.accepted.empty()) {
    auto lowest = window.accepted.begin();
    if (lowest->first == window.floor + 1 && window.exact_through == window.floor) {
      // No gap below it at all: the exact low-water mark moves up.
      ++window.exact_through;
      ++window.floor;
    } else if (window.accepted.size() > max_sequence_window_) {
      // A gap the producer never filled, or the window full above one given up before: give up
      // the sequences up to the lowest listed one. (Above a gap given up, accepted sequences
      // stay listed, consecutive ones too: the last max_sequence_window_ of them stay known.)
      window.floor = lowest->first;
    } else {
      break;
    }
    dropped.push_back(lowest->first);
    window.accepted.erase(lowest);
  }
}

void EventLog::PutCounters(const Counters& c, storage::WriteBatch& writes) {
  writes.Put(
      kMeta, kCountersKey,
      EncodeFields({c.last_sequence, c.events_accepted, c.events_duplicate, c.batches_accepted,
                    c.published_reports_imported, c.raw_event_files_imported, c.units_logged}));
}

absl::Status EventLog::DecodeCounters(std::string_view value, Counters& c) {
  return DecodeFields(
      "counters", value,
      {&c.last_sequence, &c.events_accepted, &c.events_duplicate, &c.batches_accepted,
       &c.published_reports_imported, &c.raw_event_files_imported, &c.units_logged});
}

absl::StatusOr<AppendResult> EventLog::Append(const IncomingBatch& batch,
                                              std::vector<EventConflict>* conflicts,
                                              const Admission& admit) {
  absl::StatusOr<AppendResult> result = AppendUncounted(batch, conflicts, admit);
  // Every refusal counts, whatever its cause (a conflict, a storage failure, a broken log), so
  // the counters agree with the acks the producers got.
  if (!result.ok()) RecordRejected(batch.events.size());
  return result;
}

std::optional<absl::StatusOr<AppendResult>> EventLog::Decide(const ProducerStatus& producer,
                                                             const SequenceWindow& window,
                                                             std::string_view producer_id,
                                                             uint64_t sequence) {
  switch (Classify(window, sequence)) {
    case SequenceState::kAccepted: {
      AppendResult result;
      result.outcome = AppendOutcome::kDuplicateBatch;
      if (auto it = window.accepted.find(sequence); it != window.accepted.end()) {
        result.log_sequence = it->second;
      } else if (sequence == producer.last_acknowledged_sequence) {
        result.log_sequence = producer.last_log_sequence;
      }
      return result;
    }
    case SequenceState::kUnknown:
      return absl::FailedPreconditionError(absl::StrCat(
          "sequence ", sequence, " of producer ",
          absl::string_view(producer_id.data(), producer_id.size()),
          " is below the oldest sequence the log still tells apart (", window.floor + 1,
          "): whether it was accepted is no longer known; send new events under a new "
          "sequence"));
    case SequenceState::kNew:
      break;
  }
  return std::nullopt;
}

std::optional<absl::StatusOr<AppendResult>> EventLog::DecidedBatch(std::string_view producer_id,
                                                                   uint64_t sequence) {
  if (sequence == 0) return std::nullopt;  // invalid: for Append to refuse
  absl::MutexLock state(&state_mu_);
  const auto producer = producers_.find(producer_id);
  const auto window = windows_.find(producer_id);
  if (producer == producers_.end() || window == windows_.end()) return std::nullopt;
  std::optional<absl::StatusOr<AppendResult>> decided =
      Decide(producer->second, window->second, producer_id, sequence);
  if (decided.has_value() && decided->ok()) ++batches_duplicate_;
  return decided;
}

EventLog::Counters EventLog::PlannedCounters() const {
  if (planned_counters_.has_value()) return *planned_counters_;
  absl::ReaderMutexLock state(&state_mu_);
  return counters_;
}

bool EventLog::PlannedProducer(std::string_view producer_id, ProducerStatus& producer,
                               SequenceWindow& window) const {
  if (auto planned = planned_producers_.find(producer_id); planned != planned_producers_.end()) {
    producer = planned->second.producer;
    window = planned->second.window;
    absl::MutexLock commit(&commit_mu_);
    return planned->second.ticket >= turn_ || !failed_inserts_.empty();
  }
  absl::ReaderMutexLock state(&state_mu_);
  if (auto it = producers_.find(producer_id); it != producers_.end()) {
    producer = it->second;
    window = windows_.find(producer_id)->second;
  } else {
    producer = ProducerStatus{};
    producer.producer_id = std::string(producer_id);
    window = SequenceWindow{};
  }
  return false;
}

void EventLog::UndoFailedBatches() {
  std::vector<std::vector<std::pair<IdKey, size_t>>> failed;
  {
    absl::MutexLock commit(&commit_mu_);
    failed.swap(failed_inserts_);
  }
  if (failed.empty()) return;
  for (const auto& inserted : failed) {
    for (const auto& [key, index] : inserted) index_.Erase(key);
  }
  // Every batch planned on them failed with them: the published state is the planned one.
  planned_producers_.clear();
  planned_counters_.reset();
}

std::optional<uint64_t> EventLog::UnwrittenEvents() const {
  absl::MutexLock commit(&commit_mu_);
  if (in_flight_.empty()) return std::nullopt;
  return unwritten_events_;
}

void EventLog::ForgetWrittenPlans() {
  // The planned state of a producer whose batches are all written is its published state: kept
  // for a few producers (a scan per batch stays short), dropped beyond.
  constexpr size_t kPlannedProducersKept = 64;
  if (planned_producers_.size() <= kPlannedProducersKept) return;
  uint64_t turn;
  {
    absl::MutexLock commit(&commit_mu_);
    turn = turn_;
  }
  std::erase_if(planned_producers_,
                [turn](const auto& entry) { return entry.second.ticket < turn; });
}

void EventLog::AwaitBatchWrites() {
  commit_mu_.LockWhen(absl::Condition(
      +[](std::map<uint64_t, InFlightBatch*>* in_flight) { return in_flight->empty(); },
      &in_flight_));
  commit_mu_.Unlock();
  UndoFailedBatches();
  planned_producers_.clear();
  planned_counters_.reset();
}

std::optional<absl::StatusOr<AppendResult>> EventLog::PlanBatch(
    const IncomingBatch& batch, std::vector<EventConflict>* conflicts, const Admission& admit,
    PlannedBatch& planned) {
  const size_t conflicts_before = conflicts != nullptr ? conflicts->size() : 0;
  Plan& plan = planned.plan;
  while (true) {
    const bool unwritten = PlannedProducer(batch.producer_id, planned.producer, planned.window);
    std::optional<absl::StatusOr<AppendResult>> decided =
        Decide(planned.producer, planned.window, batch.producer_id, batch.sequence);
    if (decided.has_value()) {
      if (!unwritten) return decided;
      // The answer rests on a batch of this producer not written yet, whose write may still
      // fail: a resend is answered only once it is written.
      AwaitBatchWrites();
      continue;
    }
    absl::Status s = PlanEvents(batch.events, std::numeric_limits<size_t>::max(), plan, conflicts);
    if (absl::IsAlreadyExists(s) && UnwrittenEvents().has_value()) {
      // A conflicting id may be one a batch not written yet added, and that write may still
      // fail: a batch is refused for conflicts with written events only.
      if (conflicts != nullptr) conflicts->resize(conflicts_before);
      plan = Plan{};
      AwaitBatchWrites();
      continue;
    }
    if (!s.ok()) return s;
    break;
  }
  if (admit) {
    // The batches ahead of this one that are not written yet are in no backlog yet: they count
    // with it. A batch of duplicates only is taken whatever the backlog.
    const uint64_t adding = plan.accepted == 0 ? 0 : plan.accepted + UnwrittenEvents().value_or(0);
    if (absl::Status s = admit(adding); !s.ok()) {
      Rollback(plan);
      return s;
    }
  }
  Counters& counters = planned.counters;
  ProducerStatus& producer = planned.producer;
  SequenceWindow& window = planned.window;
  counters = AddEntries(PlannedCounters(), plan, plan.writes, planned.entry_units);
  ++counters.batches_accepted;
  const uint64_t log_sequence = planned.entry_units.empty() ? 0 : planned.entry_units.back().first;
  if (batch.sequence > producer.last_acknowledged_sequence) {
    producer.last_acknowledged_sequence = batch.sequence;
    producer.last_log_sequence = log_sequence;
  }
  ++producer.batches_accepted;
  producer.events_accepted += plan.accepted;
  producer.last_acknowledged_time = clock_.Now();
  std::vector<uint64_t> dropped;
  Accept(window, batch.sequence, log_sequence, dropped);
  // Only the sequences that stay listed, or were listed before this batch, have records.
  for (uint64_t sequence : dropped) {
    if (sequence != batch.sequence) {
      plan.writes.Delete(kMeta, AcceptedSequenceKey(batch.producer_id, sequence));
    }
  }
  if (window.accepted.count(batch.sequence) > 0) {
    plan.writes.Put(kMeta, AcceptedSequenceKey(batch.producer_id, batch.sequence),
                    storage::BigEndian(log_sequence, 8));
  }
  PutCounters(counters, plan.writes);
  plan.writes.Put(
      kMeta, ProducerKey(batch.producer_id),
      EncodeFields({producer.last_acknowledged_sequence, producer.batches_accepted,
                    producer.events_accepted, TimeField(producer.last_acknowledged_time),
                    producer.last_log_sequence, window.exact_through, window.floor}));
  planned.log_sequence = log_sequence;
  return std::nullopt;
}

absl::StatusOr<AppendResult> EventLog::AppendUncounted(const IncomingBatch& batch,
                                                       std::vector<EventConflict>* conflicts,
                                                       const Admission& admit) {
  if (batch.producer_id.empty()) return absl::InvalidArgumentError("producer_id is empty");
  if (batch.sequence == 0) return absl::InvalidArgumentError("sequence must be at least 1");

  // A batch is planned under write_mu_ (deduplicated against the index, given its log
  // sequences, its producer's state moved on) and written after it: the next batch is planned
  // while this one's synced write is under way instead of waiting for it. Writes still reach
  // storage one at a time in plan order (tickets), and a batch becomes visible to readers only
  // once it and every batch before it are written. A failed write cancels the batches planned
  // after it, which built on it; their ids leave the index before anything else is planned.
  PlannedBatch planned;
  InFlightBatch in_flight{&planned.plan.inserted, &planned.plan.accepted, absl::OkStatus()};
  uint64_t ticket = 0;
  size_t index_bytes = 0;
  {
    absl::MutexLock writer(&write_mu_);
    const size_t conflicts_before = conflicts != nullptr ? conflicts->size() : 0;
    ForgetWrittenPlans();
    while (true) {
      UndoFailedBatches();
      if (!broken_.ok()) return broken_;
      std::optional<absl::StatusOr<AppendResult>> answered =
          PlanBatch(batch, conflicts, admit, planned);
      {
        absl::MutexLock commit(&commit_mu_);
        if (failed_inserts_.empty()) {
          if (answered.has_value()) {
            if (answered->ok()) {
              absl::MutexLock state(&state_mu_);
              ++batches_duplicate_;
            }
            return *std::move(answered);  // a duplicate or a refusal: nothing to write
          }
          ticket = next_ticket_++;
          in_flight_.emplace(ticket, &in_flight);
          unwritten_events_ += planned.plan.accepted;
          break;
        }
      }
      // A write failed while this batch was planned, and its answer may rest on the failed
      // batch: planned again once the failed batches are undone.
      if (!answered.has_value()) Rollback(planned.plan);
      if (conflicts != nullptr) conflicts->resize(conflicts_before);
      planned = PlannedBatch{};
    }
    planned_producers_[batch.producer_id] = {planned.producer, planned.window, ticket};
    planned_counters_ = planned.counters;
    index_bytes = index_.MemoryBytes();
  }

  {
    absl::MutexLock commit(&commit_mu_);
    const TurnOrCancelled ready{&turn_, ticket, &in_flight.cancelled};
    commit_mu_.Await(absl::Condition(&ready, &TurnOrCancelled::Ready));
    if (!in_flight.cancelled.ok()) {
      in_flight_.erase(ticket);  // its events left unwritten_events_ when it was cancelled
      return in_flight.cancelled;
    }
  }
  // Every batch planned before this one is written: only this thread writes now.
  const absl::Status written = kv_->Write(planned.plan.writes, storage::Durability::kSync);
  absl::MutexLock commit(&commit_mu_);
  in_flight_.erase(ticket);
  unwritten_events_ -= planned.plan.accepted;
  if (!written.ok()) {
    failed_inserts_.push_back(std::move(planned.plan.inserted));
    for (auto& [later, other] : in_flight_) {
      if (!other->cancelled.ok()) continue;  // cancelled by an earlier failure already
      unwritten_events_ -= *other->accepted;
      // UNAVAILABLE whatever the failure's code: this batch itself was sound.
      other->cancelled = absl::UnavailableError(
          absl::StrCat("an earlier batch's write to the log failed (", written.message(),
                       "); nothing of this batch was kept: resend it"));
      failed_inserts_.push_back(std::move(*other->inserted));
    }
    turn_ = next_ticket_;
    return written;
  }
  ++turn_;
  absl::MutexLock state(&state_mu_);
  counters_ = planned.counters;
  pending_.insert(pending_.end(), planned.entry_units.begin(), planned.entry_units.end());
  producers_[batch.producer_id] = std::move(planned.producer);
  windows_[batch.producer_id] = std::move(planned.window);
  index_bytes_ = index_bytes;
  AppendResult result;
  result.log_sequence = planned.log_sequence;
  result.events_accepted = planned.plan.accepted;
  result.events_duplicate = planned.plan.duplicate;
  return result;
}

absl::StatusOr<FileAppendResult> EventLog::AppendEventFile(const std::vector<LoggedEvent>& events,
                                                           std::vector<EventConflict>* conflicts) {
  absl::MutexLock writer(&write_mu_);
  AwaitBatchWrites();
  if (!broken_.ok()) return broken_;
  Plan plan;
  if (absl::Status s = PlanEvents(events, kMaxEventsPerFileEntry, plan, conflicts); !s.ok()) {
    if (absl::IsAlreadyExists(s) || absl::IsInvalidArgument(s)) RecordRejectedFile(events.size());
    return s;
  }
  std::vector<std::pair<uint64_t, uint64_t>> entry_units;
  Counters counters = AddEntries(PlannedCounters(), plan, plan.writes, entry_units);
  ++counters.raw_event_files_imported;
  PutCounters(counters, plan.writes);
  if (absl::Status s = kv_->Write(plan.writes, storage::Durability::kSync); !s.ok()) {
    Rollback(plan);
    return s;
  }

  return FileWritten(counters, entry_units, plan.accepted, plan.duplicate);
}

FileAppendResult EventLog::FileWritten(
    const Counters& counters, const std::vector<std::pair<uint64_t, uint64_t>>& entry_units,
    uint64_t accepted, uint64_t duplicate) {
  absl::MutexLock state(&state_mu_);
  counters_ = counters;
  pending_.insert(pending_.end(), entry_units.begin(), entry_units.end());
  index_bytes_ = index_.MemoryBytes();
  FileAppendResult result;
  if (!entry_units.empty()) {
    result.first_log_sequence = entry_units.front().first;
    result.last_log_sequence = entry_units.back().first;
  }
  result.events_accepted = accepted;
  result.events_duplicate = duplicate;
  return result;
}

EventLog::FileStage::~FileStage() { Discard(); }

void EventLog::FileStage::Discard() {
  chunk_.clear();
  chunk_events_ = 0;
  if (!written_) return;
  storage::WriteBatch discard;
  discard.DeleteRange(kStage, StageKey(id_, 0), StageKey(id_ + 1, 0));
  // A failure leaves the chunks to the next Open, which deletes every stage.
  if (log_.kv_->Write(discard, storage::Durability::kProcessCrashSafe).ok()) written_ = false;
}

absl::Status EventLog::FileStage::Add(const LoggedEvent& event, int64_t line) {
  if (absl::Status s = CheckEncodable(events_, event); !s.ok()) return s;
  AppendStagedEvent(chunk_, event, line);
  ++events_;
  if (++chunk_events_ == kMaxEventsPerFileEntry) return Flush();
  return absl::OkStatus();
}

absl::Status EventLog::FileStage::Flush() {
  if (chunk_events_ == 0) return absl::OkStatus();
  storage::WriteBatch write;
  write.Put(kStage, StageKey(id_, chunks_), std::move(chunk_));
  chunk_.clear();
  chunk_events_ = 0;
  written_ = true;
  if (absl::Status s = log_.kv_->Write(write, storage::Durability::kProcessCrashSafe); !s.ok()) {
    return s;
  }
  ++chunks_;
  return absl::OkStatus();
}

std::unique_ptr<EventLog::FileStage> EventLog::StartFileStage() {
  return std::unique_ptr<FileStage>(new FileStage(*this, next_stage_id_.fetch_add(1)));
}

namespace {

// Entry batches of a file commit are written once they hold about this many bytes.
constexpr size_t kCommitBatchBytes = 8 << 20;

}  // namespace

absl::StatusOr<FileAppendResult> EventLog::CommitFileStage(FileStage& stage,
                                                           std::vector<EventConflict>* conflicts,
                                                           const Admission& admit) {
  if (absl::Status s = stage.Flush(); !s.ok()) return s;
  absl::MutexLock writer(&write_mu_);
  AwaitBatchWrites();
  if (!broken_.ok()) return broken_;
  Counters counters;
  {
    absl::ReaderMutexLock state(&state_mu_);
    counters = counters_;
  }
  const uint64_t first_sequence = counters.last_sequence + 1;
  uint64_t written_through = counters.last_sequence;       // entries already in storage
  std::vector<std::pair<uint64_t, uint64_t>> entry_units;  // one per 10000 new events
  Plan::Chunk entry;                                       // the new events of the next entry
  storage::WriteBatch writes;
  uint64_t accepted = 0;
  uint64_t duplicate = 0;
  std::vector<EventConflict> found;  // the first kMaxConflictsInMessage, or all if asked
  size_t conflict_count = 0;

  const auto add_entry = [&] {
    std::string value =
        EncodeEventsEntry(counters.units_logged, entry.events, entry.applications, entry.payments);
    ++counters.last_sequence;
    counters.units_logged += entry.events;
    writes.Put(kLog, SequenceKey(counters.last_sequence), std::move(value));
    writes.Put(kIds, SequenceKey(counters.last_sequence),
               entry.application_ids + entry.payment_ids);
    entry_units.emplace_back(counters.last_sequence, counters.units_logged);
    entry = Plan::Chunk();
  };
  // The id records of the new events not yet in storage.
  const auto unwritten_ids = [&] {
    std::string ids = entry.application_ids + entry.payment_ids;
    for (const storage::WriteBatch::Entry& e : writes.entries()) {
      if (e.column == kIds) ids.append(e.value);
    }
    return ids;
  };
  const auto fail = [&](absl::Status status) -> absl::Status {
    UndoFileCommit(first_sequence, written_through, unwritten_ids());
    return status;
  };

  size_t event_index = 0;
  for (uint64_t chunk = 0; chunk < stage.chunks_; ++chunk) {
    absl::StatusOr<std::optional<std::string>> value = kv_->Get(kStage, StageKey(stage.id_, chunk));
    if (!value.ok()) return fail(value.status());
    if (!value->has_value()) {
      return fail(absl::InternalError(absl::StrCat("staged chunk ", chunk, " is missing")));
    }
    const bool valid = ForEachStagedEvent(**value, [&](const StagedEvent& event) {
      const size_t i = event_index++;
      const IdKey key = KeyOf(event.kind, event.id);
      const uint64_t fingerprint = ContentFingerprint(event.kind, event.record);
      const Fingerprint stored{static_cast<uint32_t>(fingerprint),
                               static_cast<uint32_t>(fingerprint >> 32)};
      const auto [logged, inserted] = index_.TryInsert(key, stored);
      if (!inserted) {
        if (logged == stored) {
          ++duplicate;
          return;
        }
        if (conflicts != nullptr || found.size() < kMaxConflictsInMessage) {
          found.push_back({i, event.kind, std::string(event.id), std::nullopt, event.line, 0});
        }
        ++conflict_count;
        return;
      }
      ++accepted;
      if (event.kind == EventKind::kApplication) {
        entry.applications.append(event.record);
        AppendIdRecord(entry.application_ids, event.kind, event.id, fingerprint);
      } else {
        entry.payments.append(event.record);
        AppendIdRecord(entry.payment_ids, event.kind, event.id, fingerprint);
      }
      if (++entry.events == kMaxEventsPerFileEntry) add_entry();
    });
    if (!valid) {
      return fail(absl::InternalError(absl::StrCat("staged chunk ", chunk, " is corrupt")));
    }
    if (writes.bytes() >= kCommitBatchBytes) {
      // The new events only grow: a file the caller refuses is refused before any of it is
      // written, rather than after the whole file was (under the writers' lock).
      if (admit) {
        if (absl::Status s = admit(accepted); !s.ok()) return fail(s);
      }
      // Invisible until the counters move; made durable by the final synced write.
      if (absl::Status s = kv_->Write(writes, storage::Durability::kProcessCrashSafe); !s.ok()) {
        return fail(s);
      }
      written_through = counters.last_sequence;
      writes = storage::WriteBatch();
    }
  }

  if (conflict_count > 0) {
    // Not yet undone: the ids this file logged tell a repeat from a conflict with the log.
    const std::string unwritten = unwritten_ids();
    absl::Status resolved =
        ResolveRepeats(stage, first_sequence, written_through, unwritten, found);
    UndoFileCommit(first_sequence, written_through, unwritten);
    if (!resolved.ok()) return resolved;
    RecordRejectedFile(stage.events_);
    const std::string message = DescribeConflicts(found, conflict_count);
    if (conflicts != nullptr) conflicts->insert(conflicts->end(), found.begin(), found.end());
    return absl::AlreadyExistsError(message);
  }
  if (admit) {
    if (absl::Status s = admit(accepted); !s.ok()) return fail(s);
  }
  if (entry.events > 0) add_entry();
  counters.events_accepted += accepted;
  counters.events_duplicate += duplicate;
  ++counters.raw_event_files_imported;
  PutCounters(counters, writes);
  writes.DeleteRange(kStage, StageKey(stage.id_, 0), StageKey(stage.id_ + 1, 0));
  if (absl::Status s = kv_->Write(writes, storage::Durability::kSync); !s.ok()) return fail(s);
  stage.written_ = false;

  return FileWritten(counters, entry_units, accepted, duplicate);
}

absl::Status EventLog::ResolveRepeats(const FileStage& stage, uint64_t first_sequence,
                                      uint64_t written_through, std::string_view pending_ids,
                                      std::vector<EventConflict>& found) {
  // Conflicting ids that this file logged: their first copy in the file is the one repeated.
  absl::flat_hash_map<IdKey, std::optional<std::pair<size_t, int64_t>>, IdKeyHash> first_copy;
  for (const EventConflict& c : found) first_copy.try_emplace(KeyOf(c.kind, c.event_id));
  absl::flat_hash_set<IdKey, IdKeyHash> logged_here;
  const auto note = [&](EventKind kind, std::string_view id, uint64_t) {
    const IdKey key = KeyOf(kind, id);
    if (first_copy.contains(key)) logged_here.insert(key);
  };
  bool valid = ForEachIdRecord(pending_ids, note);
  absl::Status scanned =
      kv_->Scan(kIds, SequenceKey(first_sequence), SequenceKey(written_through + 1),
                [&](std::string_view, std::string_view value) {
                  valid = ForEachIdRecord(value, note) && valid;
                  return true;
                });
  if (!scanned.ok()) return scanned;
  if (logged_here.empty()) return absl::OkStatus();
  size_t event_index = 0;
  for (uint64_t chunk = 0; chunk < stage.chunks_ && valid; ++chunk) {
    absl::StatusOr<std::optional<std::string>> value = kv_->Get(kStage, StageKey(stage.id_, chunk));
    if (!value.ok()) return value.status();
    if (!value->has_value()) break;
    valid = ForEachStagedEvent(**value, [&](const StagedEvent& event) {
      const size_t i = event_index++;
      const IdKey key = KeyOf(event.kind, event.id);
      if (!logged_here.contains(key)) return;
      auto& first = first_copy[key];
      if (!first.has_value()) first = std::make_pair(i, event.line);
    });
  }
  for (EventConflict& c : found) {
    const IdKey key = KeyOf(c.kind, c.event_id);
    if (!logged_here.contains(key)) continue;
    const auto& first = first_copy[key];
    if (first.has_value() && first->first < c.event_index) {
      c.repeats_index = first->first;
      c.repeats_line = first->second;
    }
  }
  return absl::OkStatus();
}

void EventLog::UndoFileCommit(uint64_t first_sequence, uint64_t written_through,
                              std::string_view pending_ids) {
  const auto erase = [&](EventKind kind, std::string_view id, uint64_t) {
    index_.Erase(KeyOf(kind, id));
  };
  bool valid = ForEachIdRecord(pending_ids, erase);
  absl::Status undone = absl::OkStatus();
  if (written_through >= first_sequence) {
    undone = kv_->Scan(kIds, SequenceKey(first_sequence), SequenceKey(written_through + 1),
                       [&](std::string_view, std::string_view value) {
                         valid = ForEachIdRecord(value, erase) && valid;
                         return true;
                       });
    if (undone.ok()) {
      storage::WriteBatch undo;
      undo.DeleteRange(kLog, SequenceKey(first_sequence), SequenceKeysEnd());
      undo.DeleteRange(kIds, SequenceKey(first_sequence), SequenceKeysEnd());
      undone = kv_->Write(undo, storage::Durability::kProcessCrashSafe);
    }
  }
  if (undone.ok() && !valid) undone = absl::DataLossError("an id record this import wrote");
  if (!undone.ok()) {
    broken_ = absl::UnavailableError(
        absl::StrCat("the event log could not undo a failed file import (", undone.ToString(),
                     "): it accepts no more writes until the service restarts"));
  }
}

absl::StatusOr<PublishedAppendResult> EventLog::AppendPublishedReport(
    domain::Measure measure, std::vector<int> years, std::vector<facts::PublishedCell> cells,
    std::string sha256, const Admission& admit) {
  if (sha256.size() != kSha256HexBytes || !IsLowerHex(sha256)) {
    return absl::InvalidArgumentError("sha256 must be 64 lowercase hex digits");
  }
  if (years.empty()) return absl::InvalidArgumentError("years is empty");
  std::sort(years.begin(), years.end());
  for (size_t i = 0; i < years.size(); ++i) {
    if (years[i] < domain::kMinYear || years[i] > domain::kMaxYear) {
      return absl::InvalidArgumentError(absl::StrCat("year ", years[i], " is not from ",
                                                     domain::kMinYear, " to ", domain::kMaxYear));
    }
    if (i > 0 && years[i] == years[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat("year ", years[i], " is repeated"));
    }
  }
  std::map<int, uint64_t> year_cells;
  for (int year : years) year_cells[year] = 0;
  absl::flat_hash_set<uint64_t> keys;
  keys.reserve(cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    const facts::PublishedCell& c = cells[i];
    auto year = year_cells.find(c.month.year);
    if (year == year_cells.end() || c.month.month < 1 || c.month.month > 12) {
      return absl::InvalidArgumentError(absl::StrCat("cells[", i, "]: month ",
                                                     domain::FormatIsoYearMonth(c.month),
                                                     " is not in the imported years"));
    }
    if (c.region < 0 || c.region > kMaxIndex || c.type < 0 || c.type > kMaxIndex) {
      return absl::InvalidArgumentError(
          absl::StrCat("cells[", i, "]: region or type index out of range"));
    }
    const uint64_t key = (uint64_t{static_cast<uint32_t>(c.month.year)} << 32) |
                         (uint64_t{static_cast<uint32_t>(c.month.month)} << 16) |
                         (uint64_t{static_cast<uint32_t>(c.region)} << 8) |
                         static_cast<uint32_t>(c.type);
    if (!keys.insert(key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("cells[", i, "]: the cell of ", domain::FormatIsoYearMonth(c.month),
                       ", region ", c.region, ", type ", c.type, " is repeated"));
    }
    ++year->second;
  }

  absl::MutexLock writer(&write_mu_);
  AwaitBatchWrites();
  if (!broken_.ok()) return broken_;
  Counters counters;
  uint64_t revision = 0;
  uint64_t cells_replaced = 0;
  bool unchanged = true;
  {
    absl::ReaderMutexLock state(&state_mu_);
    counters = counters_;
    if (auto it = revisions_.find(measure); it != revisions_.end()) revision = it->second;
    for (int year : years) {
      auto it = published_.find({measure, year});
      if (it == published_.end()) {
        unchanged = false;
        continue;
      }
      cells_replaced += it->second.year_cells;
      if (it->second.sha256 != sha256 || it->second.years != years) unchanged = false;
    }
  }
  PublishedAppendResult result;
  if (unchanged) {
    result.unchanged = true;
    result.revision = revision;
    return result;
  }
  if (admit) {
    if (absl::Status s = admit(cells.size()); !s.ok()) return s;
  }

  storage::WriteBatch writes;
  ++revision;
  ++counters.last_sequence;
  ++counters.published_reports_imported;
  std::string value = EncodePublishedEntry(counters.units_logged, measure, sha256, years, cells);
  counters.units_logged += cells.size();
  writes.Put(kLog, SequenceKey(counters.last_sequence), std::move(value));
  for (const auto& [year, count] : year_cells) {
    writes.Put(
        kMeta, PublishedYearKey(measure, year),
        EncodePublishedYear(revision, counters.last_sequence, cells.size(), count, years, sha256));
  }
  writes.Put(kMeta, RevisionKey(measure), EncodeFields({revision}));
  PutCounters(counters, writes);
  if (absl::Status s = kv_->Write(writes, storage::Durability::kSync); !s.ok()) return s;

  absl::MutexLock state(&state_mu_);
  counters_ = counters;
  pending_.emplace_back(counters.last_sequence, counters.units_logged);
  revisions_[measure] = revision;
  for (const auto& [year, count] : year_cells) {
    PublishedYear& record = published_[{measure, year}];
    record.sha256 = sha256;
    record.years = years;
    record.revision = revision;
    record.log_sequence = counters.last_sequence;
    record.import_cells = cells.size();
    record.year_cells = count;
  }
  result.log_sequence = counters.last_sequence;
  result.revision = revision;
  result.cells_replaced = cells_replaced;
  return result;
}

std::optional<PublishedImport> EventLog::LastPublishedImport(domain::Measure measure) const {
  absl::ReaderMutexLock state(&state_mu_);
  const PublishedYear* last = nullptr;
  for (auto it = published_.lower_bound({measure, 0});
       it != published_.end() && it->first.first == measure; ++it) {
    if (last == nullptr || it->second.log_sequence > last->log_sequence) last = &it->second;
  }
  if (last == nullptr) return std::nullopt;
  PublishedImport import;
  import.measure = measure;
  import.years = last->years;
  import.sha256 = last->sha256;
  import.revision = last->revision;
  import.log_sequence = last->log_sequence;
  import.cells = last->import_cells;
  return import;
}

absl::Status EventLog::ReadEntries(uint64_t after_sequence, size_t max_events,
                                   const std::function<bool(const LogEntry&)>& visit,
                                   EventForm form) const {
  const uint64_t last = last_sequence();
  if (after_sequence >= last) return absl::OkStatus();
  LogEntry entry;
  uint64_t expected = after_sequence + 1;
  uint64_t units_read = 0;
  absl::Status failure;
  absl::Status scanned = kv_->Scan(
      kLog, SequenceKey(after_sequence + 1), SequenceKey(last + 1),
      [&](std::string_view key, std::string_view value) {
        const uint64_t sequence = key.size() == 8 ? storage::ReadBigEndian(key.data(), 8) : 0;
        if (sequence != expected) {
          failure = absl::DataLossError(absl::StrCat("log entry ", expected, " is missing"));
          return false;
        }
        absl::StatusOr<uint64_t> units = EntryUnits(sequence, value);
        if (!units.ok()) {
          failure = units.status();
          return false;
        }
        if (sequence > after_sequence + 1 && units_read + *units > max_events) return false;
        if (absl::Status s = DecodeEntry(sequence, value, entry, form); !s.ok()) {
          failure = s;
          return false;
        }
        units_read += *units;
        ++expected;
        return visit(entry);
      });
  return scanned.ok() ? failure : scanned;
}

absl::StatusOr<uint64_t> EventLog::UnitsThrough(uint64_t sequence) const {
  {
    absl::ReaderMutexLock state(&state_mu_);
    auto it =
        std::lower_bound(pending_.begin(), pending_.end(), std::make_pair(sequence, uint64_t{0}));
    if (it != pending_.end() && it->first == sequence) return it->second;
  }
  // Written before this process opened the log: read its header back.
  absl::StatusOr<std::optional<std::string>> value = kv_->Get(kLog, SequenceKey(sequence));
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::DataLossError(absl::StrCat("log entry ", sequence, " is missing"));
  }
  absl::StatusOr<uint64_t> before = EntryUnitsBefore(sequence, **value);
  absl::StatusOr<uint64_t> units = EntryUnits(sequence, **value);
  if (!before.ok()) return before.status();
  if (!units.ok()) return units.status();
  return *before + *units;
}

absl::Status EventLog::MarkApplied(uint64_t sequence) {
  absl::MutexLock cursor_lock(&cursor_mu_);
  uint64_t last = 0;
  {
    absl::ReaderMutexLock state(&state_mu_);
    if (sequence <= cursor_.sequence) return absl::OkStatus();
    last = counters_.last_sequence;
  }
  if (sequence > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot mark log entry ", sequence, " applied: the log ends at entry ", last));
  }
  absl::StatusOr<uint64_t> units_through = UnitsThrough(sequence);
  if (!units_through.ok()) return units_through.status();
  Cursor next{sequence, *units_through, clock_.Now()};
  storage::WriteBatch writes;
  writes.Put(kMeta, kCursorKey,
             EncodeFields({next.sequence, next.units_through, TimeField(next.time)}));
  if (absl::Status s = kv_->Write(writes, storage::Durability::kProcessCrashSafe); !s.ok()) {
    return s;
  }
  absl::MutexLock state(&state_mu_);
  cursor_ = next;
  while (!pending_.empty() && pending_.front().first <= sequence) pending_.pop_front();
  return absl::OkStatus();
}

void EventLog::RecordRejected(uint64_t events) {
  absl::MutexLock state(&state_mu_);
  ++batches_rejected_;
  events_rejected_ += events;
}

void EventLog::RecordRejectedFile(uint64_t events) {
  absl::MutexLock state(&state_mu_);
  events_rejected_ += events;
}

uint64_t EventLog::last_sequence() const {
  absl::ReaderMutexLock state(&state_mu_);
  return counters_.last_sequence;
}

uint64_t EventLog::applied_sequence() const {
  absl::ReaderMutexLock state(&state_mu_);
  return cursor_.sequence;
}

LogStatus EventLog::Status() const {
  absl::ReaderMutexLock state(&state_mu_);
  LogStatus status;
  status.events_accepted = counters_.events_accepted;
  status.events_duplicate = counters_.events_duplicate;
  status.batches_accepted = counters_.batches_accepted;
  status.published_reports_imported = counters_.published_reports_imported;
  status.raw_event_files_imported = counters_.raw_event_files_imported;
  status.events_rejected = events_rejected_;
  status.batches_duplicate = batches_duplicate_;
  status.batches_rejected = batches_rejected_;
  status.last_log_sequence = counters_.last_sequence;
  status.applied_log_sequence = cursor_.sequence;
  status.backlog_entries = counters_.last_sequence - cursor_.sequence;
  status.backlog_events = counters_.units_logged - cursor_.units_through;
  status.last_applied_time = cursor_.time;
  return status;
}

std::vector<ProducerStatus> EventLog::Producers(std::string_view start_after, size_t limit) const {
  absl::ReaderMutexLock state(&state_mu_);
  std::vector<ProducerStatus> page;
  auto it = start_after.empty() ? producers_.begin() : producers_.upper_bound(start_after);
  for (; it != producers_.end() && page.size() < limit; ++it) page.push_back(it->second);
  return page;
}

std::optional<ProducerStatus> EventLog::Producer(std::string_view producer_id) const {
  absl::ReaderMutexLock state(&state_mu_);
  auto it = producers_.find(producer_id);
  if (it == producers_.end()) return std::nullopt;
  return it->second;
}

size_t EventLog::IndexMemoryBytes() const {
  absl::ReaderMutexLock state(&state_mu_);
  return index_bytes_;
}

absl::Status EventLog::ReserveIndex(size_t expected_ids) {
  const auto refused = [expected_ids] {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot make room for ", expected_ids, " event ids in the index (about ",
                     internal::IdIndex::MemoryBytesFor(expected_ids) / (1 << 20), " MiB)"));
  };
  // Past this the table's size computation overflows, which the hash table treats as fatal.
  constexpr size_t kMaxReservableIds = size_t{1} << 40;
  if (expected_ids > kMaxReservableIds) return refused();
  absl::MutexLock writer(&write_mu_);
  AwaitBatchWrites();
  try {
    index_.Reserve(expected_ids);
  } catch (const std::exception&) {  // std::bad_alloc or std::length_error; nothing changed
    return refused();
  }
  absl::MutexLock state(&state_mu_);
  index_bytes_ = index_.MemoryBytes();
  return absl::OkStatus();
}

}  // namespace omnia::ingest
