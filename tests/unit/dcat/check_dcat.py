#!/usr/bin/python3
"""Checks omnia's DCAT-AP_IT documents with an independent RDF parser (rdflib).

Usage: check_dcat.py TURTLE RDFXML JSONLD DATASETS DISTRIBUTIONS PAGED

Parses the three files, checks that they hold isomorphic graphs (the catalogue's paging links
name the syntax of their document: they are mapped to the Turtle ones first), then that every
dcatapit:Catalog, Dataset, Distribution, Agent and LicenseDocument carries the properties
DCAT-AP_IT makes mandatory, with the right node kinds and datatypes. DATASETS and
DISTRIBUTIONS are the expected counts; PAGED is 1 when a hydra:PagedCollection must be present
(catalogue documents), 0 when none may be. Prints every problem and exits 1 if there is any.
"""

import re
import sys

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"

problems = []


def problem(message):
    problems.append(message)


def neutral(term):
    """The term with a paging link's syntax mapped to Turtle's."""
    if isinstance(term, (URIRef, Literal)) and "/catalog." in str(term):
        text = re.sub(r"/catalog\.(rdf|jsonld)\?page=", "/catalog.ttl?page=", str(term))
        return URIRef(text) if isinstance(term, URIRef) else Literal(
            text, lang=term.language, datatype=term.datatype)
    return term


def load(path, syntax):
    graph = Graph()
    graph.parse(path, format=syntax)
    result = Graph()
    for s, p, o in graph:
        result.add((neutral(s), p, neutral(o)))
    return result


def values(graph, node, predicate, what):
    found = list(graph.objects(node, predicate))
    if not found:
        problem(f"{what} {node}: no {graph.qname(predicate)}")
    return found


def one(graph, node, predicate, what):
    found = values(graph, node, predicate, what)
    if len(found) > 1:
        problem(f"{what} {node}: {len(found)} values of {graph.qname(predicate)}")
    return found[0] if found else None


def italian(graph, node, predicate, what):
    for value in values(graph, node, predicate, what):
        if not isinstance(value, Literal) or value.language != "it" or not str(value).strip():
            problem(f"{what} {node}: {graph.qname(predicate)} {value!r} is not Italian text")


def typed(graph, node, predicate, datatype, what, single=True):
    found = [one(graph, node, predicate, what)] if single else values(graph, node, predicate, what)
    for value in found:
        if value is None:
            continue
        if not isinstance(value, Literal) or value.datatype != datatype:
            problem(f"{what} {node}: {graph.qname(predicate)} {value!r} is not {datatype}")
        elif value.value is None:  # rdflib could not read the lexical form as that datatype
            problem(f"{what} {node}: {graph.qname(predicate)} {value!r} is ill-formed")


def iri(graph, node, predicate, what, starts_with=""):
    value = one(graph, node, predicate, what)
    if value is not None and not (isinstance(value, URIRef) and str(value).startswith(starts_with)):
        problem(f"{what} {node}: {graph.qname(predicate)} {value!r} is not an IRI {starts_with}…")
    return value


def has_type(graph, node, rdf_type):
    return (node, RDF.type, rdf_type) in graph


def check_catalog(graph, catalog):
    what = "Catalog"
    italian(graph, catalog, DCT.title, what)
    italian(graph, catalog, DCT.description, what)
    check_is_agent(graph, one(graph, catalog, DCT.publisher, what), "Catalog publisher")
    typed(graph, catalog, DCT.modified, XSD.date, what)
    typed(graph, catalog, DCT.issued, XSD.date, what)
    iri(graph, catalog, DCT.language, what, EU + "language/")
    iri(graph, catalog, FOAF.homepage, what, "http")
    iri(graph, catalog, DCAT.themeTaxonomy, what, EU + "data-theme")
    for dataset in values(graph, catalog, DCAT.dataset, what):
        if not has_type(graph, dataset, DCATAPIT.Dataset):
            problem(f"Catalog: dcat:dataset {dataset} is not a dcatapit:Dataset")


