#include "libs/dcat/rdf_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "libs/dcat/internal/xml_writer.h"
#include "libs/dcat/vocabulary.h"

namespace omnia::dcat {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RdfGraph SmallGraph() {
  RdfGraph graph(vocab::Prefixes());
  const Term dataset = Term::Iri("https://example.it/dataset/a");
  graph.Add(dataset, vocab::Rdf("type"), Term::Iri(vocab::Dcat("Dataset")));
  graph.Add(dataset, vocab::Dct("title"), Term::Text("Numero Mensilità <&> \"x\"", "it"));
  graph.Add(dataset, vocab::Dct("modified"), Term::Typed("2026-03-31", vocab::Xsd("date")));
  const Term period = graph.NewBlank();
  graph.Add(dataset, vocab::Dct("temporal"), period);
  graph.Add(period, vocab::Dcat("startDate"), Term::Typed("2020-01-01", vocab::Xsd("date")));
  return graph;
}

TEST(RdfGraphTest, StoresARepeatedStatementOnce) {
  RdfGraph graph = SmallGraph();
  const size_t before = graph.size();
  graph.Add(Term::Iri("https://example.it/dataset/a"), vocab::Dct("modified"),
            Term::Typed("2026-03-31", vocab::Xsd("date")));
  EXPECT_EQ(graph.size(), before);
  EXPECT_EQ(graph.Triples().size(), before);
}

TEST(RdfGraphTest, KeepsLiteralDatatypesAndLanguages) {
  const RdfGraph graph = SmallGraph();
  bool saw_title = false;
  bool saw_date = false;
  for (const Triple& triple : graph.Triples()) {
    if (triple.predicate == vocab::Dct("title")) {
      saw_title = true;
      EXPECT_EQ(triple.object, Term::Text("Numero Mensilità <&> \"x\"", "it"));
    }
    if (triple.predicate == vocab::Dct("modified")) {
      saw_date = true;
      EXPECT_EQ(triple.object, Term::Typed("2026-03-31", vocab::Xsd("date")));
    }
  }
  EXPECT_TRUE(saw_title);
  EXPECT_TRUE(saw_date);
}

TEST(RdfGraphTest, SameGraphGivesSameBytes) {
  for (const RdfFormat format : {RdfFormat::kTurtle, RdfFormat::kRdfXml, RdfFormat::kJsonLd}) {
    const absl::StatusOr<std::string> first = SmallGraph().Serialize(format);
    const absl::StatusOr<std::string> second = SmallGraph().Serialize(format);
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(*first, *second);
  }
}

TEST(RdfGraphTest, TurtleUsesPrefixesAndTypedLiterals) {
  const absl::StatusOr<std::string> turtle = SmallGraph().Serialize(RdfFormat::kTurtle);
  ASSERT_TRUE(turtle.ok()) << turtle.status();
  EXPECT_THAT(*turtle, HasSubstr("@prefix dct: <http://purl.org/dc/terms/> ."));
  EXPECT_THAT(*turtle, HasSubstr("\"2026-03-31\"^^xsd:date"));
  EXPECT_THAT(*turtle, HasSubstr("@it"));
}

TEST(RdfGraphTest, RdfXmlEscapesTextAndTypesLiterals) {
  const absl::StatusOr<std::string> xml = SmallGraph().Serialize(RdfFormat::kRdfXml);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, HasSubstr("<dct:title xml:lang=\"it\">Numero Mensilità &lt;&amp;&gt;"));
  EXPECT_THAT(*xml, HasSubstr("rdf:datatype=\"http://www.w3.org/2001/XMLSchema#date\""));
  EXPECT_THAT(*xml, HasSubstr("rdf:nodeID=\"b1\""));
}

TEST(RdfGraphTest, RdfXmlDeclaresANamespaceForAnUnknownPredicate) {
  RdfGraph graph(vocab::Prefixes());
  graph.Add(Term::Iri("https://example.it/a"), "https://other.example/terms#weight",
            Term::Plain("3"));
  const absl::StatusOr<std::string> xml = graph.Serialize(RdfFormat::kRdfXml);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, HasSubstr("<ns0:weight xmlns:ns0=\"https://other.example/terms#\">3<"));
}

TEST(RdfGraphTest, RdfXmlRefusesAPredicateWithoutALocalName) {
  RdfGraph graph(vocab::Prefixes());
  graph.Add(Term::Iri("https://example.it/a"), "https://other.example/terms/", Term::Plain("3"));
  EXPECT_EQ(graph.Serialize(RdfFormat::kRdfXml).status().code(), absl::StatusCode::kInternal);
}

TEST(RdfGraphTest, JsonLdHasOneNodePerSubjectWithCompactNames) {
  const absl::StatusOr<std::string> text = SmallGraph().Serialize(RdfFormat::kJsonLd);
  ASSERT_TRUE(text.ok()) << text.status();
  const nlohmann::json document = nlohmann::json::parse(*text);
  EXPECT_EQ(document["@context"]["dct"], "http://purl.org/dc/terms/");
  ASSERT_EQ(document["@graph"].size(), 2u);
  const nlohmann::json& dataset = document["@graph"][1]["@id"] == "https://example.it/dataset/a"
                                      ? document["@graph"][1]
                                      : document["@graph"][0];
  EXPECT_EQ(dataset["@type"], nlohmann::json::array({"dcat:Dataset"}));
  EXPECT_EQ(dataset["dct:modified"][0]["@type"], "xsd:date");
  EXPECT_EQ(dataset["dct:title"][0]["@language"], "it");
  EXPECT_EQ(dataset["dct:temporal"][0]["@id"], "_:b1");
}

TEST(RdfGraphTest, TextThatXmlCannotCarryIsReplacedInEverySyntax) {
  RdfGraph graph(vocab::Prefixes());
  graph.Add(Term::Iri("https://example.it/a"), vocab::Dct("title"),
            Term::Text(std::string("a\x01z\xff", 4), "it"));
  const Term expected = Term::Text("a\xEF\xBF\xBDz\xEF\xBF\xBD", "it");
  EXPECT_EQ(graph.Triples().at(0).object, expected);
  for (const RdfFormat format : {RdfFormat::kTurtle, RdfFormat::kRdfXml, RdfFormat::kJsonLd}) {
    const absl::StatusOr<std::string> text = graph.Serialize(format);
    ASSERT_TRUE(text.ok()) << text.status();
    EXPECT_THAT(*text, Not(HasSubstr("\x01")));
  }
}

TEST(XmlTextTest, KeepsValidTextAndReplacesTheRest) {
  EXPECT_EQ(internal::ToXmlText("Città\tè\n"), "Città\tè\n");
  EXPECT_EQ(internal::ToXmlText(std::string("\0", 1)), "\xEF\xBF\xBD");
  EXPECT_EQ(internal::ToXmlText("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(internal::ToXmlText("\xEF\xBF\xBE"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(internal::ToXmlText("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // an emoji
}

}  // namespace
}  // namespace omnia::dcat
