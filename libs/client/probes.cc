#include "libs/client/probes.h"

#include <httplib.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "libs/rpc/status_mapping.h"
#include "libs/base/string_view.h"

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

absl::StatusOr<HostPort> SplitHostPort(std::string_view host_port) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("address must be HOST:PORT or [IPV6]:PORT, not ", AsAbsl(host_port)));
  };
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos) return invalid();
  std::string_view host = host_port.substr(0, colon);
  if (host.starts_with("[") && host.ends_with("]")) {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalid();  // an IPv6 literal without brackets: where its port starts is a guess
  }
  int port = 0;
  if (host.empty() || !absl::SimpleAtoi(AsAbsl(host_port.substr(colon + 1)), &port) || port <= 0 ||
      port > 65535) {
    return invalid();
  }
  return HostPort{std::string(host), port};
}

absl::StatusOr<std::string> HttpGet(const std::string& host_port, const std::string& path,
                                    absl::Duration timeout) {
  absl::StatusOr<HostPort> address = SplitHostPort(host_port);
  if (!address.ok()) return address.status();
  httplib::Client client(address->host, address->port);
  const std::chrono::microseconds limit(absl::ToInt64Microseconds(timeout));
  client.set_connection_timeout(limit);
  client.set_read_timeout(limit);
  client.set_write_timeout(limit);
  const httplib::Result result = client.Get(path);
  if (!result) {
    return absl::UnavailableError(
        absl::StrCat("GET ", path, " from ", host_port, ": ", httplib::to_string(result.error())));
  }
  if (result->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("GET ", path, " from ", host_port, ": HTTP status ", result->status));
  }
  return result->body;
}

}  // namespace omnia::client
