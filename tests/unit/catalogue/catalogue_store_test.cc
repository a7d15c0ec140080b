#include "libs/catalogue/catalogue_store.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/clock.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/datasets.h"
#include "libs/storage/rocksdb_store.h"
#include "omnia/internal/catalogue_store.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_injecting_kv_store.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

std::string DateText(const v1::Date& d) {
  return absl::StrCat(d.year(), "-", d.month(), "-", d.day());
}

using FlakyKvStore = testing::FaultInjectingKvStore;

class CatalogueStoreTest : public ::testing::Test {
 protected:
  CatalogueStoreTest() : clock_(Utc(2026, 1, 15, 10, 0)) {}

  void SetUp() override {
    absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    config_.emplace(*std::move(config));
    Reopen();
  }

  void Reopen() { ASSERT_TRUE(TryReopen().ok()); }

  absl::Status TryReopen() {
    store_.reset();
    flaky_ = nullptr;
    absl::StatusOr<std::unique_ptr<storage::KvStore>> kv =
        storage::OpenRocksDb(dir_.path() + "/catalogue", CatalogueStore::Columns());
    if (!kv.ok()) return kv.status();
    auto flaky = std::make_unique<FlakyKvStore>(std::move(*kv));
    flaky_ = flaky.get();
    absl::StatusOr<std::unique_ptr<CatalogueStore>> store =
        CatalogueStore::Open(std::move(flaky), *config_, clock_);
    if (!store.ok()) {
      flaky_ = nullptr;
      return store.status();
    }
    store_ = std::move(*store);
    return absl::OkStatus();
  }

  // Writes to the store's RocksDB behind the catalogue's back (with the catalogue closed), as
  // damage from outside would.
  void WriteRaw(const storage::WriteBatch& batch) {
    store_.reset();
    flaky_ = nullptr;
    absl::StatusOr<std::unique_ptr<storage::KvStore>> kv =
        storage::OpenRocksDb(dir_.path() + "/catalogue", CatalogueStore::Columns());
    ASSERT_TRUE(kv.ok()) << kv.status();
    ASSERT_TRUE((*kv)->Write(batch, storage::Durability::kSync).ok());
  }

  std::optional<std::string> ReadRaw(int column, const std::string& key) {
    store_.reset();
    flaky_ = nullptr;
    absl::StatusOr<std::unique_ptr<storage::KvStore>> kv =
        storage::OpenRocksDb(dir_.path() + "/catalogue", CatalogueStore::Columns());
    EXPECT_TRUE(kv.ok()) << kv.status();
    if (!kv.ok()) return std::nullopt;
    return (*kv)->Get(column, key).value_or(std::nullopt);
  }

  // Attachments whose digests follow `content`: the same content gives the same files.
  RenderedDataset Render(const DatasetSpec& spec, const std::string& content) {
    RenderedDataset out;
    out.spec = spec;
    for (const auto& format : config_->formats()) {
      v1::Attachment& attachment = out.attachments.emplace_back();
      attachment.set_format(format.format());
      const std::string bytes = absl::StrCat(spec.dataset_id, "|", content, "|", format.format());
      attachment.set_size_bytes(bytes.size());
      attachment.set_sha256(Sha256Hex(bytes));
      attachment.set_rows(759);
    }
    return out;
  }

  // Every dataset for these years, with content "v1" unless `content` names another.
  std::vector<RenderedDataset> RenderAll(const std::vector<int>& years, int latest_complete,
                                         const std::map<std::string, std::string>& content = {}) {
    std::vector<RenderedDataset> out;
    for (const DatasetSpec& spec : DatasetsFor(*config_, years, latest_complete)) {
      const auto it = content.find(spec.dataset_id);
      out.push_back(Render(spec, it == content.end() ? "v1" : it->second));
    }
    return out;
  }

  PublishResult MustRecord(const std::string& id, std::vector<RenderedDataset> datasets,
                           const std::string& description = "") {
    absl::StatusOr<PublishResult> result =
        store_->RecordRelease(id, description, std::move(datasets));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : PublishResult();
  }

