#include "libs/domain/published_csv.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"

namespace omnia::domain {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kHeader[] = "Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n";

std::string Message(const absl::Status& status) { return std::string(status.message()); }

int Count(std::string_view text, std::string_view needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

struct ParseResult {
  absl::Status status;
  std::vector<PublishedRow> rows;
  std::optional<Measure> measure;
};

// Feeds `input` in chunks of `chunk_size` bytes (0: all at once), then finishes.
ParseResult Parse(const Codelists& lists, std::string_view input, size_t chunk_size = 0) {
  PublishedCsvParser parser(lists);
  ParseResult result;
  if (chunk_size == 0) chunk_size = input.size() + 1;
  for (size_t pos = 0; pos < input.size() && result.status.ok(); pos += chunk_size) {
    result.status = parser.Feed(input.substr(pos, chunk_size), &result.rows);
  }
  if (result.status.ok()) result.status = parser.Finish(&result.rows);
  result.measure = parser.measure();
  if (result.status.ok()) {
    EXPECT_EQ(parser.rows(), static_cast<int64_t>(result.rows.size()));
  }
  return result;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class PublishedCsvTest : public ::testing::Test {
 protected:
  const Region& RegionNamed(std::string_view label) const {
    return *lists_.RegionByInpsLabel(label);
  }
  int TypeIndex(std::string_view code) const { return lists_.InterventionTypeByCode(code)->index; }

  Codelists lists_ = Codelists::Builtin();
};

TEST_F(PublishedCsvTest, ParsesRowsAndMeasure) {
  const std::string input = std::string(kHeader) +
                            "2023,Agosto,CIGO,ABRUZZO,321.0\r\n"
                            "2023,Gennaio,FONDI_Territorio,TRENTINO_ALTO_ADIGE,2.0\r\n"
                            "2024,Dicembre,CIGD,VALLE_D'AOSTA,0.0\r\n";
  const ParseResult result = Parse(lists_, input);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.measure, Measure::kApplications);
  ASSERT_EQ(result.rows.size(), 3u);
  EXPECT_EQ(result.rows[0],
            (PublishedRow{2023, 8, TypeIndex("CIGO"), RegionNamed("ABRUZZO").index, 321, 2}));
  EXPECT_EQ(result.rows[1], (PublishedRow{2023, 1, TypeIndex("FONDI_Territorio"),
                                          RegionNamed("TRENTINO_ALTO_ADIGE").index, 2, 3}));
  EXPECT_EQ(result.rows[2],
            (PublishedRow{2024, 12, TypeIndex("CIGD"), RegionNamed("VALLE_D'AOSTA").index, 0, 4}));
}

// common.proto: "Input codes are matched case-insensitively".
TEST_F(PublishedCsvTest, CodesInAnyCaseAreTheCanonicalOnes) {
  const std::string input = std::string(kHeader) + "2023,Agosto,Fondi_centrali,Lombardia,3\r\n";
  const ParseResult result = Parse(lists_, input);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0], (PublishedRow{2023, 8, TypeIndex("FONDI_Centrali"),
                                          RegionNamed("LOMBARDIA").index, 3, 2}));
}

TEST_F(PublishedCsvTest, HeaderSelectsMeasure) {
  for (const Measure measure : kAllMeasures) {
    const std::string input =
        "Anno,Mese,Tipo_intervento,Regione," + std::string(InpsColumnName(measure)) + "\n";
    const ParseResult result = Parse(lists_, input);
    ASSERT_TRUE(result.status.ok()) << result.status;
    EXPECT_EQ(result.measure, measure);
    EXPECT_TRUE(result.rows.empty());
  }
}

TEST_F(PublishedCsvTest, AcceptedVariants) {
  // LF endings, a BOM, no final newline, counts without decimals or with extra zeros, a month name
  // in another case.
  const std::string input =
      "\xEF\xBB\xBF"
      "Anno,Mese,Tipo_intervento,Regione,numero_lavoratori\n"
      "2023,agosto,CIGO,ABRUZZO,321\n"
      "2023,MARZO,CIGO,ABRUZZO,7.00\n"
      "2100,Marzo,CIGO,ABRUZZO,9007199254740991";
  const ParseResult result = Parse(lists_, input);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.measure, Measure::kWorkers);
  ASSERT_EQ(result.rows.size(), 3u);
  EXPECT_EQ(result.rows[0].value, 321u);
  EXPECT_EQ(result.rows[0].month, 8);
  EXPECT_EQ(result.rows[1].value, 7u);
  EXPECT_EQ(result.rows[1].month, 3);
  EXPECT_EQ(result.rows[2].value, kMaxPublishedValue);
  EXPECT_EQ(result.rows[2].line, 4);
}

