#include "libs/ingest/internal/id_index.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "libs/base/prefaulted_allocator.h"

namespace omnia::ingest::internal {

void IdIndex::FreeTable::operator()(Bucket* table) const {
  ::operator delete (table, std::align_val_t{alignof(Bucket)});
}

size_t IdIndex::BucketsFor(size_t ids) {
  // More than ids / (kSlotsPerBucket * 3/4), so that LoadLimit() is at least ids.
  return ids * 4 / (kSlotsPerBucket * 3) + 1;
}

void IdIndex::Reserve(size_t ids) {
  const size_t wanted = BucketsFor(ids);
  if (wanted > bucket_count_) Rehash(wanted);
}

void IdIndex::Rehash(size_t bucket_count) {
  // The table is written at random buckets: its pages are populated and zeroed (every state
  // kEmpty) here, once, rather than faulted in one at a time by the insertions. Memory the
  // kernel cannot back now is refused here, with the index unchanged, not found missing later.
  const size_t bytes = bucket_count * sizeof(Bucket);
  std::unique_ptr<Bucket[], FreeTable> table(
      static_cast<Bucket*>(::operator new (bytes, std::align_val_t{alignof(Bucket)})));
  if (!base::PrefaultPages(table.get(), bytes)) throw std::bad_alloc();
  std::memset(static_cast<void*>(table.get()), 0, bytes);
  IdIndex grown;
  grown.buckets_ = std::move(table);
  grown.bucket_count_ = bucket_count;
  // The new table has room for every entry within its load limit, so these never rehash.
  for (size_t b = 0; b < bucket_count_; ++b) {
    const Bucket& bucket = buckets_[b];
    for (int s = 0; s < kSlotsPerBucket; ++s) {
      if (bucket.states[s] == kFull) grown.TryInsert(bucket.keys[s], bucket.fingerprints[s]);
    }
  }
  *this = std::move(grown);
}

std::pair<IdIndex::Fingerprint, bool> IdIndex::TryInsert(const Key& key,
                                                         const Fingerprint& fingerprint) {
  if (used_ + 1 > LoadLimit()) {
    // An id already there is answered without growing: repeats leave the index as it was.
    if (const Fingerprint* logged = Find(key); logged != nullptr) return {*logged, false};
    // Room for twice the entries, so that growth is amortised; a table whose slots went to
    // tombstones is rebuilt at its size (never smaller: what Reserve made room for stays).
    Rehash(std::max(bucket_count_, BucketsFor(2 * (size_ + 1))));
  }
  // The probe ends at the first empty slot: the key is in no bucket after it. The first
  // tombstone met on the way takes the key, once the key is known to be absent.
  Bucket* free_bucket = nullptr;
  int free_slot = 0;
  for (size_t at = BucketOf(key);; at = Next(at)) {
    Bucket& bucket = buckets_[at];
    for (int s = 0; s < kSlotsPerBucket; ++s) {
      const State state = bucket.states[s];
      if (state == kFull) {
        if (bucket.keys[s] == key) return {bucket.fingerprints[s], false};
        continue;
      }
      if (free_bucket == nullptr) {
        free_bucket = &bucket;
        free_slot = s;
      }
      if (state == kEmpty) {
        if (free_bucket->states[free_slot] == kEmpty) ++used_;
        free_bucket->keys[free_slot] = key;
        free_bucket->fingerprints[free_slot] = fingerprint;
        free_bucket->states[free_slot] = kFull;
        ++size_;
        return {fingerprint, true};
      }
    }
  }
}

std::pair<IdIndex::Bucket*, int> IdIndex::Locate(const Key& key) const {
  if (bucket_count_ == 0) return {nullptr, 0};
  for (size_t at = BucketOf(key);; at = Next(at)) {
    Bucket& bucket = buckets_[at];
    for (int s = 0; s < kSlotsPerBucket; ++s) {
      if (bucket.states[s] == kEmpty) return {nullptr, 0};
      if (bucket.states[s] == kFull && bucket.keys[s] == key) return {&bucket, s};
    }
  }
}

const IdIndex::Fingerprint* IdIndex::Find(const Key& key) const {
  const auto [bucket, slot] = Locate(key);
  return bucket == nullptr ? nullptr : &bucket->fingerprints[slot];
}

bool IdIndex::Erase(const Key& key) {
  const auto [bucket, slot] = Locate(key);
  if (bucket == nullptr) return false;
  bucket->states[slot] = kErased;
  --size_;
  return true;
}

}  // namespace omnia::ingest::internal