  v1::Dataset MustGet(const std::string& id, const std::string& release = "") {
    absl::StatusOr<v1::Dataset> dataset = store_->GetDataset(id, release);
    EXPECT_TRUE(dataset.ok()) << dataset.status();
    return dataset.ok() ? *dataset : v1::Dataset();
  }

  // Everything a reader can see, serialised, to compare before and after a failed call.
  std::string Snapshot() {
    std::string out;
    absl::StatusOr<std::string> current = store_->CurrentReleaseId();
    EXPECT_TRUE(current.ok());
    absl::StrAppend(&out, "current=", current.value_or("?"), "\n");
    absl::StatusOr<ReleasePage> releases = store_->ListReleases(100, "");
    EXPECT_TRUE(releases.ok());
    for (const v1::Release& release : releases.value_or(ReleasePage()).releases) {
      absl::StrAppend(&out, release.SerializeAsString(), "\n");
      absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt(release.release_id());
      EXPECT_TRUE(datasets.ok());
      for (const v1::Dataset& dataset : datasets.value_or(std::vector<v1::Dataset>())) {
        absl::StrAppend(&out, dataset.SerializeAsString(), "\n");
      }
    }
    return out;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::optional<CatalogueConfig> config_;
  FlakyKvStore* flaky_ = nullptr;
  std::unique_ptr<CatalogueStore> store_;
};

constexpr char kDomande2023[] = "integrazioni-salariali-domande-2023";
constexpr char kDomandeStorico[] = "integrazioni-salariali-domande-storico";
constexpr char kLavoratori2023[] = "integrazioni-salariali-lavoratori-2023";

TEST_F(CatalogueStoreTest, EmptyCatalogue) {
  EXPECT_EQ(*store_->CurrentReleaseId(), "");
  EXPECT_THAT(*store_->DatasetsAt(), IsEmpty());
  EXPECT_THAT(store_->ListReleases(0, "")->releases, IsEmpty());
  EXPECT_EQ(store_->GetDataset(kDomande2023).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CatalogueStoreTest, FirstReleaseAddsEveryDataset) {
  const PublishResult result =
      MustRecord("2026-01-15", RenderAll({2020, 2021, 2022, 2023}, 2022), "Prima pubblicazione");
  EXPECT_TRUE(result.created);
  const v1::Release& release = result.release;
  EXPECT_EQ(release.release_id(), "2026-01-15");
  EXPECT_EQ(release.description(), "Prima pubblicazione");
  EXPECT_EQ(release.create_time().seconds(), absl::ToUnixSeconds(Utc(2026, 1, 15, 10, 0)));
  EXPECT_EQ(DateText(release.publication_date()), "2026-1-15");
  EXPECT_EQ(release.dataset_count(), 15u);
  ASSERT_EQ(release.changes_size(), 15);
  for (const v1::DatasetChange& change : release.changes()) {
    EXPECT_EQ(change.kind(), v1::CHANGE_KIND_ADDED) << change.dataset_id();
  }
  // Changes are by dataset_id and carry the title of the release.
  EXPECT_EQ(release.changes(0).dataset_id(), "integrazioni-salariali-domande-2020");
  EXPECT_EQ(release.changes(0).title(),
            "Numero Domande per regione e tipo di intervento. Anno 2020");

  EXPECT_EQ(*store_->CurrentReleaseId(), "2026-01-15");
  const v1::Dataset dataset = MustGet(kDomandeStorico);
  EXPECT_EQ(dataset.title(),
            "Storico Numero Domande per regione e tipo di intervento. Anno 2020, 2021, 2022");
  EXPECT_EQ(dataset.owner(), "INPS");
  EXPECT_EQ(dataset.release_id(), "2026-01-15");
  EXPECT_EQ(DateText(dataset.published_on()), "2026-1-15");
  EXPECT_EQ(DateText(dataset.updated_on()), "2026-1-15");
  ASSERT_EQ(dataset.attachments_size(), 5);
  const v1::Attachment& csv = dataset.attachments(0);
  EXPECT_EQ(csv.format(), v1::FORMAT_CSV);
  EXPECT_EQ(csv.file_name(), "integrazioni-salariali-domande-storico.csv");
  EXPECT_EQ(csv.media_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.sha256().size(), 64u);
  EXPECT_EQ(csv.rows(), 759u);
  EXPECT_EQ(csv.download().dataset_id(), kDomandeStorico);
  EXPECT_EQ(csv.download().format(), v1::FORMAT_CSV);
  EXPECT_EQ(csv.download().release_id(), "2026-01-15");
  EXPECT_EQ(dataset.attachments(4).format(), v1::FORMAT_XLSX);
  EXPECT_EQ(dataset.attachments(4).file_name(), "integrazioni-salariali-domande-storico.xlsx");

  absl::StatusOr<std::vector<v1::Dataset>> all = store_->DatasetsAt();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 15u);
  EXPECT_EQ(all->front().dataset_id(), "integrazioni-salariali-domande-2020");
}

TEST_F(CatalogueStoreTest, UnchangedContentKeepsAggiornato) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  clock_.Advance(absl::Hours(24 * 30));
  const PublishResult second = MustRecord("r2", RenderAll({2022, 2023}, 2022));
  EXPECT_TRUE(second.created);
  EXPECT_THAT(second.release.changes(), IsEmpty());
  EXPECT_EQ(DateText(second.release.publication_date()), "2026-2-14");

