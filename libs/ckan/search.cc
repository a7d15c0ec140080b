#include "libs/ckan/search.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/base/string_view.h"
#include "libs/catalogue/text_fold.h"

namespace omnia::ckan {
namespace {

using Json = nlohmann::json;

// What the query language sees of one package.
struct Document {
  absl::flat_hash_map<std::string, std::vector<std::string>> strings;
  absl::flat_hash_map<std::string, std::string> texts;  // folded, by text field
};

std::string_view WithoutStar(std::string_view text) {
  if (text.ends_with("*")) text.remove_suffix(1);
  return text;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

constexpr std::string_view kStringFields[] = {
    "organization", "groups",   "tags",    "res_format",       "license_id",
    "name",         "id",       "type",    "dataset_type",     "state",
    "capacity",     "res_name", "res_url", "metadata_created", "metadata_modified"};
constexpr std::string_view kTextFields[] = {"title", "notes", "text"};

bool IsStringField(std::string_view field) {
  return field.starts_with("extras_") ||
         std::find(std::begin(kStringFields), std::end(kStringFields), field) !=
             std::end(kStringFields);
}

bool IsTextField(std::string_view field) {
  return std::find(std::begin(kTextFields), std::end(kTextFields), field) != std::end(kTextFields);
}

std::string StringAt(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Document MakeDocument(const Json& package) {
  Document doc;
  auto add = [&doc](std::string_view field, std::string value) {
    doc.strings[std::string(field)].push_back(std::move(value));
  };
  for (const char* key :
       {"name", "id", "type", "state", "license_id", "metadata_created", "metadata_modified"}) {
    add(key, StringAt(package, key));
  }
  add("dataset_type", StringAt(package, "type"));
  add("capacity", package.value("private", false) ? "private" : "public");
  add("organization", StringAt(package["organization"], "name"));
  std::vector<std::string> text = {StringAt(package, "name"),
                                   StringAt(package["organization"], "title")};
  for (const Json& group : package["groups"]) {
    add("groups", StringAt(group, "name"));
    text.push_back(StringAt(group, "title"));
  }
  for (const Json& tag : package["tags"]) {
    add("tags", StringAt(tag, "name"));
    text.push_back(StringAt(tag, "name"));
  }
  for (const Json& resource : package["resources"]) {
    add("res_format", StringAt(resource, "format"));
    add("res_name", StringAt(resource, "name"));
    add("res_url", StringAt(resource, "url"));
    text.push_back(StringAt(resource, "name"));
    text.push_back(StringAt(resource, "description"));
  }
  for (const Json& extra : package["extras"]) {
    add(absl::StrCat("extras_", StringAt(extra, "key")), StringAt(extra, "value"));
  }
  const std::string title = StringAt(package, "title");
  const std::string notes = StringAt(package, "notes");
  doc.texts["title"] = catalogue::FoldText(title);
  doc.texts["notes"] = catalogue::FoldText(notes);
  text.push_back(title);
  text.push_back(notes);
  // A separator that folds to nothing searchable keeps phrases inside one source.
  doc.texts["text"] = catalogue::FoldText(absl::StrJoin(text, " | "));
  return doc;
}

// --- Queries ----------------------------------------------------------------------------------

struct Node {
  enum class Kind { kAll, kAnd, kOr, kNot, kValues, kRange, kText };
  Kind kind = Kind::kAll;
  std::vector<Node> children;
  std::string field;
  std::vector<std::string> values;  // kValues: any of these; kText: the folded words or phrase
  std::string low, high;            // kRange; "*" is open
  bool low_inclusive = true, high_inclusive = true;
};

Node NodeOf(Node::Kind kind, std::string field = "", std::vector<std::string> values = {}) {
  Node node;
  node.kind = kind;
  node.field = std::move(field);
  node.values = std::move(values);
  return node;
}

absl::Status SyntaxError(std::string_view query, std::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat(
      "org.apache.solr.search.SyntaxError: Cannot parse '", AsAbsl(query), "': ", AsAbsl(reason)));
}

absl::Status UndefinedField(std::string_view field) {
  return absl::FailedPreconditionError(absl::StrCat("undefined field ", AsAbsl(field)));
}

class QueryParser {
 public:
  explicit QueryParser(std::string_view query) : query_(query) {}

  absl::StatusOr<Node> Parse() {
    absl::StatusOr<Node> node = ParseOr();
    if (!node.ok()) return node;
    SkipSpaces();
    if (pos_ < query_.size()) return SyntaxError(query_, "unexpected ')'");
    return node;
  }

 private:
  void SkipSpaces() {
    while (pos_ < query_.size() && absl::ascii_isspace(static_cast<unsigned char>(query_[pos_]))) {
      ++pos_;
    }
  }

  bool AtEnd() {
    SkipSpaces();
    return pos_ >= query_.size();
  }

  // Consumes `op` when it is the next whole word.
  bool TakeOperator(std::string_view op) {
    SkipSpaces();
    if (query_.substr(pos_, op.size()) != op) return false;
    const size_t after = pos_ + op.size();
    if (after < query_.size() && !absl::ascii_isspace(static_cast<unsigned char>(query_[after])) &&
        query_[after] != '(') {
      return false;
    }
    pos_ = after;
    return true;
  }

  absl::StatusOr<Node> ParseOr() {
    Node any = NodeOf(Node::Kind::kOr);
    do {
      absl::StatusOr<Node> clause = ParseAnd();
      if (!clause.ok()) return clause;
      any.children.push_back(*std::move(clause));
    } while (TakeOperator("OR") || TakeOperator("||"));
    if (any.children.size() == 1) return std::move(any.children.front());
    return any;
  }

  absl::StatusOr<Node> ParseAnd() {
    Node all = NodeOf(Node::Kind::kAnd);
    while (true) {
      if (AtEnd() || query_[pos_] == ')') break;
      if (!all.children.empty()) {
        const size_t before = pos_;
        if (TakeOperator("OR") || TakeOperator("||")) {
          pos_ = before;
          break;
        }
        if (!TakeOperator("AND")) TakeOperator("&&");
      }
      absl::StatusOr<Node> clause = ParseUnary();
      if (!clause.ok()) return clause;
      all.children.push_back(*std::move(clause));
    }
    if (all.children.empty()) return SyntaxError(query_, "expected a clause");
    if (all.children.size() == 1) return std::move(all.children.front());
    return all;
  }

  absl::StatusOr<Node> ParseUnary() {
    SkipSpaces();
    if (TakeOperator("NOT") || (pos_ < query_.size() && query_[pos_] == '-' && ++pos_)) {
      absl::StatusOr<Node> inner = ParseUnary();
      if (!inner.ok()) return inner;
      Node negation = NodeOf(Node::Kind::kNot);
      negation.children.push_back(*std::move(inner));
      return negation;
    }
    if (pos_ < query_.size() && query_[pos_] == '+') ++pos_;
    return ParsePrimary();
  }

  absl::StatusOr<Node> ParsePrimary() {
    SkipSpaces();
    if (pos_ >= query_.size()) return SyntaxError(query_, "expected a clause");
    if (query_[pos_] == '(') {
      ++pos_;
      absl::StatusOr<Node> inner = ParseOr();
      if (!inner.ok()) return inner;
      SkipSpaces();
      if (pos_ >= query_.size() || query_[pos_] != ')') return SyntaxError(query_, "missing ')'");
      ++pos_;
      return inner;
    }
    if (query_[pos_] == '"') {
      absl::StatusOr<std::string> phrase = ReadQuoted();
      if (!phrase.ok()) return phrase.status();
      return TextNode(*phrase);
    }
    std::string field;
    std::string word = ReadWord(&field);
    if (field.empty()) return TextNode(word);
    return ParseFieldValue(field, std::move(word));
  }

  // A word up to a space or parenthesis, with backslash escapes; stops after the first unescaped
  // ':' and returns what preceded it in *field.
  std::string ReadWord(std::string* field) {
    std::string word;
    while (pos_ < query_.size()) {
      const char c = query_[pos_];
      if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')') break;
      ++pos_;
      if (c == '\\' && pos_ < query_.size()) {
        word.push_back(query_[pos_++]);
      } else if (c == ':' && field->empty()) {
        *field = std::move(word);
        word.clear();
        if (pos_ < query_.size() && (query_[pos_] == '"' || query_[pos_] == '(' ||
                                     query_[pos_] == '[' || query_[pos_] == '{')) {
          break;
        }
      } else {
        word.push_back(c);
      }
    }
    return word;
  }

  absl::StatusOr<std::string> ReadQuoted() {
    std::string text;
    ++pos_;  // the opening quote
    while (pos_ < query_.size() && query_[pos_] != '"') {
      if (query_[pos_] == '\\' && pos_ + 1 < query_.size()) ++pos_;
      text.push_back(query_[pos_++]);
    }
    if (pos_ >= query_.size()) return SyntaxError(query_, "unterminated phrase");
    ++pos_;  // the closing quote
    return text;
  }

  absl::StatusOr<Node> ParseFieldValue(const std::string& field, std::string word) {
    if (field == "*" && word == "*") return NodeOf(Node::Kind::kAll);
    if (!IsStringField(field) && !IsTextField(field)) return UndefinedField(field);
    Node node = NodeOf(Node::Kind::kValues, field);
    if (pos_ < query_.size() && (query_[pos_] == '[' || query_[pos_] == '{'))
      return ParseRange(field);
    if (pos_ < query_.size() && query_[pos_] == '"') {
      absl::StatusOr<std::string> phrase = ReadQuoted();
      if (!phrase.ok()) return phrase.status();
      node.values.push_back(*std::move(phrase));
    } else if (pos_ < query_.size() && query_[pos_] == '(') {
      absl::Status status = ReadValueGroup(&node.values);
      if (!status.ok()) return status;
    } else {
      if (word.empty()) return SyntaxError(query_, "expected a value after ':'");
      node.values.push_back(std::move(word));
    }
    return node;
  }

  // "(a OR b "c d")": the values, any of which may match.
  absl::Status ReadValueGroup(std::vector<std::string>* values) {
    ++pos_;  // '('
    while (true) {
      SkipSpaces();
      if (pos_ >= query_.size()) return SyntaxError(query_, "missing ')'");
      if (query_[pos_] == ')') {
        ++pos_;
        break;
      }
      if (TakeOperator("OR") || TakeOperator("||")) continue;
      if (query_[pos_] == '"') {
        absl::StatusOr<std::string> phrase = ReadQuoted();
        if (!phrase.ok()) return phrase.status();
        values->push_back(*std::move(phrase));
        continue;
      }
      std::string nested_field;
      std::string word = ReadWord(&nested_field);
      if (!nested_field.empty() || word.empty()) {
        return SyntaxError(query_, "expected values inside '(...)'");
      }
      values->push_back(std::move(word));
    }
    if (values->empty()) return SyntaxError(query_, "empty '()'");
    return absl::OkStatus();
  }

  absl::StatusOr<Node> ParseRange(const std::string& field) {
    Node node = NodeOf(Node::Kind::kRange, field);
    node.low_inclusive = query_[pos_] == '[';
    const size_t close = query_.find_first_of("]}", pos_);
    if (close == std::string_view::npos) return SyntaxError(query_, "unterminated range");
    node.high_inclusive = query_[close] == ']';
    const std::vector<std::string> bounds =
        absl::StrSplit(AsAbsl(query_.substr(pos_ + 1, close - pos_ - 1)), ' ', absl::SkipEmpty());
    if (bounds.size() != 3 || bounds[1] != "TO") {
      return SyntaxError(query_, "a range is [low TO high]");
    }
    node.low = bounds[0];
    node.high = bounds[2];
    pos_ = close + 1;
    return node;
  }

  Node TextNode(std::string_view text) {
    if (text == "*") return NodeOf(Node::Kind::kAll);
    std::string folded = catalogue::FoldText(WithoutStar(text));
    if (folded.empty()) return NodeOf(Node::Kind::kAll);
    return NodeOf(Node::Kind::kText, "text", {std::move(folded)});
  }

  std::string_view query_;
  size_t pos_ = 0;
};

bool ValueMatches(std::string_view actual, std::string_view wanted) {
  if (wanted == "*") return !actual.empty();
  if (wanted.ends_with("*")) return actual.starts_with(wanted.substr(0, wanted.size() - 1));
  return actual == wanted;
}

bool InRange(std::string_view value, const Node& range) {
  if (range.low != "*") {
    if (value < range.low || (!range.low_inclusive && value == range.low)) return false;
  }
  if (range.high != "*") {
    if (value > range.high || (!range.high_inclusive && value == range.high)) return false;
  }
  return true;
}

bool TextContains(const Document& doc, const std::string& field, std::string_view wanted) {
  auto it = doc.texts.find(field);
  const std::string folded = catalogue::FoldText(WithoutStar(wanted));
  return it != doc.texts.end() && absl::StrContains(it->second, folded);
}

bool Matches(const Node& node, const Document& doc) {
  switch (node.kind) {
    case Node::Kind::kAll:
      return true;
    case Node::Kind::kAnd:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&doc](const Node& child) { return Matches(child, doc); });
    case Node::Kind::kOr:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&doc](const Node& child) { return Matches(child, doc); });
    case Node::Kind::kNot:
      return !Matches(node.children.front(), doc);
    case Node::Kind::kText:
      return TextContains(doc, node.field, node.values.front());
    case Node::Kind::kValues:
    case Node::Kind::kRange:
      break;
  }
  if (IsTextField(node.field)) {
    return std::any_of(node.values.begin(), node.values.end(), [&](const std::string& wanted) {
      return TextContains(doc, node.field, wanted);
    });
  }
  auto it = doc.strings.find(node.field);
  if (it == doc.strings.end()) return false;
  for (const std::string& actual : it->second) {
    if (node.kind == Node::Kind::kRange) {
      if (InRange(actual, node)) return true;
      continue;
    }
    for (const std::string& wanted : node.values) {
      if (ValueMatches(actual, wanted)) return true;
    }
  }
  return false;
}

