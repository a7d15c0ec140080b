#include "libs/catalogue/datasets.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/base/string_view.h"
#include "libs/catalogue/internal/pattern.h"
#include "libs/catalogue/text_fold.h"
#include "libs/domain/period.h"

namespace omnia::catalogue {
namespace {

using ::omnia::internal::DatasetTemplate;
using ::omnia::internal::MeasureFamily;

PatternValues ValuesFor(const MeasureFamily& family, const std::vector<int>& years,
                        int reference_year) {
  PatternValues values = {
      {"slug", family.slug()},
      {"title_words", family.title_words()},
      {"measure_name", family.name()},
      {"measure_definition", family.definition()},
      {"measure_description", family.description()},
      {"period_basis", family.period_basis()},
      {"additivity_note", family.additivity_note()},
      {"years", absl::StrJoin(years, ", ")},
      {"first_year", std::to_string(years.front())},
      {"last_year", std::to_string(years.back())},
  };
  if (reference_year != 0) values["year"] = std::to_string(reference_year);
  return values;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Paragraphs are separated by blank lines; an empty placeholder (the additivity note of an
// additive measure) would otherwise leave blank paragraphs and trailing newlines behind.
std::string TidyParagraphs(std::string_view text) {
  std::vector<std::string_view> paragraphs;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view paragraph = Trim(text.substr(start, end - start));
    if (!paragraph.empty()) paragraphs.push_back(paragraph);
    start = end + 2;
  }
  std::string out;
  for (const std::string_view paragraph : paragraphs) {
    if (!out.empty()) out.append("\n\n");
    out.append(paragraph);
  }
  return out;
}

void AddKeyword(std::string_view keyword, std::set<std::string>& seen,
                std::vector<std::string>& keywords) {
  const std::string_view trimmed = Trim(keyword);
  if (trimmed.empty()) return;
  if (!seen.insert(FoldText(trimmed)).second) return;
  keywords.emplace_back(trimmed);
}

DatasetSpec MakeSpec(const CatalogueConfig& config, DatasetKind kind, domain::Measure measure,
                     std::vector<int> years, bool current) {
  const MeasureFamily& family = config.family(measure);
  const DatasetTemplate& t = config.dataset_template(kind);
  DatasetSpec spec;
  spec.kind = kind;
  spec.measure = measure;
  spec.years = std::move(years);
  spec.first_year = spec.years.front();
  spec.last_year = spec.years.back();
  spec.reference_year = kind == DatasetKind::kAnnual ? spec.first_year : 0;
  spec.current = current;
  spec.dataset_id = kind == DatasetKind::kAnnual ? config.AnnualId(measure, spec.reference_year)
                                                 : config.HistoricalId(measure);
  const PatternValues values = ValuesFor(family, spec.years, spec.reference_year);
  spec.title = std::string(Trim(ExpandPattern(t.title_pattern(), values)));
  spec.description = TidyParagraphs(ExpandPattern(t.description_pattern(), values));
  std::set<std::string> seen;
  for (const std::string& keyword : family.keywords()) AddKeyword(keyword, seen, spec.keywords);
  for (const std::string& keyword : t.keywords()) {
    AddKeyword(ExpandPattern(keyword, values), seen, spec.keywords);
  }
  for (const std::string& keyword : config.common().keywords()) {
    AddKeyword(keyword, seen, spec.keywords);
  }
  spec.update_frequency = !current && !t.past_update_frequency().empty() ? t.past_update_frequency()
                                                                         : t.update_frequency();
  return spec;
}

// Years with data that any dataset may cover, ascending and without repeats.
std::vector<int> UsableYears(const CatalogueConfig& config, std::vector<int> years) {
  std::erase_if(years,
                [&](int year) { return year < config.first_year() || year > domain::kMaxYear; });
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  return years;
}

v1::YearMonth Month(int year, int month) {
  v1::YearMonth out;
  out.set_year(year);
  out.set_month(month);
  return out;
}

}  // namespace

std::vector<DatasetSpec> DatasetsFor(const CatalogueConfig& config,
                                     std::vector<int> years_with_data, int latest_complete_year) {
  const std::vector<int> years = UsableYears(config, std::move(years_with_data));
  std::vector<DatasetSpec> specs;
  if (years.empty()) return specs;

  std::vector<int> complete;
  for (const int year : years) {
    if (year <= latest_complete_year) complete.push_back(year);
  }
  if (!complete.empty()) {
    for (const domain::Measure measure : config.measures()) {
      specs.push_back(MakeSpec(config, DatasetKind::kHistorical, measure, complete, true));
    }
  }
  const int latest = years.back();
  for (auto it = years.rbegin(); it != years.rend(); ++it) {
    for (const domain::Measure measure : config.measures()) {
      specs.push_back(MakeSpec(config, DatasetKind::kAnnual, measure, {*it}, *it == latest));
    }
  }
  return specs;
}

absl::StatusOr<DatasetKey> ParseDatasetId(const CatalogueConfig& config,
                                          std::string_view dataset_id) {
  if (dataset_id.empty()) return absl::InvalidArgumentError("dataset_id is required");
  for (const domain::Measure measure : config.measures()) {
    if (config.HistoricalId(measure) == dataset_id) {
      return DatasetKey{DatasetKind::kHistorical, measure, 0};
    }
    if (const std::optional<int> year = config.MatchAnnualId(measure, dataset_id)) {
      if (*year < config.first_year() || *year > domain::kMaxYear) break;
      return DatasetKey{DatasetKind::kAnnual, measure, *year};
    }
  }
  // The id is echoed back bounded: it comes from a request.
  return absl::NotFoundError(
      absl::StrCat("no dataset ", AsAbsl(dataset_id.substr(0, 100)), " in the catalogue"));
}

absl::StatusOr<DatasetSpec> SpecFromId(const CatalogueConfig& config, std::string_view dataset_id,
                                       std::vector<int> years_with_data, int latest_complete_year) {
  absl::StatusOr<DatasetKey> key = ParseDatasetId(config, dataset_id);
  if (!key.ok()) return key.status();
  for (DatasetSpec& spec : DatasetsFor(config, std::move(years_with_data), latest_complete_year)) {
    if (spec.dataset_id == dataset_id) return std::move(spec);
  }
  return absl::NotFoundError(absl::StrCat("dataset ", AsAbsl(dataset_id), " does not exist yet: ",
                                          key->kind == DatasetKind::kHistorical
                                              ? "no complete year holds data"
                                              : absl::StrCat("no data for ", key->reference_year)));
}

absl::StatusOr<DatasetSpec> SpecFromId(const CatalogueConfig& config, std::string_view dataset_id) {
  absl::StatusOr<DatasetKey> key = ParseDatasetId(config, dataset_id);
  if (!key.ok()) return key.status();
  if (key->kind == DatasetKind::kHistorical) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset ", AsAbsl(dataset_id),
                     " is a Storico: its years depend on the data; pass the years with data"));
  }
  // Whether the year is the latest reference year is unknown without data; an Annuale resolved
  // alone is described as current, the description that does not depend on later years.
  return MakeSpec(config, DatasetKind::kAnnual, key->measure, {key->reference_year}, true);
}

