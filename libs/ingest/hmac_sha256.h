// HMAC-SHA256 (RFC 2104) through OpenSSL 3's EVP_MAC, with the key schedule done once: each
// message starts from a copy of the keyed state, which saves the two key-block compressions a
// one-shot HMAC repeats per call.
#pragma once

#include <openssl/types.h>

#include <array>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"

namespace omnia::ingest {

struct MacContextFree {
  void operator()(EVP_MAC_CTX* context) const;
};
using MacContextPtr = std::unique_ptr<EVP_MAC_CTX, MacContextFree>;

class HmacSha256 {
 public:
  using Digest = std::array<char, 32>;

  // Any key length works (a key longer than a block is hashed first, as RFC 2104 says).
  static absl::StatusOr<HmacSha256> Create(std::string_view key);

  // One message fed in pieces: Update as often as needed, then Finish. Finish also starts the
  // next message under the same key, so one Message serves many in turn without a new context.
  class Message {
   public:
    void Update(std::string_view bytes);
    Digest Finish();

   private:
    friend class HmacSha256;
    explicit Message(MacContextPtr context) : context_(std::move(context)) {}
    MacContextPtr context_;
  };

  // A message under this key. Thread-safe: the keyed state is only read.
  Message Start() const;

  // The digest of `message` in one call.
  Digest Of(std::string_view message) const;

 private:
  explicit HmacSha256(MacContextPtr keyed) : keyed_(std::move(keyed)) {}
  MacContextPtr keyed_;
};

}  // namespace omnia::ingest
