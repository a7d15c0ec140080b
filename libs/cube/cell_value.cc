#include "libs/cube/cell_value.h"

#include <exception>

namespace omnia::cube {
namespace {

constexpr char kCountTag = 'C';
constexpr char kSetTag = 'W';

// Per container of a Roaring bitmap, beyond the values it stores: its 16-byte header and the
// allocator's bookkeeping of two allocations (header and values).
constexpr size_t kContainerOverheadBytes = 48;
// Per slot of a bitmap's container index (a pointer, a 16-bit key and a type code).
constexpr size_t kContainerSlotBytes = sizeof(void*) + sizeof(uint16_t) + sizeof(uint8_t);

}  // namespace

CellValue CellValue::Count(uint64_t count) {
  CellValue v;
  v.count_ = count;
  return v;
}

CellValue CellValue::WorkerSet(const std::vector<uint32_t>& sorted_ids) {
  CellValue v;
  v.is_set_ = true;
  v.workers_.addMany(sorted_ids.size(), sorted_ids.data());
  return v;
}

CellValue CellValue::Union(const CellValue& a, const CellValue& b) {
  CellValue merged;
  merged.is_set_ = a.is_set_ || b.is_set_;
  merged.count_ = a.count_ + b.count_;
  if (merged.is_set_) merged.workers_ = a.workers_ | b.workers_;
  return merged;
}

void CellValue::MergeFrom(const CellValue& other) {
  if (other.is_set_) {
    is_set_ = true;
    workers_ |= other.workers_;
  }
  count_ += other.count_;
}

CellValue CellValue::MergeOf(const std::vector<const CellValue*>& parts) {
  if (parts.size() == 1) return *parts[0];
  CellValue merged;
  std::vector<const Roaring*> sets;
  for (const CellValue* part : parts) {
    merged.count_ += part->count_;
    if (part->is_set_) sets.push_back(&part->workers_);
  }
  if (!sets.empty()) {
    merged.is_set_ = true;
    merged.workers_ = Roaring::fastunion(sets.size(), sets.data());
  }
  return merged;
}

size_t CellValue::HeapBytes() const {
  if (!is_set_ || workers_.isEmpty()) return 0;
  roaring_statistics_t stats;
  roaring_bitmap_statistics(&workers_.roaring, &stats);
  // The statistics count the values held; an array container may have reserved somewhat more.
  const size_t values = size_t{stats.n_bytes_array_containers} + stats.n_bytes_run_containers +
                        stats.n_bytes_bitset_containers;
  const size_t slots = static_cast<size_t>(workers_.roaring.high_low_container.allocation_size);
  return values + stats.n_containers * kContainerOverheadBytes + slots * kContainerSlotBytes;
}

std::string CellValue::Serialize() const {
  if (!is_set_) {
    std::string out(9, '\0');
    out[0] = kCountTag;
    for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<char>((count_ >> (8 * i)) & 0xff);
    return out;
  }
  Roaring compact = workers_;
  compact.runOptimize();
  std::string out(1 + compact.getSizeInBytes(/*portable=*/true), '\0');
  out[0] = kSetTag;
  compact.write(out.data() + 1, /*portable=*/true);
  return out;
}

absl::StatusOr<CellValue> CellValue::Parse(std::string_view bytes) {
  if (bytes.empty()) return absl::DataLossError("empty cell value");
  CellValue v;
  if (bytes[0] == kCountTag && bytes.size() == 9) {
    for (int i = 0; i < 8; ++i) {
      v.count_ |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[1 + i])) << (8 * i);
    }
    return v;
  }
  if (bytes[0] == kSetTag) {
    // readSafe checks every length against the buffer, so damaged bytes cannot overrun it; it
    // reports them by throwing.
    try {
      v.workers_ = Roaring::readSafe(bytes.data() + 1, bytes.size() - 1);
    } catch (const std::exception&) {
      return absl::DataLossError("cell value holds a damaged worker set");
    }
    v.is_set_ = true;
    return v;
  }
  return absl::DataLossError("cell value has an unknown encoding");
}

std::string MergeSerializedCells(std::optional<std::string_view> existing,
                                 std::string_view operand) {
  absl::StatusOr<CellValue> merged =
      existing.has_value() ? CellValue::Parse(*existing) : absl::StatusOr<CellValue>(CellValue());
  absl::StatusOr<CellValue> delta = CellValue::Parse(operand);
  // A damaged operand cannot be recovered here; keep what was stored rather than lose it.
  if (!merged.ok()) return delta.ok() ? std::string(operand) : std::string(*existing);
  if (delta.ok()) merged->MergeFrom(*delta);
  return merged->Serialize();
}

}  // namespace omnia::cube
