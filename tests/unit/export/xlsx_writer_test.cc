#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/export/writers.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using domain::Measure;
using ::omnia::exporter::testing::BaseCell;
using ::testing::HasSubstr;
using ::testing::Not;

class XlsxWriterTest : public ::testing::Test {
 protected:
  std::string Xlsx(const ExportInput& input) const {
    StringSink sink;
    const absl::StatusOr<WriteStats> stats = WriteXlsx(input, XlsxOptions{dir_.path()}, sink);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (stats.ok()) {
      EXPECT_EQ(stats->bytes, sink.data().size());
    }
    EXPECT_EQ(dir_.Entries(), 0) << "temporary files left behind";
    return sink.data();
  }

  // An entry of the zip file, through unzip.
  std::string Entry(const std::string& xlsx, const std::string& entry) const {
    const std::string path = dir_.path() + "/entry.xlsx";
    testing::WriteFileOrDie(path, xlsx);
    const std::string out = dir_.path() + "/entry.txt";
    const std::string command = absl::StrCat("unzip -p '", path, "' '", entry, "' >'", out, "'");
    EXPECT_EQ(std::system(command.c_str()), 0) << entry;
    std::string text = testing::ReadFile(out);
    unlink(path.c_str());
    unlink(out.c_str());
    return text;
  }

  const domain::Codelists lists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
};

// Local file headers of a zip: (name, DOS time, DOS date) per entry.
struct ZipEntry {
  std::string name;
  uint16_t time = 0;
  uint16_t date = 0;
};

std::vector<ZipEntry> ZipEntries(const std::string& zip) {
  const auto u16 = [&](size_t at) {
    return static_cast<uint16_t>(static_cast<uint8_t>(zip[at]) |
                                 (static_cast<uint8_t>(zip[at + 1]) << 8));
  };
  const auto u32 = [&](size_t at) { return u16(at) | (static_cast<uint32_t>(u16(at + 2)) << 16); };
  std::vector<ZipEntry> entries;
  size_t at = 0;
  while (at + 30 <= zip.size() && u32(at) == 0x04034b50) {
    ZipEntry entry;
    entry.time = u16(at + 10);
    entry.date = u16(at + 12);
    const uint32_t compressed = u32(at + 18);
    const uint16_t name_length = u16(at + 26);
    const uint16_t extra_length = u16(at + 28);
    entry.name = zip.substr(at + 30, name_length);
    entries.push_back(entry);
    // libxlsxwriter writes sizes in the local header (no data descriptor).
    EXPECT_EQ(u16(at + 6) & 0x8, 0) << entry.name;
    at += 30 + name_length + extra_length + compressed;
  }
  return entries;
}

// Same input, one second and a time zone apart: the same bytes; zip entries carry a fixed time.
TEST_F(XlsxWriterTest, BytesAreDeterministic) {
  const ExportInput input = testing::StoricoWorkers(lists_);
  const std::string first = Xlsx(input);
  ASSERT_GT(first.size(), 1000u);
  EXPECT_EQ(first.substr(0, 2), "PK");
  usleep(1100 * 1000);
  const char* old_tz = std::getenv("TZ");
  const std::string saved_tz = old_tz == nullptr ? "" : old_tz;
  setenv("TZ", "America/New_York", 1);
  tzset();
  const std::string second = Xlsx(input);
  if (old_tz == nullptr) {
    unsetenv("TZ");
  } else {
    setenv("TZ", saved_tz.c_str(), 1);
  }
  tzset();
  EXPECT_TRUE(first == second) << "renders differ";

  const std::vector<ZipEntry> entries = ZipEntries(first);
  ASSERT_GE(entries.size(), 8u);
  for (const ZipEntry& entry : entries) {
    EXPECT_EQ(entry.date, (0 << 9) | (1 << 5) | 1) << entry.name;  // 1980-01-01
    EXPECT_EQ(entry.time, 0) << entry.name;
  }
}

TEST_F(XlsxWriterTest, CreationTimeFollowsTheUpdateDate) {
  ExportInput input;
  input.codelists = &lists_;
  input.info = testing::Annuale2023Info(Measure::kWorkers);
  input.cells = {BaseCell(lists_, Measure::kWorkers, 2023, 1, "LAZIO", "CIGO", 5)};
  const std::string a = Xlsx(input);
  input.info.updated_on = "2026-02-01";
  const std::string b = Xlsx(input);
  EXPECT_NE(a, b);
  if (!testing::HaveProgram("unzip")) GTEST_SKIP() << "unzip not installed";
  EXPECT_THAT(Entry(a, "docProps/core.xml"), HasSubstr("2026-01-15T00:00:00Z"));
  EXPECT_THAT(Entry(b, "docProps/core.xml"), HasSubstr("2026-02-01T00:00:00Z"));
}

