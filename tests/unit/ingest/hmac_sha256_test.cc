// HMAC-SHA256 against the test vectors of RFC 4231 (section 4), whole and fed in pieces.
#include "libs/ingest/hmac_sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace omnia::ingest {
namespace {

struct Rfc4231Case {
  std::string name;
  std::string key;
  std::string data;
  std::string hex;  // the expected HMAC-SHA-256, or its first 128 bits for test case 5
};

std::string Bytes(size_t n, char byte) { return std::string(n, byte); }

std::vector<Rfc4231Case> Rfc4231Cases() {
  std::string counting_key;
  for (char c = 0x01; c <= 0x19; ++c) counting_key.push_back(c);
  return {
      {"1", Bytes(20, 0x0b), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"3", Bytes(20, '\xaa'), Bytes(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"4", counting_key, Bytes(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"5", Bytes(20, 0x0c), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {"6", Bytes(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"7", Bytes(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

std::string Hex(const HmacSha256::Digest& digest, size_t bytes) {
  std::string hex;
  for (size_t i = 0; i < bytes; ++i) {
    const auto value = static_cast<unsigned char>(digest[i]);
    hex.push_back("0123456789abcdef"[value >> 4]);
    hex.push_back("0123456789abcdef"[value & 0xf]);
  }
  return hex;
}

TEST(HmacSha256Test, MatchesRfc4231) {
  for (const Rfc4231Case& c : Rfc4231Cases()) {
    absl::StatusOr<HmacSha256> hmac = HmacSha256::Create(c.key);
    ASSERT_TRUE(hmac.ok()) << hmac.status();
    EXPECT_EQ(Hex(hmac->Of(c.data), c.hex.size() / 2), c.hex) << "test case " << c.name;
  }
}

TEST(HmacSha256Test, PiecesGiveTheDigestOfTheWhole) {
  for (const Rfc4231Case& c : Rfc4231Cases()) {
    const HmacSha256 hmac = HmacSha256::Create(c.key).value();
    HmacSha256::Message message = hmac.Start();
    for (size_t start = 0; start < c.data.size(); start += 7) {
      message.Update(std::string_view(c.data).substr(start, 7));
    }
    EXPECT_EQ(Hex(message.Finish(), c.hex.size() / 2), c.hex) << "test case " << c.name;
  }
}

TEST(HmacSha256Test, OneKeyServesManyMessages) {
  const HmacSha256 hmac = HmacSha256::Create("Jefe").value();
  const HmacSha256::Digest first = hmac.Of("what do ya want for nothing?");
  EXPECT_NE(hmac.Of("something else"), first);
  EXPECT_EQ(hmac.Of("what do ya want for nothing?"), first);
}

TEST(HmacSha256Test, AFinishedMessageStartsTheNextUnderTheSameKey) {
  for (const Rfc4231Case& c : Rfc4231Cases()) {
    const HmacSha256 hmac = HmacSha256::Create(c.key).value();
    HmacSha256::Message message = hmac.Start();
    message.Update("an earlier message, finished before the case's own");
    message.Finish();
    for (int round = 0; round < 3; ++round) {
      message.Update(c.data);
      EXPECT_EQ(Hex(message.Finish(), c.hex.size() / 2), c.hex)
          << "test case " << c.name << ", round " << round;
    }
  }
}

// Many messages at once, side by side in vector lanes where the build has ipsec-mb, give each
// message's own digest: for the RFC's cases, and for messages of every length from empty to
// several blocks, in bursts larger than the library's lanes.
TEST(HmacSha256Test, DigestAllGivesEachMessageItsOwnDigest) {
  std::vector<std::string> texts;
  for (size_t length = 0; length <= 300; ++length) {
    std::string text;
    for (size_t i = 0; i < length; ++i) text.push_back(static_cast<char>('A' + (length + i) % 26));
    texts.push_back(text);
  }
  for (int i = 0; i < 700; ++i)
    texts.push_back("RSSMRA" + std::to_string(10 + i % 90) + "A01H501U");
  const std::vector<std::string_view> messages(texts.begin(), texts.end());
  for (const Rfc4231Case& c : Rfc4231Cases()) {
    for (const bool multi_buffer : {true, false}) {
      const HmacSha256 hmac = HmacSha256::Create(c.key, multi_buffer).value();
      EXPECT_EQ(hmac.multi_buffer(), multi_buffer && HmacSha256::MultiBufferBuilt());
      std::vector<HmacSha256::Digest> none;
      EXPECT_EQ(hmac.DigestAll({}, absl::MakeSpan(none)), 0u);
      std::vector<HmacSha256::Digest> case_digest(1);
      const std::vector<std::string_view> case_message = {c.data};
      // Side by side whenever the library is there: a silent fall-back to Nettle would keep the
      // digests right and lose the speed.
      const size_t expected_side_by_side = hmac.multi_buffer() ? 1 : 0;
      EXPECT_EQ(hmac.DigestAll(case_message, absl::MakeSpan(case_digest)), expected_side_by_side);
      EXPECT_EQ(Hex(case_digest[0], c.hex.size() / 2), c.hex) << "test case " << c.name;
      std::vector<HmacSha256::Digest> digests(messages.size());
      // All but the empty message, which the library refuses and Nettle computes.
      EXPECT_EQ(hmac.DigestAll(messages, absl::MakeSpan(digests)),
                hmac.multi_buffer() ? messages.size() - 1 : 0);
      for (size_t i = 0; i < messages.size(); ++i) {
        ASSERT_EQ(digests[i], hmac.Of(messages[i]))
            << "test case " << c.name << ", message " << i << ", multi-buffer " << multi_buffer;
      }
    }
  }
}

// One key's batches on several threads at once (the ingestion's workers): each gets its own
// digests, and a copy of the key shares the managers safely.
TEST(HmacSha256Test, DigestAllOnSeveralThreadsAtOnce) {
  const HmacSha256 hmac = HmacSha256::Create("a key shared by every ingestion worker").value();
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const HmacSha256 copy = hmac;
      std::vector<std::string> texts;
      for (int i = 0; i < 2000; ++i) texts.push_back("worker-" + std::to_string(t * 100000 + i));
      const std::vector<std::string_view> messages(texts.begin(), texts.end());
      for (int round = 0; round < 5; ++round) {
        std::vector<HmacSha256::Digest> digests(messages.size());
        (round % 2 == 0 ? hmac : copy).DigestAll(messages, absl::MakeSpan(digests));
        for (size_t i = 0; i < messages.size(); ++i) {
          if (digests[i] != hmac.Of(messages[i])) ++wrong[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace omnia::ingest
