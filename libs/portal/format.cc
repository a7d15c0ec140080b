#include "libs/portal/format.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace omnia::portal {
namespace {

constexpr std::array<absl::string_view, 12> kMonthNames = {
    "gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
    "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};

// Inserts "." every three digits from the right of a string of digits.
std::string GroupThousands(absl::string_view digits) {
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back('.');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::string FormatInteger(uint64_t value) { return GroupThousands(absl::StrCat(value)); }

std::string FormatSignedInteger(int64_t value) {
  if (value >= 0) return FormatInteger(static_cast<uint64_t>(value));
  // Negating INT64_MIN overflows; its magnitude fits in uint64_t.
  return absl::StrCat("-", FormatInteger(0 - static_cast<uint64_t>(value)));
}

std::string FormatDecimal(double value, int decimals) {
  if (!std::isfinite(value)) return "n.d.";
  const std::string plain = absl::StrFormat("%.*f", decimals, std::fabs(value));
  const size_t dot = plain.find('.');
  std::string out = GroupThousands(plain.substr(0, dot));
  if (dot != std::string::npos) absl::StrAppend(&out, ",", plain.substr(dot + 1));
  const bool is_zero = out.find_first_not_of("0.,") == std::string::npos;
  return (value < 0 && !is_zero) ? absl::StrCat("-", out) : out;
}

std::string FormatPercent(double percent) {
  if (!std::isfinite(percent)) return "n.d.";
  return absl::StrCat(FormatDecimal(percent, 1), " %");
}

std::string FormatChangePercent(double percent) {
  const std::string magnitude = FormatPercent(percent);
  if (!std::isfinite(percent) || magnitude.front() == '-' || magnitude.rfind("0,0 ", 0) == 0) {
    return magnitude;
  }
  return absl::StrCat("+", magnitude);
}

std::string FormatCompact(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude < 1e6) return FormatDecimal(std::round(value), 0);
  const auto scaled = [](double v, double unit) {
    std::string text = FormatDecimal(v / unit, 1);
    // "2,0 mln" reads better as "2 mln".
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ",0") == 0)
      text.resize(text.size() - 2);
    return text;
  };
  if (magnitude < 1e9) return absl::StrCat(scaled(value, 1e6), " mln");
  if (magnitude < 1e12) return absl::StrCat(scaled(value, 1e9), " mld");
  return absl::StrCat(scaled(value, 1e12), " mila mld");
}

std::string FormatSize(uint64_t bytes) {
  if (bytes < 1000) return absl::StrCat(bytes, " byte");
  const double value = static_cast<double>(bytes);
  if (bytes < 1000 * 1000) return absl::StrCat(FormatDecimal(value / 1e3, 1), " kB");
  if (bytes < 1000ULL * 1000 * 1000) return absl::StrCat(FormatDecimal(value / 1e6, 1), " MB");
  return absl::StrCat(FormatDecimal(value / 1e9, 1), " GB");
}

absl::string_view MonthName(int month) {
  if (month < 1 || month > 12) return "";
  return kMonthNames[month - 1];
}

absl::string_view MonthAbbreviation(int month) { return MonthName(month).substr(0, 3); }

std::string FormatMonth(const v1::YearMonth& month) {
  return absl::StrCat(MonthName(month.month()), " ", month.year());
}

std::string FormatDate(const v1::Date& date) {
  if (date.year() == 0) return "non ancora pubblicato";
  return absl::StrCat(date.day(), " ", MonthName(date.month()), " ", date.year());
}

std::string IsoDate(const v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string IsoMonth(const v1::YearMonth& month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string UrlEncode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace omnia::portal
