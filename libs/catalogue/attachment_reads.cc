#include "libs/catalogue/attachment_reads.h"

#include "absl/strings/str_cat.h"

namespace omnia::catalogue {

absl::StatusOr<v1::Attachment> LocateAttachment(const CatalogueStore& store,
                                                const v1::ReadAttachmentRequest& request) {
  if (absl::Status valid = ValidateReleaseId(request.release_id()); !valid.ok()) return valid;
  if (request.dataset_id().empty()) return absl::InvalidArgumentError("dataset_id is required");
  if (request.file_name().empty()) return absl::InvalidArgumentError("file_name is required");
  absl::StatusOr<v1::Dataset> dataset =
      store.GetDataset(request.dataset_id(), request.release_id());
  if (!dataset.ok()) return dataset.status();
  for (const v1::Attachment& attachment : dataset->attachments()) {
    if (attachment.file_name() == request.file_name()) return attachment;
  }
  return absl::NotFoundError("file_name: the dataset has no attachment of that name");
}

absl::StatusOr<ByteRange> ResolveRange(uint64_t size, uint64_t offset, uint64_t length) {
  if (offset > size) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", offset, " is beyond the end of the file (", size, " bytes)"));
  }
  if (length == 0) return ByteRange{offset, size - offset};
  if (length > size - offset) {
    return absl::OutOfRangeError(absl::StrCat("offset ", offset, " + length ", length,
                                              " is beyond the end of the file (", size, " bytes)"));
  }
  return ByteRange{offset, length};
}

}  // namespace omnia::catalogue
