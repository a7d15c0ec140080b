#include "libs/catalogue/catalogue_store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/base/sha256.h"
#include "libs/base/string_view.h"
#include "libs/catalogue/internal/page_token.h"
#include "libs/catalogue/text_fold.h"
#include "libs/domain/period.h"
#include "libs/storage/key_codec.h"
#include "libs/storage/rocksdb_store.h"

namespace omnia::catalogue {
namespace {

using ::omnia::internal::CatalogueHead;
using ::omnia::internal::DatasetState;
using ::omnia::internal::ReleasePageToken;
using ::omnia::internal::ReleaseRecord;

// Column indexes, in the order of Columns().
enum Column : int {
  kMeta = 0,         // "head" -> CatalogueHead; "schema" -> layout version
  kDatasets,         // dataset_id -> DatasetState
  kReleases,         // release_id -> ReleaseRecord
  kReleaseOrder,     // big-endian ~sequence -> release_id (newest first in key order)
  kReleaseDatasets,  // release_id '\0' dataset_id -> v1::Dataset as published then
};

constexpr std::string_view kHeadKey = "head";
constexpr std::string_view kSchemaKey = "schema";
// Bumped when the layout changes incompatibly, so an old binary refuses a newer store.
constexpr std::string_view kSchemaVersion = "1";

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;
constexpr size_t kMaxReleaseIdChars = 64;

// Neither release ids nor dataset ids contain '\0', so the prefix "<release>\0" holds exactly
// the datasets of one release, in dataset_id order.
std::string ReleaseDatasetsPrefix(std::string_view release_id) {
  std::string key(release_id);
  key.push_back('\0');
  return key;
}

std::string ReleaseDatasetKey(std::string_view release_id, std::string_view dataset_id) {
  std::string key = ReleaseDatasetsPrefix(release_id);
  key.append(dataset_id);
  return key;
}

// Newest first: the sequence inverted.
std::string OrderKey(uint64_t sequence) { return storage::BigEndian(~sequence, 8); }

uint64_t SequenceOfOrderKey(std::string_view key) { return ~storage::ReadBigEndian(key); }

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat("catalogue store: unreadable ", AsAbsl(what)));
}

v1::Date ToProto(const domain::Date& date) {
  v1::Date out;
  out.set_year(date.year);
  out.set_month(date.month);
  out.set_day(date.day);
  return out;
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(time);
  out.set_seconds(seconds);
  out.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return out;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// What decides whether a release changed a dataset. The kind prefix keeps a cell digest from
// ever equalling an attachment digest.
std::string ContentFingerprint(const RenderedDataset& dataset) {
  if (!dataset.content_fingerprint.empty()) {
    return absl::StrCat("cells:", dataset.content_fingerprint);
  }
  std::string canonical;
  for (const v1::Attachment& attachment : dataset.attachments) {  // sorted by format
    absl::StrAppend(&canonical, static_cast<int>(attachment.format()), "=", attachment.sha256(),
                    "\n");
  }
  return absl::StrCat("files:", Sha256Hex(canonical));
}

template <typename Message>
absl::StatusOr<std::optional<Message>> ReadMessage(storage::KvStore& kv, int column,
                                                   std::string_view key, std::string_view what) {
  absl::StatusOr<std::optional<std::string>> bytes = kv.Get(column, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Message>();
  Message message;
  if (!message.ParseFromString(**bytes)) return Corrupt(what);
  return std::optional<Message>(std::move(message));
}

}  // namespace

absl::Status ValidateReleaseId(std::string_view release_id) {
  if (release_id.empty()) return absl::InvalidArgumentError("release_id is required");
  if (release_id.size() > kMaxReleaseIdChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("release_id: at most ", kMaxReleaseIdChars, " characters"));
  }
  const auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(release_id.front())) {
    return absl::InvalidArgumentError("release_id: must start with a letter or a digit");
  }
  for (const char c : release_id) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') {
      return absl::InvalidArgumentError(
          "release_id: only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return absl::OkStatus();
}

std::vector<storage::ColumnSpec> CatalogueStore::Columns() {
  return {{"catalogue_meta", {}},
          {"catalogue_datasets", {}},
          {"catalogue_releases", {}},
          {"catalogue_release_order", {}},
          {"catalogue_release_datasets", {}}};
}

