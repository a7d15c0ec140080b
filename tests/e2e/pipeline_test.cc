// The ingestion → aggregation path with the real service binaries on loopback, as producers and
// operators meet it: clear worker ids never reach disk or logs, and kill -9 of either service at
// random points, any number of times, loses no acknowledged event and counts none twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/child_process.h"

namespace omnia {
namespace {

constexpr char kKey[] = "e2e-test-key-0123456789abcdef0123456789";

struct Event {
  bool payment;
  std::string id;
  std::string worker;  // clear codice fiscale (payments)
  int year, month, day;
  std::string region, type;
  int months;
};

// A valid-looking codice fiscale for worker `n`: 6 letters, 2 digits, letter, 2 digits, letter,
// 3 digits, letter.
std::string CodiceFiscale(int n) {
  std::string cf = "RSSMRA00A00H000Z";
  const std::string letters = "ABCDEFGHLMNPRSTVZ";
  int x = n;
  for (int i = 0; i < 6; ++i, x /= 17) cf[i] = letters[x % 17];
  cf[6] = static_cast<char>('0' + (n / 7) % 10);
  cf[7] = static_cast<char>('0' + (n / 3) % 10);
  cf[9] = static_cast<char>('0' + n % 10);
  cf[12] = static_cast<char>('0' + (n / 11) % 10);
  cf[13] = static_cast<char>('0' + (n / 13) % 10);
  cf[14] = static_cast<char>('0' + (n / 17) % 10);
  return cf;
}

std::vector<Event> MakeEvents(int count, int workers, uint64_t seed) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<Event> events;
  for (int i = 0; i < count; ++i) {
    Event e;
    e.payment = pick(0, 3) != 0;
    e.id = absl::StrCat(e.payment ? "P" : "A", i);
    e.worker = CodiceFiscale(pick(0, workers - 1));
    e.year = pick(2022, 2023);
    e.month = pick(1, 12);
    e.day = pick(1, 28);
    e.region = codelists.regions()[pick(0, 19)].inps_label;
    e.type = codelists.intervention_types()[pick(0, 5)].code;
    e.months = pick(0, 2);
    events.push_back(e);
  }
  return events;
}

v1::EventBatch ToBatch(const std::vector<Event>& events, size_t begin, size_t end,
                       uint64_t sequence) {
  v1::EventBatch batch;
  batch.set_producer_id("e2e-producer");
  batch.set_sequence(sequence);
  for (size_t i = begin; i < end; ++i) {
    const Event& e = events[i];
    v1::Event* out = batch.add_events();
    if (e.payment) {
      v1::PaymentIssued* p = out->mutable_payment_issued();
      p->set_payment_id(e.id);
      p->set_worker_id(e.worker);
      p->mutable_paid_on()->set_year(e.year);
      p->mutable_paid_on()->set_month(e.month);
      p->mutable_paid_on()->set_day(e.day);
      p->set_region(e.region);
      p->set_intervention_type(e.type);
      p->set_months_covered(e.months);
    } else {
      v1::ApplicationAuthorized* a = out->mutable_application_authorized();
      a->set_application_id(e.id);
      a->mutable_authorized_on()->set_year(e.year);
      a->mutable_authorized_on()->set_month(e.month);
      a->mutable_authorized_on()->set_day(e.day);
      a->set_region(e.region);
      a->set_intervention_type(e.type);
    }
  }
  return batch;
}

// (measure, period level, year, period index, region level, region code, type level, type code)
using Key = std::tuple<std::string, int, int, int, int, std::string, int, std::string>;

// Every cell of every level, recomputed with plain maps and sets from the events.
std::map<Key, uint64_t> Recompute(const std::vector<Event>& events) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  std::map<Key, uint64_t> sums;
  std::map<Key, std::set<std::string>> workers;
  for (const Event& e : events) {
    const domain::Region& region = **codelists.FindRegion(e.region);
    const domain::InterventionType& type = **codelists.FindInterventionType(e.type);
    const int period[3] = {e.month, (e.month - 1) / 3 + 1, 0};
    const std::string regions[3] = {region.inps_label, region.macro_area_code, "ITALY"};
    const std::string types[3] = {type.code, type.family_code, "ALL"};
    for (int p = 0; p < 3; ++p) {
      for (int r = 0; r < 3; ++r) {
        for (int t = 0; t < 3; ++t) {
          auto key = [&](const std::string& m) {
            return Key(m, p, e.year, period[p], r, regions[r], t, types[t]);
          };
          if (!e.payment) {
            ++sums[key("APPLICATIONS")];
            continue;
          }
          workers[key("WORKERS")].insert(e.worker);
          if (e.months > 0) sums[key("BENEFIT_MONTHS")] += e.months;
        }
      }
    }
  }
  for (const auto& [k, set] : workers) sums[k] = set.size();
  return sums;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("OMNIA_HMAC_KEY", kKey, 1);
    aggregation_address_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
    ingestion_address_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
    StartAggregation();
    StartIngestion();
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "aggregation log:\n"
                << ReadLogs("aggregation") << "\ningestion log:\n"
                << ReadLogs("ingestion");
    }
  }

  std::string Binary(const std::string& name) {
    return absl::StrCat(OMNIA_BINARY_DIR, "/services/", name, "/omnia-", name);
  }

  std::string LogPath(const std::string& name) {
    return absl::StrCat(dir_.path(), "/", name, "-", ++log_counter_, ".log");
  }

  std::string ReadLogs(const std::string& name) {
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      const std::string file = entry.path().filename().string();
      if (file.rfind(name + "-", 0) != 0 || entry.path().extension() != ".log") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      all += text.str();
    }
    return all;
  }

  void StartAggregation() {
    aggregation_ = std::make_unique<testing::ChildProcess>(
        Binary("aggregation"),
        std::vector<std::string>{"--grpc_address=" + aggregation_address_,
                                 "--data_dir=" + dir_.path() + "/aggregation"},
        LogPath("aggregation"));
    ASSERT_TRUE(client::WaitUntilServing(client::CreateInsecureChannel(aggregation_address_), "",
                                         absl::Seconds(30))
                    .ok());
  }

  void StartIngestion() {
    ingestion_ = std::make_unique<testing::ChildProcess>(
        Binary("ingestion"),
        std::vector<std::string>{"--grpc_address=" + ingestion_address_,
                                 "--data_dir=" + dir_.path() + "/ingestion",
                                 "--aggregation_address=" + aggregation_address_},
        LogPath("ingestion"));
    ASSERT_TRUE(client::WaitUntilServing(client::CreateInsecureChannel(ingestion_address_), "",
                                         absl::Seconds(30))
                    .ok());
  }

  absl::Status Stream(const std::vector<Event>& events, size_t batch_size,
                      absl::Duration pause_between_batches = absl::ZeroDuration(),
                      uint64_t* reconnects = nullptr) {
    client::EventStreamer streamer(client::CreateInsecureChannel(ingestion_address_), {});
    struct Report {
      client::EventStreamer& streamer;
      uint64_t* out;
      ~Report() {
        if (out != nullptr) *out = streamer.stats().reconnects;
      }
    } report{streamer, reconnects};
    size_t next = 0;
    uint64_t sequence = 0;
    return streamer.Run([&]() -> std::optional<v1::EventBatch> {
      if (next >= events.size()) return std::nullopt;
      if (pause_between_batches > absl::ZeroDuration()) absl::SleepFor(pause_between_batches);
      const size_t end = std::min(events.size(), next + batch_size);
      v1::EventBatch batch = ToBatch(events, next, end, ++sequence);
      next = end;
      return batch;
    });
  }

  // Waits until aggregation has applied everything ingestion logged.
  void WaitUntilApplied() {
    auto stub = v1::IngestionService::NewStub(client::CreateInsecureChannel(ingestion_address_));
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    v1::GetIngestionStatusResponse status;
    while (absl::Now() < deadline) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      if (stub->GetIngestionStatus(&context, {}, &status).ok() && status.backlog_entries() == 0 &&
          status.applied_log_sequence() == status.last_log_sequence()) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "not applied in time: " << status.DebugString();
  }

  std::map<Key, uint64_t> QueryEverything() {
    auto stub =
        v1::AggregationService::NewStub(client::CreateInsecureChannel(aggregation_address_));
    std::map<Key, uint64_t> cells;
    for (int p = 1; p <= 3; ++p) {
      for (int r = 1; r <= 3; ++r) {
        for (int t = 1; t <= 3; ++t) {
          v1::QueryRequest request;
          v1::CellQuery* q = request.mutable_query();
          for (const char* m : {"APPLICATIONS", "WORKERS", "BENEFIT_MONTHS"}) q->add_measures(m);
          q->set_period_level(static_cast<v1::PeriodLevel>(p));
          q->set_region_level(static_cast<v1::RegionLevel>(r));
          q->set_type_level(static_cast<v1::TypeLevel>(t));
          q->mutable_period_range()->mutable_first()->set_year(2022);
          q->mutable_period_range()->mutable_first()->set_month(1);
          q->mutable_period_range()->mutable_last()->set_year(2023);
          q->mutable_period_range()->mutable_last()->set_month(12);
          request.set_page_size(10000);
          while (true) {
            grpc::ClientContext context;
            context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
            v1::QueryResponse response;
            grpc::Status status = stub->Query(&context, request, &response);
            EXPECT_TRUE(status.ok()) << status.error_message();
            if (!status.ok()) return cells;
            for (const v1::Cell& c : response.cells()) {
              const int index = p == 1 ? c.period().month() : (p == 2 ? c.period().quarter() : 0);
              cells[Key(c.measure(), p - 1, c.period().year(), index, r - 1, c.region().code(),
                        t - 1, c.intervention_type().code())] = c.value();
            }
            if (response.next_page_token().empty()) break;
            request.set_page_token(response.next_page_token());
          }
        }
      }
    }
    return cells;
  }

  void ExpectCubeEquals(const std::vector<Event>& events) {
    const std::map<Key, uint64_t> expected = Recompute(events);
    const std::map<Key, uint64_t> actual = QueryEverything();
    EXPECT_EQ(actual.size(), expected.size());
    size_t differences = 0;
    for (const auto& [key, value] : expected) {
      auto it = actual.find(key);
      if (it == actual.end() || it->second != value) {
        if (++differences <= 5) {
          ADD_FAILURE() << std::get<0>(key) << " " << std::get<2>(key) << "/" << std::get<3>(key)
                        << " " << std::get<5>(key) << " " << std::get<7>(key) << ": expected "
                        << value << ", got " << (it == actual.end() ? 0 : it->second);
        }
      }
    }
    EXPECT_EQ(differences, 0u);
  }

  testing::TempDir dir_;
  std::string aggregation_address_;
  std::string ingestion_address_;
  std::unique_ptr<testing::ChildProcess> aggregation_;
  std::unique_ptr<testing::ChildProcess> ingestion_;
  int log_counter_ = 0;
};

