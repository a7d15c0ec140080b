#include "libs/dcat/dcat.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "libs/base/string_view.h"
#include "libs/dcat/internal/urls.h"
#include "libs/dcat/rdf_graph.h"
#include "libs/dcat/vocabulary.h"

namespace omnia::dcat {
namespace {

using omnia::v1::Attachment;
using omnia::v1::Dataset;

std::string IsoDate(const omnia::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

bool IsSet(const omnia::v1::Date& date) { return date.year() != 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[(month - 1) % 12];
}

Term Date(const omnia::v1::Date& date) { return Term::Typed(IsoDate(date), vocab::Xsd("date")); }

Term Count(uint64_t count) {
  return Term::Typed(absl::StrCat(count), vocab::Xsd("nonNegativeInteger"));
}

Term Italian(std::string text) { return Term::Text(std::move(text), "it"); }

// EU file-type code of an attachment format. JSON-stat is JSON.
absl::string_view FileTypeCode(omnia::v1::Format format) {
  switch (format) {
    case omnia::v1::FORMAT_CSV:
      return "CSV";
    case omnia::v1::FORMAT_JSON:
    case omnia::v1::FORMAT_JSON_STAT:
      return "JSON";
    case omnia::v1::FORMAT_XML:
      return "XML";
    case omnia::v1::FORMAT_XLSX:
      return "XLSX";
    default:
      return "OCTET";
  }
}

// Label of a format in distribution titles.
absl::string_view FormatLabel(omnia::v1::Format format) {
  return format == omnia::v1::FORMAT_JSON_STAT ? "JSON-stat" : FileTypeCode(format);
}

// Italian labels of the EU data themes omnia uses; other codes get no label.
absl::string_view ThemeLabel(absl::string_view code) {
  static const auto* const kLabels = new std::map<absl::string_view, absl::string_view>{
      {"AGRI", "Agricoltura, pesca, silvicoltura e prodotti alimentari"},
      {"ECON", "Economia e finanze"},
      {"EDUC", "Istruzione, cultura e sport"},
      {"GOVE", "Governo e settore pubblico"},
      {"JUST", "Giustizia, sistema giuridico e sicurezza pubblica"},
      {"REGI", "Regioni e città"},
      {"SOCI", "Popolazione e società"},
      {"TECH", "Scienza e tecnologia"},
  };
  const auto it = kLabels->find(code);
  return it == kLabels->end() ? absl::string_view() : it->second;
}

// ADMS licence type of an SPDX licence id.
std::string LicenceType(absl::string_view spdx_id) {
  const std::string id = absl::AsciiStrToUpper(spdx_id);
  if (absl::StartsWith(id, "CC0") || absl::StartsWith(id, "PDDL")) {
    return absl::StrCat(vocab::kLicenceType, "PublicDomain");
  }
  if (absl::StartsWith(id, "CC-BY-SA") || absl::StartsWith(id, "ODBL")) {
    return absl::StrCat(vocab::kLicenceType, "ShareAlike");
  }
  if (absl::StartsWith(id, "CC-BY")) return absl::StrCat(vocab::kLicenceType, "Attribution");
  return absl::StrCat(vocab::kLicenceType, "UnknownIPR");
}

// "4.0" for "CC-BY-4.0": the last '-' separated part when it starts with a digit.
std::string LicenceVersion(absl::string_view spdx_id) {
  const size_t dash = spdx_id.rfind('-');
  if (dash == absl::string_view::npos || dash + 1 >= spdx_id.size() ||
      !absl::ascii_isdigit(spdx_id[dash + 1])) {
    return "";
  }
  return std::string(spdx_id.substr(dash + 1));
}

bool IsPublished(const Dataset& dataset) {
  return !dataset.release_id().empty() && IsSet(dataset.updated_on());
}

// The published datasets by dataset_id.
std::vector<const Dataset*> PublishedDatasets(const CatalogSnapshot& snapshot) {
  std::vector<const Dataset*> published;
  for (const Dataset& dataset : snapshot.datasets) {
    if (IsPublished(dataset)) published.push_back(&dataset);
  }
  std::sort(published.begin(), published.end(),
            [](const Dataset* a, const Dataset* b) { return a->dataset_id() < b->dataset_id(); });
  return published;
}

// Adds the DCAT-AP_IT description of datasets, their distributions and the catalogue.
class GraphBuilder {
 public:
  GraphBuilder(const CatalogConfig& config, RdfGraph& graph)
      : urls_(config.public_base_url), config_(config), graph_(graph) {}

  Term AddCatalog(const std::vector<const Dataset*>& published) {
    const Term catalog = Term::Iri(urls_.Catalog());
    Add(catalog, vocab::Rdf("type"), Term::Iri(vocab::Dcat("Catalog")));
    Add(catalog, vocab::Rdf("type"), Term::Iri(vocab::Dcatapit("Catalog")));
    Add(catalog, vocab::Dct("title"), Italian(config_.catalog_title));
    Add(catalog, vocab::Dct("description"), Italian(config_.catalog_description));
    Add(catalog, vocab::Dct("publisher"), Organisation());
    Add(catalog, vocab::Foaf("homepage"), Term::Iri(urls_.Home()));
    Add(catalog, vocab::Dct("language"), Term::Iri(absl::StrCat(vocab::kLanguage, "ITA")));
    const Term taxonomy = Term::Iri(std::string(vocab::kDataThemeScheme));
    Add(catalog, vocab::Dcat("themeTaxonomy"), taxonomy);
    Add(taxonomy, vocab::Rdf("type"), Term::Iri(vocab::Skos("ConceptScheme")));
    Add(taxonomy, vocab::Dct("title"), Italian("Vocabolario Data Theme"));
    // The catalogue changes when a dataset does: issued is the first Pubblicazione, modified
    // the latest Aggiornato, over every page.
    const Dataset* first = nullptr;
    const Dataset* latest = nullptr;
    for (const Dataset* dataset : published) {
      if (IsSet(dataset->published_on()) &&
          (first == nullptr || IsoDate(dataset->published_on()) < IsoDate(first->published_on()))) {
        first = dataset;
      }
      if (latest == nullptr || IsoDate(dataset->updated_on()) > IsoDate(latest->updated_on())) {
        latest = dataset;
      }
    }
    if (first != nullptr) Add(catalog, vocab::Dct("issued"), Date(first->published_on()));
    if (latest != nullptr) Add(catalog, vocab::Dct("modified"), Date(latest->updated_on()));
    return catalog;
  }

  Term AddDataset(const Dataset& dataset) {
    const Term node = Term::Iri(urls_.Dataset(dataset.dataset_id()));
    Add(node, vocab::Rdf("type"), Term::Iri(vocab::Dcat("Dataset")));
    Add(node, vocab::Rdf("type"), Term::Iri(vocab::Dcatapit("Dataset")));
    Add(node, vocab::Dct("identifier"),
        Term::Plain(absl::StrCat(config_.ipa_code, ":", dataset.dataset_id())));
    Add(node, vocab::Dct("title"), Italian(dataset.title()));
    Add(node, vocab::Dct("description"), Italian(dataset.description()));
    if (IsSet(dataset.published_on())) {
      Add(node, vocab::Dct("issued"), Date(dataset.published_on()));
    }
    Add(node, vocab::Dct("modified"), Date(dataset.updated_on()));
    for (const std::string& theme : config_.themes) Add(node, vocab::Dcat("theme"), Theme(theme));
    Add(node, vocab::Dct("publisher"), Organisation());
    Add(node, vocab::Dct("rightsHolder"), Organisation());
    const std::string frequency =
        dataset.update_frequency().empty() ? "UNKNOWN" : dataset.update_frequency();
    Add(node, vocab::Dct("accrualPeriodicity"),
        Term::Iri(absl::StrCat(vocab::kFrequency, frequency)));
    if (dataset.has_coverage()) Add(node, vocab::Dct("temporal"), Period(dataset.coverage()));
    const Term italy = Term::Iri(absl::StrCat(vocab::kCountry, "ITA"));
    Add(node, vocab::Dct("spatial"), italy);
    Add(italy, vocab::Rdf("type"), Term::Iri(vocab::Dct("Location")));
    Add(node, vocab::Dcat("contactPoint"), ContactPoint());
    for (const std::string& keyword : dataset.keywords()) {
      Add(node, vocab::Dcat("keyword"), Italian(keyword));
    }
    Add(node, vocab::Dct("language"), Term::Iri(absl::StrCat(vocab::kLanguage, "ITA")));
    // The portal's page of the dataset, served at the dataset's own IRI.
    Add(node, vocab::Dcat("landingPage"), Term::Iri(urls_.Dataset(dataset.dataset_id())));
    for (const Attachment& attachment : dataset.attachments()) {
      Add(node, vocab::Dcat("distribution"), AddDistribution(dataset, attachment));
    }
    return node;
  }

  // ckanext-dcat's paging node: its subject is the current page's URL, the other pages' URLs
  // are plain literals.
  void AddPaging(RdfFormat format, int page, int last_page, size_t total) {
    const absl::string_view extension = AsAbsl(ExtensionOf(format));
    const Term current = Term::Iri(urls_.CatalogPage(extension, page));
    Add(current, vocab::Rdf("type"), Term::Iri(vocab::Hydra("PagedCollection")));
    Add(current, vocab::Hydra("totalItems"), Count(total));
    Add(current, vocab::Hydra("itemsPerPage"), Count(kDatasetsPerPage));
    Add(current, vocab::Hydra("firstPage"), Term::Plain(urls_.CatalogPage(extension, 1)));
    Add(current, vocab::Hydra("lastPage"), Term::Plain(urls_.CatalogPage(extension, last_page)));
    if (page < last_page) {
      Add(current, vocab::Hydra("nextPage"), Term::Plain(urls_.CatalogPage(extension, page + 1)));
    }
    if (page > 1) {
      Add(current, vocab::Hydra("previousPage"),
          Term::Plain(urls_.CatalogPage(extension, page - 1)));
    }
  }

 private:
  void Add(const Term& subject, const std::string& predicate, const Term& object) {
    graph_.Add(subject, predicate, object);
  }

  Term AddDistribution(const Dataset& dataset, const Attachment& attachment) {
    const std::string& file = attachment.file_name();
    const Term node = Term::Iri(urls_.Distribution(dataset.dataset_id(), file));
    Add(node, vocab::Rdf("type"), Term::Iri(vocab::Dcat("Distribution")));
    Add(node, vocab::Rdf("type"), Term::Iri(vocab::Dcatapit("Distribution")));
    Add(node, vocab::Dct("title"),
        Italian(absl::StrCat(dataset.title(), " (", FormatLabel(attachment.format()), ")")));
    Add(node, vocab::Dct("format"),
        Term::Iri(absl::StrCat(vocab::kFileType, FileTypeCode(attachment.format()))));
    Add(node, vocab::Dcat("accessURL"), Term::Iri(urls_.LatestFile(dataset.dataset_id(), file)));
    Add(node, vocab::Dcat("downloadURL"),
        Term::Iri(urls_.ReleaseFile(dataset.release_id(), dataset.dataset_id(), file)));
    if (dataset.has_license()) Add(node, vocab::Dct("license"), Licence(dataset.license()));
    Add(node, vocab::Dcat("byteSize"),
        Term::Typed(absl::StrCat(attachment.size_bytes()), vocab::Xsd("decimal")));
    if (!attachment.sha256().empty()) {
      const Term checksum = graph_.NewBlank();
      Add(node, vocab::Spdx("checksum"), checksum);
      Add(checksum, vocab::Rdf("type"), Term::Iri(vocab::Spdx("Checksum")));
      Add(checksum, vocab::Spdx("algorithm"), Term::Iri(vocab::Spdx("checksumAlgorithm_sha256")));
      Add(checksum, vocab::Spdx("checksumValue"),
          Term::Typed(absl::AsciiStrToLower(attachment.sha256()), vocab::Xsd("hexBinary")));
    }
    const absl::string_view media_type = absl::StripAsciiWhitespace(
        absl::string_view(attachment.media_type())
            .substr(0, absl::string_view(attachment.media_type()).find(';')));
    if (!media_type.empty()) {
      Add(node, vocab::Dcat("mediaType"),
          Term::Iri(absl::StrCat(vocab::kIanaMediaType, media_type)));
    }
    Add(node, vocab::Dct("modified"), Date(dataset.updated_on()));
    return node;
  }

  // The organisation: publisher and rights holder (Proprietario del dato) of every dataset.
  Term Organisation() {
    const Term agent = Term::Iri(urls_.Organisation(config_.ipa_code));
    Add(agent, vocab::Rdf("type"), Term::Iri(vocab::Dcatapit("Agent")));
    Add(agent, vocab::Rdf("type"), Term::Iri(vocab::Foaf("Agent")));
    Add(agent, vocab::Dct("identifier"), Term::Plain(config_.ipa_code));
    Add(agent, vocab::Foaf("name"), Italian(config_.organisation_name));
    return agent;
  }

  Term ContactPoint() {
    const Term contact = Term::Iri(urls_.ContactPoint(config_.ipa_code));
    Add(contact, vocab::Rdf("type"), Term::Iri(vocab::Dcatapit("Organization")));
    Add(contact, vocab::Rdf("type"), Term::Iri(vocab::Vcard("Organization")));
    Add(contact, vocab::Rdf("type"), Term::Iri(vocab::Vcard("Kind")));
    Add(contact, vocab::Vcard("fn"), Italian(config_.organisation_name));
    if (!config_.contact_email.empty()) {
      Add(contact, vocab::Vcard("hasEmail"),
          Term::Iri(absl::StrCat("mailto:", config_.contact_email)));
    }
    if (!config_.contact_url.empty()) {
      Add(contact, vocab::Vcard("hasURL"), Term::Iri(config_.contact_url));
    }
    return contact;
  }

  Term Licence(const omnia::v1::License& licence) {
    const Term node =
        Term::Iri(licence.url().empty() ? absl::StrCat("https://spdx.org/licenses/", licence.id())
                                        : licence.url());
    Add(node, vocab::Rdf("type"), Term::Iri(vocab::Dcatapit("LicenseDocument")));
    Add(node, vocab::Rdf("type"), Term::Iri(vocab::Dct("LicenseDocument")));
    Add(node, vocab::Dct("type"), Term::Iri(LicenceType(licence.id())));
    Add(node, vocab::Foaf("name"), Italian(licence.name().empty() ? licence.id() : licence.name()));
    if (const std::string version = LicenceVersion(licence.id()); !version.empty()) {
      Add(node, vocab::Owl("versionInfo"), Term::Plain(version));
    }
    return node;
  }

  Term Theme(const std::string& code) {
    const Term theme = Term::Iri(absl::StrCat(vocab::kDataTheme, code));
    Add(theme, vocab::Rdf("type"), Term::Iri(vocab::Skos("Concept")));
    Add(theme, vocab::Skos("inScheme"), Term::Iri(std::string(vocab::kDataThemeScheme)));
    if (const absl::string_view label = ThemeLabel(code); !label.empty()) {
      Add(theme, vocab::Skos("prefLabel"), Italian(std::string(label)));
    }
    return theme;
  }

  // The months covered, from the first day of the first month to the last day of the last,
  // with DCAT 2's and DCAT-AP_IT 1.x's (schema.org) properties.
  Term Period(const omnia::v1::PeriodRange& coverage) {
    const Term period = graph_.NewBlank();
    Add(period, vocab::Rdf("type"), Term::Iri(vocab::Dct("PeriodOfTime")));
    omnia::v1::Date start;
    start.set_year(coverage.first().year());
    start.set_month(coverage.first().month());
    start.set_day(1);
    omnia::v1::Date end;
    end.set_year(coverage.last().year());
    end.set_month(coverage.last().month());
    end.set_day(DaysInMonth(end.year(), end.month()));
    Add(period, vocab::Dcat("startDate"), Date(start));
    Add(period, vocab::Dcat("endDate"), Date(end));
    Add(period, vocab::Schema("startDate"), Date(start));
    Add(period, vocab::Schema("endDate"), Date(end));
    return period;
  }

  internal::Urls urls_;
  const CatalogConfig& config_;
  RdfGraph& graph_;
};

absl::StatusOr<Document> Serialize(const RdfGraph& graph, RdfFormat format) {
  absl::StatusOr<std::string> body = graph.Serialize(format);
  if (!body.ok()) return body.status();
  return Document{*std::move(body), absl::StrCat(AsAbsl(MediaTypeOf(format)), "; charset=utf-8")};
}

absl::Status CheckConfig(const CatalogConfig& config) {
  if (absl::StripSuffix(config.public_base_url, "/").empty()) {
    return absl::InvalidArgumentError("public_base_url is empty");
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<RdfFormat> RdfFormatForExtension(std::string_view extension) {
  if (extension == "ttl") return RdfFormat::kTurtle;
  if (extension == "rdf") return RdfFormat::kRdfXml;
  if (extension == "jsonld") return RdfFormat::kJsonLd;
  return std::nullopt;
}

std::string_view ExtensionOf(RdfFormat format) {
  switch (format) {
    case RdfFormat::kTurtle:
      return "ttl";
    case RdfFormat::kRdfXml:
      return "rdf";
    case RdfFormat::kJsonLd:
      return "jsonld";
  }
  return "ttl";
}

std::string_view MediaTypeOf(RdfFormat format) {
  switch (format) {
    case RdfFormat::kTurtle:
      return "text/turtle";
    case RdfFormat::kRdfXml:
      return "application/rdf+xml";
    case RdfFormat::kJsonLd:
      return "application/ld+json";
  }
  return "text/turtle";
}

absl::StatusOr<Document> CatalogDocument(const CatalogSnapshot& snapshot,
                                         const CatalogConfig& config, int page, RdfFormat format) {
  if (absl::Status status = CheckConfig(config); !status.ok()) return status;
  if (page < 1) return absl::InvalidArgumentError("page must be 1 or more");
  const std::vector<const Dataset*> published = PublishedDatasets(snapshot);
  const int last_page =
      std::max<int>(1, (published.size() + kDatasetsPerPage - 1) / kDatasetsPerPage);
  if (page > last_page) {
    return absl::NotFoundError(absl::StrCat("page ", page, " is after the last page, ", last_page));
  }
  RdfGraph graph(vocab::Prefixes());
  GraphBuilder builder(config, graph);
  const Term catalog = builder.AddCatalog(published);
  const size_t begin = static_cast<size_t>(page - 1) * kDatasetsPerPage;
  const size_t end = std::min(published.size(), begin + kDatasetsPerPage);
  for (size_t i = begin; i < end; ++i) {
    graph.Add(catalog, vocab::Dcat("dataset"), builder.AddDataset(*published[i]));
  }
  builder.AddPaging(format, page, last_page, published.size());
  return Serialize(graph, format);
}

absl::StatusOr<Document> DatasetDocument(const CatalogSnapshot& snapshot,
                                         const CatalogConfig& config, std::string_view dataset_id,
                                         RdfFormat format) {
  if (absl::Status status = CheckConfig(config); !status.ok()) return status;
  const auto found =
      std::find_if(snapshot.datasets.begin(), snapshot.datasets.end(), [&](const Dataset& dataset) {
        return dataset.dataset_id() == dataset_id && IsPublished(dataset);
      });
  // The id is not echoed: it comes from a URL and is the caller's to report.
  if (found == snapshot.datasets.end()) return absl::NotFoundError("no such dataset");
  RdfGraph graph(vocab::Prefixes());
  GraphBuilder(config, graph).AddDataset(*found);
  return Serialize(graph, format);
}

}  // namespace omnia::dcat
