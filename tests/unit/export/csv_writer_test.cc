#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/domain/published_csv.h"
#include "libs/export/writers.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using domain::Measure;
using domain::PeriodKey;
using domain::PeriodLevel;
using ::omnia::exporter::testing::BaseCell;
using ::omnia::exporter::testing::Cell;
using ::testing::HasSubstr;

constexpr Measure kApps = Measure::kApplications;
constexpr Measure kWorkers = Measure::kWorkers;

class CsvWriterTest : public ::testing::Test {
 protected:
  ExportInput Input(std::vector<cube::QueryCell> cells) const {
    ExportInput input;
    input.codelists = &lists_;
    input.info = testing::Annuale2023Info(kApps);
    input.cells = std::move(cells);
    return input;
  }

  std::string Csv(const ExportInput& input, const CsvOptions& options = {}) const {
    StringSink sink;
    const absl::StatusOr<WriteStats> stats = WriteCsv(input, options, sink);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (stats.ok()) {
      EXPECT_EQ(stats->bytes, sink.data().size());
    }
    return sink.data();
  }

  cube::QueryCell Base(Measure measure, int year, int month, std::string_view region,
                       std::string_view type, uint64_t value) const {
    return BaseCell(lists_, measure, year, month, region, type, value);
  }

  const domain::Codelists lists_ = domain::Codelists::Builtin();
};

// Each real INPS file, read as cells in shuffled order and written with default options, comes
// back byte for byte: header, month names, order, labels, "321.0", CRLF and the final CRLF.
TEST_F(CsvWriterTest, RealInpsFilesComeBackByteForByte) {
  const std::string dir = OMNIA_SHARED_DATA_DIR;
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no " << dir;
  for (const char* name :
       {"integrazioni-salariali-domande-2023.csv", "integrazioni-salariali-lavoratori-2023.csv",
        "integrazioni-salariali-mensilita-2023.csv"}) {
    SCOPED_TRACE(name);
    const std::string path = dir + "/" + name;
    const std::string original = testing::ReadFile(path);
    ASSERT_FALSE(original.empty());
    Measure measure = kApps;
    std::vector<cube::QueryCell> cells;
    ASSERT_TRUE(domain::ReadPublishedCsvFile(
                    path, lists_,
                    [&](const domain::PublishedRow& row) {
                      cells.push_back(cube::QueryCell{
                          cube::BaseCell(measure, domain::YearMonth{row.year, row.month},
                                         row.region_index, row.type_index),
                          row.value, cube::Provenance::kPublished});
                      return absl::OkStatus();
                    },
                    &measure)
                    .ok());
    for (cube::QueryCell& cell : cells) cell.key.measure = measure;
    std::mt19937 random(7);
    std::shuffle(cells.begin(), cells.end(), random);

    ExportInput input = Input(std::move(cells));
    input.info = testing::Annuale2023Info(measure);
    StringSink sink;
    const absl::StatusOr<WriteStats> stats = WriteCsv(input, CsvOptions{}, sink);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_TRUE(sink.data() == original)
        << "first difference at byte "
        << std::mismatch(sink.data().begin(), sink.data().end(), original.begin(), original.end())
                   .first -
               sink.data().begin();
    EXPECT_EQ(stats->rows, input.cells.size());
    EXPECT_EQ(stats->bytes, original.size());
  }
}

TEST_F(CsvWriterTest, InpsOrderSortsYearThenMonthNameThenTypeThenRegion) {
  const std::string csv = Csv(Input({
      Base(kApps, 2023, 1, "LOMBARDIA", "CIGO", 3),
      Base(kApps, 2022, 12, "VENETO", "FIS", 7),
      Base(kApps, 2023, 8, "VALLE_D'AOSTA", "CIGO", 5),
      Base(kApps, 2023, 8, "ABRUZZO", "FONDI_Territorio", 1),
      Base(kApps, 2023, 8, "ABRUZZO", "FONDI_Centrali", 2),
      Base(kApps, 2023, 4, "ABRUZZO", "CIGO", 4),
      Base(kApps, 2023, 8, "ABRUZZO", "CIGD", 6),
  }));
  EXPECT_EQ(csv,
            "Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n"
            "2022,Dicembre,FIS,VENETO,7.0\r\n"
            "2023,Agosto,CIGD,ABRUZZO,6.0\r\n"
            "2023,Agosto,CIGO,VALLE_D'AOSTA,5.0\r\n"
            "2023,Agosto,FONDI_Centrali,ABRUZZO,2.0\r\n"
            "2023,Agosto,FONDI_Territorio,ABRUZZO,1.0\r\n"
            "2023,Aprile,CIGO,ABRUZZO,4.0\r\n"
            "2023,Gennaio,CIGO,LOMBARDIA,3.0\r\n");
}

