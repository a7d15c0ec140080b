#include "tests/unit/export/export_test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/cube/lattice.h"

namespace omnia::exporter::testing {

cube::QueryCell BaseCell(const domain::Codelists& lists, domain::Measure measure, int year,
                         int month, std::string_view region, std::string_view type, uint64_t value,
                         cube::Provenance provenance) {
  const domain::Region* r = lists.RegionByInpsLabel(region);
  const domain::InterventionType* t = lists.InterventionTypeByCode(type);
  EXPECT_NE(r, nullptr) << region;
  EXPECT_NE(t, nullptr) << type;
  return cube::QueryCell{
      cube::BaseCell(measure, domain::YearMonth{year, month}, r->index, t->index), value,
      provenance};
}

cube::QueryCell Cell(domain::Measure measure, domain::PeriodKey period, cube::RegionLevel rl,
                     int region, cube::TypeLevel tl, int type, uint64_t value,
                     cube::Provenance provenance) {
  return cube::QueryCell{cube::CellKey{measure, period, rl, region, tl, type}, value, provenance};
}

DatasetInfo Annuale2023Info(domain::Measure measure) {
  DatasetInfo info;
  const std::string_view column = domain::InpsColumnName(measure);
  const std::string_view suffix = column.substr(column.find('_') + 1);
  info.dataset_id = absl::StrCat("integrazioni-salariali-", std::string(suffix), "-2023");
  info.title = absl::StrCat(std::string(domain::MeasureItalianName(measure)),
                            " per regione e tipo di intervento. Anno 2023");
  info.description = "Dati mensili per regione e tipo di intervento.";
  info.owner = "INPS";
  info.license_name = "CC BY 4.0";
  info.license_url = "https://creativecommons.org/licenses/by/4.0/";
  info.topic = "Integrazioni Salariali";
  info.source = "Ammortizzatori Sociali";
  info.release_id = "2026-01-15";
  info.measure = measure;
  info.published_on = "2026-01-15";
  info.updated_on = "2026-01-15";
  info.first_year = 2023;
  info.last_year = 2023;
  return info;
}

ExportInput StoricoWorkers(const domain::Codelists& lists) {
  ExportInput input;
  input.codelists = &lists;
  input.info = Annuale2023Info(domain::Measure::kWorkers);
  input.info.dataset_id = "integrazioni-salariali-lavoratori-storico";
  input.info.title = "Storico Numero Lavoratori per regione e tipo di intervento";
  input.info.first_year = 2020;
  input.info.last_year = 2025;
  std::mt19937_64 random(20260115);
  for (int year = 2020; year <= 2025; ++year) {
    for (int month = 1; month <= 12; ++month) {
      for (const domain::Region& region : lists.regions()) {
        for (const domain::InterventionType& type : lists.intervention_types()) {
          input.cells.push_back(cube::QueryCell{
              cube::BaseCell(domain::Measure::kWorkers, domain::YearMonth{year, month},
                             region.index, type.index),
              random() % 200000, cube::Provenance::kMicroData});
        }
      }
    }
  }
  std::shuffle(input.cells.begin(), input.cells.end(), random);
  return input;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "omnia-export-test-XXXXXX");
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

int TempDir::Entries() const {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path_)) ++n;
  return n;
}

bool HaveProgram(std::string_view program) {
  const std::string command = absl::StrCat("command -v ", std::string(program), " >/dev/null 2>&1");
  return std::system(command.c_str()) == 0;
}

// ---- JSON ---------------------------------------------------------------------------------------

nlohmann::json ParseJsonOrFail(const std::string& text) {
  // nlohmann keeps the last of duplicate keys silently; a writer that repeats a key is wrong for
  // any reader, so the parse callback keeps the keys seen in each open object.
  std::vector<std::set<std::string>> open_objects;
  bool duplicate = false;
  const auto check_keys = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) open_objects.emplace_back();
    if (event == Event::object_end) open_objects.pop_back();
    if (event == Event::key && !open_objects.back().insert(parsed.get<std::string>()).second) {
      ADD_FAILURE() << "duplicate key " << parsed;
      duplicate = true;
    }
    return true;
  };
  try {
    nlohmann::json document = nlohmann::json::parse(text, check_keys);
    if (!duplicate) return document;
  } catch (const nlohmann::json::parse_error& error) {
    ADD_FAILURE() << error.what() << "\n" << text.substr(0, 2000);
  }
  return nlohmann::json();
}

}  // namespace omnia::exporter::testing
