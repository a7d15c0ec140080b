// Data as the gateway would hand it to the portal: the deployed configuration's datasets for
// 2020-2024 published in release "2025-03-01", and the built-in codelists.
#ifndef OMNIA_TESTS_UNIT_PORTAL_PORTAL_FIXTURES_H_
#define OMNIA_TESTS_UNIT_PORTAL_PORTAL_FIXTURES_H_

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/catalogue/codelists.h"
#include "libs/catalogue/config.h"
#include "libs/catalogue/datasets.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::portal {

inline constexpr char kRelease[] = "2025-03-01";

inline catalogue::CatalogueConfig TestConfig() {
  absl::StatusOr<catalogue::CatalogueConfig> config =
      catalogue::LoadConfig(std::string(OMNIA_SOURCE_DIR) + "/deploy/config/datasets.textproto");
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

inline v1::ListCodelistsResponse TestCodelists() {
  return catalogue::BuildCodelists(domain::Codelists::Builtin(), TestConfig());
}

inline v1::Date MakeDate(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// Every dataset for 2020-2024, each with its five attachments, in title order.
inline std::vector<v1::Dataset> TestDatasets() {
  const catalogue::CatalogueConfig config = TestConfig();
  std::vector<v1::Dataset> datasets;
  int index = 0;
  for (const catalogue::DatasetSpec& spec :
       catalogue::DatasetsFor(config, {2020, 2021, 2022, 2023, 2024}, 2024)) {
    v1::Dataset dataset = catalogue::DatasetMetadata(config, spec);
    *dataset.mutable_published_on() = MakeDate(2024, 1 + index % 12, 1 + index);
    *dataset.mutable_updated_on() = MakeDate(2025, 1 + index % 2, 1 + index);
    dataset.set_release_id(kRelease);
    for (v1::Format format :
         {v1::FORMAT_CSV, v1::FORMAT_JSON, v1::FORMAT_JSON_STAT, v1::FORMAT_XML, v1::FORMAT_XLSX}) {
      v1::Attachment* attachment = dataset.add_attachments();
      attachment->set_format(format);
      attachment->set_file_name(
          *catalogue::AttachmentFileName(config, dataset.dataset_id(), format));
      attachment->set_size_bytes(12345 + index);
      attachment->set_sha256(std::string(64, 'a' + static_cast<char>(format)));
      attachment->set_rows(1440);
      attachment->mutable_download()->set_release_id(kRelease);
    }
    datasets.push_back(std::move(dataset));
    ++index;
  }
  return datasets;
}

}  // namespace omnia::portal

#endif  // OMNIA_TESTS_UNIT_PORTAL_PORTAL_FIXTURES_H_
