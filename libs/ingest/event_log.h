// The ingestion service's durable raw-event log: every accepted event batch, raw-event file and
// published report becomes a numbered log entry (1, 2, 3, ...) from which aggregation is fed and
// can be rebuilt, in order.
//
// Write and sync policy. Every write that changes the log (Append, AppendEventFile,
// AppendPublishedReport; CommitFileStage in effect, see Large files) is ONE atomic storage batch
// written with Durability::kSync, and the call returns only after that write is on stable storage.
// The batch holds the log entry, the event-id records used for deduplication, the producer's last
// acknowledged sequence and every durable counter describing it. So a crash (process or machine) at
// any point loses nothing that was acknowledged, and what it does lose (a write still in flight)
// leaves no partial trace: a retried batch is then simply accepted. The forwarding cursor
// (MarkApplied) is written with kProcessCrashSafe: after a power cut it may move back, which only
// re-forwards entries that aggregation recognises as already applied.
//
// Deduplication. Applications are identified by application_id and payments by payment_id (two
// id spaces). An id already logged with the same content is a duplicate (skipped and counted);
// with different content it is a conflict (ALREADY_EXISTS, nothing of the batch is written).
// Content is compared through a 64-bit fingerprint of the event's normalised encoding (kind,
// full date, region, type, worker pseudonym, months covered). The ids are stored once, next to
// their entry (one record per entry listing each new id with its fingerprint), so logging an event
// costs no per-id storage key. In memory, an index maps each logged id to its fingerprint; the id
// is represented by 96 bits of a SipHash of the id under a secret key of the log (one per id
// space; see HashId), so ids cannot be crafted to pile into one slot, and checking an event costs
// one or two probes of the index and never reads storage. Two different ids would have to agree on
// all 96 bits to be confused: for 11 million ids the chance that any pair does is about 1e-15. The
// index (internal/id_index.h) takes 64 bytes per bucket of three slots at a load of at most 3/4:
// 28.4 bytes per id when full, 301 MiB reserved for the benchmark's 11.1 million ids.
//
// Batch identity. A (producer, sequence) is a duplicate only if a batch was accepted under it: a
// rejected batch leaves no trace and may be resent, corrected, with the same sequence, even after
// later sequences were accepted. Per producer the log keeps, exactly and durably, a low-water
// mark below which every sequence was accepted, and the accepted sequences above it (in the same
// atomic write as the batch). A producer that sends its sequences in order with no gaps keeps
// that list empty. One that leaves gaps for good would grow it without end, so once it holds
// kMaxSequenceWindow sequences the oldest is given up: a sequence between the last gap-free
// point and the given-up one is answered FAILED_PRECONDITION (whether it was accepted is no
// longer known), never a wrong DUPLICATE or a second copy.
//
// Large files. A raw-event file of any size (up to the service's 1 GiB) is imported in bounded
// memory: its events are first staged in storage, one chunk of kMaxEventsPerFileEntry at a time
// (FileStage, written with kProcessCrashSafe: a stage is only ever needed by the process that
// made it), then CommitFileStage reads the chunks back one at a time, classifies each event as
// AppendEventFile does (the index sees the file's earlier events because their ids are inserted
// as it goes) and writes the entries and their id records under last_sequence+1, ... in several
// storage batches. Those entries are invisible until the counters move: ReadEntries, Status,
// MarkApplied and the forwarder all stop at the counters' last_sequence, and the counters are
// written last, in the one synced write that acknowledges the file (which also deletes the
// stage, and makes the earlier unsynced batches durable: the store's write-ahead log is
// sequential). A commit that fails (a conflict, a storage error) undoes itself: the ids it put in
// the index are erased by re-reading the id records it wrote (never a list as long as the file)
// and its entries are deleted. A commit cut short by a crash leaves entries beyond the counters'
// last_sequence; Open deletes them, and every stage left behind, since neither was ever
// acknowledged. The memory a file costs is one chunk, plus the index's 28 to 57 bytes per new id,
// which every logged id costs anyway.
//
// Threads. The writing calls are serialised by an internal mutex; a file commit holds it from
// its first read to its final write, so other writers (StreamEvents batches, reports) wait for
// the whole commit (about a second per few hundred thousand events). StreamEvents batches hold
// it only while they are planned: the next batch is planned while one is being written (the
// synced write took about half of a batch's time under the mutex), and the writes still reach
// storage, and readers, in plan order (see Append). Staging takes no lock of
// the log. ReadEntries, MarkApplied and the status getters may run concurrently with the writers
// from other threads.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"
#include "libs/facts/event_records.h"
#include "libs/facts/facts.h"
#include "libs/ingest/internal/id_index.h"
#include "libs/ingest/pseudonymizer.h"
#include "libs/storage/kv_store.h"

