#include "libs/ingest/internal/log_layout.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/storage/key_codec.h"

namespace omnia::ingest::internal {

using storage::AppendBigEndian;
using storage::BigEndian;
using storage::ReadBigEndian;

std::string SequenceKey(uint64_t sequence) { return BigEndian(sequence, 8); }

std::string SequenceKeysEnd() { return std::string(9, '\xff'); }

std::string StageKey(uint64_t stage, uint64_t chunk) {
  return BigEndian(stage, 8) + BigEndian(chunk, 8);
}

std::string PublishedYearKey(domain::Measure measure, int year) {
  return absl::StrCat(kPublishedYearPrefix, AsAbsl(domain::MeasureCode(measure)), "/", year);
}

std::string RevisionKey(domain::Measure measure) {
  return absl::StrCat(kRevisionPrefix, AsAbsl(domain::MeasureCode(measure)));
}

std::string ProducerKey(std::string_view producer_id) {
  return absl::StrCat(kProducerPrefix, AsAbsl(producer_id));
}

std::string AcceptedSequenceKey(std::string_view producer_id, uint64_t sequence) {
  std::string key = absl::StrCat(kSequencePrefix, AsAbsl(producer_id));
  key.push_back('\0');
  AppendBigEndian(key, sequence, 8);
  return key;
}

std::string EncodeFields(std::initializer_list<uint64_t> fields) {
  std::string out;
  out.reserve(8 * fields.size());
  for (uint64_t field : fields) AppendBigEndian(out, field, 8);
  return out;
}

absl::Status DecodeFields(std::string_view what, std::string_view value,
                          std::initializer_list<uint64_t*> fields) {
  if (value.size() % 8 != 0) {
    return absl::DataLossError(
        absl::StrCat("bad ", AsAbsl(what), " record of ", value.size(), " bytes in the event log"));
  }
  size_t offset = 0;
  for (uint64_t* field : fields) {
    *field = offset < value.size() ? ReadBigEndian(value.data() + offset, 8) : 0;
    offset += 8;
  }
  return absl::OkStatus();
}

uint64_t TimeField(absl::Time time) {
  return time == absl::InfinitePast() ? 0 : static_cast<uint64_t>(absl::ToUnixMicros(time));
}

absl::Time TimeFromField(uint64_t field) {
  return field == 0 ? absl::InfinitePast() : absl::FromUnixMicros(static_cast<int64_t>(field));
}

std::string EncodePublishedYear(uint64_t revision, uint64_t log_sequence, uint64_t import_cells,
                                uint64_t year_cells, const std::vector<int>& years,
                                std::string_view sha256) {
  std::string out = EncodeFields({revision, log_sequence, import_cells, year_cells});
  AppendBigEndian(out, years.size(), 2);
  for (int year : years) AppendBigEndian(out, static_cast<uint64_t>(year), 2);
  out.append(sha256);
  return out;
}

absl::StatusOr<PublishedYearRecord> DecodePublishedYear(std::string_view key,
                                                        std::string_view value) {
  const std::string_view rest = key.substr(std::min(key.size(), sizeof(kPublishedYearPrefix) - 1));
  const size_t slash = rest.find('/');
  absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(rest.substr(0, slash));
  PublishedYearRecord record;
  const size_t fixed = 4 * 8 + 2;
  size_t years = 0;
  if (slash != std::string_view::npos && measure.ok() &&
      absl::SimpleAtoi(AsAbsl(rest.substr(slash + 1)), &record.year) && value.size() >= fixed) {
    years = ReadBigEndian(value.data() + 32, 2);
  }
  if (!key.starts_with(kPublishedYearPrefix) || !measure.ok() || record.year == 0 ||
      value.size() != fixed + 2 * years + kSha256HexBytes) {
    return absl::DataLossError(
        absl::StrCat("bad published-import record ", AsAbsl(key), " in the event log"));
  }
  record.measure = *measure;
  record.revision = ReadBigEndian(value.data(), 8);
  record.log_sequence = ReadBigEndian(value.data() + 8, 8);
  record.import_cells = ReadBigEndian(value.data() + 16, 8);
  record.year_cells = ReadBigEndian(value.data() + 24, 8);
  for (size_t i = 0; i < years; ++i) {
    record.years.push_back(static_cast<int>(ReadBigEndian(value.data() + fixed + 2 * i, 2)));
  }
  record.sha256 = std::string(value.substr(fixed + 2 * years));
  return record;
}

}  // namespace omnia::ingest::internal
