// The chart and tile-map generators: axes, scales, labels, empty data, a single point, very
// large values, accessible names and the data-table alternatives.
#include <libxml/parser.h>

#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/portal/svg_bar_chart.h"
#include "libs/portal/svg_line_chart.h"
#include "libs/portal/svg_tile_map.h"
#include "tests/unit/portal/html_dom.h"

namespace omnia::portal {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The SVG must be well-formed XML on its own (it is also served inline in HTML).
bool IsWellFormedXml(const std::string& svg) {
  xmlDoc* doc = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "chart.svg", "utf-8",
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return false;
  xmlFreeDoc(doc);
  return true;
}

LineChart MonthlyChart() {
  LineChart chart;
  chart.text = {"andamento", "Domande per mese", "Due linee, 2023."};
  for (int month = 1; month <= 12; ++month) {
    chart.categories.push_back({"mese " + std::to_string(month), month == 1 ? "2023" : ""});
  }
  chart.series.push_back({"CIG", {}});
  chart.series.push_back({"Fondi <di> solidarietà", {}});
  for (int month = 1; month <= 12; ++month) {
    chart.series[0].values.push_back(1000 * month);
    chart.series[1].values.push_back(month == 6 ? std::nullopt
                                                : std::optional<uint64_t>(500 * month));
  }
  return chart;
}

TEST(NiceAxisTest, TicksAreRoundAndCoverTheLargestValue) {
  EXPECT_THAT(NiceAxis(12000).ticks, ElementsAre(0, 5000, 10000, 15000));
  EXPECT_THAT(NiceAxis(363463).ticks, ElementsAre(0, 100000, 200000, 300000, 400000));
  EXPECT_THAT(NiceAxis(100).ticks, ElementsAre(0, 20, 40, 60, 80, 100));
  EXPECT_THAT(NiceAxis(3).ticks, ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(NiceAxis(0).ticks, ElementsAre(0, 1));
  const ValueAxis huge = NiceAxis(1.8e19);
  EXPECT_GE(huge.max, 1.8e19);
  EXPECT_LE(huge.ticks.size(), 7u);
}

TEST(LineChartTest, HasTitleDescAxesLegendAndOneLinePerSeries) {
  const std::string svg = RenderLineChartSvg(MonthlyChart());
  ASSERT_TRUE(IsWellFormedXml(svg)) << svg;
  HtmlDom dom(svg);
  EXPECT_EQ(dom.Text("//svg/title"), "Domande per mese");
  EXPECT_EQ(dom.Text("//svg/desc"), "Due linee, 2023.");
  EXPECT_EQ(dom.Text("//svg/@role"), "img");
  EXPECT_EQ(dom.Text("//svg/@aria-labelledby"), "andamento-title andamento-desc");
  // Value axis: 0 to 15.000 in steps of 5.000, Italian digits.
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), Contains("15.000"));
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), Contains("5.000"));
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), Contains("2023"));
  // The gap in June splits the second line into two runs.
  EXPECT_EQ(dom.Count("//g[@class='series'][1]/polyline"), 1u);
  EXPECT_EQ(dom.Count("//g[@class='series'][2]/polyline"), 2u);
  EXPECT_THAT(dom.Texts("//g[@class='legend']/text"), ElementsAre("CIG", "Fondi <di> solidarietà"));
  EXPECT_THAT(svg, HasSubstr("Fondi &lt;di&gt; solidarietà"));
  EXPECT_EQ(svg, RenderLineChartSvg(MonthlyChart())) << "deterministic";
}

TEST(LineChartTest, EmptyDataDrawsAxesAndSaysSo) {
  LineChart chart;
  chart.text = {"vuoto", "Nessun valore", "Grafico vuoto."};
  const std::string svg = RenderLineChartSvg(chart);
  ASSERT_TRUE(IsWellFormedXml(svg));
  HtmlDom dom(svg);
  EXPECT_EQ(dom.Text("//text[@class='empty']"), "Nessun dato");
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), ElementsAre("0", "1"));
  EXPECT_EQ(dom.Count("//polyline"), 0u);
}

TEST(LineChartTest, ASinglePointIsADot) {
  LineChart chart;
  chart.text = {"uno", "Un mese", "Un solo valore."};
  chart.categories = {{"gennaio 2024", "2024"}};
  chart.series = {{"CIGO", {42}}};
  const std::string svg = RenderLineChartSvg(chart);
  ASSERT_TRUE(IsWellFormedXml(svg));
  HtmlDom dom(svg);
  EXPECT_EQ(dom.Count("//circle"), 1u);
  EXPECT_EQ(dom.Count("//polyline"), 0u);
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), Contains("50"));
}

TEST(LineChartTest, VeryLargeValuesStayInsideThePlotAndReadCompactly) {
  LineChart chart;
  chart.text = {"grande", "Valori enormi", "Vicino al massimo di uint64."};
  chart.categories = {{"a", "a"}, {"b", "b"}};
  chart.series = {{"X", {std::numeric_limits<uint64_t>::max(), 1}}};
  const std::string svg = RenderLineChartSvg(chart);
  ASSERT_TRUE(IsWellFormedXml(svg));
  HtmlDom dom(svg);
  EXPECT_THAT(svg, Not(HasSubstr("e+"))) << "no scientific notation in coordinates or labels";
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), Contains(HasSubstr("mila mld")));
  // The table keeps the exact value.
  HtmlDom table(RenderLineChartTable(chart));
  EXPECT_THAT(table.Texts("//td"), Contains("18.446.744.073.709.551.615"));
}

