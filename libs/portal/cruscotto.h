// GET /cruscotto — the monitoring dashboard ("Cruscotto di monitoraggio OMNIA IS"), in three
// steps so that the gateway only runs queries:
//   1. ParseCruscottoQuery validates ?misura=&tipo=&regione=&da=&a= against the codelists;
//   2. PlanCruscotto lists the cube queries (AggregationService.Query) the page needs;
//   3. the gateway runs each (following next_page_token), and, when one is refused with
//      FAILED_PRECONDITION and its plan says so, runs its exact alternative; BuildCruscottoModel
//      turns the outcomes into the page model, and RenderCruscottoPage renders it.
// A page is a pure function of the release and the view, so the gateway can cache it per
// (release_id, CruscottoUrl(params)).
// Every number shown is a cube cell as returned. WORKERS is never summed: where the cubes refuse
// a rollup (years served from imported INPS cells) the model carries the refusal, the page says
// so in Italian and shows the exact month x region x type values instead.
#ifndef OMNIA_LIBS_PORTAL_CRUSCOTTO_H_
#define OMNIA_LIBS_PORTAL_CRUSCOTTO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/portal/html.h"
#include "libs/portal/layout.h"
#include "libs/portal/params.h"
#include "libs/portal/svg_bar_chart.h"
#include "libs/portal/svg_line_chart.h"
#include "libs/portal/svg_tile_map.h"
#include "omnia/v1/aggregation.pb.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::portal {

// What the gateway knows before reading any cell.
struct CruscottoContext {
  // CatalogueService.ListCodelists: measures, regions, macro-areas, types, families.
  v1::ListCodelistsResponse codelists;
  // The release every query reads (the latest published one), so the page's numbers equal the
  // published files; empty reads the live cubes.
  std::string release_id;
  // The first year of the series and the latest year holding data (e.g. the largest
  // coverage.last.year among the catalogue's datasets).
  int first_year = 2020;
  int last_year = 2020;
};

// The latest year holding data: the largest coverage.last.year among the published datasets
// (CatalogueService.ListDatasets), or `fallback` when none is published.
int LatestDataYear(const std::vector<v1::Dataset>& datasets, int fallback);

// A validated view. Codes are canonical (as in the codelists).
struct CruscottoParams {
  // misura: a measure code, any case. Default: the first measure of the codelists.
  std::string measure;
  // tipo: "" for every type (one line per family), a family code (one line per type of the
  // family) or a type code (one line).
  std::string type;
  // regione: "" for Italy, a macro-area code, or a region (INPS label or ISTAT code).
  std::string region;
  // da, a: "YYYY-MM", the period of the regional view, within one calendar year. Default: the
  // whole of context.last_year. Only one given: a single month.
  v1::YearMonth from;
  v1::YearMonth to;
};

// INVALID_ARGUMENT in Italian naming the parameter and the valid choices, never quoting the
// value sent: answer 400 with RenderErrorPage.
absl::StatusOr<CruscottoParams> ParseCruscottoQuery(const QueryParams& params,
                                                    const CruscottoContext& context);

enum class CruscottoView {
  kTrend,     // the monthly line chart, one query per year
  kTotal,     // the key figures: the selection's total by month, latest and previous year
  kRegional,  // the tile map and bar chart for the chosen period
};

struct PlannedQuery {
  CruscottoView view = CruscottoView::kTrend;
  // The calendar year the query covers (trend and total); for the regional view, its year.
  int year = 0;
  v1::QueryRequest request;
  // The same selection at MONTH x REGION x TYPE, which the cubes always serve exactly.
  v1::QueryRequest exact_request;
  // Run exact_request when request is refused with FAILED_PRECONDITION (its cells are shown);
  // otherwise the exact query is only offered as a download.
  bool run_exact_on_refusal = false;
};

struct CruscottoPlan {
  std::vector<PlannedQuery> queries;
};

CruscottoPlan PlanCruscotto(const CruscottoParams& params, const CruscottoContext& context);

// What running one planned query gave.
struct QueryOutcome {
  // OK; FAILED_PRECONDITION when the cubes refused a WORKERS rollup (its message is kept for
  // the logs, the page explains it in its own words); anything else is a failure of the page.
  absl::Status status;
  // Every page of the request's cells when OK.
  std::vector<v1::Cell> cells;
  // Every page of exact_request's cells when the request was refused and run_exact_on_refusal.
  std::vector<v1::Cell> exact_cells;
};

// The canonical URL of a view, "/cruscotto?misura=...&tipo=...&regione=...&da=...&a=...",
// leaving out empty parameters; equal views give equal URLs (a cache key for the page).
std::string CruscottoUrl(const CruscottoParams& params);

// "/api/v1/query?measures=...&format=csv": the query URL returning exactly the cells of
// `request` (lists comma-separated, codes as in the request).
std::string QueryUrl(const v1::QueryRequest& request, const std::string& format);

// A download of the numbers one view shows.
struct Download {
  std::string label;  // e.g. "Andamento mensile 2020-2024"
  std::string csv_url;
  std::string xlsx_url;
};

struct KeyFigures {
  bool available = false;
  // When not available: why, in Italian.
  std::string unavailable_reason;
  v1::YearMonth month;  // the latest month with data
  uint64_t value = 0;
  std::optional<uint64_t> year_earlier;  // the same month a year earlier, when known
  std::optional<double> change_percent;  // when year_earlier is known and not 0
  // When year_earlier is not known: why, in Italian.
  std::string comparison_note;
};

struct CruscottoModel {
  CruscottoParams params;
  v1::Measure measure;
  std::string territory;   // "Italia", "Lombardia", "Nord-Ovest"
  std::string type_label;  // "tutti gli interventi", "CIGO - Cassa integrazione ..."
  bool has_data = false;
  std::optional<v1::YearMonth> latest_month;

  KeyFigures key;
  // The monthly totals the key figures come from.
  std::vector<Download> key_downloads;
  // When a rollup was refused: a view the cubes always serve exactly (one region, one type)
  // and its name, e.g. "Piemonte, CIGO".
  std::string exact_view_url;
  std::string exact_view_name;

  LineChart trend;
  // Plain-Italian notices about refused years (WORKERS), empty otherwise.
  std::vector<std::string> trend_notices;
  std::vector<Download> trend_downloads;

  std::string regional_period;  // "marzo 2024", "gennaio - dicembre 2024"
  bool regional_available = false;
  std::string regional_notice;  // why the regional view is not shown as a map
  TileMap map;
  BarChart bars;
  // When the regional rollup is refused: the exact values by region and type for the last
  // month of the period.
  Table exact_regional;
  std::vector<Download> regional_downloads;
};

// outcomes[i] belongs to plan.queries[i]. A failure other than FAILED_PRECONDITION is returned
// as is (the gateway answers 503).
absl::StatusOr<CruscottoModel> BuildCruscottoModel(const CruscottoParams& params,
                                                   const CruscottoContext& context,
                                                   const CruscottoPlan& plan,
                                                   const std::vector<QueryOutcome>& outcomes);

std::string RenderCruscottoPage(const PortalSite& site, const CruscottoContext& context,
                                const CruscottoModel& model);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_CRUSCOTTO_H_
