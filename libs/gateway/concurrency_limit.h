// A cap on requests of one kind in flight. Ad-hoc queries each hold one of the exporter's
// rendering threads for as long as the HTTP client takes to read the answer, and the catalogue's
// publications render through the same exporter: without a cap, a handful of slow clients would
// hold every thread and make a publication miss its deadline.
#pragma once

#include <atomic>
#include <memory>

namespace omnia::gateway {

class ConcurrencyLimit {
 public:
  // Held while a request runs; given back when destroyed (it may outlive the limit).
  class Slot {
   public:
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { in_flight_->fetch_sub(1); }

   private:
    friend class ConcurrencyLimit;
    explicit Slot(std::shared_ptr<std::atomic<int>> in_flight) : in_flight_(std::move(in_flight)) {}
    std::shared_ptr<std::atomic<int>> in_flight_;
  };

  // At most `max_in_flight` slots at once (at least 1).
  explicit ConcurrencyLimit(int max_in_flight);

  // A slot, or null when `max_in_flight` are held.
  std::unique_ptr<Slot> TryAcquire();

  int in_flight() const { return in_flight_->load(); }
  int max_in_flight() const { return max_in_flight_; }

 private:
  const int max_in_flight_;
  std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace omnia::gateway
