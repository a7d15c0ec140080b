#include "libs/portal/params.h"

#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace omnia::portal {

bool IsCleanText(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    if ((c & 0xe0) == 0xc0 && c >= 0xc2) {
      length = 2;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3;
    } else if ((c & 0xf8) == 0xf0 && c <= 0xf4) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

absl::Status ParamError(absl::string_view name, absl::string_view requirement) {
  return absl::InvalidArgumentError(absl::StrCat("Il parametro «", name, "» ", requirement, "."));
}

absl::StatusOr<std::optional<std::string>> SingleParam(const QueryParams& params,
                                                       absl::string_view name, size_t max_bytes) {
  const auto [first, last] = params.equal_range(std::string(name));
  if (first == last) return std::nullopt;
  if (std::next(first) != last) return ParamError(name, "può comparire una sola volta");
  const std::string& value = first->second;
  if (value.size() > max_bytes) {
    return ParamError(name, absl::StrCat("può essere lungo al massimo ", max_bytes, " caratteri"));
  }
  if (!IsCleanText(value)) return ParamError(name, "contiene caratteri non ammessi");
  if (value.empty()) return std::nullopt;
  return value;
}

absl::StatusOr<std::vector<std::string>> RepeatedParam(const QueryParams& params,
                                                       absl::string_view name, size_t max_values,
                                                       size_t max_bytes) {
  std::vector<std::string> values;
  const auto [first, last] = params.equal_range(std::string(name));
  for (auto it = first; it != last; ++it) {
    if (it->second.size() > max_bytes) {
      return ParamError(name,
                        absl::StrCat("può essere lungo al massimo ", max_bytes, " caratteri"));
    }
    if (!IsCleanText(it->second)) return ParamError(name, "contiene caratteri non ammessi");
    if (it->second.empty()) continue;
    if (values.size() == max_values) {
      return ParamError(name, absl::StrCat("può comparire al massimo ", max_values, " volte"));
    }
    values.push_back(it->second);
  }
  return values;
}

std::optional<int> ParseBoundedInt(absl::string_view text, int min, int max) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) return std::nullopt;
  return value;
}

std::optional<v1::YearMonth> ParseYearMonth(absl::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  const std::optional<int> year = ParseBoundedInt(text.substr(0, 4), 2020, 2100);
  const std::optional<int> month = ParseBoundedInt(text.substr(5, 2), 1, 12);
  if (!year || !month) return std::nullopt;
  v1::YearMonth out;
  out.set_year(*year);
  out.set_month(*month);
  return out;
}

}  // namespace omnia::portal
