#include "libs/cube/engine.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/storage/durable_file.h"
#include "libs/storage/rocksdb_store.h"

namespace omnia::cube {
namespace fs = std::filesystem;
namespace {

constexpr char kCurrentFile[] = "CURRENT";
constexpr char kReleasesDir[] = "releases";
constexpr char kReleaseSuffix[] = ".release";

absl::StatusOr<std::unique_ptr<CubeStore>> OpenStore(const std::string& dir,
                                                     const domain::Codelists& codelists,
                                                     base::ForkJoinPool* apply_pool,
                                                     size_t expected_workers) {
  absl::StatusOr<std::unique_ptr<storage::KvStore>> kv =
      storage::OpenRocksDb(dir, CubeStore::Columns());
  if (!kv.ok()) return kv.status();
  absl::StatusOr<std::unique_ptr<CubeStore>> store =
      CubeStore::Open(std::move(*kv), codelists, apply_pool);
  if (!store.ok()) return store.status();
  if (absl::Status s = (*store)->ReserveWorkers(expected_workers); !s.ok()) return s;
  return store;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Writes `content` to `path` so that readers, and a restart after a crash or power cut, see
// either the old file or the whole new one; durable once it returns OK.
absl::Status WriteFileAtomically(const fs::path& path, const std::string& content) {
  storage::PosixFileSystem files;
  return storage::WriteFileDurably(files, path.string(), content);
}

bool IsCubeDirName(std::string_view name) {
  if (name.rfind("cube-", 0) != 0 || name.size() == 5) return false;
  return std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status Inconsistent(const std::string& data_dir, const std::string& what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the cube data directory ", data_dir, " is inconsistent: ", what,
      ". Refusing to start; nothing was deleted. Restore the directory from a backup, or fix "
      "CURRENT by hand to name the live cube-<n> directory."));
}

// The live cube directory named by CURRENT; empty when CURRENT does not exist yet, which is only
// consistent before the first start completed (no cube directory, or only cube-1).
absl::StatusOr<std::string> LiveDirName(const std::string& data_dir) {
  const fs::path current = fs::path(data_dir) / kCurrentFile;
  std::error_code error;
  if (fs::exists(current, error)) {
    const std::string name(absl::StripAsciiWhitespace(ReadFile(current)));
    if (!IsCubeDirName(name)) {
      return Inconsistent(data_dir,
                          absl::StrCat("CURRENT holds '", absl::CEscape(name.substr(0, 64)),
                                       "', not the name of a cube directory"));
    }
    if (!fs::is_directory(fs::path(data_dir) / name, error)) {
      return Inconsistent(data_dir, absl::StrCat("CURRENT names ", name, ", which does not exist"));
    }
    return name;
  }
  for (const auto& entry : fs::directory_iterator(data_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (IsCubeDirName(name) && name != "cube-1") {
      return Inconsistent(data_dir, absl::StrCat("CURRENT is missing but ", name, " exists"));
    }
  }
  return std::string();
}

// Every release record has its checkpoint (the record is written only once the checkpoint is
// complete).
absl::Status CheckReleases(const std::string& data_dir) {
  std::error_code error;
  const fs::path releases = fs::path(data_dir) / kReleasesDir;
  for (const auto& entry : fs::directory_iterator(releases, error)) {
    if (entry.path().extension() != kReleaseSuffix) continue;
    fs::path checkpoint = entry.path();
    checkpoint.replace_extension();
    if (!fs::is_directory(checkpoint, error)) {
      return Inconsistent(data_dir, absl::StrCat("release record ", entry.path().string(),
                                                 " has no checkpoint directory"));
    }
  }
  return absl::OkStatus();
}

std::string SerializeRelease(const ReleaseInfo& info) {
  std::string out = absl::StrCat("release_id=", info.release_id, "\n",
                                 "create_time_micros=", absl::ToUnixMicros(info.create_time), "\n",
                                 "description=", absl::CEscape(info.description), "\n");
  for (const auto& [producer, sequence] : info.applied_sequences) {
    absl::StrAppend(&out, "sequence=", absl::CEscape(producer), " ", sequence, "\n");
  }
  return out;
}

absl::StatusOr<ReleaseInfo> ParseRelease(const std::string& text) {
  ReleaseInfo info;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) return absl::DataLossError("bad release record");
    const absl::string_view key = line.substr(0, eq);
    const absl::string_view value = line.substr(eq + 1);
    if (key == "release_id") {
      info.release_id = std::string(value);
    } else if (key == "create_time_micros") {
      int64_t micros = 0;
      if (!absl::SimpleAtoi(value, &micros)) return absl::DataLossError("bad release time");
      info.create_time = absl::FromUnixMicros(micros);
    } else if (key == "description") {
      if (!absl::CUnescape(value, &info.description)) {
        return absl::DataLossError("bad release description");
      }
    } else if (key == "sequence") {
      const size_t space = value.rfind(' ');
      std::string producer;
      uint64_t sequence = 0;
      if (space == absl::string_view::npos || !absl::CUnescape(value.substr(0, space), &producer) ||
          !absl::SimpleAtoi(value.substr(space + 1), &sequence)) {
        return absl::DataLossError("bad release sequence");
      }
      info.applied_sequences[producer] = sequence;
    }
  }
  if (info.release_id.empty()) return absl::DataLossError("release record without id");
  return info;
}

}  // namespace

