// Conversions between the omnia.v1 cube messages and the cube library, shared by the services
// that speak them (aggregation serves them, ingestion and the exporter call them). Every error
// is INVALID_ARGUMENT naming the field path, e.g. "events[12].payment.worker_pseudonym".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/cube/cube_store.h"
#include "libs/cube/engine.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/aggregation.pb.h"
#include "omnia/v1/common.pb.h"

namespace omnia::api {

absl::StatusOr<facts::FactBatch> FactBatchFromProto(const v1::ApplyRequest& request,
                                                    const domain::Codelists& codelists);
// How a FactBatch's events travel: one CubeEvent message each (understood by every aggregation
// server), or in CubeEventColumns (a fraction of the bytes and parsing work; only for a server
// whose GetCubeStats says accepts_event_columns).
enum class EventEncoding { kMessages, kColumns };

// DATA_LOSS, naming the event, when a fact's region or type index is outside the codelists (a
// damaged log entry): nothing is sent rather than another cell.
absl::StatusOr<v1::ApplyRequest> FactBatchToProto(const facts::FactBatch& batch,
                                                  const domain::Codelists& codelists,
                                                  EventEncoding encoding);

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

// `latest_month` fills an unset period range's end (the latest month holding data).
absl::StatusOr<cube::CubeQuery> CubeQueryFromProto(
    const v1::CellQuery& query, const domain::Codelists& codelists,
    const std::optional<domain::YearMonth>& latest_month);

void CellToProto(const cube::QueryCell& cell, const domain::Codelists& codelists, v1::Cell* out);
// The inverse, for clients that render cells (the exporter); codes must be known.
absl::StatusOr<cube::QueryCell> CellFromProto(const v1::Cell& cell,
                                              const domain::Codelists& codelists);

void ReleaseToProto(const cube::ReleaseInfo& release, v1::CubeRelease* out);

v1::PeriodLevel PeriodLevelToProto(domain::PeriodLevel level);
v1::RegionLevel RegionLevelToProto(cube::RegionLevel level);
v1::TypeLevel TypeLevelToProto(cube::TypeLevel level);

// Opaque page tokens: an offset into a deterministic result order.
std::string EncodePageToken(uint64_t offset);
absl::StatusOr<uint64_t> DecodePageToken(const std::string& token);
// page_size 0 means `default_size`; above `max_size` or negative is INVALID_ARGUMENT.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

}  // namespace omnia::api
