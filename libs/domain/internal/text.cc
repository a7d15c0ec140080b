#include "libs/domain/internal/text.h"

#include <cstring>
#include <limits>

namespace omnia::domain::internal {

namespace {

// A run of 11 or more letters and digits with some digits, or of 16 or more of any kind, could
// be (or hide) a codice fiscale or a numeric personal code, e.g. a worker id shifted into another
// column: such values are never echoed. Plain words ("MEZZOGIORNO") still are, so typos stay easy
// to spot.
bool HoldsPersonalCodeRun(std::string_view text) {
  size_t run = 0;
  size_t digits = 0;
  for (const char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool alnum = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    run = alnum ? run + 1 : 0;
    digits = alnum ? digits + (digit ? 1 : 0) : 0;
    if ((run >= 11 && digits >= 2) || run >= 16) return true;
  }
  return false;
}

constexpr char kWithheld[] = "(value withheld: it may contain personal data)";

}  // namespace

std::string Quote(std::string_view value) {
  // The whole value first (a run past the truncation is withheld too), the quoted form below.
  if (HoldsPersonalCodeRun(value)) return kWithheld;
  static constexpr char kHex[] = "0123456789ABCDEF";
  const bool truncated = value.size() > kMaxQuotedBytes;
  if (truncated) value = value.substr(0, kMaxQuotedBytes);
  std::string out;
  out.reserve(value.size() + 8);
  out.push_back('\'');
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      out.push_back(c);
    } else {
      out.append("\\x");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  if (truncated) out.append("...");
  out.push_back('\'');
  // An escape's last hex digit next to digits of the value can form such a run too ("\x80"
  // followed by ten zeros: found by fuzzing).
  if (HoldsPersonalCodeRun(out)) return kWithheld;
  return out;
}

namespace {

char UpperAscii(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (UpperAscii(a[i]) != UpperAscii(b[i])) return false;
  }
  return true;
}

std::string AsciiToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = UpperAscii(c);
  return out;
}

bool IsAsciiDigits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

bool ParseDigits(std::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t result = 0;
  for (const char c : text) {
    if (!IsAsciiDigit(c)) return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (result > (kMax - digit) / 10) return false;
    result = result * 10 + digit;
  }
  *value = result;
  return true;
}

size_t SplitFields(std::string_view line, std::string_view* fields, size_t capacity) {
  size_t count = 0;
  const char* begin = line.data();
  const char* const end = line.data() + line.size();
  while (true) {
    // memchr must not see a null pointer, which an empty view may carry.
    const void* found =
        begin == end ? nullptr : std::memchr(begin, ',', static_cast<size_t>(end - begin));
    const char* stop = found == nullptr ? end : static_cast<const char*>(found);
    if (count < capacity)
      fields[count] = std::string_view(begin, static_cast<size_t>(stop - begin));
    ++count;
    if (stop == end) break;
    begin = stop + 1;
  }
  return count;
}

}  // namespace omnia::domain::internal