TEST_F(PublishedCsvTest, EverySplitPointGivesTheSameRows) {
  // Covers splits inside the BOM, inside CRLF and inside fields.
  const std::string input = "\xEF\xBB\xBF" + std::string(kHeader) +
                            "2023,Agosto,CIGO,ABRUZZO,321.0\r\n"
                            "2023,Agosto,CIGS,MOLISE,4.0\r\n";
  const ParseResult whole = Parse(lists_, input);
  ASSERT_TRUE(whole.status.ok()) << whole.status;
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    PublishedCsvParser parser(lists_);
    std::vector<PublishedRow> rows;
    ASSERT_TRUE(parser.Feed(input.substr(0, cut), &rows).ok()) << cut;
    ASSERT_TRUE(parser.Feed(input.substr(cut), &rows).ok()) << cut;
    ASSERT_TRUE(parser.Finish(&rows).ok()) << cut;
    EXPECT_EQ(rows, whole.rows) << cut;
  }
}

TEST_F(PublishedCsvTest, ErrorIsStickyAndFeedAfterFinishFails) {
  PublishedCsvParser parser(lists_);
  std::vector<PublishedRow> rows;
  const absl::Status first = parser.Feed("Anno,Mese\n", &rows);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(parser.Feed(kHeader, &rows), first);
  EXPECT_EQ(parser.Finish(&rows), first);

  PublishedCsvParser done(lists_);
  ASSERT_TRUE(done.Feed(kHeader, &rows).ok());
  ASSERT_TRUE(done.Finish(&rows).ok());
  EXPECT_EQ(done.Feed("2023,Agosto,CIGO,ABRUZZO,1.0\n", &rows).code(),
            absl::StatusCode::kFailedPrecondition);
}

struct BadInput {
  const char* name;
  std::string input;
  std::string prefix;  // the message starts with the line and, where one is at fault, the column
  std::string detail;  // and mentions this
};

std::string Row(std::string_view row) { return std::string(kHeader) + std::string(row) + "\r\n"; }

const std::string kGood = "2023,Agosto,CIGO,ABRUZZO,321.0\r\n";

