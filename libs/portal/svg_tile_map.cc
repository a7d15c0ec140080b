#include "libs/portal/svg_tile_map.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "libs/portal/format.h"
#include "libs/portal/html.h"

namespace omnia::portal {
namespace {

constexpr int kTile = 84;
constexpr int kGap = 4;
constexpr int kMargin = 8;
constexpr int kRows = 7;
// The legend sits in the sea north-east of the Marche (columns 4-5, rows 0-2 hold no region).
constexpr int kLegendLeft = kMargin + 4 * (kTile + kGap) + 8;
constexpr int kWidth = kLegendLeft + 240;
constexpr int kHeight = kMargin * 2 + kRows * (kTile + kGap);

// Sequential blues, light to dark; labels switch to white where the fill gets dark.
constexpr std::array<std::pair<absl::string_view, absl::string_view>, 5> kScale = {{
    {"#dbe9f6", "#1a1a1a"},
    {"#a9cce8", "#1a1a1a"},
    {"#5d9fd3", "#1a1a1a"},
    {"#1f6fb5", "#ffffff"},
    {"#0a3d73", "#ffffff"},
}};
constexpr absl::string_view kMissingFill = "#e6e6e6";

const ColorClass* ClassOf(const std::vector<ColorClass>& classes, uint64_t value) {
  for (const ColorClass& color_class : classes) {
    if (value <= color_class.high) return &color_class;
  }
  return &classes.back();
}

std::string Tile(const TilePlace& place, const RegionValue* region,
                 const std::vector<ColorClass>& classes) {
  const int x = kMargin + place.column * (kTile + kGap);
  const int y = kMargin + place.row * (kTile + kGap);
  const bool known = region != nullptr && region->value.has_value();
  const ColorClass* color_class = known ? ClassOf(classes, *region->value) : nullptr;
  const std::string name = region != nullptr ? region->name : std::string(place.region_code);
  const std::string value_text = known ? FormatInteger(*region->value) : "n.d.";
  const absl::string_view text_fill = known ? color_class->text_fill : "#1a1a1a";
  return absl::StrCat(
      "<g class=\"tile\"><title>", HtmlEscape(name), ": ", value_text, "</title><rect x=\"", x,
      "\" y=\"", y, "\" width=\"", kTile, "\" height=\"", kTile, "\" rx=\"4\" fill=\"",
      known ? color_class->fill : kMissingFill, "\" stroke=\"#ffffff\"/><text x=\"", x + kTile / 2,
      "\" y=\"", y + 36, "\" text-anchor=\"middle\" font-weight=\"700\" fill=\"", text_fill, "\">",
      place.abbreviation, "</text><text x=\"", x + kTile / 2, "\" y=\"", y + 58,
      "\" text-anchor=\"middle\" font-size=\"12\" fill=\"", text_fill, "\">",
      known ? FormatCompact(static_cast<double>(*region->value)) : "n.d.", "</text></g>");
}

std::string Legend(const std::vector<ColorClass>& classes, bool any_missing) {
  std::string out = absl::StrCat("<g class=\"legend\"><text x=\"", kLegendLeft, "\" y=\"",
                                 kMargin + 16, "\" font-weight=\"700\">Legenda</text>");
  int y = kMargin + 32;
  const auto item = [&](absl::string_view fill, const std::string& label) {
    absl::StrAppend(&out, "<rect x=\"", kLegendLeft, "\" y=\"", y, "\" width=\"22\" height=\"22\" ",
                    "fill=\"", fill, "\" stroke=\"#5c5c5c\"/><text x=\"", kLegendLeft + 30,
                    "\" y=\"", y + 16, "\">", label, "</text>");
    y += 30;
  };
  for (const ColorClass& color_class : classes) {
    item(color_class.fill, color_class.low == color_class.high
                               ? FormatInteger(color_class.low)
                               : absl::StrCat(FormatInteger(color_class.low), " – ",
                                              FormatInteger(color_class.high)));
  }
  if (any_missing) item(kMissingFill, "non disponibile");
  return out + "</g>";
}

}  // namespace

const std::vector<TilePlace>& TilePlaces() {
  static const std::vector<TilePlace> kPlaces = {
      {"PIEMONTE", "PIE", 0, 1},   {"VALLE_D'AOSTA", "VDA", 0, 0},
      {"LOMBARDIA", "LOM", 1, 0},  {"TRENTINO_ALTO_ADIGE", "TAA", 2, 0},
      {"VENETO", "VEN", 2, 1},     {"FRIULI_VENEZIA_GIULIA", "FVG", 3, 0},
      {"LIGURIA", "LIG", 0, 2},    {"EMILIA_ROMAGNA", "EMR", 1, 1},
      {"TOSCANA", "TOS", 1, 2},    {"UMBRIA", "UMB", 2, 2},
      {"MARCHE", "MAR", 3, 2},     {"LAZIO", "LAZ", 2, 3},
      {"ABRUZZO", "ABR", 3, 3},    {"MOLISE", "MOL", 4, 3},
      {"CAMPANIA", "CAM", 3, 4},   {"PUGLIA", "PUG", 5, 3},
      {"BASILICATA", "BAS", 4, 4}, {"CALABRIA", "CAL", 4, 5},
      {"SICILIA", "SIC", 3, 6},    {"SARDEGNA", "SAR", 0, 4},
  };
  return kPlaces;
}

std::vector<ColorClass> ColorClasses(uint64_t max_value) {
  std::vector<ColorClass> classes;
  if (max_value == 0) {
    classes.push_back({0, 0, kScale[0].first, kScale[0].second});
    return classes;
  }
  const uint64_t count = std::min<uint64_t>(kScale.size(), max_value);
  // Class i holds (max*i/count, max*(i+1)/count]; the first also holds 0. Computed without
  // overflow for values near the top of uint64_t.
  const auto bound = [&](uint64_t i) {
    return max_value / count * i + (max_value % count) * i / count;
  };
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t low = i == 0 ? 0 : bound(i) + 1;
    const size_t shade = static_cast<size_t>(i + kScale.size() - count);
    classes.push_back({low, bound(i + 1), kScale[shade].first, kScale[shade].second});
  }
  return classes;
}

std::string RenderTileMapSvg(const TileMap& map) {
  uint64_t max = 0;
  for (const RegionValue& region : map.regions) {
    if (region.value) max = std::max(max, *region.value);
  }
  const std::vector<ColorClass> classes = ColorClasses(max);
  std::string body;
  bool any_missing = false;
  for (const TilePlace& place : TilePlaces()) {
    const auto it = std::find_if(map.regions.begin(), map.regions.end(), [&](const RegionValue& r) {
      return r.region_code == place.region_code;
    });
    const RegionValue* region = it == map.regions.end() ? nullptr : &*it;
    any_missing = any_missing || region == nullptr || !region->value.has_value();
    absl::StrAppend(&body, Tile(place, region, classes));
  }
  absl::StrAppend(&body, Legend(classes, any_missing));
  return absl::StrCat(SvgOpen(map.text, kWidth, kHeight), body, "</svg>");
}

std::string RenderTileMapTable(const TileMap& map) {
  Table table;
  table.caption = absl::StrCat("Dati della mappa: ", map.text.title);
  table.header = {"Regione", map.value_heading};
  for (const RegionValue& region : map.regions) {
    table.rows.push_back({region.name, region.value ? FormatInteger(*region.value) : "n.d."});
  }
  return RenderTable(table);
}

}  // namespace omnia::portal
