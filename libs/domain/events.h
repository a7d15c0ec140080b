// The two raw administrative events of the micro-data path and their validation.
//
// Two entry points per event type:
// - Validate(event, codelists) checks an already typed event (dates as Date, months as an integer),
//   e.g. one built from a proto whose dates are year/month/day messages.
// - ParseApplication / ParsePayment take every field as the text that arrived (a CSV row, or proto
//   string fields), convert it, validate it with the same rules and fill the typed event.
// Both report every failing field (not just the first) as FieldError{field, reason}, where field is
// the CSV column / proto field name. Codes are matched exactly (region = INPS label such as
// "EMILIA_ROMAGNA", type = code such as "CIGO"): events are stored as they are, so only canonical
// codes are let in; the reason suggests the canonical code when the value is a known alias.
//
// worker_id is personal data (a codice fiscale). No reason text ever contains it, and any other
// field value that looks like one is withheld from reasons too, in case columns were swapped.
#ifndef OMNIA_LIBS_DOMAIN_EVENTS_H_
#define OMNIA_LIBS_DOMAIN_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libs/domain/codelists.h"
#include "libs/domain/period.h"

namespace omnia::domain {

// An application for wage supplementation authorised by INPS; counted in APPLICATIONS in the month
// of authorisation.
struct ApplicationAuthorized {
  std::string application_id;
  Date authorized_on;
  std::string region;             // region code as sent (INPS label in any case, ISTAT code)
  std::string intervention_type;  // intervention type code as sent (any case)

  friend bool operator==(const ApplicationAuthorized&, const ApplicationAuthorized&) = default;
};

// A direct payment to a worker; counted in WORKERS (distinct worker_id) and BENEFIT_MONTHS (sum of
// months_covered) in the month of payment.
struct PaymentIssued {
  std::string payment_id;
  std::string worker_id;  // codice fiscale; personal data, see the file comment
  Date paid_on;
  std::string region;             // region code as sent (INPS label in any case, ISTAT code)
  std::string intervention_type;  // intervention type code as sent (any case)
  int64_t months_covered = 0;

  friend bool operator==(const PaymentIssued&, const PaymentIssued&) = default;
};

// One failing field of an event.
struct FieldError {
  std::string field;   // "application_id", "authorized_on", "region", ...
  std::string reason;  // why it fails; never contains a worker id

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// Event ids (application_id, payment_id) are 1..kMaxIdBytes bytes of printable ASCII (0x21 to
// 0x7E) without commas or double quotes (ingestion.proto), so they travel unquoted in the raw
// CSV files; the log stores them length-prefixed and messages escape what they quote.
inline constexpr size_t kMaxIdBytes = 64;

// Upper bound of months_covered (ingestion.proto and aggregation.proto: 0 to 60). Five years of
// arrears settled in one payment is the most the contract takes; a larger value is a unit mistake
// (days or hours typed as months) that would silently inflate BENEFIT_MONTHS.
inline constexpr int64_t kMaxMonthsCovered = 60;

// The codelist positions of an event's region and intervention type; -1 for one not found.
struct CodeIndices {
  int region = -1;
  int type = -1;
};

// Checks every field of a typed event. Dates must be real calendar dates from kMinYear up to
// `latest` (the server passes today's date in Italy, see ItalianDate). When `codes` is given it
// receives the positions the check found, so that a caller converting the event need not look
// the codes up again; a position it already holds (one of the codelist's, not -1) is taken as
// found without a lookup, the event's code text then unused (a reader that resolved the code
// once for many events).
std::vector<FieldError> Validate(const ApplicationAuthorized& event, const Codelists& codelists,
                                 const Date& latest = kLatestDate, CodeIndices* codes = nullptr);
std::vector<FieldError> Validate(const PaymentIssued& event, const Codelists& codelists,
                                 const Date& latest = kLatestDate, CodeIndices* codes = nullptr);

// Events as text, exactly as received. Views must outlive the Parse* call only.
struct RawApplication {
  std::string_view application_id;
  std::string_view authorized_on;  // "YYYY-MM-DD"
  std::string_view region;
  std::string_view intervention_type;
};

struct RawPayment {
  std::string_view payment_id;
  std::string_view worker_id;
  std::string_view paid_on;  // "YYYY-MM-DD"
  std::string_view region;
  std::string_view intervention_type;
  std::string_view months_covered;  // decimal digits, e.g. "3"
};

// Converts and validates. Returns the failing fields; when the result is empty *out holds the
// event (its strings are assigned in place, so reusing one output object avoids allocations on hot
// paths). The worker id is stored in upper case: a codice fiscale is case-insensitive and the same
// person must map to the same pseudonym.
std::vector<FieldError> ParseApplication(const RawApplication& raw, const Codelists& codelists,
                                         ApplicationAuthorized* out,
                                         const Date& latest = kLatestDate);
std::vector<FieldError> ParsePayment(const RawPayment& raw, const Codelists& codelists,
                                     PaymentIssued* out, const Date& latest = kLatestDate);

// True for 16 ASCII letters/digits (a codice fiscale, any case) or 11 digits (the numeric
// provisional code).
bool LooksLikeWorkerId(std::string_view value);

// Canonical form of a worker id: upper case. Use before pseudonymising.
std::string NormalizeWorkerId(std::string_view worker_id);

// "field: reason; field: reason", for status messages.
std::string JoinFieldErrors(const std::vector<FieldError>& errors);

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_EVENTS_H_
