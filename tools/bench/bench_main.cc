// omnia-bench: load and latency measurements against running services, for the `bench` target.
//
//   omnia-bench ingest --ingestion=HOST:PORT --applications=A.csv --payments=P.csv [--streams=N]
//       [--queries_during=N --aggregation=HOST:PORT]
//       Streams both raw-event files, in event columns, through IngestionService.StreamEvents
//       on N parallel streams and waits until aggregation has applied everything. Prints one
//       JSON line with events, seconds from the first send to fully applied, and events per
//       second.
//   omnia-bench query --aggregation=HOST:PORT --kind=cell|national --concurrency=N --seconds=S
//       Keeps N Query calls in flight (one per connection) for S seconds; prints p50/p99 latency
//       and throughput.
//   omnia-bench export --exporter=HOST:PORT --dataset=ID [--runs=N]
//       Renders one dataset in every format; prints median time, size and MB/s.
//   omnia-bench publish --catalogue=HOST:PORT [--runs=N]
//       Times full publications of every dataset; prints the median.
//   omnia-bench import-raw --ingestion=HOST:PORT [--raw_bytes=N]
//       Imports one raw payments file of about N bytes (default 1 GiB, every payment new, made
//       on the fly) through IngestionService.ImportRawEvents; prints its size, events and time.
//       The caller reads the service's peak memory (run-bench.sh prints it).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/base/sha256.h"
#include "libs/client/event_batch_builder.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "libs/domain/codelists.h"
#include "libs/domain/raw_events_csv.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tools/bench/process_cpu.h"

ABSL_FLAG(std::string, ingestion, "127.0.0.1:50051", "ingestion HOST:PORT");
ABSL_FLAG(std::string, aggregation, "127.0.0.1:50052", "aggregation HOST:PORT");
ABSL_FLAG(std::string, applications, "", "applications CSV (raw layout)");
ABSL_FLAG(std::string, payments, "", "payments CSV (raw layout)");
ABSL_FLAG(int, streams, 2, "parallel StreamEvents streams");
ABSL_FLAG(int, batch, 10000, "events per batch");
ABSL_FLAG(std::string, kind, "cell",
          "query kind: cell (one base cell) or national (yearly WORKERS)");
ABSL_FLAG(int, concurrency, 1, "queries in flight at once, one per connection");
ABSL_FLAG(int, query_threads, 1, "threads driving the queries in flight");
ABSL_FLAG(int, queries_during, 0,
          "ingest: queries in flight to --aggregation while the events are ingested "
          "and applied (0: none); prints their p50/p99 latency");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "how long to send queries");
ABSL_FLAG(std::string, exporter, "127.0.0.1:50054", "exporter HOST:PORT");
ABSL_FLAG(std::string, catalogue, "127.0.0.1:50053", "catalogue HOST:PORT");
ABSL_FLAG(std::string, dataset, "integrazioni-salariali-lavoratori-storico", "export: dataset id");
ABSL_FLAG(std::string, release, "", "export: release to render (empty: live cubes)");
ABSL_FLAG(uint64_t, raw_bytes, uint64_t{1} << 30, "import-raw: size of the file");
ABSL_FLAG(int, runs, 11, "export, publish: repetitions (the median is reported)");

namespace {

using omnia::v1::EventBatch;

// The operator's bearer token for write calls, from $OMNIA_TOKEN.
std::string Token() {
  const char* token = std::getenv("OMNIA_TOKEN");
  return token == nullptr ? "" : token;
}

// Converts parsed events into batches for one stream (events are dealt round-robin by batch).
class BatchCollector final : public omnia::domain::RawEventSink {
 public:
  BatchCollector(int streams, int batch_size)
      : streams_(streams), batch_size_(batch_size), per_stream_(streams) {}

  absl::Status OnApplication(const omnia::domain::ApplicationAuthorized& e, int64_t) override {
    MakeRoom();
    current_.Add(e);
    return absl::OkStatus();
  }

