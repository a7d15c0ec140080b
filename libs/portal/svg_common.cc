#include "libs/portal/svg_common.h"

#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/portal/format.h"

namespace omnia::portal {
namespace {

// Okabe-Ito-like hues, darkened where needed for 3:1 contrast on white.
constexpr std::array<absl::string_view, 7> kColors = {"#0b5cad", "#c25400", "#007a5e", "#b0306e",
                                                      "#5a4aa8", "#7a6200", "#3d3d3d"};
constexpr std::array<absl::string_view, 4> kDashes = {"", "7 4", "2 3", "10 3 2 3"};

}  // namespace

ValueAxis NiceAxis(double max_value, int target_ticks) {
  ValueAxis axis;
  if (!(max_value > 0) || !std::isfinite(max_value)) {
    axis.max = 1;
    axis.ticks = {0, 1};
    return axis;
  }
  if (target_ticks < 2) target_ticks = 2;
  const double rough = max_value / target_ticks;
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  double step = power;
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * power;
    if (step >= rough) break;
  }
  // Counts are integers: never a fractional step.
  if (step < 1) step = 1;
  const int count = static_cast<int>(std::ceil(max_value / step - 1e-9));
  for (int i = 0; i <= count; ++i) axis.ticks.push_back(step * i);
  axis.max = axis.ticks.back();
  return axis;
}

absl::string_view SeriesColor(size_t index) { return kColors[index % kColors.size()]; }

absl::string_view SeriesDash(size_t index) { return kDashes[index % kDashes.size()]; }

std::string SvgOpen(const ChartText& text, int width, int height) {
  return absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %d %d\" "
      "width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"%s-title %s-desc\">"
      "<title id=\"%s-title\">%s</title><desc id=\"%s-desc\">%s</desc>",
      width, height, width, height, text.id, text.id, text.id, HtmlEscape(text.title), text.id,
      HtmlEscape(text.description));
}

std::string SvgNumber(double value) {
  std::string text = absl::StrFormat("%.2f", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

}  // namespace omnia::portal
