// The header of a file upload, as ingestion.proto describes it: a field that breaks its rules is
// INVALID_ARGUMENT naming it, before any byte of the file is read.
#include "libs/api/upload_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace omnia::api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(UploadHeaderTest, AFileNameHoldsAtMost255Characters) {
  v1::RawEventsFileHeader raw;
  raw.set_file_name(std::string(255, 'a'));
  EXPECT_TRUE(CheckUploadHeader(raw).ok());
  // Characters, not bytes: 255 two-byte letters are 510 bytes.
  std::string accented;
  for (int i = 0; i < 255; ++i) accented += "\xC3\xA0";
  raw.set_file_name(accented);
  EXPECT_TRUE(CheckUploadHeader(raw).ok());

  raw.set_file_name(std::string(256, 'a'));
  const absl::Status status = CheckUploadHeader(raw);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "header.file_name: at most 255 characters, got 256");

  v1::PublishedReportHeader published;
  published.set_file_name(accented + "x");
  EXPECT_THAT(Message(CheckUploadHeader(published)), StartsWith("header.file_name:"));
}

TEST(UploadHeaderTest, AnExpectedSha256Is64HexDigitsInEitherCase) {
  v1::PublishedReportHeader header;
  header.set_expected_sha256(std::string(32, 'a') + std::string(32, 'F'));
  EXPECT_TRUE(CheckUploadHeader(header).ok());
  for (const std::string& bad : {std::string(63, 'a'), std::string(65, 'a'),
                                 std::string(63, 'a') + "g", std::string(64, ' ')}) {
    header.set_expected_sha256(bad);
    const absl::Status status = CheckUploadHeader(header);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(Message(status), StartsWith("header.expected_sha256: must be 64 hex digits"));
  }
}

TEST(UploadHeaderTest, AnExpectedMeasureIsAMeasureCodeInAnyCase) {
  v1::PublishedReportHeader header;
  for (const char* code : {"APPLICATIONS", "workers", "Benefit_Months"}) {
    header.set_expected_measure(code);
    EXPECT_TRUE(CheckUploadHeader(header).ok()) << code;
  }
  header.set_expected_measure("HOURS");
  EXPECT_THAT(Message(CheckUploadHeader(header)), HasSubstr("header.expected_measure:"));
}

TEST(UploadHeaderTest, ALayoutIsOneOfTheEnumsValues) {
  v1::RawEventsFileHeader header;
  for (const v1::RawEventLayout layout :
       {v1::RAW_EVENT_LAYOUT_UNSPECIFIED, v1::RAW_EVENT_LAYOUT_APPLICATIONS,
        v1::RAW_EVENT_LAYOUT_PAYMENTS}) {
    header.set_layout(layout);
    EXPECT_TRUE(CheckUploadHeader(header).ok());
  }
  header.set_layout(static_cast<v1::RawEventLayout>(7));
  EXPECT_EQ(Message(CheckUploadHeader(header)), "header.layout: unknown value 7");
}

}  // namespace
}  // namespace omnia::api
