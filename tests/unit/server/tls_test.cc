// TLS between omnia processes, with certificate authorities made by the test itself: a health
// check round trip over TLS, a client that trusts another CA, and mutual TLS where the server
// requires a client certificate from its CA. Also the checks run on the PEM files at startup.
#include "libs/server/tls.h"

#include <gmock/gmock.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/client/probes.h"
#include "tests/support/child_process.h"

ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, tls_client_ca_file);
ABSL_DECLARE_FLAG(std::string, tls_ca_file);

namespace omnia::server {
namespace {

using ::testing::HasSubstr;

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string ToPem(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string ToPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  ASSERT_NE(extension, nullptr) << value;
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `subject_key`, named `common_name`, signed by `issuer` with `issuer_key`
// (itself when `issuer` is null: a self-signed CA).
Cert MakeCertificate(EVP_PKEY* subject_key, const std::string& common_name, X509* issuer,
                     EVP_PKEY* issuer_key, long serial) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3, for the extensions
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  const bool is_ca = issuer == nullptr;
  X509* signer = is_ca ? cert.get() : issuer;
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (is_ca) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
    AddExtension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  }
  EXPECT_GT(X509_sign(cert.get(), is_ca ? subject_key : issuer_key, EVP_sha256()), 0);
  return cert;
}

// A throwaway certificate authority that writes its certificate and the key pairs it issues as
// PEM files under a directory.
class TestCa {
 public:
  TestCa(std::string name, std::string dir)
      : name_(std::move(name)),
        dir_(std::move(dir)),
        key_(EVP_EC_gen("P-256")),
        cert_(MakeCertificate(key_.get(), name_ + " test CA", nullptr, nullptr, 1)) {
    ca_file_ = Write(name_ + "-ca.pem", ToPem(cert_.get()));
  }

  const std::string& ca_file() const { return ca_file_; }

  // Issues a certificate for localhost and 127.0.0.1; returns {cert file, key file}.
  std::pair<std::string, std::string> Issue(const std::string& role) {
    Key key(EVP_EC_gen("P-256"));
    Cert cert = MakeCertificate(key.get(), role, cert_.get(), key_.get(), ++serial_);
    return {Write(absl::StrCat(name_, "-", role, ".pem"), ToPem(cert.get())),
            Write(absl::StrCat(name_, "-", role, ".key"), ToPem(key.get()))};
  }

 private:
  std::string Write(const std::string& file, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", file);
    std::ofstream(path) << text;
    return path;
  }

  std::string name_;
  std::string dir_;
  Key key_;
  Cert cert_;
  std::string ca_file_;
  long serial_ = 1;
};

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() : ca_("omnia", dir_.path()), other_ca_("other", dir_.path()) {}

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }

  void StartServer(const std::string& client_ca_file) {
    const auto [cert, key] = ca_.Issue("server");
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFromFiles(cert, key, client_ca_file);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterCallbackGenericService(&generic_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }

  absl::StatusOr<std::string> Check(const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), credentials);
    return client::CheckHealth(channel, "", absl::Seconds(5));
  }

  absl::StatusOr<std::string> Check(const std::string& ca_file, const std::string& cert_file,
                                    const std::string& key_file) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        ChannelCredentialsFromFiles(ca_file, cert_file, key_file);
    if (!credentials.ok()) return credentials.status();
    return Check(*credentials);
  }

  // The health service alone leaves gRPC without a callback service to poll with; any unknown
  // method answers UNIMPLEMENTED through this one.
  grpc::CallbackGenericService generic_;
  omnia::testing::TempDir dir_;
  TestCa ca_;
  TestCa other_ca_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(TlsTest, HealthCheckRoundTripsOverTls) {
  StartServer("");
  absl::StatusOr<std::string> health = Check(ca_.ca_file(), "", "");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, "SERVING");
}

