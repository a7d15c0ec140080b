// A line chart of monthly counts as inline SVG: one line per series, a value axis from 0 with
// nice ticks, category labels on the x axis, a legend, and the same numbers as an HTML table.
#ifndef OMNIA_LIBS_PORTAL_SVG_LINE_CHART_H_
#define OMNIA_LIBS_PORTAL_SVG_LINE_CHART_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libs/portal/svg_common.h"

namespace omnia::portal {

// One position on the x axis, e.g. a month.
struct LineCategory {
  // Full name, used in the data table: "marzo 2023".
  std::string label;
  // Axis label under the position, or "" for none (e.g. only January shows "2023").
  std::string tick;
};

struct LineSeries {
  std::string name;  // legend and table column, e.g. "CIGO"
  // One value per category; nullopt where the value is not available (a gap in the line).
  std::vector<std::optional<uint64_t>> values;
};

struct LineChart {
  ChartText text;
  std::vector<LineCategory> categories;
  std::vector<LineSeries> series;
  // Heading of the table's first column, e.g. "Mese".
  std::string category_heading = "Mese";
};

// The chart as an <svg> element, deterministic for equal input. Empty data draws the axes and
// says "Nessun dato"; a lone value (no neighbour) is drawn as a dot.
std::string RenderLineChartSvg(const LineChart& chart);

// The data-table alternative: one row per category, one column per series; "n.d." where a value
// is not available.
std::string RenderLineChartTable(const LineChart& chart);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_SVG_LINE_CHART_H_
