#include "libs/domain/published_csv.h"

#include <utility>

#include "libs/domain/internal/file_chunks.h"
#include "libs/domain/internal/text.h"
#include "libs/domain/period.h"

namespace omnia::domain {
namespace {

using internal::Quote;

constexpr size_t kFieldCount = 5;
constexpr std::string_view kKeyColumns[] = {"Anno", "Mese", "Tipo_intervento", "Regione"};

absl::Status LineError(int64_t line, std::string_view message) {
  return absl::InvalidArgumentError(internal::Cat("line ", line, ": ", message));
}

absl::Status ColumnError(int64_t line, std::string_view column, std::string_view message) {
  return absl::InvalidArgumentError(
      internal::Cat("line ", line, ", column ", column, ": ", message));
}

// Parses a count as INPS writes it: digits, optionally followed by a point and zeros ("321",
// "321.0"). Returns an empty string on success, else the reason.
std::string ParseCount(std::string_view text, uint64_t* value) {
  if (text.empty()) return "empty count";
  const bool negative = text.front() == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  std::string_view fraction;
  bool has_point = false;
  if (const size_t point = digits.find('.'); point != std::string_view::npos) {
    has_point = true;
    fraction = digits.substr(point + 1);
    digits = digits.substr(0, point);
  }
  if (!internal::IsAsciiDigits(digits) || (has_point && !internal::IsAsciiDigits(fraction))) {
    return internal::Cat("count ", Quote(text), " is not a non-negative integer");
  }
  if (negative) return internal::Cat("negative count ", Quote(text));
  if (fraction.find_first_not_of('0') != std::string_view::npos) {
    return internal::Cat("fractional count ", Quote(text));
  }
  if (!internal::ParseDigits(digits, value) || *value > kMaxPublishedValue) {
    return internal::Cat("count ", Quote(text), " exceeds the maximum ", kMaxPublishedValue);
  }
  return {};
}

uint64_t CellKey(const PublishedRow& row) {
  return (static_cast<uint64_t>(row.year - kMinYear) << 48) |
         (static_cast<uint64_t>(row.month) << 40) | (static_cast<uint64_t>(row.type_index) << 20) |
         static_cast<uint64_t>(row.region_index);
}

}  // namespace

PublishedCsvParser::PublishedCsvParser(const Codelists& codelists, int latest_year)
    : codelists_(&codelists), latest_year_(latest_year), lines_(kMaxCsvLineBytes) {}

absl::Status PublishedCsvParser::Ended(absl::Status status) {
  if (status.ok()) return status;
  return Fail(row_errors_.Ending(std::move(status), lines_.stopped_by_long_line()));
}

absl::Status PublishedCsvParser::Fail(absl::Status status) {
  status_ = std::move(status);
  return status_;
}

absl::Status PublishedCsvParser::Feed(std::string_view chunk, std::vector<PublishedRow>* out) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("PublishedCsvParser: Feed after Finish");
  return Ended(lines_.Feed(chunk, [this, out](std::string_view line, int64_t number) {
    return ParseLine(line, number, out);
  }));
}

absl::Status PublishedCsvParser::Finish(std::vector<PublishedRow>* out) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("PublishedCsvParser: Finish called twice");
  finished_ = true;
  if (absl::Status status = Ended(lines_.Finish([this, out](std::string_view line, int64_t number) {
        return ParseLine(line, number, out);
      }));
      !status.ok()) {
    return status;
  }
  if (!measure_.has_value()) return Fail(LineError(1, "missing header: the input is empty"));
  if (!row_errors_.empty()) return Fail(row_errors_.ToStatus());
  return absl::OkStatus();
}

absl::Status PublishedCsvParser::ParseHeader(std::string_view line) {
  if (line.empty()) return LineError(1, "missing header: the first line is empty");
  std::string_view fields[kFieldCount];
  const size_t count = internal::SplitFields(line, fields, kFieldCount);
  if (count != kFieldCount) {
    return LineError(1, internal::Cat("the header has ", count,
                                      " columns; expected 5: Anno,Mese,Tipo_intervento,Regione,"
                                      "<numero_domande|numero_lavoratori|numero_mensilita>"));
  }
  for (size_t i = 0; i < 4; ++i) {
    if (fields[i] != kKeyColumns[i]) {
      return ColumnError(1, kKeyColumns[i],
                         internal::Cat("header has ", Quote(fields[i]), " where '", kKeyColumns[i],
                                       "' is expected"));
    }
  }
  absl::StatusOr<Measure> measure = MeasureFromInpsColumn(fields[4]);
  if (!measure.ok())
    return ColumnError(1, "5 (measure)", internal::FromAbsl(measure.status().message()));
  measure_ = *measure;
  return absl::OkStatus();
}