  const v1::Dataset dataset = MustGet(kDomande2023);
  EXPECT_EQ(dataset.release_id(), "r2");
  EXPECT_EQ(DateText(dataset.published_on()), "2026-1-15");
  EXPECT_EQ(DateText(dataset.updated_on()), "2026-1-15");
}

TEST_F(CatalogueStoreTest, ChangedContentMovesAggiornato) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  clock_.Advance(absl::Hours(24 * 30));
  const PublishResult second =
      MustRecord("r2", RenderAll({2022, 2023}, 2022, {{kDomande2023, "rettifica"}}));
  ASSERT_EQ(second.release.changes_size(), 1);
  EXPECT_EQ(second.release.changes(0).dataset_id(), kDomande2023);
  EXPECT_EQ(second.release.changes(0).kind(), v1::CHANGE_KIND_UPDATED);

  const v1::Dataset changed = MustGet(kDomande2023);
  EXPECT_EQ(DateText(changed.published_on()), "2026-1-15");
  EXPECT_EQ(DateText(changed.updated_on()), "2026-2-14");
  const v1::Dataset unchanged = MustGet(kLavoratori2023);
  EXPECT_EQ(DateText(unchanged.updated_on()), "2026-1-15");
}

TEST_F(CatalogueStoreTest, EarlierReleaseStaysReadable) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  const v1::Dataset before = MustGet(kDomande2023);
  clock_.Advance(absl::Hours(24 * 30));
  MustRecord("r2", RenderAll({2022, 2023}, 2022, {{kDomande2023, "rettifica"}}));

  const v1::Dataset old = MustGet(kDomande2023, "r1");
  EXPECT_EQ(old.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(old.release_id(), "r1");
  EXPECT_EQ(old.attachments(0).download().release_id(), "r1");
  const v1::Dataset now = MustGet(kDomande2023, "r2");
  EXPECT_NE(now.attachments(0).sha256(), old.attachments(0).sha256());
  EXPECT_EQ(MustGet(kDomande2023).SerializeAsString(), now.SerializeAsString());

  EXPECT_EQ(store_->DatasetsAt("r1")->size(), 9u);
  absl::StatusOr<v1::Release> r1 = store_->GetRelease("r1");
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->changes_size(), 9);
}

