#include "libs/rpc/channel.h"

namespace omnia::rpc {
namespace {

constexpr int kMinConnectTimeoutMs = 20'000;

}  // namespace

std::shared_ptr<grpc::Channel> CreateInsecureChannel(const std::string& address) {
  return omnia::rpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

std::shared_ptr<grpc::Channel> CreateChannel(
    const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  // gRPC reads the "minimum reconnect backoff" as the time a connection attempt is given to
  // connect and receive the server's HTTP/2 SETTINGS; a short one abandons every connection to a
  // loaded server, so it stays at gRPC's 20 s and only the waits between attempts are short.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kMinConnectTimeoutMs);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // After a failed connection the channel re-resolves the name; by default no sooner than 30 s.
  args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, 100);
  return grpc::CreateCustomChannel(address, credentials, args);
}

}  // namespace omnia::rpc
