// Counter-based pseudo-random numbers for the synthetic generator.
//
// Every random choice is a pure function of (seed, stream, index): an event's attributes never
// depend on how many events were generated before it, in which order or on which thread. That is
// what makes the output byte-identical across runs, platforms and writer strategies. Only integer
// arithmetic is used (no <random> distributions, whose output is implementation-defined, and no
// floating point).
#ifndef OMNIA_LIBS_SYNTH_INTERNAL_RANDOM_H_
#define OMNIA_LIBS_SYNTH_INTERNAL_RANDOM_H_

#include <cstdint>

namespace omnia::synth::internal {

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// The output function of splitmix64 (a bijection of 64-bit integers with good avalanche).
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// a * b / c without intermediate overflow; c must not be zero.
constexpr uint64_t MulDiv(uint64_t a, uint64_t b, uint64_t c) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b / c);
}

// splitmix64: tiny, fast, and good enough for sampling; its state is a plain counter so a
// generator for any position of any stream can be made in O(1).
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(uint64_t state) : state_(state) {}

  // The generator for item `index` of the stream identified by `key`.
  static constexpr SplitMix64 At(uint64_t key, uint64_t index) {
    return SplitMix64(Mix64(key + (index + 1) * kGoldenGamma));
  }

  constexpr uint64_t Next() {
    state_ += kGoldenGamma;
    return Mix64(state_);
  }

  // Uniform in [0, bound) by multiply-shift; the bias (below bound / 2^64) is irrelevant here and
  // the result is the same everywhere. bound 0 gives 0.
  constexpr uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

// Derives independent stream keys from the user's seed, one per purpose.
constexpr uint64_t StreamKey(uint64_t seed, uint64_t purpose) {
  return Mix64(Mix64(seed ^ 0x6f6d6e6961ULL) + purpose * kGoldenGamma);
}

}  // namespace omnia::synth::internal

#endif  // OMNIA_LIBS_SYNTH_INTERNAL_RANDOM_H_
