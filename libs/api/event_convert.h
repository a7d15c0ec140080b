// StreamEvents batches between the proto and the ingest library: v1::EventBatch to RawEvents,
// and an ingest::BatchReport to the v1::BatchAck that answers it.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "libs/ingest/batch_intake.h"
#include "libs/ingest/event_log.h"
#include "omnia/v1/ingestion.pb.h"

namespace omnia::api {

// Proto events to domain events in `events`, reusing its strings from the previous batch of the
// stream (assigning into an existing std::string keeps its buffer), since allocation dominates
// this path. The indices of events without a kind are appended to `without_kind`.
void EventsFromProto(const v1::EventBatch& batch, std::vector<ingest::RawEvent>& events,
                     std::vector<uint64_t>& without_kind);

// The ack of `batch` reporting `report`.
v1::BatchAck AckFromReport(const v1::EventBatch& batch, const ingest::BatchReport& report);

// GetIngestionStatus from the log: its counters and position, and the producers the request asks
// for (by id, or one page of all of them in id order; the page token is the last id of the
// previous page). The caller adds what the log does not know (forwarding, backlog limit,
// rebuild). INVALID_ARGUMENT for a bad page size.
absl::Status IngestionStatusToProto(const ingest::EventLog& log,
                                    const v1::GetIngestionStatusRequest& request,
                                    v1::GetIngestionStatusResponse* response);

}  // namespace omnia::api
