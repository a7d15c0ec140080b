// Validation of one StreamEvents batch at the ingestion boundary: every event is checked field
// by field, and only when the whole batch is valid are worker ids pseudonymised into the form the
// log stores. A batch with any invalid event is rejected whole.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "libs/domain/codelists.h"
#include "libs/domain/events.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/pseudonymizer.h"

namespace omnia::ingest {

using RawEvent = std::variant<domain::ApplicationAuthorized, domain::PaymentIssued>;

// One invalid field of one event. Never holds a worker id.
struct Violation {
  uint64_t event_index = 0;
  std::string event_id;  // application_id or payment_id as received (empty if missing)
  std::string field;
  std::string reason;
};

struct BatchCheck {
  // The batch as the log takes it; meaningful only when `violations` is empty.
  IncomingBatch batch;
  // The first `max_violations` invalid fields, in event order.
  std::vector<Violation> violations;
  // Invalid fields beyond those listed.
  uint64_t violations_omitted = 0;
};

// Maximum events per StreamEvents batch (documented in ingestion.proto).
inline constexpr size_t kMaxEventsPerBatch = 10000;

// Dates after `latest` (the server passes today's date in Italy) are violations.
BatchCheck CheckBatch(const std::string& producer_id, uint64_t sequence,
                      const std::vector<RawEvent>& events, const domain::Codelists& codelists,
                      const Pseudonymizer& pseudonymizer, size_t max_violations = 100,
                      const domain::Date& latest = domain::kLatestDate);

// "events[3].region: unknown region 'X'; events[9].paid_on: ...; and 12 more", for the status
// message of a rejected batch.
std::string DescribeViolations(const BatchCheck& check);

// Converts validated events to the log form (pseudonymising payments); events must be valid.
LoggedEvent ToLogged(const RawEvent& event, const domain::Codelists& codelists,
                     Pseudonymizer::Session& pseudonymizer);

}  // namespace omnia::ingest
