#include "libs/catalogue/internal/page_token.h"

#include "absl/strings/escaping.h"
#include "libs/base/string_view.h"

namespace omnia::catalogue {
namespace {

// Tokens travel in requests: a bound keeps a hostile token from costing real work.
constexpr size_t kMaxTokenBytes = 4096;

}  // namespace

std::string EncodePageToken(const google::protobuf::MessageLite& token) {
  return absl::WebSafeBase64Escape(token.SerializeAsString());
}

bool DecodePageToken(std::string_view text, google::protobuf::MessageLite* token) {
  if (text.empty() || text.size() > kMaxTokenBytes) return false;
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(AsAbsl(text), &bytes)) return false;
  return token->ParseFromString(bytes);
}

}  // namespace omnia::catalogue
