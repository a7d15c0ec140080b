#include "libs/domain/internal/row_errors.h"

#include <algorithm>

#include "libs/domain/internal/text.h"

namespace omnia::domain::internal {
namespace {

// Where a reason's list of valid values starts (see RowErrors).
constexpr std::string_view kHintStart = "; valid ";

}  // namespace

void RowErrors::Add(int64_t line, std::string_view column, std::string_view reason) {
  ++count_;
  if (count_ > kMaxReportedRowErrors) return;
  if (const size_t hint = reason.find(kHintStart); hint != std::string_view::npos) {
    const std::string_view text = reason.substr(hint);
    if (std::find(hints_.begin(), hints_.end(), text) != hints_.end()) {
      reason = reason.substr(0, hint);
    } else {
      hints_.emplace_back(text);
    }
  }
  if (!text_.empty()) text_ += "; ";
  CatAppend(&text_, "line ", line, ", column ", column, ": ", reason);
}

absl::Status RowErrors::ToStatus(std::string_view stopped_by) const {
  std::string message = text_;
  if (count_ > kMaxReportedRowErrors) {
    const int64_t further = count_ - kMaxReportedRowErrors;
    CatAppend(&message, "; and ", further, further == 1 ? " further error" : " further errors");
  }
  if (!stopped_by.empty()) {
    CatAppend(&message, message.empty() ? "" : "; ", stopped_by, " (reading stopped there)");
  }
  return absl::InvalidArgumentError(message);
}

absl::Status RowErrors::Ending(absl::Status error, bool line_too_long) const {
  if (!line_too_long || empty()) return error;
  return ToStatus(FromAbsl(error.message()));
}

}  // namespace omnia::domain::internal
