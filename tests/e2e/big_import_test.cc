// A raw-event file far larger than what the ingestion service may hold in memory, imported
// through the real binary: the service stages the file in its log and commits it chunk by chunk,
// so its peak resident memory does not grow with the file (only with the new event ids, which
// the deduplication index keeps for every logged event anyway).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/base/sha256.h"
#include "libs/client/probes.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"

namespace omnia {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
// The file's size: big enough that holding it, or its events, in memory would break the bound.
// OMNIA_BIG_IMPORT_MIB overrides it (e.g. 1024 for the largest file the service accepts).
uint64_t FileBytes() {
  const char* mib = std::getenv("OMNIA_BIG_IMPORT_MIB");
  return (mib != nullptr && std::atoi(mib) > 0 ? std::atoi(mib) : 256) * kMiB;
}

// Peak resident memory (VmHWM) of a process, in bytes; 0 if unknown.
uint64_t PeakRssBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    unsigned long long kib = 0;
    if (std::sscanf(line.c_str(), "VmHWM: %llu kB", &kib) == 1) return kib * 1024;
  }
  return 0;
}

// Rows of a raw payments file, made on the fly. Payment ids cycle over kDistinctIds (each copy
// with the same content, so later copies are duplicates): the file is large while the ids the
// deduplication index must keep, which every logged id costs whatever the import path, stay few.
// The ids are as long as the contract allows (64 bytes).
constexpr uint64_t kDistinctIds = 250000;

class PaymentsFile {
 public:
  static constexpr char kHeader[] =
      "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n";

  // The next piece of the file, about `bytes` long, whole rows only; empty at the end.
  std::string Next(size_t bytes) {
    std::string out;
    if (!header_sent_) {
      out = kHeader;
      sent_ = out.size();
      header_sent_ = true;
    }
    // Rows are under 128 bytes: the file never exceeds its size (1 GiB is the service's limit).
    while (out.size() < bytes && sent_ + 128 <= file_bytes_) {
      const size_t before = out.size();
      const uint64_t id = rows_ % kDistinctIds;
      absl::StrAppendFormat(&out, "P-%062d,%011d,2023-03-%02d,VENETO,CIGS,1\n", id,
                            10000000000 + id, 1 + id % 28);
      sent_ += out.size() - before;
      ++rows_;
    }
    return out;
  }
  uint64_t rows() const { return rows_; }

 private:
  const uint64_t file_bytes_ = FileBytes();
  bool header_sent_ = false;
  uint64_t sent_ = 0;
  uint64_t rows_ = 0;
};

class BigImportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }
  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
};

TEST_F(BigImportTest, ARawFileOfHundredsOfMiBIsImportedInMemoryIndependentOfItsSize) {
  // The backlog check counts every event of a file, duplicates included: room for 1 GiB.
  ASSERT_TRUE(cluster_.Start("ingestion", {"--max_backlog_events=100000000"}));
  auto ingestion =
      v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
  const pid_t pid = cluster_.pid("ingestion");
  const uint64_t at_start = PeakRssBytes(pid);

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(240)));
  context.AddMetadata("authorization", "Bearer " + cluster_.operator_token());
  v1::ImportRawEventsResponse response;
  auto writer = ingestion->ImportRawEvents(&context, &response);
  v1::ImportRawEventsRequest message;
  message.mutable_header()->set_file_name("payments.csv");
  ASSERT_TRUE(writer->Write(message));
  PaymentsFile file;
  Sha256 sha;
  uint64_t bytes = 0;
  for (std::string piece = file.Next(kMiB - 200); !piece.empty(); piece = file.Next(kMiB - 200)) {
    sha.Update(piece);
    bytes += piece.size();
    message.Clear();
    message.set_data(std::move(piece));
    ASSERT_TRUE(writer->Write(message));
  }
  message.Clear();
  message.mutable_end()->set_total_bytes(bytes);
  message.mutable_end()->set_sha256(sha.HexDigest());
  ASSERT_TRUE(writer->Write(message));
  ASSERT_TRUE(writer->WritesDone());
  const grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.events_accepted(), std::min(file.rows(), kDistinctIds));
  EXPECT_EQ(response.events_duplicate(), file.rows() - response.events_accepted());
  EXPECT_EQ(response.rows(), static_cast<int64_t>(file.rows()));

  // The bound, none of it proportional to the file: the process at rest (about 30 MiB); RocksDB
  // as the service configures it: a 64 MiB block cache and 64 MiB write buffers, two per column
  // being written (the staging column fills both; the entries of the new ids fit in one each),
  // 256 MiB; gRPC, one 1 MiB message, one staged chunk of 10000 events and one entry batch of
  // about 8 MiB, with a wide margin: 64 MiB. On top, the deduplication index, which every logged
  // id costs whatever the path: 21 bytes a slot, at most 16/7 slots per id (the table doubles
  // once 7/8 full), and while it grows the old table lives next to the new one (half as large):
  // 72 bytes per new id at worst. Holding the file's events in memory instead costs well over
  // 150 bytes per event (each event with its id, then its encoded record and hash), about
  // 400 MiB more for this file, which breaks the bound.
  const uint64_t bound = 350 * kMiB + 72 * std::min(file.rows(), kDistinctIds);
  const uint64_t peak = PeakRssBytes(pid);
  std::printf(
      "imported %llu MiB (%llu events): peak RSS %llu MiB (at start %llu MiB, bound %llu MiB)\n",
      static_cast<unsigned long long>(bytes / kMiB), static_cast<unsigned long long>(file.rows()),
      static_cast<unsigned long long>(peak / kMiB),
      static_cast<unsigned long long>(at_start / kMiB),
      static_cast<unsigned long long>(bound / kMiB));
  ASSERT_GT(peak, 0u);
  EXPECT_LT(peak, bound);
}

}  // namespace
}  // namespace omnia
