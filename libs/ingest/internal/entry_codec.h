// The event log's value formats: the encoded entries (what aggregation is fed and rebuilt from),
// the id records next to them, the staged chunks of a large file, and the checks that keep out of
// the log what these formats cannot hold. Entries and id records are part of the stored format:
// see event_log.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/domain/measure.h"
#include "libs/facts/facts.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/internal/log_layout.h"
#include "libs/storage/key_codec.h"

namespace omnia::ingest::internal {

// Id records. The record of an events entry lists, in the entry's order (its applications, then
// its payments, each in batch order), each event as
//   kind tag (1: 'a' or 'p') | id length (1) | id | content fingerprint (8)
// It is read only to rebuild the deduplication index at Open, so forwarding never touches it.
inline constexpr char kApplicationIdTag = 'a';
inline constexpr char kPaymentIdTag = 'p';
inline constexpr size_t kIdRecordOverhead = 1 + 1 + 8;

// Staged events (FileStage). A chunk lists up to kMaxEventsPerFileEntry events in file order, each
//   kind tag (1: 'a' or 'p') | id length (1) | id | record (as in entries) | file line (8)
// Stages live only until their file is committed or abandoned, so this is no stored format.
inline constexpr size_t kStagedOverhead = 1 + 1 + 8;

// Entry encoding. Every entry starts with
//   tag (1) | units in entries before this one (8) | units in this entry (4)
// where units are events or published cells. An events entry (tag 1) continues with
//   applications n (4) | n application records | (units - n) payment records
// and a published entry (tag 2) with
//   measure (1) | sha256 as 64 hex digits | years n (2) | n years (2 each) | `units` cells.
// Records have fixed widths so that decoding is a tight loop. Integers are big-endian.
//   application (6): year (2) month (1) day (1) region (1) type (1)
//   payment (40):    year (2) month (1) day (1) region (1) type (1) months covered (2)
//                    worker pseudonym (32)
//   cell (13):       year (2) month (1) region (1) type (1) value (8)
inline constexpr char kEventsTag = 1;
inline constexpr char kPublishedTag = 2;
inline constexpr size_t kEntryHeaderBytes = 1 + 8 + 4;
inline constexpr size_t kApplicationBytes = 6;
inline constexpr size_t kPaymentBytes = 40;
inline constexpr size_t kCellBytes = 13;

// Region and type indexes are stored in one byte each, months covered in two.
inline constexpr int kMaxIndex = 255;
inline constexpr uint32_t kMaxStoredMonthsCovered = 0xffff;

// The byte a measure is stored as in a published entry, and back (nullopt for an unknown byte).
uint8_t MeasureByte(domain::Measure measure);
std::optional<domain::Measure> MeasureFromByte(uint8_t byte);

// The name of an id field, for messages.
std::string_view IdTagName(EventKind kind);
EventKind KindOf(const LoggedEvent& event);
std::string_view IdOf(const LoggedEvent& event);

// Encodes one event's record (the normalised content, without the id) into `out`, which has
// room for kPaymentBytes, and returns its size.
size_t EncodeRecord(const LoggedEvent& event, char* out);

// Rejects what the log could not encode faithfully (an id too long, a region beyond one byte,
// ...), naming events[index]. The service validates events against the codelists first; this
// keeps an entry that aggregation could never apply out of the log.
absl::Status CheckEncodable(size_t index, const LoggedEvent& event);

// Appends the id record of one event.
void AppendIdRecord(std::string& out, EventKind kind, std::string_view id, uint64_t fingerprint);

// Visits the (kind, id, fingerprint) of each id record in `value`; false if it is corrupt.
template <typename Visit>
bool ForEachIdRecord(std::string_view value, Visit visit) {
  for (size_t at = 0; at < value.size();) {
    const size_t id_size =
        at + 2 <= value.size() ? static_cast<unsigned char>(value[at + 1]) : value.size();
    if (at + kIdRecordOverhead + id_size > value.size() ||
        (value[at] != kApplicationIdTag && value[at] != kPaymentIdTag)) {
      return false;
    }
    const EventKind kind =
        value[at] == kApplicationIdTag ? EventKind::kApplication : EventKind::kPayment;
    visit(kind, value.substr(at + 2, id_size),
          storage::ReadBigEndian(value.data() + at + 2 + id_size, 8));
    at += kIdRecordOverhead + id_size;
  }
  return true;
}

// One event of a staged chunk.
struct StagedEvent {
  EventKind kind;
  std::string_view id;
  std::string_view record;
  int64_t line;
};

// Visits the events of a staged chunk in order; false if it is corrupt.
template <typename Visit>
bool ForEachStagedEvent(std::string_view value, Visit visit) {
  for (size_t at = 0; at < value.size();) {
    if (at + 2 > value.size() || (value[at] != kApplicationIdTag && value[at] != kPaymentIdTag)) {
      return false;
    }
    const EventKind kind =
        value[at] == kApplicationIdTag ? EventKind::kApplication : EventKind::kPayment;
    const size_t id_size = static_cast<unsigned char>(value[at + 1]);
    const size_t record_size = kind == EventKind::kApplication ? kApplicationBytes : kPaymentBytes;
    if (at + kStagedOverhead + id_size + record_size > value.size()) return false;
    const char* p = value.data() + at + 2;
    visit(StagedEvent{kind, std::string_view(p, id_size),
                      std::string_view(p + id_size, record_size),
                      static_cast<int64_t>(storage::ReadBigEndian(p + id_size + record_size, 8))});
    at += kStagedOverhead + id_size + record_size;
  }
  return true;
}

// Appends one event, and the file line it came from, to a staged chunk.
void AppendStagedEvent(std::string& out, const LoggedEvent& event, int64_t line);

bool IsLowerHex(std::string_view text);

// An events entry of `events` events: `applications` and `payments` are their encoded records
// (EncodeRecord), concatenated.
std::string EncodeEventsEntry(uint64_t units_before, uint64_t events, std::string_view applications,
                              std::string_view payments);
// A published entry; `sha256` is kSha256HexBytes lowercase hex digits.
std::string EncodePublishedEntry(uint64_t units_before, domain::Measure measure,
                                 std::string_view sha256, const std::vector<int>& years,
                                 const std::vector<facts::PublishedCell>& cells);

// Units in an encoded entry, and in the entries before it, read from its header; DATA_LOSS
// naming `sequence` when it is truncated.
absl::StatusOr<uint64_t> EntryUnits(uint64_t sequence, std::string_view value);
absl::StatusOr<uint64_t> EntryUnitsBefore(uint64_t sequence, std::string_view value);
// Decodes entry `sequence` into `entry` (whose vectors are reused), an events entry's events in
// `form`; DATA_LOSS when corrupt.
absl::Status DecodeEntry(uint64_t sequence, std::string_view value, LogEntry& entry,
                         EventForm form = EventForm::kFacts);

}  // namespace omnia::ingest::internal
