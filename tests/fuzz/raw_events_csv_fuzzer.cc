// Fuzzes RawEventsCsvParser: it must never crash, chunking must not change the outcome, every
// accepted event must pass the event validators, and no error may reveal a worker id.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/domain/codelists.h"
#include "libs/domain/events.h"
#include "libs/domain/raw_events_csv.h"

namespace {

using omnia::domain::Codelists;
using omnia::domain::RawEventBatch;
using omnia::domain::RawEventsCsvParser;

struct Outcome {
  absl::Status status;
  RawEventBatch batch;
};

Outcome Run(const Codelists& lists, std::string_view input, const std::vector<size_t>& cuts) {
  RawEventsCsvParser parser(lists);
  Outcome outcome;
  size_t begin = 0;
  for (size_t cut : cuts) {
    if (!outcome.status.ok()) break;
    outcome.status = parser.Feed(input.substr(begin, cut - begin), &outcome.batch);
    begin = cut;
  }
  if (outcome.status.ok()) outcome.status = parser.Feed(input.substr(begin), &outcome.batch);
  if (outcome.status.ok()) outcome.status = parser.Finish(&outcome.batch);
  if (outcome.status.ok() && (!parser.kind().has_value() ||
                              parser.rows() != static_cast<int64_t>(outcome.batch.lines.size()))) {
    __builtin_trap();
  }
  return outcome;
}

bool SameBatch(const RawEventBatch& a, const RawEventBatch& b) {
  if (a.lines != b.lines || a.applications.size() != b.applications.size() ||
      a.payments.size() != b.payments.size()) {
    return false;
  }
  for (size_t i = 0; i < a.payments.size(); ++i) {
    if (a.payments[i].payment_id != b.payments[i].payment_id ||
        a.payments[i].worker_id != b.payments[i].worker_id ||
        a.payments[i].paid_on != b.payments[i].paid_on ||
        a.payments[i].months_covered != b.payments[i].months_covered) {
      return false;
    }
  }
  for (size_t i = 0; i < a.applications.size(); ++i) {
    if (a.applications[i].application_id != b.applications[i].application_id ||
        a.applications[i].authorized_on != b.applications[i].authorized_on) {
      return false;
    }
  }
  return true;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// The next character of `c`'s class, case kept: digits among digits, and letters among the
// letters that may stand for digits in a codice fiscale (L M N P Q R S T U V) or among the other
// letters, so that a rotated worker id is valid exactly when the original was.
char Rotated(char c) {
  if (c >= '0' && c <= '9') return c == '9' ? '0' : static_cast<char>(c + 1);
  const bool lower = c >= 'a' && c <= 'z';
  const char upper = lower ? static_cast<char>(c - 'a' + 'A') : c;
  if (upper < 'A' || upper > 'Z') return c;
  constexpr std::string_view kDigitLetters = "LMNPQRSTUV";
  constexpr std::string_view kOtherLetters = "ABCDEFGHIJKOWXYZ";
  const std::string_view letters =
      kDigitLetters.find(upper) != std::string_view::npos ? kDigitLetters : kOtherLetters;
  const char next = letters[(letters.find(upper) + 1) % letters.size()];
  return lower ? static_cast<char>(next - 'A' + 'a') : next;
}

// Returns input with every whole field that looks like a worker id (and holds a letter) replaced
// by a different value of the same shape (each character rotated within its class, see
// Rotated), so validity is unchanged. Fields end at a comma, a line feed, a CR before a line
// feed, or the end of the input.
std::string RotateWorkerIds(std::string_view input) {
  std::string out(input);
  size_t begin = 0;
  for (size_t i = 0; i <= out.size(); ++i) {
    const bool end = i == out.size() || out[i] == ',' || out[i] == '\n' ||
                     (out[i] == '\r' && (i + 1 == out.size() || out[i + 1] == '\n'));
    if (!end) continue;
    const std::string_view field = std::string_view(out).substr(begin, i - begin);
    // All-digit fields are left alone: rotating a number can change whether it is valid as a
    // count (months_covered), which is not what this check is about.
    const bool has_letter = std::any_of(field.begin(), field.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
    if (has_letter && omnia::domain::LooksLikeWorkerId(field)) {
      for (size_t j = begin; j < i; ++j) out[j] = Rotated(out[j]);
    }
    begin = i + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Built once: the codelists are immutable after construction.
  static const Codelists* const lists = new Codelists(Codelists::Builtin());
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  uint64_t hash = 1469598103934665603ull;
  for (const uint8_t byte : input.substr(0, 64)) hash = (hash ^ byte) * 1099511628211ull;
  std::vector<size_t> cuts;
  if (size > 0) {
    for (int i = 0; i < 3; ++i) cuts.push_back(static_cast<size_t>((hash >> (i * 16)) % size));
    std::sort(cuts.begin(), cuts.end());
  }

  const Outcome whole = Run(*lists, input, {});
  const Outcome chunked = Run(*lists, input, cuts);
  if (whole.status != chunked.status || !SameBatch(whole.batch, chunked.batch)) __builtin_trap();
  if (!whole.status.ok()) {
    if (whole.status.code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    // Errors must not depend on worker-id-like values: changing them must give the same message.
    const std::string rotated = RotateWorkerIds(input);
    if (rotated != input && Run(*lists, rotated, {}).status != whole.status) __builtin_trap();
    return 0;
  }
  if (!whole.batch.applications.empty() && !whole.batch.payments.empty()) __builtin_trap();
  for (const auto& event : whole.batch.applications) {
    if (!omnia::domain::Validate(event, *lists).empty()) __builtin_trap();
  }
  for (const auto& event : whole.batch.payments) {
    if (!omnia::domain::Validate(event, *lists).empty()) __builtin_trap();
    if (event.worker_id != Upper(event.worker_id)) __builtin_trap();
  }
  return 0;
}
