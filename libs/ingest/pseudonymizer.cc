#include "libs/ingest/pseudonymizer.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace omnia::ingest {

// HMAC-SHA256 as in RFC 2104, with the key schedule done once: the inner and outer digest
// states after absorbing (key ^ ipad) and (key ^ opad) are kept and copied for every message,
// which saves the two key-block compressions per call that a one-shot HMAC repeats.
struct Pseudonymizer::Contexts {
  EVP_MD_CTX* inner = nullptr;
  EVP_MD_CTX* outer = nullptr;
  ~Contexts() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
};

namespace {

constexpr size_t kBlockBytes = 64;  // SHA-256 block size

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using ContextPtr = std::unique_ptr<EVP_MD_CTX, ContextDeleter>;

}  // namespace

Pseudonymizer::Pseudonymizer(std::unique_ptr<Contexts> contexts) : contexts_(std::move(contexts)) {}
Pseudonymizer::~Pseudonymizer() = default;

absl::StatusOr<std::unique_ptr<Pseudonymizer>> Pseudonymizer::Create(std::string_view key) {
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the pseudonymisation key must have at least ", kMinKeyBytes, " bytes"));
  }
  unsigned char block[kBlockBytes] = {};
  if (key.size() > kBlockBytes) {
    unsigned int length = 0;
    EVP_Digest(key.data(), key.size(), block, &length, EVP_sha256(), nullptr);
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  unsigned char ipad[kBlockBytes];
  unsigned char opad[kBlockBytes];
  for (size_t i = 0; i < kBlockBytes; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  auto contexts = std::make_unique<Contexts>();
  contexts->inner = EVP_MD_CTX_new();
  contexts->outer = EVP_MD_CTX_new();
  if (contexts->inner == nullptr || contexts->outer == nullptr ||
      EVP_DigestInit_ex(contexts->inner, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(contexts->inner, ipad, kBlockBytes) != 1 ||
      EVP_DigestInit_ex(contexts->outer, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(contexts->outer, opad, kBlockBytes) != 1) {
    return absl::InternalError("cannot initialise SHA-256");
  }
  return std::unique_ptr<Pseudonymizer>(new Pseudonymizer(std::move(contexts)));
}

PseudonymBytes Pseudonymizer::Pseudonymise(std::string_view worker_id) const {
  // Codici fiscali are at most 16 characters; longer ids are upper-cased in chunks.
  char upper[64];
  ContextPtr ctx(EVP_MD_CTX_new());
  EVP_MD_CTX_copy_ex(ctx.get(), contexts_->inner);
  for (size_t start = 0; start < worker_id.size(); start += sizeof(upper)) {
    const size_t n = std::min(sizeof(upper), worker_id.size() - start);
    for (size_t i = 0; i < n; ++i) upper[i] = absl::ascii_toupper(worker_id[start + i]);
    EVP_DigestUpdate(ctx.get(), upper, n);
  }
  unsigned char inner_digest[32];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), inner_digest, &length);
  EVP_MD_CTX_copy_ex(ctx.get(), contexts_->outer);
  EVP_DigestUpdate(ctx.get(), inner_digest, sizeof(inner_digest));
  PseudonymBytes out;
  EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length);
  return out;
}

std::string Pseudonymizer::KeyFingerprint() const {
  const PseudonymBytes digest = Pseudonymise("\x01OMNIA PSEUDONYMISATION KEY FINGERPRINT");
  std::string hex;
  hex.reserve(2 * digest.size());
  for (char byte : digest) {
    const auto value = static_cast<unsigned char>(byte);
    hex.push_back("0123456789abcdef"[value >> 4]);
    hex.push_back("0123456789abcdef"[value & 0xf]);
  }
  return hex;
}

absl::StatusOr<std::string> LoadSecret(const std::string& path, const std::string& env_var) {
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read the key file ", path));
    std::stringstream content;
    content << in.rdbuf();
    std::string key = content.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    return key;
  }
  const char* value = std::getenv(env_var.c_str());
  if (value == nullptr || *value == '\0') {
    return absl::NotFoundError(
        absl::StrCat("no pseudonymisation key: give a key file or set ", env_var));
  }
  return std::string(value);
}

}  // namespace omnia::ingest
