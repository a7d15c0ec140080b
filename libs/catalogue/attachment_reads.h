// Reading published attachments back: locating one by (release, dataset, file name) and checking
// a byte range against it, for the catalogue's ReadAttachment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/catalogue/catalogue_store.h"
#include "libs/catalogue/public_urls.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

// Largest data chunk of one ReadAttachment message (catalogue.proto).
inline constexpr size_t kAttachmentChunkBytes = 64 << 10;

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// The attachment of `request` as recorded in `store`. INVALID_ARGUMENT naming the field when
// release_id, dataset_id or file_name is empty or malformed; NOT_FOUND when the release, the
// dataset at that release or the file name does not exist (the message quotes no user input
// beyond the field name, so it is safe to show and log).
absl::StatusOr<v1::Attachment> LocateAttachment(const CatalogueStore& store,
                                                const v1::ReadAttachmentRequest& request);

// The bytes ReadAttachment sends for `offset` and `length` (0: to the end) of a file of `size`
// bytes. OUT_OF_RANGE when the range does not lie within the file.
absl::StatusOr<ByteRange> ResolveRange(uint64_t size, uint64_t offset, uint64_t length);

}  // namespace omnia::catalogue