std::vector<BadInput> BadInputs() {
  return {
      {"empty file", "", "line 1:", "missing header"},
      {"only a BOM", "\xEF\xBB\xBF", "line 1:", "missing header"},
      {"blank first line", "\r\n" + kGood, "line 1:", "missing header"},
      {"header with wrong column", "Anno,Mese,Tipo,Regione,numero_domande\r\n",
       "line 1, column Tipo_intervento:", "'Tipo'"},
      {"header in lower case", "anno,mese,tipo_intervento,regione,numero_domande\r\n",
       "line 1, column Anno:", "'anno'"},
      {"header with unknown measure", "Anno,Mese,Tipo_intervento,Regione,numero_ore\r\n",
       "line 1, column 5 (measure):", "'numero_ore'"},
      {"header with too few columns", "Anno,Mese,Tipo_intervento,Regione\r\n",
       "line 1:", "4 columns"},
      {"data row instead of header", kGood, "line 1, column Anno:", "'2023'"},
      {"too few fields", Row("2023,Agosto,CIGO,ABRUZZO"),
       "line 2, column numero_domande:", "found 4"},
      {"too many fields", std::string(kHeader) + kGood + "2023,Agosto,CIGS,ABRUZZO,3.0,x\r\n",
       "line 3, column 6:", "found 6"},
      {"decimal comma", Row("2023,Agosto,CIGO,ABRUZZO,1,0"), "line 2, column 6:", "found 6"},
      {"empty line in the middle", std::string(kHeader) + kGood + "\r\n" + kGood,
       "line 3, column Anno:", "the line is empty"},
      {"negative count", Row("2023,Agosto,CIGO,ABRUZZO,-5.0"),
       "line 2, column numero_domande:", "negative"},
      {"fractional count", Row("2023,Agosto,CIGO,ABRUZZO,3.5"),
       "line 2, column numero_domande:", "fractional"},
      {"exponent", Row("2023,Agosto,CIGO,ABRUZZO,1e3"),
       "line 2, column numero_domande:", "not a non-negative integer"},
      {"text count", Row("2023,Agosto,CIGO,ABRUZZO,molti"),
       "line 2, column numero_domande:", "'molti'"},
      {"empty count", Row("2023,Agosto,CIGO,ABRUZZO,"),
       "line 2, column numero_domande:", "empty count"},
      {"point without decimals", Row("2023,Agosto,CIGO,ABRUZZO,321."),
       "line 2, column numero_domande:", "not a non-negative integer"},
      {"plus sign", Row("2023,Agosto,CIGO,ABRUZZO,+321"),
       "line 2, column numero_domande:", "not a non-negative integer"},
      {"padded count", Row("2023,Agosto,CIGO,ABRUZZO, 321"),
       "line 2, column numero_domande:", "not a non-negative integer"},
      {"count beyond 64 bits", Row("2023,Agosto,CIGO,ABRUZZO,99999999999999999999999.0"),
       "line 2, column numero_domande:", "exceeds"},
      {"count beyond 2^53", Row("2023,Agosto,CIGO,ABRUZZO,9007199254740992"),
       "line 2, column numero_domande:", "exceeds"},
      {"unknown region", Row("2023,Agosto,CIGO,FOO,1.0"),
       "line 2, column Regione:", "unknown region 'FOO'"},
      {"region display name", Row("2023,Agosto,CIGO,Emilia-Romagna,1.0"),
       "line 2, column Regione:", "EMILIA_ROMAGNA"},
      {"unknown type", Row("2023,Agosto,CIGX,ABRUZZO,1.0"),
       "line 2, column Tipo_intervento:", "'CIGX'"},
      {"unknown month", Row("2023,Agostoo,CIGO,ABRUZZO,1.0"), "line 2, column Mese:", "'Agostoo'"},
      {"numeric month", Row("2023,8,CIGO,ABRUZZO,1.0"), "line 2, column Mese:", "'8'"},
      {"year too early", Row("2019,Agosto,CIGO,ABRUZZO,1.0"),
       "line 2, column Anno:", "out of range"},
      {"year too late", Row("2101,Agosto,CIGO,ABRUZZO,1.0"),
       "line 2, column Anno:", "out of range"},
      {"year not a number", Row("20x3,Agosto,CIGO,ABRUZZO,1.0"),
       "line 2, column Anno:", "not a number"},
      {"empty year", Row(",Agosto,CIGO,ABRUZZO,1.0"), "line 2, column Anno:", "empty year"},
      {"BOM on a later line",
       Row("\xEF\xBB\xBF"
           "2023,Agosto,CIGO,ABRUZZO,1.0"),
       "line 2, column Anno:", "\\xEF\\xBB\\xBF"},
      {"duplicate key", std::string(kHeader) + kGood + "2023,Agosto,CIGS,ABRUZZO,1.0\r\n" + kGood,
       "line 4, column Anno:",
       "duplicate key Anno=2023, Mese=Agosto, Tipo_intervento=CIGO, Regione=ABRUZZO (first on "
       "line 2)"},
      {"duplicate key with different spelling",
       std::string(kHeader) + kGood + "2023,AGOSTO,CIGO,ABRUZZO,5\r\n",
       "line 3, column Anno:", "first on line 2"},
      {"line too long", std::string(kHeader) + kGood + std::string(5000, 'x') + "\r\n",
       "line 3:", "longer than 4096 bytes"},
      {"no newline at all", std::string(100000, 'x'), "line 1:", "longer than 4096 bytes"},
  };
}

class PublishedCsvBadInputTest : public PublishedCsvTest,
                                 public ::testing::WithParamInterface<BadInput> {};

TEST_P(PublishedCsvBadInputTest, RejectedWithLineAndColumn) {
  const BadInput& bad = GetParam();
  for (const size_t chunk : {size_t{0}, size_t{1}, size_t{7}}) {
    SCOPED_TRACE(chunk);
    const ParseResult result = Parse(lists_, bad.input, chunk);
    ASSERT_FALSE(result.status.ok());
    EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(result.status), StartsWith(bad.prefix));
    EXPECT_THAT(Message(result.status), HasSubstr(bad.detail));
  }
}

