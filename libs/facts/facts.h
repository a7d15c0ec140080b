// The facts the cubes are built from, as ingestion logs and forwards them and aggregation applies
// them: validated, pseudonymised events reduced to what a cube cell needs, and the cells of an
// imported published report. Plain values with no behaviour, so that the writer (libs/ingest)
// and the reader (libs/cube) share them without depending on each other.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libs/domain/period.h"

namespace omnia::facts {

// Size of a worker pseudonym: an HMAC-SHA256 digest.
inline constexpr size_t kPseudonymBytes = 32;
using Pseudonym = std::array<char, kPseudonymBytes>;

struct ApplicationFact {
  domain::YearMonth month;
  int region = 0;  // dense region index
  int type = 0;    // dense intervention-type index
};

struct PaymentFact {
  domain::YearMonth month;
  int region = 0;
  int type = 0;
  Pseudonym worker{};
  uint64_t months_covered = 0;
};

// Facts of one forwarded batch; already validated and pseudonymised.
struct FactBatch {
  std::string producer;
  uint64_t sequence = 0;
  // The producer's last applied sequence as the sender believes it; see cube::CubeStore::Apply.
  std::optional<uint64_t> previous_sequence;
  std::vector<ApplicationFact> applications;
  std::vector<PaymentFact> payments;
};

// One cell of an imported published file: a base cell's value.
struct PublishedCell {
  domain::YearMonth month;
  int region = 0;
  int type = 0;
  uint64_t value = 0;
};

}  // namespace omnia::facts
