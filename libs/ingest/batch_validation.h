// Validation of one StreamEvents batch at the ingestion boundary: every event is checked field
// by field, and only when the whole batch is valid are worker ids pseudonymised into the form the
// log stores. A batch with any invalid event is rejected whole.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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

// Largest encoded StreamEvents batch (ingestion.proto: "the encoded batch must not exceed 4 MiB").
// The transport takes larger messages, so that such a batch is answered by its ack and the
// stream goes on.
inline constexpr size_t kMaxBatchBytes = size_t{4} << 20;

// Why a batch of `bytes` encoded bytes is refused.
std::string BatchSizeReason(size_t bytes);

// Why a batch of `events` events is refused when it holds none or more than kMaxEventsPerBatch.
std::string EventCountReason(uint64_t events);

// Names a field of the event at `event_index` as the producer's message spells it, e.g.
// (3, "region") -> "payment_issued.region" (the domain's names are the events' own: "region",
// "paid_on", ...). Empty: the domain's names are kept.
using FieldPath = std::function<std::string(uint64_t event_index, std::string_view field)>;

// Dates after `latest` (the server passes today's date in Italy) are violations. `resolved`, when
// given, holds one entry per event: codelist positions already found for its region and type
// (see domain::Validate), -1 where the event's code text is to be looked up.
BatchCheck CheckBatch(const std::string& producer_id, uint64_t sequence,
                      const std::vector<RawEvent>& events, const domain::Codelists& codelists,
                      const Pseudonymizer& pseudonymizer, size_t max_violations = 100,
                      const domain::Date& latest = domain::kLatestDate,
                      const FieldPath& field_path = {},
                      const std::vector<domain::CodeIndices>* resolved = nullptr);

// "events[3].region: unknown region 'X'; events[9].paid_on: ...; and 12 more", for the status
// message of a rejected batch.
std::string DescribeViolations(const std::vector<Violation>& violations, uint64_t omitted);
inline std::string DescribeViolations(const BatchCheck& check) {
  return DescribeViolations(check.violations, check.violations_omitted);
}

// Converts validated events to the log form (pseudonymising payments); events must be valid.
LoggedEvent ToLogged(const RawEvent& event, const domain::Codelists& codelists,
                     Pseudonymizer::Session& pseudonymizer);
// As above, with the codes' positions the event's validation found.
LoggedEvent ToLogged(const RawEvent& event, const domain::CodeIndices& codes,
                     Pseudonymizer::Session& pseudonymizer);

}  // namespace omnia::ingest
