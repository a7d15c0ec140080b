// The KvStore contract, run against every implementation: RocksDB (the real store, on a temporary
// directory) and the in-memory store. Whatever a service's state relies on (ordered scans,
// merges, atomic batches applied in order, checkpoints that are independent copies) is checked
// here once, so an implementation that passes can stand in for another.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/storage/kv_store.h"
#include "libs/storage/memory_store.h"
#include "libs/storage/rocksdb_store.h"
#include "tests/support/child_process.h"

namespace omnia::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;

using Pairs = std::vector<std::pair<std::string, std::string>>;

// How to make one implementation's stores.
struct Implementation {
  std::string name;
  // A new empty store with `columns`, which may keep files under `dir` (not yet existing).
  std::function<absl::StatusOr<std::unique_ptr<KvStore>>(const std::string& dir,
                                                         const std::vector<ColumnSpec>& columns)>
      open;
  // The store a Checkpoint wrote into `dir`.
  std::function<absl::StatusOr<std::unique_ptr<KvStore>>(const std::string& dir,
                                                         const std::vector<ColumnSpec>& columns)>
      open_checkpoint;
};

Implementation RocksDb() {
  const auto open = [](const std::string& dir, const std::vector<ColumnSpec>& columns) {
    return OpenRocksDb(dir, columns);
  };
  return {"RocksDb", open, open};
}

Implementation Memory() {
  return {"Memory",
          [](const std::string&, const std::vector<ColumnSpec>& columns)
              -> absl::StatusOr<std::unique_ptr<KvStore>> { return NewMemoryKvStore(columns); },
          OpenMemoryKvStoreCheckpoint};
}

// Column indexes of the stores under test.
constexpr int kPlain = 0;
constexpr int kOther = 1;
constexpr int kCounters = 2;  // values are decimal numbers; a merge operand adds its own

std::vector<ColumnSpec> Columns() {
  const MergeFunction add = [](std::optional<std::string_view> existing, std::string_view operand) {
    const long base = existing.has_value() ? std::stol(std::string(*existing)) : 0;
    return std::to_string(base + std::stol(std::string(operand)));
  };
  return {{"plain", nullptr}, {"other", nullptr}, {"counters", add}};
}

