// Thin unary handlers on the callback API: a handler computes an absl::Status (filling the
// response) and the reactor finishes with its mapping. Handlers that only read memory run
// inline; handlers that block on disk run on an Executor.
#pragma once

#include <grpcpp/grpcpp.h>

#include <utility>

#include "libs/rpc/status_mapping.h"
#include "libs/server/executor.h"

namespace omnia::server {

template <typename Handler>
grpc::ServerUnaryReactor* FinishInline(grpc::CallbackServerContext* context, Handler&& handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(rpc::ToGrpcStatus(handler()));
  return reactor;
}

template <typename Handler>
grpc::ServerUnaryReactor* FinishOnExecutor(grpc::CallbackServerContext* context, Executor& executor,
                                           Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  executor.Submit([reactor, handler = std::move(handler)]() mutable {
    reactor->Finish(rpc::ToGrpcStatus(handler()));
  });
  return reactor;
}

}  // namespace omnia::server
