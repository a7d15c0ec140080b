#include "libs/server/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/base/string_view.h"

ABSL_FLAG(std::string, tokens_file, "",
          "file of `caller sha256-hex-of-token Service/Method[,Service/Method...]` lines: a caller "
          "presenting a token with one of these digests may call the write and admin RPCs listed "
          "for it (else $OMNIA_TOKENS_FILE). Without it those RPCs are refused");
ABSL_FLAG(bool, insecure_no_auth, false,
          "development only: when no tokens file is configured, accept write and admin RPCs from "
          "anyone instead of refusing them");

namespace omnia::server {
namespace {

constexpr char kTokensFileEnv[] = "OMNIA_TOKENS_FILE";
constexpr char kAnonymousCaller[] = "anonymous";
constexpr size_t kMaxCallerNameLength = 64;
constexpr char kApiPackage[] = "omnia.v1";

// Metadata keys the interceptor adds for the handler. Authorize() trusts an entry only when its
// key points at these very arrays: an entry a client sent under the same name points into gRPC's
// buffers instead, so a client cannot forge a verdict, even on a server without the interceptor.
constexpr char kCallerKey[] = "omnia-authenticated-caller";
constexpr char kRefusalKey[] = "omnia-authentication-refused";
constexpr char kDenialKey[] = "omnia-permission-denied";

constexpr char kAuthorizationKey[] = "authorization";

using Digest = std::array<unsigned char, 32>;

Digest Sha256(std::string_view bytes) {
  Digest digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

bool IsCallerNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool AllOf(absl::string_view s, bool (*predicate)(char)) {
  for (char c : s) {
    if (!predicate(c)) return false;
  }
  return true;
}

// The 32 bytes written as 64 hex digits (either case), or nullopt.
std::optional<Digest> ParseHexDigest(absl::string_view hex) {
  if (hex.size() != 2 * Digest().size()) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = absl::ascii_tolower(static_cast<unsigned char>(c));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  Digest digest{};
  for (size_t i = 0; i < digest.size(); ++i) {
    const int high = value(hex[2 * i]);
    const int low = value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

bool IsIdentifier(absl::string_view s, bool allow_dots) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        !(allow_dots && c == '.')) {
      return false;
    }
  }
  return true;
}

// Whether `written` has the shape of a method name (`Service/Method`, optionally package-qualified
// and with a leading '/'), so that an error may quote it: anything else could be a misplaced token.
bool LooksLikeMethodName(absl::string_view written) {
  absl::ConsumePrefix(&written, "/");
  const std::vector<absl::string_view> parts = absl::StrSplit(written, '/');
  return written.size() <= 128 && parts.size() == 2 && IsIdentifier(parts[0], true) &&
         IsIdentifier(parts[1], false);
}

// "IngestionService/StreamEvents", "omnia.v1.IngestionService/StreamEvents" and
// "/omnia.v1.IngestionService/StreamEvents" all name "/omnia.v1.IngestionService/StreamEvents".
std::string FullMethodName(absl::string_view written) {
  if (absl::StartsWith(written, "/")) return std::string(written);
  if (absl::StartsWith(written, absl::StrCat(kApiPackage, "."))) return absl::StrCat("/", written);
  return absl::StrCat("/", kApiPackage, ".", written);
}

// "IngestionService/StreamEvents" for "/omnia.v1.IngestionService/StreamEvents".
std::string ShortMethodName(absl::string_view full) {
  absl::ConsumePrefix(&full, absl::StrCat("/", kApiPackage, "."));
  return std::string(full);
}

// The full names of a comma-separated method list (`fields` are the line's fields after the
// digest, so spaces after commas are allowed), or an error starting with `where`.
absl::StatusOr<std::set<std::string, std::less<>>> ParseMethodList(
    const std::vector<absl::string_view>& fields, const std::set<std::string>& known_methods,
    const std::string& where) {
  std::set<std::string, std::less<>> methods;
  int position = 0;
  for (absl::string_view field : fields) {
    for (absl::string_view written : absl::StrSplit(field, ',', absl::SkipEmpty())) {
      ++position;
      if (!LooksLikeMethodName(written)) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "method ", position, " of the list is not a `Service/Method` name"));
      }
      std::string full = FullMethodName(written);
      if (known_methods.count(full) == 0) {
        std::vector<std::string> choices;
        for (const std::string& known : known_methods) choices.push_back(ShortMethodName(known));
        return absl::InvalidArgumentError(
            absl::StrCat(where, "unknown method ", written,
                         "; a caller may be allowed: ", absl::StrJoin(choices, ", ")));
      }
      methods.insert(std::move(full));
    }
  }
  if (methods.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where,
                     "no methods listed: expected `caller sha256-hex-of-token "
                     "Service/Method[,Service/Method...]`"));
  }
  return methods;
}

