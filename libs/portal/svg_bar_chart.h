// A horizontal bar chart of counts as inline SVG (one bar per label, in the order given, value
// printed at the end of each bar), and the same numbers as an HTML table.
#ifndef OMNIA_LIBS_PORTAL_SVG_BAR_CHART_H_
#define OMNIA_LIBS_PORTAL_SVG_BAR_CHART_H_

#include <cstdint>
#include <string>
#include <vector>

#include "libs/portal/svg_common.h"

namespace omnia::portal {

struct Bar {
  std::string label;  // e.g. "Lombardia"
  uint64_t value = 0;
};

struct BarChart {
  ChartText text;
  std::vector<Bar> bars;
  // Heading of the table's label column, e.g. "Regione", and of its value column.
  std::string label_heading = "Regione";
  std::string value_heading = "Valore";
};

// Bars sorted by value, largest first (ties by label), as callers usually want them.
std::vector<Bar> SortedByValue(std::vector<Bar> bars);

// The chart as an <svg> element, deterministic for equal input; its height grows with the
// number of bars. No bars draws the axis and says "Nessun dato".
std::string RenderBarChartSvg(const BarChart& chart);

// The data-table alternative, in the bars' order.
std::string RenderBarChartTable(const BarChart& chart);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_SVG_BAR_CHART_H_
