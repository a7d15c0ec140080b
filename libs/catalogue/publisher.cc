#include "libs/catalogue/publisher.h"

#include <filesystem>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/catalogue/datasets.h"

namespace omnia::catalogue {

absl::StatusOr<PublishResult> Publisher::Publish(const std::string& requested_id,
                                                 const std::string& description) {
  // Checked before anything is frozen: a release frozen with a description the catalogue then
  // refuses would stay in aggregation under that id.
  if (absl::Status s = ValidateReleaseDescription(description); !s.ok()) return s;
  if (!requested_id.empty()) {
    if (absl::Status s = ValidateReleaseId(requested_id); !s.ok()) return s;
    // A retry of a publication that completed gets its answer even while another one runs.
    if (absl::StatusOr<v1::Release> existing = store_.GetRelease(requested_id); existing.ok()) {
      return PublishResult{*existing, false};
    }
  }
  // Waiting would hold an executor thread and the caller's deadline for as long as the other
  // publication takes; the contract says to fail at once and let the caller retry.
  if (!mu_.TryLock()) return absl::AbortedError("another Publish is running: retry later");
  absl::StatusOr<PublishResult> result = PublishLocked(requested_id, description);
  mu_.Unlock();
  return result;
}

absl::StatusOr<PublishResult> Publisher::PublishLocked(const std::string& requested_id,
                                                       const std::string& description) {
  // One reading of the clock for the id of the day and the publication date.
  const absl::Time started = store_.clock().Now();
  std::string release_id = requested_id;
  if (!release_id.empty()) {
    if (absl::StatusOr<v1::Release> existing = store_.GetRelease(release_id); existing.ok()) {
      return PublishResult{*existing, false};
    }
    // 1. Freeze: every attachment is rendered from the same immutable state. An id the caller
    // chose may have been frozen by an attempt that failed later: that freeze is the release.
    absl::StatusOr<CubeReleases::Frozen> frozen = cubes_.Freeze(release_id, description);
    if (!frozen.ok()) return frozen.status();
  } else {
    absl::StatusOr<std::string> assigned = FreezeUnderNewId(description, started);
    if (!assigned.ok()) return assigned.status();
    release_id = *assigned;
  }
  // 2. Which datasets exist at that release.
  absl::StatusOr<ReleaseCoverage> coverage = cubes_.Coverage(release_id);
  if (!coverage.ok()) return coverage.status();
  const std::vector<DatasetSpec> specs =
      DatasetsFor(store_.config(), coverage->years_with_data, coverage->latest_complete_year);
  if (specs.empty()) {
    return absl::FailedPreconditionError("the cubes hold no data yet: nothing to publish");
  }
  // 3. Render every attachment. A failure here records nothing: the catalogue stays as it was
  // (files already stored are content-addressed, so they are simply reused next time).
  std::vector<RenderedDataset> rendered;
  for (const DatasetSpec& spec : specs) {
    RenderedDataset dataset;
    dataset.spec = spec;
    for (const auto& format : store_.config().formats()) {
      absl::StatusOr<v1::Attachment> attachment =
          Render(spec.dataset_id, format.format(), release_id);
      if (!attachment.ok()) {
        return absl::Status(attachment.status().code(),
                            absl::StrCat(spec.dataset_id, ": ", attachment.status().message()));
      }
      // The CSV holds exactly the dataset's cells and nothing about the release, so its digest
      // says whether the content changed (the other formats also name the release they show).
      if (format.format() == v1::FORMAT_CSV) dataset.content_fingerprint = attachment->sha256();
      dataset.attachments.push_back(std::move(*attachment));
    }
    rendered.push_back(std::move(dataset));
  }
  // 4. One atomic write.
  return store_.RecordRelease(release_id, description, std::move(rendered), started);
}

absl::StatusOr<std::string> Publisher::FreezeUnderNewId(const std::string& description,
                                                        absl::Time started) {
  // An id of today already frozen but not in the catalogue was left by an attempt that failed
  // after freezing. It is this publication's release if it holds what the cubes hold now;
  // otherwise (data arrived since) it is passed over for a fresh freeze, so that nothing
  // ingested in between is left out.
  std::set<std::string> stale;
  while (true) {
    absl::StatusOr<std::string> next = store_.NextReleaseId(stale, started);
    if (!next.ok()) return next.status();
    absl::StatusOr<CubeReleases::Frozen> frozen = cubes_.Freeze(*next, description);
    if (!frozen.ok()) return frozen.status();
    if (frozen->created) return *next;
    absl::StatusOr<CubeReleases::AppliedSequences> live = cubes_.LiveSequences();
    if (!live.ok()) return live.status();
    if (*live == frozen->applied) return *next;
    stale.insert(*next);
  }
}

absl::StatusOr<v1::Attachment> Publisher::Render(const std::string& dataset_id, v1::Format format,
                                                 const std::string& release_id) {
  // Stored under a temporary name, then durably under its content hash once complete and
  // checked, so the artifact store only ever holds whole files.
  absl::StatusOr<std::unique_ptr<ArtifactWriter>> file =
      artifacts_.Begin(absl::StrCat(dataset_id, "-", static_cast<int>(format)));
  if (!file.ok()) return file.status();
  absl::StatusOr<RenderedFile> rendered =
      renderer_.Render(dataset_id, format, release_id,
                       [&file](std::string_view bytes) { return (*file)->Append(bytes); });
  if (!rendered.ok()) return rendered.status();
  const std::string extension = std::filesystem::path(rendered->file_name).extension().string();
  if (absl::Status s = (*file)->Commit({rendered->sha256, rendered->size_bytes}, extension);
      !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(rendered->file_name, ": ", s.message()));
  }
  v1::Attachment attachment;
  attachment.set_format(format);
  attachment.set_file_name(rendered->file_name);
  attachment.set_media_type(rendered->media_type);
  attachment.set_size_bytes(rendered->size_bytes);
  attachment.set_sha256(rendered->sha256);
  attachment.set_rows(rendered->rows);
  return attachment;
}

}  // namespace omnia::catalogue
