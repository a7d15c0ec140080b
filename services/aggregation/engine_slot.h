// The aggregation engine once opened, shared by the RPC handlers and the metrics scrapes, which
// read it on other threads (null while a large cube is still loading).
#pragma once

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/cube/engine.h"

namespace omnia::aggregation {

class EngineSlot {
 public:
  void Set(std::shared_ptr<cube::CubeEngine> engine) {
    absl::MutexLock lock(&mu_);
    engine_ = std::move(engine);
  }
  // Null while the engine is still opening.
  std::shared_ptr<cube::CubeEngine> Get() const {
    absl::MutexLock lock(&mu_);
    return engine_;
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<cube::CubeEngine> engine_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omnia::aggregation
