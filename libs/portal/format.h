// Italian presentation of numbers, dates and sizes, and the escaping every page relies on.
//
// Numbers follow Italian usage: "." groups thousands and "," separates decimals ("363.463",
// "12,5 %"); months are written in Italian ("marzo 2023"). Everything here is pure and
// deterministic, so pages rendered from the same data are byte-identical.
#ifndef OMNIA_LIBS_PORTAL_FORMAT_H_
#define OMNIA_LIBS_PORTAL_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "omnia/v1/common.pb.h"

namespace omnia::portal {

// "363.463"; "0"; "18.446.744.073.709.551.615".
std::string FormatInteger(uint64_t value);

// A signed integer: "-1.234".
std::string FormatSignedInteger(int64_t value);

// A decimal with `decimals` digits after the comma, rounded half away from zero: "12,5",
// "1.234,50". Non-finite values give "n.d.".
std::string FormatDecimal(double value, int decimals);

// A percentage with one decimal: "12,5 %".
std::string FormatPercent(double percent);

// A change with its sign: "+12,5 %", "-3,0 %", "0,0 %".
std::string FormatChangePercent(double percent);

// A compact count for axis labels: below a million as FormatInteger, then "1,5 mln", "2 mld",
// "3,2 mila mld" (thousands of billions). Exact values are always in the data tables.
std::string FormatCompact(double value);

// A file size in Italian with decimal units: "512 byte", "12,3 kB", "4,5 MB", "1,2 GB".
std::string FormatSize(uint64_t bytes);

// Italian month name, lower case: 1 -> "gennaio". Out of range gives "".
absl::string_view MonthName(int month);

// Three-letter Italian month abbreviation: 1 -> "gen".
absl::string_view MonthAbbreviation(int month);

// "marzo 2023".
std::string FormatMonth(const v1::YearMonth& month);

// "1 marzo 2025"; an unset date (year 0) gives "non ancora pubblicato".
std::string FormatDate(const v1::Date& date);

// ISO form for <time datetime>: "2025-03-01", "2023-03".
std::string IsoDate(const v1::Date& date);
std::string IsoMonth(const v1::YearMonth& month);

// Escapes &, <, >, " and ' for HTML text and attribute values (also valid in SVG/XML).
std::string HtmlEscape(absl::string_view text);

// Percent-encodes a query-string component (RFC 3986 unreserved characters stay as they are).
std::string UrlEncode(absl::string_view text);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_FORMAT_H_