TEST_F(CatalogueStoreTest, ANewYearAddsDatasetsAndUpdatesTheStorico) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  clock_.Advance(absl::Hours(24 * 365));
  // 2023 is complete: the Storico now covers it (its files change), and 2024 starts.
  const PublishResult second =
      MustRecord("r2", RenderAll({2022, 2023, 2024}, 2023,
                                 {{"integrazioni-salariali-domande-storico", "v2"},
                                  {"integrazioni-salariali-lavoratori-storico", "v2"},
                                  {"integrazioni-salariali-mensilita-storico", "v2"}}));
  std::vector<std::string> changes;
  for (const v1::DatasetChange& change : second.release.changes()) {
    changes.push_back(absl::StrCat(change.dataset_id(), " ", v1::ChangeKind_Name(change.kind())));
  }
  EXPECT_THAT(changes, ElementsAre("integrazioni-salariali-domande-2024 CHANGE_KIND_ADDED",
                                   "integrazioni-salariali-domande-storico CHANGE_KIND_UPDATED",
                                   "integrazioni-salariali-lavoratori-2024 CHANGE_KIND_ADDED",
                                   "integrazioni-salariali-lavoratori-storico CHANGE_KIND_UPDATED",
                                   "integrazioni-salariali-mensilita-2024 CHANGE_KIND_ADDED",
                                   "integrazioni-salariali-mensilita-storico CHANGE_KIND_UPDATED"));
  const v1::Dataset storico = MustGet(kDomandeStorico);
  EXPECT_EQ(storico.title(),
            "Storico Numero Domande per regione e tipo di intervento. Anno 2022, 2023");
  EXPECT_EQ(DateText(storico.published_on()), "2026-1-15");
  EXPECT_EQ(DateText(storico.updated_on()), "2027-1-15");
  EXPECT_EQ(MustGet(kDomandeStorico, "r1").title(),
            "Storico Numero Domande per regione e tipo di intervento. Anno 2022");
  const v1::Dataset added = MustGet("integrazioni-salariali-domande-2024");
  EXPECT_EQ(DateText(added.published_on()), "2027-1-15");
  EXPECT_EQ(added.update_frequency(), "MONTHLY");
  // 2023 is no longer the latest year.
  EXPECT_EQ(MustGet(kDomande2023).update_frequency(), "IRREG");
  EXPECT_EQ(DateText(MustGet(kDomande2023).updated_on()), "2026-1-15");
}

TEST_F(CatalogueStoreTest, ADatasetLeftOutStaysInItsReleases) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  std::vector<RenderedDataset> fewer = RenderAll({2023}, 2022);
  MustRecord("r2", std::move(fewer));
  EXPECT_EQ(store_->GetDataset("integrazioni-salariali-domande-2022").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(MustGet("integrazioni-salariali-domande-2022", "r1").release_id(), "r1");
  EXPECT_EQ(store_->DatasetsAt()->size(), 3u);
  // Back later: not new, so it keeps its first publication date.
  clock_.Advance(absl::Hours(48));
  const PublishResult third = MustRecord("r3", RenderAll({2022, 2023}, 2022));
  EXPECT_THAT(third.release.changes(), IsEmpty());
  EXPECT_EQ(DateText(MustGet("integrazioni-salariali-domande-2022").published_on()), "2026-1-15");
}

TEST_F(CatalogueStoreTest, ContentFingerprintDecidesWhenGiven) {
  std::vector<RenderedDataset> first = RenderAll({2023}, 2022);
  for (RenderedDataset& d : first) d.content_fingerprint = "cells-a";
  MustRecord("r1", std::move(first));
  clock_.Advance(absl::Hours(24));
  // Files differ (e.g. they embed the release) but the cells do not.
  std::vector<RenderedDataset> second = RenderAll({2023}, 2022, {{kDomande2023, "other bytes"}});
  for (RenderedDataset& d : second) d.content_fingerprint = "cells-a";
  EXPECT_THAT(MustRecord("r2", std::move(second)).release.changes(), IsEmpty());
  std::vector<RenderedDataset> third = RenderAll({2023}, 2022);
  for (RenderedDataset& d : third) {
    d.content_fingerprint = d.spec.dataset_id == kDomande2023 ? "cells-b" : "cells-a";
  }
  EXPECT_EQ(MustRecord("r3", std::move(third)).release.changes_size(), 1);
}

