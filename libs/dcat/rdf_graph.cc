#include "libs/dcat/rdf_graph.h"

#include <serd/serd.h>
#include <sord/sord.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/dcat/internal/xml_writer.h"

namespace omnia::dcat {
namespace {

constexpr absl::string_view kRdfNamespace = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr absl::string_view kRdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

const uint8_t* Bytes(const std::string& text) {
  return reinterpret_cast<const uint8_t*>(text.c_str());
}

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
bool IsNcName(absl::string_view name) {
  return !name.empty() && IsNameStart(name[0]) && std::all_of(name.begin(), name.end(), IsNameChar);
}

// The longest suffix of `iri` that is an XML name: the local part of a qualified name.
size_t LocalNameStart(absl::string_view iri) {
  size_t start = iri.size();
  while (start > 0 && IsNameChar(iri[start - 1])) --start;
  while (start < iri.size() && !IsNameStart(iri[start])) ++start;
  return start;
}

// "prefix:local" for an IRI in a prefix's namespace whose rest is an XML name; else empty.
std::string CompactIri(const std::vector<Prefix>& prefixes, const std::string& iri) {
  for (const Prefix& prefix : prefixes) {
    if (absl::StartsWith(iri, prefix.iri) &&
        IsNcName(absl::string_view(iri).substr(prefix.iri.size()))) {
      return absl::StrCat(prefix.name, ":", iri.substr(prefix.iri.size()));
    }
  }
  return "";
}

// Sorting key of a term: kind, then value, datatype and language.
auto TermKey(const Term& term) {
  return std::tie(term.kind, term.value, term.datatype, term.language);
}

}  // namespace

Term Term::Iri(std::string iri) { return Term{Kind::kIri, std::move(iri), {}, {}}; }
Term Term::Text(std::string text, std::string language) {
  return Term{Kind::kLiteral, std::move(text), {}, std::move(language)};
}
Term Term::Typed(std::string lexical, std::string datatype) {
  return Term{Kind::kLiteral, std::move(lexical), std::move(datatype), {}};
}
Term Term::Plain(std::string text) { return Term{Kind::kLiteral, std::move(text), {}, {}}; }

struct RdfGraph::Model {
  struct WorldDeleter {
    void operator()(SordWorld* world) const { sord_world_free(world); }
  };
  struct ModelDeleter {
    void operator()(SordModel* model) const { sord_free(model); }
  };
  // Declared in this order so the model is freed before its world.
  std::unique_ptr<SordWorld, WorldDeleter> world{sord_world_new()};
  std::unique_ptr<SordModel, ModelDeleter> model{sord_new(world.get(), SORD_SPO, false)};
};

namespace {

// A sord node reference, dropped at scope end.
class SordNodeRef {
 public:
  SordNodeRef(SordWorld* world, SordNode* node) : world_(world), node_(node) {}
  ~SordNodeRef() {
    if (node_ != nullptr) sord_node_free(world_, node_);
  }
  SordNodeRef(const SordNodeRef&) = delete;
  SordNodeRef& operator=(const SordNodeRef&) = delete;
  SordNode* get() const { return node_; }

