#include "libs/portal/cruscotto.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/portal/format.h"

namespace omnia::portal {
namespace {

constexpr char kItaly[] = "ITALY";
constexpr char kAllTypes[] = "ALL";
constexpr int kMaxPageSize = 10000;

// --- Codelist lookups -------------------------------------------------------------------------

const v1::Measure* FindMeasure(const v1::ListCodelistsResponse& lists, absl::string_view code) {
  for (const v1::Measure& measure : lists.measures()) {
    if (absl::EqualsIgnoreCase(measure.code(), code)) return &measure;
  }
  return nullptr;
}

const v1::Region* FindRegion(const v1::ListCodelistsResponse& lists, absl::string_view code) {
  for (const v1::Region& region : lists.regions()) {
    if (absl::EqualsIgnoreCase(region.code(), code) || region.istat_code() == code) return &region;
  }
  return nullptr;
}

const v1::MacroArea* FindMacroArea(const v1::ListCodelistsResponse& lists, absl::string_view code) {
  for (const v1::MacroArea& area : lists.macro_areas()) {
    if (absl::EqualsIgnoreCase(area.code(), code)) return &area;
  }
  return nullptr;
}

const v1::InterventionType* FindType(const v1::ListCodelistsResponse& lists,
                                     absl::string_view code) {
  for (const v1::InterventionType& type : lists.intervention_types()) {
    if (absl::EqualsIgnoreCase(type.code(), code)) return &type;
  }
  return nullptr;
}

const v1::InterventionFamily* FindFamily(const v1::ListCodelistsResponse& lists,
                                         absl::string_view code) {
  for (const v1::InterventionFamily& family : lists.families()) {
    if (absl::EqualsIgnoreCase(family.code(), code)) return &family;
  }
  return nullptr;
}

template <typename List, typename Code>
std::string JoinCodes(const List& list, Code code) {
  std::vector<std::string> codes;
  for (const auto& item : list) codes.push_back(code(item));
  return absl::StrJoin(codes, ", ");
}

// --- Levels of a selection ----------------------------------------------------------------------

v1::RegionLevel SelectionRegionLevel(const CruscottoParams& params,
                                     const v1::ListCodelistsResponse& lists) {
  if (params.region.empty()) return v1::REGION_LEVEL_ITALY;
  return FindMacroArea(lists, params.region) != nullptr ? v1::REGION_LEVEL_MACRO_AREA
                                                        : v1::REGION_LEVEL_REGION;
}

v1::TypeLevel SelectionTypeLevel(const CruscottoParams& params,
                                 const v1::ListCodelistsResponse& lists) {
  if (params.type.empty()) return v1::TYPE_LEVEL_ALL;
  return FindFamily(lists, params.type) != nullptr ? v1::TYPE_LEVEL_FAMILY : v1::TYPE_LEVEL_TYPE;
}

// Lines of the trend: families when every type is selected, else types.
v1::TypeLevel TrendTypeLevel(const CruscottoParams& params) {
  return params.type.empty() ? v1::TYPE_LEVEL_FAMILY : v1::TYPE_LEVEL_TYPE;
}

v1::YearMonth Month(int year, int month) {
  v1::YearMonth out;
  out.set_year(year);
  out.set_month(month);
  return out;
}

int Index(const v1::YearMonth& month) { return month.year() * 12 + month.month() - 1; }

v1::QueryRequest Request(const CruscottoParams& params, const CruscottoContext& context,
                         const v1::YearMonth& from, const v1::YearMonth& to) {
  v1::QueryRequest request;
  request.set_release_id(context.release_id);
  request.set_page_size(kMaxPageSize);
  v1::CellQuery* query = request.mutable_query();
  query->add_measures(params.measure);
  *query->mutable_period_range()->mutable_first() = from;
  *query->mutable_period_range()->mutable_last() = to;
  if (!params.region.empty()) query->add_regions(params.region);
  if (!params.type.empty()) query->add_intervention_types(params.type);
  query->set_period_level(v1::PERIOD_LEVEL_MONTH);
  query->set_region_level(v1::REGION_LEVEL_REGION);
  query->set_type_level(v1::TYPE_LEVEL_TYPE);
  return request;
}

std::string LevelName(v1::PeriodLevel level) {
  return level == v1::PERIOD_LEVEL_YEAR      ? "year"
         : level == v1::PERIOD_LEVEL_QUARTER ? "quarter"
                                             : "month";
}
std::string LevelName(v1::RegionLevel level) {
  return level == v1::REGION_LEVEL_ITALY        ? "italy"
         : level == v1::REGION_LEVEL_MACRO_AREA ? "macro_area"
                                                : "region";
}
std::string LevelName(v1::TypeLevel level) {
  return level == v1::TYPE_LEVEL_ALL ? "all" : level == v1::TYPE_LEVEL_FAMILY ? "family" : "type";
}

}  // namespace

int LatestDataYear(const std::vector<v1::Dataset>& datasets, int fallback) {
  int latest = 0;
  for (const v1::Dataset& dataset : datasets) {
    if (dataset.has_coverage()) latest = std::max(latest, dataset.coverage().last().year());
  }
  return latest == 0 ? fallback : latest;
}

// --- Parameters ---------------------------------------------------------------------------------

absl::StatusOr<CruscottoParams> ParseCruscottoQuery(const QueryParams& params,
                                                    const CruscottoContext& context) {
  const v1::ListCodelistsResponse& lists = context.codelists;
  CruscottoParams out;
  if (lists.measures_size() > 0) out.measure = lists.measures(0).code();

  absl::StatusOr<std::optional<std::string>> measure = SingleParam(params, "misura", 64);
  if (!measure.ok()) return measure.status();
  if (*measure) {
    const v1::Measure* found = FindMeasure(lists, **measure);
    if (found == nullptr) {
      return ParamError("misura", absl::StrCat("deve essere uno di: ",
                                               JoinCodes(lists.measures(),
                                                         [](const auto& m) { return m.code(); })));
    }
    out.measure = found->code();
  }

  absl::StatusOr<std::optional<std::string>> type = SingleParam(params, "tipo", 64);
  if (!type.ok()) return type.status();
  if (*type && !absl::EqualsIgnoreCase(**type, kAllTypes)) {
    if (const v1::InterventionType* found = FindType(lists, **type)) {
      out.type = found->code();
    } else if (const v1::InterventionFamily* family = FindFamily(lists, **type)) {
      out.type = family->code();
    } else {
      return ParamError(
          "tipo",
          absl::StrCat(
              "deve essere ALL, una famiglia (",
              JoinCodes(lists.families(), [](const auto& f) { return f.code(); }),
              ") o un tipo di intervento (",
              JoinCodes(lists.intervention_types(), [](const auto& t) { return t.code(); }), ")"));
    }
  }

  absl::StatusOr<std::optional<std::string>> region = SingleParam(params, "regione", 64);
  if (!region.ok()) return region.status();
  if (*region && !absl::EqualsIgnoreCase(**region, kItaly)) {
    if (const v1::Region* found = FindRegion(lists, **region)) {
      out.region = found->code();
    } else if (const v1::MacroArea* area = FindMacroArea(lists, **region)) {
      out.region = area->code();
    } else {
      return ParamError("regione",
                        "deve essere ITALY, una ripartizione (NORD_OVEST, NORD_EST, CENTRO, SUD, "
                        "ISOLE) o una regione (etichetta INPS o codice ISTAT)");
    }
  }

  absl::StatusOr<std::optional<std::string>> from = SingleParam(params, "da", 16);
  if (!from.ok()) return from.status();
  absl::StatusOr<std::optional<std::string>> to = SingleParam(params, "a", 16);
  if (!to.ok()) return to.status();
  const std::string range_rule = absl::StrCat(
      "deve essere un mese AAAA-MM dal ", context.first_year, "-01 al ", context.last_year, "-12");
  std::optional<v1::YearMonth> first;
  std::optional<v1::YearMonth> last;
  if (*from) {
    first = ParseYearMonth(**from);
    if (!first || first->year() < context.first_year || first->year() > context.last_year) {
      return ParamError("da", range_rule);
    }
  }
  if (*to) {
    last = ParseYearMonth(**to);
    if (!last || last->year() < context.first_year || last->year() > context.last_year) {
      return ParamError("a", range_rule);
    }
  }
  if (!first && !last) {
    first = Month(context.last_year, 1);
    last = Month(context.last_year, 12);
  }
  if (!first) first = last;
  if (!last) last = first;
  if (Index(*first) > Index(*last)) return ParamError("da", "non può essere dopo il mese «a»");
  if (first->year() != last->year()) {
    return ParamError("a", "deve cadere nello stesso anno del mese «da»");
  }
  out.from = *first;
  out.to = *last;
  return out;
}

// --- Plan ---------------------------------------------------------------------------------------

CruscottoPlan PlanCruscotto(const CruscottoParams& params, const CruscottoContext& context) {
  const v1::ListCodelistsResponse& lists = context.codelists;
  CruscottoPlan plan;
  for (int year = context.first_year; year <= context.last_year; ++year) {
    PlannedQuery trend;
    trend.view = CruscottoView::kTrend;
    trend.year = year;
    trend.exact_request = Request(params, context, Month(year, 1), Month(year, 12));
    trend.request = trend.exact_request;
    trend.request.mutable_query()->set_region_level(SelectionRegionLevel(params, lists));
    trend.request.mutable_query()->set_type_level(TrendTypeLevel(params));
    plan.queries.push_back(std::move(trend));
  }
  for (int year = std::max(context.first_year, context.last_year - 1); year <= context.last_year;
       ++year) {
    PlannedQuery total;
    total.view = CruscottoView::kTotal;
    total.year = year;
    total.exact_request = Request(params, context, Month(year, 1), Month(year, 12));
    total.request = total.exact_request;
    total.request.mutable_query()->set_region_level(SelectionRegionLevel(params, lists));
    total.request.mutable_query()->set_type_level(SelectionTypeLevel(params, lists));
    plan.queries.push_back(std::move(total));
  }
  PlannedQuery regional;
  regional.view = CruscottoView::kRegional;
  regional.year = params.from.year();
  // The map shows every region, whatever territory the rest of the page is about.
  CruscottoParams all_regions = params;
  all_regions.region.clear();
  regional.request = Request(all_regions, context, params.from, params.to);
  v1::CellQuery* query = regional.request.mutable_query();
  query->set_period_level(Index(params.from) == Index(params.to) ? v1::PERIOD_LEVEL_MONTH
                                                                 : v1::PERIOD_LEVEL_YEAR);
  query->set_type_level(SelectionTypeLevel(params, lists));
  query->set_dense(true);
  regional.exact_request = Request(all_regions, context, params.to, params.to);
  regional.run_exact_on_refusal = true;
  plan.queries.push_back(std::move(regional));
  return plan;
}

std::string CruscottoUrl(const CruscottoParams& params) {
  return UrlWithQuery("/cruscotto", {{"misura", params.measure},
                                     {"tipo", params.type},
                                     {"regione", params.region},
                                     {"da", IsoMonth(params.from)},
                                     {"a", IsoMonth(params.to)}});
}

std::string QueryUrl(const v1::QueryRequest& request, const std::string& format) {
  const v1::CellQuery& query = request.query();
  std::vector<std::pair<std::string, std::string>> params = {
      {"measures", absl::StrJoin(query.measures(), ",")},
      {"regions", absl::StrJoin(query.regions(), ",")},
      {"types", absl::StrJoin(query.intervention_types(), ",")},
  };
  if (query.has_period_range()) {
    params.emplace_back("from", IsoMonth(query.period_range().first()));
    params.emplace_back("to", IsoMonth(query.period_range().last()));
  }
  params.emplace_back("period_level", LevelName(query.period_level()));
  params.emplace_back("region_level", LevelName(query.region_level()));
  params.emplace_back("type_level", LevelName(query.type_level()));
  params.emplace_back("dense", query.dense() ? "true" : "");
  params.emplace_back("release", request.release_id());
  params.emplace_back("format", format);
  return UrlWithQuery("/api/v1/query", params);
}

// --- Model --------------------------------------------------------------------------------------

namespace {

Download MakeDownload(std::string label, const v1::QueryRequest& request) {
  return Download{std::move(label), QueryUrl(request, "csv"), QueryUrl(request, "xlsx")};
}

// A line of the trend chart: the code its cells carry and the name in the legend.
struct LineKey {
  std::string code;
  std::string name;
};

std::vector<LineKey> TrendLines(const CruscottoParams& params,
                                const v1::ListCodelistsResponse& lists) {
  std::vector<LineKey> lines;
  if (params.type.empty()) {
    for (const v1::InterventionFamily& family : lists.families()) {
      lines.push_back({family.code(), family.name()});
    }
  } else if (FindFamily(lists, params.type) != nullptr) {
    for (const v1::InterventionType& type : lists.intervention_types()) {
      if (type.family() == params.type) lines.push_back({type.code(), type.code()});
    }
  } else {
    lines.push_back({params.type, params.type});
  }
  return lines;
}

std::string TerritoryName(const CruscottoParams& params, const v1::ListCodelistsResponse& lists) {
  if (params.region.empty()) return "Italia";
  if (const v1::Region* region = FindRegion(lists, params.region)) {
    return std::string(region->name().substr(0, region->name().find('/')));
  }
  if (const v1::MacroArea* area = FindMacroArea(lists, params.region)) return area->name();
  return params.region;
}

std::string TypeName(const CruscottoParams& params, const v1::ListCodelistsResponse& lists) {
  if (params.type.empty()) return "tutti gli interventi";
  if (const v1::InterventionFamily* family = FindFamily(lists, params.type)) return family->name();
  if (const v1::InterventionType* type = FindType(lists, params.type)) {
    return absl::StrCat(type->code(), " - ", type->description());
  }
  return params.type;
}

std::string RegionDisplayName(const v1::Region& region) {
  return std::string(region.name().substr(0, region.name().find('/')));
}

std::string YearList(const std::vector<int>& years) {
  std::vector<std::string> parts;
  for (const int year : years) parts.push_back(absl::StrCat(year));
  if (parts.size() == 1) return parts.front();
  const std::string last = parts.back();
  parts.pop_back();
  return absl::StrCat(absl::StrJoin(parts, ", "), " e ", last);
}

std::string PeriodText(const v1::YearMonth& from, const v1::YearMonth& to) {
  if (Index(from) == Index(to)) return FormatMonth(from);
  return absl::StrCat(MonthName(from.month()), " - ", MonthName(to.month()), " ", to.year());
}

// Cells by (month index, member code); period level MONTH.
using MonthCells = std::map<std::pair<int, std::string>, uint64_t>;

void AddMonthCells(const std::vector<v1::Cell>& cells, MonthCells* out, int* latest) {
  for (const v1::Cell& cell : cells) {
    const int index = cell.period().year() * 12 + cell.period().month() - 1;
    (*out)[{index, cell.intervention_type().code()}] = cell.value();
    *latest = std::max(*latest, index);
  }
}

void BuildTrend(const CruscottoParams& params, const CruscottoContext& context,
                const CruscottoPlan& plan, const std::vector<QueryOutcome>& outcomes, int latest,
                CruscottoModel* model) {
  MonthCells cells;
  std::vector<int> refused_years;
  std::vector<const PlannedQuery*> served;
  int ignored = 0;
  for (size_t i = 0; i < plan.queries.size(); ++i) {
    if (plan.queries[i].view != CruscottoView::kTrend) continue;
    if (outcomes[i].status.ok()) {
      AddMonthCells(outcomes[i].cells, &cells, &ignored);
      served.push_back(&plan.queries[i]);
    } else {
      refused_years.push_back(plan.queries[i].year);
    }
  }
  const std::vector<LineKey> lines = TrendLines(params, context.codelists);
  LineChart& chart = model->trend;
  chart.text.id = "andamento";
  chart.text.title = absl::StrCat(model->measure.name(), " per mese - ", model->territory, ", ",
                                  model->type_label);
  chart.text.description = absl::StrCat(
      "Andamento mensile da gennaio ", context.first_year, " a ",
      latest >= 0 ? FormatMonth(Month(latest / 12, latest % 12 + 1)) : "oggi", ", una linea per ",
      params.type.empty() ? "famiglia di interventi" : "tipo di intervento", ".");
  for (const LineKey& line : lines) chart.series.push_back({line.name, {}});
  for (int index = context.first_year * 12; index <= latest; ++index) {
    const v1::YearMonth month = Month(index / 12, index % 12 + 1);
    chart.categories.push_back(
        {FormatMonth(month), month.month() == 1 ? absl::StrCat(month.year()) : ""});
    const bool refused =
        std::find(refused_years.begin(), refused_years.end(), month.year()) != refused_years.end();
    for (size_t l = 0; l < lines.size(); ++l) {
      std::optional<uint64_t> value;
      if (!refused) {
        // Sparse cells: a month without a cell had no activity.
        const auto it = cells.find({index, lines[l].code});
        value = it == cells.end() ? 0 : it->second;
      }
      chart.series[l].values.push_back(value);
    }
  }
  if (refused_years.empty()) {
    if (!plan.queries.empty() && latest >= 0) {
      v1::QueryRequest whole = served.front()->request;
      *whole.mutable_query()->mutable_period_range()->mutable_first() =
          Month(context.first_year, 1);
      *whole.mutable_query()->mutable_period_range()->mutable_last() =
          Month(latest / 12, latest % 12 + 1);
      model->trend_downloads.push_back(MakeDownload(
          absl::StrCat("Andamento mensile ", context.first_year, "-", latest / 12), whole));
    }
    return;
  }
  model->trend_notices.push_back(absl::StrCat(
      "Per il ", YearList(refused_years), " il valore «", model->measure.name(), "» per ",
      model->territory, " e per ",
      params.type.empty() ? "famiglia di interventi" : "tipo di intervento",
      " non si può calcolare: quei dati vengono dai file pubblicati dall'INPS, che riportano i "
      "lavoratori solo per mese, regione e tipo di intervento, e i lavoratori non si sommano (chi "
      "è pagato in più regioni o per più tipi di intervento è una sola persona). Il grafico lascia "
      "vuoti quei mesi invece di mostrare un totale sbagliato. Sono esatti i valori per mese, "
      "regione e tipo di intervento: scaricali qui sotto, oppure scegli una regione e un tipo di "
      "intervento per vederne la serie completa."));
  for (const PlannedQuery* query : served) {
    model->trend_downloads.push_back(
        MakeDownload(absl::StrCat("Andamento mensile ", query->year), query->request));
  }
  for (size_t i = 0; i < plan.queries.size(); ++i) {
    if (plan.queries[i].view != CruscottoView::kTrend || outcomes[i].status.ok()) continue;
    model->trend_downloads.push_back(
        MakeDownload(absl::StrCat("Valori esatti per mese, regione e tipo di intervento, ",
                                  plan.queries[i].year),
                     plan.queries[i].exact_request));
  }
}

void BuildKeyFigures(const CruscottoPlan& plan, const std::vector<QueryOutcome>& outcomes,
                     int latest, CruscottoModel* model) {
  KeyFigures& key = model->key;
  if (latest < 0) {
    key.unavailable_reason = "Non ci sono ancora dati per questa selezione.";
    return;
  }
  key.month = Month(latest / 12, latest % 12 + 1);
  // The total of a month: missing when no query covers its year, refused when the cubes
  // refused that year's rollup.
  enum class Total { kMissing, kRefused, kValue };
  const auto total_at = [&](int index, uint64_t* value) {
    for (size_t i = 0; i < plan.queries.size(); ++i) {
      if (plan.queries[i].view != CruscottoView::kTotal || plan.queries[i].year != index / 12) {
        continue;
      }
      if (!outcomes[i].status.ok()) return Total::kRefused;
      *value = 0;
      for (const v1::Cell& cell : outcomes[i].cells) {
        if (cell.period().month() == index % 12 + 1) *value = cell.value();
      }
      return Total::kValue;
    }
    return Total::kMissing;
  };
  uint64_t current = 0;
  if (total_at(latest, &current) != Total::kValue) {
    key.unavailable_reason = absl::StrCat(
        "Il valore «", model->measure.name(), "» di ", FormatMonth(key.month), " per ",
        model->territory, " e ", model->type_label,
        " non si può calcolare: i dati di quell'anno vengono dai file pubblicati dall'INPS, che "
        "riportano i lavoratori solo per mese, regione e tipo di intervento, e i lavoratori non "
        "si sommano. Scegli una regione e un tipo di intervento per il valore esatto.");
    return;
  }
  key.available = true;
  key.value = current;
  uint64_t earlier = 0;
  const Total earlier_total = total_at(latest - 12, &earlier);
  v1::YearMonth earlier_month = key.month;
  earlier_month.set_year(earlier_month.year() - 1);
  if (earlier_total == Total::kMissing) {
    key.comparison_note = absl::StrCat("Nessun dato per ", FormatMonth(earlier_month),
                                       ": il confronto con l'anno prima non è disponibile.");
  } else if (earlier_total == Total::kRefused) {
    key.comparison_note = absl::StrCat(
        "Il confronto con ", FormatMonth(earlier_month),
        " non è disponibile: i dati di quell'anno vengono dai file pubblicati dall'INPS e i "
        "lavoratori non si sommano.");
  }
  if (earlier_total == Total::kValue) {
    key.year_earlier = earlier;
    if (earlier > 0) {
      key.change_percent = (static_cast<double>(key.value) - static_cast<double>(earlier)) /
                           static_cast<double>(earlier) * 100.0;
    }
  }
}

void BuildRegional(const CruscottoParams& params, const CruscottoContext& context,
                   const PlannedQuery& query, const QueryOutcome& outcome, CruscottoModel* model) {
  const v1::ListCodelistsResponse& lists = context.codelists;
  model->regional_period = PeriodText(params.from, params.to);
  const std::string title = absl::StrCat(model->measure.name(), " per regione - ",
                                         model->regional_period, ", ", model->type_label);
  if (outcome.status.ok()) {
    model->regional_available = true;
    std::map<std::string, uint64_t> values;
    for (const v1::Cell& cell : outcome.cells) values[cell.region().code()] = cell.value();
    model->map.text = {"mappa", title,
                       absl::StrCat("Mappa a tessere delle 20 regioni, colorate per valore in ",
                                    "cinque classi (legenda a destra).")};
    std::vector<Bar> bars;
    for (const v1::Region& region : lists.regions()) {
      const auto it = values.find(region.code());
      const uint64_t value = it == values.end() ? 0 : it->second;
      model->map.regions.push_back({region.code(), RegionDisplayName(region), value});
      bars.push_back({RegionDisplayName(region), value});
    }
    model->map.value_heading = model->measure.name();
    model->bars.text = {"barre", absl::StrCat(title, ", in ordine decrescente"),
                        "Una barra per regione, dalla regione con il valore più alto."};
    model->bars.bars = SortedByValue(std::move(bars));
    model->bars.value_heading = model->measure.name();
    model->regional_downloads.push_back(
        MakeDownload(absl::StrCat("Vista regionale, ", model->regional_period), query.request));
    return;
  }
  model->regional_notice = absl::StrCat(
      "Il valore «", model->measure.name(), "» per regione nel periodo ", model->regional_period,
      " per ", model->type_label,
      " non si può calcolare: quei dati vengono dai file pubblicati dall'INPS, che riportano i "
      "lavoratori solo per mese, regione e tipo di intervento, e i lavoratori non si sommano. "
      "Qui sotto i valori esatti di ",
      FormatMonth(params.to), " per regione e tipo di intervento.");
  std::vector<std::string> types;
  std::map<std::pair<std::string, std::string>, uint64_t> values;
  for (const v1::Cell& cell : outcome.exact_cells) {
    values[{cell.region().code(), cell.intervention_type().code()}] = cell.value();
  }
  for (const v1::InterventionType& type : lists.intervention_types()) {
    if (params.type.empty() || type.code() == params.type || type.family() == params.type) {
      types.push_back(type.code());
    }
  }
  Table& table = model->exact_regional;
  table.caption = absl::StrCat(model->measure.name(), " per regione e tipo di intervento, ",
                               FormatMonth(params.to), " (valori esatti)");
  table.header = {"Regione"};
  table.header.insert(table.header.end(), types.begin(), types.end());
  for (const v1::Region& region : lists.regions()) {
    std::vector<std::string> row = {RegionDisplayName(region)};
    for (const std::string& type : types) {
      const auto it = values.find({region.code(), type});
      row.push_back(FormatInteger(it == values.end() ? 0 : it->second));
    }
    table.rows.push_back(std::move(row));
  }
  model->regional_downloads.push_back(MakeDownload(
      absl::StrCat("Valori esatti per regione e tipo di intervento, ", FormatMonth(params.to)),
      query.exact_request));
}

// One region and one type: the base level, exact for every measure and year.
void SetExactView(const CruscottoParams& params, const v1::ListCodelistsResponse& lists,
                  CruscottoModel* model) {
  CruscottoParams exact = params;
  if (FindRegion(lists, params.region) == nullptr && lists.regions_size() > 0) {
    exact.region = lists.regions(0).code();
  }
  if (FindType(lists, params.type) == nullptr) {
    for (const v1::InterventionType& type : lists.intervention_types()) {
      if (params.type.empty() || type.family() == params.type) {
        exact.type = type.code();
        break;
      }
    }
  }
  model->exact_view_url = CruscottoUrl(exact);
  model->exact_view_name = absl::StrCat(TerritoryName(exact, lists), ", ", exact.type);
}

}  // namespace

absl::StatusOr<CruscottoModel> BuildCruscottoModel(const CruscottoParams& params,
                                                   const CruscottoContext& context,
                                                   const CruscottoPlan& plan,
                                                   const std::vector<QueryOutcome>& outcomes) {
  if (outcomes.size() != plan.queries.size()) {
    return absl::InvalidArgumentError("outcomes: one per planned query is required");
  }
  for (const QueryOutcome& outcome : outcomes) {
    if (!outcome.status.ok() && !absl::IsFailedPrecondition(outcome.status)) {
      return outcome.status;
    }
  }
  CruscottoModel model;
  model.params = params;
  if (const v1::Measure* measure = FindMeasure(context.codelists, params.measure)) {
    model.measure = *measure;
  } else {
    model.measure.set_code(params.measure);
    model.measure.set_name(params.measure);
  }
  model.territory = TerritoryName(params, context.codelists);
  model.type_label = TypeName(params, context.codelists);

  int latest = -1;
  for (size_t i = 0; i < plan.queries.size(); ++i) {
    if (plan.queries[i].view == CruscottoView::kRegional || !outcomes[i].status.ok()) continue;
    MonthCells ignored;
    AddMonthCells(outcomes[i].cells, &ignored, &latest);
  }
  // A refused year holds data we cannot total: the series runs to its end, shown as a gap.
  for (size_t i = 0; i < plan.queries.size(); ++i) {
    if (plan.queries[i].view == CruscottoView::kTrend && !outcomes[i].status.ok()) {
      latest = std::max(latest, plan.queries[i].year * 12 + 11);
    }
  }
  model.has_data = latest >= 0;
  if (model.has_data) model.latest_month = Month(latest / 12, latest % 12 + 1);
  BuildKeyFigures(plan, outcomes, latest, &model);
  bool any_refused = false;
  for (size_t i = 0; i < plan.queries.size(); ++i) {
    any_refused = any_refused || !outcomes[i].status.ok();
    if (plan.queries[i].view == CruscottoView::kTotal && outcomes[i].status.ok()) {
      model.key_downloads.push_back(MakeDownload(
          absl::StrCat("Totale mensile ", plan.queries[i].year), plan.queries[i].request));
    }
  }
  if (any_refused) SetExactView(params, context.codelists, &model);
  BuildTrend(params, context, plan, outcomes, latest, &model);
  for (size_t i = 0; i < plan.queries.size(); ++i) {
    if (plan.queries[i].view == CruscottoView::kRegional) {
      BuildRegional(params, context, plan.queries[i], outcomes[i], &model);
    }
  }
  return model;
}

}  // namespace omnia::portal