TEST_F(PipelineTest, ClearWorkerIdsNeverReachDiskOrLogs) {
  const std::vector<Event> events = MakeEvents(400, 60, 1);
  ASSERT_TRUE(Stream(events, 50).ok());
  WaitUntilApplied();
  ExpectCubeEquals(events);
  // A release is a second copy of the cube on disk: it must be clean too.
  auto stub = v1::AggregationService::NewStub(client::CreateInsecureChannel(aggregation_address_));
  grpc::ClientContext context;
  v1::FreezeRequest freeze;
  freeze.set_release_id("leak-check");
  v1::FreezeResponse frozen;
  ASSERT_TRUE(stub->Freeze(&context, freeze, &frozen).ok());
  ingestion_->Signal(SIGTERM);
  aggregation_->Signal(SIGTERM);
  ASSERT_EQ(ingestion_->WaitForExit(absl::Seconds(20)), 0);
  ASSERT_EQ(aggregation_->WaitForExit(absl::Seconds(20)), 0);

  std::set<std::string> needles;
  for (const Event& e : events) {
    if (!e.payment) continue;
    needles.insert(e.worker);
    needles.insert(absl::AsciiStrToLower(e.worker));
  }
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string content = bytes.str();
    for (const std::string& needle : needles) {
      ASSERT_EQ(content.find(needle), std::string::npos)
          << "a clear worker id is in " << entry.path();
    }
  }
  EXPECT_GT(files, 10u);  // the log, the cube, the release and both service logs were searched
}

