#include "libs/cube/lattice.h"

#include "absl/strings/str_cat.h"
#include "libs/storage/key_codec.h"

namespace omnia::cube {

std::string_view RegionLevelCode(RegionLevel level) {
  switch (level) {
    case RegionLevel::kRegion:
      return "REGION";
    case RegionLevel::kMacroArea:
      return "MACRO_AREA";
    case RegionLevel::kItaly:
      return "ITALY";
  }
  return "";
}

std::string_view TypeLevelCode(TypeLevel level) {
  switch (level) {
    case TypeLevel::kType:
      return "TYPE";
    case TypeLevel::kFamily:
      return "FAMILY";
    case TypeLevel::kAll:
      return "ALL";
  }
  return "";
}

// Layout, most significant first: [measure:2 period_level:2 region_level:2 type_level:2]
// [year:16] [period_index:8] [region:8] [type:8].
uint64_t PackCellKey(const CellKey& key) {
  const uint64_t levels =
      (static_cast<uint64_t>(key.measure) << 6) | (static_cast<uint64_t>(key.period.level) << 4) |
      (static_cast<uint64_t>(key.region_level) << 2) | static_cast<uint64_t>(key.type_level);
  return (levels << 40) | (static_cast<uint64_t>(key.period.year & 0xffff) << 24) |
         (static_cast<uint64_t>(key.period.index & 0xff) << 16) |
         (static_cast<uint64_t>(key.region & 0xff) << 8) | static_cast<uint64_t>(key.type & 0xff);
}

CellKey UnpackCellKey(uint64_t packed) {
  const uint64_t levels = (packed >> 40) & 0xff;
  CellKey key;
  key.measure = static_cast<domain::Measure>((levels >> 6) & 3);
  key.period.level = static_cast<domain::PeriodLevel>((levels >> 4) & 3);
  key.region_level = static_cast<RegionLevel>((levels >> 2) & 3);
  key.type_level = static_cast<TypeLevel>(levels & 3);
  key.period.year = static_cast<int>((packed >> 24) & 0xffff);
  key.period.index = static_cast<int>((packed >> 16) & 0xff);
  key.region = static_cast<int>((packed >> 8) & 0xff);
  key.type = static_cast<int>(packed & 0xff);
  return key;
}

std::string EncodeStorageKey(uint64_t packed) { return storage::BigEndian(packed, 6); }

absl::StatusOr<uint64_t> DecodeStorageKey(std::string_view bytes) {
  if (bytes.size() != 6) {
    return absl::DataLossError(absl::StrCat("cell key has ", bytes.size(), " bytes, want 6"));
  }
  const uint64_t packed = storage::ReadBigEndian(bytes);
  const CellKey key = UnpackCellKey(packed);
  if (static_cast<int>(key.measure) > 2 || static_cast<int>(key.period.level) > 2 ||
      static_cast<int>(key.region_level) > 2 || static_cast<int>(key.type_level) > 2) {
    return absl::DataLossError("cell key has an unknown measure or level");
  }
  return packed;
}

CellKey BaseCell(domain::Measure measure, const domain::YearMonth& ym, int region_index,
                 int type_index) {
  return CellKey{measure,
                 domain::PeriodKey{domain::PeriodLevel::kMonth, ym.year, ym.month},
                 RegionLevel::kRegion,
                 region_index,
                 TypeLevel::kType,
                 type_index};
}

}  // namespace omnia::cube