 private:
  SordWorld* world_;
  SordNode* node_;
};

SordNode* NewSordNode(SordWorld* world, const Term& term) {
  switch (term.kind) {
    case Term::Kind::kIri:
      return sord_new_uri(world, Bytes(term.value));
    case Term::Kind::kBlank:
      return sord_new_blank(world, Bytes(term.value));
    case Term::Kind::kLiteral: {
      const std::string text = internal::ToXmlText(term.value);
      if (term.datatype.empty()) {
        return sord_new_literal(world, nullptr, Bytes(text),
                                term.language.empty() ? nullptr : term.language.c_str());
      }
      SordNodeRef datatype(world, sord_new_uri(world, Bytes(term.datatype)));
      return sord_new_literal(world, datatype.get(), Bytes(text), nullptr);
    }
  }
  return nullptr;
}

Term TermOf(const SordNode* node) {
  const std::string value = reinterpret_cast<const char*>(sord_node_get_string(node));
  switch (sord_node_get_type(node)) {
    case SORD_URI:
      return Term::Iri(value);
    case SORD_BLANK:
      return Term{Term::Kind::kBlank, value, {}, {}};
    case SORD_LITERAL:
      break;
  }
  Term literal = Term::Plain(value);
  if (const SordNode* datatype = sord_node_get_datatype(node); datatype != nullptr) {
    literal.datatype = reinterpret_cast<const char*>(sord_node_get_string(datatype));
  }
  if (const char* language = sord_node_get_language(node); language != nullptr) {
    literal.language = language;
  }
  return literal;
}

size_t AppendToString(const void* buffer, size_t length, void* stream) {
  static_cast<std::string*>(stream)->append(static_cast<const char*>(buffer), length);
  return length;
}

SerdStatus WritePrefix(void* writer, const SerdNode* name, const SerdNode* uri) {
  return serd_writer_set_prefix(static_cast<SerdWriter*>(writer), name, uri);
}

absl::StatusOr<std::string> WriteTurtle(SordModel* model, const std::vector<Prefix>& prefixes) {
  std::unique_ptr<SerdEnv, void (*)(SerdEnv*)> env(serd_env_new(nullptr), serd_env_free);
  for (const Prefix& prefix : prefixes) {
    const std::string name(prefix.name);
    const std::string iri(prefix.iri);
    if (serd_env_set_prefix_from_strings(env.get(), Bytes(name), Bytes(iri)) != SERD_SUCCESS) {
      return absl::InternalError(absl::StrCat("Turtle: bad prefix ", name));
    }
  }
  std::string out;
  std::unique_ptr<SerdWriter, void (*)(SerdWriter*)> writer(
      serd_writer_new(SERD_TURTLE,
                      static_cast<SerdStyle>(SERD_STYLE_ABBREVIATED | SERD_STYLE_CURIED), env.get(),
                      nullptr, AppendToString, &out),
      serd_writer_free);
  serd_env_foreach(env.get(), WritePrefix, writer.get());
  if (!sord_write(model, writer.get(), nullptr)) {
    return absl::InternalError("Turtle: writing the graph failed");
  }
  serd_writer_finish(writer.get());
  return out;
}

// RDF/XML, one rdf:Description per subject, every property as an element.
class RdfXmlWriter {
 public:
  explicit RdfXmlWriter(const std::vector<Prefix>& prefixes) : prefixes_(prefixes) {}

  absl::StatusOr<std::string> Write(const std::vector<Triple>& triples) {
    xml_.StartElement("rdf:RDF");
    xml_.Attribute("xmlns:rdf", kRdfNamespace);
    for (const Prefix& prefix : prefixes_) {
      if (prefix.name != "rdf") xml_.Attribute(absl::StrCat("xmlns:", prefix.name), prefix.iri);
    }
    const Term* subject = nullptr;
    for (const Triple& triple : triples) {
      if (subject == nullptr || !(*subject == triple.subject)) {
        if (subject != nullptr) xml_.EndElement();
        subject = &triple.subject;
        xml_.StartElement("rdf:Description");
        xml_.Attribute(subject->kind == Term::Kind::kBlank ? "rdf:nodeID" : "rdf:about",
                       subject->value);
      }
      if (absl::Status status = WriteProperty(triple); !status.ok()) return status;
    }
    return xml_.Finish();
  }

 private:
  absl::Status WriteProperty(const Triple& triple) {
    const std::string& predicate = triple.predicate;
    std::string qualified_name = QualifiedName(predicate);
    std::string local_namespace;  // declared on the element when no prefix fits
    if (qualified_name.empty()) {
      const size_t local = LocalNameStart(predicate);
      if (local == 0 || local == predicate.size()) {
        return absl::InternalError(
            absl::StrCat("RDF/XML: predicate <", predicate, "> has no XML local name"));
      }
      qualified_name = absl::StrCat("ns0:", predicate.substr(local));
      local_namespace = predicate.substr(0, local);
    }
    xml_.StartElement(qualified_name);
    if (!local_namespace.empty()) xml_.Attribute("xmlns:ns0", local_namespace);
    const Term& object = triple.object;
    switch (object.kind) {
      case Term::Kind::kIri:
        xml_.Attribute("rdf:resource", object.value);
        break;
      case Term::Kind::kBlank:
        xml_.Attribute("rdf:nodeID", object.value);
        break;
      case Term::Kind::kLiteral:
        if (!object.language.empty()) xml_.Attribute("xml:lang", object.language);
        if (!object.datatype.empty()) xml_.Attribute("rdf:datatype", object.datatype);
        xml_.Text(object.value);
        break;
    }
    xml_.EndElement();
    return absl::OkStatus();
  }

  // "dct:title" for http://purl.org/dc/terms/title; empty when no prefix fits.
  std::string QualifiedName(const std::string& iri) const {
    if (absl::StartsWith(iri, kRdfNamespace) &&
        IsNcName(absl::string_view(iri).substr(kRdfNamespace.size()))) {
      return absl::StrCat("rdf:", iri.substr(kRdfNamespace.size()));
    }
    return CompactIri(prefixes_, iri);
  }

