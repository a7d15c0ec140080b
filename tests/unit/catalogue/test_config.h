// The deployed catalogue configuration, as the catalogue tests use it.
#ifndef OMNIA_TESTS_UNIT_CATALOGUE_TEST_CONFIG_H_
#define OMNIA_TESTS_UNIT_CATALOGUE_TEST_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "libs/catalogue/config.h"

namespace omnia::catalogue {

inline std::string DeployedConfigPath() {
  return std::string(OMNIA_SOURCE_DIR) + "/deploy/config/datasets.textproto";
}

inline absl::StatusOr<CatalogueConfig> LoadDeployedConfig() {
  return LoadConfig(DeployedConfigPath());
}

}  // namespace omnia::catalogue

#endif  // OMNIA_TESTS_UNIT_CATALOGUE_TEST_CONFIG_H_