INSTANTIATE_TEST_SUITE_P(Malformed, PublishedCsvBadInputTest, ::testing::ValuesIn(BadInputs()),
                         [](const ::testing::TestParamInfo<BadInput>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST_F(PublishedCsvTest, ReportsTheFirstTwentyRowErrorsAndCountsTheRest) {
  // ingestion.proto: row errors are "line L, column C: reason", the first 20 of them followed by
  // the number of further errors; the whole file is checked, not only up to its first bad row.
  std::string input = kHeader;
  const char* const kMonths[] = {"Gennaio",   "Febbraio", "Marzo",    "Aprile",
                                 "Maggio",    "Giugno",   "Luglio",   "Agosto",
                                 "Settembre", "Ottobre",  "Novembre", "Dicembre"};
  for (int i = 0; i < 60; ++i) {
    // Lines 2, 4, 6, ... are good; lines 3, 5, 7, ... have an unknown region.
    const std::string month = kMonths[i % 12];
    const std::string type = i < 12   ? "CIGO"
                             : i < 24 ? "CIGS"
                             : i < 36 ? "FIS"
                             : i < 48 ? "CIGD"
                                      : "FONDI_Centrali";
    input += "2023," + month + "," + type + ",ABRUZZO,1.0\r\n";
    input += "2023," + month + "," + type + ",NOWHERE" + std::to_string(i) + ",1.0\r\n";
  }
  for (const size_t chunk : {size_t{0}, size_t{13}}) {
    SCOPED_TRACE(chunk);
    const ParseResult result = Parse(lists_, input, chunk);
    ASSERT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
    const std::string message = Message(result.status);
    EXPECT_THAT(message, StartsWith("line 3, column Regione: unknown region 'NOWHERE0'; valid"));
    for (int i = 0; i < 20; ++i) {
      EXPECT_THAT(message,
                  HasSubstr("line " + std::to_string(3 + 2 * i) +
                            ", column Regione: unknown region 'NOWHERE" + std::to_string(i) + "'"));
    }
    EXPECT_THAT(message, Not(HasSubstr("NOWHERE20")));
    EXPECT_THAT(message, EndsWith("; and 40 further errors"));
    // The list of valid labels once, not twenty times: the message must fit gRPC's metadata.
    EXPECT_EQ(Count(message, "valid INPS labels"), 1);
    EXPECT_LT(message.size(), 4096u);
    // Only the rows before the first bad one were handed over.
    EXPECT_EQ(result.rows.size(), 1u);
  }
}

TEST_F(PublishedCsvTest, ListsEveryBadColumnOfARow) {
  const ParseResult result = Parse(lists_, Row("2019,Agostoo,CIGX,FOO,-1"));
  EXPECT_EQ(
      Message(result.status),
      "line 2, column Anno: year '2019' out of range [2020, 2100]; line 2, column Mese: " +
          std::string(Message(ParseItalianMonth("Agostoo").status())) +
          "; line 2, column Tipo_intervento: unknown intervention type 'CIGX'; valid codes: " +
          lists_.JoinedInterventionTypeCodes() +
          "; line 2, column Regione: unknown region 'FOO'; valid INPS labels: " +
          lists_.JoinedRegionLabels() + "; line 2, column numero_domande: negative count '-1'");
}

TEST_F(PublishedCsvTest, ALineTooLongEndsTheFileAfterTheErrorsBeforeIt) {
  const std::string input = std::string(kHeader) + "2023,Agosto,CIGO,ABRUZZO,x\r\n" + kGood +
                            std::string(5000, 'x') + "\r\n" + "2023,Agosto,CIGO,FOO,1\r\n";
  const ParseResult result = Parse(lists_, input, 7);
  EXPECT_EQ(
      Message(result.status),
      "line 2, column numero_domande: count 'x' is not a non-negative integer; line 4: longer "
      "than 4096 bytes (reading stopped there)");
}

// The three real files. Expected per-type totals were computed independently with
//   awk -F, 'NR>1 { gsub("\r", "", $5); t[$3] += $5 } END { for (k in t) print k, t[k] }' FILE
// and the row counts are those of the data README (and `wc -l` minus the header).
struct RealFile {
  const char* name;
  Measure measure;
  size_t rows;
  std::map<std::string, uint64_t> totals;
};

const RealFile kRealFiles[] = {
    {"integrazioni-salariali-domande-2023.csv",
     Measure::kApplications,
     759,
     {{"CIGO", 363463},
      {"CIGS", 3505},
      {"CIGD", 18},
      {"FIS", 3303},
      {"FONDI_Centrali", 272},
      {"FONDI_Territorio", 15}}},
    {"integrazioni-salariali-lavoratori-2023.csv",
     Measure::kWorkers,
     790,
     {{"CIGO", 33086},
      {"CIGS", 188655},
      {"CIGD", 1773},
      {"FIS", 11244},
      {"FONDI_Centrali", 1209},
      {"FONDI_Territorio", 42}}},
    {"integrazioni-salariali-mensilita-2023.csv",
     Measure::kBenefitMonths,
     790,
     {{"CIGO", 37404},
      {"CIGS", 191975},
      {"CIGD", 1917},
      {"FIS", 12999},
      {"FONDI_Centrali", 1345},
      {"FONDI_Territorio", 50}}},
};

class RealFilesTest : public PublishedCsvTest {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(OMNIA_SHARED_DATA_DIR)) {
      GTEST_SKIP() << "real INPS files not found in " << OMNIA_SHARED_DATA_DIR;
    }
  }
  static std::string PathOf(const RealFile& file) {
    return std::string(OMNIA_SHARED_DATA_DIR) + "/" + file.name;
  }
};

