// Bearer-token authentication for the write and admin RPCs (ingest, import, apply, freeze,
// rebuild, publish); read RPCs stay public.
//
// Each caller (a service, an operator, a CI job) has its own token, listed in a tokens file:
//
//   # caller_name token
//   ingestion   kX2b9...   (at least 24 characters)
//   operator-1  Qp7Lr...
//
// Why a handler-side check as well as an interceptor: gRPC 1.51's server interceptors cannot end a
// call before its handler runs (there is no server-side Hijack), and AuthMetadataProcessor, which
// can, only works on TLS listeners. So the work is split:
//
//  * AuthInterceptorFactory (registered once on the server) authenticates every call to a
//    protected method at POST_RECV_INITIAL_METADATA, removes the token from the metadata the
//    handler sees and leaves its verdict in the call's metadata;
//  * the handler of a protected method starts with `Authorize(context, kMethod)`, which only reads
//    that verdict, and finishes with UNAUTHENTICATED before touching any state when it fails
//    (RejectUnary / RejectRead / RejectBidi below).
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
#include "libs/server/status_mapping.h"

namespace omnia::server {

// Full gRPC method names ("/omnia.v1.AggregationService/Apply") of every write and admin RPC:
// the methods that need a bearer token. Everything else is a public read.
std::set<std::string> ProtectedMethods();

// The callers and tokens of one tokens file. Only SHA-256 digests of the tokens are kept, and a
// presented token is compared against every digest in constant time, so neither the length nor
// any prefix of a valid token can be learned from response times.
class TokenAuthenticator {
 public:
  // Shorter tokens are refused when loading: 24 random characters of the token alphabet carry
  // well over 128 bits.
  static constexpr size_t kMinTokenLength = 24;

  // Parses tokens-file text: one `caller_name token` per line; blank lines and lines starting with
  // '#' are ignored. Caller names are 1-64 of [A-Za-z0-9._-]; tokens are at least kMinTokenLength
  // of [A-Za-z0-9-._~+/=] (what an HTTP bearer token may hold). Duplicate names or tokens and an
  // empty list are errors. `origin` names the source in messages, which never quote a token.
  static absl::StatusOr<TokenAuthenticator> Parse(std::string_view text,
                                                  std::string_view origin = "tokens file");

  // Reads and parses the tokens file at `path`.
  static absl::StatusOr<TokenAuthenticator> LoadFile(const std::string& path);

  // The caller whose token `presented` is, or UNAUTHENTICATED.
  absl::StatusOr<std::string> Authenticate(std::string_view presented) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string caller;
    std::array<unsigned char, 32> digest;
  };
  explicit TokenAuthenticator(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  std::vector<Entry> entries_;
};

// Decides, per call, whether a method may run and who the caller is.
class CallAuthorizer {
 public:
  // Protected methods need a token known to `tokens`.
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
  // name for a public one, or UNAUTHENTICATED saying why.
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
// this call through, otherwise UNAUTHENTICATED (also when no interceptor ran at all). `method` is
// the handler's full method name, used in the message.
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
  explicit FinishedReactor(const absl::Status& status) { this->Finish(ToGrpcStatus(status)); }
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
