#include "libs/storage/memory_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/storage/key_codec.h"

namespace omnia::storage {
namespace {

// The checkpoint file in a checkpoint directory: per column its name, its number of keys and
// each key and value, every string preceded by its length (8 bytes big-endian).
constexpr char kCheckpointFile[] = "memory_store";

using Column = std::map<std::string, std::string, std::less<>>;

void AppendString(std::string& out, std::string_view text) {
  AppendBigEndian(out, text.size(), 8);
  out.append(text);
}

// Reads one length-prefixed string at `*at`; false when `data` ends first.
bool ReadString(std::string_view data, size_t* at, std::string* out) {
  if (data.size() - *at < 8) return false;
  const uint64_t size = ReadBigEndian(data.substr(*at, 8));
  *at += 8;
  if (data.size() - *at < size) return false;
  out->assign(data.substr(*at, size));
  *at += size;
  return true;
}

class MemoryKvStore final : public KvStore {
 public:
  explicit MemoryKvStore(const std::vector<ColumnSpec>& columns) : specs_(columns) {
    for (size_t i = 0; i < columns.size(); ++i) columns_.push_back(std::make_shared<Column>());
  }

  absl::Status Write(const WriteBatch& batch, Durability /*durability*/) override {
    std::lock_guard lock(mu_);
    // Checked first so that a refused batch changes nothing.
    for (const WriteBatch::Entry& e : batch.entries()) {
      if (absl::Status s = CheckColumn(e.column); !s.ok()) return s;
      if (e.op == WriteBatch::Op::kMerge && !specs_[e.column].merge) {
        return absl::InvalidArgumentError(
            absl::StrCat("merge into column ", specs_[e.column].name, " without a merge function"));
      }
    }
    for (const WriteBatch::Entry& e : batch.entries()) Apply(e, Writable(e.column));
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> Get(int column, std::string_view key) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = CheckColumn(column); !s.ok()) return s;
    const Column& values = *columns_[column];
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }

  absl::Status Scan(
      int column, std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) override {
    std::shared_ptr<const Column> snapshot;
    {
      std::lock_guard lock(mu_);
      if (absl::Status s = CheckColumn(column); !s.ok()) return s;
      snapshot = columns_[column];  // writes meanwhile copy the column instead (see Writable)
    }
    for (auto it = snapshot->lower_bound(begin); it != snapshot->end(); ++it) {
      if (!end.empty() && it->first >= end) break;
      if (!visit(it->first, it->second)) break;
    }
    return absl::OkStatus();
  }

  absl::Status Checkpoint(const std::string& dir) override {
    std::string data;
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < specs_.size(); ++i) {
        AppendString(data, specs_[i].name);
        AppendBigEndian(data, columns_[i]->size(), 8);
        for (const auto& [key, value] : *columns_[i]) {
          AppendString(data, key);
          AppendString(data, value);
        }
      }
    }
    std::error_code error;
    if (!std::filesystem::create_directory(dir, error)) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint into ", dir, ": ",
                       error ? error.message() : std::string("it already exists")));
    }
    std::ofstream out(std::filesystem::path(dir) / kCheckpointFile, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("checkpoint into ", dir, ": write failed"));
    return absl::OkStatus();
  }

  // What the store holds: the bytes its keys and values would take on a disk.
  uint64_t DiskBytes() override {
    std::lock_guard lock(mu_);
    uint64_t bytes = 0;
    for (const std::shared_ptr<Column>& column : columns_) {
      for (const auto& [key, value] : *column) bytes += key.size() + value.size();
    }
    return bytes;
  }

  // Replaces the content of the column named `name`, if the store has one.
  void Load(const std::string& name, Column values) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < specs_.size(); ++i) {
      if (specs_[i].name == name) *columns_[i] = std::move(values);
    }
  }

 private:
  absl::Status CheckColumn(int column) const {
    if (column < 0 || static_cast<size_t>(column) >= columns_.size()) {
      return absl::InvalidArgumentError(absl::StrCat("no column ", column));
    }
    return absl::OkStatus();
  }

  // The column to change in place: a copy first when a scan still reads the current one.
  Column& Writable(int column) {
    std::shared_ptr<Column>& values = columns_[column];
    if (values.use_count() > 1) values = std::make_shared<Column>(*values);
    return *values;
  }

  void Apply(const WriteBatch::Entry& e, Column& values) {
    switch (e.op) {
      case WriteBatch::Op::kPut:
        values.insert_or_assign(e.key, e.value);
        break;
      case WriteBatch::Op::kMerge: {
        auto it = values.find(e.key);
        std::optional<std::string_view> existing;
        if (it != values.end()) existing = it->second;
        std::string merged = specs_[e.column].merge(existing, e.value);
        values.insert_or_assign(e.key, std::move(merged));
        break;
      }
      case WriteBatch::Op::kDelete:
        values.erase(e.key);
        break;
      case WriteBatch::Op::kDeleteRange:
        if (e.key < e.value) values.erase(values.lower_bound(e.key), values.lower_bound(e.value));
        break;
    }
  }

  const std::vector<ColumnSpec> specs_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Column>> columns_;
};

}  // namespace

std::unique_ptr<KvStore> NewMemoryKvStore(const std::vector<ColumnSpec>& columns) {
  return std::make_unique<MemoryKvStore>(columns);
}

absl::StatusOr<std::unique_ptr<KvStore>> OpenMemoryKvStoreCheckpoint(
    const std::string& dir, const std::vector<ColumnSpec>& columns) {
  const std::filesystem::path path = std::filesystem::path(dir) / kCheckpointFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no memory-store checkpoint in ", dir));
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto store = std::make_unique<MemoryKvStore>(columns);
  const auto corrupt = [&] {
    return absl::DataLossError(absl::StrCat("memory-store checkpoint ", path.string(), " is cut"));
  };
  for (size_t at = 0; at < data.size();) {
    std::string name;
    if (!ReadString(data, &at, &name) || data.size() - at < 8) return corrupt();
    const uint64_t keys = ReadBigEndian(std::string_view(data).substr(at, 8));
    at += 8;
    Column values;
    for (uint64_t i = 0; i < keys; ++i) {
      std::string key;
      std::string value;
      if (!ReadString(data, &at, &key) || !ReadString(data, &at, &value)) return corrupt();
      values.emplace(std::move(key), std::move(value));
    }
    store->Load(name, std::move(values));
  }
  return store;
}

}  // namespace omnia::storage
