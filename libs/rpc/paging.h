// Paging conventions of every omnia.v1 listing: opaque page tokens (an offset into a
// deterministic result order) and page sizes with a default and a maximum.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace omnia::rpc {

std::string EncodePageToken(uint64_t offset);
absl::StatusOr<uint64_t> DecodePageToken(const std::string& token);
// page_size 0 means `default_size`, a value above `max_size` is lowered to it (common.proto),
// a negative one is INVALID_ARGUMENT.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

}  // namespace omnia::rpc
