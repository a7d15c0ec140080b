// Placeholder patterns of the catalogue configuration ("Anno {years}"). Not part of the public
// API: config.cc validates patterns with it and datasets.cc expands them.
#ifndef OMNIA_LIBS_CATALOGUE_INTERNAL_PATTERN_H_
#define OMNIA_LIBS_CATALOGUE_INTERNAL_PATTERN_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace omnia::catalogue {

// Placeholder values by name.
using PatternValues = std::map<std::string, std::string, std::less<>>;

// The placeholder names of `pattern`, in order of appearance (repeats included). A '{' that
// does not open a "{name}" with name in [a-z_]+, or a '}' that closes nothing, is
// INVALID_ARGUMENT.
absl::StatusOr<std::vector<std::string>> PatternPlaceholders(std::string_view pattern);

// `pattern` with every placeholder replaced by its value. The pattern must have passed
// PatternPlaceholders and every name it uses must be in `values`; a missing name expands to
// nothing (the configuration is validated against the names each field accepts, so this does
// not happen).
std::string ExpandPattern(std::string_view pattern, const PatternValues& values);

// Matches `text` against `pattern`, which holds {year} exactly once and no other placeholder:
// the text must be the pattern with four ASCII digits in place of {year}. Returns that year.
std::optional<int> MatchYear(std::string_view pattern, std::string_view text);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_INTERNAL_PATTERN_H_
