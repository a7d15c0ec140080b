#include "libs/synth/worker_id.h"

#include "libs/synth/internal/random.h"

namespace omnia::synth {
namespace {

constexpr uint64_t kMask40 = kMaxSyntheticWorkers - 1;

// Surname and first-name codes are built from consonants, as real ones mostly are.
constexpr char kConsonants[] = "BCDFGHJKLMNPQRSTVWXYZ";
constexpr uint64_t kConsonantCount = sizeof(kConsonants) - 1;
// Birth-month letters of the codice fiscale.
constexpr char kMonthLetters[] = "ABCDEHLMPRST";
// Birth years of people of working age in the covered period.
constexpr uint64_t kFirstBirthYear = 1958;
constexpr uint64_t kBirthYears = 48;
// Days 1..28 exist in every month; women's days are shifted by 40.
// Days 1..28 exist in every month (women's days are shifted by 40, chosen apart from the index).
constexpr uint64_t kDays = 28;

static_assert(kConsonantCount * kConsonantCount * kConsonantCount * kConsonantCount *
                      kConsonantCount * kConsonantCount * kBirthYears * 12 * kDays >=
                  kMaxSyntheticWorkers,
              "the name and birth fields must be able to hold every scrambled index");

// Values of characters in odd (1-based) positions for the check character, for 0-9 and A-Z.
constexpr int kOddValues[26] = {1,  0,  5, 7, 9, 13, 15, 17, 19, 21, 2,  4,  18,
                                20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};

// A bijection of [0, 2^40): odd multiplications and xor-shifts are each invertible modulo 2^40.
uint64_t Scramble40(uint64_t x) {
  x = (x * 0x5bd1e995a7ULL) & kMask40;
  x ^= x >> 21;
  x = (x * 0x2545f4914fULL) & kMask40;
  x ^= x >> 19;
  x = (x * 0x9e3779b97ULL) & kMask40;
  return x ^ (x >> 23);
}

}  // namespace

char CodiceFiscaleCheckChar(const char* first15) {
  int sum = 0;
  for (int i = 0; i < 15; ++i) {
    const char c = first15[i];
    const int value = c >= 'A' ? c - 'A' : c - '0';
    sum += (i % 2 == 0) ? kOddValues[value] : value;
  }
  return static_cast<char>('A' + sum % 26);
}

WorkerIdFormatter::WorkerIdFormatter(uint64_t seed)
    : offset_(internal::StreamKey(seed, 101) & kMask40),
      town_key_(internal::StreamKey(seed, 102)) {}

void WorkerIdFormatter::Format(uint64_t index, char* out) const {
  uint64_t x = Scramble40((index + offset_) & kMask40);
  const uint64_t mixed = internal::Mix64(x ^ town_key_);
  // Mixed-radix decoding of x into the birth date and name fields makes the map injective. The
  // birth date comes first so that it is uniform; the last name letter takes what is left over.
  const uint64_t day = x % kDays + 1 + ((mixed >> 40) % 2 == 0 ? 0 : 40);
  x /= kDays;
  out[8] = kMonthLetters[x % 12];
  x /= 12;
  const uint64_t year = (kFirstBirthYear + x % kBirthYears) % 100;
  x /= kBirthYears;
  for (int i = 0; i < 6; ++i) {
    out[i] = kConsonants[x % kConsonantCount];
    x /= kConsonantCount;
  }
  out[6] = static_cast<char>('0' + year / 10);
  out[7] = static_cast<char>('0' + year % 10);
  out[9] = static_cast<char>('0' + day / 10);
  out[10] = static_cast<char>('0' + day % 10);
  // Place of birth: an Italian municipality (A..M) or, for about one in twenty, abroad (Z).
  const uint64_t place = mixed % 1000;
  out[11] = (mixed >> 20) % 20 == 0 ? 'Z' : static_cast<char>('A' + (mixed >> 10) % 13);
  const uint64_t town = place == 0 ? 1 : place;
  out[12] = static_cast<char>('0' + town / 100);
  out[13] = static_cast<char>('0' + town / 10 % 10);
  out[14] = static_cast<char>('0' + town % 10);
  out[15] = CodiceFiscaleCheckChar(out);
}

std::string WorkerIdFormatter::operator()(uint64_t index) const {
  std::string id(kWorkerIdLength, ' ');
  Format(index, id.data());
  return id;
}

std::string SyntheticWorkerId(uint64_t seed, uint64_t index) {
  return WorkerIdFormatter(seed)(index);
}

}  // namespace omnia::synth
