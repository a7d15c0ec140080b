// The Cruscotto: parameters, the plan of cube queries, the model built from their cells (every
// plotted number is a cell as the cubes returned it), the refusal of WORKERS rollups over years
// served from published INPS cells, and the rendered page.
#include "libs/portal/cruscotto.h"

#include <map>
#include <string>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/portal/format.h"
#include "tests/unit/portal/html_dom.h"
#include "tests/unit/portal/portal_fixtures.h"

namespace omnia::portal {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int kLatestYear = 2024;
constexpr int kLatestMonth = 6;  // data run to June 2024

CruscottoContext Context() {
  CruscottoContext context;
  context.codelists = TestCodelists();
  context.release_id = kRelease;
  context.first_year = 2020;
  context.last_year = kLatestYear;
  return context;
}

// A stand-in for AggregationService.Query over synthetic base cells, refusing WORKERS above
// MONTH x REGION x TYPE over 2023 as the cubes do for years imported from published files.
class FakeCubes {
 public:
  explicit FakeCubes(const v1::ListCodelistsResponse& lists) : lists_(lists) {}

  static uint64_t Base(int year, int month, int region, int type) {
    if (year * 12 + month > kLatestYear * 12 + kLatestMonth) return 0;
    return static_cast<uint64_t>(((year * 12 + month) % 7 + 1) * (region + 1) * (type + 1));
  }

  QueryOutcome Run(const v1::QueryRequest& request) const {
    QueryOutcome outcome;
    outcome.status = Check(request);
    if (outcome.status.ok()) outcome.cells = Cells(request);
    return outcome;
  }

  absl::Status Check(const v1::QueryRequest& request) const {
    const v1::CellQuery& q = request.query();
    const bool above_base = q.period_level() != v1::PERIOD_LEVEL_MONTH ||
                            q.region_level() != v1::REGION_LEVEL_REGION ||
                            q.type_level() != v1::TYPE_LEVEL_TYPE;
    const bool covers_2023 =
        q.period_range().first().year() <= 2023 && q.period_range().last().year() >= 2023;
    if (q.measures(0) == "WORKERS" && above_base && covers_2023) {
      return absl::FailedPreconditionError("workers are not additive: 2023 is published");
    }
    return absl::OkStatus();
  }

  std::vector<v1::Cell> Cells(const v1::QueryRequest& request) const {
    const v1::CellQuery& q = request.query();
    std::map<std::tuple<int, int, std::string, std::string>, uint64_t> groups;
    const int first = q.period_range().first().year() * 12 + q.period_range().first().month() - 1;
    const int last = q.period_range().last().year() * 12 + q.period_range().last().month() - 1;
    bool any = false;
    for (int index = first; index <= last; ++index) {
      const int year = index / 12;
      const int month = index % 12 + 1;
      for (int r = 0; r < lists_.regions_size(); ++r) {
        const v1::Region& region = lists_.regions(r);
        if (!Selected(q.regions(), {region.code(), region.macro_area(), "ITALY"})) continue;
        for (int t = 0; t < lists_.intervention_types_size(); ++t) {
          const v1::InterventionType& type = lists_.intervention_types(t);
          if (!Selected(q.intervention_types(), {type.code(), type.family(), "ALL"})) continue;
          const std::string region_key = q.region_level() == v1::REGION_LEVEL_ITALY ? "ITALY"
                                         : q.region_level() == v1::REGION_LEVEL_MACRO_AREA
                                             ? region.macro_area()
                                             : region.code();
          const std::string type_key = q.type_level() == v1::TYPE_LEVEL_ALL      ? "ALL"
                                       : q.type_level() == v1::TYPE_LEVEL_FAMILY ? type.family()
                                                                                 : type.code();
          const int period_month = q.period_level() == v1::PERIOD_LEVEL_YEAR ? 0 : month;
          const uint64_t value = Base(year, month, r, t);
          any = any || value > 0;
          groups[{year, period_month, region_key, type_key}] += value;
        }
      }
    }
    std::vector<v1::Cell> cells;
    for (const auto& [key, value] : groups) {
      if (value == 0 && !q.dense()) continue;
      v1::Cell cell;
      cell.set_measure(q.measures(0));
      cell.mutable_period()->set_year(std::get<0>(key));
      cell.mutable_period()->set_month(std::get<1>(key));
      cell.mutable_region()->set_code(std::get<2>(key));
      cell.mutable_intervention_type()->set_code(std::get<3>(key));
      cell.set_value(value);
      cells.push_back(cell);
    }
    if (!any && !q.dense()) cells.clear();
    return cells;
  }

