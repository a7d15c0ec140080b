// XLSX through libxlsxwriter (see writers.h). libxlsxwriter writes a whole file to a path, so the
// workbook goes to a temporary file that is then streamed to the sink in chunks and deleted.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/base/string_view.h"
#include "libs/domain/period.h"
#include "libs/export/internal/table.h"
#include "libs/export/internal/text.h"
#include "libs/export/writers.h"
#include "xlsxwriter.h"

namespace omnia::exporter {
namespace {

// Excel's sheet has 1,048,576 rows; the first holds the header.
constexpr size_t kMaxDataRows = 1048575;
constexpr double kDataColumnWidth = 16;
constexpr double kLabelColumnWidth = 40;

// Deletes the temporary file on every path out of WriteXlsx.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Closes (and frees) the workbook on early returns; Close() reports the result otherwise.
class WorkbookCloser {
 public:
  explicit WorkbookCloser(lxw_workbook* workbook) : workbook_(workbook) {}
  WorkbookCloser(const WorkbookCloser&) = delete;
  WorkbookCloser& operator=(const WorkbookCloser&) = delete;
  ~WorkbookCloser() {
    if (workbook_ != nullptr) workbook_close(workbook_);
  }
  lxw_error Close() {
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    return workbook_close(workbook);
  }

 private:
  lxw_workbook* workbook_;
};

absl::Status LxwError(lxw_error error, std::string_view what) {
  if (error == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(what), ": text longer than a spreadsheet cell holds"));
  }
  return absl::InternalError(absl::StrCat("xlsx: ", AsAbsl(what), ": ", lxw_strerror(error)));
}

// Midnight UTC of the first usable date: a fixed point so that equal inputs give equal bytes.
time_t CreationTime(const DatasetInfo& info) {
  domain::Date date{2020, 1, 1};
  for (std::string_view candidate :
       {std::string_view(info.updated_on), std::string_view(info.published_on),
        std::string_view(info.release_id).substr(0, 10)}) {
    if (absl::StatusOr<domain::Date> parsed = domain::ParseIsoDate(candidate); parsed.ok()) {
      date = *parsed;
      break;
    }
  }
  std::tm tm{};
  tm.tm_year = date.year - 1900;
  tm.tm_mon = date.month - 1;
  tm.tm_mday = date.day;
  return timegm(&tm);
}

// Writes strings and numbers to one sheet, keeping the first error.
class SheetWriter {
 public:
  SheetWriter(lxw_worksheet* sheet, std::string_view name) : sheet_(sheet), name_(name) {}

  void String(lxw_row_t row, lxw_col_t col, const std::string& text, lxw_format* format) {
    if (!status_.ok()) return;
    const lxw_error error = worksheet_write_string(sheet_, row, col, text.c_str(), format);
    if (error != LXW_NO_ERROR) {
      status_ = LxwError(error, absl::StrCat(AsAbsl(name_), " row ", row + 1, " column ", col + 1));
    }
  }

  void Number(lxw_row_t row, lxw_col_t col, double value) {
    if (!status_.ok()) return;
    const lxw_error error = worksheet_write_number(sheet_, row, col, value, nullptr);
    if (error != LXW_NO_ERROR) {
      status_ = LxwError(error, absl::StrCat(AsAbsl(name_), " row ", row + 1, " column ", col + 1));
    }
  }

  const absl::Status& status() const { return status_; }

 private:
  lxw_worksheet* sheet_;
  std::string_view name_;
  absl::Status status_;
};

std::string YearsText(const DatasetInfo& info) {
  if (info.first_year == 0 && info.last_year == 0) return "";
  if (info.first_year == info.last_year || info.last_year == 0) {
    return absl::StrCat(info.first_year);
  }
  if (info.first_year == 0) return absl::StrCat(info.last_year);
  return absl::StrCat(info.first_year, "-", info.last_year);
}

// An ad-hoc query's filters, as asked (writers.h: QueryFilters), in the metadata sheet's words.
void AddQueryFields(const QueryFilters& query,
                    std::vector<std::pair<std::string, std::string>>& fields) {
  fields.emplace_back("Filtro periodo",
                      query.first_month.has_value() && query.last_month.has_value()
                          ? absl::StrCat(domain::FormatIsoYearMonth(*query.first_month), " - ",
                                         domain::FormatIsoYearMonth(*query.last_month))
                          : "nessuno");
  fields.emplace_back("Filtro territorio", query.regions.empty()
                                               ? std::string("nessuno")
                                               : absl::StrJoin(query.regions, ", "));
  fields.emplace_back("Filtro tipo intervento",
                      query.intervention_types.empty()
                          ? std::string("nessuno")
                          : absl::StrJoin(query.intervention_types, ", "));
  fields.emplace_back("Combinazioni senza attività", query.dense ? "incluse, valore 0" : "escluse");
}