class KvStoreContractTest : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<KvStore>> store =
        GetParam().open(dir_.path() + "/db", Columns());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  void Write(const WriteBatch& batch) { ASSERT_TRUE(store_->Write(batch, Durability::kSync).ok()); }
  void Put(int column, std::string key, std::string value) {
    WriteBatch batch;
    batch.Put(column, std::move(key), std::move(value));
    Write(batch);
  }
  std::optional<std::string> Get(KvStore& store, int column, std::string_view key) {
    absl::StatusOr<std::optional<std::string>> value = store.Get(column, key);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::nullopt;
  }
  std::optional<std::string> Get(int column, std::string_view key) {
    return Get(*store_, column, key);
  }
  Pairs Scan(KvStore& store, int column, std::string_view begin, std::string_view end) {
    Pairs seen;
    absl::Status s = store.Scan(column, begin, end, [&](std::string_view k, std::string_view v) {
      seen.emplace_back(k, v);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return seen;
  }
  Pairs Scan(int column, std::string_view begin = "", std::string_view end = "") {
    return Scan(*store_, column, begin, end);
  }

  testing::TempDir dir_;
  std::unique_ptr<KvStore> store_;
};

TEST_P(KvStoreContractTest, AnAbsentKeyReadsAsNothing) {
  EXPECT_EQ(Get(kPlain, "missing"), std::nullopt);
  EXPECT_THAT(Scan(kPlain), IsEmpty());
}

TEST_P(KvStoreContractTest, APutIsReadBackAndALaterPutReplacesIt) {
  Put(kPlain, "k", "v1");
  EXPECT_THAT(Get(kPlain, "k"), Optional(std::string("v1")));
  Put(kPlain, "k", "v2");
  EXPECT_THAT(Get(kPlain, "k"), Optional(std::string("v2")));
}

TEST_P(KvStoreContractTest, KeysAndValuesAreBytes) {
  const std::string key("a\0b\xff", 4);
  const std::string value("\0\x01\xfe", 3);
  Put(kPlain, key, value);
  Put(kPlain, "empty", "");
  EXPECT_THAT(Get(kPlain, key), Optional(value));
  EXPECT_THAT(Get(kPlain, "empty"), Optional(std::string()));
  EXPECT_EQ(Get(kPlain, std::string("a\0b", 3)), std::nullopt);  // no prefix match
}

TEST_P(KvStoreContractTest, ColumnsAreIndependent) {
  Put(kPlain, "k", "plain");
  Put(kOther, "k", "other");
  EXPECT_THAT(Get(kPlain, "k"), Optional(std::string("plain")));
  EXPECT_THAT(Get(kOther, "k"), Optional(std::string("other")));
  EXPECT_THAT(Scan(kOther), ElementsAre(Pair("k", "other")));
}

TEST_P(KvStoreContractTest, DeleteRemovesAKeyAndIgnoresAnAbsentOne) {
  Put(kPlain, "a", "1");
  Put(kPlain, "b", "2");
  WriteBatch batch;
  batch.Delete(kPlain, "a");
  batch.Delete(kPlain, "never-written");
  Write(batch);
  EXPECT_EQ(Get(kPlain, "a"), std::nullopt);
  EXPECT_THAT(Scan(kPlain), ElementsAre(Pair("b", "2")));
}

TEST_P(KvStoreContractTest, ScanVisitsKeysInUnsignedByteOrder) {
  // Inserted out of order; 0xff sorts after every ASCII byte and a prefix before its extensions.
  for (const std::string& key : {std::string("b"), std::string("\xff", 1), std::string("a\x01", 2),
                                 std::string("a"), std::string("\x00", 1), std::string("ab")}) {
    Put(kPlain, key, "v");
  }
  std::vector<std::string> keys;
  for (const auto& [key, value] : Scan(kPlain)) keys.push_back(key);
  EXPECT_THAT(keys, ElementsAre(std::string("\x00", 1), "a", std::string("a\x01", 2), "ab", "b",
                                std::string("\xff", 1)));
}

TEST_P(KvStoreContractTest, ScanCoversBeginInclusiveToEndExclusive) {
  for (const char* key : {"a", "b", "c", "d"}) Put(kPlain, key, key);
  EXPECT_THAT(Scan(kPlain, "b", "d"), ElementsAre(Pair("b", "b"), Pair("c", "c")));
  EXPECT_THAT(Scan(kPlain, "bb", "c"), IsEmpty());
  // An empty end runs to the last key; an empty begin from the first.
  EXPECT_THAT(Scan(kPlain, "c", ""), ElementsAre(Pair("c", "c"), Pair("d", "d")));
  EXPECT_THAT(Scan(kPlain, "", "b"), ElementsAre(Pair("a", "a")));
}

TEST_P(KvStoreContractTest, ScanStopsWhenTheVisitorSaysSo) {
  for (const char* key : {"a", "b", "c"}) Put(kPlain, key, key);
  std::vector<std::string> seen;
  ASSERT_TRUE(store_
                  ->Scan(kPlain, "", "",
                         [&](std::string_view key, std::string_view) {
                           seen.emplace_back(key);
                           return seen.size() < 2;
                         })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("a", "b"));
}

TEST_P(KvStoreContractTest, WritesDuringAScanDoNotDisturbIt) {
  for (const char* key : {"a", "b", "c"}) Put(kPlain, key, "old");
  std::vector<std::string> seen;
  ASSERT_TRUE(store_
                  ->Scan(kPlain, "", "",
                         [&](std::string_view key, std::string_view value) {
                           seen.push_back(std::string(key) + "=" + std::string(value));
                           if (key == "a") {
                             WriteBatch batch;
                             batch.Put(kPlain, "c", "new");
                             batch.Put(kPlain, "bb", "new");
                             EXPECT_TRUE(store_->Write(batch, Durability::kSync).ok());
                           }
                           return true;
                         })
                  .ok());
  // The scan sees the store as it was when it began; the writes are there afterwards.
  EXPECT_THAT(seen, ElementsAre("a=old", "b=old", "c=old"));
  EXPECT_THAT(Get(kPlain, "c"), Optional(std::string("new")));
  EXPECT_THAT(Get(kPlain, "bb"), Optional(std::string("new")));
}

TEST_P(KvStoreContractTest, DeleteRangeRemovesBeginInclusiveToEndExclusive) {
  for (const char* key : {"a", "b", "ba", "c", "d"}) Put(kPlain, key, key);
  Put(kOther, "b", "b");
  WriteBatch batch;
  batch.DeleteRange(kPlain, "b", "c");
  Write(batch);
  EXPECT_THAT(Scan(kPlain), ElementsAre(Pair("a", "a"), Pair("c", "c"), Pair("d", "d")));
  EXPECT_THAT(Scan(kOther), ElementsAre(Pair("b", "b")));  // other columns untouched
}

TEST_P(KvStoreContractTest, MergeCombinesOperandsWithTheStoredValue) {
  WriteBatch first;
  first.Merge(kCounters, "n", "5");  // no value yet: the merge function sees none
  Write(first);
  EXPECT_THAT(Get(kCounters, "n"), Optional(std::string("5")));

  WriteBatch more;
  more.Merge(kCounters, "n", "2");
  more.Merge(kCounters, "n", "3");
  Write(more);
  EXPECT_THAT(Get(kCounters, "n"), Optional(std::string("10")));

  Put(kCounters, "n", "100");
  WriteBatch after_put;
  after_put.Merge(kCounters, "n", "1");
  Write(after_put);
  EXPECT_THAT(Get(kCounters, "n"), Optional(std::string("101")));

  WriteBatch after_delete;
  after_delete.Delete(kCounters, "n");
  after_delete.Merge(kCounters, "n", "7");
  Write(after_delete);
  EXPECT_THAT(Get(kCounters, "n"), Optional(std::string("7")));
  EXPECT_THAT(Scan(kCounters), ElementsAre(Pair("n", "7")));
}

TEST_P(KvStoreContractTest, ABatchAppliesItsWritesInOrder) {
  WriteBatch batch;
  batch.Put(kPlain, "gone", "1");
  batch.Delete(kPlain, "gone");
  batch.Delete(kPlain, "back");
  batch.Put(kPlain, "back", "2");
  batch.Put(kPlain, "twice", "first");
  batch.Put(kPlain, "twice", "second");
  batch.DeleteRange(kPlain, "a", "b");  // before "back" and "gone": removes nothing
  Write(batch);
  EXPECT_THAT(Scan(kPlain), ElementsAre(Pair("back", "2"), Pair("twice", "second")));
}

TEST_P(KvStoreContractTest, ABatchSpanningColumnsIsVisibleAsAWhole) {
  WriteBatch batch;
  batch.Put(kPlain, "entry", "e");
  batch.Put(kOther, "index", "i");
  batch.Merge(kCounters, "count", "1");
  EXPECT_EQ(batch.size(), 3u);
  Write(batch);
  EXPECT_THAT(Get(kPlain, "entry"), Optional(std::string("e")));
  EXPECT_THAT(Get(kOther, "index"), Optional(std::string("i")));
  EXPECT_THAT(Get(kCounters, "count"), Optional(std::string("1")));
}

TEST_P(KvStoreContractTest, EveryDurabilityIsReadBackAndAnEmptyBatchIsAccepted) {
  WriteBatch fast;
  fast.Put(kPlain, "fast", "1");
  ASSERT_TRUE(store_->Write(fast, Durability::kProcessCrashSafe).ok());
  EXPECT_THAT(Get(kPlain, "fast"), Optional(std::string("1")));
  EXPECT_TRUE(store_->Write(WriteBatch(), Durability::kSync).ok());
}

TEST_P(KvStoreContractTest, ACheckpointIsAnIndependentCopyOfTheWholeStore) {
  Put(kPlain, "a", "1");
  Put(kOther, "b", "2");
  WriteBatch merge;
  merge.Merge(kCounters, "n", "4");
  Write(merge);
  const std::string copy_dir = dir_.path() + "/copy";
  ASSERT_TRUE(store_->Checkpoint(copy_dir).ok());
  Put(kPlain, "a", "changed");
  Put(kPlain, "later", "x");

  absl::StatusOr<std::unique_ptr<KvStore>> copy = GetParam().open_checkpoint(copy_dir, Columns());
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_THAT(Scan(**copy, kPlain, "", ""), ElementsAre(Pair("a", "1")));
  EXPECT_THAT(Get(**copy, kOther, "b"), Optional(std::string("2")));
  EXPECT_THAT(Get(**copy, kCounters, "n"), Optional(std::string("4")));
  // The original goes on unchanged by the copy's existence.
  EXPECT_THAT(Get(kPlain, "a"), Optional(std::string("changed")));
}

TEST_P(KvStoreContractTest, ACheckpointIsNotWrittenOverAnExistingDirectory) {
  Put(kPlain, "a", "1");
  const std::string copy_dir = dir_.path() + "/copy";
  ASSERT_TRUE(store_->Checkpoint(copy_dir).ok());
  EXPECT_FALSE(store_->Checkpoint(copy_dir).ok());
}

TEST_P(KvStoreContractTest, DiskBytesGrowWithTheData) {
  const uint64_t empty = store_->DiskBytes();
  WriteBatch batch;
  for (int i = 0; i < 100; ++i) batch.Put(kPlain, absl::StrCat("key", i), std::string(1000, 'x'));
  Write(batch);
  EXPECT_GT(store_->DiskBytes(), empty + 50'000);
}

// What only the in-memory store adds: a refused batch changes nothing, and a damaged checkpoint
// is reported rather than opened as a smaller store.
TEST(MemoryKvStoreTest, ARefusedBatchChangesNothing) {
  std::unique_ptr<KvStore> store = NewMemoryKvStore(Columns());
  WriteBatch batch;
  batch.Put(kPlain, "a", "1");
  batch.Merge(kPlain, "b", "1");  // the column has no merge function
  EXPECT_EQ(store->Write(batch, Durability::kSync).code(), absl::StatusCode::kInvalidArgument);
  WriteBatch bad_column;
  bad_column.Put(kPlain, "a", "1");
  bad_column.Put(7, "a", "1");
  EXPECT_EQ(store->Write(bad_column, Durability::kSync).code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::optional<std::string>> a = store->Get(kPlain, "a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::nullopt);
}

TEST(MemoryKvStoreTest, ACutCheckpointIsDataLoss) {
  testing::TempDir dir;
  std::unique_ptr<KvStore> store = NewMemoryKvStore(Columns());
  WriteBatch batch;
  batch.Put(kPlain, "key", std::string(100, 'v'));
  ASSERT_TRUE(store->Write(batch, Durability::kSync).ok());
  ASSERT_TRUE(store->Checkpoint(dir.path() + "/copy").ok());
  const std::string file = dir.path() + "/copy/memory_store";
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 10);
  EXPECT_EQ(OpenMemoryKvStoreCheckpoint(dir.path() + "/copy", Columns()).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(OpenMemoryKvStoreCheckpoint(dir.path() + "/nowhere", Columns()).status().code(),
            absl::StatusCode::kNotFound);
}

// What only RocksDB adds: its write-ahead logs, shared by the columns, stay bounded when one column
// is written rarely (a service's counters beside its data).
// RocksDB deletes logs in the background, so a log listed may be gone before its size is read:
// it then holds nothing.
uint64_t WriteAheadLogBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    std::error_code gone;
    const uintmax_t size = std::filesystem::file_size(entry.path(), gone);
    if (!gone) bytes += size;
  }
  return bytes;
}

TEST(RocksDbStoreTest, AQuietColumnDoesNotKeepTheBusyColumnsLogsOnDisk) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/db";
  RocksDbOptions options;
  options.write_buffer_bytes = 1 << 20;
  absl::StatusOr<std::unique_ptr<KvStore>> store = OpenRocksDb(path, Columns(), options);
  ASSERT_TRUE(store.ok()) << store.status();
  WriteBatch quiet;
  quiet.Put(kOther, "counters", "1");
  ASSERT_TRUE((*store)->Write(quiet, Durability::kSync).ok());
  // 28 MiB into the busy column, in batches of 64 KiB of distinct keys: below RocksDB's own
  // default bound (four times all the write buffers, 32 MiB here; 2.5 GiB with the services'
  // buffers), above four write buffers.
  std::string value(1024, 'v');
  for (int b = 0; b < 448; ++b) {
    WriteBatch busy;
    for (int i = 0; i < 64; ++i) busy.Put(kPlain, absl::StrCat("key", b, "-", i), value);
    ASSERT_TRUE((*store)->Write(busy, Durability::kProcessCrashSafe).ok());
  }
  // Flushes and log deletions run in the background: give them time.
  for (int i = 0; i < 100 && WriteAheadLogBytes(path) > (12 << 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LE(WriteAheadLogBytes(path), uint64_t{12} << 20);
  absl::StatusOr<std::optional<std::string>> counters = (*store)->Get(kOther, "counters");
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(*counters, "1");
}

INSTANTIATE_TEST_SUITE_P(Implementations, KvStoreContractTest,
                         ::testing::Values(RocksDb(), Memory()),
                         [](const ::testing::TestParamInfo<Implementation>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace omnia::storage
