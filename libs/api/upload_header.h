// The first message of ImportPublishedReport and ImportRawEvents, checked against
// ingestion.proto before any byte of the file is read, so that a bad header fails at once.
#pragma once

#include "absl/status/status.h"
#include "omnia/v1/ingestion.pb.h"

namespace omnia::api {

// Longest file_name the contract allows, in characters.
inline constexpr size_t kMaxUploadFileNameCharacters = 255;

// INVALID_ARGUMENT naming the field ("header.file_name: ...") when a field breaks its rules:
// file_name longer than 255 characters, expected_sha256 not 64 hex digits, expected_measure not
// a measure code, layout not one of the enum's values.
absl::Status CheckUploadHeader(const v1::PublishedReportHeader& header);
absl::Status CheckUploadHeader(const v1::RawEventsFileHeader& header);

}  // namespace omnia::api