absl::Status StreamFile(const std::string& path, ChunkSink& sink, uint64_t* bytes) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::InternalError(
        absl::StrCat("xlsx: cannot reopen the temporary file: ", std::strerror(errno)));
  }
  std::vector<char> buffer(kMaxChunkBytes);
  absl::Status status;
  while (status.ok()) {
    const size_t got = std::fread(buffer.data(), 1, buffer.size(), file);
    if (got > 0) {
      status = sink.Write(std::string_view(buffer.data(), got));
      *bytes += got;
    }
    if (got < buffer.size()) {
      if (std::ferror(file) && status.ok()) {
        status = absl::InternalError("xlsx: cannot read the temporary file");
      }
      break;
    }
  }
  std::fclose(file);
  return status;
}

}  // namespace

absl::StatusOr<WriteStats> WriteXlsx(const ExportInput& input, const XlsxOptions& options,
                                     ChunkSink& sink) {
  absl::StatusOr<internal::StructuredInput> prepared = internal::PrepareStructured(input);
  if (!prepared.ok()) return prepared.status();
  const internal::Members& members = prepared->members;
  const internal::Table& table = prepared->table;
  if (table.keys.size() > kMaxDataRows) {
    return absl::InvalidArgumentError(absl::StrCat(
        table.keys.size(), " rows do not fit in a spreadsheet (at most ", kMaxDataRows, ")"));
  }
  const DatasetInfo& info = input.info;

  std::string temp_dir = options.temp_dir;
  if (temp_dir.empty()) {
    std::error_code error;
    temp_dir = std::filesystem::temp_directory_path(error).string();
    if (error) {
      return absl::InternalError(absl::StrCat("xlsx: no temporary directory: ", error.message()));
    }
  }
  std::string pattern = temp_dir + "/omnia-export-XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("xlsx: cannot create a temporary file in ", temp_dir,
                                            ": ", std::strerror(errno)));
  }
  close(fd);
  const TempFile temp_file(pattern);

  lxw_workbook_options workbook_options{};
  workbook_options.constant_memory = LXW_TRUE;  // rows stream to disk: memory stays flat
  workbook_options.tmpdir = temp_dir.data();
  workbook_options.use_zip64 = LXW_FALSE;
  lxw_workbook* workbook = workbook_new_opt(temp_file.path().c_str(), &workbook_options);
  if (workbook == nullptr) return absl::InternalError("xlsx: cannot create the workbook");
  WorkbookCloser closer(workbook);

  // Document properties, with a creation time fixed by the input.
  std::string title = internal::XmlSafeText(info.title, internal::XmlMarkup::kKeep);
  std::string author = internal::XmlSafeText(info.owner, internal::XmlMarkup::kKeep);
  std::string subject = internal::XmlSafeText(info.topic, internal::XmlMarkup::kKeep);
  std::string category = internal::XmlSafeText(info.source, internal::XmlMarkup::kKeep);
  lxw_doc_properties properties{};
  properties.title = title.data();
  properties.author = author.data();
  properties.subject = subject.data();
  properties.category = category.data();
  properties.created = CreationTime(info);
  if (lxw_error error = workbook_set_properties(workbook, &properties); error != LXW_NO_ERROR) {
    return LxwError(error, "document properties");
  }

  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);

  // ---- Dati ----
  lxw_worksheet* data = workbook_add_worksheet(workbook, "Dati");
  lxw_worksheet* metadata = workbook_add_worksheet(workbook, "Metadati");
  if (data == nullptr || metadata == nullptr || bold == nullptr) {
    return absl::InternalError("xlsx: cannot add sheets");
  }
  const domain::PeriodLevel period_level = table.levels.period;
  std::vector<std::string> header = {"Anno"};
  if (period_level == domain::PeriodLevel::kMonth) header.push_back("Mese");
  if (period_level == domain::PeriodLevel::kQuarter) header.push_back("Trimestre");
  const lxw_col_t type_col = static_cast<lxw_col_t>(header.size());
  header.push_back("Tipo_intervento");
  header.push_back("Regione");
  const lxw_col_t first_value_col = static_cast<lxw_col_t>(header.size());
  for (domain::Measure measure : table.measures) {
    header.emplace_back(domain::InpsColumnName(measure));
  }
  const lxw_col_t label_col = static_cast<lxw_col_t>(header.size());
  for (const char* name :
       {"Descrizione_intervento", "Nome_regione", "Codice_ISTAT", "Codice_NUTS"}) {
    header.emplace_back(name);
  }
  worksheet_set_column(data, 0, static_cast<lxw_col_t>(label_col - 1), kDataColumnWidth, nullptr);
  worksheet_set_column(data, label_col, static_cast<lxw_col_t>(label_col + 1), kLabelColumnWidth,
                       nullptr);
  worksheet_set_column(data, static_cast<lxw_col_t>(label_col + 2),
                       static_cast<lxw_col_t>(label_col + 3), kDataColumnWidth, nullptr);
  worksheet_freeze_panes(data, 1, 0);

  SheetWriter data_writer(data, "Dati");
  for (size_t col = 0; col < header.size(); ++col) {
    data_writer.String(0, static_cast<lxw_col_t>(col), header[col], bold);
  }
  const auto& region_members = members.regions(table.levels.region);
  const auto& type_members = members.types(table.levels.type);
  const size_t width = table.measures.size();
  for (size_t row = 0; row < table.keys.size() && data_writer.status().ok(); ++row) {
    const internal::RowKey& key = table.keys[row];
    const lxw_row_t r = static_cast<lxw_row_t>(row + 1);
    data_writer.Number(r, 0, key.period.year);
    if (period_level == domain::PeriodLevel::kMonth) {
      data_writer.String(r, 1, members.month_names()[key.period.index - 1], nullptr);
    } else if (period_level == domain::PeriodLevel::kQuarter) {
      data_writer.Number(r, 1, key.period.index);
    }
    const internal::MemberText& type = type_members[key.type];
    const internal::MemberText& region = region_members[key.region];
    data_writer.String(r, type_col, type.code, nullptr);
    data_writer.String(r, static_cast<lxw_col_t>(type_col + 1), region.code, nullptr);
    for (size_t m = 0; m < width; ++m) {
      const internal::Slot& slot = table.at(row, m);
      if (slot.present) {
        data_writer.Number(r, static_cast<lxw_col_t>(first_value_col + m),
                           static_cast<double>(slot.value));
      }
    }
    data_writer.String(r, label_col, type.label, nullptr);
    data_writer.String(r, static_cast<lxw_col_t>(label_col + 1), region.label, nullptr);
    data_writer.String(r, static_cast<lxw_col_t>(label_col + 2), region.istat, nullptr);
    data_writer.String(r, static_cast<lxw_col_t>(label_col + 3), region.nuts, nullptr);
  }
  if (!data_writer.status().ok()) return data_writer.status();

  // ---- Metadati ----
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Identificativo", info.dataset_id},
      {"Titolo", info.title},
      {"Descrizione", info.description},
      {"Proprietario del dato", info.owner},
      {"Licenza", info.license_name},
      {"URL licenza", info.license_url},
      {"Argomento", info.topic},
      {"Fonte", info.source},
      {"Rilascio", info.release_id},
      {"Pubblicazione", info.published_on},
      {"Aggiornato", info.updated_on},
      {"Periodo", YearsText(info)},
      {"Livelli", absl::StrCat(AsAbsl(domain::PeriodLevelCode(table.levels.period)), " x ",
                               AsAbsl(cube::RegionLevelCode(table.levels.region)), " x ",
                               AsAbsl(cube::TypeLevelCode(table.levels.type)))},
      {"Versione codelist", input.codelists->version()},
      {"Righe", absl::StrCat(table.keys.size())},
  };
  if (info.query.has_value()) AddQueryFields(*info.query, fields);
  for (domain::Measure measure : table.measures) {
    fields.emplace_back("Misura", domain::MeasureCode(measure));
    fields.emplace_back("Nome misura", domain::MeasureItalianName(measure));
    fields.emplace_back("Colonna", domain::InpsColumnName(measure));
    fields.emplace_back("Definizione", domain::MeasureDefinition(measure));
    fields.emplace_back("Additiva", domain::IsAdditive(measure) ? "sì" : "no");
  }
  worksheet_set_column(metadata, 0, 0, 24, nullptr);
  worksheet_set_column(metadata, 1, 1, 100, nullptr);
  SheetWriter metadata_writer(metadata, "Metadati");
  metadata_writer.String(0, 0, "Campo", bold);
  metadata_writer.String(0, 1, "Valore", bold);
  for (size_t i = 0; i < fields.size(); ++i) {
    const lxw_row_t r = static_cast<lxw_row_t>(i + 1);
    metadata_writer.String(r, 0, fields[i].first, nullptr);
    metadata_writer.String(
        r, 1, internal::XmlSafeText(fields[i].second, internal::XmlMarkup::kKeep), nullptr);
  }
  if (!metadata_writer.status().ok()) return metadata_writer.status();

  if (lxw_error error = closer.Close(); error != LXW_NO_ERROR) {
    return LxwError(error, "writing the workbook");
  }
  WriteStats stats{table.keys.size(), 0};
  if (absl::Status status = StreamFile(temp_file.path(), sink, &stats.bytes); !status.ok()) {
    return status;
  }
  return stats;
}

}  // namespace omnia::exporter
