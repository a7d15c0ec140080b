// This toolchain's abseil (Debian 12, 20220623) is built with its own absl::string_view class
// rather than std::string_view, so the two do not convert implicitly. Code written against
// std::string_view crosses into abseil APIs (StrCat, SimpleAtoi, ...) through this.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace omnia {

inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace omnia
