#include "tests/unit/export/export_test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/cube/lattice.h"

namespace omnia::exporter::testing {

cube::QueryCell BaseCell(const domain::Codelists& lists, domain::Measure measure, int year,
                         int month, std::string_view region, std::string_view type, uint64_t value,
                         cube::Provenance provenance) {
  const domain::Region* r = lists.RegionByInpsLabel(region);
  const domain::InterventionType* t = lists.InterventionTypeByCode(type);
  EXPECT_NE(r, nullptr) << region;
  EXPECT_NE(t, nullptr) << type;
  return cube::QueryCell{
      cube::BaseCell(measure, domain::YearMonth{year, month}, r->index, t->index), value,
      provenance};
}

cube::QueryCell Cell(domain::Measure measure, domain::PeriodKey period, cube::RegionLevel rl,
                     int region, cube::TypeLevel tl, int type, uint64_t value,
                     cube::Provenance provenance) {
  return cube::QueryCell{cube::CellKey{measure, period, rl, region, tl, type}, value, provenance};
}

DatasetInfo Annuale2023Info(domain::Measure measure) {
  DatasetInfo info;
  const std::string_view column = domain::InpsColumnName(measure);
  const std::string_view suffix = column.substr(column.find('_') + 1);
  info.dataset_id = absl::StrCat("integrazioni-salariali-", std::string(suffix), "-2023");
  info.title = absl::StrCat(std::string(domain::MeasureItalianName(measure)),
                            " per regione e tipo di intervento. Anno 2023");
  info.description = "Dati mensili per regione e tipo di intervento.";
  info.owner = "INPS";
  info.license_name = "CC BY 4.0";
  info.license_url = "https://creativecommons.org/licenses/by/4.0/";
  info.topic = "Integrazioni Salariali";
  info.source = "Ammortizzatori Sociali";
  info.release_id = "2026-01-15";
  info.measure = measure;
  info.published_on = "2026-01-15";
  info.updated_on = "2026-01-15";
  info.first_year = 2023;
  info.last_year = 2023;
  return info;
}

ExportInput StoricoWorkers(const domain::Codelists& lists) {
  ExportInput input;
  input.codelists = &lists;
  input.info = Annuale2023Info(domain::Measure::kWorkers);
  input.info.dataset_id = "integrazioni-salariali-lavoratori-storico";
  input.info.title = "Storico Numero Lavoratori per regione e tipo di intervento";
  input.info.first_year = 2020;
  input.info.last_year = 2025;
  std::mt19937_64 random(20260115);
  for (int year = 2020; year <= 2025; ++year) {
    for (int month = 1; month <= 12; ++month) {
      for (const domain::Region& region : lists.regions()) {
        for (const domain::InterventionType& type : lists.intervention_types()) {
          input.cells.push_back(cube::QueryCell{
              cube::BaseCell(domain::Measure::kWorkers, domain::YearMonth{year, month},
                             region.index, type.index),
              random() % 200000, cube::Provenance::kMicroData});
        }
      }
    }
  }
  std::shuffle(input.cells.begin(), input.cells.end(), random);
  return input;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "omnia-export-test-XXXXXX");
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

int TempDir::Entries() const {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path_)) ++n;
  return n;
}

bool HaveProgram(std::string_view program) {
  const std::string command = absl::StrCat("command -v ", std::string(program), " >/dev/null 2>&1");
  return std::system(command.c_str()) == 0;
}

// ---- JSON ---------------------------------------------------------------------------------------

