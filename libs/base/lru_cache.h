// A cache bounded by bytes: it keeps the most recently used entries whose sizes add up to at
// most a budget, evicting the least recently used ones first. For caches that callers fill by
// naming keys (release ids), so that no sequence of requests can make them grow without bound.
// Not thread-safe: guard it with the owner's mutex.
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <list>
#include <map>
#include <utility>

namespace omnia {

template <typename Key, typename Value>
class LruCache {
 public:
  // `bytes_of` estimates the memory an entry holds, key included.
  using BytesOf = std::function<size_t(const Key&, const Value&)>;

  // What Put does with an entry larger than the whole budget.
  enum class Oversized {
    kDrop,       // not kept: the cache stays within its budget at all times
    kKeepAlone,  // kept as the only entry: for values costly to rebuild, which a cache that
                 // dropped them would rebuild on every use
  };

  LruCache(size_t max_bytes, BytesOf bytes_of, Oversized oversized = Oversized::kDrop)
      : max_bytes_(max_bytes), bytes_of_(std::move(bytes_of)), oversized_(oversized) {}

  // The value of `key`, now the most recently used entry; nullptr when absent. Valid until the
  // next Put.
  const Value* Find(const Key& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->value;
  }

  // Inserts or replaces the value of `key` as the most recently used entry, then evicts the
  // least recently used entries until the total fits. An entry larger than the whole budget is
  // dropped, or kept alone (see Oversized); only then does bytes() exceed max_bytes().
  void Put(const Key& key, Value value) {
    Erase(key);
    const size_t bytes = bytes_of_(key, value);
    if (bytes > max_bytes_ && oversized_ == Oversized::kDrop) return;
    entries_.push_front(Entry{key, std::move(value), bytes});
    index_[key] = entries_.begin();
    bytes_ += bytes;
    while (bytes_ > max_bytes_ && entries_.size() > 1) {
      const Key oldest = entries_.back().key;
      Erase(oldest);
    }
  }

  size_t bytes() const { return bytes_; }
  size_t size() const { return entries_.size(); }
  size_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    Key key;
    Value value;
    size_t bytes;
  };

  void Erase(const Key& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    bytes_ -= it->second->bytes;
    entries_.erase(it->second);
    index_.erase(it);
  }

  const size_t max_bytes_;
  const BytesOf bytes_of_;
  const Oversized oversized_;
  std::list<Entry> entries_;  // most recently used first
  std::map<Key, typename std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace omnia
