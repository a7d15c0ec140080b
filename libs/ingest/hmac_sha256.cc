#include "libs/ingest/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>

namespace omnia::ingest {
namespace {

struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};

// A failure on a context that was keyed successfully means memory or the library is broken;
// going on would hand out a wrong pseudonym, which is worse than stopping.
void CheckOrAbort(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "HMAC-SHA256: %s failed\n", what);
  std::abort();
}

}  // namespace

void MacContextFree::operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }

absl::StatusOr<HmacSha256> HmacSha256::Create(std::string_view key) {
  const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (mac == nullptr) return absl::InternalError("OpenSSL offers no HMAC");
  MacContextPtr keyed(EVP_MAC_CTX_new(mac.get()));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (keyed == nullptr ||
      EVP_MAC_init(keyed.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    return absl::InternalError("cannot key HMAC-SHA256");
  }
  return HmacSha256(std::move(keyed));
}

HmacSha256::Message HmacSha256::Start() const {
  MacContextPtr copy(EVP_MAC_CTX_dup(keyed_.get()));
  CheckOrAbort(copy != nullptr, "copying the keyed state");
  return Message(std::move(copy));
}

void HmacSha256::Message::Update(std::string_view bytes) {
  CheckOrAbort(EVP_MAC_update(context_.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size()) == 1,
               "update");
}

HmacSha256::Digest HmacSha256::Message::Finish() {
  Digest out;
  size_t length = 0;
  CheckOrAbort(EVP_MAC_final(context_.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                             out.size()) == 1 &&
                   length == out.size(),
               "final");
  // Re-initialising without a key restarts from the keyed state the context keeps.
  CheckOrAbort(EVP_MAC_init(context_.get(), nullptr, 0, nullptr) == 1, "restart");
  return out;
}

HmacSha256::Digest HmacSha256::Of(std::string_view message) const {
  Message m = Start();
  m.Update(message);
  return m.Finish();
}

}  // namespace omnia::ingest
