#include "libs/ingest/hmac_sha256.h"

#include <string.h>

namespace omnia::ingest {

absl::StatusOr<HmacSha256> HmacSha256::Create(std::string_view key) {
  HmacSha256 hmac;
  hmac_sha256_set_key(&hmac.keyed_, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
  return hmac;
}

HmacSha256::~HmacSha256() { explicit_bzero(&keyed_, sizeof(keyed_)); }

HmacSha256::Message::~Message() { explicit_bzero(&context_, sizeof(context_)); }

void HmacSha256::Message::Update(std::string_view bytes) {
  hmac_sha256_update(&context_, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
}

HmacSha256::Digest HmacSha256::Message::Finish() {
  Digest out;
  // Nettle's digest also restarts the context from its keyed inner state.
  hmac_sha256_digest(&context_, out.size(), reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

HmacSha256::Digest HmacSha256::Of(std::string_view message) const {
  Message m = Start();
  m.Update(message);
  return m.Finish();
}

}  // namespace omnia::ingest
