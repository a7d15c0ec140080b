#include "libs/storage/key_codec.h"

#include "absl/strings/str_cat.h"

namespace omnia::storage {

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void WriteBigEndian(char* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out[i] = static_cast<char>((value >> (8 * (bytes - 1 - i))) & 0xff);
  }
}

std::string BigEndian(uint64_t value, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  WriteBigEndian(out.data(), value, bytes);
  return out;
}

uint64_t ReadBigEndian(const char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

uint64_t ReadBigEndian(std::string_view bytes) {
  return ReadBigEndian(bytes.data(), static_cast<int>(bytes.size()));
}

absl::StatusOr<uint64_t> ReadStoredInteger(std::string_view stored, int bytes,
                                           std::string_view what) {
  if (stored.size() != static_cast<size_t>(bytes)) {
    return absl::DataLossError(absl::StrCat(std::string(what), ": the stored value has ",
                                            stored.size(), " bytes instead of ", bytes));
  }
  return ReadBigEndian(stored);
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  // A trailing 0xFF cannot be incremented: every key after the prefix's keys is past the shorter
  // prefix's keys too.
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

}  // namespace omnia::storage
