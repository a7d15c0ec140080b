// omnia's catalogue as DCAT-AP_IT, the Italian profile of DCAT-AP that dati.gov.it harvests
// (AgID, "Linee guida per i cataloghi dati"), in Turtle, RDF/XML and JSON-LD; and the Atom feed
// of releases. A pure library: the caller (the HTTP gateway) fetches the catalogue's state over
// gRPC into a CatalogSnapshot and gets back the document's bytes and media type.
//
// Each request builds one RDF graph and serialises it; the three syntaxes of a document parse to
// isomorphic graphs (the catalogue's paging links name the requested syntax, nothing else
// differs). The same snapshot and configuration always give the same bytes.
//
// The graph, for a dataset D of the latest release R with file F (URLs start with
// CatalogConfig::public_base_url, written B):
//   <B/catalog>  a dcat:Catalog, dcatapit:Catalog: dct:title, dct:description (@it),
//       dct:publisher, dct:issued, dct:modified (xsd:date), dct:language, foaf:homepage <B/>,
//       dcat:themeTaxonomy (the EU data-theme scheme), dcat:dataset <B/dataset/D> ...
//   <B/dataset/D>  a dcat:Dataset, dcatapit:Dataset: dct:identifier "<ipa>:D",
//       dct:title, dct:description (@it), dct:issued (Pubblicazione), dct:modified (Aggiornato),
//       dcat:theme, dct:publisher and dct:rightsHolder (the organisation), dct:accrualPeriodicity,
//       dct:temporal (dct:PeriodOfTime with dcat:startDate/endDate and schema:startDate/endDate),
//       dct:spatial (Italy), dcat:contactPoint, dcat:keyword (@it), dct:language,
//       dcat:landingPage, dcat:distribution <B/dataset/D/resource/F> ...
//   <B/dataset/D/resource/F>  a dcat:Distribution, dcatapit:Distribution: dct:title,
//       dct:format (EU file type), dcat:accessURL <B/dataset/D/F> (the file at the latest
//       release), dcat:downloadURL <B/releases/R/D/F> (immutable), dct:license, dcat:byteSize
//       (xsd:decimal), spdx:checksum (sha256), dcat:mediaType (IANA media type IRI), dct:modified
//   <B/organization/<ipa>>  a dcatapit:Agent, foaf:Agent: dct:identifier "<ipa>", foaf:name
//   <B/organization/<ipa>/contact>  a dcatapit:Organization, vcard:Organization, vcard:Kind:
//       vcard:fn, vcard:hasEmail <mailto:...>, vcard:hasURL
//   <licence URL>  a dcatapit:LicenseDocument, dct:LicenseDocument: dct:type (ADMS licence
//       type), foaf:name, owl:versionInfo
#ifndef OMNIA_LIBS_DCAT_DCAT_H_
#define OMNIA_LIBS_DCAT_DCAT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/dcat/rdf_graph.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::dcat {

// Who publishes the catalogue and where. Fill from the gateway's flags.
struct CatalogConfig {
  // Start of every URL in the documents, e.g. "https://dati.inps.it/opendata" (a trailing '/' is
  // ignored). Required.
  std::string public_base_url;
  // IPA code (Indice delle Pubbliche Amministrazioni) of the organisation: the prefix of every
  // dct:identifier and the Agent's dct:identifier.
  std::string ipa_code = "inps";
  // foaf:name of the publisher and rights holder (Proprietario del dato), vcard:fn of the
  // contact point.
  std::string organisation_name = "Istituto Nazionale della Previdenza Sociale";
  // Contact point: e-mail address (written as a mailto: IRI) and web page; at least the e-mail
  // is mandatory in DCAT-AP_IT.
  std::string contact_email = "opendata@inps.it";
  std::string contact_url = "https://www.inps.it/";
  std::string catalog_title = "Open data INPS: integrazioni salariali";
  std::string catalog_description =
      "Dati aperti dell'INPS sulle integrazioni salariali (CIGO, CIGS, CIG in deroga, Fondo di "
      "integrazione salariale e fondi di solidarietà), per regione, mese e tipo di intervento.";
  // EU data-theme codes given to every dataset (dcat:theme), e.g. "ECON" (Economia e finanze),
  // "SOCI" (Popolazione e società).
  std::vector<std::string> themes = {"ECON", "SOCI"};
};