  // Runs a plan as the gateway does.
  std::vector<QueryOutcome> RunPlan(const CruscottoPlan& plan) const {
    std::vector<QueryOutcome> outcomes;
    for (const PlannedQuery& query : plan.queries) {
      QueryOutcome outcome = Run(query.request);
      if (absl::IsFailedPrecondition(outcome.status) && query.run_exact_on_refusal) {
        outcome.exact_cells = Cells(query.exact_request);
      }
      outcomes.push_back(std::move(outcome));
    }
    return outcomes;
  }

 private:
  static bool Selected(const google::protobuf::RepeatedPtrField<std::string>& filter,
                       std::initializer_list<std::string> keys) {
    if (filter.empty()) return true;
    for (const std::string& code : filter) {
      for (const std::string& key : keys) {
        if (code == key) return true;
      }
    }
    return false;
  }

  v1::ListCodelistsResponse lists_;
};

CruscottoParams Parse(const QueryParams& params) {
  absl::StatusOr<CruscottoParams> parsed = ParseCruscottoQuery(params, Context());
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : CruscottoParams{};
}

CruscottoModel Model(const CruscottoParams& params) {
  const CruscottoContext context = Context();
  const CruscottoPlan plan = PlanCruscotto(params, context);
  absl::StatusOr<CruscottoModel> model =
      BuildCruscottoModel(params, context, plan, FakeCubes(context.codelists).RunPlan(plan));
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *model : CruscottoModel{};
}

TEST(CruscottoContextTest, LatestDataYearFromTheCatalogue) {
  EXPECT_EQ(LatestDataYear(TestDatasets(), 2020), 2024);
  EXPECT_EQ(LatestDataYear({}, 2026), 2026);
}

TEST(CruscottoParamsTest, DefaultsAndCanonicalCodes) {
  const CruscottoParams defaults = Parse({});
  EXPECT_EQ(defaults.measure, "APPLICATIONS");
  EXPECT_EQ(defaults.type, "");
  EXPECT_EQ(defaults.region, "");
  EXPECT_EQ(IsoMonth(defaults.from), "2024-01");
  EXPECT_EQ(IsoMonth(defaults.to), "2024-12");

  const CruscottoParams chosen =
      Parse({{"misura", "workers"}, {"tipo", "cigo"}, {"regione", "03"}, {"da", "2023-03"}});
  EXPECT_EQ(chosen.measure, "WORKERS");
  EXPECT_EQ(chosen.type, "CIGO");
  EXPECT_EQ(chosen.region, "LOMBARDIA");
  EXPECT_EQ(IsoMonth(chosen.from), "2023-03");
  EXPECT_EQ(IsoMonth(chosen.to), "2023-03");
  EXPECT_EQ(Parse({{"tipo", "fondi"}, {"regione", "centro"}}).type, "FONDI");
  EXPECT_EQ(Parse({{"tipo", "ALL"}, {"regione", "ITALY"}}).region, "");
}

TEST(CruscottoParamsTest, BadValuesNameTheParameterNotTheValue) {
  const std::string personal = "RSSMRA80A01H501U";
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"misura", personal},
                                                        {"tipo", personal},
                                                        {"regione", personal},
                                                        {"da", personal},
                                                        {"a", "2019-12"},
                                                        {"da", "2025-01"},
                                                        {"da", "2024-13"}}) {
    const absl::StatusOr<CruscottoParams> parsed = ParseCruscottoQuery({{name, value}}, Context());
    ASSERT_FALSE(parsed.ok()) << name << "=" << value;
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status()));
    EXPECT_THAT(std::string(parsed.status().message()),
                AllOf(HasSubstr("«" + name + "»"), Not(HasSubstr(personal))));
  }
  EXPECT_THAT(std::string(ParseCruscottoQuery({{"misura", "x"}}, Context()).status().message()),
              HasSubstr("APPLICATIONS, WORKERS, BENEFIT_MONTHS"));
  EXPECT_FALSE(ParseCruscottoQuery({{"da", "2024-05"}, {"a", "2024-02"}}, Context()).ok());
  EXPECT_FALSE(ParseCruscottoQuery({{"da", "2023-05"}, {"a", "2024-02"}}, Context()).ok());
}

