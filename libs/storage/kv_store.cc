#include "libs/storage/kv_store.h"

#include <utility>

namespace omnia::storage {

void WriteBatch::Put(int column, std::string key, std::string value) {
  bytes_ += key.size() + value.size();
  entries_.push_back({Op::kPut, column, std::move(key), std::move(value)});
}

void WriteBatch::Merge(int column, std::string key, std::string operand) {
  bytes_ += key.size() + operand.size();
  entries_.push_back({Op::kMerge, column, std::move(key), std::move(operand)});
}

void WriteBatch::Delete(int column, std::string key) {
  bytes_ += key.size();
  entries_.push_back({Op::kDelete, column, std::move(key), std::string()});
}

void WriteBatch::DeleteRange(int column, std::string begin, std::string end) {
  bytes_ += begin.size() + end.size();
  entries_.push_back({Op::kDeleteRange, column, std::move(begin), std::move(end)});
}

}  // namespace omnia::storage
