#include "libs/domain/measure.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace omnia::domain {
namespace {

using ::testing::HasSubstr;

TEST(MeasureTest, CodesRoundTrip) {
  EXPECT_EQ(MeasureCode(Measure::kApplications), "APPLICATIONS");
  EXPECT_EQ(MeasureCode(Measure::kWorkers), "WORKERS");
  EXPECT_EQ(MeasureCode(Measure::kBenefitMonths), "BENEFIT_MONTHS");
  for (const Measure measure : kAllMeasures) {
    absl::StatusOr<Measure> parsed = ParseMeasure(MeasureCode(measure));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, measure);
  }
  EXPECT_EQ(*ParseMeasure("workers"), Measure::kWorkers);
}

TEST(MeasureTest, UnknownCode) {
  absl::StatusOr<Measure> parsed = ParseMeasure("HOURS");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("'HOURS'"));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("BENEFIT_MONTHS"));
}

TEST(MeasureTest, OnlyWorkersIsNotAdditive) {
  EXPECT_TRUE(IsAdditive(Measure::kApplications));
  EXPECT_FALSE(IsAdditive(Measure::kWorkers));
  EXPECT_TRUE(IsAdditive(Measure::kBenefitMonths));
}

TEST(MeasureTest, InpsColumns) {
  EXPECT_EQ(InpsColumnName(Measure::kApplications), "numero_domande");
  EXPECT_EQ(InpsColumnName(Measure::kWorkers), "numero_lavoratori");
  EXPECT_EQ(InpsColumnName(Measure::kBenefitMonths), "numero_mensilita");
  for (const Measure measure : kAllMeasures) {
    EXPECT_EQ(*MeasureFromInpsColumn(InpsColumnName(measure)), measure);
  }
  // The column belongs to a fixed layout: no case folding.
  EXPECT_FALSE(MeasureFromInpsColumn("Numero_Domande").ok());
  EXPECT_FALSE(MeasureFromInpsColumn("numero_ore").ok());
}

TEST(MeasureTest, NamesAndDefinitions) {
  EXPECT_EQ(MeasureItalianName(Measure::kApplications), "Numero Domande");
  EXPECT_EQ(MeasureItalianName(Measure::kWorkers), "Numero Lavoratori");
  EXPECT_EQ(MeasureItalianName(Measure::kBenefitMonths), "Numero Mensilità");
  for (const Measure measure : kAllMeasures) {
    EXPECT_FALSE(MeasureDefinition(measure).empty());
  }
  EXPECT_THAT(std::string(MeasureDefinition(Measure::kWorkers)), HasSubstr("distinct"));
}

}  // namespace
}  // namespace omnia::domain
