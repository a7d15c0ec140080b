// Bearer-token authentication and per-caller authorization: the tokens file of digests and
// method lists, the constant-time authenticator, the per-method decision, and the interceptor plus
// handler check over real in-process gRPC calls (a protected call without a valid token ends
// UNAUTHENTICATED, and one outside its caller's methods PERMISSION_DENIED, before the handler
// changes anything).
#include "libs/server/auth.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <mutex>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/client/probes.h"
#include "libs/server/tls.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/child_process.h"

ABSL_DECLARE_FLAG(std::string, tokens_file);
ABSL_DECLARE_FLAG(bool, insecure_no_auth);

namespace omnia::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIngestionToken[] = "ingestion-token-0123456789abcdefABCDEF";
constexpr char kOperatorToken[] = "operator+token/0123456789_abcdef~XYZ==";
constexpr char kApply[] = "/omnia.v1.AggregationService/Apply";
constexpr char kRebuild[] = "/omnia.v1.AggregationService/Rebuild";
constexpr char kStreamEvents[] = "/omnia.v1.IngestionService/StreamEvents";
constexpr char kPublish[] = "/omnia.v1.CatalogueService/Publish";
constexpr char kQuery[] = "/omnia.v1.AggregationService/Query";

// What `printf %s "$token" | sha256sum` prints.
std::string Sha256Hex(std::string_view token) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// The ingestion service may Apply and Rebuild; operator-1 may stream events and publish. The
// method lists use every accepted spelling, the digests both cases of hex.
std::string TokensFile() {
  return absl::StrCat(
      "# caller sha256-of-token methods\n", "\n", "ingestion ", Sha256Hex(kIngestionToken),
      " AggregationService/Apply,/omnia.v1.AggregationService/Rebuild\r\n",
      "  # indented comment\n", "operator-1\t", absl::AsciiStrToUpper(Sha256Hex(kOperatorToken)),
      "  omnia.v1.IngestionService/StreamEvents, CatalogueService/Publish  \n");
}

TokenAuthenticator Tokens() { return TokenAuthenticator::Parse(TokensFile()).value(); }

std::string CallerOf(const TokenAuthenticator& tokens, std::string_view token) {
  absl::StatusOr<const TokenAuthenticator::Caller*> caller = tokens.Authenticate(token);
  return caller.ok() ? (*caller)->name : std::string(caller.status().message());
}

// --- the tokens file -------------------------------------------------------------------------

TEST(TokenFileTest, ParsesDigestsAndMethodListsSkippingCommentsAndBlankLines) {
  absl::StatusOr<TokenAuthenticator> tokens = TokenAuthenticator::Parse(TokensFile());
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 2u);
  const TokenAuthenticator::Caller* ingestion = tokens->Authenticate(kIngestionToken).value();
  EXPECT_EQ(ingestion->name, "ingestion");
  EXPECT_THAT(ingestion->methods, ::testing::ElementsAre(kApply, kRebuild));
  const TokenAuthenticator::Caller* operator_1 = tokens->Authenticate(kOperatorToken).value();
  EXPECT_EQ(operator_1->name, "operator-1");
  EXPECT_THAT(operator_1->methods, ::testing::ElementsAre(kPublish, kStreamEvents));
  EXPECT_TRUE(operator_1->MayCall(kPublish));
  EXPECT_FALSE(operator_1->MayCall(kApply));
}

struct BadFile {
  const char* name;
  std::string text;
  const char* message;
  std::string secret;  // a token or digest that must not appear in the message
};

// Failure messages name the case rather than dumping the struct's bytes.
void PrintTo(const BadFile& bad, std::ostream* out) { *out << bad.name; }

class BadTokenFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadTokenFileTest, IsRejectedNamingTheLineWithoutQuotingASecret) {
  const BadFile& bad = GetParam();
  absl::StatusOr<TokenAuthenticator> tokens = TokenAuthenticator::Parse(bad.text, "tokens.txt");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tokens.status().message(), HasSubstr(bad.message));
  if (!bad.secret.empty()) {
    EXPECT_THAT(tokens.status().message(), Not(HasSubstr(bad.secret)));
  }
}

