// Pseudonymisation of worker identifiers at the ingestion boundary: HMAC-SHA256 under a secret
// key that lives outside the repository (a file or an environment variable). The clear
// identifier is used only inside Pseudonymise() and PseudonymiseAll() (which wipes its upper-cased
// copies) and never stored, logged or forwarded.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/facts/facts.h"
#include "libs/ingest/hmac_sha256.h"

namespace omnia::ingest {

// A pseudonym is the HMAC digest itself: the facts the cubes read carry it unchanged.
static_assert(std::is_same_v<HmacSha256::Digest, facts::Pseudonym>);

class Pseudonymizer {
 public:
  // At least 32 bytes of key material, so the pseudonyms cannot be brute-forced from the small
  // space of valid codici fiscali.
  static constexpr size_t kMinKeyBytes = 32;

  static absl::StatusOr<std::unique_ptr<Pseudonymizer>> Create(std::string_view key);

  // HMAC-SHA256(key, upper-cased worker id): the same person gives the same pseudonym however
  // the producer cased the codice fiscale. Thread-safe.
  facts::Pseudonym Pseudonymise(std::string_view worker_id) const;

  // out[i] = Pseudonymise(worker_ids[i]) for every i (the spans have the same size): a batch's
  // ids hashed side by side where the build can (see HmacSha256::DigestAll). Thread-safe.
  void PseudonymiseAll(absl::Span<const std::string_view> worker_ids,
                       absl::Span<facts::Pseudonym> out) const;

  // Pseudonymises many ids in turn on one thread, reusing one keyed context: a batch of
  // thousands of payments then allocates no context per id.
  class Session {
   public:
    facts::Pseudonym Pseudonymise(std::string_view worker_id);

   private:
    friend class Pseudonymizer;
    explicit Session(HmacSha256::Message message) : message_(std::move(message)) {}
    HmacSha256::Message message_;
  };
  Session StartSession() const { return Session(hmac_.Start()); }

  // 64 hex digits that identify the key without revealing it: the HMAC of a fixed label that no
  // worker id can equal. The event log keeps it to refuse a restart with another key.
  std::string KeyFingerprint() const;

 private:
  explicit Pseudonymizer(HmacSha256 hmac) : hmac_(std::move(hmac)) {}
  HmacSha256 hmac_;
};

// Reads the key from the file at `path` when it is non-empty, else from the environment variable
// `env_var`; trailing newlines of a file are dropped. Errors never include the key.
absl::StatusOr<std::string> LoadSecret(const std::string& path, const std::string& env_var);

}  // namespace omnia::ingest
