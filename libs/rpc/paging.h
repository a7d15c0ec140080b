// Paging conventions of every omnia.v1 listing (common.proto): page sizes with a default and a
// maximum, and opaque page tokens holding a position in a deterministic result order, tied to
// the request they were returned for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace omnia::rpc {

// Where the next page starts, and what the first page fixed that the later ones must reuse
// (e.g. the end of a default period range, so that data arriving between pages does not shift
// them); 0 when nothing is fixed.
struct PagePosition {
  uint64_t offset = 0;
  uint64_t pinned = 0;
};

// A digest of the request fields a token is tied to (every field but page_size and page_token,
// e.g. their serialization): FNV-1a, the same in every process.
uint64_t RequestDigest(std::string_view request_fields);

// An opaque token for `position` in the result of the request with `request_digest`.
std::string EncodePageToken(const PagePosition& position, uint64_t request_digest);

// The position in `token`: {0, 0} for an empty token (the first page). INVALID_ARGUMENT naming
// page_token when the token is malformed or was returned for a request with other fields.
absl::StatusOr<PagePosition> DecodePageToken(const std::string& token, uint64_t request_digest);

// page_size 0 means `default_size`, a value above `max_size` is lowered to it (common.proto),
// a negative one is INVALID_ARGUMENT.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

}  // namespace omnia::rpc
