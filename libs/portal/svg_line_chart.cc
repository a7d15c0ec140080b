#include "libs/portal/svg_line_chart.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/portal/format.h"
#include "libs/portal/html.h"

namespace omnia::portal {
namespace {

constexpr int kWidth = 960;
constexpr int kPlotLeft = 90;
constexpr int kPlotRight = 940;
constexpr int kPlotTop = 20;
constexpr int kPlotBottom = 330;
constexpr int kLegendTop = 372;
constexpr int kLegendRowHeight = 22;
constexpr int kLegendCharWidth = 8;

double MaxValue(const LineChart& chart) {
  double max = 0;
  for (const LineSeries& series : chart.series) {
    for (const std::optional<uint64_t>& value : series.values) {
      if (value) max = std::max(max, static_cast<double>(*value));
    }
  }
  return max;
}

struct Plot {
  ValueAxis axis;
  size_t count = 0;

  double X(size_t index) const {
    if (count <= 1) return (kPlotLeft + kPlotRight) / 2.0;
    return kPlotLeft + (kPlotRight - kPlotLeft) * static_cast<double>(index) / (count - 1);
  }
  double Y(double value) const { return kPlotBottom - (kPlotBottom - kPlotTop) * value / axis.max; }
};

std::string ValueGrid(const Plot& plot) {
  std::string out = "<g class=\"axis\">";
  for (const double tick : plot.axis.ticks) {
    const std::string y = SvgNumber(plot.Y(tick));
    absl::StrAppend(&out, "<line x1=\"", kPlotLeft, "\" x2=\"", kPlotRight, "\" y1=\"", y,
                    "\" y2=\"", y, "\" class=\"grid\"/>", "<text x=\"", kPlotLeft - 8, "\" y=\"", y,
                    "\" dy=\"4\" text-anchor=\"end\">", FormatCompact(tick), "</text>");
  }
  absl::StrAppend(&out, "<line x1=\"", kPlotLeft, "\" x2=\"", kPlotRight, "\" y1=\"", kPlotBottom,
                  "\" y2=\"", kPlotBottom, "\" class=\"baseline\"/>");
  return out + "</g>";
}

std::string CategoryTicks(const LineChart& chart, const Plot& plot) {
  std::string out = "<g class=\"axis\">";
  for (size_t i = 0; i < chart.categories.size(); ++i) {
    if (chart.categories[i].tick.empty()) continue;
    const std::string x = SvgNumber(plot.X(i));
    absl::StrAppend(&out, "<line x1=\"", x, "\" x2=\"", x, "\" y1=\"", kPlotBottom, "\" y2=\"",
                    kPlotBottom + 6, "\" class=\"baseline\"/><text x=\"", x, "\" y=\"",
                    kPlotBottom + 22, "\" text-anchor=\"middle\">",
                    HtmlEscape(chart.categories[i].tick), "</text>");
  }
  return out + "</g>";
}

// The runs of consecutive available values of one series, as polylines or lone dots.
std::string SeriesMarks(const LineSeries& series, size_t index, const Plot& plot) {
  std::string out = absl::StrFormat("<g class=\"series\" stroke=\"%s\" fill=\"%s\">",
                                    SeriesColor(index), SeriesColor(index));
  const absl::string_view dash = SeriesDash(index);
  size_t i = 0;
  const size_t count = std::min(series.values.size(), plot.count);
  while (i < count) {
    if (!series.values[i]) {
      ++i;
      continue;
    }
    size_t end = i;
    std::string points;
    while (end < count && series.values[end]) {
      absl::StrAppend(&points, points.empty() ? "" : " ", SvgNumber(plot.X(end)), ",",
                      SvgNumber(plot.Y(static_cast<double>(*series.values[end]))));
      ++end;
    }
    if (end - i == 1) {
      absl::StrAppend(&out, "<circle cx=\"", SvgNumber(plot.X(i)), "\" cy=\"",
                      SvgNumber(plot.Y(static_cast<double>(*series.values[i]))),
                      "\" r=\"4\" stroke=\"none\"/>");
    } else {
      absl::StrAppend(&out, "<polyline fill=\"none\" stroke-width=\"2.5\"",
                      dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", dash, "\""),
                      " points=\"", points, "\"/>");
    }
    i = end;
  }
  return out + "</g>";
}

// Legend rows under the plot; returns the height they take.
int Legend(const LineChart& chart, std::string* out) {
  int x = kPlotLeft;
  int y = kLegendTop;
  absl::StrAppend(out, "<g class=\"legend\">");
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const int item_width = 40 + kLegendCharWidth * static_cast<int>(chart.series[i].name.size());
    if (x > kPlotLeft && x + item_width > kPlotRight) {
      x = kPlotLeft;
      y += kLegendRowHeight;
    }
    const absl::string_view dash = SeriesDash(i);
    absl::StrAppend(out, "<line x1=\"", x, "\" x2=\"", x + 28, "\" y1=\"", y - 4, "\" y2=\"", y - 4,
                    "\" stroke=\"", SeriesColor(i), "\" stroke-width=\"3\"",
                    dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", dash, "\""),
                    "/><text x=\"", x + 34, "\" y=\"", y, "\">", HtmlEscape(chart.series[i].name),
                    "</text>");
    x += item_width;
  }
  absl::StrAppend(out, "</g>");
  return y + kLegendRowHeight - kLegendTop;
}

}  // namespace

std::string RenderLineChartSvg(const LineChart& chart) {
  Plot plot;
  plot.axis = NiceAxis(MaxValue(chart));
  plot.count = chart.categories.size();
  std::string body = ValueGrid(plot);
  absl::StrAppend(&body, CategoryTicks(chart, plot));
  bool any_value = false;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    for (const auto& value : chart.series[i].values) any_value = any_value || value.has_value();
    absl::StrAppend(&body, SeriesMarks(chart.series[i], i, plot));
  }
  if (!any_value) {
    absl::StrAppend(&body, "<text x=\"", (kPlotLeft + kPlotRight) / 2, "\" y=\"",
                    (kPlotTop + kPlotBottom) / 2, "\" text-anchor=\"middle\" class=\"empty\">",
                    "Nessun dato</text>");
  }
  const int legend_height = Legend(chart, &body);
  return absl::StrCat(SvgOpen(chart.text, kWidth, kLegendTop + legend_height), body, "</svg>");
}

std::string RenderLineChartTable(const LineChart& chart) {
  Table table;
  table.caption = absl::StrCat("Dati del grafico: ", chart.text.title);
  table.header.push_back(chart.category_heading);
  for (const LineSeries& series : chart.series) table.header.push_back(series.name);
  for (size_t i = 0; i < chart.categories.size(); ++i) {
    std::vector<std::string> row = {chart.categories[i].label};
    for (const LineSeries& series : chart.series) {
      const bool known = i < series.values.size() && series.values[i].has_value();
      row.push_back(known ? FormatInteger(*series.values[i]) : "n.d.");
    }
    table.rows.push_back(std::move(row));
  }
  return RenderTable(table);
}

}  // namespace omnia::portal