uint64_t Json::uint() const {
  EXPECT_TRUE(is_number());
  if (!is_number()) return 0;
  const std::string& text = number_text();
  EXPECT_EQ(text.find_first_not_of("0123456789"), std::string::npos) << text;
  uint64_t n = 0;
  for (char c : text) n = n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

Json Json::operator[](std::string_view key) const {
  for (const auto& [name, member] : object()) {
    if (name == key) return member;
  }
  ADD_FAILURE() << "no member " << key;
  return Json{nullptr};
}

bool Json::has(std::string_view key) const {
  for (const auto& [name, member] : object()) {
    if (name == key) return true;
  }
  return false;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::StatusOr<Json> Document() {
    absl::StatusOr<Json> value = Value(0);
    if (!value.ok()) return value;
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return value;
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), " at byte ", pos_));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  absl::StatusOr<Json> Value(int depth) {
    if (depth > 64) return Error("too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return Object(depth);
    if (c == '[') return Array(depth);
    if (c == '"') {
      absl::StatusOr<std::string> s = String();
      if (!s.ok()) return s.status();
      return Json{
          std::variant<std::nullptr_t, bool, std::string, std::string, std::shared_ptr<JsonArray>,
                       std::shared_ptr<JsonObject>>(std::in_place_index<3>, *std::move(s))};
    }
    if (Consume("null")) return Json{nullptr};
    if (Consume("true")) return Json{true};
    if (Consume("false")) return Json{false};
    return Number();
  }

  absl::StatusOr<Json> Number() {
    const size_t start = pos_;
    Consume("-");
    if (Consume("0")) {
    } else if (pos_ < text_.size() && text_[pos_] >= '1' && text_[pos_] <= '9') {
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    } else {
      return Error("bad value");
    }
    if (Consume(".")) {
      if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        return Error("bad fraction");
      }
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!Consume("+")) Consume("-");
      if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        return Error("bad exponent");
      }
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    return Json{std::variant<std::nullptr_t, bool, std::string, std::string,
                             std::shared_ptr<JsonArray>, std::shared_ptr<JsonObject>>(
        std::in_place_index<2>, std::string(text_.substr(start, pos_ - start)))};
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  absl::StatusOr<std::string> String() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return Error("control character in string");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= text_.size()) return Error("unterminated escape");
        const char e = text_[pos_++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out.push_back(e);
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u': {
            if (pos_ + 4 > text_.size()) return Error("short \\u escape");
            uint32_t cp = 0;
            for (int i = 0; i < 4; ++i) {
              const char h = text_[pos_++];
              cp <<= 4;
              if (h >= '0' && h <= '9') {
                cp |= static_cast<uint32_t>(h - '0');
              } else if (h >= 'a' && h <= 'f') {
                cp |= static_cast<uint32_t>(h - 'a' + 10);
              } else if (h >= 'A' && h <= 'F') {
                cp |= static_cast<uint32_t>(h - 'A' + 10);
              } else {
                return Error("bad \\u escape");
              }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) return Error("surrogate escape (not produced)");
            AppendUtf8(cp, &out);
            break;
          }
          default:
            return Error("bad escape");
        }
        continue;
      }
      // Raw UTF-8: check well-formedness.
      size_t length = 1;
      if (c >= 0x80) {
        uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
          length = 2;
          cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
          length = 3;
          cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
          length = 4;
          cp = c & 0x07;
        } else {
          return Error("invalid UTF-8 lead byte");
        }
        if (pos_ + length > text_.size()) return Error("truncated UTF-8");
        for (size_t i = 1; i < length; ++i) {
          const unsigned char k = static_cast<unsigned char>(text_[pos_ + i]);
          if ((k & 0xC0) != 0x80) return Error("invalid UTF-8 continuation");
          cp = (cp << 6) | (k & 0x3F);
        }
        if ((length == 3 && cp < 0x800) || (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
          return Error("invalid UTF-8 sequence");
        }
      }
      out.append(text_.substr(pos_, length));
      pos_ += length;
    }
  }

  absl::StatusOr<Json> Array(int depth) {
    ++pos_;
    auto array = std::make_shared<JsonArray>();
    SkipSpace();
    if (Consume("]")) return Json{array};
    while (true) {
      absl::StatusOr<Json> element = Value(depth + 1);
      if (!element.ok()) return element;
      array->push_back(*std::move(element));
      SkipSpace();
      if (Consume("]")) return Json{array};
      if (!Consume(",")) return Error("expected , or ]");
    }
  }

  absl::StatusOr<Json> Object(int depth) {
    ++pos_;
    auto object = std::make_shared<JsonObject>();
    SkipSpace();
    if (Consume("}")) return Json{object};
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected key");
      absl::StatusOr<std::string> key = String();
      if (!key.ok()) return key.status();
      for (const auto& [name, unused] : *object) {
        if (name == *key) return Error("duplicate key " + *key);
      }
      SkipSpace();
      if (!Consume(":")) return Error("expected :");
      absl::StatusOr<Json> member = Value(depth + 1);
      if (!member.ok()) return member;
      object->emplace_back(*std::move(key), *std::move(member));
      SkipSpace();
      if (Consume("}")) return Json{object};
      if (!Consume(",")) return Error("expected , or }");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<Json> ParseJson(std::string_view text) { return Parser(text).Document(); }

}  // namespace omnia::exporter::testing