grpc::string_ref Ref(std::string_view s) { return grpc::string_ref(s.data(), s.size()); }

std::string_view View(grpc::string_ref s) { return std::string_view(s.data(), s.size()); }

// Authenticates one call to a protected method. It lives as long as the call's ServerContext, so
// the caller name it hands to the handler through the metadata stays valid for the handler.
class AuthInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(std::string method, const CallAuthorizer* authorizer)
      : method_(std::move(method)), authorizer_(authorizer) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Decide(methods->GetRecvInitialMetadata());
    }
    methods->Proceed();
  }

 private:
  void Decide(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) return;
    std::vector<std::string_view> authorization;
    for (auto [it, end] = metadata->equal_range(kAuthorizationKey); it != end; ++it) {
      authorization.push_back(View(it->second));
    }
    absl::StatusOr<std::string> caller = authorizer_->Check(method_, authorization);
    // Once checked, the token is of no use to the handler and must not reach its logs; entries a
    // client sent under the verdict keys go too, so the handler sees one verdict only.
    metadata->erase(kAuthorizationKey);
    for (const char* key : {kCallerKey, kRefusalKey, kDenialKey}) metadata->erase(key);
    // The key says which verdict it is: a caller, a refused token, or a caller refused this method.
    const char* key = kCallerKey;
    if (caller.ok()) {
      verdict_ = *std::move(caller);
    } else {
      key =
          caller.status().code() == absl::StatusCode::kPermissionDenied ? kDenialKey : kRefusalKey;
      verdict_ = std::string(caller.status().message());
    }
    metadata->emplace(grpc::string_ref(key), Ref(verdict_));
  }

  const std::string method_;
  const CallAuthorizer* authorizer_;
  // The caller name, or why the call was refused; referenced from the call's metadata.
  std::string verdict_;
};

// The value the interceptor recorded under `key`, if it did.
std::optional<std::string_view> Verdict(const grpc::ServerContextBase* context, const char* key) {
  const auto& metadata = context->client_metadata();
  for (auto [it, end] = metadata.equal_range(grpc::string_ref(key)); it != end; ++it) {
    if (it->first.data() == key) return View(it->second);
  }
  return std::nullopt;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return text.str();
}

}  // namespace