TEST_F(XlsxWriterTest, HasDataAndMetadataSheets) {
  if (!testing::HaveProgram("unzip")) GTEST_SKIP() << "unzip not installed";
  ExportInput input;
  input.codelists = &lists_;
  input.info = testing::Annuale2023Info(Measure::kWorkers);
  input.info.title = "Lavoratori & <co>";
  input.cells = {BaseCell(lists_, Measure::kWorkers, 2023, 1, "LAZIO", "CIGO", 5)};
  const std::string xlsx = Xlsx(input);
  const std::string workbook = Entry(xlsx, "xl/workbook.xml");
  EXPECT_THAT(workbook, HasSubstr("<sheet name=\"Dati\" sheetId=\"1\""));
  EXPECT_THAT(workbook, HasSubstr("<sheet name=\"Metadati\" sheetId=\"2\""));
  const std::string data = Entry(xlsx, "xl/worksheets/sheet1.xml");
  EXPECT_THAT(data, HasSubstr("numero_lavoratori"));
  EXPECT_THAT(data, HasSubstr("<v>5</v>"));  // a number, not text
  const std::string metadata = Entry(xlsx, "xl/worksheets/sheet2.xml");
  EXPECT_THAT(metadata, HasSubstr("Proprietario del dato"));
  EXPECT_THAT(metadata, HasSubstr("Lavoratori &amp; &lt;co&gt;"));
  EXPECT_THAT(metadata, HasSubstr("CC BY 4.0"));
  EXPECT_THAT(metadata, Not(HasSubstr("Filtro")));

  // An ad-hoc query's sheet says what the query selected.
  input.info.query.emplace();
  input.info.query->first_month = domain::YearMonth{2023, 1};
  input.info.query->last_month = domain::YearMonth{2023, 3};
  input.info.query->regions = {"LAZIO", "SUD"};
  const std::string query_metadata = Entry(Xlsx(input), "xl/worksheets/sheet2.xml");
  for (const char* text : {"Filtro periodo", "2023-01 - 2023-03", "Filtro territorio", "LAZIO, SUD",
                           "Filtro tipo intervento", "nessuno", "escluse"}) {
    EXPECT_THAT(query_metadata, HasSubstr(text));
  }
}

TEST_F(XlsxWriterTest, SinkErrorIsReturnedAndTheTemporaryFileRemoved) {
  class FailingSink : public ChunkSink {
   public:
    absl::Status Write(std::string_view bytes) override {
      EXPECT_LE(bytes.size(), kMaxChunkBytes);
      return absl::UnavailableError("gone");
    }
  } sink;
  const absl::StatusOr<WriteStats> stats =
      WriteXlsx(testing::StoricoWorkers(lists_), XlsxOptions{dir_.path()}, sink);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(dir_.Entries(), 0);
}

TEST_F(XlsxWriterTest, MissingTemporaryDirectoryIsAnError) {
  StringSink sink;
  ExportInput input;
  input.codelists = &lists_;
  const absl::StatusOr<WriteStats> stats =
      WriteXlsx(input, XlsxOptions{dir_.path() + "/missing"}, sink);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(sink.chunks(), 0u);
}

// Splits one CSV line as LibreOffice writes it (quotes only where needed).
std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

// A spreadsheet application reads back the same numbers: the data sheet, converted to CSV by
// LibreOffice, holds every cell with its value.
TEST_F(XlsxWriterTest, LibreOfficeReadsBackTheNumbers) {
  if (!testing::HaveProgram("libreoffice")) GTEST_SKIP() << "libreoffice not installed";
  ExportInput input = testing::StoricoWorkers(lists_);
  // A second, sparse measure: empty cells where it has no value.
  input.cells.push_back(BaseCell(lists_, Measure::kBenefitMonths, 2024, 5, "TRENTINO_ALTO_ADIGE",
                                 "FONDI_Territorio", 123456789, cube::Provenance::kMicroData));
  const std::string xlsx = Xlsx(input);
  testing::TempDir work;
  const std::string path = work.path() + "/storico.xlsx";
  testing::WriteFileOrDie(path, xlsx);
  const std::string command =
      absl::StrCat("cd '", work.path(), "' && HOME='", work.path(), "' libreoffice --headless",
                   " -env:UserInstallation=file://", work.path(), "/profile",
                   " --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' --outdir '",
                   work.path(), "' storico.xlsx >'", work.path(), "/lo.log' 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0) << testing::ReadFile(work.path() + "/lo.log");
  const std::string csv = testing::ReadFile(work.path() + "/storico.csv");
  ASSERT_FALSE(csv.empty()) << testing::ReadFile(work.path() + "/lo.log");

  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 8641u);
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  EXPECT_EQ(
      SplitCsvLine(lines[0]),
      std::vector<std::string>({"Anno", "Mese", "Tipo_intervento", "Regione", "numero_lavoratori",
                                "numero_mensilita", "Descrizione_intervento", "Nome_regione",
                                "Codice_ISTAT", "Codice_NUTS"}));
  std::map<std::string, std::string> month_number;
  for (const domain::Month& month : lists_.months()) {
    month_number[month.italian_name] = absl::StrCat(month.number);
  }
  // key "year/month/type/region" -> "workers/benefit months" as LibreOffice prints them
  std::map<std::string, std::string> expected;
  for (const cube::QueryCell& cell : input.cells) {
    const std::string key = absl::StrCat(cell.key.period.year, "/", cell.key.period.index, "/",
                                         lists_.intervention_types()[cell.key.type].code, "/",
                                         lists_.regions()[cell.key.region].inps_label);
    std::string& value = expected[key];
    if (value.empty()) value = "/";
    if (cell.key.measure == Measure::kWorkers) {
      value = absl::StrCat(cell.value, value);
    } else {
      value += absl::StrCat(cell.value);
    }
  }
  size_t checked = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = SplitCsvLine(lines[i]);
    ASSERT_EQ(fields.size(), 10u) << lines[i];
    const std::string key =
        absl::StrCat(fields[0], "/", month_number[fields[1]], "/", fields[2], "/", fields[3]);
    ASSERT_EQ(expected.count(key), 1u) << lines[i];
    EXPECT_EQ(absl::StrCat(fields[4], "/", fields[5]), expected[key]) << lines[i];
    ++checked;
  }
  EXPECT_EQ(checked, expected.size());
}

}  // namespace
}  // namespace omnia::exporter
