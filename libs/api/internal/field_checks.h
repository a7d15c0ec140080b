// Field errors shared by the conversions of libs/api: INVALID_ARGUMENT naming the field path.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/domain/period.h"
#include "omnia/v1/common.pb.h"

namespace omnia::api::internal {

inline absl::Status FieldError(const std::string& path, const std::string& reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

inline absl::Status CheckMonth(const v1::YearMonth& ym, const std::string& path) {
  const domain::YearMonth month{ym.year(), ym.month()};
  if (!domain::IsValidYearMonth(month)) {
    return FieldError(
        path, absl::StrCat("month must lie in ", domain::kMinYear, "-01..", domain::kMaxYear,
                           "-12, got ", ym.year(), "-", ym.month()));
  }
  return absl::OkStatus();
}

}  // namespace omnia::api::internal
