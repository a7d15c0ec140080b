// The deployed catalogue configuration, as the catalogue tests use it.
#ifndef OMNIA_TESTS_UNIT_CATALOGUE_TEST_CONFIG_H_
#define OMNIA_TESTS_UNIT_CATALOGUE_TEST_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/base/clock.h"
#include "libs/catalogue/catalogue_store.h"
#include "libs/catalogue/config.h"

namespace omnia::catalogue {

inline std::string DeployedConfigPath() {
  return std::string(OMNIA_SOURCE_DIR) + "/deploy/config/datasets.textproto";
}

inline absl::StatusOr<CatalogueConfig> LoadDeployedConfig() {
  return LoadConfig(DeployedConfigPath());
}

// A catalogue with the deployed configuration in a RocksDB store at `path`; `clock` must outlive
// it.
inline absl::StatusOr<std::unique_ptr<CatalogueStore>> OpenDeployedCatalogue(
    const std::string& path, const Clock& clock) {
  absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
  if (!config.ok()) return config.status();
  return CatalogueStore::OpenAt(path, *std::move(config), clock);
}

}  // namespace omnia::catalogue

#endif  // OMNIA_TESTS_UNIT_CATALOGUE_TEST_CONFIG_H_