namespace omnia::ingest {

// An authorised application, validated against the codelists by the caller: region and type are
// the codelists' dense indexes.
struct LoggedApplication {
  std::string application_id;
  domain::Date authorized_on;
  int region = 0;
  int type = 0;
};

// A direct payment, validated and pseudonymised by the caller: the worker is only ever known
// here by its pseudonym.
struct LoggedPayment {
  std::string payment_id;
  facts::Pseudonym worker{};
  domain::Date paid_on;
  int region = 0;
  int type = 0;
  uint32_t months_covered = 0;
};

using LoggedEvent = std::variant<LoggedApplication, LoggedPayment>;

enum class EventKind { kApplication, kPayment };

// One StreamEvents batch. Positions in `events` are the indexes errors refer to.
struct IncomingBatch {
  std::string producer_id;
  uint64_t sequence = 0;
  std::vector<LoggedEvent> events;
};

enum class AppendOutcome {
  kAccepted,        // durable: its new events are in the log, the rest were duplicates
  kDuplicateBatch,  // (producer, sequence) was accepted before; nothing was done
};

struct AppendResult {
  AppendOutcome outcome = AppendOutcome::kAccepted;
  // kAccepted: the entry holding the new events, 0 when every event was a duplicate.
  // kDuplicateBatch: the entry the batch was written at when the log still knows it (the
  // producer's last acknowledged batch, or one accepted out of order), else 0.
  uint64_t log_sequence = 0;
  uint64_t events_accepted = 0;
  uint64_t events_duplicate = 0;
};

// An event whose id is already logged, or repeated earlier in the same batch or file, with
// different content. Returned through the optional out-parameter of the append calls so that
// the service can list each one; the error status names them too.
struct EventConflict {
  size_t event_index = 0;
  EventKind kind = EventKind::kApplication;
  std::string event_id;
  // Index of the earlier event of the same batch or file with this id; nullopt when the
  // conflicting copy is in the log.
  std::optional<size_t> repeats_index;
  // For a staged file (CommitFileStage): the file lines of the event and of the earlier one it
  // repeats; 0 otherwise.
  int64_t line = 0;
  int64_t repeats_line = 0;
};

struct FileAppendResult {
  // The entries written for the file, consecutive; both 0 when nothing was new.
  uint64_t first_log_sequence = 0;
  uint64_t last_log_sequence = 0;
  uint64_t events_accepted = 0;
  uint64_t events_duplicate = 0;
};

// The import of one published report file, as remembered per (measure, year).
struct PublishedImport {
  domain::Measure measure = domain::Measure::kApplications;
  std::vector<int> years;  // ascending
  std::string sha256;      // 64 lowercase hex digits
  uint64_t revision = 0;   // the measure's revision this import created
  uint64_t log_sequence = 0;
  uint64_t cells = 0;  // cells of the whole import
};

struct PublishedAppendResult {
  // The file is identical (sha256 and years) to the import still in force for each of its
  // years: nothing was written, and log_sequence is 0.
  bool unchanged = false;
  uint64_t log_sequence = 0;
  // The measure's revision after the call: 1 after its first import, +1 per later import.
  uint64_t revision = 0;
  // Published cells of the measure in these years before the import (all replaced by it).
  uint64_t cells_replaced = 0;
};

enum class EntryKind { kEvents, kPublished };

// One decoded log entry. The event facts carry the month only (what the cubes need); the day of
// month, kept in the log for rebuilds at a finer grain, is in the parallel *_days vectors.
// How ReadEntries gives an events entry's events: as facts with their days, or as records.
enum class EventForm { kFacts, kRecords };

struct LogEntry {
  uint64_t sequence = 0;
  EntryKind kind = EntryKind::kEvents;