TEST(CruscottoPlanTest, ListsTrendTotalAndRegionalQueries) {
  const CruscottoPlan plan = PlanCruscotto(Parse({}), Context());
  ASSERT_THAT(plan.queries, SizeIs(5 + 2 + 1));
  for (int i = 0; i < 5; ++i) {
    const PlannedQuery& trend = plan.queries[i];
    EXPECT_EQ(trend.view, CruscottoView::kTrend);
    EXPECT_EQ(trend.year, 2020 + i);
    EXPECT_EQ(trend.request.release_id(), kRelease);
    const v1::CellQuery& q = trend.request.query();
    EXPECT_THAT(q.measures(), ElementsAre("APPLICATIONS"));
    EXPECT_EQ(IsoMonth(q.period_range().first()), absl::StrCat(2020 + i, "-01"));
    EXPECT_EQ(IsoMonth(q.period_range().last()), absl::StrCat(2020 + i, "-12"));
    EXPECT_EQ(q.period_level(), v1::PERIOD_LEVEL_MONTH);
    EXPECT_EQ(q.region_level(), v1::REGION_LEVEL_ITALY);
    EXPECT_EQ(q.type_level(), v1::TYPE_LEVEL_FAMILY);
    // The exact alternative is the base level, which the cubes always serve.
    EXPECT_EQ(trend.exact_request.query().region_level(), v1::REGION_LEVEL_REGION);
    EXPECT_EQ(trend.exact_request.query().type_level(), v1::TYPE_LEVEL_TYPE);
  }
  EXPECT_EQ(plan.queries[5].view, CruscottoView::kTotal);
  EXPECT_EQ(plan.queries[5].year, 2023);
  EXPECT_EQ(plan.queries[6].year, 2024);
  EXPECT_EQ(plan.queries[6].request.query().type_level(), v1::TYPE_LEVEL_ALL);
  const PlannedQuery& regional = plan.queries[7];
  EXPECT_EQ(regional.view, CruscottoView::kRegional);
  EXPECT_TRUE(regional.run_exact_on_refusal);
  EXPECT_EQ(regional.request.query().period_level(), v1::PERIOD_LEVEL_YEAR);
  EXPECT_EQ(regional.request.query().region_level(), v1::REGION_LEVEL_REGION);
  EXPECT_TRUE(regional.request.query().dense());
  EXPECT_EQ(IsoMonth(regional.exact_request.query().period_range().first()), "2024-12");

  const CruscottoPlan lombardy_cigo = PlanCruscotto(
      Parse({{"regione", "LOMBARDIA"}, {"tipo", "CIGO"}, {"da", "2023-02"}}), Context());
  const v1::CellQuery& trend = lombardy_cigo.queries[0].request.query();
  EXPECT_THAT(trend.regions(), ElementsAre("LOMBARDIA"));
  EXPECT_THAT(trend.intervention_types(), ElementsAre("CIGO"));
  EXPECT_EQ(trend.region_level(), v1::REGION_LEVEL_REGION);
  EXPECT_EQ(trend.type_level(), v1::TYPE_LEVEL_TYPE);
  const v1::CellQuery& map = lombardy_cigo.queries.back().request.query();
  EXPECT_THAT(map.regions(), IsEmpty()) << "the map shows every region";
  EXPECT_EQ(map.period_level(), v1::PERIOD_LEVEL_MONTH);
  EXPECT_EQ(PlanCruscotto(Parse({{"regione", "CENTRO"}}), Context())
                .queries[0]
                .request.query()
                .region_level(),
            v1::REGION_LEVEL_MACRO_AREA);
}

