// The published files, content-addressed: each stored as <sha256><extension> in one directory.
// A file is made durable (storage/durable_file.h) before the release that lists it is recorded,
// so every recorded attachment has its whole file; at start-up VerifyArtifacts checks that this
// still holds and the service refuses to start when it does not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/catalogue_store.h"
#include "libs/storage/durable_file.h"
#include "libs/storage/file_system.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

struct StoredArtifact {
  std::string sha256;  // 64 lowercase hex digits
  uint64_t size_bytes = 0;
};

// One file being stored; see ArtifactStore::Begin.
class ArtifactWriter {
 public:
  absl::Status Append(std::string_view data);
  // Durably stores what was appended under its digest and `extension` (".csv"), provided it is
  // the file `announced` describes; DATA_LOSS, storing nothing, when it is not.
  absl::Status Commit(const StoredArtifact& announced, std::string_view extension);

 private:
  friend class ArtifactStore;
  ArtifactWriter(std::string dir, std::unique_ptr<storage::DurableFileWriter> file)
      : dir_(std::move(dir)), file_(std::move(file)) {}

  const std::string dir_;
  std::unique_ptr<storage::DurableFileWriter> file_;
  Sha256 sha_;
  uint64_t size_ = 0;
};

class ArtifactStore {
 public:
  // `fs` must outlive the store; `dir` must exist.
  ArtifactStore(storage::FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // Starts storing a file under a temporary name built from `temp_stem` (a plain file name).
  // Abandoning the writer without Commit stores nothing.
  absl::StatusOr<std::unique_ptr<ArtifactWriter>> Begin(std::string_view temp_stem);

  // Where the file of `attachment` is stored.
  std::string PathOf(const v1::Attachment& attachment) const;

  // Checks that the file of `attachment` is stored whole: present with the recorded size and,
  // when `check_digest`, the recorded sha256 (which reads the whole file). DATA_LOSS naming the
  // file otherwise; never changes anything.
  absl::Status Verify(const v1::Attachment& attachment, bool check_digest);

  // `length` bytes of the stored file of `attachment` from byte `offset`, which the caller has
  // checked lie within its recorded size; reads only those bytes. DATA_LOSS naming the file when
  // it is missing or shorter than recorded.
  absl::StatusOr<std::string> ReadChunk(const v1::Attachment& attachment, uint64_t offset,
                                        size_t length);

  const std::string& dir() const { return dir_; }

 private:
  storage::FileSystem& fs_;
  const std::string dir_;
};

// Checks, before the catalogue serves, that every attachment of every release has its file:
// present with the recorded size, and for the current release also with the recorded sha256 (the
// files most likely to be fetched; hashing every release's files would make start-up as slow as
// the archive is large). A file shared by releases is checked once. FAILED_PRECONDITION naming
// the release, dataset and file and saying that nothing was deleted; never changes anything.
absl::Status VerifyArtifacts(const CatalogueStore& store, ArtifactStore& artifacts);

}  // namespace omnia::catalogue