  const std::vector<Prefix>& prefixes_;
  internal::XmlWriter xml_;
};

// JSON-LD 1.0 in flattened form: an @context of the prefixes and an @graph of node objects.
// Property names and types are compact IRIs; node identifiers stay absolute IRIs.
class JsonLdWriter {
 public:
  explicit JsonLdWriter(const std::vector<Prefix>& prefixes) : prefixes_(prefixes) {}

  std::string Write(const std::vector<Triple>& triples) const {
    nlohmann::ordered_json context = nlohmann::ordered_json::object();
    for (const Prefix& prefix : prefixes_) {
      context[std::string(prefix.name)] = std::string(prefix.iri);
    }
    nlohmann::ordered_json graph = nlohmann::ordered_json::array();
    const Term* subject = nullptr;
    for (const Triple& triple : triples) {
      if (subject == nullptr || !(*subject == triple.subject)) {
        subject = &triple.subject;
        graph.push_back({{"@id", NodeId(triple.subject)}});
      }
      nlohmann::ordered_json& node = graph.back();
      if (triple.predicate == kRdfType && triple.object.kind == Term::Kind::kIri) {
        node["@type"].push_back(Compact(triple.object.value));
      } else {
        node[Compact(triple.predicate)].push_back(Value(triple.object));
      }
    }
    nlohmann::ordered_json document = {{"@context", context}, {"@graph", graph}};
    return document.dump(2) + "\n";
  }

 private:
  static std::string NodeId(const Term& term) {
    return term.kind == Term::Kind::kBlank ? absl::StrCat("_:", term.value) : term.value;
  }

  nlohmann::ordered_json Value(const Term& term) const {
    if (term.kind != Term::Kind::kLiteral) return {{"@id", NodeId(term)}};
    nlohmann::ordered_json value = {{"@value", term.value}};
    if (!term.language.empty()) value["@language"] = term.language;
    if (!term.datatype.empty()) value["@type"] = Compact(term.datatype);
    return value;
  }

  std::string Compact(const std::string& iri) const {
    std::string compact = CompactIri(prefixes_, iri);
    return compact.empty() ? iri : compact;
  }

  const std::vector<Prefix>& prefixes_;
};

}  // namespace

RdfGraph::RdfGraph(std::vector<Prefix> prefixes)
    : model_(std::make_unique<Model>()), prefixes_(std::move(prefixes)) {}
RdfGraph::~RdfGraph() = default;
RdfGraph::RdfGraph(RdfGraph&&) noexcept = default;
RdfGraph& RdfGraph::operator=(RdfGraph&&) noexcept = default;

Term RdfGraph::NewBlank() {
  return Term{Term::Kind::kBlank, absl::StrCat("b", ++blank_count_), {}, {}};
}

void RdfGraph::Add(const Term& subject, absl::string_view predicate, const Term& object) {
  SordWorld* world = model_->world.get();
  SordNodeRef s(world, NewSordNode(world, subject));
  SordNodeRef p(world, NewSordNode(world, Term::Iri(std::string(predicate))));
  SordNodeRef o(world, NewSordNode(world, object));
  const SordQuad quad = {s.get(), p.get(), o.get(), nullptr};
  sord_add(model_->model.get(), quad);
}

std::vector<Triple> RdfGraph::Triples() const {
  std::vector<Triple> triples;
  triples.reserve(size());
  std::unique_ptr<SordIter, void (*)(SordIter*)> iter(sord_begin(model_->model.get()),
                                                      sord_iter_free);
  for (; iter != nullptr && !sord_iter_end(iter.get()); sord_iter_next(iter.get())) {
    SordQuad quad;
    sord_iter_get(iter.get(), quad);
    triples.push_back(Triple{TermOf(quad[SORD_SUBJECT]), TermOf(quad[SORD_PREDICATE]).value,
                             TermOf(quad[SORD_OBJECT])});
  }
  std::sort(triples.begin(), triples.end(), [](const Triple& a, const Triple& b) {
    return std::forward_as_tuple(TermKey(a.subject), a.predicate, TermKey(a.object)) <
           std::forward_as_tuple(TermKey(b.subject), b.predicate, TermKey(b.object));
  });
  return triples;
}

size_t RdfGraph::size() const { return sord_num_quads(model_->model.get()); }

absl::StatusOr<std::string> RdfGraph::Serialize(RdfFormat format) const {
  switch (format) {
    case RdfFormat::kTurtle:
      return WriteTurtle(model_->model.get(), prefixes_);
    case RdfFormat::kRdfXml:
      return RdfXmlWriter(prefixes_).Write(Triples());
    case RdfFormat::kJsonLd:
      return JsonLdWriter(prefixes_).Write(Triples());
  }
  return absl::InvalidArgumentError("unknown RDF format");
}

}  // namespace omnia::dcat
