#include "libs/portal/svg_bar_chart.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/portal/format.h"
#include "libs/portal/html.h"

namespace omnia::portal {
namespace {

constexpr int kWidth = 960;
constexpr int kPlotLeft = 250;
constexpr int kPlotRight = 860;
constexpr int kTop = 36;
constexpr int kBarPitch = 28;
constexpr int kBarHeight = 20;

}  // namespace

std::vector<Bar> SortedByValue(std::vector<Bar> bars) {
  std::stable_sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.label < b.label;
  });
  return bars;
}

std::string RenderBarChartSvg(const BarChart& chart) {
  double max = 0;
  for (const Bar& bar : chart.bars) max = std::max(max, static_cast<double>(bar.value));
  const ValueAxis axis = NiceAxis(max);
  const int rows = std::max<int>(1, static_cast<int>(chart.bars.size()));
  const int bottom = kTop + rows * kBarPitch;
  const auto x = [&](double value) {
    return kPlotLeft + (kPlotRight - kPlotLeft) * value / axis.max;
  };
  std::string body = "<g class=\"axis\">";
  for (const double tick : axis.ticks) {
    const std::string tx = SvgNumber(x(tick));
    absl::StrAppend(&body, "<line x1=\"", tx, "\" x2=\"", tx, "\" y1=\"", kTop - 6, "\" y2=\"",
                    bottom, "\" class=\"grid\"/><text x=\"", tx, "\" y=\"", kTop - 12,
                    "\" text-anchor=\"middle\">", FormatCompact(tick), "</text>");
  }
  absl::StrAppend(&body, "<line x1=\"", kPlotLeft, "\" x2=\"", kPlotLeft, "\" y1=\"", kTop - 6,
                  "\" y2=\"", bottom, "\" class=\"baseline\"/></g><g class=\"bars\">");
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& bar = chart.bars[i];
    const int y = kTop + static_cast<int>(i) * kBarPitch + (kBarPitch - kBarHeight) / 2;
    const double end = x(static_cast<double>(bar.value));
    absl::StrAppend(&body, "<text x=\"", kPlotLeft - 8, "\" y=\"", y + 15,
                    "\" text-anchor=\"end\">", HtmlEscape(bar.label), "</text><rect x=\"",
                    kPlotLeft, "\" y=\"", y, "\" width=\"", SvgNumber(end - kPlotLeft),
                    "\" height=\"", kBarHeight, "\" fill=\"", SeriesColor(0), "\"><title>",
                    HtmlEscape(bar.label), ": ", FormatInteger(bar.value), "</title></rect>",
                    "<text x=\"", SvgNumber(end + 6), "\" y=\"", y + 15, "\">",
                    FormatInteger(bar.value), "</text>");
  }
  absl::StrAppend(&body, "</g>");
  if (chart.bars.empty()) {
    absl::StrAppend(&body, "<text x=\"", (kPlotLeft + kPlotRight) / 2, "\" y=\"",
                    kTop + kBarPitch / 2 + 5, "\" text-anchor=\"middle\">Nessun dato</text>");
  }
  return absl::StrCat(SvgOpen(chart.text, kWidth, bottom + 12), body, "</svg>");
}

std::string RenderBarChartTable(const BarChart& chart) {
  Table table;
  table.caption = absl::StrCat("Dati del grafico: ", chart.text.title);
  table.header = {chart.label_heading, chart.value_heading};
  for (const Bar& bar : chart.bars) table.rows.push_back({bar.label, FormatInteger(bar.value)});
  return RenderTable(table);
}

}  // namespace omnia::portal
