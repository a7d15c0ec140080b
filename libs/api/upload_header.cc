#include "libs/api/upload_header.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/domain/measure.h"

namespace omnia::api {
namespace {

absl::Status HeaderFieldError(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("header.", field, ": ", reason));
}

// Characters, not bytes: the name is UTF-8 (protobuf has checked that), and a continuation byte
// (10xxxxxx) never starts one.
size_t Utf8Characters(const std::string& text) {
  size_t characters = 0;
  for (const char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return characters;
}

absl::Status CheckFileName(const std::string& file_name) {
  if (const size_t characters = Utf8Characters(file_name);
      characters > kMaxUploadFileNameCharacters) {
    return HeaderFieldError("file_name", absl::StrCat("at most ", kMaxUploadFileNameCharacters,
                                                      " characters, got ", characters));
  }
  return absl::OkStatus();
}

absl::Status CheckExpectedSha256(const std::string& sha256) {
  const bool hex = std::all_of(sha256.begin(), sha256.end(), [](char c) {
    return absl::ascii_isxdigit(static_cast<unsigned char>(c));
  });
  if (!sha256.empty() && (sha256.size() != 64 || !hex)) {
    return HeaderFieldError("expected_sha256",
                            absl::StrCat("must be 64 hex digits when set, got ", sha256.size(),
                                         hex ? " digits" : " characters, not all hex digits"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckUploadHeader(const v1::PublishedReportHeader& header) {
  if (absl::Status s = CheckFileName(header.file_name()); !s.ok()) return s;
  if (absl::Status s = CheckExpectedSha256(header.expected_sha256()); !s.ok()) return s;
  if (!header.expected_measure().empty() && !domain::ParseMeasure(header.expected_measure()).ok()) {
    return HeaderFieldError("expected_measure",
                            "must be APPLICATIONS, WORKERS or BENEFIT_MONTHS when set");
  }
  return absl::OkStatus();
}

absl::Status CheckUploadHeader(const v1::RawEventsFileHeader& header) {
  if (absl::Status s = CheckFileName(header.file_name()); !s.ok()) return s;
  if (absl::Status s = CheckExpectedSha256(header.expected_sha256()); !s.ok()) return s;
  if (!v1::RawEventLayout_IsValid(header.layout())) {
    return HeaderFieldError("layout", absl::StrCat("unknown value ", header.layout()));
  }
  return absl::OkStatus();
}

}  // namespace omnia::api
