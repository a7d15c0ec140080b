#include "libs/ingest/internal/entry_codec.h"

#include <algorithm>
#include <cstring>
#include <variant>

#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/domain/events.h"
#include "libs/storage/key_codec.h"

namespace omnia::ingest::internal {

using storage::AppendBigEndian;
using storage::ReadBigEndian;
using storage::WriteBigEndian;

namespace {

// The header of an entry of `units` units after `units_before` units, with room reserved for
// `payload_bytes` more.
std::string EncodeEntryHeader(char tag, uint64_t units_before, uint64_t units,
                              size_t payload_bytes) {
  std::string out;
  out.reserve(kEntryHeaderBytes + payload_bytes);
  out.push_back(tag);
  AppendBigEndian(out, units_before, 8);
  AppendBigEndian(out, units, 4);
  return out;
}

}  // namespace

uint8_t MeasureByte(domain::Measure measure) {
  switch (measure) {
    case domain::Measure::kApplications:
      return 1;
    case domain::Measure::kWorkers:
      return 2;
    case domain::Measure::kBenefitMonths:
      return 3;
  }
  return 0;
}

std::optional<domain::Measure> MeasureFromByte(uint8_t byte) {
  for (domain::Measure measure : domain::kAllMeasures) {
    if (MeasureByte(measure) == byte) return measure;
  }
  return std::nullopt;
}

std::string_view IdTagName(EventKind kind) {
  return kind == EventKind::kApplication ? "application_id" : "payment_id";
}

// Encodes one event's record (the normalised content, without the id) into `out`, which has
// room for kPaymentBytes, and returns its size.
size_t EncodeRecord(const LoggedEvent& event, char* out) {
  if (const auto* a = std::get_if<LoggedApplication>(&event)) {
    WriteBigEndian(out, static_cast<uint64_t>(a->authorized_on.year), 2);
    out[2] = static_cast<char>(a->authorized_on.month);
    out[3] = static_cast<char>(a->authorized_on.day);
    out[4] = static_cast<char>(a->region);
    out[5] = static_cast<char>(a->type);
    return kApplicationBytes;
  }
  const auto& p = std::get<LoggedPayment>(event);
  WriteBigEndian(out, static_cast<uint64_t>(p.paid_on.year), 2);
  out[2] = static_cast<char>(p.paid_on.month);
  out[3] = static_cast<char>(p.paid_on.day);
  out[4] = static_cast<char>(p.region);
  out[5] = static_cast<char>(p.type);
  WriteBigEndian(out + 6, p.months_covered, 2);
  std::memcpy(out + 8, p.worker.data(), p.worker.size());
  return kPaymentBytes;
}

EventKind KindOf(const LoggedEvent& event) {
  return std::holds_alternative<LoggedApplication>(event) ? EventKind::kApplication
                                                          : EventKind::kPayment;
}

std::string_view IdOf(const LoggedEvent& event) {
  if (const auto* a = std::get_if<LoggedApplication>(&event)) return a->application_id;
  return std::get<LoggedPayment>(event).payment_id;
}

void AppendIdRecord(std::string& out, EventKind kind, std::string_view id, uint64_t fingerprint) {
  const size_t at = out.size();
  out.resize(at + kIdRecordOverhead + id.size());
  char* p = out.data() + at;
  p[0] = kind == EventKind::kApplication ? kApplicationIdTag : kPaymentIdTag;
  p[1] = static_cast<char>(id.size());
  std::memcpy(p + 2, id.data(), id.size());
  WriteBigEndian(p + 2 + id.size(), fingerprint, 8);
}

void AppendStagedEvent(std::string& out, const LoggedEvent& event, int64_t line) {
  const EventKind kind = KindOf(event);
  const std::string_view id = IdOf(event);
  char record[kPaymentBytes];
  const size_t size = EncodeRecord(event, record);
  out.push_back(kind == EventKind::kApplication ? kApplicationIdTag : kPaymentIdTag);
  out.push_back(static_cast<char>(id.size()));
  out.append(id);
  out.append(record, size);
  AppendBigEndian(out, static_cast<uint64_t>(line), 8);
}

// Rejects what the log could not encode faithfully. The service validates events against the
// codelists first; this keeps an entry that aggregation could never apply out of the log.
absl::Status CheckEncodable(size_t index, const LoggedEvent& event) {
  const EventKind kind = KindOf(event);
  const std::string_view id = IdOf(event);
  const auto where = [&](std::string_view field) {
    return absl::StrCat("events[", index, "].", AsAbsl(field), ": ");
  };
  if (id.empty() || id.size() > domain::kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(where(IdTagName(kind)), "must be 1 to ",
                                                   domain::kMaxIdBytes, " bytes, got ", id.size()));
  }
  const bool application = kind == EventKind::kApplication;
  const auto* a = std::get_if<LoggedApplication>(&event);
  const auto* p = std::get_if<LoggedPayment>(&event);
  const domain::Date& date = application ? a->authorized_on : p->paid_on;
  const int region = application ? a->region : p->region;
  const int type = application ? a->type : p->type;
  if (!domain::IsValidDate(date)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where(application ? "authorized_on" : "paid_on"), domain::FormatIsoDate(date),
                     " is not a valid date from ", domain::kMinYear, " to ", domain::kMaxYear));
  }
  if (region < 0 || region > kMaxIndex) {
    return absl::InvalidArgumentError(
        absl::StrCat(where("region"), "index ", region, " is out of range"));
  }
  if (type < 0 || type > kMaxIndex) {
    return absl::InvalidArgumentError(
        absl::StrCat(where("intervention_type"), "index ", type, " is out of range"));
  }
  if (!application && p->months_covered > kMaxStoredMonthsCovered) {
    return absl::InvalidArgumentError(absl::StrCat(where("months_covered"), p->months_covered,
                                                   " exceeds ", kMaxStoredMonthsCovered));
  }
  return absl::OkStatus();
}

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Units in an encoded entry, read from its header.
absl::StatusOr<uint64_t> EntryUnits(uint64_t sequence, std::string_view value) {
  if (value.size() < kEntryHeaderBytes) {
    return absl::DataLossError(absl::StrCat("log entry ", sequence, " is truncated"));
  }
  return ReadBigEndian(value.data() + 9, 4);
}

