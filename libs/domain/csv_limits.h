// Limits shared by the CSV readers.
#ifndef OMNIA_LIBS_DOMAIN_CSV_LIMITS_H_
#define OMNIA_LIBS_DOMAIN_CSV_LIMITS_H_

#include <cstddef>

namespace omnia::domain {

// Longest accepted line, in bytes before the line feed (real lines are 40 to 100 bytes). Bounds
// what a hostile input can make a reader buffer.
inline constexpr size_t kMaxCsvLineBytes = 4096;

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_CSV_LIMITS_H_