  // kEvents.
  std::vector<facts::ApplicationFact> applications;
  std::vector<uint8_t> application_days;
  std::vector<facts::PaymentFact> payments;
  std::vector<uint8_t> payment_days;
  // Read with EventForm::kRecords instead: the events as records (libs/facts/event_records.h,
  // region and type as codelist indexes), and the vectors above empty.
  std::string application_records;
  std::string payment_records;

  // kPublished.
  domain::Measure measure = domain::Measure::kApplications;
  std::vector<int> years;
  std::vector<facts::PublishedCell> cells;
  std::string sha256;

  // Events of a kEvents entry, cells of a kPublished one: the unit of backlogs and read limits.
  uint64_t units() const {
    return kind == EntryKind::kEvents
               ? applications.size() + payments.size() +
                     application_records.size() / facts::kApplicationRecordBytes +
                     payment_records.size() / facts::kPaymentRecordBytes
               : cells.size();
  }
};

struct ProducerStatus {
  std::string producer_id;
  uint64_t last_acknowledged_sequence = 0;
  uint64_t batches_accepted = 0;
  uint64_t events_accepted = 0;
  absl::Time last_acknowledged_time = absl::InfinitePast();
  // Entry of the last acknowledged batch, 0 when all its events were duplicates.
  uint64_t last_log_sequence = 0;
};

struct LogStatus {
  // Durable: since the log was created.
  uint64_t events_accepted = 0;  // new events written, from batches and files
  uint64_t events_duplicate = 0;
  uint64_t batches_accepted = 0;
  uint64_t published_reports_imported = 0;  // imports that changed something
  uint64_t raw_event_files_imported = 0;
  // Since this process opened the log.
  uint64_t events_rejected = 0;
  uint64_t batches_duplicate = 0;
  uint64_t batches_rejected = 0;

  uint64_t last_log_sequence = 0;
  uint64_t applied_log_sequence = 0;
  // Entries after applied_log_sequence, and the units (events, published cells) they hold.
  uint64_t backlog_entries = 0;
  uint64_t backlog_events = 0;
  // When MarkApplied last advanced the cursor; InfinitePast if never.
  absl::Time last_applied_time = absl::InfinitePast();
};

class EventLog {
 public:
  // Events per entry of AppendEventFile: the size of the largest StreamEvents batch, so a
  // forwarded entry always fits one aggregation request.
  static constexpr size_t kMaxEventsPerFileEntry = 10000;
  // Accepted sequences above a producer's low-water mark the log remembers by default; see the
  // file comment.
  static constexpr size_t kMaxSequenceWindow = 4096;

  // Column layout the KvStore must be opened with.
  static std::vector<storage::ColumnSpec> Columns();

  // Loads the counters, producers, published imports, forwarding cursor and the deduplication
  // index (one scan of the id records) from `kv`, opened with Columns(). `clock` must outlive
  // the log.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(
      std::unique_ptr<storage::KvStore> kv, const Clock& clock,
      size_t max_sequence_window = kMaxSequenceWindow);

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Logs a StreamEvents batch: see the file comment for the outcomes. Errors change nothing:
  // FAILED_PRECONDITION for a sequence the log can no longer tell accepted or not (see Batch
  // identity above); INVALID_ARGUMENT for an empty producer id, sequence 0 or an event the log
  // cannot encode
  // (the caller validates events first; this guards the log against entries aggregation could
  // never apply); ALREADY_EXISTS naming each conflicting event as
  // "events[3]: payment_id P-123 was already ingested with different content" (also filling
  // `conflicts` when given); or the storage error. Every refused batch counts as rejected.
  // Batches appended from several threads are planned one at a time and written in that
  // order, a batch's plan overlapping the write of the one before; when a write fails (with the
  // storage error), the batches planned after it fail too, with UNAVAILABLE: they changed
  // nothing and can be resent. A resend of a batch still being written
  // waits for that write and is answered by its outcome.
  //
  // `admit`, when given, is asked once the batch is known to add `new_events` events (its
  // duplicates and a duplicate batch excluded; the new events of batches ahead of it not yet
  // written added, as they are in no backlog yet; 0 for a batch of duplicates only) and can
  // refuse it (e.g. RESOURCE_EXHAUSTED when the backlog is full): a refusal changes nothing and
  // counts as a rejected batch.
  using Admission = std::function<absl::Status(uint64_t new_events)>;
  absl::StatusOr<AppendResult> Append(const IncomingBatch& batch,
                                      std::vector<EventConflict>* conflicts = nullptr,
                                      const Admission& admit = {});

