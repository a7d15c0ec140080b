// Pieces shared by the SVG generators: the value axis with "nice" ticks, colours, and the
// accessible frame (<title>, <desc>, role="img") every chart has.
#ifndef OMNIA_LIBS_PORTAL_SVG_COMMON_H_
#define OMNIA_LIBS_PORTAL_SVG_COMMON_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace omnia::portal {

// A value axis from 0 to `max`, with round tick values (1, 2 or 5 times a power of ten), about
// `target_ticks` of them; the last tick is at or above the largest value.
struct ValueAxis {
  double max = 1;             // the top of the axis (the last tick)
  std::vector<double> ticks;  // ascending, starting at 0
};

// Axis for values in [0, max_value]; a max_value of 0 or less (empty data) gives ticks 0 and 1.
ValueAxis NiceAxis(double max_value, int target_ticks = 5);

// Series colours, dark enough for 3:1 contrast on white (WCAG 1.4.11), distinguishable by
// people with common colour-vision deficiencies; cycles after the last.
absl::string_view SeriesColor(size_t index);

// Dash pattern of a series, so lines differ without colour: "" (solid), "6 3", ...
absl::string_view SeriesDash(size_t index);

// Text and labels of a chart.
struct ChartText {
  // Unique within the page: prefixes the ids of <title> and <desc> (letters, digits, '-').
  std::string id;
  // Short name, read first by screen readers, e.g. "Numero domande autorizzate per mese".
  std::string title;
  // What the chart shows, in a sentence or two.
  std::string description;
};

// Opening <svg> tag with viewBox, role="img", aria-labelledby, and its <title> and <desc>.
std::string SvgOpen(const ChartText& text, int width, int height);

// A number for SVG coordinates: at most two decimals, no trailing zeros ("12.5", "3").
std::string SvgNumber(double value);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_SVG_COMMON_H_
