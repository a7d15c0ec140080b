#include "libs/client/probes.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::client {

absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

absl::Status WaitUntilServing(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& service, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::DeadlineExceededError("no answer yet");
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> health = CheckHealth(channel, service, absl::Seconds(1));
    if (health.ok() && *health == "SERVING") return absl::OkStatus();
    last =
        health.ok() ? absl::UnavailableError(absl::StrCat("health is ", *health)) : health.status();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("not SERVING within ", absl::FormatDuration(timeout), ": ", last.ToString()));
}

absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  using grpc::reflection::v1alpha::ServerReflection;
  using grpc::reflection::v1alpha::ServerReflectionRequest;
  using grpc::reflection::v1alpha::ServerReflectionResponse;
  auto stub = ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  auto stream = stub->ServerReflectionInfo(&context);
  ServerReflectionRequest request;
  request.set_list_services("");
  if (!stream->Write(request)) return rpc::FromGrpcStatus(stream->Finish());
  stream->WritesDone();
  ServerReflectionResponse response;
  std::vector<std::string> names;
  while (stream->Read(&response)) {
    if (response.has_error_response()) {
      return absl::UnknownError(response.error_response().error_message());
    }
    for (const auto& service : response.list_services_response().service()) {
      names.push_back(service.name());
    }
  }
  if (grpc::Status status = stream->Finish(); !status.ok()) {
    return rpc::FromGrpcStatus(status);
  }
  return names;
}

namespace {

// Closes a socket on every return path.
class SocketCloser {
 public:
  explicit SocketCloser(int fd) : fd_(fd) {}
  ~SocketCloser() { close(fd_); }

 private:
  int fd_;
};

bool WaitFor(int fd, short events, absl::Time deadline) {
  pollfd p{fd, events, 0};
  const int64_t millis = absl::ToInt64Milliseconds(deadline - absl::Now());
  return millis > 0 && poll(&p, 1, static_cast<int>(millis)) == 1;
}

// True once the reply holds its headers and as many body bytes as Content-Length announces (some
// servers keep the connection open after an HTTP/1.0 reply).
bool BodyComplete(const std::string& reply) {
  const size_t header_end = reply.find("\r\n\r\n");
  if (header_end == std::string::npos) return false;
  const std::string headers = absl::AsciiStrToLower(reply.substr(0, header_end));
  const size_t at = headers.find("\r\ncontent-length:");
  if (at == std::string::npos) return false;
  const size_t value_start = at + 17;
  const size_t value_end = headers.find("\r\n", value_start);
  size_t length = 0;
  if (!absl::SimpleAtoi(
          absl::StripAsciiWhitespace(headers.substr(value_start, value_end - value_start)),
          &length)) {
    return false;
  }
  return reply.size() >= header_end + 4 + length;
}

}  // namespace

absl::StatusOr<std::string> HttpGet(const std::string& host_port, const std::string& path,
                                    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<std::string> parts = absl::StrSplit(host_port, absl::MaxSplits(':', 1));
  if (parts.size() != 2) return absl::InvalidArgumentError("address must be HOST:PORT");
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  // Numeric addresses (the usual case for metrics endpoints) skip name resolution entirely.
  in_addr numeric{};
  if (inet_pton(AF_INET, parts[0].c_str(), &numeric) == 1) {
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  }
  addrinfo* found = nullptr;
  if (getaddrinfo(parts[0].c_str(), parts[1].c_str(), &hints, &found) != 0 || found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve ", host_port));
  }
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  const int connected = connect(fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  SocketCloser closer(fd);
  if (connected != 0) return absl::UnavailableError(absl::StrCat("cannot connect to ", host_port));

  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: ", host_port, "\r\nConnection: close\r\n\r\n");
  size_t sent = 0;
  while (sent < request.size()) {
    if (!WaitFor(fd, POLLOUT, deadline)) return absl::DeadlineExceededError("HTTP send timed out");
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return absl::UnavailableError("HTTP send failed");
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  char buffer[16384];
  while (true) {
    if (!WaitFor(fd, POLLIN, deadline)) return absl::DeadlineExceededError("HTTP read timed out");
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0) return absl::UnavailableError("HTTP read failed");
    if (n == 0) break;
    reply.append(buffer, static_cast<size_t>(n));
    if (BodyComplete(reply)) break;
  }
  const size_t header_end = reply.find("\r\n\r\n");
  if (header_end == std::string::npos) return absl::DataLossError("malformed HTTP reply");
  const std::string status_line = reply.substr(0, reply.find("\r\n"));
  std::vector<std::string> status_parts = absl::StrSplit(status_line, ' ');
  int code = 0;
  if (status_parts.size() < 2 || !absl::SimpleAtoi(status_parts[1], &code)) {
    return absl::DataLossError("malformed HTTP status line");
  }
  if (code != 200) return absl::UnavailableError(absl::StrCat("HTTP status ", code));
  return reply.substr(header_end + 4);
}

}  // namespace omnia::client
