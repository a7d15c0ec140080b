#include "libs/rpc/paging.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace omnia::rpc {

std::string EncodePageToken(uint64_t offset) { return absl::StrCat("o", offset); }

absl::StatusOr<uint64_t> DecodePageToken(const std::string& token) {
  if (token.empty()) return 0;
  uint64_t offset = 0;
  if (token[0] != 'o' || !absl::SimpleAtoi(absl::string_view(token).substr(1), &offset)) {
    return absl::InvalidArgumentError("page_token: not a token returned by this service");
  }
  return offset;
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative (0 for the default, at most ", max_size,
                     " are returned)"));
  }
  if (requested == 0) return default_size;
  return std::min(requested, max_size);  // common.proto: lowered to the maximum
}

}  // namespace omnia::rpc
