// Incremental SHA-256, for checking uploads and recording the digests of published files.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace omnia {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // 64 lowercase hex digits of everything passed to Update. Call once.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

}  // namespace omnia
