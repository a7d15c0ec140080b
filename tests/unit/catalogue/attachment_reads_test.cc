// The byte ranges ReadAttachment accepts and the public URLs of published files.
#include "libs/catalogue/attachment_reads.h"

#include <gtest/gtest.h>

#include "libs/catalogue/public_urls.h"

namespace omnia::catalogue {
namespace {

TEST(ResolveRangeTest, ZeroLengthMeansToTheEndOfTheFile) {
  absl::StatusOr<ByteRange> range = ResolveRange(100, 0, 0);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->offset, 0u);
  EXPECT_EQ(range->length, 100u);
  range = ResolveRange(100, 40, 0);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->length, 60u);
  range = ResolveRange(100, 100, 0);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->length, 0u);
}

TEST(ResolveRangeTest, ARangeMustLieWithinTheFile) {
  absl::StatusOr<ByteRange> range = ResolveRange(100, 10, 90);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->offset, 10u);
  EXPECT_EQ(range->length, 90u);
  EXPECT_EQ(ResolveRange(100, 101, 0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ResolveRange(100, 10, 91).status().code(), absl::StatusCode::kOutOfRange);
  // No overflow when offset + length wraps around.
  EXPECT_EQ(ResolveRange(100, 10, ~uint64_t{0}).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(PublicUrlTest, ReleaseUrlsEncodeEverySegment) {
  EXPECT_EQ(ReleaseFileUrl("https://dati.example.it", "2026-01-15.2",
                           "integrazioni-salariali-domande-2023",
                           "integrazioni-salariali-domande-2023.csv"),
            "https://dati.example.it/releases/2026-01-15.2/integrazioni-salariali-domande-2023/"
            "integrazioni-salariali-domande-2023.csv");
  EXPECT_EQ(ReleaseFileUrl("http://h", "r", "d", "a b/c?.csv"),
            "http://h/releases/r/d/a%20b%2Fc%3F.csv");
}

TEST(PublicUrlTest, BaseUrlsMustBeAbsoluteHttp) {
  EXPECT_EQ(*NormalizePublicBaseUrl("https://dati.example.it/"), "https://dati.example.it");
  EXPECT_EQ(*NormalizePublicBaseUrl("http://127.0.0.1:8080/opendata"),
            "http://127.0.0.1:8080/opendata");
  for (const char* bad :
       {"", "dati.example.it", "ftp://x", "https://", "https://x/?a=1", "https://x/#top"}) {
    EXPECT_EQ(NormalizePublicBaseUrl(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PublicUrlTest, FillDownloadUrlsPointsEveryAttachmentAtItsRelease) {
  v1::Dataset dataset;
  dataset.set_dataset_id("d");
  dataset.set_release_id("r1");
  dataset.add_attachments()->set_file_name("d.csv");
  dataset.add_attachments()->set_file_name("d.xml");
  FillDownloadUrls("", dataset);
  EXPECT_EQ(dataset.attachments(0).download().url(), "");
  FillDownloadUrls("https://h", dataset);
  EXPECT_EQ(dataset.attachments(0).download().url(), "https://h/releases/r1/d/d.csv");
  EXPECT_EQ(dataset.attachments(1).download().url(), "https://h/releases/r1/d/d.xml");
}

}  // namespace
}  // namespace omnia::catalogue