TEST(LineChartTest, TableHasOneRowPerCategoryAndMarksGaps) {
  HtmlDom table(RenderLineChartTable(MonthlyChart()));
  EXPECT_EQ(table.Text("//caption"), "Dati del grafico: Domande per mese");
  EXPECT_THAT(table.Texts("//thead/tr/th"), ElementsAre("Mese", "CIG", "Fondi <di> solidarietà"));
  EXPECT_EQ(table.Count("//tbody/tr"), 12u);
  EXPECT_THAT(table.Texts("//tbody/tr[6]/td"), ElementsAre("6.000", "n.d."));
  EXPECT_EQ(table.Text("//tbody/tr[12]/th"), "mese 12");
}

TEST(BarChartTest, BarsInGivenOrderWithValuesAndAxis) {
  BarChart chart;
  chart.text = {"barre", "Per regione", "Barre."};
  chart.bars = SortedByValue({{"Lazio", 10}, {"Lombardia", 363463}, {"Abruzzo", 10}});
  const std::string svg = RenderBarChartSvg(chart);
  ASSERT_TRUE(IsWellFormedXml(svg));
  HtmlDom dom(svg);
  EXPECT_THAT(dom.Texts("//g[@class='bars']/rect/title"),
              ElementsAre("Lombardia: 363.463", "Abruzzo: 10", "Lazio: 10"));
  EXPECT_THAT(dom.Texts("//g[@class='axis']/text"), Contains("400.000"));
  HtmlDom table(RenderBarChartTable(chart));
  EXPECT_THAT(table.Texts("//tbody/tr/th"), ElementsAre("Lombardia", "Abruzzo", "Lazio"));
}

TEST(BarChartTest, EmptyBarsSayNoData) {
  BarChart chart;
  chart.text = {"barre", "Vuoto", "Nessuna barra."};
  HtmlDom dom(RenderBarChartSvg(chart));
  EXPECT_THAT(dom.Texts("//text"), Contains("Nessun dato"));
}

TEST(TileMapTest, TwentyTilesInGeographicPlaces) {
  ASSERT_EQ(TilePlaces().size(), 20u);
  const auto place = [](absl::string_view code) {
    for (const TilePlace& p : TilePlaces()) {
      if (p.region_code == code) return p;
    }
    return TilePlace{};
  };
  // North above south, west left of east, islands where they belong.
  EXPECT_LT(place("LOMBARDIA").row, place("TOSCANA").row);
  EXPECT_LT(place("TOSCANA").row, place("CAMPANIA").row);
  EXPECT_LT(place("CAMPANIA").row, place("SICILIA").row);
  EXPECT_LT(place("PIEMONTE").column, place("VENETO").column);
  EXPECT_LT(place("SARDEGNA").column, place("LAZIO").column);
  EXPECT_LT(place("CALABRIA").row, place("SICILIA").row);
  for (size_t i = 0; i < TilePlaces().size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      EXPECT_FALSE(TilePlaces()[i].row == TilePlaces()[j].row &&
                   TilePlaces()[i].column == TilePlaces()[j].column)
          << TilePlaces()[i].region_code << " overlaps " << TilePlaces()[j].region_code;
    }
  }
}

TEST(TileMapTest, ColoursByValueWithLegendAndMissingRegions) {
  TileMap map;
  map.text = {"mappa", "Lavoratori per regione", "Mappa a tessere."};
  map.regions = {{"LOMBARDIA", "Lombardia", 100},
                 {"LAZIO", "Lazio", 0},
                 {"SICILIA", "Sicilia", 55},
                 {"SARDEGNA", "Sardegna", std::nullopt}};
  const std::string svg = RenderTileMapSvg(map);
  ASSERT_TRUE(IsWellFormedXml(svg));
  HtmlDom dom(svg);
  EXPECT_EQ(dom.Count("//g[@class='tile']"), 20u);
  EXPECT_THAT(dom.Texts("//g[@class='tile']/title"), Contains("Lombardia: 100"));
  EXPECT_THAT(dom.Texts("//g[@class='tile']/title"), Contains("Sardegna: n.d."));
  EXPECT_THAT(dom.Texts("//g[@class='legend']/text"),
              ElementsAre("Legenda", "0 – 20", "21 – 40", "41 – 60", "61 – 80", "81 – 100",
                          "non disponibile"));
  // The largest value has the darkest shade, zero the lightest.
  const std::vector<ColorClass> classes = ColorClasses(100);
  EXPECT_EQ(dom.Text("//g[title='Lombardia: 100']/rect/@fill"), classes.back().fill);
  EXPECT_EQ(dom.Text("//g[title='Lazio: 0']/rect/@fill"), classes.front().fill);
  HtmlDom table(RenderTileMapTable(map));
  EXPECT_THAT(table.Texts("//tbody/tr/td"), ElementsAre("100", "0", "55", "n.d."));
}

TEST(TileMapTest, ClassesCoverEveryValueWithoutOverflow) {
  EXPECT_EQ(ColorClasses(0).size(), 1u);
  EXPECT_EQ(ColorClasses(3).size(), 3u);
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const std::vector<ColorClass> classes = ColorClasses(max);
  ASSERT_EQ(classes.size(), 5u);
  EXPECT_EQ(classes.front().low, 0u);
  EXPECT_EQ(classes.back().high, max);
  for (size_t i = 1; i < classes.size(); ++i) EXPECT_EQ(classes[i].low, classes[i - 1].high + 1);
}

}  // namespace
}  // namespace omnia::portal
