#include "libs/catalogue/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "libs/base/string_view.h"
#include "libs/catalogue/internal/pattern.h"
#include "libs/catalogue/text_fold.h"
#include "libs/domain/period.h"

namespace omnia::catalogue {
namespace {

using ::omnia::internal::AttachmentFormat;
using ::omnia::internal::DatasetsConfig;
using ::omnia::internal::DatasetTemplate;
using ::omnia::internal::MeasureFamily;

using NameSet = std::set<std::string, std::less<>>;

// Placeholders every title, description and keyword pattern may use; Annuale patterns may also
// use {year}. Ids and file names have their own, smaller sets.
NameSet TextPlaceholders() {
  return {"slug",
          "title_words",
          "measure_name",
          "measure_definition",
          "measure_description",
          "period_basis",
          "additivity_note",
          "years",
          "first_year",
          "last_year"};
}

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

// Required (when `required`) and well-formed UTF-8.
absl::Status CheckText(absl::string_view field, const std::string& value, bool required) {
  if (required && value.empty()) return Invalid(field, "required");
  if (!IsValidUtf8(value)) return Invalid(field, "not valid UTF-8");
  return absl::OkStatus();
}

// A pattern whose placeholders are all in `allowed` and which uses each of `required`.
absl::Status CheckPattern(absl::string_view field, const std::string& pattern, bool required,
                          const NameSet& allowed, const std::vector<std::string>& must_use = {}) {
  if (absl::Status s = CheckText(field, pattern, required); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> names = PatternPlaceholders(pattern);
  if (!names.ok()) return Invalid(field, names.status().message());
  for (const std::string& name : *names) {
    if (!allowed.contains(name)) {
      return Invalid(
          field, absl::StrCat("unknown placeholder {", name, "}; ",
                              allowed.empty() ? "this field takes no placeholders"
                                              : absl::StrCat("this field accepts {",
                                                             absl::StrJoin(allowed, "}, {"), "}")));
    }
  }
  for (const std::string& name : must_use) {
    if (std::find(names->begin(), names->end(), name) == names->end()) {
      return Invalid(field, absl::StrCat("must contain {", name, "}"));
    }
  }
  return absl::OkStatus();
}

// Codes of the EU Publications Office frequency vocabulary are upper-case words ("ANNUAL",
// "ANNUAL_2", "IRREG"); checking the shape catches typos such as "annual" or "Monthly".
bool IsFrequencyCode(const std::string& code) {
  if (code.empty() || code[0] < 'A' || code[0] > 'Z') return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Lowercase letters and digits, in words joined by single hyphens.
bool IsSlug(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '-') {
      if (s[i - 1] == '-') return false;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Longest dataset id: ids travel in URLs, file names and storage keys.
constexpr size_t kMaxDatasetIdBytes = 100;

absl::Status CheckTemplate(absl::string_view field, const DatasetTemplate& t, DatasetKind kind) {
  const bool annual = kind == DatasetKind::kAnnual;
  NameSet text_names = TextPlaceholders();
  NameSet id_names = {"slug"};
  std::vector<std::string> id_required = {"slug"};
  if (annual) {
    text_names.insert("year");
    id_names.insert("year");
    id_required.push_back("year");
  }
  const std::string f(field);
  if (absl::Status s = CheckPattern(f + ".id_pattern", t.id_pattern(), true, id_names, id_required);
      !s.ok()) {
    return s;
  }
  if (annual) {
    std::vector<std::string> names = *PatternPlaceholders(t.id_pattern());
    if (std::count(names.begin(), names.end(), "year") != 1) {
      return Invalid(f + ".id_pattern", "must contain {year} exactly once");
    }
  }
  if (absl::Status s = CheckPattern(f + ".title_pattern", t.title_pattern(), true, text_names);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckPattern(f + ".description_pattern", t.description_pattern(), true, text_names);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < t.keywords_size(); ++i) {
    if (absl::Status s =
            CheckPattern(absl::StrCat(f, ".keywords[", i, "]"), t.keywords(i), true, text_names);
        !s.ok()) {
      return s;
    }
  }
  if (!IsFrequencyCode(t.update_frequency())) {
    return Invalid(f + ".update_frequency",
                   "required: a code of the EU frequency vocabulary such as ANNUAL or MONTHLY");
  }
  if (!t.past_update_frequency().empty()) {
    if (!annual) return Invalid(f + ".past_update_frequency", "only Annuale datasets have it");
    if (!IsFrequencyCode(t.past_update_frequency())) {
      return Invalid(f + ".past_update_frequency",
                     "a code of the EU frequency vocabulary such as IRREG or ANNUAL");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFamily(absl::string_view field, const MeasureFamily& family,
                         domain::Measure measure) {
  const std::string f(field);
  if (!IsSlug(family.slug())) {
    return Invalid(f + ".slug", "required: lowercase letters and digits, words joined by '-'");
  }
  const std::pair<const char*, const std::string*> required[] = {
      {"title_words", &family.title_words()}, {"name", &family.name()},
      {"definition", &family.definition()},   {"period_basis", &family.period_basis()},
      {"description", &family.description()},
  };
  for (const auto& [name, value] : required) {
    if (absl::Status s = CheckText(absl::StrCat(f, ".", name), *value, true); !s.ok()) return s;
  }
  if (absl::Status s = CheckText(f + ".additivity_note", family.additivity_note(), false);
      !s.ok()) {
    return s;
  }
  // The warning is what keeps users from summing distinct counts; an additive measure has
  // nothing to warn about, and a note there would be misleading.
  if (!domain::IsAdditive(measure) && family.additivity_note().empty()) {
    return Invalid(f + ".additivity_note", "required for a non-additive measure");
  }
  if (domain::IsAdditive(measure) && !family.additivity_note().empty()) {
    return Invalid(f + ".additivity_note", "must be empty for an additive measure");
  }
  for (int i = 0; i < family.keywords_size(); ++i) {
    if (absl::Status s = CheckText(absl::StrCat(f, ".keywords[", i, "]"), family.keywords(i), true);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCommon(const DatasetsConfig& config) {
  if (!config.has_common()) return Invalid("common", "required");
  const auto& common = config.common();
  if (absl::Status s = CheckText("common.owner", common.owner(), true); !s.ok()) return s;
  if (!common.has_license()) return Invalid("common.license", "required");
  if (absl::Status s = CheckText("common.license.id", common.license().id(), true); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("common.license.name", common.license().name(), true); !s.ok()) {
    return s;
  }
  const std::string& url = common.license().url();
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return Invalid("common.license.url", "required: an http(s) URL");
  }
  if (absl::Status s = CheckText("common.topic", common.topic(), true); !s.ok()) return s;
  if (absl::Status s = CheckText("common.source", common.source(), true); !s.ok()) return s;
  for (int i = 0; i < common.keywords_size(); ++i) {
    // Common keywords are literal: no dataset-specific value makes sense for all datasets.
    if (absl::Status s =
            CheckPattern(absl::StrCat("common.keywords[", i, "]"), common.keywords(i), true, {});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::string FamilyField(int index, domain::Measure measure) {
  return absl::StrCat("measures[", index, "] (", AsAbsl(domain::MeasureCode(measure)), ")");
}

class CollectErrors final : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(std::string_view origin) : origin_(origin) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!first_.empty()) return;
    // The parser counts from 0; editors count from 1.
    first_ = absl::StrCat(origin_, ":", line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string origin_;
  std::string first_;
};

}  // namespace

absl::StatusOr<CatalogueConfig> CatalogueConfig::FromProto(DatasetsConfig proto) {
  if (absl::Status s = CheckCommon(proto); !s.ok()) return s;
  if (proto.first_year() < domain::kMinYear || proto.first_year() > domain::kMaxYear) {
    return Invalid("first_year",
                   absl::StrCat("required, from ", domain::kMinYear, " to ", domain::kMaxYear));
  }
  if (!proto.has_historical()) return Invalid("historical", "required");
  if (!proto.has_annual()) return Invalid("annual", "required");
  if (absl::Status s = CheckTemplate("historical", proto.historical(), DatasetKind::kHistorical);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckTemplate("annual", proto.annual(), DatasetKind::kAnnual); !s.ok()) {
    return s;
  }

  CatalogueConfig config;
  std::set<std::string> slugs;
  for (int i = 0; i < proto.measures_size(); ++i) {
    const MeasureFamily& family = proto.measures(i);
    absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(family.measure());
    if (!measure.ok()) {
      return Invalid(absl::StrCat("measures[", i, "].measure"), measure.status().message());
    }
    const std::string field = FamilyField(i, *measure);
    if (family.measure() != domain::MeasureCode(*measure)) {
      return Invalid(field + ".measure",
                     absl::StrCat("write the code as ", AsAbsl(domain::MeasureCode(*measure))));
    }
    if (std::find(config.measures_.begin(), config.measures_.end(), *measure) !=
        config.measures_.end()) {
      return Invalid(field, "the measure already has a family");
    }
    if (absl::Status s = CheckFamily(field, family, *measure); !s.ok()) return s;
    if (!slugs.insert(family.slug()).second) {
      return Invalid(field + ".slug", absl::StrCat("'", family.slug(), "' is used twice"));
    }
    config.measures_.push_back(*measure);
  }
  for (const domain::Measure measure : domain::kAllMeasures) {
    if (std::find(config.measures_.begin(), config.measures_.end(), measure) ==
        config.measures_.end()) {
      return Invalid("measures",
                     absl::StrCat("no family for measure ", AsAbsl(domain::MeasureCode(measure))));
    }
  }

  std::set<int> seen_formats;
  for (int i = 0; i < proto.formats_size(); ++i) {
    const AttachmentFormat& format = proto.formats(i);
    const std::string field = absl::StrCat("formats[", i, "]");
    if (format.format() == v1::FORMAT_UNSPECIFIED || !v1::Format_IsValid(format.format())) {
      return Invalid(field + ".format", "required, e.g. FORMAT_CSV");
    }
    if (!seen_formats.insert(format.format()).second) {
      return Invalid(field + ".format",
                     absl::StrCat(v1::Format_Name(format.format()), " is listed twice"));
    }
    if (absl::Status s = CheckPattern(field + ".file_name_pattern", format.file_name_pattern(),
                                      true, {"dataset_id"}, {"dataset_id"});
        !s.ok()) {
      return s;
    }
    if (format.file_name_pattern().find_first_of("/\\") != std::string::npos) {
      return Invalid(field + ".file_name_pattern", "a file name, without '/' or '\\'");
    }
    if (absl::Status s = CheckText(field + ".media_type", format.media_type(), true); !s.ok()) {
      return s;
    }
    config.formats_.push_back(format);
  }
  if (config.formats_.empty()) return Invalid("formats", "at least one format is required");
  std::sort(
      config.formats_.begin(), config.formats_.end(),
      [](const AttachmentFormat& a, const AttachmentFormat& b) { return a.format() < b.format(); });

  config.proto_ = std::move(proto);

  // Ids must be well-formed and must each resolve to exactly one dataset, or SpecFromId could
  // not tell the datasets apart.
  for (const domain::Measure measure : config.measures_) {
    const std::string field = FamilyField(config.FamilyIndex(measure), measure);
    for (const auto& [kind_field, id] :
         {std::pair<std::string, std::string>{"historical.id_pattern",
                                              config.HistoricalId(measure)},
          {"annual.id_pattern", config.AnnualId(measure, domain::kMaxYear)}}) {
      if (!IsSlug(id) || id.size() > kMaxDatasetIdBytes) {
        return Invalid(kind_field, absl::StrCat("gives the id '", id, "' for ", field,
                                                "; ids are lowercase letters, digits and '-', at "
                                                "most ",
                                                kMaxDatasetIdBytes, " bytes"));
      }
      int matches = 0;
      for (const domain::Measure other : config.measures_) {
        if (config.HistoricalId(other) == id) ++matches;
        if (config.MatchAnnualId(other, id).has_value()) ++matches;
      }
      if (matches != 1) {
        return Invalid(kind_field,
                       absl::StrCat("the id '", id, "' of ", field,
                                    " also matches another dataset; use distinct slugs and "
                                    "patterns"));
      }
    }
  }
  return config;
}

int CatalogueConfig::FamilyIndex(domain::Measure measure) const {
  for (size_t i = 0; i < measures_.size(); ++i) {
    if (measures_[i] == measure) return static_cast<int>(i);
  }
  return 0;  // unreachable: FromProto requires a family for every measure
}

const MeasureFamily& CatalogueConfig::family(domain::Measure measure) const {
  return proto_.measures(FamilyIndex(measure));
}

const DatasetTemplate& CatalogueConfig::dataset_template(DatasetKind kind) const {
  return kind == DatasetKind::kHistorical ? proto_.historical() : proto_.annual();
}

const AttachmentFormat* CatalogueConfig::format(v1::Format format) const {
  for (const AttachmentFormat& entry : formats_) {
    if (entry.format() == format) return &entry;
  }
  return nullptr;
}

std::string CatalogueConfig::HistoricalId(domain::Measure measure) const {
  return ExpandPattern(proto_.historical().id_pattern(), {{"slug", family(measure).slug()}});
}

std::string CatalogueConfig::AnnualId(domain::Measure measure, int year) const {
  return ExpandPattern(proto_.annual().id_pattern(),
                       {{"slug", family(measure).slug()}, {"year", std::to_string(year)}});
}

std::optional<int> CatalogueConfig::MatchAnnualId(domain::Measure measure,
                                                  std::string_view dataset_id) const {
  // Expanding {year} to itself leaves a pattern with the slug filled in and the year open.
  const std::string pattern = ExpandPattern(proto_.annual().id_pattern(),
                                            {{"slug", family(measure).slug()}, {"year", "{year}"}});
  return MatchYear(pattern, dataset_id);
}

absl::StatusOr<CatalogueConfig> ParseConfig(std::string_view text, std::string_view origin) {
  DatasetsConfig proto;
  google::protobuf::TextFormat::Parser parser;
  CollectErrors errors(origin);
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &proto)) {
    return absl::InvalidArgumentError(
        errors.first().empty() ? absl::StrCat(AsAbsl(origin), ": not a valid DatasetsConfig")
                               : errors.first());
  }
  absl::StatusOr<CatalogueConfig> config = CatalogueConfig::FromProto(std::move(proto));
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(AsAbsl(origin), ": ", config.status().message()));
  }
  return config;
}

absl::StatusOr<CatalogueConfig> LoadConfig(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(absl::StrCat("catalogue configuration ", path, " does not exist"));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return absl::FailedPreconditionError(
        absl::StrCat("catalogue configuration ", path, " is not a regular file"));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  if (!in || in.bad()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read catalogue configuration ", path));
  }
  return ParseConfig(content.str(), path);
}

}  // namespace omnia::catalogue
