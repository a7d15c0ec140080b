// A realistic catalogue snapshot for the DCAT tests: INPS's Storico and Annuale datasets of
// three measures, each with its five attachments, as the catalogue returns them.
#ifndef OMNIA_TESTS_UNIT_DCAT_TEST_SNAPSHOT_H_
#define OMNIA_TESTS_UNIT_DCAT_TEST_SNAPSHOT_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/dcat/dcat.h"

namespace omnia::dcat::testing {

inline omnia::v1::Date MakeDate(int year, int month, int day) {
  omnia::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

inline CatalogConfig TestConfig() {
  CatalogConfig config;
  config.public_base_url = "https://dati.example.it/opendata/";
  return config;
}

// One published dataset; `suffix` is "storico" or a year.
inline omnia::v1::Dataset MakeDataset(absl::string_view slug, absl::string_view title_words,
                                      int first_year, int last_year, bool historical) {
  omnia::v1::Dataset dataset;
  const std::string suffix = historical ? "storico" : absl::StrCat(last_year);
  dataset.set_dataset_id(absl::StrCat("integrazioni-salariali-", slug, "-", suffix));
  dataset.set_kind(historical ? omnia::v1::DATASET_KIND_HISTORICAL
                              : omnia::v1::DATASET_KIND_ANNUAL);
  dataset.set_title(
      historical
          ? absl::StrCat("Storico ", title_words, " per regione e tipo di intervento. Anno ",
                         first_year, "-", last_year)
          : absl::StrCat(title_words, " per regione e tipo di intervento. Anno ", last_year));
  // Accents, markup characters, quotes and paragraphs, as real descriptions may hold.
  dataset.set_description(absl::StrCat(
      title_words, " autorizzate dall'INPS: CIGO, CIGS & CIG in deroga, fondi di solidarietà.\n\n",
      "I valori mensili dei lavoratori <non> sono \"sommabili\"."));
  dataset.mutable_published_on()->CopyFrom(MakeDate(last_year + 1, 2, 15));
  dataset.mutable_updated_on()->CopyFrom(MakeDate(2026, 3, 31));
  dataset.set_owner("INPS");
  dataset.mutable_license()->set_id("CC-BY-4.0");
  dataset.mutable_license()->set_name(
      "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)");
  dataset.mutable_license()->set_url("https://creativecommons.org/licenses/by/4.0/deed.it");
  dataset.set_topic("Integrazioni Salariali");
  dataset.set_source("Ammortizzatori Sociali");
  dataset.mutable_coverage()->mutable_first()->set_year(first_year);
  dataset.mutable_coverage()->mutable_first()->set_month(1);
  dataset.mutable_coverage()->mutable_last()->set_year(last_year);
  dataset.mutable_coverage()->mutable_last()->set_month(historical ? 12 : 2);
  dataset.set_reference_year(historical ? 0 : last_year);
  for (const char* keyword : {"integrazioni salariali", "fondi di solidarietà", "CIGO"}) {
    dataset.add_keywords(keyword);
  }
  dataset.set_update_frequency(historical ? "ANNUAL" : "MONTHLY");
  dataset.mutable_measure()->set_code("APPLICATIONS");
  dataset.set_release_id("2026-03-31");
  struct FormatInfo {
    omnia::v1::Format format;
    const char* extension;
    const char* media_type;
  };
  const FormatInfo formats[] = {
      {omnia::v1::FORMAT_CSV, ".csv", "text/csv; charset=utf-8"},
      {omnia::v1::FORMAT_JSON, ".json", "application/json"},
      {omnia::v1::FORMAT_JSON_STAT, ".jsonstat.json", "application/json"},
      {omnia::v1::FORMAT_XML, ".xml", "application/xml"},
      {omnia::v1::FORMAT_XLSX, ".xlsx",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
  };
  int n = 0;
  for (const FormatInfo& info : formats) {
    omnia::v1::Attachment* attachment = dataset.add_attachments();
    attachment->set_format(info.format);
    attachment->set_file_name(absl::StrCat(dataset.dataset_id(), info.extension));
    attachment->set_media_type(info.media_type);
    attachment->set_size_bytes(123456 + 1000 * n);
    attachment->set_sha256(absl::StrFormat("%064x", 0xabc0 + n));
    attachment->set_rows(2400);
    ++n;
  }
  return dataset;
}

// Storico and Annuale 2020..2025 for three measures: 21 datasets, 105 attachments, and one
// dataset defined but never published.
inline CatalogSnapshot RealisticSnapshot() {
  CatalogSnapshot snapshot;
  const std::pair<const char*, const char*> measures[] = {
      {"domande", "Numero Domande"},
      {"lavoratori", "Numero Lavoratori"},
      {"mensilita", "Numero Mensilità"},
  };
  for (const auto& [slug, words] : measures) {
    snapshot.datasets.push_back(MakeDataset(slug, words, 2020, 2025, /*historical=*/true));
    for (int year = 2020; year <= 2025; ++year) {
      snapshot.datasets.push_back(MakeDataset(slug, words, year, year, /*historical=*/false));
    }
  }
  omnia::v1::Dataset unpublished = MakeDataset("domande", "Numero Domande", 2026, 2026, false);
  unpublished.clear_release_id();
  unpublished.clear_updated_on();
  unpublished.clear_published_on();
  unpublished.clear_attachments();
  snapshot.datasets.push_back(unpublished);

  omnia::v1::Release latest;
  latest.set_release_id("2026-03-31");
  latest.mutable_create_time()->set_seconds(1774951200);  // 2026-03-31T10:00:00Z
  latest.mutable_publication_date()->CopyFrom(MakeDate(2026, 3, 31));
  latest.set_description("Rettifica dati 2025 & nuovi mesi <marzo>");
  latest.set_dataset_count(21);
  omnia::v1::DatasetChange* added = latest.add_changes();
  added->set_dataset_id("integrazioni-salariali-domande-2025");
  added->set_title("Numero Domande per regione e tipo di intervento. Anno 2025");
  added->set_kind(omnia::v1::CHANGE_KIND_ADDED);
  omnia::v1::DatasetChange* updated = latest.add_changes();
  updated->set_dataset_id("integrazioni-salariali-domande-storico");
  updated->set_title("Storico Numero Domande per regione e tipo di intervento. Anno 2020-2025");
  updated->set_kind(omnia::v1::CHANGE_KIND_UPDATED);
  omnia::v1::Release first;
  first.set_release_id("2026-01-15");
  first.mutable_create_time()->set_seconds(1768471200);  // 2026-01-15T10:00:00Z
  first.mutable_publication_date()->CopyFrom(MakeDate(2026, 1, 15));
  first.set_dataset_count(18);
  snapshot.releases = {latest, first};
  return snapshot;
}

}  // namespace omnia::dcat::testing

#endif  // OMNIA_TESTS_UNIT_DCAT_TEST_SNAPSHOT_H_
