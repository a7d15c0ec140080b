// Events as fixed-width records: the form in which ingestion forwards its log's events and
// aggregation reads them (omnia.v1 CubeEventColumns.application_records and payment_records),
// with no per-value encoding on either side. Integers are big-endian.
//   application (5): year (2) | month (1) | region (1) | intervention type (1)
//   payment (39):    year (2) | month (1) | region (1) | intervention type (1) |
//                    months covered (2) | worker pseudonym (32)
// Region and type are positions in a list of codes that travels beside the records (for the
// facts below, the dense indexes of the codelists). Only the layout lives here: what a value
// may be is checked where records are read (libs/api).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "libs/facts/facts.h"

namespace omnia::facts {

inline constexpr size_t kApplicationRecordBytes = 5;
inline constexpr size_t kPaymentRecordBytes = 7 + kPseudonymBytes;

// The events of consecutive log entries as records, with the FactBatch fields that frame them.
struct RecordBatch {
  std::string producer;
  uint64_t sequence = 0;
  std::optional<uint64_t> previous_sequence;
  std::string application_records;  // kApplicationRecordBytes each
  std::string payment_records;      // kPaymentRecordBytes each

  size_t applications() const { return application_records.size() / kApplicationRecordBytes; }
  size_t payments() const { return payment_records.size() / kPaymentRecordBytes; }
};

// Appends the record of one fact; its region and type must fit a byte, its months covered two.
inline void AppendRecord(const ApplicationFact& fact, std::string& out) {
  const char record[kApplicationRecordBytes] = {
      static_cast<char>(fact.month.year >> 8), static_cast<char>(fact.month.year),
      static_cast<char>(fact.month.month), static_cast<char>(fact.region),
      static_cast<char>(fact.type)};
  out.append(record, sizeof record);
}

inline void AppendRecord(const PaymentFact& fact, std::string& out) {
  char record[kPaymentRecordBytes] = {static_cast<char>(fact.month.year >> 8),
                                      static_cast<char>(fact.month.year),
                                      static_cast<char>(fact.month.month),
                                      static_cast<char>(fact.region),
                                      static_cast<char>(fact.type),
                                      static_cast<char>(fact.months_covered >> 8),
                                      static_cast<char>(fact.months_covered)};
  std::memcpy(record + 7, fact.worker.data(), kPseudonymBytes);
  out.append(record, sizeof record);
}

// The fields of the record at `p`, as they are (region and type are list positions).
inline ApplicationFact ReadApplicationRecord(const char* p) {
  const auto byte = [p](size_t i) { return static_cast<unsigned char>(p[i]); };
  return {{byte(0) << 8 | byte(1), byte(2)}, byte(3), byte(4)};
}

inline PaymentFact ReadPaymentRecord(const char* p) {
  const auto byte = [p](size_t i) { return static_cast<unsigned char>(p[i]); };
  PaymentFact fact;
  fact.month = {byte(0) << 8 | byte(1), byte(2)};
  fact.region = byte(3);
  fact.type = byte(4);
  fact.months_covered = uint64_t{byte(5)} << 8 | byte(6);
  std::memcpy(fact.worker.data(), p + 7, kPseudonymBytes);
  return fact;
}

// The records of `batch`'s facts, whose regions and types are codelist indexes.
inline RecordBatch RecordsOf(const FactBatch& batch) {
  RecordBatch records;
  records.producer = batch.producer;
  records.sequence = batch.sequence;
  records.previous_sequence = batch.previous_sequence;
  records.application_records.reserve(batch.applications.size() * kApplicationRecordBytes);
  for (const ApplicationFact& a : batch.applications) AppendRecord(a, records.application_records);
  records.payment_records.reserve(batch.payments.size() * kPaymentRecordBytes);
  for (const PaymentFact& p : batch.payments) AppendRecord(p, records.payment_records);
  return records;
}

// The facts of `records`, as they are (a partial record at the end is left out).
inline FactBatch FactsOf(RecordBatch records) {
  FactBatch batch;
  batch.producer = std::move(records.producer);
  batch.sequence = records.sequence;
  batch.previous_sequence = records.previous_sequence;
  batch.applications.reserve(records.applications());
  for (size_t i = 0; i < records.applications(); ++i) {
    batch.applications.push_back(
        ReadApplicationRecord(records.application_records.data() + i * kApplicationRecordBytes));
  }
  batch.payments.reserve(records.payments());
  for (size_t i = 0; i < records.payments(); ++i) {
    batch.payments.push_back(
        ReadPaymentRecord(records.payment_records.data() + i * kPaymentRecordBytes));
  }
  return batch;
}

}  // namespace omnia::facts
