// Small text helpers shared by the domain parsers and validators. Not part of the public API.
#ifndef OMNIA_LIBS_DOMAIN_INTERNAL_TEXT_H_
#define OMNIA_LIBS_DOMAIN_INTERNAL_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace omnia::domain::internal {

// This toolchain's abseil is built with its own string_view class (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), so views cross the boundary explicitly.
inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view FromAbsl(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

inline void AppendPiece(std::string* out, std::string_view piece) { out->append(piece); }
inline void AppendPiece(std::string* out, const std::string& piece) { out->append(piece); }
inline void AppendPiece(std::string* out, const char* piece) { out->append(piece); }
inline void AppendPiece(std::string* out, absl::string_view piece) {
  out->append(piece.data(), piece.size());
}
template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool> &&
         !std::is_same_v<T, char>) void AppendPiece(std::string* out, T value) {
  out->append(std::to_string(value));
}

// Concatenates strings (std or absl views) and integers; absl::StrCat does not take std views
// here.
template <typename... Pieces>
std::string Cat(const Pieces&... pieces) {
  std::string out;
  (AppendPiece(&out, pieces), ...);
  return out;
}

template <typename... Pieces>
void CatAppend(std::string* out, const Pieces&... pieces) {
  (AppendPiece(out, pieces), ...);
}

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// ASCII upper-case copy.
std::string AsciiToUpper(std::string_view s);

// Longest piece of an input value echoed back in an error message. Inputs can be hostile or huge;
// a bounded, escaped echo keeps messages readable and logs safe.
inline constexpr size_t kMaxQuotedBytes = 64;

// Returns value in single quotes, truncated to kMaxQuotedBytes (with "..." appended when cut) and
// with bytes outside printable ASCII written as \xHH. A value holding a run of 11 or more ASCII
// letters and digits (at least two of them digits), or of 16 or more of any kind, could carry a
// worker id and is replaced by a "withheld" note.
std::string Quote(std::string_view value);

inline constexpr bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

inline constexpr bool IsAsciiAlnum(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// True when text is non-empty and made only of ASCII digits.
bool IsAsciiDigits(std::string_view text);

// Parses a non-empty run of ASCII digits (no sign, no spaces). Returns false on any other byte or
// when the value does not fit in 64 bits.
bool ParseDigits(std::string_view text, uint64_t* value);

// Splits line at commas (the layouts handled here have no quoting). Stores up to `capacity` fields
// and returns how many fields the line really has, so the caller can report a wrong count.
size_t SplitFields(std::string_view line, std::string_view* fields, size_t capacity);

}  // namespace omnia::domain::internal

#endif  // OMNIA_LIBS_DOMAIN_INTERNAL_TEXT_H_