TEST_F(CatalogueStoreTest, IdempotentByReleaseId) {
  const PublishResult first = MustRecord("2026-01-15", RenderAll({2023}, 2022), "prima");
  const std::string before = Snapshot();
  clock_.Advance(absl::Hours(24));
  // Another call with the same id, even with other content, returns the stored release.
  const PublishResult again =
      MustRecord("2026-01-15", RenderAll({2023}, 2022, {{kDomande2023, "x"}}), "seconda");
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.release.SerializeAsString(), first.release.SerializeAsString());
  EXPECT_EQ(Snapshot(), before);
  // Even an invalid payload: the id decides first.
  absl::StatusOr<PublishResult> invalid = store_->RecordRelease("2026-01-15", "", {});
  ASSERT_TRUE(invalid.ok()) << invalid.status();
  EXPECT_FALSE(invalid->created);
}

TEST_F(CatalogueStoreTest, SurvivesReopen) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  clock_.Advance(absl::Hours(24));
  MustRecord("r2", RenderAll({2022, 2023}, 2022, {{kDomande2023, "rettifica"}}));
  const std::string before = Snapshot();
  Reopen();
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(*store_->CurrentReleaseId(), "r2");
  // The sequence continues: the next release is the newest.
  MustRecord("r3", RenderAll({2022, 2023}, 2022));
  EXPECT_EQ(store_->ListReleases(1, "")->releases.at(0).release_id(), "r3");
}

TEST_F(CatalogueStoreTest, InvalidInputChangesNothing) {
  MustRecord("r1", RenderAll({2023}, 2022));
  const std::string before = Snapshot();
  const auto expect_rejected = [&](const std::string& id, const std::string& description,
                                   std::vector<RenderedDataset> datasets,
                                   const std::string& message) {
    absl::StatusOr<PublishResult> result =
        store_->RecordRelease(id, description, std::move(datasets));
    ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_THAT(result.status().message(), HasSubstr(message));
    EXPECT_EQ(Snapshot(), before) << message;
  };

  // The last dataset is broken: nothing of the earlier ones may be written.
  std::vector<RenderedDataset> bad_sha = RenderAll({2022, 2023}, 2022, {{kDomande2023, "new"}});
  bad_sha.back().attachments[2].set_sha256("ABC");
  expect_rejected("r2", "", std::move(bad_sha), "sha256 must be 64 lowercase hex digits");

  std::vector<RenderedDataset> missing_format = RenderAll({2023}, 2022);
  missing_format[1].attachments.pop_back();
  expect_rejected("r2", "", std::move(missing_format), "one per configured format");

  std::vector<RenderedDataset> twice_format = RenderAll({2023}, 2022);
  twice_format[1].attachments[1].set_format(v1::FORMAT_CSV);
  expect_rejected("r2", "", std::move(twice_format), "listed twice");

  std::vector<RenderedDataset> duplicate = RenderAll({2023}, 2022);
  duplicate.push_back(duplicate.front());
  expect_rejected("r2", "", std::move(duplicate), "the dataset is listed twice");

  std::vector<RenderedDataset> unknown = RenderAll({2023}, 2022);
  unknown[0].spec.dataset_id = "storico-numero-domande";
  expect_rejected("r2", "", std::move(unknown), "no dataset storico-numero-domande");

  std::vector<RenderedDataset> inconsistent = RenderAll({2023}, 2022);
  inconsistent[0].spec.measure = domain::Measure::kWorkers;
  expect_rejected("r2", "", std::move(inconsistent), "disagree with the dataset id");

  std::vector<RenderedDataset> bad_name = RenderAll({2023}, 2022);
  bad_name[0].attachments[0].set_file_name("../x.csv");
  expect_rejected("r2", "", std::move(bad_name), "plain UTF-8 file name");

  expect_rejected("r2", "", {}, "at least one dataset");
  expect_rejected("r2", std::string(1001, 'x'), RenderAll({2023}, 2022), "at most 1000");
  expect_rejected("r2", "\xff", RenderAll({2023}, 2022), "description: not valid UTF-8");
  expect_rejected("", "", RenderAll({2023}, 2022), "release_id is required");
  expect_rejected(".r2", "", RenderAll({2023}, 2022), "must start with a letter or a digit");
  expect_rejected("r 2", "", RenderAll({2023}, 2022), "only letters, digits");
  expect_rejected(std::string(65, 'a'), "", RenderAll({2023}, 2022), "at most 64");

  // 1000 characters of accented text are more than 1000 bytes, and still fine.
  std::string long_text;
  for (int i = 0; i < 1000; ++i) long_text += "à";
  EXPECT_TRUE(store_->RecordRelease("r2", long_text, RenderAll({2023}, 2022)).ok());
}