CatalogueStore::CatalogueStore(std::unique_ptr<storage::KvStore> kv, CatalogueConfig config,
                               const Clock& clock)
    : kv_(std::move(kv)), config_(std::move(config)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<CatalogueStore>> CatalogueStore::Open(
    std::unique_ptr<storage::KvStore> kv, CatalogueConfig config, const Clock& clock) {
  absl::StatusOr<std::optional<std::string>> schema = kv->Get(kMeta, kSchemaKey);
  if (!schema.ok()) return schema.status();
  if (schema->has_value() && **schema != kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("catalogue store has layout version ",
                                                      **schema, "; this build reads ",
                                                      AsAbsl(kSchemaVersion)));
  }
  std::unique_ptr<CatalogueStore> store(
      new CatalogueStore(std::move(kv), std::move(config), clock));
  // Checking now reports a damaged store at start-up rather than at the first request, and
  // keeps the service from serving (or publishing on top of) a head that points nowhere.
  if (absl::Status s = store->CheckConsistency(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("the catalogue store is inconsistent: ", s.message(),
                                               ". Refusing to open it; nothing was deleted."));
  }
  return store;
}

absl::Status CatalogueStore::CheckConsistency() const {
  absl::StatusOr<CatalogueHead> head = ReadHead();
  if (!head.ok()) return head.status();
  // Every entry of the release order names a record with that sequence, and the newest one is
  // the head's.
  std::vector<std::pair<uint64_t, std::string>> order;
  absl::Status scan =
      kv_->Scan(kReleaseOrder, "", "", [&](std::string_view key, std::string_view value) {
        order.emplace_back(SequenceOfOrderKey(key), std::string(value));
        return true;
      });
  if (!scan.ok()) return scan;
  if (order.empty() != head->current_release_id().empty()) {
    return absl::DataLossError(absl::StrCat("the head names release '", head->current_release_id(),
                                            "' but ", order.size(), " releases are recorded"));
  }
  if (!order.empty() && (order.front().second != head->current_release_id() ||
                         order.front().first != head->last_sequence())) {
    return absl::DataLossError(
        absl::StrCat("the head names release '", head->current_release_id(), "' (sequence ",
                     head->last_sequence(), ") but the newest recorded release is '",
                     order.front().second, "' (sequence ", order.front().first, ")"));
  }
  for (const auto& [sequence, id] : order) {
    absl::StatusOr<std::optional<ReleaseRecord>> record = ReadRelease(id);
    if (!record.ok()) return record.status();
    if (!record->has_value() || (*record)->sequence() != sequence) {
      return absl::DataLossError(
          absl::StrCat("release '", id, "' (sequence ", sequence, ") has no record"));
    }
    size_t datasets = 0;
    const std::string prefix = ReleaseDatasetsPrefix(id);
    absl::Status count = kv_->Scan(kReleaseDatasets, prefix, storage::PrefixEnd(prefix),
                                   [&](std::string_view, std::string_view) {
                                     ++datasets;
                                     return true;
                                   });
    if (!count.ok()) return count;
    if (datasets != (*record)->release().dataset_count()) {
      return absl::DataLossError(absl::StrCat("release '", id, "' records ",
                                              (*record)->release().dataset_count(),
                                              " datasets but ", datasets, " are stored"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CatalogueStore>> CatalogueStore::OpenAt(const std::string& path,
                                                                       CatalogueConfig config,
                                                                       const Clock& clock) {
  absl::StatusOr<std::unique_ptr<storage::KvStore>> kv = storage::OpenRocksDb(path, Columns());
  if (!kv.ok()) return kv.status();
  return Open(std::move(*kv), std::move(config), clock);
}

absl::StatusOr<CatalogueHead> CatalogueStore::ReadHead() const {
  absl::StatusOr<std::optional<CatalogueHead>> head =
      ReadMessage<CatalogueHead>(*kv_, kMeta, kHeadKey, "head");
  if (!head.ok()) return head.status();
  return head->value_or(CatalogueHead());
}

absl::StatusOr<std::optional<ReleaseRecord>> CatalogueStore::ReadRelease(
    std::string_view release_id) const {
  return ReadMessage<ReleaseRecord>(*kv_, kReleases, release_id,
                                    absl::StrCat("release ", AsAbsl(release_id)));
}

absl::Status CatalogueStore::ValidateDatasets(std::vector<RenderedDataset>& datasets) const {
  if (datasets.empty()) return absl::InvalidArgumentError("a release needs at least one dataset");
  std::set<std::string> ids;
  for (size_t i = 0; i < datasets.size(); ++i) {
    RenderedDataset& dataset = datasets[i];
    const DatasetSpec& spec = dataset.spec;
    const std::string field = absl::StrCat("datasets[", i, "] (", spec.dataset_id, ")");
    const auto invalid = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
    };
    if (!ids.insert(spec.dataset_id).second) return invalid("the dataset is listed twice");
    // Only datasets the configuration defines can be published: their ids must resolve (so the
    // exporter can render them) and the spec must agree with its id.
    absl::StatusOr<DatasetKey> key = ParseDatasetId(config_, spec.dataset_id);
    if (!key.ok()) return invalid(key.status().message());
    if (key->kind != spec.kind || key->measure != spec.measure ||
        key->reference_year != spec.reference_year) {
      return invalid("kind, measure or reference year disagree with the dataset id");
    }
    if (spec.years.empty() || !std::is_sorted(spec.years.begin(), spec.years.end()) ||
        spec.first_year != spec.years.front() || spec.last_year != spec.years.back() ||
        spec.first_year < config_.first_year()) {
      return invalid(
          "years must be ascending, from the first year on, and match first_year and "
          "last_year");
    }
    if (spec.title.empty() || !IsValidUtf8(spec.title) || !IsValidUtf8(spec.description)) {
      return invalid("title is required and text must be UTF-8");
    }
    if (dataset.attachments.size() != config_.formats().size()) {
      return invalid(absl::StrCat("has ", dataset.attachments.size(),
                                  " attachments; every dataset needs one per configured format (",
                                  config_.formats().size(), ")"));
    }
    std::sort(
        dataset.attachments.begin(), dataset.attachments.end(),
        [](const v1::Attachment& a, const v1::Attachment& b) { return a.format() < b.format(); });
    for (size_t j = 0; j < dataset.attachments.size(); ++j) {
      v1::Attachment& attachment = dataset.attachments[j];
      const std::string name = v1::Format_IsValid(attachment.format())
                                   ? v1::Format_Name(attachment.format())
                                   : absl::StrCat(static_cast<int>(attachment.format()));
      const auto bad = [&](absl::string_view what) {
        return invalid(absl::StrCat("attachment ", name, ": ", what));
      };
      const ::omnia::internal::AttachmentFormat* format = config_.format(attachment.format());
      if (format == nullptr) return bad("not a configured format");
      if (j > 0 && dataset.attachments[j - 1].format() == attachment.format()) {
        return bad("listed twice");
      }
      if (attachment.sha256().size() != 64 || !IsLowerHex(attachment.sha256())) {
        return bad("sha256 must be 64 lowercase hex digits");
      }
      if (attachment.file_name().empty()) {
        absl::StatusOr<std::string> file_name =
            AttachmentFileName(config_, spec.dataset_id, attachment.format());
        if (!file_name.ok()) return bad(file_name.status().message());
        attachment.set_file_name(*file_name);
      } else if (attachment.file_name().find_first_of("/\\") != std::string::npos ||
                 !IsValidUtf8(attachment.file_name())) {
        return bad("file_name must be a plain UTF-8 file name");
      }
      if (attachment.media_type().empty()) attachment.set_media_type(format->media_type());
      if (!IsValidUtf8(attachment.media_type()) || !IsValidUtf8(attachment.download().url())) {
        return bad("media_type and download.url must be UTF-8");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PublishResult> CatalogueStore::RecordRelease(
    std::string_view release_id, std::string_view description,
    std::vector<RenderedDataset> datasets, std::optional<absl::Time> published_at) {
  if (absl::Status s = ValidateReleaseId(release_id); !s.ok()) return s;
  if (absl::Status s = ValidateReleaseDescription(description); !s.ok()) return s;

  absl::MutexLock lock(&write_mutex_);
  absl::StatusOr<std::optional<ReleaseRecord>> existing = ReadRelease(release_id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return PublishResult{(*existing)->release(), false};

  if (absl::Status s = ValidateDatasets(datasets); !s.ok()) return s;
  absl::StatusOr<CatalogueHead> head = ReadHead();
  if (!head.ok()) return head.status();

  const absl::Time now = published_at.value_or(clock_.Now());
  const v1::Date today = ToProto(domain::ItalianDate(now));
  const std::string id(release_id);

  std::sort(datasets.begin(), datasets.end(),
            [](const RenderedDataset& a, const RenderedDataset& b) {
              return a.spec.dataset_id < b.spec.dataset_id;
            });

  ReleaseRecord record;
  record.set_sequence(head->last_sequence() + 1);
  v1::Release& release = *record.mutable_release();
  release.set_release_id(id);
  *release.mutable_create_time() = ToTimestamp(now);
  *release.mutable_publication_date() = today;
  release.set_description(std::string(description));
  release.set_dataset_count(datasets.size());

  storage::WriteBatch batch;
  for (const RenderedDataset& dataset : datasets) {
    const std::string& dataset_id = dataset.spec.dataset_id;
    absl::StatusOr<std::optional<DatasetState>> previous = ReadMessage<DatasetState>(
        *kv_, kDatasets, dataset_id, absl::StrCat("state of dataset ", dataset_id));
    if (!previous.ok()) return previous.status();

    DatasetState state = previous->value_or(DatasetState());
    const std::string fingerprint = ContentFingerprint(dataset);
    v1::ChangeKind change = v1::CHANGE_KIND_UNSPECIFIED;
    if (!previous->has_value()) {
      change = v1::CHANGE_KIND_ADDED;
      *state.mutable_published_on() = today;
      *state.mutable_updated_on() = today;
    } else if (state.content_fingerprint() != fingerprint) {
      change = v1::CHANGE_KIND_UPDATED;
      *state.mutable_updated_on() = today;
    }
    state.set_last_release_id(id);
    state.set_content_fingerprint(fingerprint);
    if (change != v1::CHANGE_KIND_UNSPECIFIED) {
      v1::DatasetChange& entry = *release.add_changes();
      entry.set_dataset_id(dataset_id);
      entry.set_title(dataset.spec.title);
      entry.set_kind(change);
    }

    v1::Dataset published = DatasetMetadata(config_, dataset.spec);
    *published.mutable_published_on() = state.published_on();
    *published.mutable_updated_on() = state.updated_on();
    published.set_release_id(id);
    for (const v1::Attachment& attachment : dataset.attachments) {
      v1::Attachment& out = *published.add_attachments();
      out = attachment;
      out.mutable_download()->set_dataset_id(dataset_id);
      out.mutable_download()->set_format(attachment.format());
      out.mutable_download()->set_release_id(id);
    }
    batch.Put(kReleaseDatasets, ReleaseDatasetKey(id, dataset_id), published.SerializeAsString());
    batch.Put(kDatasets, dataset_id, state.SerializeAsString());
  }

  CatalogueHead new_head;
  new_head.set_current_release_id(id);
  new_head.set_last_sequence(record.sequence());
  batch.Put(kReleases, id, record.SerializeAsString());
  batch.Put(kReleaseOrder, OrderKey(record.sequence()), id);
  batch.Put(kMeta, std::string(kHeadKey), new_head.SerializeAsString());
  batch.Put(kMeta, std::string(kSchemaKey), std::string(kSchemaVersion));
  if (absl::Status s = kv_->Write(batch, storage::Durability::kSync); !s.ok()) return s;
  return PublishResult{std::move(release), true};
}

absl::StatusOr<v1::Dataset> CatalogueStore::GetDataset(std::string_view dataset_id,
                                                       std::string_view release_id) const {
  if (dataset_id.empty()) return absl::InvalidArgumentError("dataset_id is required");
  std::string release(release_id);
  if (release.empty()) {
    absl::StatusOr<CatalogueHead> head = ReadHead();
    if (!head.ok()) return head.status();
    if (head->current_release_id().empty()) {
      return absl::NotFoundError(absl::StrCat("dataset ", AsAbsl(dataset_id.substr(0, 100)),
                                              " has not been published: no release yet"));
    }
    release = head->current_release_id();
  } else {
    absl::StatusOr<std::optional<ReleaseRecord>> record = ReadRelease(release);
    if (!record.ok()) return record.status();
    if (!record->has_value()) {
      return absl::NotFoundError(absl::StrCat("release ", release.substr(0, 64), " not found"));
    }
  }
  absl::StatusOr<std::optional<v1::Dataset>> dataset = ReadMessage<v1::Dataset>(
      *kv_, kReleaseDatasets, ReleaseDatasetKey(release, dataset_id),
      absl::StrCat("dataset ", AsAbsl(dataset_id), " of release ", release));
  if (!dataset.ok()) return dataset.status();
  if (!dataset->has_value()) {
    return absl::NotFoundError(absl::StrCat("dataset ", AsAbsl(dataset_id.substr(0, 100)),
                                            " is not in release ", release));
  }
  return std::move(**dataset);
}

absl::StatusOr<std::vector<v1::Dataset>> CatalogueStore::DatasetsAt(
    std::string_view release_id) const {
  std::string release(release_id);
  if (release.empty()) {
    absl::StatusOr<CatalogueHead> head = ReadHead();
    if (!head.ok()) return head.status();
    if (head->current_release_id().empty()) return std::vector<v1::Dataset>();
    release = head->current_release_id();
  } else {
    absl::StatusOr<std::optional<ReleaseRecord>> record = ReadRelease(release);
    if (!record.ok()) return record.status();
    if (!record->has_value()) {
      return absl::NotFoundError(absl::StrCat("release ", release.substr(0, 64), " not found"));
    }
  }
  std::vector<v1::Dataset> datasets;
  bool corrupt = false;
  const std::string prefix = ReleaseDatasetsPrefix(release);
  absl::Status scan =
      kv_->Scan(kReleaseDatasets, prefix, storage::PrefixEnd(prefix),
                [&](std::string_view, std::string_view value) {
                  v1::Dataset& dataset = datasets.emplace_back();
                  corrupt = !dataset.ParseFromArray(value.data(), static_cast<int>(value.size()));
                  return !corrupt;
                });
  if (!scan.ok()) return scan;
  if (corrupt) return Corrupt(absl::StrCat("datasets of release ", release));
  return datasets;
}

absl::StatusOr<v1::Release> CatalogueStore::GetRelease(std::string_view release_id) const {
  if (release_id.empty()) return absl::InvalidArgumentError("release_id is required");
  absl::StatusOr<std::optional<ReleaseRecord>> record = ReadRelease(release_id);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("release ", AsAbsl(release_id.substr(0, 64)), " not found"));
  }
  return (*record)->release();
}

absl::StatusOr<ReleasePage> CatalogueStore::ListReleases(int page_size,
                                                         std::string_view page_token) const {
  if (page_size < 0) return absl::InvalidArgumentError("page_size must not be negative");
  if (page_size == 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  std::string begin;
  if (!page_token.empty()) {
    ReleasePageToken token;
    if (!DecodePageToken(page_token, &token) || token.last_sequence() == 0) {
      return absl::InvalidArgumentError("page_token is malformed");
    }
    // Keys invert the sequence: the releases older than the token's come right after its key.
    begin = OrderKey(token.last_sequence());
    begin.push_back('\0');
  }
  std::vector<std::string> ids;
  bool more = false;
  absl::Status scan =
      kv_->Scan(kReleaseOrder, begin, "", [&](std::string_view, std::string_view value) {
        if (static_cast<int>(ids.size()) == page_size) {
          more = true;
          return false;
        }
        ids.emplace_back(value);
        return true;
      });
  if (!scan.ok()) return scan;
  ReleasePage page;
  uint64_t last_sequence = 0;
  for (const std::string& id : ids) {
    absl::StatusOr<std::optional<ReleaseRecord>> record = ReadRelease(id);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return Corrupt(absl::StrCat("release order entry ", id));
    last_sequence = (*record)->sequence();
    page.releases.push_back((*record)->release());
  }
  if (more) {
    ReleasePageToken token;
    token.set_last_sequence(last_sequence);
    page.next_page_token = EncodePageToken(token);
  }
  return page;
}

absl::StatusOr<std::string> CatalogueStore::CurrentReleaseId() const {
  absl::StatusOr<CatalogueHead> head = ReadHead();
  if (!head.ok()) return head.status();
  return head->current_release_id();
}

absl::Status ValidateReleaseDescription(std::string_view description) {
  if (!IsValidUtf8(description)) {
    return absl::InvalidArgumentError("description: not valid UTF-8");
  }
  if (CodePointCount(description) > kMaxReleaseDescriptionChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("description: at most ", kMaxReleaseDescriptionChars, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CatalogueStore::NextReleaseId(const std::set<std::string>& skip,
                                                          std::optional<absl::Time> at) const {
  const domain::Date today = domain::ItalianDate(at.value_or(clock_.Now()));
  const std::string base = absl::StrFormat("%04d-%02d-%02d", today.year, today.month, today.day);
  // A bound keeps a pathological store from looping; nobody publishes 10000 times a day.
  for (int n = 1; n < 10000; ++n) {
    const std::string candidate = n == 1 ? base : absl::StrCat(base, ".", n);
    if (skip.count(candidate) > 0) continue;
    absl::StatusOr<std::optional<ReleaseRecord>> record = ReadRelease(candidate);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return candidate;
  }
  return absl::ResourceExhaustedError(absl::StrCat("too many releases on ", base));
}

}  // namespace omnia::catalogue
