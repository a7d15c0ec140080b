// The event log's hashes: the stored content fingerprints of events, and the keyed hashes that
// represent an event id in the in-memory deduplication index (see event_log.h).
//
// The content fingerprints are stored, so Hash64, the content seeds and the record layouts they
// cover are part of the storage format: changing any of them would turn every re-sent event into
// a conflict. The construction is a chain of a full 64-bit mixing bijection (the SplitMix64
// finaliser) over the input's little-endian words. The id hashes (see HashId) are keyed and not
// stored: the index is rebuilt at Open.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/ingest/event_log.h"

namespace omnia::ingest::internal {

inline constexpr uint64_t kApplicationContentSeed = 0xa4093822299f31d0ull;
inline constexpr uint64_t kPaymentContentSeed = 0x082efa98ec4e6c89ull;

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

inline uint64_t LoadLittleEndian(const char* p, size_t n) {
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) value |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return value;
}

inline uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  uint64_t h = Mix(seed ^ (bytes.size() * 0x9e3779b97f4a7c15ull));
  const char* p = bytes.data();
  size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) h = Mix(h ^ LoadLittleEndian(p, 8));
  if (n > 0) h = Mix(h ^ LoadLittleEndian(p, n));
  return h;
}

// The two independent hashes of (kind, id) that represent an id in the index.
struct IdHashes {
  uint64_t slot;
  uint32_t check;
};

// SipHash-2-4 with a 128-bit output under the log's secret key (one key per id space), so that
// ids crafted to share a slot cannot be computed by someone who has not read the log's store.
inline IdHashes HashId(const std::array<unsigned char, 16>& key, std::string_view id) {
  static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16);
  unsigned char out[crypto_shorthash_siphashx24_BYTES];
  crypto_shorthash_siphashx24(out, reinterpret_cast<const unsigned char*>(id.data()), id.size(),
                              key.data());
  return {LoadLittleEndian(reinterpret_cast<const char*>(out), 8),
          static_cast<uint32_t>(LoadLittleEndian(reinterpret_cast<const char*>(out) + 8, 4))};
}

// The fingerprint of an event's encoded record (see EncodeRecord), stored with its id.
inline uint64_t ContentFingerprint(EventKind kind, std::string_view record) {
  return Hash64(record,
                kind == EventKind::kApplication ? kApplicationContentSeed : kPaymentContentSeed);
}

}  // namespace omnia::ingest::internal
