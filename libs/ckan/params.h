// CKAN's request parsing and parameter validators, as the Action API applies them before an
// action runs: the data dict from query parameters or a JSON body, and the validators whose
// messages clients see in a 409 Validation Error (int_validator, natural_number_validator,
// is_positive_integer, convert_to_json_if_string, list_of_strings) and paste's asbool.
#ifndef OMNIA_LIBS_CKAN_PARAMS_H_
#define OMNIA_LIBS_CKAN_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/ckan/ckan_api.h"
#include "nlohmann/json.hpp"

namespace omnia::ckan {

// The data dict: the query parameters when there are any (a repeated name gives a list of
// strings), otherwise the body parsed as a JSON object, otherwise {}. INVALID_ARGUMENT, with
// CKAN's "JSON Error: ..." wording, when the body is not a JSON object.
absl::StatusOr<nlohmann::json> RequestData(const CkanRequest& request);

// Validation errors by field: {"rows": ["Invalid integer"], ...}.
class FieldErrors {
 public:
  void Add(std::string_view field, std::string_view message);
  bool empty() const { return errors_.empty(); }
  const nlohmann::json& json() const { return errors_; }

 private:
  nlohmann::json errors_ = nlohmann::json::object();
};

enum class IntRule {
  kInteger,  // int_validator: "Invalid integer"
  kNatural,  // natural_number_validator: also "Must be a natural number" below 0
  kPositive  // is_positive_integer: also "Must be a positive integer" below 1
};

// data[key] as an integer under `rule`: nullopt when absent, null or blank (CKAN then treats it
// as not given); otherwise the value (a JSON number with no fraction, a boolean, or a decimal
// string with optional sign and surrounding spaces; huge values saturate), or nullopt with the
// rule's message added to *errors.
std::optional<int64_t> IntParam(const nlohmann::json& data, std::string_view key, IntRule rule,
                                FieldErrors* errors);

// data[key] as a list of strings: a JSON list, or a string holding one (facet.field). nullopt
// when absent; "Could not parse as valid JSON", "Not a list" or "Not a string: <item>" added to
// *errors otherwise.
std::optional<std::vector<std::string>> StringListParam(const nlohmann::json& data,
                                                        std::string_view key, FieldErrors* errors);

// data[key] as text: a string as is, a list of strings (a repeated parameter) its last value,
// other JSON its serialisation; empty when absent or null.
std::string TextParam(const nlohmann::json& data, std::string_view key);

// data[key] as paste's asbool: true for true/yes/on/y/t/1 (any case), a true JSON boolean or a
// non-zero number; false otherwise and when absent.
bool BoolParam(const nlohmann::json& data, std::string_view key);

// JSON text as the API sends it: UTF-8, invalid bytes replaced.
std::string DumpJson(const nlohmann::json& value);

}  // namespace omnia::ckan

#endif  // OMNIA_LIBS_CKAN_PARAMS_H_
