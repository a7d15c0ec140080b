// Conversions between the omnia.v1 write messages of aggregation (Apply, ReplacePublishedCells)
// and the facts both ends share (libs/facts): what ingestion sends and aggregation applies,
// without the cube library. Every error of a *FromProto is INVALID_ARGUMENT naming the field
// path, e.g. "events[12].payment.worker_pseudonym".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/facts/event_records.h"
#include "libs/facts/facts.h"
#include "omnia/v1/aggregation.pb.h"

namespace omnia::api {

absl::StatusOr<facts::FactBatch> FactBatchFromProto(const v1::ApplyRequest& request,
                                                    const domain::Codelists& codelists);
// How a FactBatch's events travel: one CubeEvent message each (understood by every aggregation
// server), in CubeEventColumns' packed columns (a fraction of the bytes and parsing work; only for
// a server whose GetCubeStats says accepts_event_columns), or in its fixed-width records (no
// per-value encoding at all; only for a server that says accepts_event_records).
enum class EventEncoding { kMessages, kColumns, kRecords };

// DATA_LOSS, naming the event, when a fact's region or type index is outside the codelists (a
// damaged log entry): nothing is sent rather than another cell.
absl::StatusOr<v1::ApplyRequest> FactBatchToProto(const facts::FactBatch& batch,
                                                  const domain::Codelists& codelists,
                                                  EventEncoding encoding);

// The request carrying `batch`'s records as they are (columns.application_records and
// payment_records), with every code of the codelists in index order. DATA_LOSS, naming the
// event, when a record's region or type is outside the codelists (a damaged log entry).
absl::StatusOr<v1::ApplyRequest> RecordBatchToProto(facts::RecordBatch batch,
                                                    const domain::Codelists& codelists);

struct PublishedRevision {
  std::string producer;
  uint64_t sequence = 0;
  std::optional<uint64_t> previous_sequence;
  domain::Measure measure = domain::Measure::kApplications;
  std::vector<int> years;
  std::vector<facts::PublishedCell> cells;
};
absl::StatusOr<PublishedRevision> PublishedRevisionFromProto(
    const v1::ReplacePublishedCellsRequest& request, const domain::Codelists& codelists);
v1::ReplacePublishedCellsRequest PublishedRevisionToProto(const PublishedRevision& revision,
                                                          const domain::Codelists& codelists);

}  // namespace omnia::api