const std::string kIngestionDigest = Sha256Hex(kIngestionToken);
const std::string kOperatorDigest = Sha256Hex(kOperatorToken);
// A random 64-hex-digit token, the kind the launchers generate, written in the old format: it has
// the shape of a digest, so only the missing method list gives it away.
constexpr char kHexToken[] = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

INSTANTIATE_TEST_SUITE_P(
    Cases, BadTokenFileTest,
    ::testing::Values(
        BadFile{"Empty", "", "tokens.txt lists no callers", ""},
        BadFile{"OnlyComments", "# nobody yet\n\n", "lists no callers", ""},
        BadFile{"NameOnly", "ingestion\n",
                "tokens.txt line 1: expected `caller sha256-hex-of-token Service/Method", ""},
        BadFile{"OldFormatClearToken", absl::StrCat("# x\ningestion ", kIngestionToken, "\n"),
                "line 2: the second field is not a SHA-256 digest (64 hex digits). The tokens "
                "file must hold digests of the tokens, never the tokens themselves",
                kIngestionToken},
        BadFile{"OldFormatClearTokenMentionsHowToDigest",
                absl::StrCat("operator ", kOperatorToken, "\n"), "printf %s \"$token\" | sha256sum",
                kOperatorToken},
        BadFile{"OldFormatHexToken", absl::StrCat("ingestion ", kHexToken, "\n"),
                "line 1: no methods listed", kHexToken},
        BadFile{
            "ShortDigest",
            absl::StrCat("ingestion ", kIngestionDigest.substr(1), " AggregationService/Apply\n"),
            "line 1: the second field is not a SHA-256 digest", kIngestionDigest.substr(1)},
        BadFile{
            "NonHexDigest",
            absl::StrCat("ingestion ", kIngestionDigest.substr(1), "g AggregationService/Apply\n"),
            "not a SHA-256 digest", kIngestionDigest.substr(1)},
        BadFile{"BadCallerName",
                absl::StrCat("in$gestion ", kIngestionDigest, " AggregationService/Apply\n"),
                "caller name must be", "in$gestion"},
        // Fields swapped: the token lands where the name goes; neither may be echoed.
        BadFile{"SwappedFields", absl::StrCat(kIngestionToken, " ingestion\n"),
                "not a SHA-256 digest", kIngestionToken},
        BadFile{"TokenInTheMethodList",
                absl::StrCat("ingestion ", kIngestionDigest, " ", kIngestionToken, "\n"),
                "line 1: method 1 of the list is not a `Service/Method` name", kIngestionToken},
        BadFile{"UnknownMethod",
                absl::StrCat("ingestion ", kIngestionDigest,
                             " AggregationService/Apply,AggregationService/Aply\n"),
                "line 1: unknown method AggregationService/Aply; a caller may be allowed: "
                "AggregationService/Apply, AggregationService/Freeze",
                kIngestionDigest},
        BadFile{"PublicReadIsNotAnAllowedMethod",
                absl::StrCat("ingestion ", kIngestionDigest, " AggregationService/Query\n"),
                "unknown method AggregationService/Query", ""},
        BadFile{
            "MethodOfAnotherPackage",
            absl::StrCat("ingestion ", kIngestionDigest, " /other.v1.AggregationService/Apply\n"),
            "unknown method /other.v1.AggregationService/Apply", ""},
        BadFile{"EmptyMethodList", absl::StrCat("ingestion ", kIngestionDigest, " ,,\n"),
                "line 1: no methods listed", ""},
        BadFile{
            "DuplicateCaller",
            absl::StrCat("ingestion ", kIngestionDigest, " AggregationService/Apply\ningestion ",
                         kOperatorDigest, " AggregationService/Apply\n"),
            "line 2: caller ingestion is already listed on line 1", kOperatorDigest},
        BadFile{
            "DuplicateDigest",
            absl::StrCat("ingestion ", kIngestionDigest, " AggregationService/Apply\ncatalogue ",
                         absl::AsciiStrToUpper(kIngestionDigest), " AggregationService/Freeze\n"),
            "line 2: the digest of catalogue is the same as on line 1", kIngestionDigest}),
    [](const ::testing::TestParamInfo<BadFile>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(TokenFileTest, AcceptsOnlyTheMethodsTheServerKnows) {
  const std::string line =
      absl::StrCat("ingestion ", kIngestionDigest, " AggregationService/Apply");
  EXPECT_TRUE(TokenAuthenticator::Parse(line, "tokens", {kApply}).ok());
  EXPECT_THAT(TokenAuthenticator::Parse(line, "tokens", {kPublish}).status().message(),
              HasSubstr("unknown method AggregationService/Apply; a caller may be allowed: "
                        "CatalogueService/Publish"));
}

TEST(TokenFileTest, LoadsFromAFileAndNamesAMissingOne) {
  omnia::testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  std::ofstream(path) << TokensFile();
  absl::StatusOr<TokenAuthenticator> tokens = TokenAuthenticator::LoadFile(path);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 2u);

  absl::StatusOr<TokenAuthenticator> missing = TokenAuthenticator::LoadFile(path + ".missing");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(path + ".missing"));

  std::ofstream(path) << "ingestion " << kIngestionToken << "\n";
  EXPECT_THAT(TokenAuthenticator::LoadFile(path).status().message(),
              HasSubstr(absl::StrCat(path, " line 1: the second field is not a SHA-256 digest")));
}