std::set<std::string> ProtectedMethods() {
  return {
      "/omnia.v1.IngestionService/StreamEvents",
      "/omnia.v1.IngestionService/ImportPublishedReport",
      "/omnia.v1.IngestionService/ImportRawEvents",
      "/omnia.v1.IngestionService/RebuildAggregation",
      "/omnia.v1.AggregationService/Apply",
      "/omnia.v1.AggregationService/ReplacePublishedCells",
      "/omnia.v1.AggregationService/Freeze",
      "/omnia.v1.AggregationService/Rebuild",
      "/omnia.v1.CatalogueService/Publish",
      // Not a write, but reserved for the gateway: it serves the artifact store's bytes to the
      // public itself, with HTTP caching, ranges and limits.
      "/omnia.v1.CatalogueService/ReadAttachment",
  };
}

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::Parse(
    std::string_view text, std::string_view origin, const std::set<std::string>& known_methods) {
  std::vector<Entry> entries;
  std::map<std::string, int, std::less<>> line_of_caller;
  std::map<Digest, int> line_of_digest;
  int line_number = 0;
  for (absl::string_view raw_line : absl::StrSplit(AsAbsl(text), '\n')) {
    ++line_number;
    const absl::string_view line = absl::StripAsciiWhitespace(raw_line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = absl::StrCat(AsAbsl(origin), " line ", line_number, ": ");
    // A message quotes no field until it is known not to be a token: a line of the old format,
    // or with its fields swapped, would otherwise print a secret into a log.
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected `caller sha256-hex-of-token Service/Method[,...]`"));
    }
    const std::optional<Digest> digest = ParseHexDigest(fields[1]);
    if (!digest.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where,
          "the second field is not a SHA-256 digest (64 hex digits). The tokens file must hold "
          "digests of the tokens, never the tokens themselves (is this a `caller token` line of "
          "the old format?); make one with `printf %s \"$token\" | sha256sum`"));
    }
    const absl::string_view caller = fields[0];
    if (caller.size() > kMaxCallerNameLength || !AllOf(caller, IsCallerNameChar)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "the caller name must be 1 to ", kMaxCallerNameLength, " of A-Z a-z 0-9 . _ -"));
    }
    if (auto it = line_of_caller.find(caller); it != line_of_caller.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "caller ", caller, " is already listed on line ", it->second));
    }
    if (auto it = line_of_digest.find(*digest); it != line_of_digest.end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "the digest of ", caller,
                                                     " is the same as on line ", it->second,
                                                     "; every caller needs its own token"));
    }
    absl::StatusOr<std::set<std::string, std::less<>>> methods = ParseMethodList(
        std::vector<absl::string_view>(fields.begin() + 2, fields.end()), known_methods, where);
    if (!methods.ok()) return methods.status();
    line_of_caller.emplace(std::string(caller), line_number);
    line_of_digest.emplace(*digest, line_number);
    entries.push_back(Entry{Caller{std::string(caller), *std::move(methods)}, *digest});
  }
  if (entries.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(AsAbsl(origin), " lists no callers"));
  }
  return TokenAuthenticator(std::move(entries));
}

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::LoadFile(
    const std::string& path, const std::set<std::string>& known_methods) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path, known_methods);
}

absl::StatusOr<const TokenAuthenticator::Caller*> TokenAuthenticator::Authenticate(
    std::string_view presented) const {
  // Comparing digests gives every comparison the same length whatever was presented. Every entry
  // is compared and the match is selected without a branch, so the time taken does not depend on
  // whether, or which, token matched.
  const Digest digest = Sha256(presented);
  size_t match = 0;  // index + 1 of the matching entry; 0 for none
  for (size_t i = 0; i < entries_.size(); ++i) {
    const int difference = CRYPTO_memcmp(digest.data(), entries_[i].digest.data(), digest.size());
    // CRYPTO_memcmp returns 0 for equal inputs and a non-zero byte value otherwise.
    const size_t equal = ((static_cast<size_t>(static_cast<unsigned char>(difference)) - 1) >>
                          (sizeof(size_t) * 8 - 1)) &
                         1;
    match |= equal * (i + 1);
  }
  if (match == 0) return absl::UnauthenticatedError("the bearer token is not valid");
  return &entries_[match - 1].caller;
}

CallAuthorizer::CallAuthorizer(Mode mode, std::optional<TokenAuthenticator> tokens,
                               std::set<std::string> protected_methods)
    : mode_(mode),
      tokens_(std::move(tokens)),
      protected_methods_(protected_methods.begin(), protected_methods.end()) {}

CallAuthorizer CallAuthorizer::RequireTokens(TokenAuthenticator tokens,
                                             std::set<std::string> protected_methods) {
  return CallAuthorizer(Mode::kRequireTokens, std::move(tokens), std::move(protected_methods));
}

CallAuthorizer CallAuthorizer::RefuseProtected(std::set<std::string> protected_methods) {
  return CallAuthorizer(Mode::kRefuseProtected, std::nullopt, std::move(protected_methods));
}

CallAuthorizer CallAuthorizer::InsecureNoAuth(std::set<std::string> protected_methods) {
  return CallAuthorizer(Mode::kInsecureNoAuth, std::nullopt, std::move(protected_methods));
}

bool CallAuthorizer::IsProtected(std::string_view method) const {
  return protected_methods_.find(method) != protected_methods_.end();
}

