#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "libs/dcat/dcat.h"
#include "tests/support/child_process.h"
#include "tests/unit/dcat/test_snapshot.h"

namespace omnia::dcat {
namespace {

using ::omnia::dcat::testing::RealisticSnapshot;
using ::omnia::dcat::testing::TestConfig;
using ::testing::HasSubstr;
using ::testing::Not;

bool HaveXmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

// Runs xmllint on the feed with `arguments`; returns its exit status and output.
int Xmllint(const std::string& feed, const std::string& arguments, std::string& output) {
  omnia::testing::TempDir dir;
  const std::string path = dir.path() + "/releases.atom";
  std::ofstream(path, std::ios::binary) << feed;
  const std::string log = dir.path() + "/xmllint.log";
  const std::string command = absl::StrCat("xmllint ", arguments, " ", path, " > ", log, " 2>&1");
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return status;
}

std::string XPath(const std::string& feed, const std::string& expression) {
  std::string output;
  EXPECT_EQ(Xmllint(feed, absl::StrCat("--xpath \"", expression, "\""), output), 0) << output;
  if (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

TEST(ReleasesFeedTest, IsWellFormedAtomWithOneEntryPerRelease) {
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed";
  const absl::StatusOr<Document> feed = ReleasesFeed(RealisticSnapshot(), TestConfig());
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->content_type, "application/atom+xml; charset=utf-8");
  std::string output;
  EXPECT_EQ(Xmllint(feed->body, "--noout", output), 0) << output << feed->body;

  const std::string atom = "*[namespace-uri()='http://www.w3.org/2005/Atom' and local-name()=";
  EXPECT_EQ(XPath(feed->body, absl::StrCat("count(/", atom, "'feed']/", atom, "'entry'])")), "2");
  EXPECT_EQ(XPath(feed->body, absl::StrCat("string(/", atom, "'feed']/", atom, "'updated'])")),
            "2026-03-31T10:00:00Z");
  EXPECT_EQ(XPath(feed->body, absl::StrCat("string(//", atom, "'entry'][1]/", atom, "'id'])")),
            "tag:dati.example.it,2026-03-31:release/2026-03-31");
  EXPECT_EQ(XPath(feed->body, absl::StrCat("string(//", atom, "'entry'][1]/", atom, "'title'])")),
            "Rilascio 2026-03-31: Rettifica dati 2025 & nuovi mesi <marzo>");
  EXPECT_EQ(XPath(feed->body, absl::StrCat("string(//", atom, "'entry'][2]/", atom, "'updated'])")),
            "2026-01-15T10:00:00Z");
  EXPECT_EQ(
      XPath(feed->body, absl::StrCat("string(//", atom, "'entry'][1]/", atom, "'link'][1]/@href)")),
      "https://dati.example.it/opendata/releases/2026-03-31/SHA256SUMS");
}

TEST(ReleasesFeedTest, SummaryNamesTheDatasetsAddedAndUpdated) {
  const absl::StatusOr<Document> feed = ReleasesFeed(RealisticSnapshot(), TestConfig());
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_THAT(feed->body, HasSubstr("Dataset aggiunti: 1; aggiornati: 1; nel catalogo: 21."));
  EXPECT_THAT(feed->body, HasSubstr("Aggiunto: Numero Domande per regione e tipo di intervento. "
                                    "Anno 2025 (integrazioni-salariali-domande-2025)"));
  EXPECT_THAT(feed->body, HasSubstr("Aggiornato: Storico Numero Domande"));
  EXPECT_THAT(feed->body, HasSubstr("href=\"https://dati.example.it/opendata/dataset/"
                                    "integrazioni-salariali-domande-2025.ttl\""));
  EXPECT_THAT(feed->body, HasSubstr("Dataset aggiunti: 0; aggiornati: 0; nel catalogo: 18."));
}

TEST(ReleasesFeedTest, AnEmptyFeedIsStillValidAndStable) {
  const absl::StatusOr<Document> first = ReleasesFeed(CatalogSnapshot{}, TestConfig());
  const absl::StatusOr<Document> second = ReleasesFeed(CatalogSnapshot{}, TestConfig());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->body, second->body);
  EXPECT_THAT(first->body, HasSubstr("<updated>1970-01-01T00:00:00Z</updated>"));
  EXPECT_THAT(first->body, Not(HasSubstr("<entry>")));
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed";
  std::string output;
  EXPECT_EQ(Xmllint(first->body, "--noout", output), 0) << output;
}

TEST(ReleasesFeedTest, HostileTextStaysWellFormed) {
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed";
  CatalogSnapshot snapshot = RealisticSnapshot();
  snapshot.releases[0].set_description(std::string("]]> <!-- \x01 \xff &amp; \"'", 18));
  const absl::StatusOr<Document> feed = ReleasesFeed(snapshot, TestConfig());
  ASSERT_TRUE(feed.ok()) << feed.status();
  std::string output;
  EXPECT_EQ(Xmllint(feed->body, "--noout", output), 0) << output << feed->body;
}

}  // namespace
}  // namespace omnia::dcat