// --- the authenticator -----------------------------------------------------------------------

TEST(TokenAuthenticatorTest, AcceptsOnlyExactTokens) {
  const TokenAuthenticator tokens = Tokens();
  const std::string good = kIngestionToken;
  EXPECT_EQ(CallerOf(tokens, good), "ingestion");
  for (const std::string& wrong :
       {std::string(), good.substr(0, good.size() - 1), good + "x", std::string(1, good[0]),
        absl::StrCat("X", good.substr(1)), std::string(kIngestionToken) + kOperatorToken,
        std::string("ingestion"), kIngestionDigest}) {
    EXPECT_EQ(tokens.Authenticate(wrong).status().code(), absl::StatusCode::kUnauthenticated)
        << wrong;
  }
}

// --- the per-method decision -----------------------------------------------------------------

TEST(CallAuthorizerTest, ProtectsOnlyWriteAndAdminMethods) {
  const CallAuthorizer authorizer = CallAuthorizer::RequireTokens(Tokens());
  const std::string bearer = absl::StrCat("Bearer ", kIngestionToken);
  EXPECT_EQ(authorizer.Check(kQuery, {}).value(), "");
  EXPECT_EQ(authorizer.Check(kApply, {bearer}).value(), "ingestion");
  // RFC 7235: the scheme is case-insensitive.
  EXPECT_EQ(authorizer.Check(kPublish, {absl::StrCat("bearer  ", kOperatorToken)}).value(),
            "operator-1");

  const std::vector<std::vector<std::string>> refused = {
      {},
      {"Bearer"},
      {"Bearer "},
      {kIngestionToken},
      {absl::StrCat("Basic ", kIngestionToken)},
      {"Bearer wrong-token-0123456789abcdefghij"},
      {absl::StrCat("Bearer ", kIngestionDigest)},
      {bearer, bearer}};
  for (const std::vector<std::string>& headers : refused) {
    const std::vector<std::string_view> values(headers.begin(), headers.end());
    absl::StatusOr<std::string> caller = authorizer.Check(kApply, values);
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(caller.status().message(), HasSubstr(kApply));
    EXPECT_THAT(caller.status().message(), Not(HasSubstr("wrong-token")));
  }
}

