#include "libs/storage/rocksdb_store.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace omnia::storage {
namespace {

absl::Status FromRocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsBusy() || status.IsTryAgain()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

class FunctionMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  FunctionMergeOperator(std::string name, MergeFunction merge)
      : name_(std::move(name)), merge_(std::move(merge)) {}

  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    std::optional<std::string_view> base;
    if (existing != nullptr) base = std::string_view(existing->data(), existing->size());
    *new_value = merge_(base, std::string_view(value.data(), value.size()));
    return true;
  }
  const char* Name() const override { return name_.c_str(); }

 private:
  std::string name_;
  MergeFunction merge_;
};

// rocksdb::WriteBatch's layout: a 12-byte header (sequence, count), then per record a tag, a
// column family id and two varint lengths (at most 1 + 5 + 5 + 5 bytes).
constexpr size_t kWriteBatchHeaderBytes = 12;
constexpr size_t kWriteBatchRecordOverheadBytes = 16;

class RocksDbStore final : public KvStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
               std::vector<int> column_to_handle)
      : db_(std::move(db)),
        handles_(std::move(handles)),
        column_to_handle_(std::move(column_to_handle)) {}

  ~RocksDbStore() override {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_->Close();
  }

  absl::Status Write(const WriteBatch& batch, Durability durability) override {
    // Sized once: a log entry is hundreds of kilobytes, and growing the batch by doubling copied
    // it again and again (2 % of ingestion's processor time).
    rocksdb::WriteBatch rocks_batch(kWriteBatchHeaderBytes + batch.bytes() +
                                    batch.size() * kWriteBatchRecordOverheadBytes);
    for (const WriteBatch::Entry& e : batch.entries()) {
      rocksdb::ColumnFamilyHandle* cf = Handle(e.column);
      rocksdb::Status s;
      switch (e.op) {
        case WriteBatch::Op::kPut:
          s = rocks_batch.Put(cf, e.key, e.value);
          break;
        case WriteBatch::Op::kMerge:
          s = rocks_batch.Merge(cf, e.key, e.value);
          break;
        case WriteBatch::Op::kDelete:
          s = rocks_batch.Delete(cf, e.key);
          break;
        case WriteBatch::Op::kDeleteRange:
          s = rocks_batch.DeleteRange(cf, e.key, e.value);
          break;
      }
      if (!s.ok()) return FromRocks(s, "building write batch");
    }
    rocksdb::WriteOptions options;
    options.sync = durability == Durability::kSync;
    return FromRocks(db_->Write(options, &rocks_batch), "write");
  }

  absl::StatusOr<std::optional<std::string>> Get(int column, std::string_view key) override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(column), key, &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return FromRocks(s, "get");
    return value;
  }

  absl::Status Scan(int column, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& visit) override {
    rocksdb::ReadOptions options;
    rocksdb::Slice upper(end.data(), end.size());
    if (!end.empty()) options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, Handle(column)));
    for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
      if (!visit(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    return FromRocks(it->status(), "scan");
  }

  absl::Status Checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    if (absl::Status s = FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint");
        !s.ok()) {
      return s;
    }
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // Flushing first keeps the WAL out of the checkpoint, so the copy is pure SST files.
    return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                     absl::StrCat("checkpoint into ", dir));
  }

  // Everything in the database directory: tables, the write-ahead log, manifests. What an
  // operator sizing a volume needs, and right even before the first flush.
  uint64_t DiskBytes() override {
    uint64_t bytes = 0;
    std::error_code error;
    for (auto it = std::filesystem::directory_iterator(db_->GetName(), error);
         !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
      if (it->is_regular_file(error)) bytes += it->file_size(error);
    }
    return bytes;
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(int column) const {
    return handles_[column_to_handle_.at(column)];
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::vector<int> column_to_handle_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<KvStore>> OpenRocksDb(const std::string& path,
                                                     const std::vector<ColumnSpec>& columns,
                                                     const RocksDbOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // The column families share one write-ahead log, and a log file is deleted only once every
  // family with writes in it has flushed them. A family written rarely (counters, cursors) never
  // fills its write buffer, so without a bound the logs of all the busy families' writes stayed
  // on disk with it: half of the event log's bytes, all replayed again on restart. Past this
  // total, RocksDB flushes the family holding up the oldest log.
  db_options.max_total_wal_size = 4 * options.write_buffer_bytes;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::ColumnFamilyOptions cf_base;
  cf_base.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_base.write_buffer_size = options.write_buffer_bytes;

  // RocksDB always has a "default" family; callers' columns map onto handles by name.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::vector<int> column_to_handle(columns.size(), -1);
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_base);
  for (size_t i = 0; i < columns.size(); ++i) {
    rocksdb::ColumnFamilyOptions cf = cf_base;
    if (!columns[i].compress) cf.compression = rocksdb::kNoCompression;
    if (columns[i].merge) {
      cf.merge_operator = std::make_shared<FunctionMergeOperator>(
          absl::StrCat("omnia.", columns[i].name), columns[i].merge);
    }
    if (columns[i].name == rocksdb::kDefaultColumnFamilyName) {
      descriptors[0].options = cf;
      column_to_handle[i] = 0;
    } else {
      column_to_handle[i] = static_cast<int>(descriptors.size());
      descriptors.emplace_back(columns[i].name, cf);
    }
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &raw)
          : rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", path));
  return std::make_unique<RocksDbStore>(std::unique_ptr<rocksdb::DB>(raw), std::move(handles),
                                        std::move(column_to_handle));
}

}  // namespace omnia::storage
