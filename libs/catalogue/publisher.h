// Publish, without a network: freeze the cubes, learn which datasets exist at that release, have
// every attachment of every dataset rendered, keep the files (named by content hash) in the
// artifact store, and record the release in one atomic write. The cubes and the renderer are
// small interfaces; the service implements them over gRPC, tests in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/catalogue/artifact_store.h"
#include "libs/catalogue/catalogue_store.h"
#include "omnia/v1/common.pb.h"

namespace omnia::catalogue {

// Which years of a release hold data.
struct ReleaseCoverage {
  std::vector<int> years_with_data;  // ascending
  // The latest year whose December holds data (0 when none).
  int latest_complete_year = 0;
};

// The cubes a publication renders from (aggregation).
class CubeReleases {
 public:
  virtual ~CubeReleases() = default;
  // Last applied sequence of every producer: what a set of cubes holds.
  using AppliedSequences = std::map<std::string, uint64_t>;
  struct Frozen {
    bool created = false;  // false: the release already existed, with its first freeze's content
    AppliedSequences applied;
  };
  // Freezes the live cubes as `release_id`.
  virtual absl::StatusOr<Frozen> Freeze(const std::string& release_id,
                                        const std::string& description) = 0;
  // What the live cubes hold now.
  virtual absl::StatusOr<AppliedSequences> LiveSequences() = 0;
  virtual absl::StatusOr<ReleaseCoverage> Coverage(const std::string& release_id) = 0;
};

// What a renderer says about the file it produced.
struct RenderedFile {
  std::string file_name;
  std::string media_type;
  uint64_t size_bytes = 0;
  std::string sha256;  // 64 lowercase hex digits
  uint64_t rows = 0;
};

// Renders attachments (the exporter).
class AttachmentRenderer {
 public:
  virtual ~AttachmentRenderer() = default;
  // Renders `dataset_id` at `release_id` in `format`, passing the file's bytes to `write` in
  // order; stops at the first error `write` returns and returns it.
  virtual absl::StatusOr<RenderedFile> Render(
      const std::string& dataset_id, v1::Format format, const std::string& release_id,
      const std::function<absl::Status(std::string_view)>& write) = 0;
};

class Publisher {
 public:
  // Everything referenced must outlive the publisher.
  Publisher(CatalogueStore& store, ArtifactStore& artifacts, CubeReleases& cubes,
            AttachmentRenderer& renderer)
      : store_(store), artifacts_(artifacts), cubes_(cubes), renderer_(renderer) {}

  // Publishes `release_id` (the next free id when empty). A release id already recorded is
  // answered with the stored release and created = false, even while another publication runs;
  // otherwise ABORTED, at once, while another publication runs. A failure records nothing.
  // Blocking.
  absl::StatusOr<PublishResult> Publish(const std::string& release_id,
                                        const std::string& description);

 private:
  absl::StatusOr<PublishResult> PublishLocked(const std::string& release_id,
                                              const std::string& description)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Freezes the cubes under the next free id of today that aggregation does not hold yet.
  absl::StatusOr<std::string> FreezeUnderNewId(const std::string& description, absl::Time started);
  // Renders one attachment into the artifact store.
  absl::StatusOr<v1::Attachment> Render(const std::string& dataset_id, v1::Format format,
                                        const std::string& release_id);

  CatalogueStore& store_;
  ArtifactStore& artifacts_;
  CubeReleases& cubes_;
  AttachmentRenderer& renderer_;
  // One publication at a time: each builds on the state the previous one recorded. Held for
  // the whole publication; others do not wait for it but fail with ABORTED.
  absl::Mutex mu_;
};

}  // namespace omnia::catalogue