TEST_F(CatalogueStoreTest, FailedWriteChangesNothing) {
  MustRecord("r1", RenderAll({2023}, 2022));
  const std::string before = Snapshot();
  flaky_->set_fail_writes(true);
  absl::StatusOr<PublishResult> failed =
      store_->RecordRelease("r2", "", RenderAll({2022, 2023}, 2022, {{kDomande2023, "new"}}));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Snapshot(), before);
  // Retrying once storage is back publishes normally.
  flaky_->set_fail_writes(false);
  const PublishResult retried =
      MustRecord("r2", RenderAll({2022, 2023}, 2022, {{kDomande2023, "new"}}));
  EXPECT_TRUE(retried.created);
  // The Storico and the 2022 Annuale datasets are added, one 2023 dataset is updated.
  EXPECT_EQ(retried.release.changes_size(), 7);
}

// Columns of the store's layout (catalogue_store.cc), for damaging it from outside.
constexpr int kMetaColumn = 0;
constexpr int kReleasesColumn = 2;
constexpr int kReleaseDatasetsColumn = 4;

// A release's records are written in one atomic batch, so they disagree only when the store was
// damaged from outside. The store then refuses to open, says what is wrong, and changes nothing:
// repairing the damage gives back the catalogue exactly as it was.
TEST_F(CatalogueStoreTest, AnInconsistentStoreIsRefusedAndLeftAsItWas) {
  MustRecord("r1", RenderAll({2022, 2023}, 2022));
  MustRecord("r2", RenderAll({2022, 2023}, 2022, {{kDomande2023, "rettifica"}}));
  const std::string before = Snapshot();
  struct Damage {
    std::string what;
    int column;
    std::string key;
    std::optional<std::string> value;  // nullopt: deleted
    std::string message;
  };
  const std::string dataset_key = std::string("r1") + '\0' + kDomande2023;
  const std::vector<Damage> damages = {
      {"the current release's record is lost", kReleasesColumn, "r2", std::nullopt,
       "release 'r2' (sequence 2) has no record"},
      {"the head names a release that does not exist", kMetaColumn, "head",
       [] {
         ::omnia::internal::CatalogueHead head;
         head.set_current_release_id("r9");
         head.set_last_sequence(9);
         return head.SerializeAsString();
       }(),
       "the head names release 'r9' (sequence 9) but the newest recorded release is 'r2'"},
      {"a dataset of an earlier release is lost", kReleaseDatasetsColumn, dataset_key, std::nullopt,
       "release 'r1' records 9 datasets but 8 are stored"},
      {"a release record is unreadable", kReleasesColumn, "r1", "\xff\xff not a record",
       "unreadable release r1"},
  };
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.what);
    const std::optional<std::string> original = ReadRaw(damage.column, damage.key);
    ASSERT_TRUE(original.has_value());
    storage::WriteBatch harm;
    if (damage.value.has_value()) {
      harm.Put(damage.column, damage.key, *damage.value);
    } else {
      harm.Delete(damage.column, damage.key);
    }
    WriteRaw(harm);
    const absl::Status refused = TryReopen();
    EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(refused.message(), HasSubstr(damage.message));
    EXPECT_THAT(refused.message(), HasSubstr("nothing was deleted"));

    storage::WriteBatch repair;
    repair.Put(damage.column, damage.key, *original);
    WriteRaw(repair);
    ASSERT_TRUE(TryReopen().ok());
    EXPECT_EQ(Snapshot(), before);
  }
}