TEST(CallAuthorizerTest, AValidTokenOutsideItsCallersMethodsIsPermissionDenied) {
  const CallAuthorizer authorizer = CallAuthorizer::RequireTokens(Tokens());
  const std::string ingestion = absl::StrCat("Bearer ", kIngestionToken);
  const std::string operator_1 = absl::StrCat("Bearer ", kOperatorToken);
  // Each caller gets exactly its own list.
  for (const char* method : {kApply, kRebuild}) {
    EXPECT_EQ(authorizer.Check(method, {ingestion}).value(), "ingestion") << method;
    EXPECT_EQ(authorizer.Check(method, {operator_1}).status().code(),
              absl::StatusCode::kPermissionDenied)
        << method;
  }
  for (const char* method : {kStreamEvents, kPublish}) {
    EXPECT_EQ(authorizer.Check(method, {operator_1}).value(), "operator-1") << method;
    EXPECT_EQ(authorizer.Check(method, {ingestion}).status().code(),
              absl::StatusCode::kPermissionDenied)
        << method;
  }
  absl::StatusOr<std::string> denied = authorizer.Check(kApply, {operator_1});
  EXPECT_THAT(denied.status().message(), HasSubstr(kApply));
  EXPECT_THAT(denied.status().message(), HasSubstr("operator-1"));
  EXPECT_THAT(denied.status().message(), Not(HasSubstr(kOperatorToken)));
  // A method nobody may call is still only PERMISSION_DENIED for a known caller, and
  // UNAUTHENTICATED for an unknown token: a guess learns nothing about which tokens exist.
  EXPECT_EQ(authorizer.Check("/omnia.v1.AggregationService/Freeze", {operator_1}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(authorizer.Check(kApply, {"Bearer unknown-token-0123456789abcdef"}).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(CallAuthorizerTest, WithoutTokensRefusesProtectedMethodsUnlessInsecure) {
  const std::string bearer = absl::StrCat("Bearer ", kIngestionToken);
  const CallAuthorizer refusing = CallAuthorizer::RefuseProtected();
  EXPECT_EQ(refusing.Check(kApply, {bearer}).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(refusing.Check(kApply, {}).status().message(), HasSubstr("no tokens file"));
  EXPECT_EQ(refusing.Check(kQuery, {}).value(), "");

  const CallAuthorizer insecure = CallAuthorizer::InsecureNoAuth();
  EXPECT_EQ(insecure.Check(kApply, {}).value(), "anonymous");
  EXPECT_THAT(insecure.Describe(), HasSubstr("INSECURE"));
}

// Every RPC of the public API is classified: a new RPC fails this test until someone decides
// whether it writes.
TEST(ProtectedMethodsTest, ClassifiesEveryRpcOfTheApi) {
  const std::set<std::string> public_reads = {
      "/omnia.v1.IngestionService/GetIngestionStatus",
      "/omnia.v1.AggregationService/Query",
      "/omnia.v1.AggregationService/ListReleases",
      "/omnia.v1.AggregationService/GetCubeStats",
      "/omnia.v1.CatalogueService/ListDatasets",
      "/omnia.v1.CatalogueService/GetDataset",
      "/omnia.v1.CatalogueService/ListReleases",
      "/omnia.v1.CatalogueService/ListCodelists",
      "/omnia.v1.ExportService/Export",
  };
  const std::set<std::string> protected_methods = ProtectedMethods();
  EXPECT_EQ(protected_methods.size(), 10u);
  // Referencing one message per file links its descriptors into the generated pool.
  const google::protobuf::FileDescriptor* files[] = {
      v1::EventBatch::descriptor()->file(), v1::ApplyRequest::descriptor()->file(),
      v1::PublishRequest::descriptor()->file(), v1::ExportRequest::descriptor()->file()};
  std::set<std::string> seen;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const std::string name =
            absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
        seen.insert(name);
        EXPECT_NE(protected_methods.count(name) + public_reads.count(name), 0u)
            << name << " is neither protected nor a known public read";
        EXPECT_EQ(protected_methods.count(name) + public_reads.count(name), 1u) << name;
      }
    }
  }
  for (const std::string& name : protected_methods) {
    EXPECT_EQ(seen.count(name), 1u) << name << " is not an RPC of the API";
  }
}

TEST(CallAuthorizerFromFlagsTest, ChoosesTheModeFromFlagsAndEnvironment) {
  omnia::testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  std::ofstream(path) << TokensFile();
  unsetenv("OMNIA_TOKENS_FILE");

  absl::StatusOr<std::shared_ptr<const CallAuthorizer>> authorizer = CallAuthorizerFromFlags();
  ASSERT_TRUE(authorizer.ok()) << authorizer.status();
  EXPECT_THAT((*authorizer)->Describe(), HasSubstr("are refused"));

  absl::SetFlag(&FLAGS_insecure_no_auth, true);
  authorizer = CallAuthorizerFromFlags();
  ASSERT_TRUE(authorizer.ok()) << authorizer.status();
  EXPECT_EQ((*authorizer)->Check(kApply, {}).value(), "anonymous");

  absl::SetFlag(&FLAGS_tokens_file, path);
  EXPECT_EQ(CallAuthorizerFromFlags().status().code(), absl::StatusCode::kInvalidArgument);

  absl::SetFlag(&FLAGS_insecure_no_auth, false);
  authorizer = CallAuthorizerFromFlags();
  ASSERT_TRUE(authorizer.ok()) << authorizer.status();
  EXPECT_EQ((*authorizer)->Check(kApply, {absl::StrCat("Bearer ", kIngestionToken)}).value(),
            "ingestion");

  absl::SetFlag(&FLAGS_tokens_file, "");
  setenv("OMNIA_TOKENS_FILE", path.c_str(), 1);
  authorizer = CallAuthorizerFromFlags();
  unsetenv("OMNIA_TOKENS_FILE");
  ASSERT_TRUE(authorizer.ok()) << authorizer.status();
  EXPECT_THAT((*authorizer)->Describe(), HasSubstr("bearer tokens of 2 callers, each limited"));

  absl::SetFlag(&FLAGS_tokens_file, path + ".missing");
  EXPECT_EQ(CallAuthorizerFromFlags().status().code(), absl::StatusCode::kNotFound);
  absl::SetFlag(&FLAGS_tokens_file, "");
}

// --- over real gRPC calls --------------------------------------------------------------------

// Counts a chunk per Rebuild message it reads: the "writes" a refused call must never reach.
class CountingRebuild final : public grpc::ServerReadReactor<v1::RebuildRequest> {
 public:
  explicit CountingRebuild(std::atomic<int>* chunks) : chunks_(chunks) { StartRead(&request_); }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    chunks_->fetch_add(1);
    StartRead(&request_);
  }
  void OnDone() override { delete this; }

 private:
  std::atomic<int>* chunks_;
  v1::RebuildRequest request_;
};

// Apply and Rebuild are protected, Query is public; each handler is written the way the real
// services are meant to be: the check first, then the work.
class FakeAggregation final : public v1::AggregationService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Apply(grpc::CallbackServerContext* context, const v1::ApplyRequest*,
                                  v1::ApplyResponse*) override {
    if (absl::Status allowed = Authorize(context, kApply); !allowed.ok()) {
      return RejectUnary(context, allowed);
    }
    applied_.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_caller_ = AuthenticatedCaller(context);
      handler_saw_token_ = context->client_metadata().count("authorization") > 0;
    }
    return RejectUnary(context, absl::OkStatus());
  }

  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* context, const v1::QueryRequest*,
                                  v1::QueryResponse*) override {
    queried_.fetch_add(1);
    return RejectUnary(context, absl::OkStatus());
  }

  grpc::ServerReadReactor<v1::RebuildRequest>* Rebuild(grpc::CallbackServerContext* context,
                                                       v1::RebuildResponse*) override {
    if (absl::Status allowed = Authorize(context, "/omnia.v1.AggregationService/Rebuild");
        !allowed.ok()) {
      return RejectRead<v1::RebuildRequest>(allowed);
    }
    return new CountingRebuild(&rebuild_chunks_);
  }

  int applied() const { return applied_.load(); }
  int queried() const { return queried_.load(); }
  int rebuild_chunks() const { return rebuild_chunks_.load(); }
  std::string last_caller() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_caller_;
  }
  bool handler_saw_token() {
    std::lock_guard<std::mutex> lock(mu_);
    return handler_saw_token_;
  }

 private:
  std::atomic<int> applied_{0};
  std::atomic<int> queried_{0};
  std::atomic<int> rebuild_chunks_{0};
  std::mutex mu_;
  std::string last_caller_;
  bool handler_saw_token_ = false;
};

