#include "libs/api/fact_convert.h"

#include <cstring>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/api/internal/field_checks.h"
#include "libs/facts/event_records.h"

namespace omnia::api {
namespace {

using internal::CheckMonth;
using internal::FieldError;

absl::StatusOr<int> RegionIndex(const domain::Codelists& codelists, const std::string& code,
                                const std::string& path) {
  if (const domain::Region* r = codelists.RegionByInpsLabel(code)) return r->index;
  absl::StatusOr<const domain::Region*> found = codelists.FindRegion(code);
  if (!found.ok()) return FieldError(path, std::string(found.status().message()));
  return (*found)->index;
}

absl::StatusOr<int> TypeIndex(const domain::Codelists& codelists, const std::string& code,
                              const std::string& path) {
  if (const domain::InterventionType* t = codelists.InterventionTypeByCode(code)) return t->index;
  absl::StatusOr<const domain::InterventionType*> found = codelists.FindInterventionType(code);
  if (!found.ok()) return FieldError(path, std::string(found.status().message()));
  return (*found)->index;
}

struct Coordinates {
  domain::YearMonth month;
  int region = 0;
  int type = 0;
};

// The month, region and type of the event or cell at `path()` ("events[3].payment"). The path is
// turned into text only for an error: this runs for every event of every applied batch.
template <typename Path>
absl::StatusOr<Coordinates> ResolveCoordinates(const domain::Codelists& codelists,
                                               const v1::YearMonth& period,
                                               const std::string& region, const std::string& type,
                                               const Path& path) {
  Coordinates at{{period.year(), period.month()}};
  if (!domain::IsValidYearMonth(at.month)) return CheckMonth(period, path() + ".period");
  // The exact code by one hash probe; only another spelling (or an error) takes the slow lookup.
  const auto index_of = [](const auto* exact, const auto& slow) -> absl::StatusOr<int> {
    if (exact != nullptr) return exact->index;
    return slow();
  };
  absl::StatusOr<int> region_index = index_of(codelists.RegionByInpsLabel(region), [&] {
    return RegionIndex(codelists, region, path() + ".region");
  });
  if (!region_index.ok()) return region_index.status();
  absl::StatusOr<int> type_index = index_of(codelists.InterventionTypeByCode(type), [&] {
    return TypeIndex(codelists, type, path() + ".intervention_type");
  });
  if (!type_index.ok()) return type_index.status();
  at.region = *region_index;
  at.type = *type_index;
  return at;
}

absl::Status CheckProducer(const std::string& producer) {
  if (producer.empty() || producer.size() > 128) {
    return FieldError("producer_id", "required, 1 to 128 characters");
  }
  for (char c : producer) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return FieldError("producer_id", "only A-Z a-z 0-9 . _ : - are allowed");
  }
  return absl::OkStatus();
}

// Positions in the codelists of the codes a column refers to.
absl::StatusOr<std::vector<int>> CodeIndexes(
    const google::protobuf::RepeatedPtrField<std::string>& codes, const std::string& path,
    const std::function<absl::StatusOr<int>(const std::string&, const std::string&)>& index_of) {
  std::vector<int> indexes;
  indexes.reserve(codes.size());
  for (int i = 0; i < codes.size(); ++i) {
    absl::StatusOr<int> index = index_of(codes[i], absl::StrCat(path, "[", i, "]"));
    if (!index.ok()) return index.status();
    indexes.push_back(*index);
  }
  return indexes;
}

// The columns of one kind of event, checked for equal lengths.
absl::Status CheckLengths(const std::vector<std::pair<const char*, int>>& columns) {
  for (const auto& [name, size] : columns) {
    if (size != columns[0].second) {
      return FieldError(absl::StrCat("columns.", name),
                        absl::StrCat("has ", size, " values but columns.", columns[0].first,
                                     " has ", columns[0].second,
                                     "; every column of a kind "
                                     "needs one value per event"));
    }
  }
  return absl::OkStatus();
}

// `path()` names the value in an error; it is called only then (a batch holds up to 200,000
// events).
template <typename PathOf>
absl::StatusOr<domain::YearMonth> ColumnMonth(uint32_t value, const PathOf& path) {
  const domain::YearMonth month{static_cast<int>(value / 100), static_cast<int>(value % 100)};
  if (!domain::IsValidYearMonth(month)) {
    return FieldError(
        path(), absl::StrCat("month must be year * 100 + month within ", domain::kMinYear, "01..",
                             domain::kMaxYear, "12, got ", value));
  }
  return month;
}

template <typename PathOf>
absl::StatusOr<int> ColumnCode(uint32_t position, const std::vector<int>& indexes,
                               const PathOf& path, const char* codes_name) {
  if (position >= indexes.size()) {
    return FieldError(path(), absl::StrCat("position ", position, " is outside columns.",
                                           codes_name, " (", indexes.size(), " codes)"));
  }
  return indexes[position];
}

// The month of a record; `path()` names it in an error.
template <typename PathOf>
absl::StatusOr<domain::YearMonth> RecordMonth(domain::YearMonth month, const PathOf& path) {
  if (!domain::IsValidYearMonth(month)) {
    return FieldError(
        path(), absl::StrCat("month must be within ", domain::kMinYear, "-01..", domain::kMaxYear,
                             "-12, got ", month.year, "-", month.month));
  }
  return month;
}

// Names field `field` of record `i` of `column` in an error, built only when one is.
auto RecordFieldPath(const char* column, size_t i, const char* field) {
  return [column, i, field] { return absl::StrCat("columns.", column, "[", i, "].", field); };
}

// Checks the month of record `i` of `column` and turns its region and type, positions in the
// request's code lists, into the codelist indexes `regions` and `types` map them to.
template <typename Fact>
absl::Status ResolveRecordPlace(const char* column, size_t i, const std::vector<int>& regions,
                                const std::vector<int>& types, Fact& fact) {
  absl::StatusOr<domain::YearMonth> month =
      RecordMonth(fact.month, RecordFieldPath(column, i, "month"));
  if (!month.ok()) return month.status();
  absl::StatusOr<int> region =
      ColumnCode(fact.region, regions, RecordFieldPath(column, i, "region"), "regions");
  if (!region.ok()) return region.status();
  absl::StatusOr<int> type =
      ColumnCode(fact.type, types, RecordFieldPath(column, i, "type"), "intervention_types");
  if (!type.ok()) return type.status();
  fact.month = *month;
  fact.region = *region;
  fact.type = *type;
  return absl::OkStatus();
}

absl::Status CheckRecordBytes(const std::string& records, const char* column, size_t record_bytes,
                              const char* kind) {
  if (records.size() % record_bytes != 0) {
    return FieldError(absl::StrCat("columns.", column),
                      absl::StrCat("must hold ", record_bytes, " bytes per ", kind, ", got ",
                                   records.size(), " bytes"));
  }
  return absl::OkStatus();
}

// The events of application_records and payment_records, whose region and type positions
// refer to `regions` and `types` (the codelist indexes of the request's code lists).
absl::Status RecordsToFacts(const v1::CubeEventColumns& columns, const std::vector<int>& regions,
                            const std::vector<int>& types, facts::FactBatch& batch) {
  const std::string& applications = columns.application_records();
  const std::string& payments = columns.payment_records();
  if (absl::Status s = CheckRecordBytes(applications, "application_records",
                                        facts::kApplicationRecordBytes, "application");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRecordBytes(payments, "payment_records", facts::kPaymentRecordBytes, "payment");
      !s.ok()) {
    return s;
  }
  const size_t application_count = applications.size() / facts::kApplicationRecordBytes;
  batch.applications.reserve(batch.applications.size() + application_count);
  for (size_t i = 0; i < application_count; ++i) {
    facts::ApplicationFact fact =
        facts::ReadApplicationRecord(applications.data() + i * facts::kApplicationRecordBytes);
    if (absl::Status s = ResolveRecordPlace("application_records", i, regions, types, fact);
        !s.ok()) {
      return s;
    }
    batch.applications.push_back(fact);
  }
  const size_t payment_count = payments.size() / facts::kPaymentRecordBytes;
  batch.payments.reserve(batch.payments.size() + payment_count);
  for (size_t i = 0; i < payment_count; ++i) {
    facts::PaymentFact fact =
        facts::ReadPaymentRecord(payments.data() + i * facts::kPaymentRecordBytes);
    if (absl::Status s = ResolveRecordPlace("payment_records", i, regions, types, fact); !s.ok()) {
      return s;
    }
    if (fact.months_covered > 60) {
      return FieldError(RecordFieldPath("payment_records", i, "months_covered")(),
                        absl::StrCat("must be 0 to 60, got ", fact.months_covered));
    }
    batch.payments.push_back(fact);
  }
  return absl::OkStatus();
}

absl::Status ColumnsToFacts(const v1::CubeEventColumns& columns, const domain::Codelists& codelists,
                            facts::FactBatch& batch) {
  absl::StatusOr<std::vector<int>> regions = CodeIndexes(
      columns.regions(), "columns.regions", [&](const std::string& code, const std::string& path) {
        return RegionIndex(codelists, code, path);
      });
  if (!regions.ok()) return regions.status();
  absl::StatusOr<std::vector<int>> types =
      CodeIndexes(columns.intervention_types(), "columns.intervention_types",
                  [&](const std::string& code, const std::string& path) {
                    return TypeIndex(codelists, code, path);
                  });
  if (!types.ok()) return types.status();
  if (absl::Status s = CheckLengths({{"application_months", columns.application_months_size()},
                                     {"application_regions", columns.application_regions_size()},
                                     {"application_types", columns.application_types_size()}});
      !s.ok()) {
    return s;
  }
  const int payments = columns.payment_months_size();
  if (absl::Status s =
          CheckLengths({{"payment_months", payments},
                        {"payment_regions", columns.payment_regions_size()},
                        {"payment_types", columns.payment_types_size()},
                        {"payment_months_covered", columns.payment_months_covered_size()}});
      !s.ok()) {
    return s;
  }
  if (columns.payment_worker_pseudonyms().size() != size_t{facts::kPseudonymBytes} * payments) {
    return FieldError("columns.payment_worker_pseudonyms",
                      absl::StrCat("must hold ", facts::kPseudonymBytes, " bytes per payment (",
                                   size_t{facts::kPseudonymBytes} * payments, " bytes), got ",
                                   columns.payment_worker_pseudonyms().size()));
  }
  const auto at = [](const char* column, int i) {
    return [column, i] { return absl::StrCat("columns.", column, "[", i, "]"); };
  };
  batch.applications.reserve(batch.applications.size() + columns.application_months_size());
  for (int i = 0; i < columns.application_months_size(); ++i) {
    absl::StatusOr<domain::YearMonth> month =
        ColumnMonth(columns.application_months(i), at("application_months", i));
    if (!month.ok()) return month.status();
    absl::StatusOr<int> region = ColumnCode(columns.application_regions(i), *regions,
                                            at("application_regions", i), "regions");
    if (!region.ok()) return region.status();
    absl::StatusOr<int> type = ColumnCode(columns.application_types(i), *types,
                                          at("application_types", i), "intervention_types");
    if (!type.ok()) return type.status();
    batch.applications.push_back({*month, *region, *type});
  }
  batch.payments.reserve(batch.payments.size() + payments);
  const char* pseudonyms = columns.payment_worker_pseudonyms().data();
  for (int i = 0; i < payments; ++i) {
    facts::PaymentFact fact;
    absl::StatusOr<domain::YearMonth> month =
        ColumnMonth(columns.payment_months(i), at("payment_months", i));
    if (!month.ok()) return month.status();
    absl::StatusOr<int> region =
        ColumnCode(columns.payment_regions(i), *regions, at("payment_regions", i), "regions");
    if (!region.ok()) return region.status();
    absl::StatusOr<int> type =
        ColumnCode(columns.payment_types(i), *types, at("payment_types", i), "intervention_types");
    if (!type.ok()) return type.status();
    if (columns.payment_months_covered(i) > 60) {
      return FieldError(at("payment_months_covered", i)(), "must be 0 to 60");
    }
    fact.month = *month;
    fact.region = *region;
    fact.type = *type;
    fact.months_covered = columns.payment_months_covered(i);
    std::memcpy(fact.worker.data(), pseudonyms + size_t{facts::kPseudonymBytes} * i,
                facts::kPseudonymBytes);
    batch.payments.push_back(fact);
  }
  return RecordsToFacts(columns, *regions, *types, batch);
}

// The position of each code in the request's code list, added on first use.
class CodeColumn {
 public:
  CodeColumn(size_t codelist_size, google::protobuf::RepeatedPtrField<std::string>* codes)
      : positions_(codelist_size, -1), codes_(codes) {}
  uint32_t PositionOf(int index, const std::string& code) {
    if (positions_[index] < 0) {
      positions_[index] = codes_->size();
      *codes_->Add() = code;
    }
    return static_cast<uint32_t>(positions_[index]);
  }