TEST_F(TlsTest, AClientTrustingAnotherCaIsRefused) {
  StartServer("");
  EXPECT_EQ(Check(other_ca_.ca_file(), "", "").status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(TlsTest, APlaintextClientCannotTalkToATlsServer) {
  StartServer("");
  EXPECT_FALSE(Check(grpc::InsecureChannelCredentials()).ok());
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheClientCa) {
  StartServer(ca_.ca_file());
  EXPECT_EQ(Check(ca_.ca_file(), "", "").status().code(), absl::StatusCode::kUnavailable)
      << "a client without a certificate must be refused";

  const auto [other_cert, other_key] = other_ca_.Issue("client");
  EXPECT_EQ(Check(ca_.ca_file(), other_cert, other_key).status().code(),
            absl::StatusCode::kUnavailable)
      << "a certificate from another CA must be refused";

  const auto [cert, key] = ca_.Issue("client");
  absl::StatusOr<std::string> health = Check(ca_.ca_file(), cert, key);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, "SERVING");
}

TEST_F(TlsTest, FlagsConfigureBothEnds) {
  const auto [cert, key] = ca_.Issue("server");
  absl::SetFlag(&FLAGS_tls_cert_file, cert);
  absl::SetFlag(&FLAGS_tls_key_file, key);
  absl::SetFlag(&FLAGS_tls_ca_file, ca_.ca_file());
  EXPECT_EQ(DescribeServerTlsFlags(), "TLS");
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server = ServerCredentialsFromFlags();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel = ChannelCredentialsFromFlags();
  absl::SetFlag(&FLAGS_tls_cert_file, "");
  absl::SetFlag(&FLAGS_tls_key_file, "");
  absl::SetFlag(&FLAGS_tls_ca_file, "");
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_EQ(DescribeServerTlsFlags(), "plaintext");

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *server, &port_);
  builder.RegisterCallbackGenericService(&generic_);
  server_ = builder.BuildAndStart();
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(Check(*channel).value_or("failed"), "SERVING");
}

TEST_F(TlsTest, NoFilesMeansPlaintext) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server =
      ServerCredentialsFromFiles("", "", "");
  ASSERT_TRUE(server.ok());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *server, &port_);
  builder.RegisterCallbackGenericService(&generic_);
  server_ = builder.BuildAndStart();
  ASSERT_NE(server_, nullptr);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
      ChannelCredentialsFromFiles("", "", "");
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(Check(*channel).value_or("failed"), "SERVING");
}

TEST_F(TlsTest, BadFilesStopTheProcessWithAClearMessage) {
  const auto [cert, key] = ca_.Issue("server");
  const auto [other_cert, other_key] = other_ca_.Issue("server");
  const std::string garbage = dir_.path() + "/garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";

  auto server_error = [](const std::string& c, const std::string& k, const std::string& ca) {
    return ServerCredentialsFromFiles(c, k, ca).status();
  };
  EXPECT_EQ(server_error(cert, "", "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_error("", key, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_error("", "", ca_.ca_file()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_error(cert + ".missing", key, "").code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(server_error(cert + ".missing", key, "").message(), HasSubstr(cert + ".missing"));
  EXPECT_THAT(server_error(garbage, key, "").message(), HasSubstr("holds no PEM certificate"));
  EXPECT_THAT(server_error(cert, garbage, "").message(), HasSubstr("no unencrypted PEM private"));
  EXPECT_THAT(server_error(cert, other_key, "").message(), HasSubstr("does not belong"));
  EXPECT_THAT(server_error(cert, key, garbage).message(), HasSubstr("holds no PEM certificate"));
  EXPECT_TRUE(server_error(cert, key, ca_.ca_file()).ok());

  auto channel_error = [](const std::string& ca, const std::string& c, const std::string& k) {
    return ChannelCredentialsFromFiles(ca, c, k).status();
  };
  EXPECT_EQ(channel_error("", cert, key).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(channel_error(ca_.ca_file(), cert, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(channel_error(ca_.ca_file(), "", key).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(channel_error(garbage, "", "").message(), HasSubstr("holds no PEM certificate"));
  EXPECT_THAT(channel_error(ca_.ca_file(), other_cert, key).message(),
              HasSubstr("does not belong"));
  EXPECT_TRUE(channel_error(ca_.ca_file(), cert, key).ok());
}

TEST(BearerTokenFileTest, ReadsOneTokenAndChecksIt) {
  omnia::testing::TempDir dir;
  const std::string path = dir.path() + "/token";
  std::ofstream(path) << "  aggregation-writer-0123456789abcdef\n";
  EXPECT_EQ(ReadBearerTokenFile(path).value(), "aggregation-writer-0123456789abcdef");

  std::ofstream(path) << "short-secret-token\n";
  absl::StatusOr<std::string> short_token = ReadBearerTokenFile(path);
  EXPECT_EQ(short_token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_token.status().message(), ::testing::Not(HasSubstr("short-secret")));

  std::ofstream(path) << "two words-0123456789abcdefghijkl\n";
  EXPECT_EQ(ReadBearerTokenFile(path).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadBearerTokenFile(path + ".missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omnia::server
