// Collects the row errors of a CSV file. Not part of the public API.
#ifndef OMNIA_LIBS_DOMAIN_INTERNAL_ROW_ERRORS_H_
#define OMNIA_LIBS_DOMAIN_INTERNAL_ROW_ERRORS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace omnia::domain::internal {

// How many row errors a rejected file reports before only counting the rest (ingestion.proto:
// "the first 20 of them followed by the number of further errors").
inline constexpr int kMaxReportedRowErrors = 20;

// A file is rejected whole, so its reader goes on past a bad row to tell the uploader every
// problem at once, instead of one per upload. Each error reads "line L, column C: reason"; they
// are joined by "; " and, past the first kMaxReportedRowErrors, only counted.
//
// A reason may end in a hint listing the valid values ("unknown region 'X'; valid INPS labels:
// ..."). The same hint is kept once, on its first error: twenty copies of the region list would
// make a message too long for gRPC's status metadata.
class RowErrors {
 public:
  void Add(int64_t line, std::string_view column, std::string_view reason);

  bool empty() const { return count_ == 0; }
  int64_t count() const { return count_; }

  // INVALID_ARGUMENT with the reported errors and, when there were more, "and N further errors".
  // `stopped_by`, when given, is an error that ended the reading (a line too long to read): it
  // comes last, as the reason the count may be short.
  absl::Status ToStatus(std::string_view stopped_by = {}) const;

  // The error a reading ends with when `error` stopped it: a line too long to read (the line
  // assembler's own error) comes after the row errors before it; any other (a bad header, the
  // sink's) passes unchanged.
  absl::Status Ending(absl::Status error, bool line_too_long) const;

 private:
  std::string text_;
  std::vector<std::string> hints_;
  int64_t count_ = 0;
};

}  // namespace omnia::domain::internal

#endif  // OMNIA_LIBS_DOMAIN_INTERNAL_ROW_ERRORS_H_