TEST(CruscottoPlanTest, CanonicalUrlOfAView) {
  EXPECT_EQ(CruscottoUrl(Parse({})), "/cruscotto?misura=APPLICATIONS&da=2024-01&a=2024-12");
  EXPECT_EQ(CruscottoUrl(Parse({{"a", "2023-05"}, {"regione", "valle_d'aosta"}, {"tipo", "fis"}})),
            "/cruscotto?misura=APPLICATIONS&tipo=FIS&regione=VALLE_D%27AOSTA&da=2023-05&a=2023-05");
}

TEST(CruscottoPlanTest, QueryUrlCarriesEveryParameter) {
  const CruscottoPlan plan = PlanCruscotto(
      Parse({{"regione", "VALLE_D'AOSTA"}, {"tipo", "CIG"}, {"misura", "WORKERS"}}), Context());
  EXPECT_EQ(QueryUrl(plan.queries[0].request, "csv"),
            "/api/v1/query?measures=WORKERS&regions=VALLE_D%27AOSTA&types=CIG&from=2020-01&"
            "to=2020-12&period_level=month&region_level=region&type_level=type&"
            "release=2025-03-01&format=csv");
  EXPECT_THAT(QueryUrl(plan.queries.back().request, "xlsx"),
              AllOf(HasSubstr("period_level=year"), HasSubstr("dense=true"),
                    HasSubstr("format=xlsx"), Not(HasSubstr("regions="))));
}

TEST(CruscottoModelTest, EveryPlottedNumberIsACell) {
  const CruscottoContext context = Context();
  const CruscottoParams params = Parse({{"da", "2024-02"}, {"a", "2024-04"}});
  const CruscottoModel model = Model(params);
  ASSERT_TRUE(model.has_data);
  EXPECT_EQ(IsoMonth(*model.latest_month), "2024-06");
  // Trend: January 2020 to June 2024, one line per family, equal to the family cells.
  ASSERT_THAT(model.trend.categories, SizeIs(54));
  EXPECT_EQ(model.trend.categories.front().label, "gennaio 2020");
  EXPECT_EQ(model.trend.categories.back().label, "giugno 2024");
  ASSERT_THAT(model.trend.series, SizeIs(2));
  EXPECT_EQ(model.trend.series[0].name, "Cassa integrazione guadagni");
  const FakeCubes cubes(context.codelists);
  for (int year = 2020; year <= 2024; ++year) {
    const std::vector<v1::Cell> cells =
        cubes.Cells(PlanCruscotto(params, context).queries[year - 2020].request);
    for (const v1::Cell& cell : cells) {
      const int index = (year - 2020) * 12 + cell.period().month() - 1;
      const int line = cell.intervention_type().code() == "CIG" ? 0 : 1;
      EXPECT_EQ(model.trend.series[line].values[index], cell.value()) << index;
    }
  }
  EXPECT_THAT(model.trend_notices, IsEmpty());
  ASSERT_THAT(model.trend_downloads, SizeIs(1));
  EXPECT_THAT(model.trend_downloads[0].csv_url,
              AllOf(HasSubstr("from=2020-01&to=2024-06"), HasSubstr("type_level=family"),
                    HasSubstr("format=csv")));
  // Key figures: June 2024 against June 2023, both cells of the Italy x all-types series.
  uint64_t june_2024 = 0;
  uint64_t june_2023 = 0;
  for (int r = 0; r < 20; ++r) {
    for (int t = 0; t < 6; ++t) {
      june_2024 += FakeCubes::Base(2024, 6, r, t);
      june_2023 += FakeCubes::Base(2023, 6, r, t);
    }
  }
  ASSERT_TRUE(model.key.available);
  EXPECT_EQ(model.key.value, june_2024);
  EXPECT_EQ(model.key.year_earlier, june_2023);
  EXPECT_NEAR(*model.key.change_percent, (1.0 * june_2024 - june_2023) / june_2023 * 100, 1e-9);
  // Regional view: every region, equal to its cell, bars sorted.
  EXPECT_EQ(model.regional_period, "febbraio - aprile 2024");
  ASSERT_TRUE(model.regional_available);
  ASSERT_THAT(model.map.regions, SizeIs(20));
  uint64_t lombardy = 0;
  for (int month = 2; month <= 4; ++month) {
    for (int t = 0; t < 6; ++t) lombardy += FakeCubes::Base(2024, month, 2, t);
  }
  EXPECT_EQ(model.map.regions[2].region_code, "LOMBARDIA");
  EXPECT_EQ(model.map.regions[2].value, lombardy);
  ASSERT_THAT(model.bars.bars, SizeIs(20));
  EXPECT_EQ(model.bars.bars.front().label, "Sardegna");  // the largest region index in the fake
  for (size_t i = 1; i < model.bars.bars.size(); ++i) {
    EXPECT_GE(model.bars.bars[i - 1].value, model.bars.bars[i].value);
  }
  // The key figures' monthly totals can be downloaded too; nothing was refused.
  ASSERT_THAT(model.key_downloads, SizeIs(2));
  EXPECT_THAT(model.key_downloads[1].csv_url,
              AllOf(HasSubstr("from=2024-01&to=2024-12"), HasSubstr("region_level=italy"),
                    HasSubstr("type_level=all")));
  EXPECT_EQ(model.exact_view_url, "");
  ASSERT_THAT(model.regional_downloads, SizeIs(1));
  EXPECT_THAT(model.regional_downloads[0].xlsx_url,
              AllOf(HasSubstr("from=2024-02&to=2024-04"), HasSubstr("format=xlsx")));
}

