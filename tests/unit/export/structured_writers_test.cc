// The four structured writers (JSON, JSON-stat, XML, XLSX) share one prologue: they refuse the
// same bad inputs with the same INVALID_ARGUMENT, naming the field or cell, before any byte
// reaches the sink, so a caller that streams the file never sends half of one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "libs/export/writers.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using ::testing::HasSubstr;

struct StructuredWriter {
  std::string name;
  std::function<absl::StatusOr<WriteStats>(const ExportInput&, ChunkSink&)> write;
};

class StructuredWritersTest : public ::testing::TestWithParam<StructuredWriter> {
 protected:
  ExportInput ValidInput() const {
    ExportInput input;
    input.codelists = &lists_;
    input.info = testing::Annuale2023Info(domain::Measure::kApplications);
    input.cells.push_back(testing::BaseCell(lists_, domain::Measure::kApplications, 2023, 4,
                                            "LOMBARDIA", "CIGO", 12));
    return input;
  }

  // Writes `input` and expects INVALID_ARGUMENT naming `expected` with nothing written.
  void ExpectRefused(const ExportInput& input, const std::string& expected) const {
    StringSink sink;
    const absl::StatusOr<WriteStats> stats = GetParam().write(input, sink);
    EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument) << stats.status();
    EXPECT_THAT(std::string(stats.status().message()), HasSubstr(expected));
    EXPECT_EQ(sink.chunks(), 0u);
  }

  const domain::Codelists lists_ = domain::Codelists::Builtin();
};

TEST_P(StructuredWritersTest, AValidInputIsWritten) {
  StringSink sink;
  const absl::StatusOr<WriteStats> stats = GetParam().write(ValidInput(), sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->rows, 1u);
  EXPECT_GT(sink.data().size(), 0u);
}

TEST_P(StructuredWritersTest, MissingCodelistsAreRefusedBeforeAnyByte) {
  ExportInput input = ValidInput();
  input.codelists = nullptr;
  ExpectRefused(input, "codelists");
}

TEST_P(StructuredWritersTest, AMalformedDateIsRefusedBeforeAnyByte) {
  ExportInput input = ValidInput();
  input.info.published_on = "15/01/2026";
  ExpectRefused(input, "info.published_on");
}

TEST_P(StructuredWritersTest, ARepeatedCellIsRefusedBeforeAnyByte) {
  ExportInput input = ValidInput();
  input.cells.push_back(input.cells.front());
  ExpectRefused(input, "cells[");
}

INSTANTIATE_TEST_SUITE_P(
    Writers, StructuredWritersTest,
    ::testing::Values(StructuredWriter{"Json", WriteJson},
                      StructuredWriter{"JsonStat", WriteJsonStat},
                      StructuredWriter{"Xml", WriteXml},
                      StructuredWriter{"Xlsx",
                                       [](const ExportInput& input, ChunkSink& sink) {
                                         return WriteXlsx(input, XlsxOptions{}, sink);
                                       }}),
    [](const ::testing::TestParamInfo<StructuredWriter>& writer) { return writer.param.name; });

}  // namespace
}  // namespace omnia::exporter
