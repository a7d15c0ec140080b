// The CSV writers of generator.h. Lines are formatted by hand into a large buffer (no streams, no
// per-field allocation), because the benchmark datasets are hundreds of megabytes.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/synth/generator.h"
#include "libs/synth/internal/format.h"
#include "libs/synth/internal/plan.h"
#include "libs/synth/worker_id.h"

namespace omnia::synth {
namespace {

using internal::ApplicationRecord;
using internal::MonthPlan;
using internal::PaymentRecord;
using internal::Plan;

constexpr std::string_view kApplicationsHeader =
    "application_id,authorized_on,region,intervention_type\n";
constexpr std::string_view kPaymentsHeader =
    "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n";

// Longest line either layout can produce, with room for the fixed-size label copies below.
constexpr size_t kMaxLineBytes = 160;
constexpr size_t kBufferBytes = size_t{1} << 20;

// A label stored with padding so that it can be copied with a fixed-size memcpy (which compiles to
// a few moves) and then the cursor advanced by its real length.
struct PaddedLabel {
  char text[32] = {};
  size_t length = 0;
};

struct Labels {
  PaddedLabel regions[internal::kRegionCount];
  PaddedLabel types[internal::kTypeCount];

  Labels() {
    for (int r = 0; r < internal::kRegionCount; ++r) Set(internal::RegionLabel(r), &regions[r]);
    for (int t = 0; t < internal::kTypeCount; ++t) Set(internal::TypeCode(t), &types[t]);
  }

  static void Set(std::string_view label, PaddedLabel* out) {
    std::memcpy(out->text, label.data(), label.size());
    out->length = label.size();
  }
};

inline char* PutLabel(const PaddedLabel& label, char* out) {
  std::memcpy(out, label.text, sizeof(label.text));
  return out + label.length;
}

// A buffered byte sink writing to a file or appending to a string.
class Output {
 public:
  Output(std::FILE* file, std::string path)
      : file_(file), path_(std::move(path)), buffer_(new char[kBufferBytes]) {}
  explicit Output(std::string* text) : text_(text), buffer_(new char[kBufferBytes]) {}

  // Room for one line; pass its end to Commit.
  char* Line() {
    if (kBufferBytes - used_ < kMaxLineBytes) Flush();
    return buffer_.get() + used_;
  }
  void Commit(const char* end) { used_ = static_cast<size_t>(end - buffer_.get()); }

  void Append(std::string_view bytes) {
    char* out = Line();
    std::memcpy(out, bytes.data(), bytes.size());
    Commit(out + bytes.size());
  }

  void Flush() {
    if (used_ == 0) return;
    if (text_ != nullptr) {
      text_->append(buffer_.get(), used_);
    } else if (status_.ok() && std::fwrite(buffer_.get(), 1, used_, file_) != used_) {
      status_ = absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path_));
    }
    used_ = 0;
  }

  const absl::Status& status() const { return status_; }

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string* text_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
  absl::Status status_;
};

// "YYYY-MM-DD," for one working day.
struct DateField {
  char text[11];

  DateField(const MonthPlan& month, int slot) {
    internal::PutIsoDate(month.year_month.year, month.year_month.month, month.workdays[slot], text);
    text[10] = ',';
  }
};

void WriteApplications(const Plan& plan, const Labels& labels, Output* out) {
  out->Append(kApplicationsHeader);
  for (const MonthPlan& month : plan.months()) {
    for (int slot = 0; slot < month.workday_count; ++slot) {
      const DateField date(month, slot);
      plan.ForEachApplication(month, slot, [&](const ApplicationRecord& record) {
        char* p = out->Line();
        p = internal::PutEventId('A', record.number, p);
        *p++ = ',';
        std::memcpy(p, date.text, sizeof(date.text));
        p += sizeof(date.text);
        p = PutLabel(labels.regions[record.region], p);
        *p++ = ',';
        p = PutLabel(labels.types[record.type], p);
        *p++ = '\n';
        out->Commit(p);
        return true;
      });
    }
  }
  out->Flush();
}

