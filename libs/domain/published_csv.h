// Reader for INPS's published report layout (see ../shared/data/inps-2023/README.md):
//
//   Anno,Mese,Tipo_intervento,Regione,<numero_domande|numero_lavoratori|numero_mensilita>
//   2023,Agosto,CIGO,ABRUZZO,321.0
//
// UTF-8 with or without BOM, CRLF or LF, comma separated, no quoting. The header's last column
// names the measure. Counts are non-negative integers, written by INPS with one decimal place.
#ifndef OMNIA_LIBS_DOMAIN_PUBLISHED_CSV_H_
#define OMNIA_LIBS_DOMAIN_PUBLISHED_CSV_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "libs/domain/codelists.h"
#include "libs/domain/csv_limits.h"
#include "libs/domain/internal/line_assembler.h"
#include "libs/domain/internal/row_errors.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"

namespace omnia::domain {

// Largest accepted count: 2^53 - 1, the largest integer every JSON consumer reads exactly; it also
// leaves ample room to sum cells in 64 bits. Real counts are below a million.
inline constexpr uint64_t kMaxPublishedValue = (uint64_t{1} << 53) - 1;

// One data row of a published file, with codes resolved to codelist indices.
struct PublishedRow {
  int year = 0;
  int month = 0;         // 1..12
  int type_index = 0;    // InterventionType::index
  int region_index = 0;  // Region::index
  uint64_t value = 0;    // the count, in the unit of the file's measure
  int64_t line = 0;      // 1-based line in the file (the header is line 1)

  friend bool operator==(const PublishedRow&, const PublishedRow&) = default;
};

// Push parser: feed chunks as they arrive (split anywhere, even inside a CRLF or the BOM), then
// call Finish once. Rows are appended to `out` as soon as their line is complete.
//
// Errors are absl::InvalidArgumentError naming the line and the column, e.g. "line 12, column
// Regione: unknown region 'FOO'; valid INPS labels: ...". Checked: the header (exact), the field
// count, Anno (digits, within [kMinYear, kMaxYear]), Mese (Italian month name, any case),
// Tipo_intervento and Regione (codes in any case), the count ("321" or "321.0"; no sign,
// exponent, non-zero fraction or value above kMaxPublishedValue), duplicate keys (the message
// names the earlier line), over-long lines and a missing header. A bad header or a line too long
// to read stops the parser at once. Bad rows do not: once a row is bad no more rows are appended,
// the rest of the file is only checked, and Finish returns every failing column of the first 20
// errors and the number of further errors (ingestion.proto). The first error returned is sticky:
// later calls return it again. Rows appended before an error are not retracted; callers that must
// reject a file as a whole discard them.
//
// The Codelists must outlive the parser.
class PublishedCsvParser {
 public:
  // Years after `latest_year` are row errors (the server passes the current year in Italy).
  explicit PublishedCsvParser(const Codelists& codelists, int latest_year = kMaxYear);

  PublishedCsvParser(const PublishedCsvParser&) = delete;
  PublishedCsvParser& operator=(const PublishedCsvParser&) = delete;

  absl::Status Feed(std::string_view chunk, std::vector<PublishedRow>* out);

  // Processes a last line without terminator and checks a header was seen. Calling Feed after
  // Finish is a FailedPrecondition error.
  absl::Status Finish(std::vector<PublishedRow>* out);

  // The measure named by the header, once the header has been read.
  std::optional<Measure> measure() const { return measure_; }

  // Data rows accepted so far.
  int64_t rows() const { return rows_; }

 private:
  absl::Status ParseLine(std::string_view line, int64_t number, std::vector<PublishedRow>* out);
  absl::Status ParseHeader(std::string_view line);
  // Empty when the year is valid (and stored in *year), else the reason.
  std::string ParseYear(std::string_view text, int* year) const;
  // Makes the line assembler's result final when it is an error.
  absl::Status Ended(absl::Status status);
  absl::Status Fail(absl::Status status);

  const Codelists* codelists_;
  const int latest_year_;
  internal::LineAssembler lines_;
  std::optional<Measure> measure_;
  int64_t rows_ = 0;
  bool finished_ = false;
  absl::Status status_;
  internal::RowErrors row_errors_;
  // Line of the first row with each (year, month, type, region) key.
  absl::flat_hash_map<uint64_t, int64_t> seen_;
};

// Reads a published file from disk in 64 KiB chunks, calling on_row for each row; the parser's
// error is returned with the path prepended, on_row's own error unchanged.
// Rows of earlier chunks may already have been passed to on_row when an error is returned.
// *measure, when not null, receives the file's measure.
absl::Status ReadPublishedCsvFile(const std::string& path, const Codelists& codelists,
                                  const std::function<absl::Status(const PublishedRow&)>& on_row,
                                  Measure* measure);

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_PUBLISHED_CSV_H_
