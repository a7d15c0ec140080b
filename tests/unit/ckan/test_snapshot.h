// A published catalogue as the gateway would hand it to the CKAN library: the deployed
// configuration's datasets for 2020-2024 (3 Storico, 15 Annuale), each with the five attachments
// of release "2025-03-01", distinct dates, and the built-in codelists.
#ifndef OMNIA_TESTS_UNIT_CKAN_TEST_SNAPSHOT_H_
#define OMNIA_TESTS_UNIT_CKAN_TEST_SNAPSHOT_H_

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/codelists.h"
#include "libs/catalogue/config.h"
#include "libs/catalogue/datasets.h"
#include "libs/ckan/ckan_api.h"
#include "libs/domain/codelists.h"

namespace omnia::ckan {

inline constexpr char kRelease[] = "2025-03-01";
inline constexpr char kBaseUrl[] = "https://dati.example.it";

inline v1::Date MakeDate(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

inline CatalogueSnapshot TestSnapshot() {
  absl::StatusOr<catalogue::CatalogueConfig> config =
      catalogue::LoadConfig(std::string(OMNIA_SOURCE_DIR) + "/deploy/config/datasets.textproto");
  EXPECT_TRUE(config.ok()) << config.status();
  CatalogueSnapshot snapshot;
  snapshot.site.public_base_url = std::string(kBaseUrl) + "/";
  const std::vector<catalogue::DatasetSpec> specs =
      catalogue::DatasetsFor(*config, {2020, 2021, 2022, 2023, 2024}, 2024);
  int index = 0;
  for (const catalogue::DatasetSpec& spec : specs) {
    v1::Dataset dataset = catalogue::DatasetMetadata(*config, spec);
    // Distinct Pubblicazione and Aggiornato dates, so orders by date are checkable.
    *dataset.mutable_published_on() = MakeDate(2024, 1 + index % 12, 1 + index);
    *dataset.mutable_updated_on() = MakeDate(2025, 1 + index % 2, 1 + index);
    dataset.set_release_id(kRelease);
    for (v1::Format format :
         {v1::FORMAT_CSV, v1::FORMAT_JSON, v1::FORMAT_JSON_STAT, v1::FORMAT_XML, v1::FORMAT_XLSX}) {
      absl::StatusOr<std::string> file_name =
          catalogue::AttachmentFileName(*config, dataset.dataset_id(), format);
      EXPECT_TRUE(file_name.ok()) << file_name.status();
      v1::Attachment* attachment = dataset.add_attachments();
      attachment->set_format(format);
      attachment->set_file_name(*file_name);
      attachment->set_media_type(format == v1::FORMAT_CSV ? "text/csv; charset=utf-8"
                                                          : "application/octet-stream");
      attachment->set_size_bytes(1000 + 10 * index + static_cast<int>(format));
      attachment->set_sha256(Sha256Hex(*file_name));
      attachment->set_rows(1440);
      attachment->mutable_download()->set_dataset_id(dataset.dataset_id());
      attachment->mutable_download()->set_format(format);
      attachment->mutable_download()->set_release_id(kRelease);
    }
    snapshot.datasets.push_back(std::move(dataset));
    ++index;
  }
  v1::Release release;
  release.set_release_id(kRelease);
  release.mutable_create_time()->set_seconds(1740823200);  // 2025-03-01T10:00:00Z
  release.set_dataset_count(snapshot.datasets.size());
  snapshot.releases.push_back(release);
  snapshot.codelists = catalogue::BuildCodelists(domain::Codelists::Builtin(), *config);
  return snapshot;
}

}  // namespace omnia::ckan

#endif  // OMNIA_TESTS_UNIT_CKAN_TEST_SNAPSHOT_H_