TEST_F(CsvWriterTest, CalendarOrderSortsByMonthNumber) {
  CsvOptions options;
  options.calendar_order = true;
  const std::string csv = Csv(Input({
                                  Base(kApps, 2023, 8, "ABRUZZO", "CIGO", 1),
                                  Base(kApps, 2023, 1, "VENETO", "CIGO", 2),
                                  Base(kApps, 2023, 1, "ABRUZZO", "FIS", 3),
                                  Base(kApps, 2022, 12, "ABRUZZO", "CIGO", 4),
                              }),
                              options);
  EXPECT_EQ(csv,
            "Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n"
            "2022,Dicembre,CIGO,ABRUZZO,4.0\r\n"
            "2023,Gennaio,CIGO,VENETO,2.0\r\n"
            "2023,Gennaio,FIS,ABRUZZO,3.0\r\n"
            "2023,Agosto,CIGO,ABRUZZO,1.0\r\n");
}

TEST_F(CsvWriterTest, EmptyDatasetStillHasItsHeader) {
  ExportInput input = Input({});
  input.info.measure = kWorkers;
  StringSink sink;
  const absl::StatusOr<WriteStats> stats = WriteCsv(input, CsvOptions{}, sink);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(sink.data(), "Anno,Mese,Tipo_intervento,Regione,numero_lavoratori\r\n");
  EXPECT_EQ(stats->rows, 0u);
}

TEST_F(CsvWriterTest, ExcelItalianDialectHasBomSemicolonsAndDecimalComma) {
  CsvOptions options;
  options.excel_it = true;
  EXPECT_EQ(Csv(Input({Base(kApps, 2023, 8, "VALLE_D'AOSTA", "CIGO", 321)}), options),
            "\xEF\xBB\xBF"
            "Anno;Mese;Tipo_intervento;Regione;numero_domande\r\n"
            "2023;Agosto;CIGO;VALLE_D'AOSTA;321,0\r\n");
}

TEST_F(CsvWriterTest, OptionalColumnsAtBaseLevels) {
  CsvOptions options;
  options.label_columns = true;
  options.istat_column = true;
  options.nuts_column = true;
  EXPECT_EQ(Csv(Input({Base(kApps, 2023, 3, "TRENTINO_ALTO_ADIGE", "FONDI_Centrali", 9),
                       Base(kApps, 2023, 3, "PIEMONTE", "CIGO", 10)}),
                options),
            "Anno,Mese,Tipo_intervento,Regione,numero_domande,Descrizione_intervento,"
            "Nome_regione,Codice_ISTAT,Codice_NUTS\r\n"
            "2023,Marzo,CIGO,PIEMONTE,10.0,Cassa integrazione guadagni ordinaria,Piemonte,01,"
            "ITC1\r\n"
            "2023,Marzo,FONDI_Centrali,TRENTINO_ALTO_ADIGE,9.0,"
            "Fondi di solidarietà bilaterali nazionali,Trentino-Alto Adige/Südtirol,04,"
            "ITH1+ITH2\r\n");
}

TEST_F(CsvWriterTest, RollupLevelsUseTrimestreAndMemberCodes) {
  const int centro = lists_.FindMacroArea("CENTRO").value()->index;
  const int fondi = lists_.FindFamily("FONDI").value()->index;
  CsvOptions options;
  options.label_columns = true;
  options.istat_column = true;
  options.nuts_column = true;
  const PeriodKey q2{PeriodLevel::kQuarter, 2023, 2};
  const PeriodKey q1{PeriodLevel::kQuarter, 2023, 1};
  EXPECT_EQ(Csv(Input({Cell(kApps, q2, cube::RegionLevel::kMacroArea, centro,
                            cube::TypeLevel::kFamily, fondi, 12),
                       Cell(kApps, q1, cube::RegionLevel::kMacroArea, centro,
                            cube::TypeLevel::kFamily, fondi, 11)}),
                options),
            "Anno,Trimestre,Tipo_intervento,Regione,numero_domande,Descrizione_intervento,"
            "Nome_regione,Codice_ISTAT,Codice_NUTS\r\n"
            "2023,1,FONDI,CENTRO,11.0,Fondi di solidarietà,Centro,3,ITI\r\n"
            "2023,2,FONDI,CENTRO,12.0,Fondi di solidarietà,Centro,3,ITI\r\n");

  const PeriodKey y2023{PeriodLevel::kYear, 2023, 0};
  EXPECT_EQ(
      Csv(Input({Cell(kApps, y2023, cube::RegionLevel::kItaly, 0, cube::TypeLevel::kAll, 0, 1234)}),
          options),
      "Anno,Tipo_intervento,Regione,numero_domande,Descrizione_intervento,Nome_regione,"
      "Codice_ISTAT,Codice_NUTS\r\n"
      "2023,ALL,ITALY,1234.0,Tutti gli interventi,Italia,,IT\r\n");
}

