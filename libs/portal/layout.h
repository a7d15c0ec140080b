// The frame every portal page shares: Italian document, header with the site name, the
// breadcrumb Home > Dati e Bilanci > Open Data, navigation, one <h1>, main content, and a footer
// with the licence and the data owner. The style sheet is inline and our own: the pages load
// nothing from anywhere else.
#ifndef OMNIA_LIBS_PORTAL_LAYOUT_H_
#define OMNIA_LIBS_PORTAL_LAYOUT_H_

#include <string>
#include <vector>

namespace omnia::portal {

// Deployment texts shown on every page.
struct PortalSite {
  std::string site_name = "Cruscotto di monitoraggio OMNIA IS";
  std::string owner = "INPS - Istituto Nazionale della Previdenza Sociale";
  std::string license_name = "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)";
  std::string license_url = "https://creativecommons.org/licenses/by/4.0/deed.it";
};

// A breadcrumb step after "Open Data"; the last step is the current page.
struct Crumb {
  std::string text;
  std::string href;  // "" for the current page
};

struct Page {
  // The <h1>, also the start of <title>.
  std::string heading;
  // The section the navigation marks as current: "/", "/cruscotto" or "/rilasci".
  std::string section = "/";
  // Steps after "Open Data" (e.g. the dataset's title).
  std::vector<Crumb> trail;
  // Already-rendered content placed in <main> after the <h1>.
  std::string main_html;
};

// The whole HTML document.
std::string RenderPage(const PortalSite& site, const Page& page);

// A page explaining a refused request (status 400), a missing one (404) or a service that is
// away (5xx), in Italian. The message must not quote what the client sent.
std::string RenderErrorPage(const PortalSite& site, int status, const std::string& message);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_LAYOUT_H_