absl::StatusOr<uint64_t> EntryUnitsBefore(uint64_t sequence, std::string_view value) {
  if (value.size() < kEntryHeaderBytes) {
    return absl::DataLossError(absl::StrCat("log entry ", sequence, " is truncated"));
  }
  return ReadBigEndian(value.data() + 1, 8);
}

namespace {

// The records of an entry's events (kApplicationBytes and kPaymentBytes each, from `p`): the
// log's records without their days. Region and type stay codelist indexes.
void AppendEventRecords(const char* p, size_t applications, size_t payments, LogEntry& entry) {
  static_assert(facts::kApplicationRecordBytes == kApplicationBytes - 1 &&
                facts::kPaymentRecordBytes == kPaymentBytes - 1);
  entry.application_records.resize(applications * facts::kApplicationRecordBytes);
  char* out = entry.application_records.data();
  for (size_t i = 0; i < applications; ++i, p += kApplicationBytes) {
    std::memcpy(out, p, 3);          // year, month
    std::memcpy(out + 3, p + 4, 2);  // region, type
    out += facts::kApplicationRecordBytes;
  }
  entry.payment_records.resize(payments * facts::kPaymentRecordBytes);
  out = entry.payment_records.data();
  for (size_t i = 0; i < payments; ++i, p += kPaymentBytes) {
    std::memcpy(out, p, 3);                          // year, month
    std::memcpy(out + 3, p + 4, kPaymentBytes - 4);  // region, type, months covered, pseudonym
    out += facts::kPaymentRecordBytes;
  }
}

}  // namespace

