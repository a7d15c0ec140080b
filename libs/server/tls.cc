#include "libs/server/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain this server presents (with --tls_key_file enables TLS)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA certificates; when set, clients must present a certificate issued by one of "
          "them (mutual TLS)");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA certificates trusted for the servers this process calls (enables TLS on its "
          "channels)");
ABSL_FLAG(std::string, tls_client_cert_file, "",
          "PEM certificate chain presented to servers that require client certificates");
ABSL_FLAG(std::string, tls_client_key_file, "", "PEM private key of --tls_client_cert_file");

namespace omnia::server {
namespace {

// Minimum length and alphabet of a bearer token (RFC 6750's b64token); 24 random characters of
// it carry well over 128 bits.
constexpr size_t kMinTokenLength = 24;

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the ", what, " file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return text.str();
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Certificate = std::unique_ptr<X509, X509Free>;

// A failed parse leaves entries on OpenSSL's per-thread error queue, which the next OpenSSL user on
// the thread (gRPC's TLS code among them) could mistake for a fresh failure of its own; every
// parse here leaves the queue empty.
class ClearOpenSslErrors {
 public:
  ClearOpenSslErrors() = default;
  ~ClearOpenSslErrors() { ERR_clear_error(); }
  ClearOpenSslErrors(const ClearOpenSslErrors&) = delete;
  ClearOpenSslErrors& operator=(const ClearOpenSslErrors&) = delete;
};

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of a PEM bundle, after checking that the bundle holds at least one.
absl::StatusOr<Certificate> FirstCertificate(const std::string& pem, const std::string& path) {
  ClearOpenSslErrors clear;
  auto bio = MemoryBio(pem);
  Certificate first(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (first == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, " holds no PEM certificate"));
  }
  return first;
}

absl::Status CheckKeyMatches(const std::string& key_pem, const std::string& key_path, X509* cert,
                             const std::string& cert_path) {
  ClearOpenSslErrors clear;
  auto bio = MemoryBio(key_pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_path, " holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(cert, key.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the key in ", key_path, " does not belong to the certificate in ", cert_path));
  }
  return absl::OkStatus();
}

// The certificate chain and its key, read and checked to belong together.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

absl::StatusOr<KeyPair> LoadKeyPair(const std::string& cert_file, const std::string& key_file) {
  absl::StatusOr<std::string> cert_pem = ReadFile(cert_file, "certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadFile(key_file, "private key");
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<Certificate> leaf = FirstCertificate(*cert_pem, cert_file);
  if (!leaf.ok()) return leaf.status();
  if (absl::Status match = CheckKeyMatches(*key_pem, key_file, leaf->get(), cert_file);
      !match.ok()) {
    return match;
  }
  return KeyPair{*std::move(cert_pem), *std::move(key_pem)};
}

absl::StatusOr<std::string> LoadCaBundle(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path, "CA certificates");
  if (!pem.ok()) return pem.status();
  absl::StatusOr<Certificate> first = FirstCertificate(*pem, path);
  if (!first.ok()) return first.status();
  return pem;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFromFiles(
    const std::string& cert_file, const std::string& key_file, const std::string& client_ca_file) {
  if (cert_file.empty() && key_file.empty() && client_ca_file.empty()) {
    return grpc::InsecureServerCredentials();
  }
  if (cert_file.empty() || key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a server certificate and its key (--tls_cert_file, --tls_key_file)");
  }
  absl::StatusOr<KeyPair> pair = LoadKeyPair(cert_file, key_file);
  if (!pair.ok()) return pair.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!client_ca_file.empty()) {
    absl::StatusOr<std::string> client_ca = LoadCaBundle(client_ca_file);
    if (!client_ca.ok()) return client_ca.status();
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    options.pem_root_certs = *std::move(client_ca);
  }
  options.pem_key_cert_pairs.push_back({std::move(pair->key_pem), std::move(pair->cert_pem)});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFiles(
    const std::string& ca_file, const std::string& client_cert_file,
    const std::string& client_key_file) {
  if (ca_file.empty() && client_cert_file.empty() && client_key_file.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  if (ca_file.empty()) {
    // Without a CA of ours the client would trust every public CA; inside omnia that is never
    // what is meant, so say so instead of guessing.
    return absl::InvalidArgumentError(
        "a client certificate needs --tls_ca_file, the CA that issued the servers' certificates");
  }
  if (client_cert_file.empty() != client_key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs both --tls_client_cert_file and --tls_client_key_file");
  }
  absl::StatusOr<std::string> ca = LoadCaBundle(ca_file);
  if (!ca.ok()) return ca.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *std::move(ca);
  if (!client_cert_file.empty()) {
    absl::StatusOr<KeyPair> pair = LoadKeyPair(client_cert_file, client_key_file);
    if (!pair.ok()) return pair.status();
    options.pem_cert_chain = std::move(pair->cert_pem);
    options.pem_private_key = std::move(pair->key_pem);
  }
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFromFlags() {
  return ServerCredentialsFromFiles(absl::GetFlag(FLAGS_tls_cert_file),
                                    absl::GetFlag(FLAGS_tls_key_file),
                                    absl::GetFlag(FLAGS_tls_client_ca_file));
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFlags() {
  return ChannelCredentialsFromFiles(absl::GetFlag(FLAGS_tls_ca_file),
                                     absl::GetFlag(FLAGS_tls_client_cert_file),
                                     absl::GetFlag(FLAGS_tls_client_key_file));
}

std::string DescribeServerTlsFlags() {
  if (absl::GetFlag(FLAGS_tls_cert_file).empty()) return "plaintext";
  if (absl::GetFlag(FLAGS_tls_client_ca_file).empty()) return "TLS";
  return "TLS, client certificates required";
}

void AttachToken(grpc::ClientContext* context, const std::string& token) {
  if (token.empty()) return;
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

absl::StatusOr<std::string> ReadBearerTokenFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, "bearer token");
  if (!text.ok()) return text.status();
  std::string token(absl::StripAsciiWhitespace(*text));
  if (token.size() < kMinTokenLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token in ", path, " is shorter than ", kMinTokenLength, " characters"));
  }
  for (char c : token) {
    if (!IsTokenChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("the token in ", path, " must be one line of A-Z a-z 0-9 - . _ ~ + / ="));
    }
  }
  return token;
}

}  // namespace omnia::server