TEST(CruscottoModelTest, RefusedWorkersRollupsAreExplainedAndExactValuesShown) {
  const CruscottoParams params =
      Parse({{"misura", "WORKERS"}, {"da", "2023-01"}, {"a", "2023-03"}});
  const CruscottoModel model = Model(params);
  EXPECT_FALSE(model.measure.additive());
  // 2023 is refused at Italy x family: a gap, never a total, and a plain explanation.
  const size_t january_2023 = 36;
  for (const LineSeries& series : model.trend.series) {
    for (size_t i = january_2023; i < january_2023 + 12; ++i) EXPECT_FALSE(series.values[i]);
    EXPECT_TRUE(series.values[january_2023 - 1].has_value());
    EXPECT_TRUE(series.values[january_2023 + 12].has_value());
  }
  ASSERT_THAT(model.trend_notices, SizeIs(1));
  EXPECT_THAT(model.trend_notices[0], AllOf(HasSubstr("Per il 2023"), HasSubstr("non si sommano"),
                                            HasSubstr("mese, regione e tipo di intervento")));
  std::vector<std::string> labels;
  for (const Download& download : model.trend_downloads) labels.push_back(download.label);
  EXPECT_THAT(labels, Contains("Valori esatti per mese, regione e tipo di intervento, 2023"));
  EXPECT_THAT(labels, Not(Contains(HasSubstr("2020-2024"))))
      << "no link to a query the cubes refuse";
  // June 2024 is micro-data: exact; June 2023 cannot be totalled, so no comparison.
  ASSERT_TRUE(model.key.available);
  EXPECT_FALSE(model.key.year_earlier.has_value());
  EXPECT_THAT(model.key.comparison_note, HasSubstr("non si sommano"));
  // The regional view over 2023 is refused: the exact region x type values of March instead.
  EXPECT_FALSE(model.regional_available);
  EXPECT_THAT(model.regional_notice, HasSubstr("non si sommano"));
  ASSERT_THAT(model.exact_regional.rows, SizeIs(20));
  EXPECT_THAT(model.exact_regional.header, ElementsAre("Regione", "CIGO", "CIGS", "CIGD", "FIS",
                                                       "FONDI_Centrali", "FONDI_Territorio"));
  EXPECT_EQ(model.exact_regional.rows[2][1],
            FormatInteger(FakeCubes::Base(2023, 3, 2, 0)));  // Lombardia, CIGO, March 2023
  EXPECT_THAT(model.regional_downloads[0].csv_url,
              AllOf(HasSubstr("from=2023-03&to=2023-03"), HasSubstr("type_level=type")));
  // And a view the cubes serve exactly: one region, one type.
  EXPECT_EQ(model.exact_view_url,
            "/cruscotto?misura=WORKERS&tipo=CIGO&regione=PIEMONTE&da=2023-01&a=2023-03");
  EXPECT_EQ(model.exact_view_name, "Piemonte, CIGO");
}