// Several measures share a row per key; a measure without a cell there has an empty field.
TEST_F(CsvWriterTest, SeveralMeasuresInRequestOrderWithEmptyFields) {
  ExportInput input = Input({
      Base(kApps, 2023, 1, "LAZIO", "CIGO", 5),
      Base(kWorkers, 2023, 1, "LAZIO", "CIGO", 50),
      Base(kWorkers, 2023, 1, "LAZIO", "CIGS", 60),
  });
  input.measures = {kWorkers, Measure::kBenefitMonths, kApps};
  EXPECT_EQ(Csv(input),
            "Anno,Mese,Tipo_intervento,Regione,numero_lavoratori,numero_mensilita,"
            "numero_domande\r\n"
            "2023,Gennaio,CIGO,LAZIO,50.0,,5.0\r\n"
            "2023,Gennaio,CIGS,LAZIO,60.0,,\r\n");
}

// Labels are codelist data: a label holding the separator, a quote, CR or LF is quoted, and only
// then.
TEST_F(CsvWriterTest, FieldsWithSeparatorOrQuoteAreQuoted) {
  std::vector<domain::InterventionType> types = lists_.intervention_types();
  types[0].description = "Ordinaria \"CIGO\"";
  types[1].description = "Straordinaria, CIGS";
  types[2].description = "In deroga; CIGD";
  const absl::StatusOr<domain::Codelists> custom = domain::Codelists::Create(
      "test", lists_.macro_areas(), lists_.regions(), lists_.families(), types, lists_.months());
  ASSERT_TRUE(custom.ok()) << custom.status();
  ExportInput input = Input({BaseCell(*custom, kApps, 2023, 1, "LAZIO", types[0].code, 1),
                             BaseCell(*custom, kApps, 2023, 1, "LAZIO", types[1].code, 2),
                             BaseCell(*custom, kApps, 2023, 1, "LAZIO", types[2].code, 3)});
  input.codelists = &*custom;
  CsvOptions options;
  options.label_columns = true;
  EXPECT_EQ(Csv(input, options),
            "Anno,Mese,Tipo_intervento,Regione,numero_domande,Descrizione_intervento,"
            "Nome_regione\r\n"
            "2023,Gennaio,CIGD,LAZIO,3.0,In deroga; CIGD,Lazio\r\n"
            "2023,Gennaio,CIGO,LAZIO,1.0,\"Ordinaria \"\"CIGO\"\"\",Lazio\r\n"
            "2023,Gennaio,CIGS,LAZIO,2.0,\"Straordinaria, CIGS\",Lazio\r\n");
  options.excel_it = true;
  EXPECT_EQ(Csv(input, options),
            "\xEF\xBB\xBF"
            "Anno;Mese;Tipo_intervento;Regione;numero_domande;Descrizione_intervento;"
            "Nome_regione\r\n"
            "2023;Gennaio;CIGD;LAZIO;3,0;\"In deroga; CIGD\";Lazio\r\n"
            "2023;Gennaio;CIGO;LAZIO;1,0;\"Ordinaria \"\"CIGO\"\"\";Lazio\r\n"
            "2023;Gennaio;CIGS;LAZIO;2,0;Straordinaria, CIGS;Lazio\r\n");
}

