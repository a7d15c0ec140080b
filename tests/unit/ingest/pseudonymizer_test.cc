#include "libs/ingest/pseudonymizer.h"

#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "tests/support/child_process.h"

namespace omnia::ingest {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef-test-only";

facts::Pseudonym ReferenceHmac(const std::string& key, const std::string& message) {
  facts::Pseudonym out;
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       reinterpret_cast<unsigned char*>(out.data()), &length);
  return out;
}

TEST(PseudonymizerTest, EqualsHmacSha256OfTheUpperCasedId) {
  auto p = Pseudonymizer::Create(kKey).value();
  EXPECT_EQ(p->Pseudonymise("RSSMRA85T10A562S"), ReferenceHmac(kKey, "RSSMRA85T10A562S"));
  EXPECT_EQ(p->Pseudonymise("rssmra85t10a562s"), ReferenceHmac(kKey, "RSSMRA85T10A562S"));
  const std::string long_id(200, 'x');
  EXPECT_EQ(p->Pseudonymise(long_id), ReferenceHmac(kKey, std::string(200, 'X')));
}

TEST(PseudonymizerTest, ASessionGivesEachIdTheSamePseudonymAsAlone) {
  auto p = Pseudonymizer::Create(kKey).value();
  Pseudonymizer::Session session = p->StartSession();
  const std::vector<std::string> ids = {"RSSMRA85T10A562S", "vrdlgu70a01h501x", "RSSMRA85T10A562S",
                                        std::string(200, 'x'), ""};
  for (const std::string& id : ids) {
    EXPECT_EQ(session.Pseudonymise(id), p->Pseudonymise(id)) << id;
  }
  EXPECT_EQ(session.Pseudonymise("rssmra85t10a562s"), ReferenceHmac(kKey, "RSSMRA85T10A562S"));
}

// A batch's ids pseudonymised together (as CheckBatch does) get each its own pseudonym, the same
// as alone, whatever their case.
TEST(PseudonymizerTest, ABatchOfIdsGetsTheirPseudonymsAsAlone) {
  auto p = Pseudonymizer::Create(kKey).value();
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id =
        "RSSMRA" + std::to_string(10 + i % 90) + "A01H" + std::to_string(100 + i) + "U";
    if (i % 13 == 0) id = absl::AsciiStrToLower(id);
    ids.push_back(id);
  }
  ids.push_back("");
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  std::vector<facts::Pseudonym> batch(views.size());
  p->PseudonymiseAll(views, absl::MakeSpan(batch));
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(batch[i], ReferenceHmac(kKey, absl::AsciiStrToUpper(ids[i]))) << "id " << i;
  }
  EXPECT_NE(batch[0], batch[1]);
}

TEST(PseudonymizerTest, KeysLongerThanABlockAreHashedAsHmacRequires) {
  const std::string long_key(100, 'k');
  auto p = Pseudonymizer::Create(long_key).value();
  EXPECT_EQ(p->Pseudonymise("VRDLGU70A01H501X"), ReferenceHmac(long_key, "VRDLGU70A01H501X"));
}

TEST(PseudonymizerTest, DifferentKeysGiveUnlinkablePseudonyms) {
  auto a = Pseudonymizer::Create(kKey).value();
  auto b = Pseudonymizer::Create(kKey + "x").value();
  EXPECT_NE(a->Pseudonymise("RSSMRA85T10A562S"), b->Pseudonymise("RSSMRA85T10A562S"));
  EXPECT_NE(a->Pseudonymise("RSSMRA85T10A562S"), a->Pseudonymise("RSSMRA85T10A562T"));
}

TEST(PseudonymizerTest, KeyFingerprintTellsKeysApartWithoutRevealingThem) {
  auto a = Pseudonymizer::Create(kKey).value();
  const std::string fingerprint = a->KeyFingerprint();
  EXPECT_EQ(fingerprint.size(), 64u);
  EXPECT_EQ(fingerprint, Pseudonymizer::Create(kKey).value()->KeyFingerprint());
  EXPECT_NE(fingerprint, Pseudonymizer::Create(kKey + "x").value()->KeyFingerprint());
  EXPECT_EQ(fingerprint.find(kKey), std::string::npos);
  // It is no worker's pseudonym: the label holds a byte no worker id can.
  const facts::Pseudonym label = ReferenceHmac(kKey, "\x01OMNIA PSEUDONYMISATION KEY FINGERPRINT");
  EXPECT_EQ(static_cast<unsigned char>(fingerprint[0]),
            "0123456789abcdef"[static_cast<unsigned char>(label[0]) >> 4]);
}

std::string Hex(const facts::Pseudonym& bytes) {
  std::string hex;
  for (char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    hex.push_back("0123456789abcdef"[value >> 4]);
    hex.push_back("0123456789abcdef"[value & 0xf]);
  }
  return hex;
}

// Pseudonyms and the key fingerprint are stored (event log, cube, the fingerprint check at
// restart): these bytes were produced by earlier releases and must never change.
TEST(PseudonymizerTest, PseudonymsAndFingerprintAreThoseOfEarlierReleases) {
  auto p = Pseudonymizer::Create(kKey).value();
  EXPECT_EQ(Hex(p->Pseudonymise("rssmra85t10a562s")),
            "11d00b7e271e0ecbc74e13dfb0f5f2c451d575c51e873a4e438a72cad8af2a15");
  EXPECT_EQ(p->KeyFingerprint(),
            "d938af5ece7b6d85d4b4f38e470614ff56ae3943c058681bf19a30082f5c487b");
  EXPECT_EQ(
      Hex(Pseudonymizer::Create(std::string(100, 'k')).value()->Pseudonymise("VRDLGU70A01H501X")),
      "70ff4d24c053d79bbf2bfca31cdcdd6b6de332dec29b626f45d88d9a7e1ef7da");
}

TEST(PseudonymizerTest, RefusesShortKeys) {
  EXPECT_EQ(Pseudonymizer::Create("short").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LoadSecretTest, ReadsAFileWithoutItsTrailingNewlineElseTheEnvironment) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/key";
  std::ofstream(path) << kKey << "\n";
  EXPECT_EQ(LoadSecret(path, "OMNIA_TEST_UNSET_VAR").value(), kKey);

  setenv("OMNIA_TEST_KEY_VAR", "from-the-environment", 1);
  EXPECT_EQ(LoadSecret("", "OMNIA_TEST_KEY_VAR").value(), "from-the-environment");
  unsetenv("OMNIA_TEST_KEY_VAR");
  absl::StatusOr<std::string> missing = LoadSecret("", "OMNIA_TEST_KEY_VAR");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadSecret(dir.path() + "/absent", "X").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omnia::ingest
