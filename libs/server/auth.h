// Bearer-token authentication and per-caller authorization for the write and admin RPCs (ingest,
// import, apply, freeze, rebuild, publish); read RPCs stay public.
//
// Each caller (a service, an operator, a producer job) has its own token and an explicit list of
// the protected methods it may call. A server reads them from its tokens file (--tokens_file),
// which holds SHA-256 digests of the tokens, never the tokens themselves, so a server that is
// read (a leaked Secret, a backup) hands out no credential:
//
//   # caller  sha256 of the token (64 hex digits, shortened here)  methods
//   producer  9f86d081...b0f00a08  IngestionService/StreamEvents,IngestionService/ImportRawEvents
//   operator  60303ae2...8c11c752  IngestionService/StreamEvents, CatalogueService/Publish
//
//  * caller: 1-64 of [A-Za-z0-9._-], each caller on one line only;
//  * the digest: the 64 hex digits of SHA-256 over the token's bytes, as printed by
//    `printf %s "$token" | sha256sum`; every caller needs its own token;
//  * methods: one or more protected methods separated by commas (spaces after a comma are
//    allowed), each written `Service/Method` (resolved to `/omnia.v1.Service/Method`) or by its
//    full name `/omnia.v1.Service/Method`. A name that is not a protected method is an error
//    naming the line; a server's file needs only the methods that server serves.
// Blank lines and lines starting with '#' are ignored. A line in the old `caller token` form is
// refused with a message saying the file must hold digests (and never quoting the line).
//
// A token that matches no digest is UNAUTHENTICATED; a valid token whose caller's list lacks the
// called method is PERMISSION_DENIED. Either way the handler refuses before touching any state.
//
// Why a handler-side check as well as an interceptor: gRPC 1.51's server interceptors cannot end a
// call before its handler runs (there is no server-side Hijack), and AuthMetadataProcessor, which
// can, only works on TLS listeners. So the work is split:
//
//  * AuthInterceptorFactory (registered once on the server) decides every call to a protected
//    method at POST_RECV_INITIAL_METADATA, removes the token from the metadata the handler sees
//    and leaves its verdict in the call's metadata;
//  * the handler of a protected method starts with `Authorize(context, kMethod)`, which only reads
//    that verdict, and finishes with UNAUTHENTICATED or PERMISSION_DENIED before touching any
//    state when it fails (RejectUnary / RejectRead / RejectBidi below).
//
// A call that no interceptor vouched for is refused, so forgetting to register the interceptor
// fails closed. Without a tokens file the server refuses every protected call, unless the
// development flag --insecure_no_auth says otherwise.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::server {

// Full gRPC method names ("/omnia.v1.AggregationService/Apply") of every write and admin RPC:
// the methods that need a bearer token. Everything else is a public read.
std::set<std::string> ProtectedMethods();

// The callers of one tokens file: each one's token digest and allowed methods. A presented token
// is compared against every digest in constant time, so neither the length nor any prefix of a
// valid token can be learned from response times.
class TokenAuthenticator {
 public:
  struct Caller {
    std::string name;
    // Full method names ("/omnia.v1.AggregationService/Apply") this caller may call.
    std::set<std::string, std::less<>> methods;

    bool MayCall(std::string_view method) const { return methods.count(method) > 0; }
  };

  // Parses tokens-file text in the format above. `known_methods` are the full names a list may
  // name. Duplicate callers or digests and an empty file are errors. `origin` names the source in
  // messages, which name the line and never quote a token or digest.
  static absl::StatusOr<TokenAuthenticator> Parse(
      std::string_view text, std::string_view origin = "tokens file",
      const std::set<std::string>& known_methods = ProtectedMethods());

  // Reads and parses the tokens file at `path`.
  static absl::StatusOr<TokenAuthenticator> LoadFile(
      const std::string& path, const std::set<std::string>& known_methods = ProtectedMethods());