TEST(CruscottoModelTest, ASingleRegionAndTypeIsExactEvenForPublishedYears) {
  const CruscottoModel model =
      Model(Parse({{"misura", "WORKERS"}, {"regione", "LOMBARDIA"}, {"tipo", "CIGO"}}));
  EXPECT_THAT(model.trend_notices, IsEmpty());
  ASSERT_THAT(model.trend.series, SizeIs(1));
  EXPECT_EQ(model.trend.series[0].values[36 + 4], FakeCubes::Base(2023, 5, 2, 0));
  ASSERT_TRUE(model.key.available);
  EXPECT_EQ(model.key.year_earlier, FakeCubes::Base(2023, 6, 2, 0));
}

TEST(CruscottoModelTest, OtherFailuresFailThePage) {
  const CruscottoContext context = Context();
  const CruscottoParams params = Parse({});
  const CruscottoPlan plan = PlanCruscotto(params, context);
  std::vector<QueryOutcome> outcomes(plan.queries.size());
  outcomes[1].status = absl::UnavailableError("aggregation unreachable");
  EXPECT_TRUE(absl::IsUnavailable(BuildCruscottoModel(params, context, plan, outcomes).status()));
  EXPECT_FALSE(BuildCruscottoModel(params, context, plan, {}).ok());
}

TEST(CruscottoPageTest, ShowsFiguresChartsMapDownloadsAndTheWorkersWarning) {
  const CruscottoContext context = Context();
  const CruscottoModel model = Model(Parse({{"misura", "WORKERS"}, {"da", "2023-03"}}));
  const std::string html = RenderCruscottoPage(PortalSite{}, context, model);
  EXPECT_LT(html.size(), 200u * 1024);
  HtmlDom dom(html);
  EXPECT_EQ(dom.Text("/html/@lang"), "it");
  EXPECT_EQ(dom.Count("//h1"), 1u);
  EXPECT_EQ(dom.Text("//h1"), "Cruscotto di monitoraggio delle integrazioni salariali");
  EXPECT_THAT(dom.Text("//p[@class='note']"), HasSubstr("non sono sommabili"));
  EXPECT_THAT(dom.Texts("//ul[@class='figures']/li"),
              Contains(HasSubstr("Il confronto con giugno 2023 non è disponibile")));
  EXPECT_THAT(dom.Texts("//p[@class='notice']"), Contains(HasSubstr("non si sommano")));
  EXPECT_THAT(dom.Text("//section[h2='Ultimo mese: giugno 2024']//span[@class='value']"),
              Not(IsEmpty()));
  EXPECT_THAT(dom.Texts("//svg/title"),
              Contains("Numero lavoratori pagati (pagamento diretto) per mese - Italia, tutti gli "
                       "interventi"));
  EXPECT_THAT(dom.Texts("//table/caption"), Contains(HasSubstr("valori esatti")));
  EXPECT_THAT(dom.Texts("//a/@href"), Contains(HasSubstr("/api/v1/query?measures=WORKERS")));
  EXPECT_THAT(dom.Texts("//a"), Contains("XLSX"));
  EXPECT_THAT(dom.Texts("//a/@href"), Contains(HasSubstr("/cruscotto?misura=WORKERS&tipo=CIGO")));
  for (const char* id : {"misura", "tipo", "regione", "da", "a"}) {
    EXPECT_EQ(dom.Count("//label[@for='" + std::string(id) + "']"), 1u) << id;
  }
  EXPECT_EQ(dom.Text("//select[@id='misura']/option[@selected]/@value"), "WORKERS");

  const CruscottoModel applications = Model(Parse({}));
  HtmlDom map_page(RenderCruscottoPage(PortalSite{}, context, applications));
  EXPECT_EQ(map_page.Count("//g[@class='tile']"), 20u);
  EXPECT_EQ(map_page.Count("//g[@class='bars']/rect"), 20u);
  EXPECT_THAT(map_page.Texts("//svg/title"), SizeIs(3));
  EXPECT_THAT(map_page.Texts("//table/caption"), Contains(HasSubstr("Dati della mappa")));
  EXPECT_EQ(map_page.Count("//p[@class='note']"), 0u) << "applications are additive";
}

}  // namespace
}  // namespace omnia::portal
