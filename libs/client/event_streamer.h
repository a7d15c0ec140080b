// A producer's side of IngestionService.StreamEvents: sends batches in order with a window of
// unacknowledged ones, and when the stream breaks (a server restarting, a network fault)
// reconnects with backoff and resends every unacknowledged batch under the same sequence, which
// the server answers DUPLICATE if it had already logged it. A batch the server rejects stops the
// run with the server's reason; a full backlog (RESOURCE_EXHAUSTED) is retried.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "omnia/v1/ingestion.grpc.pb.h"

namespace omnia::client {

struct StreamerOptions {
  size_t window = 8;  // unacknowledged batches in flight
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  // Give up after failing to make progress for this long.
  absl::Duration give_up_after = absl::Minutes(2);
  std::string bearer_token;  // sent when non-empty
};

struct StreamerStats {
  uint64_t batches_acked = 0;
  uint64_t batches_duplicate = 0;
  uint64_t events_accepted = 0;
  uint64_t events_duplicate = 0;
  uint64_t reconnects = 0;
};

class EventStreamer {
 public:
  EventStreamer(std::shared_ptr<grpc::Channel> channel, StreamerOptions options);

  // Pulls batches from `next` (nullopt ends the input) and returns once every one is
  // acknowledged. `on_ack` sees each acknowledgement (for progress display).
  absl::Status Run(const std::function<std::optional<v1::EventBatch>()>& next,
                   const std::function<void(const v1::BatchAck&)>& on_ack = {});

  const StreamerStats& stats() const { return stats_; }

 private:
  std::unique_ptr<v1::IngestionService::Stub> stub_;
  StreamerOptions options_;
  StreamerStats stats_;
};

}  // namespace omnia::client