  // The caller whose token `presented` is, or UNAUTHENTICATED. The pointer lives as long as this.
  absl::StatusOr<const Caller*> Authenticate(std::string_view presented) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Caller caller;
    std::array<unsigned char, 32> digest;
  };
  explicit TokenAuthenticator(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  std::vector<Entry> entries_;
};

// Decides, per call, whether a method may run and who the caller is.
class CallAuthorizer {
 public:
  // Protected methods need a token known to `tokens` whose caller may call the method.
  static CallAuthorizer RequireTokens(TokenAuthenticator tokens,
                                      std::set<std::string> protected_methods = ProtectedMethods());
  // No tokens are configured: every call to a protected method is refused. The safe default.
  static CallAuthorizer RefuseProtected(
      std::set<std::string> protected_methods = ProtectedMethods());
  // Development only: protected methods are open to anyone, recorded as caller "anonymous".
  static CallAuthorizer InsecureNoAuth(
      std::set<std::string> protected_methods = ProtectedMethods());

  bool IsProtected(std::string_view method) const;

  // Decides a call to `method` (a full method name) given the values of its `authorization`
  // metadata (normally one, "Bearer <token>"): the caller name for a protected method, an empty
  // name for a public one, UNAUTHENTICATED when the token is missing or unknown, or
  // PERMISSION_DENIED when the caller's list lacks the method.
  absl::StatusOr<std::string> Check(std::string_view method,
                                    const std::vector<std::string_view>& authorization) const;

  // One line for the startup log, e.g. "bearer tokens of 3 callers protect 9 methods".
  std::string Describe() const;

 private:
  enum class Mode { kRequireTokens, kRefuseProtected, kInsecureNoAuth };
  CallAuthorizer(Mode mode, std::optional<TokenAuthenticator> tokens,
                 std::set<std::string> protected_methods);

  Mode mode_;
  std::optional<TokenAuthenticator> tokens_;
  std::set<std::string, std::less<>> protected_methods_;
};

// From the flags --tokens_file (else $OMNIA_TOKENS_FILE) and --insecure_no_auth: RequireTokens
// when a tokens file is configured, InsecureNoAuth when only the development flag is set,
// RefuseProtected otherwise. An unreadable or malformed tokens file, or both a tokens file and
// --insecure_no_auth, is an error: the server must not start half-protected.
absl::StatusOr<std::shared_ptr<const CallAuthorizer>> CallAuthorizerFromFlags();

// Creates the authentication interceptor of each call to a protected method. Register it through
// ServerBuilder::experimental().SetInterceptorCreators, next to the metrics interceptor.
class AuthInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(std::shared_ptr<const CallAuthorizer> authorizer)
      : authorizer_(std::move(authorizer)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<const CallAuthorizer> authorizer_;
};

// The first statement of every protected handler: OK when the authentication interceptor let
// this call through; PERMISSION_DENIED when it authenticated a caller not allowed this method;
// otherwise UNAUTHENTICATED (also when no interceptor ran at all). `method` is the handler's full
// method name, used in the message.
absl::Status Authorize(const grpc::ServerContextBase* context, std::string_view method);

// The caller the interceptor authenticated, for logs; empty for public methods and refused calls.
std::string AuthenticatedCaller(const grpc::ServerContextBase* context);

// Finishing a refused call from a handler, without reading any request message.
grpc::ServerUnaryReactor* RejectUnary(grpc::CallbackServerContext* context,
                                      const absl::Status& status);

namespace internal {

// A reactor that finishes with a fixed status as soon as gRPC binds it, then deletes itself.
template <typename Reactor>
class FinishedReactor final : public Reactor {
 public:
  explicit FinishedReactor(const absl::Status& status) { this->Finish(rpc::ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace internal

template <typename Request>
grpc::ServerReadReactor<Request>* RejectRead(const absl::Status& status) {
  return new internal::FinishedReactor<grpc::ServerReadReactor<Request>>(status);
}

template <typename Request, typename Response>
grpc::ServerBidiReactor<Request, Response>* RejectBidi(const absl::Status& status) {
  return new internal::FinishedReactor<grpc::ServerBidiReactor<Request, Response>>(status);
}

}  // namespace omnia::server