absl::StatusOr<Node> ParseQuery(std::string_view query) {
  const std::string_view trimmed = Trim(query);
  if (trimmed.empty() || trimmed == "\"\"" || trimmed == "''") {
    return NodeOf(Node::Kind::kAll);
  }
  return QueryParser(trimmed).Parse();
}

// --- Sort -------------------------------------------------------------------------------------

struct SortKey {
  std::string field;
  bool descending = false;
};

absl::StatusOr<std::vector<SortKey>> ParseSort(std::string_view sort) {
  static constexpr absl::string_view kSortable[] = {
      "score", "metadata_modified", "metadata_created", "title_string", "name",
      "id",    "num_resources",     "num_tags"};
  std::vector<SortKey> keys;
  for (absl::string_view part : absl::StrSplit(AsAbsl(sort), ',', absl::SkipWhitespace())) {
    const std::vector<absl::string_view> words =
        absl::StrSplit(part, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
    const std::string direction =
        words.size() == 2 ? absl::AsciiStrToLower(words[1]) : std::string();
    if (direction != "asc" && direction != "desc") {
      return absl::FailedPreconditionError(
          absl::StrCat("Can't determine a Sort Order (asc or desc) in sort spec '",
                       absl::StripAsciiWhitespace(part), "'"));
    }
    if (std::find(std::begin(kSortable), std::end(kSortable), words[0]) == std::end(kSortable)) {
      return absl::FailedPreconditionError(
          absl::StrCat("sort param field can't be found: ", words[0]));
    }
    keys.push_back(SortKey{std::string(words[0]), direction == "desc"});
  }
  return keys;
}

// -1, 0 or 1 comparing two packages on one key.
int Compare(const Json& a, const Json& b, const std::string& field) {
  if (field == "score") return 0;
  if (field == "num_resources" || field == "num_tags") {
    const int64_t x = a.value(field, int64_t{0});
    const int64_t y = b.value(field, int64_t{0});
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const char* key = field == "title_string" ? "title" : field.c_str();
  const int order = StringAt(a, key).compare(StringAt(b, key));
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

// --- Facets -----------------------------------------------------------------------------------

FacetCounts CountFacet(const std::string& field, const std::vector<Document>& docs,
                       const std::vector<size_t>& matches, const SearchParams& params) {
  std::map<std::string, int64_t> counts;
  if (params.facet_mincount <= 0) {
    for (const Document& doc : docs) {
      auto it = doc.strings.find(field);
      if (it == doc.strings.end()) continue;
      for (const std::string& value : it->second) counts.emplace(value, 0);
    }
  }
  for (size_t index : matches) {
    auto it = docs[index].strings.find(field);
    if (it == docs[index].strings.end()) continue;
    // A package counts once per value, even when several of its resources share a format.
    std::vector<std::string> values = it->second;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (const std::string& value : values) {
      if (!value.empty()) ++counts[value];
    }
  }
  FacetCounts facet;
  facet.field = field;
  for (const auto& [value, count] : counts) {
    if (count >= params.facet_mincount) facet.counts.emplace_back(value, count);
  }
  std::stable_sort(facet.counts.begin(), facet.counts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (params.facet_limit >= 0 && facet.counts.size() > static_cast<size_t>(params.facet_limit)) {
    facet.counts.resize(static_cast<size_t>(params.facet_limit));
  }
  return facet;
}

}  // namespace

absl::StatusOr<SearchResult> SearchPackages(const std::vector<Json>& packages,
                                            const SearchParams& params) {
  std::vector<Node> queries;
  for (std::string_view query : {std::string_view(params.q)}) {
    absl::StatusOr<Node> node = ParseQuery(query);
    if (!node.ok()) return node.status();
    queries.push_back(*std::move(node));
  }
  for (const std::string& filter : params.filter_queries) {
    absl::StatusOr<Node> node = ParseQuery(filter);
    if (!node.ok()) return node.status();
    queries.push_back(*std::move(node));
  }
  absl::StatusOr<std::vector<SortKey>> sort =
      ParseSort(params.sort.empty() ? std::string_view(kDefaultSort) : params.sort);
  if (!sort.ok()) return sort.status();
  if (params.facet) {
    for (const std::string& field : params.facet_fields) {
      if (!IsStringField(field)) return UndefinedField(field);
    }
  }

  std::vector<Document> docs;
  docs.reserve(packages.size());
  for (const Json& package : packages) docs.push_back(MakeDocument(package));

  SearchResult result;
  std::vector<size_t> matches;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (std::all_of(queries.begin(), queries.end(),
                    [&](const Node& query) { return Matches(query, docs[i]); })) {
      matches.push_back(i);
    }
  }
  result.count = static_cast<int64_t>(matches.size());

  std::vector<size_t> ordered = matches;
  std::stable_sort(ordered.begin(), ordered.end(), [&](size_t a, size_t b) {
    for (const SortKey& key : *sort) {
      const int order = Compare(packages[a], packages[b], key.field);
      if (order != 0) return key.descending ? order > 0 : order < 0;
    }
    return Compare(packages[a], packages[b], "name") < 0;
  });
  const size_t first =
      std::min(ordered.size(), static_cast<size_t>(std::max<int64_t>(0, params.start)));
  const size_t last =
      std::min(ordered.size(), first + static_cast<size_t>(std::max<int64_t>(0, params.rows)));
  result.page.assign(ordered.begin() + first, ordered.begin() + last);

  if (params.facet) {
    for (const std::string& field : params.facet_fields) {
      result.facets.push_back(CountFacet(field, docs, matches, params));
    }
  }
  return result;
}

}  // namespace omnia::ckan
