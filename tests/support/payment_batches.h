// Valid event batches for tests that only need some events in the pipeline: payments of 2024 in
// two regions, one intervention type, ten workers.
#pragma once

#include <cstdint>
#include <string>

#include "omnia/v1/ingestion.pb.h"

namespace omnia::testing {

// Batch `sequence` of `producer_id` with the payments numbered first .. first + count - 1 (their
// ids "P<number>", so distinct numbers are distinct events).
v1::EventBatch PaymentBatch(const std::string& producer_id, uint64_t sequence, int first,
                            int count);

}  // namespace omnia::testing