absl::StatusOr<std::string> CallAuthorizer::Check(
    std::string_view method, const std::vector<std::string_view>& authorization) const {
  if (!IsProtected(method)) return std::string();
  switch (mode_) {
    case Mode::kInsecureNoAuth:
      return std::string(kAnonymousCaller);
    case Mode::kRefuseProtected:
      return absl::UnauthenticatedError(
          absl::StrCat(AsAbsl(method),
                       " is refused: this server has no tokens file configured "
                       "(--tokens_file or $",
                       kTokensFileEnv, ")"));
    case Mode::kRequireTokens:
      break;
  }
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(AsAbsl(method), " requires an `authorization: Bearer <token>` header"));
  }
  if (authorization.size() > 1) {
    return absl::UnauthenticatedError(
        absl::StrCat(AsAbsl(method), " was called with more than one authorization header"));
  }
  // The scheme name is case-insensitive (RFC 7235); the token follows after spaces.
  const absl::string_view value = AsAbsl(authorization.front());
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError(
        absl::StrCat(AsAbsl(method), " requires an `authorization: Bearer <token>` header"));
  }
  const absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  absl::StatusOr<const TokenAuthenticator::Caller*> caller =
      tokens_->Authenticate(std::string_view(token.data(), token.size()));
  if (!caller.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat(AsAbsl(method), ": ", caller.status().message()));
  }
  if (!(*caller)->MayCall(method)) {
    return absl::PermissionDeniedError(
        absl::StrCat(AsAbsl(method), " is not among the methods ", (*caller)->name, " may call"));
  }
  return (*caller)->name;
}

std::string CallAuthorizer::Describe() const {
  switch (mode_) {
    case Mode::kRequireTokens:
      return absl::StrCat("bearer tokens of ", tokens_->size(),
                          tokens_->size() == 1 ? " caller" : " callers",
                          ", each limited to its listed methods, protect ",
                          protected_methods_.size(), " write and admin methods");
    case Mode::kRefuseProtected:
      return absl::StrCat("no tokens file: the ", protected_methods_.size(),
                          " write and admin methods are refused");
    case Mode::kInsecureNoAuth:
      return absl::StrCat("INSECURE (--insecure_no_auth): the ", protected_methods_.size(),
                          " write and admin methods are open to anyone");
  }
  return "";
}

absl::StatusOr<std::shared_ptr<const CallAuthorizer>> CallAuthorizerFromFlags() {
  std::string path = absl::GetFlag(FLAGS_tokens_file);
  if (path.empty()) {
    if (const char* env = std::getenv(kTokensFileEnv)) path = env;
  }
  const bool insecure = absl::GetFlag(FLAGS_insecure_no_auth);
  if (!path.empty() && insecure) {
    return absl::InvalidArgumentError(
        "--insecure_no_auth contradicts the configured tokens file; set only one");
  }
  if (insecure) return std::make_shared<const CallAuthorizer>(CallAuthorizer::InsecureNoAuth());
  if (path.empty()) {
    return std::make_shared<const CallAuthorizer>(CallAuthorizer::RefuseProtected());
  }
  absl::StatusOr<TokenAuthenticator> tokens = TokenAuthenticator::LoadFile(path);
  if (!tokens.ok()) return tokens.status();
  return std::make_shared<const CallAuthorizer>(CallAuthorizer::RequireTokens(*std::move(tokens)));
}

grpc::experimental::Interceptor* AuthInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Public methods need no interceptor: Authorize() is never asked about them, and entries a
  // client sent under the verdict keys are ignored there anyway.
  if (info->method() == nullptr || !authorizer_->IsProtected(info->method())) return nullptr;
  return new AuthInterceptor(info->method(), authorizer_.get());
}

absl::Status Authorize(const grpc::ServerContextBase* context, std::string_view method) {
  if (Verdict(context, kCallerKey).has_value()) return absl::OkStatus();
  if (std::optional<std::string_view> denial = Verdict(context, kDenialKey)) {
    return absl::PermissionDeniedError(AsAbsl(*denial));
  }
  if (std::optional<std::string_view> refusal = Verdict(context, kRefusalKey)) {
    return absl::UnauthenticatedError(AsAbsl(*refusal));
  }
  return absl::UnauthenticatedError(
      absl::StrCat(AsAbsl(method),
                   " is refused: the server did not authenticate this call (is the "
                   "authentication interceptor registered and the method listed as protected?)"));
}

std::string AuthenticatedCaller(const grpc::ServerContextBase* context) {
  const std::optional<std::string_view> caller = Verdict(context, kCallerKey);
  return caller.has_value() ? std::string(*caller) : std::string();
}

grpc::ServerUnaryReactor* RejectUnary(grpc::CallbackServerContext* context,
                                      const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(rpc::ToGrpcStatus(status));
  return reactor;
}

}  // namespace omnia::server
