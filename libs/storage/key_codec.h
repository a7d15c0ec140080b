// Building blocks of ordered storage keys (and of the fixed-width fields of stored values):
// unsigned integers written big-endian in a fixed number of bytes, whose byte order is their
// numeric order, and the end of a prefix scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace omnia::storage {

// Appends the low `bytes` bytes (1 to 8) of `value` to `out`, most significant first.
void AppendBigEndian(std::string& out, uint64_t value, int bytes);
// Writes them at `out`, which must have room for `bytes` bytes.
void WriteBigEndian(char* out, uint64_t value, int bytes);
// The low `bytes` bytes of `value`, most significant first.
std::string BigEndian(uint64_t value, int bytes);

// The value of `bytes` (1 to 8) big-endian bytes at `in`.
uint64_t ReadBigEndian(const char* in, int bytes);
// The value of all of `bytes` (at most 8) read big-endian; 0 for none.
uint64_t ReadBigEndian(std::string_view bytes);
// A stored integer written with BigEndian(value, bytes): DATA_LOSS naming `what` when the stored
// value has another length (a damaged record), instead of a wrapped or truncated number.
absl::StatusOr<uint64_t> ReadStoredInteger(std::string_view stored, int bytes,
                                           std::string_view what);

// The first key after every key that starts with `prefix`: the end (exclusive) of a scan of the
// prefix. Empty when no such key exists (a prefix of 0xFF bytes only, or an empty prefix), which
// KvStore::Scan reads as "to the last key".
std::string PrefixEnd(std::string_view prefix);

}  // namespace omnia::storage