TEST_F(RealFilesTest, RowCountsAndTotalsPerType) {
  for (const RealFile& file : kRealFiles) {
    SCOPED_TRACE(file.name);
    std::map<std::string, uint64_t> totals;
    size_t rows = 0;
    Measure measure = Measure::kApplications;
    const absl::Status status = ReadPublishedCsvFile(
        PathOf(file), lists_,
        [&](const PublishedRow& row) {
          ++rows;
          totals[lists_.intervention_types()[static_cast<size_t>(row.type_index)].code] +=
              row.value;
          EXPECT_EQ(row.year, 2023);
          return absl::OkStatus();
        },
        &measure);
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(measure, file.measure);
    EXPECT_EQ(rows, file.rows);
    EXPECT_EQ(totals, file.totals);
  }
}

TEST_F(RealFilesTest, ByteByByteFeedingGivesTheSameRows) {
  for (const RealFile& file : kRealFiles) {
    SCOPED_TRACE(file.name);
    const std::string content = ReadAll(PathOf(file));
    const ParseResult whole = Parse(lists_, content);
    ASSERT_TRUE(whole.status.ok()) << whole.status;
    EXPECT_EQ(whole.rows.size(), file.rows);
    const ParseResult bytes = Parse(lists_, content, 1);
    ASSERT_TRUE(bytes.status.ok()) << bytes.status;
    EXPECT_EQ(bytes.rows, whole.rows);
    EXPECT_EQ(bytes.measure, file.measure);
  }
}

TEST_F(RealFilesTest, LfAndBomVariantsGiveTheSameRows) {
  const RealFile& file = kRealFiles[0];
  const std::string crlf = ReadAll(PathOf(file));
  std::string lf;
  for (const char c : crlf) {
    if (c != '\r') lf.push_back(c);
  }
  const ParseResult original = Parse(lists_, crlf);
  const ParseResult unix_endings = Parse(lists_, "\xEF\xBB\xBF" + lf, 4096);
  ASSERT_TRUE(original.status.ok()) << original.status;
  ASSERT_TRUE(unix_endings.status.ok()) << unix_endings.status;
  EXPECT_EQ(unix_endings.rows, original.rows);
}

TEST_F(PublishedCsvTest, ReadFileErrors) {
  Measure measure;
  const auto ignore = [](const PublishedRow&) { return absl::OkStatus(); };
  EXPECT_EQ(ReadPublishedCsvFile("/nonexistent/file.csv", lists_, ignore, &measure).code(),
            absl::StatusCode::kNotFound);

  const std::string path = ::testing::TempDir() + "published_csv_test_bad.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << kHeader << kGood << "2023,Agosto,CIGO,FOO,1.0\r\n";
  }
  const absl::Status bad = ReadPublishedCsvFile(path, lists_, ignore, &measure);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(bad), StartsWith(path + ": line 3, column Regione:"));

  // The callback's own errors come back unchanged.
  {
    std::ofstream out(path, std::ios::binary);
    out << kHeader << kGood;
  }
  const absl::Status stop = ReadPublishedCsvFile(
      path, lists_, [](const PublishedRow&) { return absl::CancelledError("enough"); }, nullptr);
  EXPECT_EQ(stop, absl::CancelledError("enough"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace omnia::domain
