#include "libs/catalogue/internal/pattern.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace omnia::catalogue {
namespace {

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

// Visits the literal pieces and placeholder names of a pattern in order; stops at the first
// malformed brace and reports its byte offset.
absl::Status Walk(std::string_view pattern,
                  const std::function<void(std::string_view literal)>& on_literal,
                  const std::function<void(std::string_view name)>& on_placeholder) {
  size_t literal_start = 0;
  size_t pos = 0;
  while (pos < pattern.size()) {
    const char c = pattern[pos];
    if (c == '}') {
      return absl::InvalidArgumentError(
          absl::StrCat("'}' at offset ", pos, " closes no placeholder"));
    }
    if (c != '{') {
      ++pos;
      continue;
    }
    size_t end = pos + 1;
    while (end < pattern.size() && IsNameChar(pattern[end])) ++end;
    if (end == pos + 1 || end >= pattern.size() || pattern[end] != '}') {
      return absl::InvalidArgumentError(absl::StrCat(
          "'{' at offset ", pos, " does not start a placeholder such as {title_words}"));
    }
    on_literal(pattern.substr(literal_start, pos - literal_start));
    on_placeholder(pattern.substr(pos + 1, end - pos - 1));
    pos = end + 1;
    literal_start = pos;
  }
  on_literal(pattern.substr(literal_start));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> PatternPlaceholders(std::string_view pattern) {
  std::vector<std::string> names;
  absl::Status status = Walk(
      pattern, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
  if (!status.ok()) return status;
  return names;
}

std::string ExpandPattern(std::string_view pattern, const PatternValues& values) {
  std::string out;
  // The status is ignored on purpose: patterns are validated when the configuration is loaded.
  Walk(
      pattern, [&](std::string_view literal) { out.append(literal); },
      [&](std::string_view name) {
        if (const auto it = values.find(name); it != values.end()) out.append(it->second);
      })
      .IgnoreError();
  return out;
}

std::optional<int> MatchYear(std::string_view pattern, std::string_view text) {
  constexpr std::string_view kYear = "{year}";
  const size_t at = pattern.find(kYear);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view prefix = pattern.substr(0, at);
  const std::string_view suffix = pattern.substr(at + kYear.size());
  if (text.size() != prefix.size() + 4 + suffix.size()) return std::nullopt;
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (text.substr(prefix.size() + 4) != suffix) return std::nullopt;
  int year = 0;
  for (const char c : text.substr(prefix.size(), 4)) {
    if (c < '0' || c > '9') return std::nullopt;
    year = year * 10 + (c - '0');
  }
  return year;
}

}  // namespace omnia::catalogue
