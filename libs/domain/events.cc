#include "libs/domain/events.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_join.h"
#include "libs/domain/internal/text.h"

namespace omnia::domain {
namespace {

using internal::IsAsciiAlnum;
using internal::IsAsciiDigit;

// Quotes a value for a reason text unless it could be a worker id (see the header comment).
std::string QuoteSafe(std::string_view value) {
  if (LooksLikeWorkerId(value)) return "(value withheld: it looks like a personal tax code)";
  return internal::Quote(value);
}

// ingestion.proto: printable ASCII (0x21 to 0x7E) except comma and double quote, the two that
// would need quoting in a CSV file.
bool IsIdChar(char c) { return c > ' ' && c <= '~' && c != ',' && c != '"'; }

void CheckId(std::string_view field, std::string_view id, std::vector<FieldError>* errors) {
  if (id.empty()) {
    errors->push_back(FieldError{std::string(field), "must not be empty"});
    return;
  }
  if (id.size() > kMaxIdBytes) {
    errors->push_back(FieldError{
        std::string(field), internal::Cat("is ", id.size(), " bytes long; at most ", kMaxIdBytes)});
    return;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (!IsIdChar(id[i])) {
      errors->push_back(FieldError{
          std::string(field),
          internal::Cat("byte ", i + 1,
                        " is not allowed (printable ASCII without spaces, commas or double "
                        "quotes)")});
      return;
    }
  }
}

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// A digit of a codice fiscale, or one of the letters that replace digits when two people's
// codes would otherwise be the same (omocodia: L M N P Q R S T U V stand for 0..9).
bool IsCodiceFiscaleDigit(char c) {
  if (IsAsciiDigit(c)) return true;
  const char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return std::string_view("LMNPQRSTUV").find(upper) != std::string_view::npos;
}

// ingestion.proto's worker id: 16 characters in the codice fiscale pattern (6 letters, 2 digits,
// a letter, 2 digits, a letter, 3 digits, a letter), any case, or a provisional code of 11
// digits.
bool IsWorkerIdShape(std::string_view id) {
  if (id.size() == 11) return std::all_of(id.begin(), id.end(), IsAsciiDigit);
  if (id.size() != 16) return false;
  static constexpr char kPattern[] = "LLLLLLDDLDDLDDDL";
  for (size_t i = 0; i < 16; ++i) {
    const bool ok = kPattern[i] == 'L' ? IsAsciiLetter(id[i]) : IsCodiceFiscaleDigit(id[i]);
    if (!ok) return false;
  }
  return true;
}

void CheckWorkerId(std::string_view worker_id, std::vector<FieldError>* errors) {
  // The value itself is personal data: reasons describe the expected shape only.
  if (worker_id.empty()) {
    errors->push_back(FieldError{"worker_id", "must not be empty"});
  } else if (!IsWorkerIdShape(worker_id)) {
    errors->push_back(FieldError{
        "worker_id",
        "must be a codice fiscale: 16 characters in its pattern (6 letters, 2 digits, a letter, "
        "2 digits, a letter, 3 digits, a letter; L M N P Q R S T U V may stand for digits), or "
        "11 digits (value withheld: personal data)"});
  }
}

void CheckDate(std::string_view field, const Date& date, const Date& latest,
               std::vector<FieldError>* errors) {
  if (!IsValidDate(date)) {
    errors->push_back(
        FieldError{std::string(field), internal::Cat("is not a calendar date in years ", kMinYear,
                                                     "..", kMaxYear, ": ", FormatIsoDate(date))});
  } else if (date > latest) {
    errors->push_back(FieldError{
        std::string(field), internal::Cat(FormatIsoDate(date), " is after today's date in Italy (",
                                          FormatIsoDate(latest), ")")});
  }
}

void ParseDate(std::string_view field, std::string_view text, const Date& latest, Date* date,
               std::vector<FieldError>* errors) {
  absl::StatusOr<Date> parsed = ParseIsoDate(text);
  if (parsed.ok()) {
    *date = *parsed;
    CheckDate(field, *date, latest, errors);
  } else if (LooksLikeWorkerId(text)) {
    errors->push_back(FieldError{std::string(field), internal::Cat("invalid date ", QuoteSafe(text),
                                                                   ": expected YYYY-MM-DD")});
  } else {
    errors->push_back(FieldError{std::string(field), std::string(parsed.status().message())});
  }
}

// The region's index (`known` when it is one already), or -1 after adding the error.
int CheckRegion(std::string_view region, int known, const Codelists& codelists,
                std::vector<FieldError>* errors) {
  if (known >= 0 && static_cast<size_t>(known) < codelists.regions().size()) return known;
  if (const Region* found = codelists.RegionByInputCode(region)) return found->index;
  std::string reason = internal::Cat("unknown region ", QuoteSafe(region));
  if (absl::StatusOr<const Region*> alias = codelists.FindRegion(region); alias.ok()) {
    internal::CatAppend(&reason, "; use the INPS label ", (*alias)->inps_label);
  } else {
    internal::CatAppend(&reason, "; valid INPS labels: ", codelists.JoinedRegionLabels());
  }
  errors->push_back(FieldError{"region", std::move(reason)});
  return -1;
}

// The type's index (`known` when it is one already), or -1 after adding the error.
int CheckType(std::string_view type, int known, const Codelists& codelists,
              std::vector<FieldError>* errors) {
  if (known >= 0 && static_cast<size_t>(known) < codelists.intervention_types().size()) {
    return known;
  }
  if (const InterventionType* found = codelists.InterventionTypeByInputCode(type)) {
    return found->index;
  }
  errors->push_back(
      FieldError{"intervention_type",
                 internal::Cat("unknown intervention type ", QuoteSafe(type),
                               "; valid codes: ", codelists.JoinedInterventionTypeCodes())});
  return -1;
}

std::string MonthsRangeText() {
  return internal::Cat("must be a whole number from 0 to ", kMaxMonthsCovered);
}

void CheckMonths(int64_t months, std::vector<FieldError>* errors) {
  if (months < 0 || months > kMaxMonthsCovered) {
    errors->push_back(
        FieldError{"months_covered", internal::Cat(MonthsRangeText(), ", found ", months)});
  }
}

}  // namespace

bool LooksLikeWorkerId(std::string_view value) {
  if (value.size() == 16) {
    for (const char c : value) {
      if (!IsAsciiAlnum(c)) return false;
    }
    return true;
  }
  if (value.size() == 11) {
    for (const char c : value) {
      if (!IsAsciiDigit(c)) return false;
    }
    return true;
  }
  return false;
}

std::string NormalizeWorkerId(std::string_view worker_id) {
  return internal::AsciiToUpper(worker_id);
}

std::vector<FieldError> Validate(const ApplicationAuthorized& event, const Codelists& codelists,
                                 const Date& latest, CodeIndices* codes) {
  std::vector<FieldError> errors;
  CheckId("application_id", event.application_id, &errors);
  CheckDate("authorized_on", event.authorized_on, latest, &errors);
  const CodeIndices known = codes != nullptr ? *codes : CodeIndices{};
  const CodeIndices found{CheckRegion(event.region, known.region, codelists, &errors),
                          CheckType(event.intervention_type, known.type, codelists, &errors)};
  if (codes != nullptr) *codes = found;
  return errors;
}

std::vector<FieldError> Validate(const PaymentIssued& event, const Codelists& codelists,
                                 const Date& latest, CodeIndices* codes) {
  std::vector<FieldError> errors;
  CheckId("payment_id", event.payment_id, &errors);
  CheckWorkerId(event.worker_id, &errors);
  CheckDate("paid_on", event.paid_on, latest, &errors);
  const CodeIndices known = codes != nullptr ? *codes : CodeIndices{};
  const CodeIndices found{CheckRegion(event.region, known.region, codelists, &errors),
                          CheckType(event.intervention_type, known.type, codelists, &errors)};
  if (codes != nullptr) *codes = found;
  CheckMonths(event.months_covered, &errors);
  return errors;
}

std::vector<FieldError> ParseApplication(const RawApplication& raw, const Codelists& codelists,
                                         ApplicationAuthorized* out, const Date& latest) {
  std::vector<FieldError> errors;
  Date authorized_on;
  CheckId("application_id", raw.application_id, &errors);
  ParseDate("authorized_on", raw.authorized_on, latest, &authorized_on, &errors);
  CheckRegion(raw.region, -1, codelists, &errors);
  CheckType(raw.intervention_type, -1, codelists, &errors);
  if (!errors.empty()) return errors;
  out->application_id.assign(raw.application_id);
  out->authorized_on = authorized_on;
  out->region.assign(raw.region);
  out->intervention_type.assign(raw.intervention_type);
  return errors;
}

std::vector<FieldError> ParsePayment(const RawPayment& raw, const Codelists& codelists,
                                     PaymentIssued* out, const Date& latest) {
  std::vector<FieldError> errors;
  Date paid_on;
  CheckId("payment_id", raw.payment_id, &errors);
  CheckWorkerId(raw.worker_id, &errors);
  ParseDate("paid_on", raw.paid_on, latest, &paid_on, &errors);
  CheckRegion(raw.region, -1, codelists, &errors);
  CheckType(raw.intervention_type, -1, codelists, &errors);
  uint64_t months = 0;
  if (!internal::ParseDigits(raw.months_covered, &months)) {
    errors.push_back(FieldError{"months_covered", internal::Cat(MonthsRangeText(), ", found ",
                                                                QuoteSafe(raw.months_covered))});
  } else if (months > static_cast<uint64_t>(kMaxMonthsCovered)) {
    errors.push_back(FieldError{"months_covered", internal::Cat(MonthsRangeText(), ", found ",
                                                                QuoteSafe(raw.months_covered))});
  }
  if (!errors.empty()) return errors;
  out->payment_id.assign(raw.payment_id);
  out->worker_id.assign(raw.worker_id);
  for (char& c : out->worker_id) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  out->paid_on = paid_on;
  out->region.assign(raw.region);
  out->intervention_type.assign(raw.intervention_type);
  out->months_covered = static_cast<int64_t>(months);
  return errors;
}

std::string JoinFieldErrors(const std::vector<FieldError>& errors) {
  return absl::StrJoin(errors, "; ", [](std::string* out, const FieldError& error) {
    internal::CatAppend(out, error.field, ": ", error.reason);
  });
}

}  // namespace omnia::domain
