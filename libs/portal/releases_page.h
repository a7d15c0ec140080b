// GET /rilasci — the releases, newest first, with the datasets each one added or updated.
#ifndef OMNIA_LIBS_PORTAL_RELEASES_PAGE_H_
#define OMNIA_LIBS_PORTAL_RELEASES_PAGE_H_

#include <string>
#include <vector>

#include "libs/portal/layout.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::portal {

// `releases` newest first, as CatalogueService.ListReleases returns them (every page).
std::string RenderReleasesPage(const PortalSite& site, const std::vector<v1::Release>& releases);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_RELEASES_PAGE_H_