// Counts the batches of an event stream it reads, acknowledging none (the test only writes).
class CountingStream final : public grpc::ServerBidiReactor<v1::EventBatch, v1::BatchAck> {
 public:
  explicit CountingStream(std::atomic<int>* batches) : batches_(batches) { StartRead(&batch_); }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    batches_->fetch_add(1);
    StartRead(&batch_);
  }
  void OnDone() override { delete this; }

 private:
  std::atomic<int>* batches_;
  v1::EventBatch batch_;
};

// StreamEvents is a protected bidirectional stream.
class FakeIngestion final : public v1::IngestionService::CallbackService {
 public:
  grpc::ServerBidiReactor<v1::EventBatch, v1::BatchAck>* StreamEvents(
      grpc::CallbackServerContext* context) override {
    if (absl::Status allowed = Authorize(context, "/omnia.v1.IngestionService/StreamEvents");
        !allowed.ok()) {
      return RejectBidi<v1::EventBatch, v1::BatchAck>(allowed);
    }
    return new CountingStream(&batches_);
  }

  int batches() const { return batches_.load(); }

 private:
  std::atomic<int> batches_{0};
};

class AuthServerTest : public ::testing::Test {
 protected:
  // `authorizer` null: no authentication interceptor at all.
  void Start(std::shared_ptr<const CallAuthorizer> authorizer) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    builder.RegisterService(&ingestion_);
    if (authorizer != nullptr) {
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
      creators.push_back(std::make_unique<AuthInterceptorFactory>(std::move(authorizer)));
      builder.experimental().SetInterceptorCreators(std::move(creators));
    }
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", port));
    stub_ = v1::AggregationService::NewStub(channel_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }

  static void Prepare(grpc::ClientContext* context, const std::string& token) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    // A slow machine may need more than the channel's short first connection attempt.
    context->set_wait_for_ready(true);
    AttachToken(context, token);
  }

  grpc::Status CallApply(const std::string& token) {
    grpc::ClientContext context;
    Prepare(&context, token);
    v1::ApplyRequest request;
    v1::ApplyResponse response;
    return stub_->Apply(&context, request, &response);
  }

  grpc::Status CallQuery(const std::string& token) {
    grpc::ClientContext context;
    Prepare(&context, token);
    v1::QueryRequest request;
    v1::QueryResponse response;
    return stub_->Query(&context, request, &response);
  }

  grpc::Status CallStreamEvents(const std::string& token, int batches) {
    grpc::ClientContext context;
    Prepare(&context, token);
    auto stream = v1::IngestionService::NewStub(channel_)->StreamEvents(&context);
    v1::EventBatch batch;
    for (int i = 0; i < batches; ++i) {
      if (!stream->Write(batch)) break;  // the server already finished the call
    }
    stream->WritesDone();
    return stream->Finish();
  }

  grpc::Status CallRebuild(const std::string& token, int chunks) {
    grpc::ClientContext context;
    Prepare(&context, token);
    v1::RebuildResponse response;
    auto writer = stub_->Rebuild(&context, &response);
    v1::RebuildRequest request;
    for (int i = 0; i < chunks; ++i) {
      if (!writer->Write(request)) break;  // the server already finished the call
    }
    writer->WritesDone();
    return writer->Finish();
  }

  std::shared_ptr<const CallAuthorizer> RequireTokens() {
    return std::make_shared<const CallAuthorizer>(CallAuthorizer::RequireTokens(Tokens()));
  }

  FakeAggregation service_;
  FakeIngestion ingestion_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AggregationService::Stub> stub_;
};

TEST_F(AuthServerTest, ProtectedMethodWithoutTokenIsRefusedBeforeTheHandlerWorks) {
  Start(RequireTokens());
  const grpc::Status status = CallApply("");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("requires an `authorization: Bearer <token>`"));
  EXPECT_EQ(service_.applied(), 0);
}

TEST_F(AuthServerTest, ProtectedMethodWithAWrongTokenIsRefused) {
  Start(RequireTokens());
  const std::string wrong = "not-a-known-token-0123456789abcdef";
  const grpc::Status status = CallApply(wrong);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("not valid"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(wrong)));
  EXPECT_EQ(service_.applied(), 0);
}

TEST_F(AuthServerTest, ProtectedMethodWithTheRightTokenRunsAndKnowsItsCaller) {
  Start(RequireTokens());
  const grpc::Status status = CallApply(kIngestionToken);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service_.applied(), 1);
  EXPECT_EQ(service_.last_caller(), "ingestion");
  EXPECT_FALSE(service_.handler_saw_token()) << "the token must not reach handler code";
}

