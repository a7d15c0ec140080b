// The ingestion log and pseudonymiser as the ingestion tests use them: a real RocksDB log in a
// test's directory, and a pseudonymiser under a fixed test key.
#pragma once

#include <memory>
#include <string>

#include "libs/base/clock.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/pseudonymizer.h"

namespace omnia::testing {

// The log stored under `directory`; fails the calling test (and returns null) if it cannot open.
std::unique_ptr<ingest::EventLog> OpenTestLog(const std::string& directory, const Clock& clock);

// A pseudonymiser keyed with 48 bytes of 'k'.
std::unique_ptr<ingest::Pseudonymizer> TestPseudonymizer();

}  // namespace omnia::testing