  // What the log answers a batch whatever its content, so that a caller can answer it before
  // reading the content (ingestion.proto: an accepted (producer_id, sequence) is a duplicate,
  // "content not compared"): the duplicate outcome (counted as such) for a sequence accepted
  // before, FAILED_PRECONDITION for one too old to tell (the caller counts the rejection, with
  // the batch's events: RecordRejected); nullopt for a sequence never accepted, which only
  // Append can decide.
  std::optional<absl::StatusOr<AppendResult>> DecidedBatch(std::string_view producer_id,
                                                           uint64_t sequence);

  // Logs a whole raw-event file atomically, in consecutive entries of at most
  // kMaxEventsPerFileEntry new events, and counts one file imported. The same rules and errors
  // as Append (a conflicting file counts its events as rejected). The whole file is one storage
  // write, so its size is bounded by memory: large files go through StartFileStage and
  // CommitFileStage.
  absl::StatusOr<FileAppendResult> AppendEventFile(const std::vector<LoggedEvent>& events,
                                                   std::vector<EventConflict>* conflicts = nullptr);

  // A raw-event file being received, staged in storage so that memory holds one chunk of it
  // whatever its size (see Large files above). Made by StartFileStage, used by one thread at a
  // time; destroying it without a successful CommitFileStage deletes what it staged.
  class FileStage {
   public:
    FileStage(const FileStage&) = delete;
    FileStage& operator=(const FileStage&) = delete;
    ~FileStage();

    // Stages the next event of the file, read from `line`. INVALID_ARGUMENT (naming the event
    // as events[i]) for an event the log cannot encode, as AppendEventFile; or the storage
    // error. After an error the stage can only be discarded.
    absl::Status Add(const LoggedEvent& event, int64_t line);
    uint64_t events() const { return events_; }

   private:
    friend class EventLog;
    FileStage(EventLog& log, uint64_t id) : log_(log), id_(id) {}
    absl::Status Flush();
    // Deletes every staged chunk (best effort: Open deletes what remains).
    void Discard();

    EventLog& log_;
    const uint64_t id_;
    std::string chunk_;  // staged records not yet written
    size_t chunk_events_ = 0;
    uint64_t chunks_ = 0;  // chunks written
    uint64_t events_ = 0;
    bool written_ = false;  // something is in storage
  };

  std::unique_ptr<FileStage> StartFileStage();

  // Logs the staged file exactly as AppendEventFile would log the same events (same entries,
  // deduplication, counters and errors; conflicts also name the file lines), in memory bounded
  // by one chunk; see Large files above. The stage is consumed: deleted by a successful commit,
  // to be discarded after a failed one. `admit`, when given, is asked right before the final
  // write with the number of new events (the file's duplicates excluded) and can refuse the file
  // (then undone like a conflicting one, but not counted as rejected by the log).
  absl::StatusOr<FileAppendResult> CommitFileStage(FileStage& stage,
                                                   std::vector<EventConflict>* conflicts = nullptr,
                                                   const Admission& admit = {});

  // Logs a revision of the published cells of `measure` for `years`, unless the file is
  // unchanged (see PublishedAppendResult). INVALID_ARGUMENT when years is empty, repeats a year
  // or is out of range, a cell's month is not in those years, a cell key repeats, an index is
  // out of range or sha256 is not 64 lowercase hex digits.
  // `admit`, when given, is asked with the number of cells once the file is known to change
  // something (an unchanged file is answered without it) and can refuse it.
  absl::StatusOr<PublishedAppendResult> AppendPublishedReport(
      domain::Measure measure, std::vector<int> years, std::vector<facts::PublishedCell> cells,
      std::string sha256, const Admission& admit = {});

  // Ties the log to the pseudonymisation key whose fingerprint is given (see
  // Pseudonymizer::KeyFingerprint): the first call records it, later ones (after restarts) must
  // present the same, else FAILED_PRECONDITION — another key would silently give every worker a
  // new pseudonym.
  absl::Status BindPseudonymKey(std::string_view fingerprint);

