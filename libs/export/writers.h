// File writers of the exporter: the cells of a report, or of an ad-hoc query, rendered as CSV,
// JSON, JSON-stat, XML or XLSX. Pure functions of their input: no network, no store.
//
// Streaming. A writer hands its output to a ChunkSink in consecutive chunks of at most
// kMaxChunkBytes, so no writer ever holds a whole file: besides the caller's cells it keeps an
// ordered copy of their keys and values (about 40 bytes per cell, 350 KB for the Storico report)
// and one chunk. XLSX is assembled by libxlsxwriter (rows streamed to disk) in a temporary file
// that is then streamed back and deleted.
//
// Errors. Invalid input (a null codelists pointer, cells at mixed levels, an index outside the
// codelists, the same cell twice, a malformed date in DatasetInfo) gives INVALID_ARGUMENT before
// any byte reaches the sink. A sink error stops the writer and is returned unchanged; the bytes
// already written are then an incomplete file. XLSX can also fail with INTERNAL (temporary file or
// libxlsxwriter trouble).
//
// Determinism. The same input and options give byte-identical output in every format, whatever
// the order of `cells`, the time of day or the time zone.
//
// Rows. Every format puts each value at one key (period, region member, intervention-type
// member). All cells of one input must share the same levels (one level per dimension, as one
// CellQuery asks); the measures may differ. Two orders are used:
//   INPS order     the text of the key fields as written, compared byte by byte: Anno, then Mese
//                  by Italian month name (Agosto, Aprile, Dicembre, ...) or Trimestre, then
//                  Tipo_intervento code, then Regione code. The order of INPS's published files
//                  (checked against the three 2023 files: year first, then month name, type,
//                  region, all byte-wise).
//   calendar order period ascending, then Tipo_intervento code, then Regione code (codes compared
//                  byte by byte), then measure in column order: the result order of CellQuery.
//
// Member codes and labels, at each level:
//   region:  INPS label ("VALLE_D'AOSTA") and display name; macro-area code ("NORD_OVEST") and
//            name; "ITALY" and "Italia".
//   type:    code ("FONDI_Centrali") and description; family code ("CIG") and name; "ALL" and
//            "Tutti gli interventi".
//   period:  "2023-04" (month), "2023-Q2" (quarter), "2023" (year).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"

namespace omnia::exporter {

// Largest chunk a writer passes to ChunkSink::Write.
inline constexpr size_t kMaxChunkBytes = 64 * 1024;

// Dataset metadata rendered into JSON, JSON-stat, XML and the XLSX metadata sheet (never into
// CSV, whose layout is INPS's). For an ad-hoc query the text fields are typically empty; empty
// text is rendered as empty (JSON "", XML empty element), empty dates and zero years are left out
// (JSON null).
// What an ad-hoc query selected beyond its measures and levels (common.proto CellQuery), as
// asked: its file says which part of the cubes it holds.
struct QueryFilters {
  // The period range asked for (both or neither); unset: from the first month with data to the
  // latest.
  std::optional<domain::YearMonth> first_month;
  std::optional<domain::YearMonth> last_month;
  std::vector<std::string> regions;             // codes as asked; empty: every member
  std::vector<std::string> intervention_types;  // codes as asked; empty: every member
  bool dense = false;                           // combinations without activity included as 0
};

struct DatasetInfo {
  std::string dataset_id;    // "integrazioni-salariali-lavoratori-2023"
  std::string title;         // Titolo
  std::string description;   // may hold several paragraphs
  std::string owner;         // Proprietario del dato: "INPS"
  std::string license_name;  // Licenza: "CC BY 4.0"
  std::string license_url;
  std::string topic;       // Argomento: "Integrazioni Salariali"
  std::string source;      // Fonte: "Ammortizzatori Sociali"
  std::string release_id;  // release rendered; empty for the live cubes
  // The dataset's measure. Also the value column when there are neither cells nor
  // ExportInput::measures (an empty dataset still gets its header).
  domain::Measure measure = domain::Measure::kApplications;
  std::string published_on;  // Pubblicazione, "YYYY-MM-DD" or empty
  std::string updated_on;    // Aggiornato, "YYYY-MM-DD" or empty
  int first_year = 0;        // Periodo covered; 0 when not applicable
  int last_year = 0;
  std::optional<QueryFilters> query;  // set for an ad-hoc query only
};

// The group-by level of each dimension.
struct Levels {
  domain::PeriodLevel period = domain::PeriodLevel::kMonth;
  cube::RegionLevel region = cube::RegionLevel::kRegion;
  cube::TypeLevel type = cube::TypeLevel::kType;
};

struct ExportInput {
  // Codes and labels of regions, types and months. Required; must outlive the call.
  const domain::Codelists* codelists = nullptr;
  DatasetInfo info;
  // Levels of the cells, which decide the CSV columns even when there are no cells. Optional:
  // unset means the levels of the cells, or MONTH x REGION x TYPE when there are none. A cell at
  // other levels is INVALID_ARGUMENT.
  std::optional<Levels> levels;
  // Measures, in column order (CSV, XLSX) and dimension order (JSON-stat). Optional: empty means
  // the measures of `cells` in order of first appearance (RunQuery returns cells grouped by
  // measure in request order), or info.measure when there are no cells. A cell of a measure not
  // listed is INVALID_ARGUMENT.
  std::vector<domain::Measure> measures;
  // The values, in any order, at most one per (measure, period, region, type).
  std::vector<cube::QueryCell> cells;
};

// Receives a file as consecutive chunks. Not called concurrently.
class ChunkSink {
 public:
  virtual ~ChunkSink();
  virtual absl::Status Write(std::string_view bytes) = 0;
};

// Collects the chunks in memory: for tests and small files.
class StringSink final : public ChunkSink {
 public:
  absl::Status Write(std::string_view bytes) override;
  const std::string& data() const { return data_; }
  // Number of Write calls so far.
  size_t chunks() const { return chunks_; }