  absl::Status OnPayment(const omnia::domain::PaymentIssued& e, int64_t) override {
    MakeRoom();
    current_.Add(e);
    return absl::OkStatus();
  }

  // Every batch, by stream; call once, after the last event.
  std::vector<std::vector<EventBatch>>& batches() {
    Seal();
    return per_stream_;
  }
  uint64_t events() const { return events_; }

 private:
  void MakeRoom() {
    if (current_.size() >= static_cast<uint64_t>(batch_size_)) Seal();
    ++events_;
  }

  // The batch being built goes to the next stream in turn.
  void Seal() {
    if (current_.size() == 0) return;
    const int stream = static_cast<int>(batches_made_++ % streams_);
    auto& list = per_stream_[stream];
    list.push_back(current_.Take(absl::StrCat("bench-", stream), list.size() + 1));
  }

  int streams_;
  int batch_size_;
  std::vector<std::vector<EventBatch>> per_stream_;
  omnia::client::EventBatchBuilder current_;
  uint64_t batches_made_ = 0;
  uint64_t events_ = 0;
};

omnia::v1::QueryRequest MakeQuery(const std::string& kind) {
  omnia::v1::QueryRequest request;
  omnia::v1::CellQuery* q = request.mutable_query();
  auto* range = q->mutable_period_range();
  if (kind == "national") {
    q->add_measures("WORKERS");
    q->set_period_level(omnia::v1::PERIOD_LEVEL_YEAR);
    q->set_region_level(omnia::v1::REGION_LEVEL_ITALY);
    q->set_type_level(omnia::v1::TYPE_LEVEL_ALL);
    range->mutable_first()->set_year(2023);
    range->mutable_first()->set_month(1);
    range->mutable_last()->set_year(2023);
    range->mutable_last()->set_month(12);
  } else {
    q->add_measures("WORKERS");
    q->add_regions("LOMBARDIA");
    q->add_intervention_types("CIGO");
    range->mutable_first()->set_year(2023);
    range->mutable_first()->set_month(4);
    range->mutable_last()->set_year(2023);
    range->mutable_last()->set_month(4);
  }
  return request;
}

// Query calls kept in flight and what became of them. Latencies in microseconds.
struct QueryLoad {
  std::vector<double> latencies;
  bool failed = false;
};

// Keeps one Query call in flight on each of `connections` new connections until `stop` is set
// or, with `require_cell`, a query fails or does not find its one cell; each completed call is
// followed at once by the next on its connection. The calling thread drives every call through
// one completion queue.
QueryLoad DriveQueries(const omnia::v1::QueryRequest& request, int first_connection,
                       int connections, const std::atomic<bool>& stop, bool require_cell) {
  struct Call {
    int connection = 0;
    grpc::ClientContext context;
    omnia::v1::QueryResponse response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<omnia::v1::QueryResponse>> reader;
    absl::Time start;
  };
  grpc::CompletionQueue queue;
  std::vector<std::unique_ptr<omnia::v1::AggregationService::Stub>> stubs;
  for (int c = 0; c < connections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("omnia.bench.channel", first_connection + c);  // distinct connections
    stubs.push_back(omnia::v1::AggregationService::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_aggregation), grpc::InsecureChannelCredentials(), args)));
  }
  auto start_call = [&](int connection) {
    auto* call = new Call;
    call->connection = connection;
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    call->start = absl::Now();
    call->reader = stubs[connection]->AsyncQuery(&call->context, request, &queue);
    call->reader->Finish(&call->response, &call->status, call);
  };
  for (int c = 0; c < connections; ++c) start_call(c);
  QueryLoad load;
  int in_flight = connections;
  void* tag = nullptr;
  bool ok = false;
  while (in_flight > 0 && queue.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    load.latencies.push_back(absl::ToDoubleMicroseconds(absl::Now() - call->start));
    --in_flight;
    if (!ok || !call->status.ok() || (require_cell && call->response.cells_size() != 1)) {
      if (!load.failed) {
        std::cerr << "omnia-bench: query failed: " << call->status.error_message() << " cells "
                  << call->response.cells_size() << "\n";
      }
      load.failed = true;
    }
    if (!stop && !load.failed) {
      start_call(call->connection);
      ++in_flight;
    }
  }
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return load;
}

