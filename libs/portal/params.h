// Reading query-string parameters without ever echoing them: the checks every page's parser
// shares. Errors are INVALID_ARGUMENT in Italian naming the parameter, never its value.
#ifndef OMNIA_LIBS_PORTAL_PARAMS_H_
#define OMNIA_LIBS_PORTAL_PARAMS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "omnia/v1/common.pb.h"

namespace omnia::portal {

// Decoded query-string parameters as the HTTP layer hands them over; a name may repeat.
using QueryParams = std::multimap<std::string, std::string>;

// True when `text` is well-formed UTF-8 without control characters.
bool IsCleanText(absl::string_view text);

// The single value of `name` (nullopt when absent or empty); an error when it is repeated, too
// long (bytes) or not clean text.
absl::StatusOr<std::optional<std::string>> SingleParam(const QueryParams& params,
                                                       absl::string_view name, size_t max_bytes);

// Every non-empty value of `name`; an error when there are more than max_values or one is too
// long or not clean text.
absl::StatusOr<std::vector<std::string>> RepeatedParam(const QueryParams& params,
                                                       absl::string_view name, size_t max_values,
                                                       size_t max_bytes);

// An integer in [min, max] written with decimal digits only.
std::optional<int> ParseBoundedInt(absl::string_view text, int min, int max);

// "YYYY-MM" with a year 2020..2100.
std::optional<v1::YearMonth> ParseYearMonth(absl::string_view text);

// The INVALID_ARGUMENT every parser returns: "Il parametro «name» <requirement>."
absl::Status ParamError(absl::string_view name, absl::string_view requirement);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_PARAMS_H_
