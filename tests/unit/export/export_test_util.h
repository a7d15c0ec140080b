// Helpers of the export writer tests: inputs, files, and a strict JSON parse used to check that
// the JSON outputs are well formed and hold what they should.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/export/writers.h"
#include "nlohmann/json.hpp"

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

// Parses a complete document (RFC 8259: UTF-8 checked, nothing after the value). Fails the test
// and returns null when the text is not valid JSON or an object repeats a key.
nlohmann::json ParseJsonOrFail(const std::string& text);

}  // namespace omnia::exporter::testing
