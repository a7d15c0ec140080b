// The catalogue's durable state, in its own key-value store: per dataset its Pubblicazione and
// Aggiornato dates, every release with the datasets it changed, and per (release, dataset) the
// full metadata and attachments as published then. Records of a release are written once, in
// the release's single atomic batch, and never modified, so earlier releases stay readable as
// they were.
//
// The store does not render or freeze anything: the caller (the Publish orchestration) freezes
// the cubes, has every attachment rendered, and hands the results to RecordRelease.
#ifndef OMNIA_LIBS_CATALOGUE_CATALOGUE_STORE_H_
#define OMNIA_LIBS_CATALOGUE_CATALOGUE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/base/clock.h"
#include "libs/catalogue/config.h"
#include "libs/catalogue/datasets.h"
#include "libs/storage/kv_store.h"
#include "omnia/internal/catalogue_store.pb.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

// Longest release description, in characters (catalogue.proto, PublishRequest.description).
inline constexpr size_t kMaxReleaseDescriptionChars = 1000;

// One dataset of a release, rendered.
struct RenderedDataset {
  // The dataset as DatasetsFor defines it for the release's years.
  DatasetSpec spec;
  // Exactly one attachment per configured format, in any order, each with format, size_bytes,
  // sha256 (64 lowercase hex digits) and rows. file_name and media_type may be left empty: the
  // configuration's are used (when set, file_name must be a plain file name). download.url may
  // be set (a direct link to the stored file); the rest of download is filled in by the store.
  std::vector<v1::Attachment> attachments;
  // Optional. A digest of the dataset's cells. When set, it, rather than the attachments'
  // sha256s, decides whether the release changed the dataset: use it if rendered files embed
  // anything that differs between releases of the same cells (a release id, a date). Use one
  // way consistently; switching counts as one change.
  std::string content_fingerprint;
};

struct PublishResult {
  v1::Release release;
  // False when the release id already existed: `release` is then the stored one.
  bool created = false;
};

struct ReleasePage {
  std::vector<v1::Release> releases;  // newest first
  std::string next_page_token;        // empty on the last page
};

// Checks a release id: 1 to 64 characters from [A-Za-z0-9._-], starting with a letter or a
// digit (common.proto). INVALID_ARGUMENT naming release_id.
absl::Status ValidateReleaseId(std::string_view release_id);
// INVALID_ARGUMENT naming description when it is not UTF-8 or longer than 1000 characters.
absl::Status ValidateReleaseDescription(std::string_view description);

// Thread-safe. Reads never block RecordRelease, and see either all of a release or none of it.
class CatalogueStore {
 public:
  // Column layout the KvStore must be opened with.
  static std::vector<storage::ColumnSpec> Columns();

  // Opens the catalogue held in `kv` (opened with Columns()). `clock` gives publication dates
  // and must outlive the store. FAILED_PRECONDITION when the store was written by an
  // incompatible version; DATA_LOSS, changing nothing, when its records are unreadable or do not
  // agree with each other (e.g. the head names a release that has no record).
  static absl::StatusOr<std::unique_ptr<CatalogueStore>> Open(std::unique_ptr<storage::KvStore> kv,
                                                              CatalogueConfig config,
                                                              const Clock& clock);

  // Opens (creating if needed) a RocksDB store at `path` and the catalogue in it.
  static absl::StatusOr<std::unique_ptr<CatalogueStore>> OpenAt(const std::string& path,
                                                                CatalogueConfig config,
                                                                const Clock& clock);

  CatalogueStore(const CatalogueStore&) = delete;
  CatalogueStore& operator=(const CatalogueStore&) = delete;

  // Records a publication, all of it in one synchronous atomic write: the release (create time
  // now, publication date today in Europe/Rome), and for every dataset its metadata and
  // attachments at this release. A dataset seen for the first time gets Pubblicazione and
  // Aggiornato = the publication date (a change of kind ADDED); one whose content differs from
  // its previous release gets Aggiornato = the publication date (UPDATED); the others keep
  // their dates. The release becomes the current one; its dataset_count is datasets.size().
  //
  // Idempotent by id: when release_id exists, returns the stored release with created = false
  // and changes nothing, whatever the other arguments.
  //
  // Errors change nothing: INVALID_ARGUMENT for a malformed release_id, a description over
  // kMaxReleaseDescriptionChars characters or not UTF-8, no datasets, a repeated dataset id, a
  // spec the configuration does not define, or an attachment set that is not exactly one well-
  // formed attachment per configured format (the message names the dataset and field); or the
  // storage error.
  //
  // `published_at` is the release's creation time and, in Europe/Rome, its publication date;
  // unset, the clock's time now. Publish passes the time it chose the release id at, so that an
  // id assigned from the date is that date even across midnight.
  absl::StatusOr<PublishResult> RecordRelease(std::string_view release_id,
                                              std::string_view description,
                                              std::vector<RenderedDataset> datasets,
                                              std::optional<absl::Time> published_at = {});

  // A dataset as of a release (empty: the current one), with every metadata field, its dates
  // and its attachments (ordered by format, with download hints). INVALID_ARGUMENT when
  // dataset_id is empty; NOT_FOUND when there is no such release, nothing was ever published
  // (release_id empty), or the dataset is not in the release.
  absl::StatusOr<v1::Dataset> GetDataset(std::string_view dataset_id,
                                         std::string_view release_id = {}) const;

  // Every dataset of a release (empty: the current one; no release yet: an empty list), by
  // dataset_id. NOT_FOUND when a given release does not exist. Feed it to ListDatasets
  // (search.h).
  absl::StatusOr<std::vector<v1::Dataset>> DatasetsAt(std::string_view release_id = {}) const;

  // One release. NOT_FOUND when it does not exist.
  absl::StatusOr<v1::Release> GetRelease(std::string_view release_id) const;

  // Releases newest first. page_size 0 means 20, above 100 means 100; negative, or a malformed
  // page_token, is INVALID_ARGUMENT naming the field.
  absl::StatusOr<ReleasePage> ListReleases(int page_size, std::string_view page_token) const;

  // The latest release's id; empty before the first release.
  absl::StatusOr<std::string> CurrentReleaseId() const;

  // The id Publish assigns when the request has none: today's date in Europe/Rome,
  // "YYYY-MM-DD", or "YYYY-MM-DD.2", ".3", ... when taken or in `skip`. Only meaningful while
  // the caller holds off other publications until it has recorded the release.
  absl::StatusOr<std::string> NextReleaseId(const std::set<std::string>& skip = {},
                                            std::optional<absl::Time> at = {}) const;

  // The store's clock: what Publish reads the publication time from.
  const Clock& clock() const { return clock_; }

  const CatalogueConfig& config() const { return config_; }

 private:
  CatalogueStore(std::unique_ptr<storage::KvStore> kv, CatalogueConfig config, const Clock& clock);

  // DATA_LOSS when the head, the release order, the release records and the datasets of each
  // release disagree (a store damaged outside this class: they are only ever written together).
  absl::Status CheckConsistency() const;
  absl::StatusOr<::omnia::internal::CatalogueHead> ReadHead() const;
  absl::StatusOr<std::optional<::omnia::internal::ReleaseRecord>> ReadRelease(
      std::string_view release_id) const;
  absl::Status ValidateDatasets(std::vector<RenderedDataset>& datasets) const;

  std::unique_ptr<storage::KvStore> kv_;
  const CatalogueConfig config_;
  const Clock& clock_;
  // Serialises RecordRelease: each one reads the state the previous one wrote.
  absl::Mutex write_mutex_;
};

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_CATALOGUE_STORE_H_
