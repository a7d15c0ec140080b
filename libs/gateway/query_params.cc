#include "libs/gateway/query_params.h"

#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/base/string_view.h"

namespace omnia::gateway {
namespace {

using Params = std::multimap<std::string, std::string>;

absl::Status ParameterError(std::string_view parameter, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(AsAbsl(parameter), ": ", AsAbsl(reason)));
}

// The one value of a single-valued parameter; nullopt when absent.
absl::StatusOr<std::optional<std::string>> SingleValue(const Params& params,
                                                       const std::string& name) {
  const auto [begin, end] = params.equal_range(name);
  if (begin == end) return std::optional<std::string>();
  if (std::next(begin) != end) return ParameterError(name, "given more than once");
  return std::optional<std::string>(begin->second);
}

// A code as the codelists spell them: letters, digits, underscores, hyphens, dots, apostrophes.
bool IsCode(absl::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '\'' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> CodeList(const Params& params, const std::string& name) {
  std::vector<std::string> codes;
  for (auto [it, end] = params.equal_range(name); it != end; ++it) {
    for (absl::string_view code : absl::StrSplit(it->second, ',')) {
      code = absl::StripAsciiWhitespace(code);
      if (!IsCode(code)) {
        return ParameterError(
            name,
            "expected comma-separated codes made of letters, digits, underscores, "
            "hyphens, dots and apostrophes");
      }
      codes.emplace_back(code);
    }
  }
  if (static_cast<int>(codes.size()) > kMaxCodesPerParameter) {
    return ParameterError(name, absl::StrCat("at most ", kMaxCodesPerParameter, " codes"));
  }
  return codes;
}

// YYYY-MM within 2020-01..2100-12.
absl::StatusOr<v1::YearMonth> ParseMonth(const std::string& name, std::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(AsAbsl(text), '-');
  int year = 0;
  int month = 0;
  if (parts.size() != 2 || parts[0].size() != 4 || parts[1].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &year) || !absl::SimpleAtoi(parts[1], &month) || month < 1 ||
      month > 12) {
    return ParameterError(name, "expected a month as YYYY-MM, e.g. 2023-01");
  }
  if (year < 2020 || year > 2100) return ParameterError(name, "months lie in 2020-01..2100-12");
  v1::YearMonth ym;
  ym.set_year(year);
  ym.set_month(month);
  return ym;
}

absl::Status SetPeriod(const Params& params, v1::CellQuery& query) {
  absl::StatusOr<std::optional<std::string>> from = SingleValue(params, "from");
  if (!from.ok()) return from.status();
  absl::StatusOr<std::optional<std::string>> to = SingleValue(params, "to");
  if (!to.ok()) return to.status();
  if (!from->has_value() && !to->has_value()) return absl::OkStatus();
  if (!from->has_value()) return ParameterError("from", "required when to is given");
  if (!to->has_value()) return ParameterError("to", "required when from is given");
  absl::StatusOr<v1::YearMonth> first = ParseMonth("from", **from);
  if (!first.ok()) return first.status();
  absl::StatusOr<v1::YearMonth> last = ParseMonth("to", **to);
  if (!last.ok()) return last.status();
  if (std::make_pair(last->year(), last->month()) < std::make_pair(first->year(), first->month())) {
    return ParameterError("to", "is before from");
  }
  *query.mutable_period_range()->mutable_first() = *first;
  *query.mutable_period_range()->mutable_last() = *last;
  return absl::OkStatus();
}

// The enum value named by parameter `name` among `choices` (lowercase names); `fallback` when
// the parameter is absent.
template <typename Enum>
absl::StatusOr<Enum> Choice(const Params& params, const std::string& name,
                            const std::vector<std::pair<const char*, Enum>>& choices,
                            Enum fallback) {
  absl::StatusOr<std::optional<std::string>> value = SingleValue(params, name);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return fallback;
  const std::string lower = absl::AsciiStrToLower(**value);
  std::vector<std::string> names;
  for (const auto& [choice, result] : choices) {
    if (lower == choice) return result;
    names.push_back(choice);
  }
  return ParameterError(name, absl::StrCat("expected one of ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<bool> Dense(const Params& params) {
  absl::StatusOr<std::optional<std::string>> value = SingleValue(params, "dense");
  if (!value.ok()) return value.status();
  if (!value->has_value()) return false;
  const std::string lower = absl::AsciiStrToLower(**value);
  if (lower.empty() || lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return ParameterError("dense", "expected true or false");
}

absl::Status SetRelease(const Params& params, v1::ExportRequest& request) {
  absl::StatusOr<std::optional<std::string>> release = SingleValue(params, "release");
  if (!release.ok()) return release.status();
  if (!release->has_value()) return absl::OkStatus();
  const std::string& id = **release;
  bool valid = !id.empty() && id.size() <= 128;
  for (char c : id) {
    valid = valid && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                      c == '-' || c == ':');
  }
  if (!valid) return ParameterError("release", "expected a release id as listed by the catalogue");
  request.set_release_id(id);
  return absl::OkStatus();
}

// Names a parameter only when it cannot be personal data: a short lowercase word.
std::string SafeName(const std::string& name) {
  bool plain = !name.empty() && name.size() <= 32;
  for (char c : name) plain = plain && ((c >= 'a' && c <= 'z') || c == '_' || c == '.');
  return plain ? name : "(a parameter)";
}

}  // namespace

bool IsQueryParameter(std::string_view name) {
  static constexpr const char* kNames[] = {"measures", "regions",      "types",        "from",
                                           "to",       "period_level", "region_level", "type_level",
                                           "dense",    "release",      "format"};
  for (const char* known : kNames) {
    if (name == known) return true;
  }
  return false;
}

absl::StatusOr<v1::ExportRequest> ExportRequestFromQuery(const Params& params) {
  for (const auto& [name, value] : params) {
    if (!IsQueryParameter(name)) {
      return ParameterError(SafeName(name),
                            "unknown parameter; known: measures, regions, types, from, to, "
                            "period_level, region_level, type_level, dense, release, format");
    }
  }
  v1::ExportRequest request;
  v1::CellQuery& query = *request.mutable_query();

  absl::StatusOr<std::vector<std::string>> measures = CodeList(params, "measures");
  if (!measures.ok()) return measures.status();
  if (measures->empty()) {
    return ParameterError("measures", "required, e.g. APPLICATIONS, WORKERS or BENEFIT_MONTHS");
  }
  for (std::string& measure : *measures) query.add_measures(absl::AsciiStrToUpper(measure));
  absl::StatusOr<std::vector<std::string>> regions = CodeList(params, "regions");
  if (!regions.ok()) return regions.status();
  for (const std::string& region : *regions) query.add_regions(region);
  absl::StatusOr<std::vector<std::string>> types = CodeList(params, "types");
  if (!types.ok()) return types.status();
  for (const std::string& type : *types) query.add_intervention_types(type);
  if (absl::Status s = SetPeriod(params, query); !s.ok()) return s;

  absl::StatusOr<v1::PeriodLevel> period_level =
      Choice<v1::PeriodLevel>(params, "period_level",
                              {{"month", v1::PERIOD_LEVEL_MONTH},
                               {"quarter", v1::PERIOD_LEVEL_QUARTER},
                               {"year", v1::PERIOD_LEVEL_YEAR}},
                              v1::PERIOD_LEVEL_MONTH);
  if (!period_level.ok()) return period_level.status();
  query.set_period_level(*period_level);
  absl::StatusOr<v1::RegionLevel> region_level =
      Choice<v1::RegionLevel>(params, "region_level",
                              {{"region", v1::REGION_LEVEL_REGION},
                               {"macro_area", v1::REGION_LEVEL_MACRO_AREA},
                               {"italy", v1::REGION_LEVEL_ITALY}},
                              v1::REGION_LEVEL_REGION);
  if (!region_level.ok()) return region_level.status();
  query.set_region_level(*region_level);
  absl::StatusOr<v1::TypeLevel> type_level =
      Choice<v1::TypeLevel>(params, "type_level",
                            {{"type", v1::TYPE_LEVEL_TYPE},
                             {"family", v1::TYPE_LEVEL_FAMILY},
                             {"all", v1::TYPE_LEVEL_ALL}},
                            v1::TYPE_LEVEL_TYPE);
  if (!type_level.ok()) return type_level.status();
  query.set_type_level(*type_level);
  absl::StatusOr<bool> dense = Dense(params);
  if (!dense.ok()) return dense.status();
  query.set_dense(*dense);

  if (absl::Status s = SetRelease(params, request); !s.ok()) return s;
  absl::StatusOr<v1::Format> format = Choice<v1::Format>(params, "format",
                                                         {{"csv", v1::FORMAT_CSV},
                                                          {"json", v1::FORMAT_JSON},
                                                          {"jsonstat", v1::FORMAT_JSON_STAT},
                                                          {"xml", v1::FORMAT_XML},
                                                          {"xlsx", v1::FORMAT_XLSX}},
                                                         v1::FORMAT_CSV);
  if (!format.ok()) return format.status();
  request.set_format(*format);
  return request;
}

}  // namespace omnia::gateway
