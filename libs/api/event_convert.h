// StreamEvents batches between the proto and the ingest library: v1::EventBatch to RawEvents,
// and an ingest::BatchReport to the v1::BatchAck that answers it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/domain/codelists.h"
#include "libs/domain/events.h"
#include "libs/ingest/batch_intake.h"
#include "libs/ingest/event_log.h"
#include "omnia/v1/ingestion.pb.h"

namespace omnia::api {

// Where a batch's events came from, in batch order: its Event messages, then the rows of its
// application columns, then those of its payment columns.
struct BatchLayout {
  uint64_t messages = 0;
  uint64_t application_rows = 0;
  uint64_t payment_rows = 0;
};

// A StreamEvents batch read into domain events.
struct ReadBatch {
  BatchLayout layout;
  // What could not be read as events (an event without a kind, columns of the wrong shape, a
  // position beyond the codes listed, too many events), named as the producer sent it.
  std::vector<ingest::Violation> malformed;
  // Events sent but not read into `events` (the batch is rejected when there are any).
  uint64_t unread_events = 0;
};

// Proto events and columns to domain events in `events`, in batch order, reusing its strings
// from the previous batch of the stream (assigning into an existing std::string keeps its
// buffer), since allocation dominates this path. Nothing is read from a batch of more than
// ingest::kMaxEventsPerBatch events or of more than ingest::kMaxBatchBytes encoded bytes.
//
// With `resolve`, the codes the columns list are looked up once per batch: `resolve->codes` gets
// one entry per event read, holding the codelist positions of its region and type when its
// columns' listed code was found (that event's code string is then left empty), -1 otherwise
// (Event messages, and codes not found, which keep their text for the check to report).
struct CodeResolution {
  const domain::Codelists& codelists;
  std::vector<domain::CodeIndices>& codes;
};
ReadBatch EventsFromProto(const v1::EventBatch& batch, std::vector<ingest::RawEvent>& events,
                          const CodeResolution* resolve = nullptr);

// The path of an event's field as the producer sent it: "payment_issued.region" for an Event
// message, "payment_columns.regions" for a row of the columns (the domain's `field`, e.g.
// "region", names the same value in both).
std::string EventFieldPath(const v1::EventBatch& batch, const BatchLayout& layout,
                           uint64_t event_index, std::string_view field);

// The ack of `batch` reporting `report`.
v1::BatchAck AckFromReport(const v1::EventBatch& batch, const ingest::BatchReport& report);

// GetIngestionStatus from the log: its counters and position, and one page of the producers the
// request asks for (those of producer_ids that exist, or all), in producer_id order, repeats
// listed once. The caller adds what the log does not know (forwarding, backlog limit, rebuild).
// INVALID_ARGUMENT for a bad page size, or for a page token that is malformed or was returned for
// other producer_ids.
absl::Status IngestionStatusToProto(const ingest::EventLog& log,
                                    const v1::GetIngestionStatusRequest& request,
                                    v1::GetIngestionStatusResponse* response);

}  // namespace omnia::api