  // The latest import of `measure`, nullopt if none.
  std::optional<PublishedImport> LastPublishedImport(domain::Measure measure) const;

  // Visits the entries with sequence > after_sequence in order, until `visit` returns false or
  // the next entry would take the visited units past max_events; at least one entry is visited
  // when there is one, so an entry larger than max_events cannot stall a reader. The LogEntry is
  // reused between calls: copy what must outlive one. DATA_LOSS if an entry cannot be decoded.
  // With EventForm::kRecords an events entry's events come as records (what the forwarder
  // sends), without the days, which nothing downstream of the log reads.
  absl::Status ReadEntries(uint64_t after_sequence, size_t max_events,
                           const std::function<bool(const LogEntry&)>& visit,
                           EventForm form = EventForm::kFacts) const;

  // Records that aggregation has applied every entry up to `sequence`. Lower than the current
  // cursor: a no-op (acknowledgements may arrive late). Beyond the log: INVALID_ARGUMENT.
  absl::Status MarkApplied(uint64_t sequence);

  // Counts a StreamEvents batch (or a raw-event file) that the service rejected before it
  // reached the log (validation, backlog full).
  void RecordRejected(uint64_t events);
  void RecordRejectedFile(uint64_t events);

  uint64_t last_sequence() const;
  uint64_t applied_sequence() const;
  LogStatus Status() const;

  // Producers in producer_id order, starting after `start_after` (empty: from the first), at
  // most `limit` of them.
  std::vector<ProducerStatus> Producers(std::string_view start_after, size_t limit) const;
  std::optional<ProducerStatus> Producer(std::string_view producer_id) const;

  // Bytes held by the in-memory deduplication index.
  size_t IndexMemoryBytes() const;

  // Makes room in the deduplication index for `expected_ids` event ids in all (those logged
  // included), so that it does not grow while they arrive: each growth rehashes every id into a
  // table twice the size, holding both tables at once and stalling the write that triggers it
  // (about a second at ten million ids). The table is allocated, and its pages populated, at
  // once; a smaller count than the index has room for changes nothing. RESOURCE_EXHAUSTED, with the
  // index unchanged, when the table cannot be allocated.
  absl::Status ReserveIndex(size_t expected_ids);

 private:
  struct Plan;
  struct PlannedBatch;
  struct TurnOrCancelled;
  // An id in the index (96 bits of two independent hashes of (kind, id)) and the fingerprint of
  // its event's content; see internal/id_index.h.
  using IdKey = internal::IdIndex::Key;
  using Fingerprint = internal::IdIndex::Fingerprint;
  struct IdKeyHash {
    // The fields are hash bits already.
    size_t operator()(const IdKey& key) const {
      return (size_t{key.slot_high} << 32) | key.slot_low;
    }
  };
  // The secret keys of the id hashes, one per id space.
  struct IdHashKeys {
    std::array<unsigned char, 16> application{};
    std::array<unsigned char, 16> payment{};
  };
  // The sequences of one producer's accepted batches; see Batch identity in the file comment.
  struct SequenceWindow {
    // Every sequence from 1 to exact_through was accepted.
    uint64_t exact_through = 0;
    // Sequences above exact_through and up to floor are unknown (given up); above floor, a
    // sequence was accepted if and only if it is in `accepted`.
    uint64_t floor = 0;
    // Accepted sequences above floor -> the log sequence of their entry (0 if none).
    std::map<uint64_t, uint64_t> accepted;
  };
  enum class SequenceState { kNew, kAccepted, kUnknown };
  static SequenceState Classify(const SequenceWindow& window, uint64_t sequence);
  // DecidedBatch for a producer's known state (empty for a producer never seen).
  static std::optional<absl::StatusOr<AppendResult>> Decide(const ProducerStatus& producer,
                                                            const SequenceWindow& window,
                                                            std::string_view producer_id,
                                                            uint64_t sequence);
  // Adds `sequence` to the window and moves the low-water mark as far as it can; the sequences
  // that left `accepted` are appended to `dropped`.
  void Accept(SequenceWindow& window, uint64_t sequence, uint64_t log_sequence,
              std::vector<uint64_t>& dropped) const;
  struct Counters {
    uint64_t last_sequence = 0;
    uint64_t events_accepted = 0;
    uint64_t events_duplicate = 0;
    uint64_t batches_accepted = 0;
    uint64_t published_reports_imported = 0;
    uint64_t raw_event_files_imported = 0;
    uint64_t units_logged = 0;  // events and published cells in all entries
  };
  struct Cursor {
    uint64_t sequence = 0;
    uint64_t units_through = 0;  // units in entries 1..sequence
    absl::Time time = absl::InfinitePast();
  };
  struct PublishedYear {
    std::string sha256;
    std::vector<int> years;
    uint64_t revision = 0;
    uint64_t log_sequence = 0;
    uint64_t import_cells = 0;  // cells of the whole import
    uint64_t year_cells = 0;    // cells of this year
  };

