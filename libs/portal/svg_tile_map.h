// A tile map of the 20 Italian regions as inline SVG: each region a square tile at its
// approximate geographic place (Valle d'Aosta top left, Sicilia bottom, Sardegna on the left),
// coloured by value in five classes with a legend, and the same numbers as an HTML table.
#ifndef OMNIA_LIBS_PORTAL_SVG_TILE_MAP_H_
#define OMNIA_LIBS_PORTAL_SVG_TILE_MAP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "libs/portal/svg_common.h"

namespace omnia::portal {

// Where a region sits on the tile grid (6 columns, 7 rows).
struct TilePlace {
  absl::string_view region_code;   // INPS label, e.g. "LOMBARDIA"
  absl::string_view abbreviation;  // e.g. "LOM"
  int column = 0;
  int row = 0;
};

// The 20 regions' places, in ISTAT order.
const std::vector<TilePlace>& TilePlaces();

struct RegionValue {
  std::string region_code;  // INPS label; codes without a place are left out of the map
  std::string name;         // display name, e.g. "Lombardia"
  // nullopt: not available (drawn grey, "n.d.").
  std::optional<uint64_t> value;
};

struct TileMap {
  ChartText text;
  std::vector<RegionValue> regions;
  std::string value_heading = "Valore";
};

// One colour class of the legend: values in [low, high].
struct ColorClass {
  uint64_t low = 0;
  uint64_t high = 0;
  absl::string_view fill;
  absl::string_view text_fill;  // label colour with at least 4.5:1 contrast on `fill`
};

// Five equal-width classes from 0 to the largest value (fewer when the largest value is
// below 5); a single class [0, 0] when every value is 0 or there are none.
std::vector<ColorClass> ColorClasses(uint64_t max_value);

// The map as an <svg> element, deterministic for equal input. Regions missing from `regions`
// are drawn as not available.
std::string RenderTileMapSvg(const TileMap& map);

// The data-table alternative: every region given, in the order given.
std::string RenderTileMapTable(const TileMap& map);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_SVG_TILE_MAP_H_