// The catalogue's state at one moment, as the gateway reads it over gRPC.
struct CatalogSnapshot {
  // Every dataset of the latest release with its attachments (CatalogueService.ListDatasets
  // without filters, all pages). Datasets never published (no release_id or no updated_on) are
  // left out of the documents. Any order: documents list datasets by dataset_id.
  std::vector<omnia::v1::Dataset> datasets;
  // The releases, newest first (CatalogueService.ListReleases, all pages). Only the Atom feed
  // reads them.
  std::vector<omnia::v1::Release> releases;
};

// RdfFormat (rdf_graph.h) is kTurtle, kRdfXml or kJsonLd.

// The format for a URL extension without the dot: "ttl", "rdf" or "jsonld"; nullopt otherwise.
std::optional<RdfFormat> RdfFormatForExtension(std::string_view extension);
// "ttl", "rdf", "jsonld".
std::string_view ExtensionOf(RdfFormat format);
// "text/turtle", "application/rdf+xml", "application/ld+json".
std::string_view MediaTypeOf(RdfFormat format);

// A response body with its Content-Type (the media type with "; charset=utf-8").
struct Document {
  std::string body;
  std::string content_type;
};

// Datasets per page of the catalogue documents, as ckanext-dcat pages its catalogue.
inline constexpr int kDatasetsPerPage = 100;

// The catalogue (served at /catalog.{ttl,rdf,jsonld}?page=N): the Catalog, page `page` (from 1)
// of its datasets by dataset_id with their distributions, agents, contact point and licences,
// and ckanext-dcat's hydra:PagedCollection node <B/catalog.EXT?page=N> with hydra:totalItems,
// hydra:itemsPerPage, hydra:firstPage, hydra:lastPage and, when they exist, hydra:nextPage and
// hydra:previousPage (page URLs as plain literals, like ckanext-dcat). An empty catalogue has one
// empty page.
// Errors: INVALID_ARGUMENT (page < 1, or public_base_url empty); NOT_FOUND (page after the last);
// INTERNAL (a serialiser failed).
absl::StatusOr<Document> CatalogDocument(const CatalogSnapshot& snapshot,
                                         const CatalogConfig& config, int page, RdfFormat format);

// One dataset (served at /dataset/{dataset_id}.{ttl,rdf,jsonld}): the Dataset with its
// distributions, agents, contact point and licence, without the Catalog node.
// Errors: INVALID_ARGUMENT (public_base_url empty); NOT_FOUND (no published dataset with that
// id); INTERNAL (a serialiser failed).
absl::StatusOr<Document> DatasetDocument(const CatalogSnapshot& snapshot,
                                         const CatalogConfig& config, std::string_view dataset_id,
                                         RdfFormat format);

// The Atom 1.0 feed of releases (served at /releases.atom, "application/atom+xml"): one entry per
// release in snapshot.releases' order, with id "tag:<host of B>,<publication date>:release/<id>",
// the release id and description as title, create_time as updated and published, a link to the
// release's SHA256SUMS, and a summary naming every dataset it added or updated, each also
// linked (rel="related") to its Turtle description. The feed's updated is the newest entry's
// (1970-01-01T00:00:00Z when there is none, so the same state always gives the same bytes).
// Errors: INVALID_ARGUMENT (public_base_url empty); INTERNAL (the XML writer failed).
absl::StatusOr<Document> ReleasesFeed(const CatalogSnapshot& snapshot, const CatalogConfig& config);

}  // namespace omnia::dcat

#endif  // OMNIA_LIBS_DCAT_DCAT_H_