 private:
  std::vector<int> positions_;
  google::protobuf::RepeatedPtrField<std::string>* codes_;
};

uint32_t ColumnMonthOf(const domain::YearMonth& month) {
  return static_cast<uint32_t>(month.year * 100 + month.month);
}

}  // namespace

absl::StatusOr<facts::FactBatch> FactBatchFromProto(const v1::ApplyRequest& request,
                                                    const domain::Codelists& codelists) {
  if (absl::Status s = CheckProducer(request.producer_id()); !s.ok()) return s;
  if (request.sequence() == 0) return FieldError("sequence", "must be at least 1");
  facts::FactBatch batch;
  batch.producer = request.producer_id();
  batch.sequence = request.sequence();
  if (request.has_previous_sequence()) batch.previous_sequence = request.previous_sequence();
  for (int i = 0; i < request.events_size(); ++i) {
    const v1::CubeEvent& event = request.events(i);
    const auto at = [i] { return absl::StrCat("events[", i, "]"); };
    if (event.has_application()) {
      const v1::CubeApplication& a = event.application();
      absl::StatusOr<Coordinates> cell =
          ResolveCoordinates(codelists, a.period(), a.region(), a.intervention_type(),
                             [&] { return at() + ".application"; });
      if (!cell.ok()) return cell.status();
      batch.applications.push_back({cell->month, cell->region, cell->type});
    } else if (event.has_payment()) {
      const v1::CubePayment& p = event.payment();
      absl::StatusOr<Coordinates> cell =
          ResolveCoordinates(codelists, p.period(), p.region(), p.intervention_type(),
                             [&] { return at() + ".payment"; });
      if (!cell.ok()) return cell.status();
      if (p.worker_pseudonym().size() != facts::kPseudonymBytes) {
        return FieldError(at() + ".payment.worker_pseudonym",
                          absl::StrCat("must be ", facts::kPseudonymBytes, " bytes, got ",
                                       p.worker_pseudonym().size()));
      }
      if (p.months_covered() > 60) {
        return FieldError(at() + ".payment.months_covered", "must be 0 to 60");
      }
      facts::PaymentFact fact;
      fact.month = cell->month;
      fact.region = cell->region;
      fact.type = cell->type;
      std::memcpy(fact.worker.data(), p.worker_pseudonym().data(), facts::kPseudonymBytes);
      fact.months_covered = p.months_covered();
      batch.payments.push_back(fact);
    } else {
      return FieldError(at(), "must hold an application or a payment");
    }
  }
  if (request.has_columns()) {
    if (absl::Status s = ColumnsToFacts(request.columns(), codelists, batch); !s.ok()) return s;
  }
  return batch;
}