TEST_F(AuthServerTest, AValidTokenOutsideItsCallersMethodsIsPermissionDeniedBeforeTheHandlerWorks) {
  Start(RequireTokens());
  const grpc::Status status = CallApply(kOperatorToken);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(kApply));
  EXPECT_THAT(status.error_message(), HasSubstr("operator-1"));
  EXPECT_EQ(service_.applied(), 0);
  EXPECT_EQ(service_.last_caller(), "");
}

TEST_F(AuthServerTest, PublicMethodsNeedNoToken) {
  Start(RequireTokens());
  EXPECT_TRUE(CallQuery("").ok());
  // A wrong token on a public read is not an error either: the read is public.
  EXPECT_TRUE(CallQuery("not-a-known-token-0123456789abcdef").ok());
  EXPECT_EQ(service_.queried(), 2);
  EXPECT_EQ(client::CheckHealth(channel_, "", absl::Seconds(5)).value(), "SERVING");
}

TEST_F(AuthServerTest, StreamingUploadWithoutTokenIsRefusedBeforeAnyMessageIsRead) {
  Start(RequireTokens());
  EXPECT_EQ(CallRebuild("", 5).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallRebuild("not-a-known-token-0123456789abcdef", 5).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(service_.rebuild_chunks(), 0);

  // The operator's token is valid but not for Rebuild: an empty or any other stream from it must
  // never reach the handler.
  EXPECT_EQ(CallRebuild(kOperatorToken, 0).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CallRebuild(kOperatorToken, 5).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service_.rebuild_chunks(), 0);

  const grpc::Status status = CallRebuild(kIngestionToken, 5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service_.rebuild_chunks(), 5);
}

TEST_F(AuthServerTest, EventStreamWithoutTokenIsRefusedBeforeAnyBatchIsRead) {
  Start(RequireTokens());
  EXPECT_EQ(CallStreamEvents("", 3).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallStreamEvents(kIngestionToken, 3).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ingestion_.batches(), 0);

  const grpc::Status status = CallStreamEvents(kOperatorToken, 3);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(ingestion_.batches(), 3);
}

TEST_F(AuthServerTest, AClientCannotForgeTheVerdict) {
  Start(RequireTokens());
  for (const std::string token : {"", kOperatorToken}) {
    grpc::ClientContext context;
    Prepare(&context, token);
    context.AddMetadata("omnia-authenticated-caller", "ingestion");
    v1::ApplyRequest request;
    v1::ApplyResponse response;
    EXPECT_NE(stub_->Apply(&context, request, &response).error_code(), grpc::StatusCode::OK);
  }
  EXPECT_EQ(service_.applied(), 0);
  // Nor can a client turn its own valid call into a refusal of another kind.
  grpc::ClientContext context;
  Prepare(&context, kIngestionToken);
  context.AddMetadata("omnia-permission-denied", "forged");
  context.AddMetadata("omnia-authentication-refused", "forged");
  v1::ApplyRequest request;
  v1::ApplyResponse response;
  EXPECT_TRUE(stub_->Apply(&context, request, &response).ok());
  EXPECT_EQ(service_.applied(), 1);
}

TEST_F(AuthServerTest, WithoutTheInterceptorProtectedMethodsFailClosed) {
  Start(nullptr);
  EXPECT_EQ(CallApply(kIngestionToken).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext context;
  Prepare(&context, "");
  context.AddMetadata("omnia-authenticated-caller", "operator-1");
  v1::ApplyRequest request;
  v1::ApplyResponse response;
  EXPECT_EQ(stub_->Apply(&context, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(service_.applied(), 0);
  EXPECT_TRUE(CallQuery("").ok());
}

TEST_F(AuthServerTest, WithoutATokensFileProtectedMethodsAreRefused) {
  Start(std::make_shared<const CallAuthorizer>(CallAuthorizer::RefuseProtected()));
  const grpc::Status status = CallApply(kIngestionToken);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("no tokens file"));
  EXPECT_EQ(service_.applied(), 0);
  EXPECT_TRUE(CallQuery("").ok());
}

TEST_F(AuthServerTest, InsecureNoAuthOpensProtectedMethods) {
  Start(std::make_shared<const CallAuthorizer>(CallAuthorizer::InsecureNoAuth()));
  EXPECT_TRUE(CallApply("").ok());
  EXPECT_EQ(service_.last_caller(), "anonymous");
}

}  // namespace
}  // namespace omnia::server
