// datapackage.json: what frictionless, pandas and R users rely on to read the CSV typed.
#include "libs/ckan/datapackage.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/unit/ckan/test_snapshot.h"

namespace omnia::ckan {
namespace {

using Json = nlohmann::json;

constexpr char kDataset[] = "integrazioni-salariali-lavoratori-storico";

class DataPackageTest : public ::testing::Test {
 protected:
  Json Package(std::string_view dataset_id = kDataset) {
    absl::StatusOr<std::string> text = DataPackageJson(snapshot_, dataset_id);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? Json::parse(*text) : Json();
  }

  Json FieldNamed(const Json& package, std::string_view name) {
    for (const Json& field : package["resources"][0]["schema"]["fields"]) {
      if (field["name"] == name) return field;
    }
    ADD_FAILURE() << "no field " << name;
    return Json();
  }

  CatalogueSnapshot snapshot_ = TestSnapshot();
};

TEST_F(DataPackageTest, IsATabularDataPackageWithTheLicence) {
  const Json package = Package();
  EXPECT_EQ(package["profile"], "tabular-data-package");
  EXPECT_EQ(package["name"], kDataset);
  EXPECT_EQ(package["id"], absl::StrCat("inps:", kDataset));
  EXPECT_EQ(package["version"], kRelease);
  ASSERT_EQ(package["licenses"].size(), 1u);
  EXPECT_EQ(package["licenses"][0]["name"], "CC-BY-4.0");
  EXPECT_EQ(package["licenses"][0]["path"], "https://creativecommons.org/licenses/by/4.0/deed.it");
}

TEST_F(DataPackageTest, TheResourceIsThePublishedCsv) {
  const v1::Dataset* dataset = nullptr;
  for (const v1::Dataset& candidate : snapshot_.datasets) {
    if (candidate.dataset_id() == kDataset) dataset = &candidate;
  }
  ASSERT_NE(dataset, nullptr);
  const v1::Attachment& csv = dataset->attachments(0);
  ASSERT_EQ(csv.format(), v1::FORMAT_CSV);

  const Json resource = Package()["resources"][0];
  EXPECT_EQ(resource["profile"], "tabular-data-resource");
  EXPECT_EQ(resource["path"],
            absl::StrCat(kBaseUrl, "/releases/", kRelease, "/", kDataset, "/", csv.file_name()));
  EXPECT_EQ(resource["bytes"], csv.size_bytes());
  EXPECT_EQ(resource["hash"], "sha256:" + csv.sha256());
  EXPECT_EQ(resource["format"], "csv");
  EXPECT_EQ(resource["encoding"], "utf-8");
  EXPECT_EQ(resource["dialect"]["delimiter"], ",");
  EXPECT_EQ(resource["dialect"]["header"], true);
}

TEST_F(DataPackageTest, SchemaTypesFollowThePublishedLayout) {
  const Json package = Package();
  const Json& schema = package["resources"][0]["schema"];
  std::vector<std::string> names;
  for (const Json& field : schema["fields"]) {
    names.push_back(field["name"]);
    EXPECT_EQ(field["constraints"]["required"], true) << field["name"];
  }
  EXPECT_THAT(names, testing::ElementsAre("Anno", "Mese", "Tipo_intervento", "Regione",
                                          "numero_lavoratori"));
  EXPECT_EQ(schema["primaryKey"], Json::array({"Anno", "Mese", "Tipo_intervento", "Regione"}));
  const Json year = FieldNamed(package, "Anno");
  EXPECT_EQ(year["type"], "integer");
  EXPECT_EQ(year["constraints"]["minimum"], 2020);
  EXPECT_EQ(year["constraints"]["maximum"], 2024);
  const Json value = FieldNamed(package, "numero_lavoratori");
  EXPECT_EQ(value["type"], "number") << "INPS writes counts as 321.0";
  EXPECT_EQ(value["constraints"]["minimum"], 0);
}

TEST_F(DataPackageTest, EnumsComeFromTheCodelists) {
  const Json package = Package("integrazioni-salariali-domande-2023");
  const Json months = FieldNamed(package, "Mese")["constraints"]["enum"];
  ASSERT_EQ(months.size(), 12u);
  EXPECT_EQ(months[0], "Gennaio");
  EXPECT_EQ(months[11], "Dicembre");
  const Json types = FieldNamed(package, "Tipo_intervento")["constraints"]["enum"];
  EXPECT_EQ(types,
            Json::array({"CIGO", "CIGS", "CIGD", "FIS", "FONDI_Centrali", "FONDI_Territorio"}));
  const Json regions = FieldNamed(package, "Regione")["constraints"]["enum"];
  ASSERT_EQ(regions.size(), 20u);
  EXPECT_TRUE(std::find(regions.begin(), regions.end(), "VALLE_D'AOSTA") != regions.end());
  EXPECT_TRUE(std::find(regions.begin(), regions.end(), "EMILIA_ROMAGNA") != regions.end());
  const Json year = FieldNamed(package, "Anno")["constraints"];
  EXPECT_EQ(year["minimum"], 2023);
  EXPECT_EQ(year["maximum"], 2023);
}

TEST_F(DataPackageTest, UnknownOrUnpublishedDatasetsAreNotFound) {
  EXPECT_EQ(DataPackage(snapshot_, "nope").status().code(), absl::StatusCode::kNotFound);
  snapshot_.datasets[0].clear_release_id();
  EXPECT_EQ(DataPackage(snapshot_, snapshot_.datasets[0].dataset_id()).status().code(),
            absl::StatusCode::kNotFound);
  snapshot_.datasets[1].clear_attachments();
  EXPECT_EQ(DataPackage(snapshot_, snapshot_.datasets[1].dataset_id()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace omnia::ckan