namespace {

// The codes of a fact's dense indices; DATA_LOSS when either is outside the codelists.
absl::Status CheckFactCodes(const domain::Codelists& codelists, int region, int type,
                            const char* kind, size_t index) {
  if (region < 0 || static_cast<size_t>(region) >= codelists.regions().size() || type < 0 ||
      static_cast<size_t>(type) >= codelists.intervention_types().size()) {
    return absl::DataLossError(absl::StrCat(kind, "[", index, "]: region index ", region,
                                            " or type index ", type,
                                            " is outside the codelists: the log entry is damaged"));
  }
  return absl::OkStatus();
}

absl::Status CheckBatchCodes(const facts::FactBatch& batch, const domain::Codelists& codelists) {
  for (size_t i = 0; i < batch.applications.size(); ++i) {
    const facts::ApplicationFact& a = batch.applications[i];
    if (absl::Status s = CheckFactCodes(codelists, a.region, a.type, "applications", i); !s.ok()) {
      return s;
    }
  }
  for (size_t i = 0; i < batch.payments.size(); ++i) {
    const facts::PaymentFact& p = batch.payments[i];
    if (absl::Status s = CheckFactCodes(codelists, p.region, p.type, "payments", i); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void SetPeriod(domain::YearMonth month, v1::YearMonth* out) {
  out->set_year(month.year);
  out->set_month(month.month);
}

void AddEventMessages(const facts::FactBatch& batch, const domain::Codelists& codelists,
                      v1::ApplyRequest& request) {
  request.mutable_events()->Reserve(
      static_cast<int>(batch.applications.size() + batch.payments.size()));
  for (const facts::ApplicationFact& a : batch.applications) {
    v1::CubeApplication* out = request.add_events()->mutable_application();
    SetPeriod(a.month, out->mutable_period());
    out->set_region(codelists.regions()[a.region].inps_label);
    out->set_intervention_type(codelists.intervention_types()[a.type].code);
  }
  for (const facts::PaymentFact& p : batch.payments) {
    v1::CubePayment* out = request.add_events()->mutable_payment();
    SetPeriod(p.month, out->mutable_period());
    out->set_region(codelists.regions()[p.region].inps_label);
    out->set_intervention_type(codelists.intervention_types()[p.type].code);
    out->set_worker_pseudonym(p.worker.data(), p.worker.size());
    out->set_months_covered(static_cast<uint32_t>(p.months_covered));
  }
}

void AddEventColumns(const facts::FactBatch& batch, const domain::Codelists& codelists,
                     v1::CubeEventColumns& columns) {
  CodeColumn regions(codelists.regions().size(), columns.mutable_regions());
  CodeColumn types(codelists.intervention_types().size(), columns.mutable_intervention_types());
  columns.mutable_application_months()->Reserve(batch.applications.size());
  columns.mutable_application_regions()->Reserve(batch.applications.size());
  columns.mutable_application_types()->Reserve(batch.applications.size());
  for (const facts::ApplicationFact& a : batch.applications) {
    columns.add_application_months(ColumnMonthOf(a.month));
    columns.add_application_regions(
        regions.PositionOf(a.region, codelists.regions()[a.region].inps_label));
    columns.add_application_types(
        types.PositionOf(a.type, codelists.intervention_types()[a.type].code));
  }
  const int payments = static_cast<int>(batch.payments.size());
  columns.mutable_payment_months()->Reserve(payments);
  columns.mutable_payment_regions()->Reserve(payments);
  columns.mutable_payment_types()->Reserve(payments);
  columns.mutable_payment_months_covered()->Reserve(payments);
  std::string& pseudonyms = *columns.mutable_payment_worker_pseudonyms();
  pseudonyms.reserve(size_t{facts::kPseudonymBytes} * payments);
  for (const facts::PaymentFact& p : batch.payments) {
    columns.add_payment_months(ColumnMonthOf(p.month));
    columns.add_payment_regions(
        regions.PositionOf(p.region, codelists.regions()[p.region].inps_label));
    columns.add_payment_types(
        types.PositionOf(p.type, codelists.intervention_types()[p.type].code));
    columns.add_payment_months_covered(static_cast<uint32_t>(p.months_covered));
    pseudonyms.append(p.worker.data(), p.worker.size());
  }
}

// Every code of the codelists, in index order: records refer to codes by their codelist index.
void AddAllCodes(const domain::Codelists& codelists, v1::CubeEventColumns& columns) {
  for (const domain::Region& region : codelists.regions()) columns.add_regions(region.inps_label);
  for (const domain::InterventionType& type : codelists.intervention_types()) {
    columns.add_intervention_types(type.code);
  }
}

void AddEventRecords(const facts::FactBatch& batch, const domain::Codelists& codelists,
                     v1::CubeEventColumns& columns) {
  AddAllCodes(codelists, columns);
  facts::RecordBatch records = facts::RecordsOf(batch);
  *columns.mutable_application_records() = std::move(records.application_records);
  *columns.mutable_payment_records() = std::move(records.payment_records);
}

// DATA_LOSS, naming the record, when a record's region or type is outside the codelists or
// beyond what a record holds.
absl::Status CheckRecordCodes(const std::string& records, size_t record_bytes, const char* kind,
                              const domain::Codelists& codelists) {
  if (records.size() % record_bytes != 0) {
    return absl::DataLossError(absl::StrCat(kind, " records of ", records.size(),
                                            " bytes: not a whole number of ", record_bytes,
                                            "-byte records"));
  }
  const size_t regions = codelists.regions().size();
  const size_t types = codelists.intervention_types().size();
  for (size_t at = 0, i = 0; at < records.size(); at += record_bytes, ++i) {
    const auto region = static_cast<unsigned char>(records[at + 3]);
    const auto type = static_cast<unsigned char>(records[at + 4]);
    if (region >= regions || type >= types) {
      return CheckFactCodes(codelists, region, type, kind, i);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ApplyRequest> RecordBatchToProto(facts::RecordBatch batch,
                                                    const domain::Codelists& codelists) {
  if (absl::Status s = CheckRecordCodes(batch.application_records, facts::kApplicationRecordBytes,
                                        "applications", codelists);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRecordCodes(batch.payment_records, facts::kPaymentRecordBytes,
                                        "payments", codelists);
      !s.ok()) {
    return s;
  }
  v1::ApplyRequest request;
  request.set_producer_id(std::move(batch.producer));
  request.set_sequence(batch.sequence);
  if (batch.previous_sequence.has_value()) request.set_previous_sequence(*batch.previous_sequence);
  v1::CubeEventColumns& columns = *request.mutable_columns();
  AddAllCodes(codelists, columns);
  *columns.mutable_application_records() = std::move(batch.application_records);
  *columns.mutable_payment_records() = std::move(batch.payment_records);
  return request;
}

absl::StatusOr<v1::ApplyRequest> FactBatchToProto(const facts::FactBatch& batch,
                                                  const domain::Codelists& codelists,
                                                  EventEncoding encoding) {
  if (absl::Status s = CheckBatchCodes(batch, codelists); !s.ok()) return s;
  v1::ApplyRequest request;
  request.set_producer_id(batch.producer);
  request.set_sequence(batch.sequence);
  if (batch.previous_sequence.has_value()) request.set_previous_sequence(*batch.previous_sequence);
  if (encoding == EventEncoding::kRecords) {
    AddEventRecords(batch, codelists, *request.mutable_columns());
  } else if (encoding == EventEncoding::kColumns) {
    AddEventColumns(batch, codelists, *request.mutable_columns());
  } else {
    AddEventMessages(batch, codelists, request);
  }
  return request;
}

absl::StatusOr<PublishedRevision> PublishedRevisionFromProto(
    const v1::ReplacePublishedCellsRequest& request, const domain::Codelists& codelists) {
  if (absl::Status s = CheckProducer(request.producer_id()); !s.ok()) return s;
  if (request.sequence() == 0) return FieldError("sequence", "must be at least 1");
  PublishedRevision revision;
  revision.producer = request.producer_id();
  revision.sequence = request.sequence();
  if (request.has_previous_sequence()) revision.previous_sequence = request.previous_sequence();
  absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(request.measure());
  if (!measure.ok()) return FieldError("measure", std::string(measure.status().message()));
  revision.measure = *measure;
  if (request.years_size() == 0) return FieldError("years", "name at least one year");
  std::set<int> years;
  for (int i = 0; i < request.years_size(); ++i) {
    const int year = request.years(i);
    if (year < domain::kMinYear || year > domain::kMaxYear) {
      return FieldError(absl::StrCat("years[", i, "]"),
                        absl::StrCat("year ", year, " out of range"));
    }
    if (!years.insert(year).second) {
      return FieldError(absl::StrCat("years[", i, "]"), absl::StrCat("year ", year, " repeated"));
    }
    revision.years.push_back(year);
  }
  for (int i = 0; i < request.cells_size(); ++i) {
    const v1::PublishedCell& c = request.cells(i);
    absl::StatusOr<Coordinates> cell =
        ResolveCoordinates(codelists, c.period(), c.region(), c.intervention_type(),
                           [i] { return absl::StrCat("cells[", i, "]"); });
    if (!cell.ok()) return cell.status();
    revision.cells.push_back({cell->month, cell->region, cell->type, c.value()});
  }
  return revision;
}

v1::ReplacePublishedCellsRequest PublishedRevisionToProto(const PublishedRevision& revision,
                                                          const domain::Codelists& codelists) {
  v1::ReplacePublishedCellsRequest request;
  request.set_producer_id(revision.producer);
  request.set_sequence(revision.sequence);
  if (revision.previous_sequence.has_value()) {
    request.set_previous_sequence(*revision.previous_sequence);
  }
  request.set_measure(std::string(domain::MeasureCode(revision.measure)));
  for (int year : revision.years) request.add_years(year);
  for (const facts::PublishedCell& c : revision.cells) {
    v1::PublishedCell* out = request.add_cells();
    out->mutable_period()->set_year(c.month.year);
    out->mutable_period()->set_month(c.month.month);
    out->set_region(codelists.regions()[c.region].inps_label);
    out->set_intervention_type(codelists.intervention_types()[c.type].code);
    out->set_value(c.value);
  }
  return request;
}

}  // namespace omnia::api
