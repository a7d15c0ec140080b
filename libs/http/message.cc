#include "libs/http/message.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"

namespace omnia::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = absl::ascii_tolower(static_cast<unsigned char>(a[i]));
    const char y = absl::ascii_tolower(static_cast<unsigned char>(b[i]));
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::string Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  headers.erase(std::string(name));
  headers.emplace(std::string(name), std::string(value));
}

Response TextResponse(int status, std::string_view text) {
  Response response;
  response.status = status;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.body = absl::StrCat(AsAbsl(text), "\n");
  return response;
}

}  // namespace omnia::http
