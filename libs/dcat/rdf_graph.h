// One in-memory RDF graph (a sord model) and the three serialisations omnia publishes it in:
// Turtle (written by serd from the model), RDF/XML (libxml2's xmlTextWriter) and JSON-LD
// (nlohmann::json). All three are written from the same triples, so they parse to isomorphic
// graphs. Output is deterministic: the same graph always gives the same bytes.
#ifndef OMNIA_LIBS_DCAT_RDF_GRAPH_H_
#define OMNIA_LIBS_DCAT_RDF_GRAPH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace omnia::dcat {

// An RDF term held by value.
struct Term {
  enum class Kind { kIri, kBlank, kLiteral };
  Kind kind = Kind::kIri;
  // The IRI, the blank node label (without "_:") or the literal's lexical form.
  std::string value;
  // Literal only: datatype IRI; empty for a plain (xsd:string) or language-tagged literal.
  std::string datatype;
  // Literal only: BCP 47 language tag, e.g. "it"; empty when untagged.
  std::string language;

  static Term Iri(std::string iri);
  // A literal in a language, e.g. Text("Titolo", "it").
  static Term Text(std::string text, std::string language);
  // A typed literal, e.g. Typed("2023-01-01", xsd date IRI).
  static Term Typed(std::string lexical, std::string datatype);
  // A plain literal (xsd:string).
  static Term Plain(std::string text);

  friend bool operator==(const Term&, const Term&) = default;
};

// A statement; the predicate is always an IRI.
struct Triple {
  Term subject;
  std::string predicate;
  Term object;
};

// A prefix used to abbreviate IRIs in the serialisations, e.g. {"dct",
// "http://purl.org/dc/terms/"}.
struct Prefix {
  absl::string_view name;
  absl::string_view iri;
};

// The serialisations: Turtle, RDF/XML and JSON-LD.
enum class RdfFormat { kTurtle, kRdfXml, kJsonLd };

// An RDF graph. Owns its sord world and model; move-only.
class RdfGraph {
 public:
  // `prefixes` abbreviate IRIs in Turtle, RDF/XML and JSON-LD; they do not change the graph.
  explicit RdfGraph(std::vector<Prefix> prefixes);
  ~RdfGraph();
  RdfGraph(RdfGraph&&) noexcept;
  RdfGraph& operator=(RdfGraph&&) noexcept;
  RdfGraph(const RdfGraph&) = delete;
  RdfGraph& operator=(const RdfGraph&) = delete;

  // A fresh blank node, "b1", "b2", ... in order of creation.
  Term NewBlank();

  // Adds the statement (a repeat is stored once). Text is cleaned of characters XML 1.0 cannot
  // carry (C0 controls other than tab, line feed and carriage return), so every serialisation
  // holds the same literal.
  void Add(const Term& subject, absl::string_view predicate, const Term& object);

  // Every statement, ordered by subject, predicate, object.
  std::vector<Triple> Triples() const;
  size_t size() const;

  // The graph in `format`. Errors: INTERNAL when a writer fails.
  absl::StatusOr<std::string> Serialize(RdfFormat format) const;

 private:
  struct Model;
  std::unique_ptr<Model> model_;
  std::vector<Prefix> prefixes_;
  int blank_count_ = 0;
};

}  // namespace omnia::dcat

#endif  // OMNIA_LIBS_DCAT_RDF_GRAPH_H_