 private:
  std::string data_;
  size_t chunks_ = 0;
};

// What a writer produced, for the export summary.
struct WriteStats {
  // Data rows: CSV lines after the header; rows of the XLSX data sheet after its header; row
  // objects in JSON and XML (one per cell); non-null values in JSON-stat.
  uint64_t rows = 0;
  // Bytes passed to the sink.
  uint64_t bytes = 0;
};

// ---- CSV ----------------------------------------------------------------------------------------
//
// Columns, in this order (CsvOptions in proto/omnia/v1/export.proto):
//   Anno; Mese (Italian month name) at MONTH level, Trimestre (1 to 4) at QUARTER level, neither
//   at YEAR level; Tipo_intervento (code); Regione (code); one column per measure named by its
//   INPS column (numero_domande, numero_lavoratori, numero_mensilita) in measure order; then, if
//   asked, Descrizione_intervento and Nome_regione (labels), Codice_ISTAT (two-digit region code;
//   for a macro-area its ISTAT ripartizione code 1 to 5, taken as its codelist position + 1, the
//   built-in list being in ISTAT order; empty for ITALY) and Codice_NUTS (NUTS-2 codes joined
//   with '+', NUTS-1 for a macro-area, "IT" for ITALY).
// One line per key; a measure without a cell at that key has an empty field. Values carry one
// decimal place ("321.0", "321,0" in the Excel dialect). A field holding the separator, a double
// quote, CR or LF is quoted with inner quotes doubled; nothing else is quoted. Every line,
// the last included, ends with CRLF.
//
// With default options, the cells of one published file (MONTH x REGION x TYPE, one measure)
// give back that file byte for byte.
struct CsvOptions {
  bool calendar_order = false;  // calendar order instead of INPS order
  bool excel_it = false;        // UTF-8 BOM, ';' separator, decimal comma
  bool label_columns = false;   // Descrizione_intervento, Nome_regione
  bool istat_column = false;    // Codice_ISTAT
  bool nuts_column = false;     // Codice_NUTS
};

absl::StatusOr<WriteStats> WriteCsv(const ExportInput& input, const CsvOptions& options,
                                    ChunkSink& sink);

// ---- JSON ---------------------------------------------------------------------------------------
//
// One UTF-8 object, one row per line, keys always present and always in this order:
//   {"format":"omnia-export","format_version":1,
//    "metadata":{"dataset_id":"...","title":"...","description":"...","owner":"...",
//      "license":{"name":"...","url":"..."},"topic":"...","source":"...","release_id":"...",
//      "published_on":"2026-01-15"|null,"updated_on":"2026-01-15"|null,
//      "first_year":2023|null,"last_year":2023|null,"codelists_version":"2024-01",
//      "levels":{"period":"MONTH","region":"REGION","intervention_type":"TYPE"},
//      "measures":[{"code":"WORKERS","name":"Numero Lavoratori","csv_column":"numero_lavoratori",
//                   "additive":false,"definition":"..."}],
//      "query":{"period_range":{"first":"2023-01","last":"2023-06"}|null,
//               "regions":["LAZIO"],"intervention_types":[],"dense":false},  (ad-hoc only)
//      "row_count":790},
//    "rows":[
//   {"measure":"WORKERS","period":"2023-01","year":2023,"month":1,"region":"ABRUZZO",
//    "region_label":"Abruzzo","intervention_type":"CIGD","intervention_type_label":"...",
//    "value":13,"provenance":"PUBLISHED"},
//   ...]}
// One row per cell, in calendar order. "month" is present only at MONTH level, "quarter" (1 to 4)
// only at QUARTER level. Values are exact integers. Provenance is "MICRO_DATA" or "PUBLISHED".
// Invalid UTF-8 in text is replaced by U+FFFD.
absl::StatusOr<WriteStats> WriteJson(const ExportInput& input, ChunkSink& sink);

// ---- JSON-stat 2.0 ------------------------------------------------------------------------------
//
// One dataset object (https://json-stat.org/full/):
//   "version":"2.0", "class":"dataset", "label" (title, left out when empty), "source" and
//   "updated" (when set), "id":["period","region","intervention_type","measure"], "size",
//   "role":{"time":["period"],"geo":["region"],"metric":["measure"]}, and "dimension" with, for
//   each id, a label and a category with "index" (array of codes) and "label" (code -> label);
//   the measure category also has "unit" (decimals 0 and an Italian unit label).
//   Categories are the members that occur in the cells: periods in chronological order, regions
//   and types in codelist order (ISTAT order for regions), measures in measure order.
//   "value" is the dense array in row-major order (the last dimension, measure, varies fastest),
//   null where there is no cell. "extension" holds the omnia metadata (as in WriteJson's
//   "metadata") and "provenance": one string when all cells share it, otherwise an array
//   aligned with "value" (null where value is null).
absl::StatusOr<WriteStats> WriteJsonStat(const ExportInput& input, ChunkSink& sink);

// ---- XML ----------------------------------------------------------------------------------------
//
// UTF-8 XML 1.0 valid against libs/export/omnia-export.xsd (namespace urn:omnia:export:v1):
//   <export xmlns="urn:omnia:export:v1" formatVersion="1">
//     <metadata> datasetId, title, description, owner, license (name and url attributes),
//       topic, source, releaseId, then publishedOn, updatedOn, firstYear, lastYear (each left
//       out when unset), codelistsVersion, levels (attributes period, region,
//       interventionType), measures (measure elements: code, name, csvColumn, additive
//       attributes, definition text), then for an ad-hoc query only query (dense attribute;
//       periodRange with first and last, when asked; region and interventionType elements with
//       a code attribute, one per code asked) </metadata>
//     <rows count="N"> <row measure period year [month|quarter] region regionLabel
//       interventionType interventionTypeLabel value provenance/> ... </rows>
//   </export>
// One row per cell, in calendar order, one row per line. Text that XML 1.0 cannot carry
// (invalid UTF-8, control characters other than tab, LF and CR) is replaced by U+FFFD.
absl::StatusOr<WriteStats> WriteXml(const ExportInput& input, ChunkSink& sink);

// ---- XLSX ---------------------------------------------------------------------------------------
//
// Two sheets:
//   "Dati"      a bold header row (frozen), then one row per key in calendar order with the CSV
//               columns and every optional column: Anno, Mese | Trimestre, Tipo_intervento,
//               Regione, the measure columns, Descrizione_intervento, Nome_regione,
//               Codice_ISTAT, Codice_NUTS. Anno, Trimestre and values are numbers; a measure
//               without a cell at a key is an empty cell. Values are exact up to 2^53.
//   "Metadati"  "Campo" / "Valore" rows: the DatasetInfo fields (Italian field names), the
//               measures with their definitions, the codelists version, the row count and,
//               for an ad-hoc query, its filters ("Filtro periodo", "Filtro territorio",
//               "Filtro tipo intervento", "Combinazioni senza attività").
// Deterministic bytes: the document creation time is midnight UTC of info.updated_on, else of
// info.published_on, else of the date that starts info.release_id, else 2020-01-01; the zip
// entries carry libxlsxwriter's fixed 1980-01-01 timestamp. Limited to Excel's 1,048,575 data
// rows (INVALID_ARGUMENT beyond).
struct XlsxOptions {
  // Directory for the temporary file; it must exist and be writable. Empty: the system's
  // temporary directory.
  std::string temp_dir;
};

absl::StatusOr<WriteStats> WriteXlsx(const ExportInput& input, const XlsxOptions& options,
                                     ChunkSink& sink);

// ---- by format ----------------------------------------------------------------------------------

// The formats of omnia.v1.Format, for a service that dispatches on the request.
enum class Format { kCsv, kJson, kJsonStat, kXml, kXlsx };

// ".csv", ".json", ".jsonstat.json", ".xml", ".xlsx" (as documented for Format in common.proto).
std::string_view FileExtension(Format format);

// "text/csv; charset=utf-8", "application/json", "application/json", "application/xml",
// "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".
std::string_view MediaType(Format format);

struct WriteOptions {
  CsvOptions csv;    // used by kCsv only
  XlsxOptions xlsx;  // used by kXlsx only
};

// Calls the writer of `format`.
absl::StatusOr<WriteStats> WriteFile(Format format, const ExportInput& input,
                                     const WriteOptions& options, ChunkSink& sink);

}  // namespace omnia::exporter