void WritePayments(const Plan& plan, const Labels& labels, Output* out) {
  const WorkerIdFormatter worker_ids(plan.options().seed);
  out->Append(kPaymentsHeader);
  for (const MonthPlan& month : plan.months()) {
    for (int slot = 0; slot < month.workday_count; ++slot) {
      const DateField date(month, slot);
      plan.ForEachPayment(month, slot, [&](const PaymentRecord& record) {
        char* const line = out->Line();
        char* p = line;
        p = internal::PutEventId('P', record.number, p);
        *p++ = ',';
        worker_ids.Format(record.worker, p);
        if (record.lowercase_worker_id) {
          for (int i = 0; i < kWorkerIdLength; ++i) p[i] = absl::ascii_tolower(p[i]);
        }
        p += kWorkerIdLength;
        *p++ = ',';
        std::memcpy(p, date.text, sizeof(date.text));
        p += sizeof(date.text);
        p = PutLabel(labels.regions[record.region], p);
        *p++ = ',';
        p = PutLabel(labels.types[record.type], p);
        *p++ = ',';
        if (record.months_covered >= 10) *p++ = '1';
        *p++ = static_cast<char>('0' + record.months_covered % 10);
        *p++ = '\n';
        out->Commit(p);
        if (record.duplicated) {
          // Copied aside first: making room for the copy may flush the buffer.
          char row[kMaxLineBytes];
          const size_t length = static_cast<size_t>(p - line);
          std::memcpy(row, line, length);
          out->Append(std::string_view(row, length));
        }
        return true;
      });
    }
  }
  out->Flush();
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// Writes one file through `write` under a temporary name, then renames it into place.
template <typename WriteFn>
absl::Status WriteFileAtomically(const std::string& path, WriteFn&& write) {
  const std::string temporary = path + ".partial";
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(temporary.c_str(), "wb"));
  if (file == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("cannot create ", temporary));
  Output out(file.get(), temporary);
  write(&out);
  absl::Status status = out.status();
  if (status.ok() && std::fclose(file.release()) != 0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", temporary));
  }
  if (status.ok() && std::rename(temporary.c_str(), path.c_str()) != 0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  if (!status.ok()) {
    file.reset();
    std::remove(temporary.c_str());
  }
  return status;
}

}  // namespace

absl::Status WriteRawCsv(const GeneratorOptions& options, const std::string& applications_path,
                         const std::string& payments_path) {
  if (applications_path == payments_path) {
    return absl::InvalidArgumentError(
        absl::StrCat("applications and payments need different files, both are ", payments_path));
  }
  absl::StatusOr<Plan> plan = Plan::Create(options);
  if (!plan.ok()) return plan.status();
  const Labels labels;
  // Payments are about nine tenths of the work; the applications file is written alongside on the
  // second core.
  absl::Status applications_status;
  std::thread applications_writer([&] {
    applications_status = WriteFileAtomically(
        applications_path, [&](Output* out) { WriteApplications(*plan, labels, out); });
  });
  absl::Status payments_status =
      WriteFileAtomically(payments_path, [&](Output* out) { WritePayments(*plan, labels, out); });
  applications_writer.join();
  return applications_status.ok() ? payments_status : applications_status;
}

absl::Status RenderRawCsv(const GeneratorOptions& options, std::string* applications_csv,
                          std::string* payments_csv) {
  absl::StatusOr<Plan> plan = Plan::Create(options);
  if (!plan.ok()) return plan.status();
  const Labels labels;
  applications_csv->clear();
  payments_csv->clear();
  Output applications(applications_csv);
  WriteApplications(*plan, labels, &applications);
  Output payments(payments_csv);
  WritePayments(*plan, labels, &payments);
  return absl::OkStatus();
}

}  // namespace omnia::synth
