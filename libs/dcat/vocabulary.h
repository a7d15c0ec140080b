// The RDF vocabularies of DCAT-AP_IT (AgID, "Linee guida per i cataloghi dati") as used by
// omnia's catalogue: namespaces, their usual prefixes and the EU Publications Office authority
// tables (data themes, frequencies, file types, languages, countries).
#ifndef OMNIA_LIBS_DCAT_VOCABULARY_H_
#define OMNIA_LIBS_DCAT_VOCABULARY_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/dcat/rdf_graph.h"

namespace omnia::dcat::vocab {

inline constexpr absl::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
inline constexpr absl::string_view kXsd = "http://www.w3.org/2001/XMLSchema#";
inline constexpr absl::string_view kDcat = "http://www.w3.org/ns/dcat#";
inline constexpr absl::string_view kDct = "http://purl.org/dc/terms/";
inline constexpr absl::string_view kDcatapit = "http://dati.gov.it/onto/dcatapit#";
inline constexpr absl::string_view kFoaf = "http://xmlns.com/foaf/0.1/";
inline constexpr absl::string_view kVcard = "http://www.w3.org/2006/vcard/ns#";
inline constexpr absl::string_view kSpdx = "http://spdx.org/rdf/terms#";
inline constexpr absl::string_view kSkos = "http://www.w3.org/2004/02/skos/core#";
inline constexpr absl::string_view kOwl = "http://www.w3.org/2002/07/owl#";
inline constexpr absl::string_view kSchema = "http://schema.org/";
inline constexpr absl::string_view kHydra = "http://www.w3.org/ns/hydra/core#";

// EU Publications Office authority tables.
inline constexpr absl::string_view kDataTheme =
    "http://publications.europa.eu/resource/authority/data-theme/";
inline constexpr absl::string_view kDataThemeScheme =
    "http://publications.europa.eu/resource/authority/data-theme";
inline constexpr absl::string_view kFrequency =
    "http://publications.europa.eu/resource/authority/frequency/";
inline constexpr absl::string_view kFileType =
    "http://publications.europa.eu/resource/authority/file-type/";
inline constexpr absl::string_view kLanguage =
    "http://publications.europa.eu/resource/authority/language/";
inline constexpr absl::string_view kCountry =
    "http://publications.europa.eu/resource/authority/country/";
// ADMS licence types, e.g. Attribution.
inline constexpr absl::string_view kLicenceType = "http://purl.org/adms/licencetype/";
// IANA media types, the DCAT-AP range of dcat:mediaType.
inline constexpr absl::string_view kIanaMediaType = "http://www.iana.org/assignments/media-types/";

inline std::string Rdf(absl::string_view local) { return absl::StrCat(kRdf, local); }
inline std::string Xsd(absl::string_view local) { return absl::StrCat(kXsd, local); }
inline std::string Dcat(absl::string_view local) { return absl::StrCat(kDcat, local); }
inline std::string Dct(absl::string_view local) { return absl::StrCat(kDct, local); }
inline std::string Dcatapit(absl::string_view local) { return absl::StrCat(kDcatapit, local); }
inline std::string Foaf(absl::string_view local) { return absl::StrCat(kFoaf, local); }
inline std::string Vcard(absl::string_view local) { return absl::StrCat(kVcard, local); }
inline std::string Spdx(absl::string_view local) { return absl::StrCat(kSpdx, local); }
inline std::string Skos(absl::string_view local) { return absl::StrCat(kSkos, local); }
inline std::string Owl(absl::string_view local) { return absl::StrCat(kOwl, local); }
inline std::string Schema(absl::string_view local) { return absl::StrCat(kSchema, local); }
inline std::string Hydra(absl::string_view local) { return absl::StrCat(kHydra, local); }

// The prefixes written in every serialisation.
inline std::vector<Prefix> Prefixes() {
  return {{"dcat", kDcat},     {"dct", kDct},     {"dcatapit", kDcatapit}, {"foaf", kFoaf},
          {"vcard", kVcard},   {"spdx", kSpdx},   {"skos", kSkos},         {"owl", kOwl},
          {"schema", kSchema}, {"hydra", kHydra}, {"xsd", kXsd},           {"rdf", kRdf}};
}

}  // namespace omnia::dcat::vocab

#endif  // OMNIA_LIBS_DCAT_VOCABULARY_H_
