// Metadata rendering shared by the JSON and JSON-stat writers. Not part of the public API.
#pragma once

#include <cstdint>

#include "libs/export/internal/chunk_writer.h"
#include "libs/export/internal/table.h"
#include "libs/export/writers.h"

namespace omnia::exporter::internal {

// Writes the "metadata" object documented at WriteJson (without a trailing newline).
void PutJsonMetadata(ChunkWriter& out, const ExportInput& input, const Table& table,
                     uint64_t row_count);

}  // namespace omnia::exporter::internal
