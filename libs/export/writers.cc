#include "libs/export/writers.h"

namespace omnia::exporter {

ChunkSink::~ChunkSink() = default;

absl::Status StringSink::Write(std::string_view bytes) {
  data_.append(bytes);
  ++chunks_;
  return absl::OkStatus();
}

std::string_view FileExtension(Format format) {
  switch (format) {
    case Format::kCsv:
      return ".csv";
    case Format::kJson:
      return ".json";
    case Format::kJsonStat:
      return ".jsonstat.json";
    case Format::kXml:
      return ".xml";
    case Format::kXlsx:
      return ".xlsx";
  }
  return "";
}

std::string_view MediaType(Format format) {
  switch (format) {
    case Format::kCsv:
      return "text/csv; charset=utf-8";
    case Format::kJson:
    case Format::kJsonStat:
      return "application/json";
    case Format::kXml:
      return "application/xml";
    case Format::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  return "";
}

absl::StatusOr<WriteStats> WriteFile(Format format, const ExportInput& input,
                                     const WriteOptions& options, ChunkSink& sink) {
  switch (format) {
    case Format::kCsv:
      return WriteCsv(input, options.csv, sink);
    case Format::kJson:
      return WriteJson(input, sink);
    case Format::kJsonStat:
      return WriteJsonStat(input, sink);
    case Format::kXml:
      return WriteXml(input, sink);
    case Format::kXlsx:
      return WriteXlsx(input, options.xlsx, sink);
  }
  return absl::InvalidArgumentError("unknown format");
}

}  // namespace omnia::exporter