// `concurrency` Query calls in flight at once, one per connection, driven by at most
// --query_threads threads (completion queues, not a thread per call: on this two-processor
// machine the load generator shares the processors with the server, and a thread per call would
// spend on wake-ups the time the server's latency is measured in).
QueryLoad RunQueries(const omnia::v1::QueryRequest& request, int concurrency,
                     const std::atomic<bool>& stop, bool require_cell) {
  const int threads = std::max(1, std::min(concurrency, absl::GetFlag(FLAGS_query_threads)));
  std::vector<QueryLoad> loads(threads);
  std::vector<std::thread> drivers;
  int first = 0;
  for (int t = 0; t < threads; ++t) {
    const int connections = concurrency / threads + (t < concurrency % threads ? 1 : 0);
    drivers.emplace_back([&, t, first, connections] {
      loads[t] = DriveQueries(request, first, connections, stop, require_cell);
    });
    first += connections;
  }
  QueryLoad load;
  for (int t = 0; t < threads; ++t) {
    drivers[t].join();
    load.failed |= loads[t].failed;
    load.latencies.insert(load.latencies.end(), loads[t].latencies.begin(),
                          loads[t].latencies.end());
  }
  std::sort(load.latencies.begin(), load.latencies.end());
  return load;
}

double Percentile(const std::vector<double>& sorted, double p) {
  return sorted.empty() ? 0 : sorted[static_cast<size_t>(p * (sorted.size() - 1))];
}