def check_is_agent(graph, node, what):
    if node is not None and not has_type(graph, node, DCATAPIT.Agent):
        problem(f"{what} {node} is not a dcatapit:Agent")


def check_dataset(graph, dataset):
    what = "Dataset"
    if not has_type(graph, dataset, DCAT.Dataset):
        problem(f"Dataset {dataset}: not a dcat:Dataset")
    identifier = one(graph, dataset, DCT.identifier, what)
    expected = "inps:" + str(dataset).rsplit("/", 1)[-1]
    if identifier != Literal(expected):
        problem(f"Dataset {dataset}: dct:identifier {identifier!r}, expected {expected}")
    italian(graph, dataset, DCT.title, what)
    italian(graph, dataset, DCT.description, what)
    typed(graph, dataset, DCT.modified, XSD.date, what)
    typed(graph, dataset, DCT.issued, XSD.date, what)
    for theme in values(graph, dataset, DCAT.theme, what):
        if not str(theme).startswith(EU + "data-theme/"):
            problem(f"Dataset {dataset}: dcat:theme {theme} is not an EU data theme")
    check_is_agent(graph, one(graph, dataset, DCT.rightsHolder, what), "rights holder")
    check_is_agent(graph, one(graph, dataset, DCT.publisher, what), "publisher")
    iri(graph, dataset, DCT.accrualPeriodicity, what, EU + "frequency/")
    iri(graph, dataset, DCAT.landingPage, what, "http")
    period = one(graph, dataset, DCT.temporal, what)
    if period is not None:
        if not has_type(graph, period, DCT.PeriodOfTime):
            problem(f"Dataset {dataset}: dct:temporal is not a dct:PeriodOfTime")
        typed(graph, period, DCAT.startDate, XSD.date, "PeriodOfTime")
        typed(graph, period, DCAT.endDate, XSD.date, "PeriodOfTime")
    if iri(graph, dataset, DCT.spatial, what) != URIRef(EU + "country/ITA"):
        problem(f"Dataset {dataset}: dct:spatial is not Italy")
    contact = one(graph, dataset, DCAT.contactPoint, what)
    if contact is not None:
        for contact_type in (DCATAPIT.Organization, VCARD.Organization):
            if not has_type(graph, contact, contact_type):
                problem(f"contact point {contact} is not a {graph.qname(contact_type)}")
        italian(graph, contact, VCARD.fn, "contact point")
        iri(graph, contact, VCARD.hasEmail, "contact point", "mailto:")
    italian(graph, dataset, DCAT.keyword, what)
    if iri(graph, dataset, DCT.language, what) != URIRef(EU + "language/ITA"):
        problem(f"Dataset {dataset}: dct:language is not Italian")
    for distribution in values(graph, dataset, DCAT.distribution, what):
        if not has_type(graph, distribution, DCATAPIT.Distribution):
            problem(f"Dataset {dataset}: distribution {distribution} is not a dcatapit:Distribution")


def check_distribution(graph, distribution):
    what = "Distribution"
    if not has_type(graph, distribution, DCAT.Distribution):
        problem(f"Distribution {distribution}: not a dcat:Distribution")
    italian(graph, distribution, DCT.title, what)
    iri(graph, distribution, DCT["format"], what, EU + "file-type/")
    iri(graph, distribution, DCAT.accessURL, what, "http")
    iri(graph, distribution, DCAT.downloadURL, what, "http")
    download = one(graph, distribution, DCAT.downloadURL, what)
    if download is not None and "/releases/" not in str(download):
        problem(f"Distribution {distribution}: downloadURL {download} is not a release's file")
    licence = iri(graph, distribution, DCT.license, what)
    if licence is not None and not has_type(graph, licence, DCATAPIT.LicenseDocument):
        problem(f"Distribution {distribution}: licence {licence} is not a dcatapit:LicenseDocument")
    typed(graph, distribution, DCAT.byteSize, XSD.decimal, what)
    iri(graph, distribution, DCAT.mediaType, what, "http://www.iana.org/assignments/media-types/")
    checksum = one(graph, distribution, SPDX.checksum, what)
    if checksum is not None:
        if not has_type(graph, checksum, SPDX.Checksum):
            problem(f"Distribution {distribution}: spdx:checksum is not a spdx:Checksum")
        if one(graph, checksum, SPDX.algorithm, "Checksum") != SPDX.checksumAlgorithm_sha256:
            problem(f"Distribution {distribution}: checksum algorithm is not sha256")
        typed(graph, checksum, SPDX.checksumValue, XSD.hexBinary, "Checksum")
        value = one(graph, checksum, SPDX.checksumValue, "Checksum")
        if value is not None and not re.fullmatch(r"[0-9a-f]{64}", str(value)):
            problem(f"Distribution {distribution}: checksum {value} is not 64 hex digits")


