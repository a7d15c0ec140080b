#include "libs/rpc/paging.h"

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace omnia::rpc {
namespace {

constexpr absl::string_view kTokenVersion = "t1";

}  // namespace

uint64_t RequestDigest(std::string_view request_fields) {
  uint64_t digest = 14695981039346656037ull;
  for (const char c : request_fields) {
    digest = (digest ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return digest;
}

std::string EncodePageToken(const PagePosition& position, uint64_t request_digest) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenVersion, ":",
                                                absl::Hex(request_digest, absl::kZeroPad16), ":",
                                                position.offset, ":", position.pinned));
}

absl::StatusOr<PagePosition> DecodePageToken(const std::string& token, uint64_t request_digest) {
  if (token.empty()) return PagePosition{};
  const auto refused = [] {
    return absl::InvalidArgumentError(
        "page_token: not a token returned by this service for this request (every field but "
        "page_size and page_token must be repeated unchanged)");
  };
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return refused();
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  PagePosition position;
  if (parts.size() != 4 || parts[0] != kTokenVersion ||
      parts[1] != absl::StrCat(absl::Hex(request_digest, absl::kZeroPad16)) ||
      !absl::SimpleAtoi(parts[2], &position.offset) ||
      !absl::SimpleAtoi(parts[3], &position.pinned)) {
    return refused();
  }
  return position;
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