int Ingest() {
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  BatchCollector collector(absl::GetFlag(FLAGS_streams), absl::GetFlag(FLAGS_batch));
  // Batches are prepared before the clock starts: the measurement is the services' work.
  for (const std::string& path :
       {absl::GetFlag(FLAGS_applications), absl::GetFlag(FLAGS_payments)}) {
    if (path.empty()) continue;
    omnia::domain::RawEventKind kind;
    absl::Status read = omnia::domain::ReadRawEventsCsvFile(path, codelists, &collector, &kind);
    if (!read.ok()) {
      std::cerr << "omnia-bench: " << path << ": " << read << "\n";
      return 1;
    }
  }
  auto channel = omnia::rpc::CreateInsecureChannel(absl::GetFlag(FLAGS_ingestion));
  // Queries of the live cube while it is written: their latency under a full-speed ingest.
  const int query_threads = absl::GetFlag(FLAGS_queries_during);
  std::atomic<bool> applied{false};
  QueryLoad during;
  std::thread queries;
  if (query_threads > 0) {
    queries = std::thread([&] {
      during = RunQueries(MakeQuery("cell"), query_threads, applied, /*require_cell=*/false);
    });
  }
  const absl::Time start = absl::Now();
  const double start_cpu = omnia::bench::ProcessCpuSeconds();
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (auto& list : collector.batches()) {
    threads.emplace_back([&channel, &list, &failed] {
      omnia::client::StreamerOptions options;
      options.bearer_token = Token();
      omnia::client::EventStreamer streamer(channel, options);
      size_t next = 0;
      absl::Status status = streamer.Run([&]() -> std::optional<EventBatch> {
        if (next >= list.size()) return std::nullopt;
        return std::move(list[next++]);
      });
      if (!status.ok()) {
        std::cerr << "omnia-bench: stream failed: " << status << "\n";
        failed = true;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (failed) return 1;
  const absl::Time acked = absl::Now();
  auto stub = omnia::v1::IngestionService::NewStub(channel);
  while (true) {
    grpc::ClientContext context;
    omnia::v1::GetIngestionStatusResponse status;
    if (stub->GetIngestionStatus(&context, {}, &status).ok() && status.backlog_entries() == 0 &&
        status.applied_log_sequence() == status.last_log_sequence()) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // The client's share of the processors while it streamed (queries included, if any).
  const double client_cpu = omnia::bench::ProcessCpuSeconds() - start_cpu;
  applied = true;
  if (queries.joinable()) queries.join();
  std::cout << absl::StrFormat(
      "{\"step\": \"ingest_end_to_end\", \"events\": %d, \"seconds\": %.3f, "
      "\"acked_seconds\": %.3f, \"events_per_second\": %.0f, "
      "\"acked_events_per_second\": %.0f, \"client_cpu_seconds\": %.1f}\n",
      collector.events(), seconds, absl::ToDoubleSeconds(acked - start),
      collector.events() / seconds, collector.events() / absl::ToDoubleSeconds(acked - start),
      client_cpu);
  if (query_threads > 0) {
    std::cout << absl::StrFormat(
        "{\"step\": \"query_cell_c%d_during_ingest\", \"queries\": %d, \"p50_us\": %.1f, "
        "\"p99_us\": %.1f}\n",
        query_threads, during.latencies.size(), Percentile(during.latencies, 0.5),
        Percentile(during.latencies, 0.99));
  }
  return during.failed ? 1 : 0;
}

int Query() {
  const std::string kind = absl::GetFlag(FLAGS_kind);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  std::atomic<bool> stop{false};
  std::thread timer([&] {
    absl::SleepFor(absl::GetFlag(FLAGS_duration));
    stop = true;
  });
  const QueryLoad load = RunQueries(MakeQuery(kind), concurrency, stop, /*require_cell=*/true);
  timer.join();
  if (load.failed) return 1;
  std::cout << absl::StrFormat(
      "{\"step\": \"query_%s_c%d\", \"queries\": %d, \"p50_us\": %.1f, \"p99_us\": %.1f, "
      "\"qps\": %.0f}\n",
      kind, concurrency, load.latencies.size(), Percentile(load.latencies, 0.5),
      Percentile(load.latencies, 0.99),
      load.latencies.size() / absl::ToDoubleSeconds(absl::GetFlag(FLAGS_duration)));
  return 0;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Renders one dataset in every format through the exporter, several times each.
int Export() {
  auto stub = omnia::v1::ExportService::NewStub(
      omnia::rpc::CreateInsecureChannel(absl::GetFlag(FLAGS_exporter)));
  for (const auto& [format, name] :
       {std::pair{omnia::v1::FORMAT_CSV, "csv"}, std::pair{omnia::v1::FORMAT_JSON, "json"},
        std::pair{omnia::v1::FORMAT_JSON_STAT, "json_stat"},
        std::pair{omnia::v1::FORMAT_XML, "xml"}, std::pair{omnia::v1::FORMAT_XLSX, "xlsx"}}) {
    std::vector<double> millis;
    uint64_t bytes = 0;
    for (int run = 0; run < absl::GetFlag(FLAGS_runs); ++run) {
      omnia::v1::ExportRequest request;
      request.set_dataset_id(absl::GetFlag(FLAGS_dataset));
      request.set_format(format);
      request.set_release_id(absl::GetFlag(FLAGS_release));
      grpc::ClientContext context;
      const absl::Time t0 = absl::Now();
      auto reader = stub->Export(&context, request);
      omnia::v1::ExportResponse message;
      bytes = 0;
      while (reader->Read(&message)) bytes += message.data().size();
      grpc::Status status = reader->Finish();
      if (!status.ok()) {
        std::cerr << "omnia-bench: export failed: " << status.error_message() << "\n";
        return 1;
      }
      millis.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    }
    const double median = Median(millis);
    std::cout << absl::StrFormat(
        "{\"step\": \"export_%s\", \"dataset\": \"%s\", \"bytes\": %d, \"median_ms\": %.1f, "
        "\"mb_per_s\": %.1f}\n",
        name, absl::GetFlag(FLAGS_dataset), bytes, median, bytes / 1e3 / median);
  }
  return 0;
}

// Times full publications (freeze + render every attachment + record).
int Publish() {
  auto stub = omnia::v1::CatalogueService::NewStub(
      omnia::rpc::CreateInsecureChannel(absl::GetFlag(FLAGS_catalogue)));
  std::vector<double> seconds;
  int datasets = 0;
  for (int run = 0; run < absl::GetFlag(FLAGS_runs); ++run) {
    omnia::v1::PublishRequest request;
    request.set_release_id(absl::StrCat("bench-", run + 1));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + Token());
    omnia::v1::PublishResponse response;
    const absl::Time t0 = absl::Now();
    grpc::Status status = stub->Publish(&context, request, &response);
    if (!status.ok()) {
      std::cerr << "omnia-bench: publish failed: " << status.error_message() << "\n";
      return 1;
    }
    seconds.push_back(absl::ToDoubleSeconds(absl::Now() - t0));
    datasets = response.release().dataset_count();
  }
  std::cout << absl::StrFormat(
      "{\"step\": \"publish\", \"datasets\": %d, \"files\": %d, \"median_s\": %.2f}\n", datasets,
      datasets * 5, Median(seconds));
  return 0;
}

// Imports a raw payments file of about --raw_bytes, made row by row as it is sent, so this
// process stays small whatever the size.
int ImportRaw() {
  auto stub = omnia::v1::IngestionService::NewStub(
      omnia::rpc::CreateInsecureChannel(absl::GetFlag(FLAGS_ingestion)));
  const uint64_t target = absl::GetFlag(FLAGS_raw_bytes);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Hours(1)));
  context.AddMetadata("authorization", "Bearer " + Token());
  omnia::v1::ImportRawEventsResponse response;
  auto writer = stub->ImportRawEvents(&context, &response);
  omnia::v1::ImportRawEventsRequest message;
  message.mutable_header()->set_file_name("bench-payments.csv");
  const absl::Time t0 = absl::Now();
  bool sent = writer->Write(message);
  omnia::Sha256 sha;
  uint64_t bytes = 0;
  uint64_t rows = 0;
  std::string piece = "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n";
  // Rows are under 128 bytes: the file never exceeds the target (1 GiB is the service's limit).
  while (sent) {
    while (piece.size() < (1u << 20) - 200 && bytes + piece.size() + 128 <= target) {
      absl::StrAppendFormat(&piece, "BENCH-P-%012d,%011d,2023-%02d-%02d,LOMBARDIA,CIGO,1\n", rows,
                            10000000000 + rows % 1000000, 1 + rows % 12, 1 + rows % 28);
      ++rows;
    }
    if (piece.empty()) break;
    sha.Update(piece);
    bytes += piece.size();
    message.Clear();
    message.set_data(std::move(piece));
    piece.clear();
    sent = writer->Write(message);
  }
  message.Clear();
  message.mutable_end()->set_total_bytes(bytes);
  message.mutable_end()->set_sha256(sha.HexDigest());
  if (sent) sent = writer->Write(message) && writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) {
    std::cerr << "omnia-bench: import-raw failed: " << status.error_message() << "\n";
    return 1;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  std::cout << absl::StrFormat(
      "{\"step\": \"import_raw\", \"mib\": %d, \"events\": %d, \"accepted\": %d, "
      "\"seconds\": %.1f, \"mib_per_s\": %.1f}\n",
      bytes >> 20, rows, response.events_accepted(), seconds, bytes / 1048576.0 / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  absl::SetProgramUsageMessage("omnia-bench ingest|query|export|publish|import-raw [flags]");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  const std::string command = positional[1];
  if (command == "ingest") return Ingest();
  if (command == "query") return Query();
  if (command == "export") return Export();
  if (command == "publish") return Publish();
  if (command == "import-raw") return ImportRaw();
  std::cerr << "omnia-bench: unknown command " << command << "\n";
  return 2;
}
