#include "libs/catalogue/artifact_store.h"

#include <filesystem>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"

namespace omnia::catalogue {

absl::Status ArtifactWriter::Append(std::string_view data) {
  sha_.Update(data);
  size_ += data.size();
  return file_->Append(data);
}

absl::Status ArtifactWriter::Commit(const StoredArtifact& announced, std::string_view extension) {
  const std::string digest = sha_.HexDigest();
  if (digest != announced.sha256 || size_ != announced.size_bytes) {
    return absl::DataLossError(absl::StrCat("received ", size_, " bytes with sha256 ", digest,
                                            "; the sender announced ", announced.size_bytes,
                                            " bytes with sha256 ", announced.sha256));
  }
  return file_->Commit(
      (std::filesystem::path(dir_) / absl::StrCat(digest, AsAbsl(extension))).string());
}

absl::StatusOr<std::unique_ptr<ArtifactWriter>> ArtifactStore::Begin(std::string_view temp_stem) {
  // A leading dot keeps temporary files apart from stored ones, which start with a hex digit.
  const std::string temp =
      (std::filesystem::path(dir_) / absl::StrCat(".", AsAbsl(temp_stem), ".partial")).string();
  absl::StatusOr<std::unique_ptr<storage::DurableFileWriter>> file =
      storage::DurableFileWriter::Create(fs_, temp);
  if (!file.ok()) return file.status();
  return std::unique_ptr<ArtifactWriter>(new ArtifactWriter(dir_, *std::move(file)));
}

std::string ArtifactStore::PathOf(const v1::Attachment& attachment) const {
  const std::string extension = std::filesystem::path(attachment.file_name()).extension().string();
  return (std::filesystem::path(dir_) / absl::StrCat(attachment.sha256(), extension)).string();
}

absl::Status ArtifactStore::Verify(const v1::Attachment& attachment, bool check_digest) {
  const std::string path = PathOf(attachment);
  absl::StatusOr<uint64_t> size = fs_.FileSize(path);
  if (!size.ok()) {
    return absl::DataLossError(absl::StrCat(path, " is missing (", size.status().message(), ")"));
  }
  if (*size != attachment.size_bytes()) {
    return absl::DataLossError(
        absl::StrCat(path, " has ", *size, " bytes; ", attachment.size_bytes(), " were recorded"));
  }
  if (!check_digest) return absl::OkStatus();
  Sha256 sha;
  if (absl::Status read = fs_.Read(path, [&](std::string_view piece) { sha.Update(piece); });
      !read.ok()) {
    return absl::DataLossError(absl::StrCat(path, " cannot be read: ", read.message()));
  }
  if (const std::string digest = sha.HexDigest(); digest != attachment.sha256()) {
    return absl::DataLossError(
        absl::StrCat(path, " has sha256 ", digest, "; ", attachment.sha256(), " was recorded"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ArtifactStore::ReadChunk(const v1::Attachment& attachment,
                                                     uint64_t offset, size_t length) {
  const std::string path = PathOf(attachment);
  absl::StatusOr<std::string> chunk = fs_.ReadAt(path, offset, length);
  if (!chunk.ok()) {
    return absl::DataLossError(absl::StrCat(path, " cannot be read: ", chunk.status().message()));
  }
  if (chunk->size() != length) {
    return absl::DataLossError(absl::StrCat(path, " ends before byte ", offset + length, "; ",
                                            attachment.size_bytes(), " bytes were recorded"));
  }
  return chunk;
}

absl::Status VerifyArtifacts(const CatalogueStore& store, ArtifactStore& artifacts) {
  absl::StatusOr<std::string> current = store.CurrentReleaseId();
  if (!current.ok()) return current.status();
  // Digests already checked with their sha256, and files already checked by size only.
  std::set<std::string> hashed;
  std::set<std::string> sized;
  std::string page_token;
  do {
    absl::StatusOr<ReleasePage> page = store.ListReleases(100, page_token);
    if (!page.ok()) return page.status();
    for (const v1::Release& release : page->releases) {
      const bool is_current = release.release_id() == *current;
      absl::StatusOr<std::vector<v1::Dataset>> datasets = store.DatasetsAt(release.release_id());
      if (!datasets.ok()) return datasets.status();
      for (const v1::Dataset& dataset : *datasets) {
        for (const v1::Attachment& attachment : dataset.attachments()) {
          const std::string path = artifacts.PathOf(attachment);
          if (hashed.count(path) > 0 || (!is_current && sized.count(path) > 0)) continue;
          if (absl::Status s = artifacts.Verify(attachment, is_current); !s.ok()) {
            return absl::FailedPreconditionError(
                absl::StrCat("release ", release.release_id(), ", dataset ", dataset.dataset_id(),
                             ": ", s.message(),
                             ". The catalogue records a file it no longer has; restore the "
                             "artifact directory from a backup. Nothing was deleted."));
          }
          (is_current ? hashed : sized).insert(path);
        }
      }
    }
    page_token = page->next_page_token;
  } while (!page_token.empty());
  return absl::OkStatus();
}

}  // namespace omnia::catalogue