def check_agent(graph, agent):
    if not one(graph, agent, FOAF.name, "Agent"):
        problem(f"Agent {agent}: empty foaf:name")
    if one(graph, agent, DCT.identifier, "Agent") != Literal("inps"):
        problem(f"Agent {agent}: dct:identifier is not the IPA code inps")


def check_licence(graph, licence):
    iri(graph, licence, DCT.type, "LicenseDocument", "http://purl.org/adms/licencetype/")
    values(graph, licence, FOAF.name, "LicenseDocument")


def check_paging(graph, paged):
    pages = list(graph.subjects(RDF.type, HYDRA.PagedCollection))
    if len(pages) != (1 if paged else 0):
        problem(f"{len(pages)} hydra:PagedCollection nodes")
    for page in pages:
        typed(graph, page, HYDRA.totalItems, XSD.nonNegativeInteger, "PagedCollection")
        typed(graph, page, HYDRA.itemsPerPage, XSD.nonNegativeInteger, "PagedCollection")
        one(graph, page, HYDRA.firstPage, "PagedCollection")
        one(graph, page, HYDRA.lastPage, "PagedCollection")


def main():
    turtle, rdfxml, jsonld, datasets, distributions, paged = sys.argv[1:7]
    graphs = {}
    for path, syntax in ((turtle, "turtle"), (rdfxml, "xml"), (jsonld, "json-ld")):
        try:
            graphs[syntax] = load(path, syntax)
        except Exception as error:  # any parse failure is the finding
            print(f"{path} does not parse as {syntax}: {error}")
            return 1
    reference = graphs["turtle"]
    for syntax in ("xml", "json-ld"):
        if len(graphs[syntax]) != len(reference):
            problem(f"{syntax}: {len(graphs[syntax])} triples, Turtle has {len(reference)}")
        if not isomorphic(graphs[syntax], reference):
            problem(f"{syntax} graph is not isomorphic to the Turtle graph")
    graph = reference
    catalogs = list(graph.subjects(RDF.type, DCATAPIT.Catalog))
    for catalog in catalogs:
        check_catalog(graph, catalog)
    if bool(catalogs) != (paged == "1"):
        problem(f"{len(catalogs)} dcatapit:Catalog nodes")
    found = list(graph.subjects(RDF.type, DCATAPIT.Dataset))
    if len(found) != int(datasets):
        problem(f"{len(found)} datasets, expected {datasets}")
    for dataset in found:
        check_dataset(graph, dataset)
    found = list(graph.subjects(RDF.type, DCATAPIT.Distribution))
    if len(found) != int(distributions):
        problem(f"{len(found)} distributions, expected {distributions}")
    for distribution in found:
        check_distribution(graph, distribution)
    agents = list(graph.subjects(RDF.type, DCATAPIT.Agent))
    if not agents:
        problem("no dcatapit:Agent")
    for agent in agents:
        check_agent(graph, agent)
    licences = list(graph.subjects(RDF.type, DCATAPIT.LicenseDocument))
    if not licences:
        problem("no dcatapit:LicenseDocument")
    for licence in licences:
        check_licence(graph, licence)
    check_paging(graph, paged == "1")
    for message in problems:
        print(message)
    print(f"{len(reference)} triples, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
