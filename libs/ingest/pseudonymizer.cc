#include "libs/ingest/pseudonymizer.h"

#include <string.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace omnia::ingest {

absl::StatusOr<std::unique_ptr<Pseudonymizer>> Pseudonymizer::Create(std::string_view key) {
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the pseudonymisation key must have at least ", kMinKeyBytes, " bytes"));
  }
  absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(key);
  if (!hmac.ok()) return hmac.status();
  return std::unique_ptr<Pseudonymizer>(new Pseudonymizer(*std::move(hmac)));
}

namespace {

// The HMAC of the upper-cased id. Codici fiscali are at most 16 characters; longer ids are
// upper-cased in chunks.
facts::Pseudonym UpperCasedDigest(HmacSha256::Message& message, std::string_view worker_id) {
  char upper[64];
  for (size_t start = 0; start < worker_id.size(); start += sizeof(upper)) {
    const size_t n = std::min(sizeof(upper), worker_id.size() - start);
    for (size_t i = 0; i < n; ++i) upper[i] = absl::ascii_toupper(worker_id[start + i]);
    message.Update(std::string_view(upper, n));
  }
  return message.Finish();
}

}  // namespace

facts::Pseudonym Pseudonymizer::Pseudonymise(std::string_view worker_id) const {
  HmacSha256::Message message = hmac_.Start();
  return UpperCasedDigest(message, worker_id);
}

void Pseudonymizer::PseudonymiseAll(absl::Span<const std::string_view> worker_ids,
                                    absl::Span<facts::Pseudonym> out) const {
  const size_t n = std::min(worker_ids.size(), out.size());
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) bytes += worker_ids[i].size();
  // The upper-cased ids live only for this call, and are wiped before their memory is freed.
  std::string upper(bytes, '\0');
  std::vector<std::string_view> messages(n);
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view id = worker_ids[i];
    for (size_t j = 0; j < id.size(); ++j) upper[at + j] = absl::ascii_toupper(id[j]);
    messages[i] = std::string_view(upper.data() + at, id.size());
    at += id.size();
  }
  hmac_.DigestAll(messages, out.subspan(0, n));
  explicit_bzero(upper.data(), upper.size());
}

facts::Pseudonym Pseudonymizer::Session::Pseudonymise(std::string_view worker_id) {
  return UpperCasedDigest(message_, worker_id);
}

std::string Pseudonymizer::KeyFingerprint() const {
  const facts::Pseudonym digest = Pseudonymise("\x01OMNIA PSEUDONYMISATION KEY FINGERPRINT");
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