bool IsValidReleaseId(const std::string& id) {
  // common.proto: 1 to 64 characters from [A-Za-z0-9._-], starting with a letter or a digit.
  if (id.empty() || id.size() > 64 || !absl::ascii_isalnum(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// ---- RebuildSession ----

RebuildSession::~RebuildSession() {
  if (committed_) return;
  store_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  engine_->EndRebuild();
}

absl::StatusOr<ApplyOutcome> RebuildSession::Apply(const FactBatch& batch) {
  return store_->Apply(batch);
}

absl::StatusOr<ReplaceOutcome> RebuildSession::ReplacePublished(
    const std::string& producer, uint64_t sequence, domain::Measure measure,
    const std::vector<int>& years, const std::vector<PublishedCell>& cells,
    std::optional<uint64_t> previous_sequence) {
  return store_->ReplacePublished(producer, sequence, measure, years, cells, previous_sequence);
}

absl::Status RebuildSession::Commit() {
  if (committed_) return absl::FailedPreconditionError("rebuild already committed");
  absl::Status committed = engine_->CommitRebuild(this);
  // Once the engine has taken the new cube it is live, even if the switch could not be
  // confirmed durable: it must not be removed.
  committed_ = store_ == nullptr;
  return committed;
}

// ---- CubeEngine ----

CubeEngine::CubeEngine(std::string data_dir, const domain::Codelists& codelists, const Clock& clock,
                       const CubeEngineOptions& options)
    : data_dir_(std::move(data_dir)),
      codelists_(codelists),
      clock_(clock),
      apply_pool_(options.apply_pool),
      expected_workers_(options.expected_workers),
      // An evicted release is read whole from disk again: a cache that could not hold the one
      // release being paged through would read it again for every page.
      release_states_(
          options.release_cache_bytes,
          [](const std::string& id, const CachedRelease& release) {
            return id.size() + release.bytes;
          },
          ReleaseCacheMap::Oversized::kKeepAlone) {}

CubeEngine::~CubeEngine() = default;

absl::StatusOr<std::unique_ptr<CubeEngine>> CubeEngine::Open(const std::string& data_dir,
                                                             const domain::Codelists& codelists,
                                                             const Clock& clock,
                                                             CubeEngineOptions options) {
  std::unique_ptr<CubeEngine> engine(new CubeEngine(data_dir, codelists, clock, options));
  std::error_code error;
  fs::create_directories(fs::path(data_dir) / kReleasesDir, error);
  if (error) return absl::FailedPreconditionError(absl::StrCat("cannot create ", data_dir));
  // Everything is checked before anything is created or removed: a directory that does not add
  // up is left exactly as found.
  absl::StatusOr<std::string> named = LiveDirName(data_dir);
  if (!named.ok()) return named.status();
  if (absl::Status s = CheckReleases(data_dir); !s.ok()) return s;
  const bool first_start = named->empty();
  const std::string live_dir = first_start ? "cube-1" : *named;
  absl::StatusOr<std::unique_ptr<CubeStore>> store =
      OpenStore((fs::path(data_dir) / live_dir).string(), codelists, options.apply_pool,
                options.expected_workers);
  if (!store.ok()) return store.status();
  // CURRENT is written only once the cube it names exists.
  if (first_start) {
    if (absl::Status s = WriteFileAtomically(fs::path(data_dir) / kCurrentFile, live_dir);
        !s.ok()) {
      return s;
    }
  }
  // Leftovers of a rebuild interrupted by a crash are never live: remove them.
  for (const auto& entry : fs::directory_iterator(data_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (IsCubeDirName(name) && name != live_dir) fs::remove_all(entry.path(), error);
  }
  absl::MutexLock lock(&engine->mu_);
  engine->live_ = std::move(*store);
  engine->live_dir_ = live_dir;
  return engine;
}

std::shared_ptr<CubeStore> CubeEngine::live() const {
  absl::MutexLock lock(&mu_);
  return live_;
}

absl::StatusOr<ApplyOutcome> CubeEngine::Apply(const FactBatch& batch,
                                               const std::function<bool()>& cancelled) {
  if (rebuild_in_progress()) {
    return absl::UnavailableError("a rebuild is in progress; retry when it completes");
  }
  return live()->Apply(batch, cancelled);
}

absl::StatusOr<ReplaceOutcome> CubeEngine::ReplacePublished(
    const std::string& producer, uint64_t sequence, domain::Measure measure,
    const std::vector<int>& years, const std::vector<PublishedCell>& cells,
    std::optional<uint64_t> previous_sequence) {
  if (rebuild_in_progress()) {
    return absl::UnavailableError("a rebuild is in progress; retry when it completes");
  }
  return live()->ReplacePublished(producer, sequence, measure, years, cells, previous_sequence);
}

absl::StatusOr<std::shared_ptr<const CubeState>> CubeEngine::ReleaseState(
    const std::string& release_id) {
  // An id outside the release id form names no release (and must never reach a path): reads
  // answer it as any id that does not exist (common.proto).
  if (!IsValidReleaseId(release_id)) {
    return absl::NotFoundError(absl::StrCat(
        "release_id: no release is named '", absl::CHexEscape(release_id.substr(0, 64)),
        "' (ids are 1 to 64 characters from A-Z a-z 0-9 . _ -)"));
  }
  std::shared_ptr<ReleaseLoad> load;
  bool loads_it = false;
  {
    absl::MutexLock lock(&mu_);
    if (const CachedRelease* cached = release_states_.Find(release_id)) return cached->state;
    std::shared_ptr<ReleaseLoad>& pending = release_loads_[release_id];
    if (pending == nullptr) {
      pending = std::make_shared<ReleaseLoad>();
      loads_it = true;
    }
    load = pending;
  }
  if (loads_it) {
    load->release = LoadRelease(release_id);
    {
      absl::MutexLock lock(&mu_);
      if (load->release.ok()) release_states_.Put(release_id, *load->release);
      release_loads_.erase(release_id);
    }
    load->done.Notify();
  } else {
    load->done.WaitForNotification();
  }
  if (!load->release.ok()) return load->release.status();
  return load->release->state;
}

absl::StatusOr<CubeEngine::CachedRelease> CubeEngine::LoadRelease(const std::string& release_id) {
  const fs::path dir = fs::path(data_dir_) / kReleasesDir / release_id;
  if (!fs::exists(dir.string() + kReleaseSuffix)) {
    return absl::NotFoundError(absl::StrCat("release '", release_id, "' does not exist"));
  }
  {
    absl::MutexLock lock(&mu_);
    ++release_load_count_;
  }
  storage::RocksDbOptions options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<storage::KvStore>> kv =
      storage::OpenRocksDb(dir.string(), CubeStore::Columns(), options);
  if (!kv.ok()) return kv.status();
  absl::StatusOr<CubeState> state = CubeStore::LoadState(**kv, codelists_);
  if (!state.ok()) return state.status();
  const size_t bytes = state->MemoryBytes();
  return CachedRelease{std::make_shared<const CubeState>(*std::move(state)), bytes};
}

CubeEngine::ReleaseCacheStats CubeEngine::ReleaseCache() const {
  absl::MutexLock lock(&mu_);
  return ReleaseCacheStats{release_states_.bytes(), release_states_.max_bytes(),
                           release_states_.size(), release_load_count_};
}

absl::StatusOr<std::vector<QueryCell>> CubeEngine::Query(const CubeQuery& query,
                                                         const std::string& release_id) {
  if (release_id.empty()) return live()->Query(query);
  absl::StatusOr<std::shared_ptr<const CubeState>> state = ReleaseState(release_id);
  if (!state.ok()) return state.status();
  return RunQuery(**state, codelists_, query);
}

absl::StatusOr<QueryPage> CubeEngine::QueryOnePage(const CubeQuery& query,
                                                   const std::string& release_id, uint64_t start,
                                                   size_t max_cells) {
  if (release_id.empty()) return live()->QueryOnePage(query, start, max_cells);
  absl::StatusOr<std::shared_ptr<const CubeState>> state = ReleaseState(release_id);
  if (!state.ok()) return state.status();
  return RunQueryPage(**state, codelists_, query, start, max_cells);
}

absl::StatusOr<std::pair<ReleaseInfo, bool>> CubeEngine::Freeze(const std::string& release_id,
                                                                const std::string& description) {
  if (!IsValidReleaseId(release_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("release_id '", release_id,
                     "': use 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or "
                     "a digit"));
  }
  // Characters, not bytes: a UTF-8 continuation byte (10xxxxxx) never starts one.
  const size_t description_characters =
      std::count_if(description.begin(), description.end(),
                    [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (description_characters > kMaxReleaseDescriptionCharacters) {
    return absl::InvalidArgumentError(absl::StrCat("description: at most ",
                                                   kMaxReleaseDescriptionCharacters,
                                                   " characters, got ", description_characters));
  }
  absl::MutexLock freeze(&freeze_mu_);
  const fs::path dir = fs::path(data_dir_) / kReleasesDir / release_id;
  const fs::path record = dir.string() + kReleaseSuffix;
  if (fs::exists(record)) {
    absl::StatusOr<ReleaseInfo> existing = ParseRelease(ReadFile(record));
    if (!existing.ok()) return existing.status();
    return std::make_pair(*existing, false);
  }
  if (rebuild_in_progress()) {
    return absl::UnavailableError("a rebuild is in progress; freeze when it completes");
  }
  std::error_code error;
  fs::remove_all(dir, error);  // a checkpoint left incomplete by a crash
  std::shared_ptr<CubeStore> store = live();
  ReleaseInfo info;
  info.release_id = release_id;
  info.description = description;
  info.create_time = clock_.Now();
  absl::StatusOr<std::map<std::string, uint64_t>> sequences = store->Checkpoint(dir.string());
  if (!sequences.ok()) return sequences.status();
  info.applied_sequences = *std::move(sequences);
  if (absl::Status s = WriteFileAtomically(record, SerializeRelease(info)); !s.ok()) return s;
  return std::make_pair(info, true);
}

std::vector<ReleaseInfo> CubeEngine::ListReleases() const {
  std::vector<ReleaseInfo> releases;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(fs::path(data_dir_) / kReleasesDir, error)) {
    if (entry.path().extension() != kReleaseSuffix) continue;
    absl::StatusOr<ReleaseInfo> info = ParseRelease(ReadFile(entry.path()));
    if (info.ok()) releases.push_back(std::move(*info));
  }
  std::sort(releases.begin(), releases.end(), [](const ReleaseInfo& a, const ReleaseInfo& b) {
    return a.create_time != b.create_time ? a.create_time > b.create_time
                                          : a.release_id < b.release_id;
  });
  return releases;
}

absl::StatusOr<std::unique_ptr<RebuildSession>> CubeEngine::BeginRebuild() {
  std::string dir;
  {
    absl::MutexLock lock(&mu_);
    if (rebuilding_) return absl::AbortedError("another rebuild is in progress");
    rebuilding_ = true;
    int number = 1;
    absl::SimpleAtoi(absl::string_view(live_dir_).substr(5), &number);
    dir = (fs::path(data_dir_) / absl::StrCat("cube-", number + 1)).string();
  }
  std::error_code error;
  fs::remove_all(dir, error);
  absl::StatusOr<std::unique_ptr<CubeStore>> store =
      OpenStore(dir, codelists_, apply_pool_, expected_workers_);
  if (!store.ok()) {
    EndRebuild();
    return store.status();
  }
  return std::unique_ptr<RebuildSession>(new RebuildSession(this, dir, std::move(*store)));
}

bool CubeEngine::rebuild_in_progress() const {
  absl::MutexLock lock(&mu_);
  return rebuilding_;
}

void CubeEngine::EndRebuild() {
  absl::MutexLock lock(&mu_);
  rebuilding_ = false;
}

absl::Status CubeEngine::CommitRebuild(RebuildSession* session) {
  const std::string new_name = fs::path(session->dir_).filename().string();
  const fs::path current = fs::path(data_dir_) / kCurrentFile;
  absl::Status switched = WriteFileAtomically(current, new_name);
  // A failure after the rename (syncing the directory) leaves CURRENT naming the new cube,
  // durably or not: both cubes must then stay, and the next start keeps whichever CURRENT names.
  const bool names_new = switched.ok() || absl::StripAsciiWhitespace(ReadFile(current)) == new_name;
  if (!names_new) return switched;
  std::string old_dir;
  {
    absl::MutexLock lock(&mu_);
    old_dir = (fs::path(data_dir_) / live_dir_).string();
    live_ = std::shared_ptr<CubeStore>(std::move(session->store_));
    live_dir_ = new_name;
    rebuilding_ = false;
  }
  if (!switched.ok()) return switched;
  std::error_code ignored;
  fs::remove_all(old_dir, ignored);
  return absl::OkStatus();
}

CubeStats CubeEngine::Stats() const { return live()->Stats(); }

absl::StatusOr<CubeStats> CubeEngine::Stats(const std::string& release_id) {
  if (release_id.empty()) return Stats();
  absl::StatusOr<std::shared_ptr<const CubeState>> state = ReleaseState(release_id);
  if (!state.ok()) return state.status();
  CubeStats stats;
  CountLevels(**state, stats);
  for (const ReleaseInfo& info : ListReleases()) {
    if (info.release_id == release_id) stats.last_sequences = info.applied_sequences;
  }
  stats.disk_bytes = 0;
  return stats;
}

std::optional<domain::YearMonth> CubeEngine::LatestMonth(
    const std::string& release_id, const std::vector<domain::Measure>& measures) {
  if (release_id.empty()) return live()->LatestMonth(measures);
  absl::StatusOr<std::shared_ptr<const CubeState>> state = ReleaseState(release_id);
  if (!state.ok()) return std::nullopt;
  return (*state)->LatestMonth(measures);
}

uint64_t CubeEngine::LastSequence(const std::string& producer) const {
  return live()->LastSequence(producer);
}

}  // namespace omnia::cube
