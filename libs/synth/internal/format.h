// Allocation-free text formatting shared by the event and CSV paths, so both agree byte for byte.
#ifndef OMNIA_LIBS_SYNTH_INTERNAL_FORMAT_H_
#define OMNIA_LIBS_SYNTH_INTERNAL_FORMAT_H_

#include <cstdint>

#include "libs/synth/generator.h"

namespace omnia::synth::internal {

inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the two digits of value (0..99); returns the end.
inline char* PutTwoDigits(int value, char* out) {
  out[0] = kDigitPairs[2 * value];
  out[1] = kDigitPairs[2 * value + 1];
  return out + 2;
}

// Writes prefix followed by number (<= kMaxEvents) zero-padded to kEventIdDigits digits; returns
// the end.
inline char* PutEventId(char prefix, uint64_t number, char* out) {
  static_assert(kEventIdDigits == 10, "the loop below writes five digit pairs");
  out[0] = prefix;
  for (int i = 4; i >= 0; --i) {
    PutTwoDigits(static_cast<int>(number % 100), out + 1 + 2 * i);
    number /= 100;
  }
  return out + 1 + kEventIdDigits;
}

// Writes "YYYY-MM-DD" (year 1000..9999); returns the end.
inline char* PutIsoDate(int year, int month, int day, char* out) {
  out = PutTwoDigits(year / 100, out);
  out = PutTwoDigits(year % 100, out);
  *out++ = '-';
  out = PutTwoDigits(month, out);
  *out++ = '-';
  return PutTwoDigits(day, out);
}

}  // namespace omnia::synth::internal

#endif  // OMNIA_LIBS_SYNTH_INTERNAL_FORMAT_H_