absl::Status PublishedCsvParser::ParseLine(std::string_view line, int64_t number,
                                           std::vector<PublishedRow>* out) {
  if (number == 1) return ParseHeader(line);
  const std::string_view value_column = InpsColumnName(*measure_);
  std::string_view fields[kFieldCount];
  const size_t count = internal::SplitFields(line, fields, kFieldCount);
  if (count != kFieldCount) {
    const std::string expected =
        internal::Cat("expected 5 fields (Anno,Mese,Tipo_intervento,Regione,", value_column, ")");
    if (line.empty()) {
      row_errors_.Add(number, kKeyColumns[0], internal::Cat("the line is empty; ", expected));
    } else if (count < kFieldCount) {
      const std::string_view missing = count < 4 ? kKeyColumns[count] : value_column;
      row_errors_.Add(number, missing, internal::Cat("missing: ", expected, ", found ", count));
    } else {
      row_errors_.Add(number, "6",
                      internal::Cat("one field too many: ", expected, ", found ", count));
    }
    return absl::OkStatus();
  }

  PublishedRow row;
  row.line = number;
  const int64_t errors_before = row_errors_.count();
  if (std::string reason = ParseYear(fields[0], &row.year); !reason.empty()) {
    row_errors_.Add(number, "Anno", reason);
  }
  if (absl::StatusOr<int> month = ParseItalianMonth(fields[1]); month.ok()) {
    row.month = *month;
  } else {
    row_errors_.Add(number, "Mese", internal::FromAbsl(month.status().message()));
  }
  // Codes in any case (common.proto); INPS's own files use the canonical spelling.
  const InterventionType* type = codelists_->InterventionTypeByInputCode(fields[2]);
  if (type == nullptr) {
    row_errors_.Add(number, "Tipo_intervento",
                    internal::Cat("unknown intervention type ", Quote(fields[2]),
                                  "; valid codes: ", codelists_->JoinedInterventionTypeCodes()));
  }
  const Region* region = codelists_->RegionByInputCode(fields[3]);
  if (region == nullptr) {
    row_errors_.Add(number, "Regione",
                    internal::Cat("unknown region ", Quote(fields[3]),
                                  "; valid INPS labels: ", codelists_->JoinedRegionLabels()));
  }
  if (std::string reason = ParseCount(fields[4], &row.value); !reason.empty()) {
    row_errors_.Add(number, value_column, reason);
  }
  if (row_errors_.count() != errors_before) return absl::OkStatus();
  row.type_index = type->index;
  row.region_index = region->index;

  const auto [it, inserted] = seen_.try_emplace(CellKey(row), number);
  if (!inserted) {
    // The key is the four columns; the first names them all.
    row_errors_.Add(
        number, "Anno",
        internal::Cat("duplicate key Anno=", row.year, ", Mese=", ItalianMonthName(row.month),
                      ", Tipo_intervento=", type->code, ", Regione=", region->inps_label,
                      " (first on line ", it->second, ")"));
    return absl::OkStatus();
  }
  // The file is rejected whole once a row is bad: the rest is only checked.
  if (!row_errors_.empty()) return absl::OkStatus();
  out->push_back(row);
  ++rows_;
  return absl::OkStatus();
}

std::string PublishedCsvParser::ParseYear(std::string_view text, int* year) const {
  uint64_t value = 0;
  if (text.empty()) return "empty year";
  if (!internal::IsAsciiDigits(text))
    return internal::Cat("year ", Quote(text), " is not a number");
  if (!internal::ParseDigits(text, &value) || value < static_cast<uint64_t>(kMinYear) ||
      value > static_cast<uint64_t>(kMaxYear)) {
    return internal::Cat("year ", Quote(text), " out of range [", kMinYear, ", ", kMaxYear, "]");
  }
  if (value > static_cast<uint64_t>(latest_year_)) {
    return internal::Cat("year ", Quote(text), " is after the current year (", latest_year_, ")");
  }
  *year = static_cast<int>(value);
  return {};
}

absl::Status ReadPublishedCsvFile(const std::string& path, const Codelists& codelists,
                                  const std::function<absl::Status(const PublishedRow&)>& on_row,
                                  Measure* measure) {
  PublishedCsvParser parser(codelists);
  std::vector<PublishedRow> rows;
  // Parser errors get the path; on_row's errors are the caller's own and pass through unchanged.
  bool parser_failed = false;
  auto deliver = [&](absl::Status parsed) -> absl::Status {
    if (!parsed.ok()) {
      parser_failed = true;
      return parsed;
    }
    for (const PublishedRow& row : rows) {
      if (absl::Status status = on_row(row); !status.ok()) return status;
    }
    rows.clear();
    return absl::OkStatus();
  };
  absl::Status status = internal::ForEachFileChunk(
      path, [&](std::string_view chunk) { return deliver(parser.Feed(chunk, &rows)); });
  if (status.ok()) status = deliver(parser.Finish(&rows));
  if (parser_failed) {
    return absl::Status(status.code(), internal::Cat(path, ": ", status.message()));
  }
  if (!status.ok()) return status;
  if (measure != nullptr) *measure = *parser.measure();
  return absl::OkStatus();
}

}  // namespace omnia::domain
