// Synthetic worker ids: well-formed codici fiscali that belong to nobody in particular.
//
// Worker index i of a dataset maps to a 16-character tax code (pattern LLLLLLDDLDDLDDDL, upper
// case, with a valid check character) through a seed-keyed bijection, so ids are unique for every
// index below kMaxSyntheticWorkers, look unrelated to each other, and differ between seeds.
#ifndef OMNIA_LIBS_SYNTH_WORKER_ID_H_
#define OMNIA_LIBS_SYNTH_WORKER_ID_H_

#include <cstdint>
#include <string>

namespace omnia::synth {

// Indices are scrambled within 40 bits, which the code's name/birth-date fields can hold.
inline constexpr uint64_t kMaxSyntheticWorkers = uint64_t{1} << 40;

// Number of characters of a codice fiscale.
inline constexpr int kWorkerIdLength = 16;

class WorkerIdFormatter {
 public:
  explicit WorkerIdFormatter(uint64_t seed);

  // Writes the 16 characters of worker `index` (< kMaxSyntheticWorkers) to out, no terminator.
  void Format(uint64_t index, char* out) const;

  std::string operator()(uint64_t index) const;

 private:
  uint64_t offset_;
  uint64_t town_key_;
};

// The codice fiscale of worker `index` in the dataset generated with `seed`.
std::string SyntheticWorkerId(uint64_t seed, uint64_t index);

// The check character (A..Z) of the first 15 characters of a codice fiscale, upper case.
char CodiceFiscaleCheckChar(const char* first15);

}  // namespace omnia::synth

#endif  // OMNIA_LIBS_SYNTH_WORKER_ID_H_