TEST_F(PipelineTest, KillingAggregationAtRandomLosesNothingAndCountsNothingTwice) {
  const std::vector<Event> events = MakeEvents(24000, 3000, 2);
  absl::Status streamed;
  std::atomic<bool> producing{true};
  uint64_t reconnects = 0;
  std::thread producer([&] {
    streamed = Stream(events, 100, absl::Milliseconds(10), &reconnects);
    producing = false;
  });
  std::mt19937 rng(7);
  for (int kill = 0; kill < 3; ++kill) {
    absl::SleepFor(absl::Milliseconds(100 + rng() % 200));
    // The kill must land while events are still flowing, or the test proves nothing.
    EXPECT_TRUE(producing.load()) << "kill " << kill << " came after the stream ended";
    aggregation_->Signal(SIGKILL);
    aggregation_->WaitForExit(absl::Seconds(10));
    StartAggregation();
  }
  producer.join();
  ASSERT_TRUE(streamed.ok()) << streamed;
  WaitUntilApplied();
  ExpectCubeEquals(events);
}

TEST_F(PipelineTest, KillingIngestionAtRandomLosesNothingAndCountsNothingTwice) {
  const std::vector<Event> events = MakeEvents(24000, 3000, 3);
  absl::Status streamed;
  std::atomic<bool> producing{true};
  uint64_t reconnects = 0;
  std::thread producer([&] {
    streamed = Stream(events, 100, absl::Milliseconds(10), &reconnects);
    producing = false;
  });
  std::mt19937 rng(11);
  for (int kill = 0; kill < 3; ++kill) {
    absl::SleepFor(absl::Milliseconds(100 + rng() % 200));
    EXPECT_TRUE(producing.load()) << "kill " << kill << " came after the stream ended";
    ingestion_->Signal(SIGKILL);
    ingestion_->WaitForExit(absl::Seconds(10));
    StartIngestion();
  }
  producer.join();
  ASSERT_TRUE(streamed.ok()) << streamed;
  // The producer saw its server die and resent what was unacknowledged.
  EXPECT_GE(reconnects, 3u);
  WaitUntilApplied();
  ExpectCubeEquals(events);
}

}  // namespace
}  // namespace omnia