TEST_F(CsvWriterTest, OutputIsIndependentOfCellOrderAndChunked) {
  ExportInput input = testing::StoricoWorkers(lists_);
  StringSink first;
  ASSERT_TRUE(WriteCsv(input, CsvOptions{}, first).ok());
  std::reverse(input.cells.begin(), input.cells.end());
  StringSink second;
  ASSERT_TRUE(WriteCsv(input, CsvOptions{}, second).ok());
  EXPECT_EQ(first.data(), second.data());

  // 8640 lines of about 35 bytes: several chunks, none above the limit.
  class CheckingSink : public ChunkSink {
   public:
    absl::Status Write(std::string_view bytes) override {
      EXPECT_LE(bytes.size(), kMaxChunkBytes);
      EXPECT_FALSE(bytes.empty());
      data.append(bytes);
      ++chunks;
      return absl::OkStatus();
    }
    std::string data;
    int chunks = 0;
  } checking;
  ASSERT_TRUE(WriteCsv(input, CsvOptions{}, checking).ok());
  EXPECT_GT(checking.chunks, 3);
  EXPECT_EQ(checking.data, first.data());
  EXPECT_EQ(std::count(first.data().begin(), first.data().end(), '\n'), 8641);
}

TEST_F(CsvWriterTest, SinkErrorStopsTheWriter) {
  class FailingSink : public ChunkSink {
   public:
    absl::Status Write(std::string_view) override {
      ++calls;
      return calls >= 2 ? absl::UnavailableError("client went away") : absl::OkStatus();
    }
    int calls = 0;
  } sink;
  const absl::StatusOr<WriteStats> stats =
      WriteCsv(testing::StoricoWorkers(lists_), CsvOptions{}, sink);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sink.calls, 2);
}

TEST_F(CsvWriterTest, InvalidInputIsRejectedBeforeAnyByte) {
  const PeriodKey y2023{PeriodLevel::kYear, 2023, 0};
  struct Case {
    const char* name;
    ExportInput input;
    const char* message;
  };
  ExportInput no_codelists = Input({});
  no_codelists.codelists = nullptr;
  ExportInput unlisted = Input({Base(kWorkers, 2023, 1, "LAZIO", "CIGO", 1)});
  unlisted.measures = {kApps};
  std::vector<Case> cases;
  cases.push_back(
      {"mixed levels",
       Input({Base(kApps, 2023, 1, "LAZIO", "CIGO", 1),
              Cell(kApps, y2023, cube::RegionLevel::kItaly, 0, cube::TypeLevel::kAll, 0, 1)}),
       "cells[1]: levels YEAR x ITALY x ALL differ from MONTH x REGION x TYPE"});
  cases.push_back(
      {"duplicate",
       Input({Base(kApps, 2023, 1, "LAZIO", "CIGO", 1), Base(kApps, 2023, 1, "LAZIO", "CIGS", 1),
              Base(kApps, 2023, 1, "LAZIO", "CIGO", 2)}),
       "cells[2]: same measure and key as cells[0]"});
  cases.push_back({"region out of range",
                   Input({Cell(kApps, PeriodKey{PeriodLevel::kMonth, 2023, 1},
                               cube::RegionLevel::kRegion, 20, cube::TypeLevel::kType, 0, 1)}),
                   "cells[0]: region index 20 out of range"});
  cases.push_back({"month out of range",
                   Input({Cell(kApps, PeriodKey{PeriodLevel::kMonth, 2023, 13},
                               cube::RegionLevel::kRegion, 0, cube::TypeLevel::kType, 0, 1)}),
                   "cells[0]: month 13 out of range"});
  cases.push_back({"unlisted measure", unlisted, "cells[0]: measure WORKERS is not among"});
  cases.push_back({"no codelists", no_codelists, "codelists"});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    StringSink sink;
    const absl::StatusOr<WriteStats> stats = WriteCsv(c.input, CsvOptions{}, sink);
    EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(stats.status().message()), HasSubstr(c.message));
    EXPECT_EQ(sink.chunks(), 0u);
  }
}

TEST(FormatTest, ExtensionsAndMediaTypesFollowTheApi) {
  EXPECT_EQ(FileExtension(Format::kCsv), ".csv");
  EXPECT_EQ(FileExtension(Format::kJsonStat), ".jsonstat.json");
  EXPECT_EQ(FileExtension(Format::kXlsx), ".xlsx");
  EXPECT_EQ(MediaType(Format::kCsv), "text/csv; charset=utf-8");
  EXPECT_EQ(MediaType(Format::kJsonStat), "application/json");
  EXPECT_EQ(MediaType(Format::kXml), "application/xml");
  EXPECT_EQ(MediaType(Format::kXlsx),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

}  // namespace
}  // namespace omnia::exporter
