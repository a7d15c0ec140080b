// The value of one cube cell: a count for additive measures, an exact set of dense worker ids for
// WORKERS (whose value is the set's size). Sets merge by union, counts by addition, so a rollup
// cell is exact whichever way its parts arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "roaring/roaring.hh"

namespace omnia::cube {

class CellValue {
 public:
  CellValue() = default;
  static CellValue Count(uint64_t count);
  // The set of `sorted_ids` (ascending, distinct): built by appending, container by container.
  static CellValue WorkerSet(const std::vector<uint32_t>& sorted_ids);

  // The published number: the count, or the number of distinct workers.
  uint64_t value() const { return is_set_ ? workers_.cardinality() : count_; }
  bool is_worker_set() const { return is_set_; }
  const Roaring& workers() const { return workers_; }

  void AddCount(uint64_t n) { count_ += n; }
  void AddWorker(uint32_t dense_id) {
    is_set_ = true;
    workers_.add(dense_id);
  }
  // Union of worker sets or sum of counts.
  void MergeFrom(const CellValue& other);
  // The same as a new value, leaving both inputs as they are.
  static CellValue Union(const CellValue& a, const CellValue& b);
  // The merge of all `parts` at once: a union of many sets costs about the size of its inputs,
  // where merging them one by one would copy the growing result again for each part.
  static CellValue MergeOf(const std::vector<const CellValue*>& parts);

  // Bytes of memory the value holds beyond sizeof(CellValue): a worker set's containers and the
  // allocations behind them (an estimate; see cell_value.cc).
  size_t HeapBytes() const;

  // Self-describing bytes: a tag, then 8 little-endian bytes of count, or a portable Roaring
  // bitmap.
  std::string Serialize() const;
  static absl::StatusOr<CellValue> Parse(std::string_view bytes);

 private:
  bool is_set_ = false;
  uint64_t count_ = 0;
  Roaring workers_;
};

// The merge function of the cells column: existing ⊕ operand, both serialized CellValues.
std::string MergeSerializedCells(std::optional<std::string_view> existing,
                                 std::string_view operand);

}  // namespace omnia::cube