TEST_F(CatalogueStoreTest, ListReleasesNewestFirstWithPaging) {
  for (const std::string id : {"a", "b", "c", "d", "e"}) {
    MustRecord(id, RenderAll({2023}, 2022));
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<ReleasePage> page = store_->ListReleases(2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::Release& release : page->releases) seen.push_back(release.release_id());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_THAT(seen, ElementsAre("e", "d", "c", "b", "a"));
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(store_->ListReleases(100, "")->next_page_token, "");
  EXPECT_EQ(store_->ListReleases(-1, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListReleases(2, "not a token!").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CatalogueStoreTest, NextReleaseIdIsTheRomeDate) {
  EXPECT_EQ(*store_->NextReleaseId(), "2026-01-15");
  MustRecord(*store_->NextReleaseId(), RenderAll({2023}, 2022));
  EXPECT_EQ(*store_->NextReleaseId(), "2026-01-15.2");
  MustRecord(*store_->NextReleaseId(), RenderAll({2023}, 2022));
  EXPECT_EQ(*store_->NextReleaseId(), "2026-01-15.3");
  // 23:30 UTC on 15 January is already the 16th in Rome.
  clock_.Advance(absl::Minutes(13 * 60 + 30));
  EXPECT_EQ(*store_->NextReleaseId(), "2026-01-16");
  const PublishResult late = MustRecord("late", RenderAll({2023}, 2022, {{kDomande2023, "x"}}));
  EXPECT_EQ(DateText(late.release.publication_date()), "2026-1-16");
  EXPECT_EQ(DateText(MustGet(kDomande2023).updated_on()), "2026-1-16");
}

TEST_F(CatalogueStoreTest, GetDatasetErrors) {
  MustRecord("r1", RenderAll({2023}, 2022));
  EXPECT_EQ(store_->GetDataset("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetDataset("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDataset(kDomande2023, "r9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDataset(kDomandeStorico, "r1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->DatasetsAt("r9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRelease("r9").status().code(), absl::StatusCode::kNotFound);
  // common.proto: an id not of the release id form names no release, so reads answer NOT_FOUND.
  for (const std::string& malformed :
       std::vector<std::string>{"-r1", "../r1", std::string(65, 'r')}) {
    EXPECT_EQ(store_->GetDataset(kDomande2023, malformed).status().code(),
              absl::StatusCode::kNotFound)
        << malformed;
    EXPECT_EQ(store_->DatasetsAt(malformed).status().code(), absl::StatusCode::kNotFound)
        << malformed;
    EXPECT_EQ(store_->GetRelease(malformed).status().code(), absl::StatusCode::kNotFound)
        << malformed;
  }
}

TEST(ValidateReleaseIdTest, FollowsTheApiRule) {
  EXPECT_TRUE(ValidateReleaseId("2026-01-15").ok());
  EXPECT_TRUE(ValidateReleaseId("2026-01-15.2").ok());
  EXPECT_TRUE(ValidateReleaseId("Rettifica_2023").ok());
  EXPECT_FALSE(ValidateReleaseId("").ok());
  EXPECT_FALSE(ValidateReleaseId("-x").ok());
  EXPECT_FALSE(ValidateReleaseId("a/b").ok());
  EXPECT_FALSE(ValidateReleaseId(std::string("a\0b", 3)).ok());
}

}  // namespace
}  // namespace omnia::catalogue