absl::Status DecodeEntry(uint64_t sequence, std::string_view value, LogEntry& entry,
                         EventForm form) {
  const auto corrupt = [&](std::string_view why) {
    return absl::DataLossError(absl::StrCat("log entry ", sequence, " ", AsAbsl(why)));
  };
  if (value.size() < kEntryHeaderBytes) return corrupt("is truncated");
  const size_t units = ReadBigEndian(value.data() + 9, 4);
  const char* p = value.data() + kEntryHeaderBytes;
  const char* end = value.data() + value.size();
  entry.sequence = sequence;
  if (value[0] == kEventsTag) {
    entry.kind = EntryKind::kEvents;
    if (end - p < 4) return corrupt("is truncated");
    const size_t applications = ReadBigEndian(p, 4);
    p += 4;
    if (applications > units) return corrupt("counts more applications than events");
    const size_t payments = units - applications;
    if (static_cast<size_t>(end - p) !=
        applications * kApplicationBytes + payments * kPaymentBytes) {
      return corrupt("has a size that does not match its event counts");
    }
    entry.years.clear();
    entry.cells.clear();
    entry.sha256.clear();
    if (form == EventForm::kRecords) {
      entry.applications.clear();
      entry.application_days.clear();
      entry.payments.clear();
      entry.payment_days.clear();
      AppendEventRecords(p, applications, payments, entry);
      return absl::OkStatus();
    }
    entry.application_records.clear();
    entry.payment_records.clear();
    entry.applications.resize(applications);
    entry.application_days.resize(applications);
    for (size_t i = 0; i < applications; ++i, p += kApplicationBytes) {
      facts::ApplicationFact& fact = entry.applications[i];
      fact.month.year = static_cast<int>(ReadBigEndian(p, 2));
      fact.month.month = static_cast<unsigned char>(p[2]);
      entry.application_days[i] = static_cast<unsigned char>(p[3]);
      fact.region = static_cast<unsigned char>(p[4]);
      fact.type = static_cast<unsigned char>(p[5]);
    }
    entry.payments.resize(payments);
    entry.payment_days.resize(payments);
    for (size_t i = 0; i < payments; ++i, p += kPaymentBytes) {
      facts::PaymentFact& fact = entry.payments[i];
      fact.month.year = static_cast<int>(ReadBigEndian(p, 2));
      fact.month.month = static_cast<unsigned char>(p[2]);
      entry.payment_days[i] = static_cast<unsigned char>(p[3]);
      fact.region = static_cast<unsigned char>(p[4]);
      fact.type = static_cast<unsigned char>(p[5]);
      fact.months_covered = ReadBigEndian(p + 6, 2);
      std::memcpy(fact.worker.data(), p + 8, facts::kPseudonymBytes);
    }
    return absl::OkStatus();
  }
  if (value[0] != kPublishedTag) return corrupt("has an unknown kind");
  entry.kind = EntryKind::kPublished;
  if (static_cast<size_t>(end - p) < 1 + kSha256HexBytes + 2) return corrupt("is truncated");
  std::optional<domain::Measure> measure = MeasureFromByte(static_cast<unsigned char>(*p));
  if (!measure.has_value()) return corrupt("names an unknown measure");
  entry.measure = *measure;
  ++p;
  entry.sha256.assign(p, kSha256HexBytes);
  p += kSha256HexBytes;
  const size_t years = ReadBigEndian(p, 2);
  p += 2;
  if (static_cast<size_t>(end - p) != years * 2 + units * kCellBytes) {
    return corrupt("has a size that does not match its counts");
  }
  entry.years.resize(years);
  for (size_t i = 0; i < years; ++i, p += 2) entry.years[i] = static_cast<int>(ReadBigEndian(p, 2));
  entry.cells.resize(units);
  for (size_t i = 0; i < units; ++i, p += kCellBytes) {
    facts::PublishedCell& cell = entry.cells[i];
    cell.month.year = static_cast<int>(ReadBigEndian(p, 2));
    cell.month.month = static_cast<unsigned char>(p[2]);
    cell.region = static_cast<unsigned char>(p[3]);
    cell.type = static_cast<unsigned char>(p[4]);
    cell.value = ReadBigEndian(p + 5, 8);
  }
  entry.applications.clear();
  entry.application_days.clear();
  entry.payments.clear();
  entry.payment_days.clear();
  entry.application_records.clear();
  entry.payment_records.clear();
  return absl::OkStatus();
}

std::string EncodeEventsEntry(uint64_t units_before, uint64_t events, std::string_view applications,
                              std::string_view payments) {
  std::string value = EncodeEntryHeader(kEventsTag, units_before, events,
                                        4 + applications.size() + payments.size());
  AppendBigEndian(value, applications.size() / kApplicationBytes, 4);
  value.append(applications);
  value.append(payments);
  return value;
}

std::string EncodePublishedEntry(uint64_t units_before, domain::Measure measure,
                                 std::string_view sha256, const std::vector<int>& years,
                                 const std::vector<facts::PublishedCell>& cells) {
  std::string value =
      EncodeEntryHeader(kPublishedTag, units_before, cells.size(),
                        1 + kSha256HexBytes + 2 + 2 * years.size() + kCellBytes * cells.size());
  value.push_back(static_cast<char>(MeasureByte(measure)));
  value.append(sha256);
  AppendBigEndian(value, years.size(), 2);
  for (int year : years) AppendBigEndian(value, static_cast<uint64_t>(year), 2);
  for (const facts::PublishedCell& c : cells) {
    AppendBigEndian(value, static_cast<uint64_t>(c.month.year), 2);
    value.push_back(static_cast<char>(c.month.month));
    value.push_back(static_cast<char>(c.region));
    value.push_back(static_cast<char>(c.type));
    AppendBigEndian(value, c.value, 8);
  }
  return value;
}

}  // namespace omnia::ingest::internal
