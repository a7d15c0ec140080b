#include "tests/support/ingest_log.h"

#include <gtest/gtest.h>

#include "libs/storage/rocksdb_store.h"

namespace omnia::testing {

std::unique_ptr<ingest::EventLog> OpenTestLog(const std::string& directory, const Clock& clock) {
  absl::StatusOr<std::unique_ptr<storage::KvStore>> kv =
      storage::OpenRocksDb(directory, ingest::EventLog::Columns());
  EXPECT_TRUE(kv.ok()) << kv.status();
  if (!kv.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<ingest::EventLog>> log =
      ingest::EventLog::Open(std::move(*kv), clock);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? std::move(*log) : nullptr;
}

std::unique_ptr<ingest::Pseudonymizer> TestPseudonymizer() {
  absl::StatusOr<std::unique_ptr<ingest::Pseudonymizer>> pseudonymizer =
      ingest::Pseudonymizer::Create(std::string(48, 'k'));
  EXPECT_TRUE(pseudonymizer.ok()) << pseudonymizer.status();
  return pseudonymizer.ok() ? std::move(*pseudonymizer) : nullptr;
}

}  // namespace omnia::testing
