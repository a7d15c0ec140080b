// The event log's storage layout: its columns, the keys of its bookkeeping records and the
// codecs of their values. Part of the stored format: see event_log.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/domain/measure.h"

namespace omnia::ingest::internal {

// Column indexes, in the order of EventLog::Columns().
inline constexpr int kLog = 0;    // 8-byte big-endian log sequence -> encoded entry (see below)
inline constexpr int kIds = 1;    // log sequence -> the ids of the entry's events (see below)
inline constexpr int kMeta = 2;   // counters, cursor, producers, published imports (see below)
inline constexpr int kStage = 3;  // stage id (8) + chunk index (8) -> staged events (see below)

// Bookkeeping keys. Their values are arrays of big-endian 64-bit fields (see EncodeFields):
//   counters:  last log sequence, events accepted, events duplicate, batches accepted, published
//              reports imported, raw-event files imported, units in all entries
//   cursor:    applied log sequence, units in entries up to it, when it was applied (Unix µs)
//   producer/: last acknowledged sequence, batches accepted, events accepted, when the last batch
//              was acknowledged (Unix µs), its log sequence, the sequence window's exact_through
//              and floor (records written before the window existed have neither: their
//              producer's sequences up to the last acknowledged one count as accepted)
//   pseq/:     + producer id + NUL + sequence (8): an accepted sequence above the window's floor
//              -> the log sequence of its entry (8)
//   pubyear/:  revision, log sequence, cells of the import, cells of this year, then the
//              import's years (count (2), 2 each) and its sha256 (64 hex digits)
//   pubrev/:   the measure's revision
inline constexpr char kFormatKey[] = "format";
// The secret key of the id hashes (16 random bytes, made when the log is created) and the
// fingerprint of the pseudonymisation key the log's pseudonyms were made with.
inline constexpr char kIdHashKeyKey[] = "id_hash_key";
inline constexpr char kPseudonymKeyFingerprintKey[] = "pseudonym_key_fingerprint";
inline constexpr char kFormatVersion[] = "2";
inline constexpr char kCountersKey[] = "counters";
inline constexpr char kCursorKey[] = "cursor";
inline constexpr char kProducerPrefix[] = "producer/";  // + producer id
inline constexpr char kSequencePrefix[] = "pseq/";      // + producer id + NUL + sequence
inline constexpr size_t kProducerFields = 7;
inline constexpr char kPublishedYearPrefix[] = "pubyear/";  // + measure code + "/" + year
inline constexpr char kRevisionPrefix[] = "pubrev/";        // + measure code

// Digits of a sha256 in hex, as published imports record it.
inline constexpr size_t kSha256HexBytes = 64;

// Key of entry `sequence` in kLog and kIds.
std::string SequenceKey(uint64_t sequence);
// Past every sequence key.
std::string SequenceKeysEnd();
// Key of chunk `chunk` of stage `stage` in kStage.
std::string StageKey(uint64_t stage, uint64_t chunk);

std::string PublishedYearKey(domain::Measure measure, int year);
std::string RevisionKey(domain::Measure measure);
std::string ProducerKey(std::string_view producer_id);
// Producer ids never hold NUL, so it ends the id unambiguously.
std::string AcceptedSequenceKey(std::string_view producer_id, uint64_t sequence);

// Fixed arrays of big-endian 64-bit fields. Decoding tolerates missing trailing fields (zero)
// and extra ones (ignored), so a field can be added later without a format change; a value that
// is not a whole number of fields is DATA_LOSS naming `what`.
std::string EncodeFields(std::initializer_list<uint64_t> fields);
absl::Status DecodeFields(std::string_view what, std::string_view value,
                          std::initializer_list<uint64_t*> fields);

// A time as a field: Unix microseconds, 0 for InfinitePast (never).
uint64_t TimeField(absl::Time time);
absl::Time TimeFromField(uint64_t field);

// What a pubyear/ record says about one year of a published import.
struct PublishedYearRecord {
  domain::Measure measure = domain::Measure::kApplications;
  int year = 0;
  uint64_t revision = 0;
  uint64_t log_sequence = 0;
  uint64_t import_cells = 0;  // cells of the whole import
  uint64_t year_cells = 0;    // cells of this year
  std::vector<int> years;     // the import's years
  std::string sha256;
};

// The value of a pubyear/ record (its key is PublishedYearKey(measure, year)).
std::string EncodePublishedYear(uint64_t revision, uint64_t log_sequence, uint64_t import_cells,
                                uint64_t year_cells, const std::vector<int>& years,
                                std::string_view sha256);
// A pubyear/ record from its key and value; DATA_LOSS when either is malformed.
absl::StatusOr<PublishedYearRecord> DecodePublishedYear(std::string_view key,
                                                        std::string_view value);

}  // namespace omnia::ingest::internal