  EventLog(std::unique_ptr<storage::KvStore> kv, const Clock& clock, size_t max_sequence_window);

  absl::Status Load();
  // Deletes the entries beyond the counters' last_sequence and every stage: see Large files.
  absl::Status DeleteUnacknowledged() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_, state_mu_);
  // Undoes a failed file commit that wrote entries first_sequence..written_through and holds
  // `pending` in memory: erases their ids from the index and deletes the entries. If that fails
  // the log refuses further writes (broken_) rather than keep index keys no entry backs.
  void UndoFileCommit(uint64_t first_sequence, uint64_t written_through,
                      std::string_view pending_ids) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Fills repeats_index/repeats_line of the conflicts whose id was first logged by this file
  // (its entries first_sequence..written_through and `pending_ids`) by re-reading the stage.
  // Append without counting a refusal.
  absl::StatusOr<AppendResult> AppendUncounted(const IncomingBatch& batch,
                                               std::vector<EventConflict>* conflicts,
                                               const Admission& admit);
  absl::Status ResolveRepeats(const FileStage& stage, uint64_t first_sequence,
                              uint64_t written_through, std::string_view pending_ids,
                              std::vector<EventConflict>& found)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status LoadIdHashKeys() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  const std::array<unsigned char, 16>& IdKeyFor(EventKind kind) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  IdKey KeyOf(EventKind kind, std::string_view id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Classifies `events` as new, duplicate or conflicting, encoding the new ones into entries of
  // at most `max_per_entry` events and adding their ids to the index (undone by Rollback, which
  // PlanEvents itself calls when it fails).
  absl::Status PlanEvents(const std::vector<LoggedEvent>& events, size_t max_per_entry, Plan& plan,
                          std::vector<EventConflict>* conflicts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void Rollback(const Plan& plan) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Adds the plan's entries and their id records to `writes`; returns the counters after them
  // and, in entry_units, each entry's (sequence, units through it).
  // The counters record: every write that changes the counters puts it, Open reads it back.
  static void PutCounters(const Counters& counters, storage::WriteBatch& writes);
  static absl::Status DecodeCounters(std::string_view value, Counters& counters);
  // Decides a batch against the planned state of its producer, or plans its write (then returns
  // nothing): the first half of AppendUncounted.
  std::optional<absl::StatusOr<AppendResult>> PlanBatch(const IncomingBatch& batch,
                                                        std::vector<EventConflict>* conflicts,
                                                        const Admission& admit,
                                                        PlannedBatch& planned)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Builds on `counters`, the log's counters before the plan (PlannedCounters).
  static Counters AddEntries(Counters counters, const Plan& plan, storage::WriteBatch& writes,
                             std::vector<std::pair<uint64_t, uint64_t>>& entry_units);
  // The counters after every batch planned so far, written or not.
  Counters PlannedCounters() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // A producer's state after every batch of it planned so far; returns whether one of them is
  // not written yet (then a decision resting on it may still be undone).
  bool PlannedProducer(std::string_view producer_id, ProducerStatus& producer,
                       SequenceWindow& window) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // The new events of the batches planned and not yet written; nullopt when there are none.
  std::optional<uint64_t> UnwrittenEvents() const;
  // Drops the planned state of producers whose batches are all written, beyond a few.
  void ForgetWrittenPlans() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Waits until every planned batch is written (or cancelled), so that the published state is
  // the planned one: for the writers that do not take part in the batch pipeline.
  void AwaitBatchWrites() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Takes out of the index the ids of batches whose write failed or was cancelled, and forgets
  // the planned state built on them.
  void UndoFailedBatches() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Publishes the counters and entries of a file just written and returns its result.
  FileAppendResult FileWritten(const Counters& counters,
                               const std::vector<std::pair<uint64_t, uint64_t>>& entry_units,
                               uint64_t accepted, uint64_t duplicate)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Units in entries 1..sequence (sequence <= last_sequence).
  absl::StatusOr<uint64_t> UnitsThrough(uint64_t sequence) const;

  std::unique_ptr<storage::KvStore> kv_;
  const Clock& clock_;
  const size_t max_sequence_window_;

  // Held while a write is planned (for a batch) or for the whole write (every other writer);
  // guards the deduplication index.
  absl::Mutex write_mu_;
  IdHashKeys id_keys_ ABSL_GUARDED_BY(write_mu_);
  // Logged id -> content fingerprint; see the file comment.
  internal::IdIndex index_ ABSL_GUARDED_BY(write_mu_);

  // A batch planned ahead of the ones before it being written (see AppendUncounted): the
  // producer's state and counters after it.
  struct PlannedBatchState {
    ProducerStatus producer;
    SequenceWindow window;
    uint64_t ticket = 0;
  };
  std::map<std::string, PlannedBatchState, std::less<>> planned_producers_
      ABSL_GUARDED_BY(write_mu_);
  std::optional<Counters> planned_counters_ ABSL_GUARDED_BY(write_mu_);

  // Batch writes in plan order: each planned batch takes a ticket and writes when its turn comes.
  struct InFlightBatch {
    std::vector<std::pair<IdKey, size_t>>* inserted = nullptr;
    const uint64_t* accepted = nullptr;  // its new events
    absl::Status cancelled;              // an earlier batch's write failed: this one is not written
  };
  mutable absl::Mutex commit_mu_ ABSL_ACQUIRED_AFTER(write_mu_);
  uint64_t next_ticket_ ABSL_GUARDED_BY(commit_mu_) = 1;
  uint64_t turn_ ABSL_GUARDED_BY(commit_mu_) = 1;  // tickets below it are written or cancelled
  std::map<uint64_t, InFlightBatch*> in_flight_ ABSL_GUARDED_BY(commit_mu_);
  // New events of the batches in flight, not yet in the backlog.
  uint64_t unwritten_events_ ABSL_GUARDED_BY(commit_mu_) = 0;
  // Index keys of failed and cancelled batches, for UndoFailedBatches.
  std::vector<std::vector<std::pair<IdKey, size_t>>> failed_inserts_ ABSL_GUARDED_BY(commit_mu_);

  // Set when a failed file commit could not be undone; every later write returns it.
  absl::Status broken_ ABSL_GUARDED_BY(write_mu_);
  std::atomic<uint64_t> next_stage_id_{1};

  // Serialises MarkApplied's writes so the stored cursor only moves forward.
  absl::Mutex cursor_mu_;

  // What readers see; changed only after the storage write that makes it true.
  mutable absl::Mutex state_mu_;
  Counters counters_ ABSL_GUARDED_BY(state_mu_);
  Cursor cursor_ ABSL_GUARDED_BY(state_mu_);
  uint64_t events_rejected_ ABSL_GUARDED_BY(state_mu_) = 0;
  uint64_t batches_duplicate_ ABSL_GUARDED_BY(state_mu_) = 0;
  uint64_t batches_rejected_ ABSL_GUARDED_BY(state_mu_) = 0;
  std::map<std::string, ProducerStatus, std::less<>> producers_ ABSL_GUARDED_BY(state_mu_);
  std::map<std::string, SequenceWindow, std::less<>> windows_ ABSL_GUARDED_BY(state_mu_);
  std::map<std::pair<domain::Measure, int>, PublishedYear> published_ ABSL_GUARDED_BY(state_mu_);
  std::map<domain::Measure, uint64_t> revisions_ ABSL_GUARDED_BY(state_mu_);
  // (sequence, units through it) of entries written since Open and not yet applied, so that
  // MarkApplied rarely has to read an entry back.
  std::deque<std::pair<uint64_t, uint64_t>> pending_ ABSL_GUARDED_BY(state_mu_);
  size_t index_bytes_ ABSL_GUARDED_BY(state_mu_) = 0;
};

}  // namespace omnia::ingest
