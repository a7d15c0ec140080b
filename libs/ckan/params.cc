#include "libs/ckan/params.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace omnia::ckan {
namespace {

using Json = nlohmann::json;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Python's int(str): optional sign, decimal digits, '_' only between digits, spaces around.
// Saturates instead of growing without bound.
std::optional<int64_t> ParseDecimal(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(text.front())) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text.back()))) {
    return std::nullopt;
  }
  int64_t value = 0;
  char previous = '0';
  for (char c : text) {
    if (c == '_') {
      if (previous == '_') return std::nullopt;
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      const int digit = c - '0';
      value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
    } else {
      return std::nullopt;
    }
    previous = c;
  }
  return negative ? (value == kMax ? kMin : -value) : value;
}

// Python's int_validator: nullopt for "not given", or the integer, or an error.
struct IntValue {
  bool given = false;
  bool valid = true;
  int64_t value = 0;
};

IntValue ToInt(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return {};
    case Json::value_t::boolean:
      return {true, true, value.get<bool>() ? 1 : 0};
    case Json::value_t::number_integer:
      return {true, true, value.get<int64_t>()};
    case Json::value_t::number_unsigned: {
      const uint64_t number = value.get<uint64_t>();
      return {true, true,
              number > static_cast<uint64_t>(kMax) ? kMax : static_cast<int64_t>(number)};
    }
    case Json::value_t::number_float: {
      const double number = value.get<double>();
      if (!std::isfinite(number) || number != std::floor(number)) return {true, false, 0};
      if (number >= 9.2e18) return {true, true, kMax};
      if (number <= -9.2e18) return {true, true, kMin};
      return {true, true, static_cast<int64_t>(number)};
    }
    case Json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (absl::StripAsciiWhitespace(text).empty()) return {};
      const std::optional<int64_t> number = ParseDecimal(text);
      return number.has_value() ? IntValue{true, true, *number} : IntValue{true, false, 0};
    }
    default:
      return {true, false, 0};
  }
}

const Json* Find(const Json& data, std::string_view key) {
  if (!data.is_object()) return nullptr;
  auto it = data.find(std::string(key));
  return it == data.end() ? nullptr : &*it;
}

}  // namespace

absl::StatusOr<Json> RequestData(const CkanRequest& request) {
  Json data = Json::object();
  // `curl -d '{"id": ...}'` posts JSON as a form (application/x-www-form-urlencoded), which reads
  // as one field named by the whole text with an empty value; CKAN takes that field's name as
  // the JSON request (views/api.py, _get_request_data). The raw body is read here, before form
  // decoding turned any "+" into a space.
  const bool json_posted_as_form =
      request.is_post && request.query_params.size() == 1 &&
      request.query_params[0].second.empty() &&
      absl::StartsWith(absl::StripLeadingAsciiWhitespace(request.body), "{");
  if (!request.query_params.empty() && !json_posted_as_form) {
    for (const auto& [name, value] : request.query_params) {
      auto it = data.find(name);
      if (it == data.end()) {
        data[name] = value;
      } else if (it->is_array()) {
        it->push_back(value);
      } else {
        *it = Json::array({*it, value});
      }
    }
    return data;
  }
  if (absl::StripAsciiWhitespace(request.body).empty()) return data;
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return absl::InvalidArgumentError(
        "JSON Error: Error decoding JSON data. Error: the request body is not valid JSON");
  }
  if (!body.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("JSON Error: Request data JSON decoded to ",
                                                   DumpJson(body),
                                                   " but it needs to be a dictionary."));
  }
  return body;
}

void FieldErrors::Add(std::string_view field, std::string_view message) {
  errors_[std::string(field)].push_back(message);
}

std::optional<int64_t> IntParam(const Json& data, std::string_view key, IntRule rule,
                                FieldErrors* errors) {
  const Json* value = Find(data, key);
  if (value == nullptr) return std::nullopt;
  const IntValue number = ToInt(*value);
  if (!number.given) return std::nullopt;
  if (!number.valid) {
    errors->Add(key, "Invalid integer");
    return std::nullopt;
  }
  if (rule == IntRule::kNatural && number.value < 0) {
    errors->Add(key, "Must be a natural number");
    return std::nullopt;
  }
  if (rule == IntRule::kPositive && number.value < 1) {
    errors->Add(key, "Must be a positive integer");
    return std::nullopt;
  }
  return number.value;
}

std::optional<std::vector<std::string>> StringListParam(const Json& data, std::string_view key,
                                                        FieldErrors* errors) {
  const Json* found = Find(data, key);
  if (found == nullptr) return std::nullopt;
  Json value = *found;
  if (value.is_string()) {
    value = Json::parse(value.get<std::string>(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
      errors->Add(key, "Could not parse as valid JSON");
      return std::nullopt;
    }
  }
  if (!value.is_array()) {
    errors->Add(key, "Not a list");
    return std::nullopt;
  }
  std::vector<std::string> items;
  for (const Json& item : value) {
    if (!item.is_string()) {
      errors->Add(key, absl::StrCat("Not a string: ", DumpJson(item)));
      return std::nullopt;
    }
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::string TextParam(const Json& data, std::string_view key) {
  const Json* value = Find(data, key);
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return value->get<std::string>();
  if (value->is_array() && !value->empty() && value->back().is_string()) {
    return value->back().get<std::string>();
  }
  return DumpJson(*value);
}

bool BoolParam(const Json& data, std::string_view key) {
  const Json* value = Find(data, key);
  if (value == nullptr) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number()) return value->get<double>() != 0;
  const std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(TextParam(data, key)));
  return text == "true" || text == "yes" || text == "on" || text == "y" || text == "t" ||
         text == "1";
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace omnia::ckan
