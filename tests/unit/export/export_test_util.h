// Helpers of the export writer tests: inputs, files, and a strict JSON reader used to check that
// the JSON outputs are well formed and hold what they should.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/export/writers.h"

namespace omnia::exporter::testing {

// A base cell (MONTH x REGION x TYPE) by INPS label and type code.
cube::QueryCell BaseCell(const domain::Codelists& lists, domain::Measure measure, int year,
                         int month, std::string_view region, std::string_view type, uint64_t value,
                         cube::Provenance provenance = cube::Provenance::kPublished);

// A cell at any levels, by dense indices.
cube::QueryCell Cell(domain::Measure measure, domain::PeriodKey period, cube::RegionLevel rl,
                     int region, cube::TypeLevel tl, int type, uint64_t value,
                     cube::Provenance provenance = cube::Provenance::kMicroData);

// The metadata of the Annuale 2023 report of `measure`.
DatasetInfo Annuale2023Info(domain::Measure measure);

// The Storico WORKERS report shape: every month of 2020-2025 x 20 regions x 6 types (8640 cells)
// with pseudo-random values, in shuffled order.
ExportInput StoricoWorkers(const domain::Codelists& lists);

std::string ReadFile(const std::string& path);
void WriteFileOrDie(const std::string& path, std::string_view bytes);

// A fresh empty directory under the system temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Number of entries in the directory.
  int Entries() const;

 private:
  std::string path_;
};

// True when `program` is on PATH.
bool HaveProgram(std::string_view program);

// ---- JSON ---------------------------------------------------------------------------------------

struct Json;
using JsonObject = std::vector<std::pair<std::string, Json>>;  // keeps key order
using JsonArray = std::vector<Json>;

// A parsed JSON value. Numbers keep their text so that integers can be checked exactly.
struct Json {
  std::variant<std::nullptr_t, bool, std::string /*number text*/, std::string /*string*/,
               std::shared_ptr<JsonArray>, std::shared_ptr<JsonObject>>
      value;

  bool is_null() const { return value.index() == 0; }
  bool is_bool() const { return value.index() == 1; }
  bool is_number() const { return value.index() == 2; }
  bool is_string() const { return value.index() == 3; }
  bool is_array() const { return value.index() == 4; }
  bool is_object() const { return value.index() == 5; }

  bool boolean() const { return std::get<1>(value); }
  // The number as an unsigned integer; fails the test when it is not one.
  uint64_t uint() const;
  const std::string& number_text() const { return std::get<2>(value); }
  const std::string& str() const { return std::get<3>(value); }
  const JsonArray& array() const { return *std::get<4>(value); }
  const JsonObject& object() const { return *std::get<5>(value); }
  // Member of an object (a cheap copy: containers are shared); fails the test and gives null
  // when absent.
  Json operator[](std::string_view key) const;
  bool has(std::string_view key) const;
  const Json& operator[](size_t index) const { return array().at(index); }
};

// Parses a complete document (RFC 8259, UTF-8 checked, no trailing garbage).
absl::StatusOr<Json> ParseJson(std::string_view text);

}  // namespace omnia::exporter::testing