v1::Measure MeasureMetadata(const CatalogueConfig& config, domain::Measure measure) {
  const MeasureFamily& family = config.family(measure);
  v1::Measure out;
  out.set_code(std::string(domain::MeasureCode(measure)));
  out.set_name(family.name());
  out.set_csv_column(std::string(domain::InpsColumnName(measure)));
  out.set_definition(family.definition());
  out.set_period_basis(family.period_basis());
  out.set_additive(domain::IsAdditive(measure));
  out.set_additivity_note(family.additivity_note());
  return out;
}

v1::Dataset DatasetMetadata(const CatalogueConfig& config, const DatasetSpec& spec) {
  v1::Dataset out;
  out.set_dataset_id(spec.dataset_id);
  out.set_kind(spec.kind == DatasetKind::kHistorical ? v1::DATASET_KIND_HISTORICAL
                                                     : v1::DATASET_KIND_ANNUAL);
  out.set_title(spec.title);
  out.set_description(spec.description);
  out.set_owner(config.common().owner());
  *out.mutable_license() = config.common().license();
  out.set_topic(config.common().topic());
  out.set_source(config.common().source());
  *out.mutable_coverage()->mutable_first() = Month(spec.first_year, 1);
  *out.mutable_coverage()->mutable_last() = Month(spec.last_year, 12);
  out.set_reference_year(spec.reference_year);
  for (const std::string& keyword : spec.keywords) out.add_keywords(keyword);
  out.set_update_frequency(spec.update_frequency);
  *out.mutable_measure() = MeasureMetadata(config, spec.measure);
  return out;
}

absl::StatusOr<std::string> AttachmentFileName(const CatalogueConfig& config,
                                               std::string_view dataset_id, v1::Format format) {
  const ::omnia::internal::AttachmentFormat* entry = config.format(format);
  if (entry == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("format ", v1::Format_Name(format), " is not published"));
  }
  return ExpandPattern(entry->file_name_pattern(), {{"dataset_id", std::string(dataset_id)}});
}

}  // namespace omnia::catalogue
