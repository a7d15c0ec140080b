// The portal in a real browser: the five real binaries on loopback, synthetic 2020-2024 data and
// (when present) INPS's real 2023 files published as a release, then headless Chromium loads
// every page, and each page's served HTML is read as well: it must hold the same and no script, so
// the portal works with JavaScript off. The test asserts what a person looks for on each page,
// takes screenshots at desktop and phone sizes into the build tree, fails on any console error,
// and checks that every number the Cruscotto plots equals a Query on the cubes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/client/probes.h"
#include "libs/rpc/channel.h"
#include "libs/storage/file_system.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "tests/support/cluster.h"

namespace omnia {
namespace {

std::string ReadFile(const std::string& path) {
  storage::PosixFileSystem files;
  return storage::ReadWholeFile(files, path).value_or("");
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
  return context;
}

// One <table> of a page: its caption, column headings and rows (row heading first).
struct DomTable {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

std::string Unescape(std::string text) {
  return absl::StrReplaceAll(text, {{"&amp;", "&"},
                                    {"&lt;", "<"},
                                    {"&gt;", ">"},
                                    {"&quot;", "\""},
                                    {"&#39;", "'"},
                                    {"&nbsp;", " "}});
}

// The text of every element `tag` (its first level of content, tags stripped) in `html`.
std::vector<std::string> Cells(const std::string& html, const std::string& tag) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = html.find("<" + tag, at)) != std::string::npos) {
    const size_t open_end = html.find('>', at);
    const size_t close = html.find("</" + tag + ">", open_end);
    if (open_end == std::string::npos || close == std::string::npos) break;
    std::string text;
    bool in_tag = false;
    for (size_t i = open_end + 1; i < close; ++i) {
      if (html[i] == '<') in_tag = true;
      if (!in_tag) text += html[i];
      if (html[i] == '>') in_tag = false;
    }
    out.push_back(Unescape(text));
    at = close;
  }
  return out;
}

std::vector<DomTable> Tables(const std::string& dom) {
  std::vector<DomTable> tables;
  for (absl::string_view piece : absl::StrSplit(dom, "<table")) {
    const size_t end = piece.find("</table>");
    if (end == absl::string_view::npos) continue;
    const std::string html(piece.substr(0, end));
    DomTable table;
    const std::vector<std::string> captions = Cells(html, "caption");
    if (!captions.empty()) table.caption = captions[0];
    for (const std::string& head : Cells(html.substr(0, html.find("</thead>")), "th")) {
      table.header.push_back(head);
    }
    const size_t body = html.find("<tbody");
    if (body == std::string::npos) continue;
    for (absl::string_view row : absl::StrSplit(html.substr(body), "<tr")) {
      std::vector<std::string> cells;
      const std::string row_html(row);
      for (const std::string& c : Cells(row_html, "th")) cells.push_back(c);
      for (const std::string& c : Cells(row_html, "td")) cells.push_back(c);
      if (!cells.empty()) table.rows.push_back(cells);
    }
    tables.push_back(table);
  }
  return tables;
}

// The data table of the chart whose title contains `title_part`.
std::optional<DomTable> ChartTable(const std::string& dom, const std::string& title_part) {
  for (const DomTable& table : Tables(dom)) {
    if (absl::StartsWith(table.caption, "Dati del grafico: ") &&
        absl::StrContains(table.caption, title_part)) {
      return table;
    }
  }
  ADD_FAILURE() << "no chart table titled ..." << title_part << "...";
  return std::nullopt;
}

// "363.463" -> 363463; "n.d." or anything else -> nullopt.
std::optional<uint64_t> ItalianInteger(std::string text) {
  text = absl::StrReplaceAll(text, {{".", ""}, {" ", ""}});
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

// "marzo 2024" -> 2024 * 12 + 2.
std::optional<int> MonthIndex(const std::string& label) {
  static const char* kMonths[] = {"gennaio",   "febbraio", "marzo",    "aprile",
                                  "maggio",    "giugno",   "luglio",   "agosto",
                                  "settembre", "ottobre",  "novembre", "dicembre"};
  const std::vector<std::string> words = absl::StrSplit(label, ' ');
  int year = 0;
  if (words.size() != 2 || !absl::SimpleAtoi(words[1], &year)) return std::nullopt;
  for (int m = 0; m < 12; ++m) {
    if (words[0] == kMonths[m]) return year * 12 + m;
  }
  return std::nullopt;
}

// What Chromium gave for one page.
struct Loaded {
  std::string dom;
  std::string log;  // its stderr, where console messages are logged
};

class PortalBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("chromium --version > /dev/null 2>&1") != 0) {
      GTEST_FAIL() << "chromium is not installed (tools/install-deps.sh installs it)";
    }
    ASSERT_TRUE(cluster_.StartAll());
    // One release for the whole test: the latest release id is read once, so a repeated view
    // is served from the page cache alone.
    ASSERT_TRUE(cluster_.Start("gateway", {"--portal_release_check=1h"}));
    catalogue_ =
        v1::CatalogueService::NewStub(rpc::CreateInsecureChannel(cluster_.address("catalogue")));
    aggregation_ = v1::AggregationService::NewStub(
        rpc::CreateInsecureChannel(cluster_.address("aggregation")));
    // In the build tree, kept after the test for people to look at.
    shots_ = std::string(OMNIA_BINARY_DIR) + "/portal-screenshots";
    std::filesystem::create_directories(shots_);
    LoadAndPublish();
    v1::ListCodelistsResponse lists;
    ASSERT_TRUE(catalogue_->ListCodelists(Context().get(), {}, &lists).ok());
    codelists_ = lists;
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }

  // As an operator does it, with the omnia CLI: a small synthetic 2020-2025 workload, INPS's
  // real 2023 files when present, then release r1.
  void LoadAndPublish() {
    const std::string omnia = absl::StrCat("OMNIA_TOKEN='", cluster_.operator_token(), "' ",
                                           OMNIA_BINARY_DIR, "/tools/omnia");
    const std::string data = cluster_.root() + "/generated";
    const std::string ingestion = " --ingestion=" + cluster_.address("ingestion");
    std::vector<std::string> commands = {
        absl::StrCat(omnia, " generate --seed=7 --first_year=2020 --last_year=2024 ",
                     "--payments=20000 --applications=5000 --workers=2000 --out_dir=", data),
        absl::StrCat(omnia, " ingest", ingestion, " --producer=synthetic ", data,
                     "/applications.csv ", data, "/payments.csv")};
    if (std::filesystem::exists(OMNIA_SHARED_DATA_DIR)) {
      imported_inps_ = true;
      commands.push_back(absl::StrCat(omnia, " import", ingestion, " ", OMNIA_SHARED_DATA_DIR,
                                      "/integrazioni-salariali-*-2023.csv"));
    }
    commands.push_back(absl::StrCat(omnia, " status --wait_applied", ingestion));
    commands.push_back(absl::StrCat(omnia, " publish r1 --description='Primo rilascio' ",
                                    "--catalogue=", cluster_.address("catalogue")));
    for (const std::string& command : commands) {
      ASSERT_EQ(std::system((command + " > /dev/null").c_str()), 0) << command;
    }
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://", cluster_.address("gateway"), path);
  }

  // Loads `path` in headless Chromium and dumps the DOM after the page has loaded. Each run has its
  // own profile, so nothing is cached between loads. A browser that did not start or exit cleanly
  // (a slow start on a loaded machine, a crash) is tried once more: the page is what is tested.
  Loaded Load(const std::string& path, const std::string& extra = "") {
    Loaded loaded;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const std::string profile = absl::StrCat(cluster_.root(), "/chromium-", runs_++);
      const std::string out = profile + ".dom";
      const std::string log = profile + ".log";
      const std::string command = absl::StrCat(
          "timeout 120 chromium --headless --disable-gpu --no-sandbox --no-first-run "
          "--disable-dev-shm-usage --disable-extensions --disable-background-networking "
          "--enable-logging=stderr --v=0 --user-data-dir='",
          profile, "' ", extra, " --dump-dom '", Url(path), "' > '", out, "' 2> '", log, "'");
      const int exit_code = std::system(command.c_str());
      loaded = {ReadFile(out), ReadFile(log)};
      std::filesystem::remove_all(profile);
      if (exit_code == 0 && !loaded.dom.empty()) return loaded;
      std::fprintf(stderr, "attempt %d: %s exited with %d\n%s\n", attempt + 1, command.c_str(),
                   exit_code, loaded.log.c_str());
    }
    ADD_FAILURE() << "Chromium failed twice on " << path;
    return loaded;
  }

  // A page as a browser shows it and as it is served: both must hold `texts`, the browser must
  // log no console error, and the served HTML must hold no script, so the page works the same
  // with JavaScript off (nothing is drawn by scripts).
  std::string Check(const std::string& path, const std::vector<std::string>& texts) {
    SCOPED_TRACE(path);
    const absl::StatusOr<std::string> served =
        client::HttpGet(cluster_.address("gateway"), path, absl::Seconds(60));
    EXPECT_TRUE(served.ok()) << served.status();
    const std::string html = served.value_or("");
    EXPECT_FALSE(absl::StrContains(absl::AsciiStrToLower(html), "<script")) << path;
    const Loaded loaded = Load(path);
    for (const std::string* page : {&loaded.dom, &html}) {
      EXPECT_TRUE(absl::StrContains(*page, "<html lang=\"it\"")) << page->substr(0, 300);
      EXPECT_EQ(Cells(*page, "h1").size(), 1u);
      for (const std::string& text : texts) {
        EXPECT_TRUE(absl::StrContains(*page, text))
            << "missing: " << text << (page == &html ? " (served HTML)" : " (browser DOM)");
      }
    }
    for (absl::string_view line : absl::StrSplit(loaded.log, '\n')) {
      const bool console_error = absl::StrContains(line, "Uncaught") ||
                                 (absl::StrContains(line, "CONSOLE") &&
                                  absl::StrContains(absl::AsciiStrToLower(line), "error"));
      EXPECT_FALSE(console_error) << line;
    }
    return loaded.dom;
  }

  // Screenshots of `path` at desktop and phone sizes; each must be a real PNG image.
  void Screenshots(const std::string& path, const std::string& name) {
    for (const auto& [width, height] : {std::pair{1280, 800}, std::pair{390, 844}}) {
      const std::string file = absl::StrCat(shots_, "/", name, "-", width, "x", height, ".png");
      std::filesystem::remove(file);
      Load(path, absl::StrCat("--hide-scrollbars --window-size=", width, ",", height,
                              " --screenshot='", file, "'"));
      ASSERT_TRUE(std::filesystem::exists(file)) << file;
      const std::string png = ReadFile(file);
      EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n") << file;
      EXPECT_GT(png.size(), 10000u) << file << ": an almost empty image";
    }
  }

  // Every cell of a query; nullopt when the cubes refuse it (FAILED_PRECONDITION: a WORKERS
  // rollup over a year imported from INPS's published cells).
  std::optional<std::vector<v1::Cell>> QueryOrRefusal(v1::CellQuery query) {
    v1::QueryRequest request;
    *request.mutable_query() = std::move(query);
    request.set_release_id("r1");
    std::vector<v1::Cell> cells;
    do {
      v1::QueryResponse page;
      const grpc::Status status = aggregation_->Query(Context().get(), request, &page);
      if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) return std::nullopt;
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      cells.insert(cells.end(), page.cells().begin(), page.cells().end());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return cells;
  }

  std::vector<v1::Cell> Query(v1::CellQuery query) {
    std::optional<std::vector<v1::Cell>> cells = QueryOrRefusal(std::move(query));
    EXPECT_TRUE(cells.has_value()) << "refused";
    return cells.value_or(std::vector<v1::Cell>());
  }

  // A cell of 2024: it names a measure, region, type and month with data.
  v1::Cell SomePaymentCell() {
    v1::CellQuery query;
    for (const v1::Measure& measure : codelists_.measures()) query.add_measures(measure.code());
    query.mutable_period_range()->mutable_first()->set_year(2024);
    query.mutable_period_range()->mutable_first()->set_month(1);
    query.mutable_period_range()->mutable_last()->set_year(2024);
    query.mutable_period_range()->mutable_last()->set_month(12);
    query.set_region_level(v1::REGION_LEVEL_REGION);
    query.set_type_level(v1::TYPE_LEVEL_TYPE);
    const std::vector<v1::Cell> cells = Query(query);
    EXPECT_FALSE(cells.empty());
    return cells.empty() ? v1::Cell() : cells.front();
  }

  std::string FamilyOf(const std::string& type) const {
    for (const auto& t : codelists_.intervention_types()) {
      if (t.code() == type) return t.family();
    }
    return "";
  }

  std::string RegionName(const std::string& code) const {
    for (const auto& r : codelists_.regions()) {
      if (r.code() == code) return r.name().substr(0, r.name().find('/'));
    }
    return code;
  }

  // Every value of the trend table (one row per month, one column per line) equals the cubes'
  // MONTH cells of the view's territory and types; returns how many values were compared.
  int CompareTrend(const std::string& dom, const std::string& measure, const std::string& region,
                   const std::string& type) {
    const std::optional<DomTable> trend = ChartTable(dom, " per mese - ");
    if (!trend) return 0;
    v1::CellQuery query;
    query.add_measures(measure);
    if (!region.empty()) query.add_regions(region);
    query.set_region_level(region.empty() ? v1::REGION_LEVEL_ITALY : v1::REGION_LEVEL_REGION);
    query.set_type_level(type.empty() ? v1::TYPE_LEVEL_FAMILY : v1::TYPE_LEVEL_TYPE);
    if (!type.empty()) {
      if (FamilyOf(type).empty()) {  // a family: its types
        for (const auto& t : codelists_.intervention_types()) {
          if (t.family() == type) query.add_intervention_types(t.code());
        }
      } else {
        query.add_intervention_types(type);
      }
    }
    // (month index, line code) -> value; the legend shows family names, type codes as they are.
    // One query per year, as a year the cubes refuse must show "n.d." and no number.
    std::map<std::pair<int, std::string>, uint64_t> cubes;
    std::set<int> refused_years;
    std::vector<v1::Cell> cells;
    for (int year = 2020; year <= 2030; ++year) {
      query.mutable_period_range()->mutable_first()->set_year(year);
      query.mutable_period_range()->mutable_first()->set_month(1);
      query.mutable_period_range()->mutable_last()->set_year(year);
      query.mutable_period_range()->mutable_last()->set_month(12);
      std::optional<std::vector<v1::Cell>> of_year = QueryOrRefusal(query);
      if (!of_year) {
        refused_years.insert(year);
        continue;
      }
      cells.insert(cells.end(), of_year->begin(), of_year->end());
    }
    for (const v1::Cell& cell : cells) {
      std::string line = cell.intervention_type().code();
      if (type.empty()) {
        for (const auto& f : codelists_.families()) {
          if (f.code() == line) line = f.name();
        }
      }
      cubes[{cell.period().year() * 12 + cell.period().month() - 1, line}] = cell.value();
    }
    uint64_t in_cubes = 0;
    for (const auto& [key, value] : cubes) in_cubes += value;
    int compared = 0;
    uint64_t nonzero = 0;
    for (const std::vector<std::string>& row : trend->rows) {
      const std::optional<int> month = MonthIndex(row[0]);
      EXPECT_TRUE(month.has_value()) << row[0];
      if (!month) continue;
      for (size_t column = 1; column < row.size() && column < trend->header.size(); ++column) {
        const std::optional<uint64_t> shown = ItalianInteger(row[column]);
        // A refused year shows "n.d." (explained on the page), never a number.
        EXPECT_EQ(shown.has_value(), refused_years.count(*month / 12) == 0)
            << row[0] << " " << trend->header[column] << ": " << row[column];
        if (!shown) continue;
        const auto it = cubes.find({*month, trend->header[column]});
        EXPECT_EQ(*shown, it == cubes.end() ? 0 : it->second)
            << row[0] << " " << trend->header[column];
        ++compared;
        nonzero += *shown;
      }
    }
    if (in_cubes > 0) {
      EXPECT_GT(nonzero, 0u) << "the trend shows only zeros";
    }
    return compared;
  }

  // Every bar of the regional chart equals the cubes' cell of its region for the period.
  int CompareRegional(const std::string& dom, const std::string& measure,
                      const v1::PeriodRange& period, bool whole_year, const std::string& type) {
    const std::optional<DomTable> bars = ChartTable(dom, " per regione");
    if (!bars) return 0;
    v1::CellQuery query;
    query.add_measures(measure);
    *query.mutable_period_range() = period;
    query.set_period_level(whole_year ? v1::PERIOD_LEVEL_YEAR : v1::PERIOD_LEVEL_MONTH);
    query.set_region_level(v1::REGION_LEVEL_REGION);
    query.set_type_level(type.empty() ? v1::TYPE_LEVEL_ALL : v1::TYPE_LEVEL_TYPE);
    if (!type.empty()) query.add_intervention_types(type);
    std::map<std::string, uint64_t> cubes;
    for (const v1::Cell& cell : Query(query)) {
      cubes[RegionName(cell.region().code())] = cell.value();
    }
    int compared = 0;
    for (const std::vector<std::string>& row : bars->rows) {
      const std::optional<uint64_t> shown = row.size() > 1 ? ItalianInteger(row[1]) : std::nullopt;
      if (!shown) continue;
      const auto it = cubes.find(row[0]);
      EXPECT_EQ(*shown, it == cubes.end() ? 0 : it->second) << row[0];
      ++compared;
    }
    return compared;
  }

  // The calls the catalogue and aggregation have served, from their Prometheus counters.
  uint64_t RpcCalls() {
    uint64_t total = 0;
    for (const char* service : {"catalogue", "aggregation"}) {
      const std::string file = cluster_.root() + "/metrics.txt";
      EXPECT_EQ(std::system(absl::StrCat("curl -fsS -o '", file, "' http://",
                                         cluster_.metrics_address(service), "/metrics")
                                .c_str()),
                0);
      for (absl::string_view line : absl::StrSplit(ReadFile(file), '\n')) {
        if (!absl::StartsWith(line, "omnia_rpc_requests_total{")) continue;
        double value = 0;
        if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) {
          total += static_cast<uint64_t>(value);
        }
      }
    }
    return total;
  }

  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
  std::unique_ptr<v1::CatalogueService::Stub> catalogue_;
  std::unique_ptr<v1::AggregationService::Stub> aggregation_;
  v1::ListCodelistsResponse codelists_;
  std::string shots_;
  bool imported_inps_ = false;
  int runs_ = 0;
};

TEST_F(PortalBrowserTest, EveryPageShowsWhatAPersonLooksForWithExactNumbers) {
  v1::ListDatasetsRequest list;
  list.set_release_id("r1");
  list.set_page_size(100);
  v1::ListDatasetsResponse datasets;
  ASSERT_TRUE(catalogue_->ListDatasets(Context().get(), list, &datasets).ok());
  ASSERT_GT(datasets.datasets_size(), 0);
  const v1::Dataset& dataset = datasets.datasets(0);

  // The catalogue: the seed's filters with their counts, and each result's title and formats.
  std::string home =
      Check("/", {"Open Data", "Argomento", "Fonte", "Periodo", dataset.title(), "CSV", "XLSX"});
  for (const v1::FacetCount& topic : datasets.topic_facets()) {
    EXPECT_TRUE(absl::StrContains(home, topic.value())) << topic.value();
  }
  Screenshots("/", "catalogo");
  // Two filter combinations: the results narrow and the filters stay in the page's links.
  const std::string topic = datasets.topic_facets(0).value();
  Check(
      absl::StrCat("/?argomento=", absl::StrReplaceAll(topic, {{" ", "+"}}), "&ordine=aggiornato"),
      {topic, dataset.title()});
  Check("/?periodo=2024&q=lavoratori", {"Periodo", "2024"});

  // The detail mask: the six seed fields, the downloads and the machine-readable links.
  v1::GetDatasetRequest get;
  get.set_dataset_id(dataset.dataset_id());
  get.set_release_id("r1");
  v1::GetDatasetResponse found;
  ASSERT_TRUE(catalogue_->GetDataset(Context().get(), get, &found).ok());
  std::vector<std::string> detail = {
      "Titolo",  "Pubblicazione", "Aggiornato",           "Proprietario del dato",
      "Licenza", "Allegati",      found.dataset().title()};
  for (const v1::Attachment& attachment : found.dataset().attachments()) {
    detail.push_back(
        absl::StrCat("/releases/r1/", dataset.dataset_id(), "/", attachment.file_name()));
    detail.push_back(attachment.sha256());
  }
  Check("/dataset/" + dataset.dataset_id(), detail);
  Screenshots("/dataset/" + dataset.dataset_id(), "dataset");

  // The Cruscotto: default view and two filtered ones; every plotted number is the cubes'.
  const std::string default_dom =
      Check("/cruscotto", {"Cruscotto", "per mese", "per regione", "Dati del grafico"});
  EXPECT_GT(CompareTrend(default_dom, codelists_.measures(0).code(), "", ""), 12);
  Screenshots("/cruscotto", "cruscotto");

  const v1::Cell cell = SomePaymentCell();
  const std::string measure = cell.measure();
  const std::string type = cell.intervention_type().code();
  const std::string region = cell.region().code();
  const std::string month =
      absl::StrFormat("%04d-%02d", cell.period().year(), cell.period().month());
  v1::PeriodRange one_month;
  one_month.mutable_first()->set_year(cell.period().year());
  one_month.mutable_first()->set_month(cell.period().month());
  *one_month.mutable_last() = one_month.first();

  const std::string by_type = Check(
      absl::StrCat("/cruscotto?misura=", measure, "&tipo=", type, "&da=", month, "&a=", month),
      {"per mese", "per regione", type});
  EXPECT_GT(CompareTrend(by_type, measure, "", type), 12);
  EXPECT_GT(CompareRegional(by_type, measure, one_month, false, type), 0);

  const std::string by_region =
      Check(absl::StrCat("/cruscotto?misura=", measure, "&regione=", region,
                         "&tipo=", FamilyOf(type), "&da=", month, "&a=", month),
            {"per mese", RegionName(region)});
  EXPECT_GT(CompareTrend(by_region, measure, region, FamilyOf(type)), 12);

  // Workers are never summed: the page says so in Italian where it applies.
  for (const v1::Measure& workers : codelists_.measures()) {
    if (workers.additive()) continue;
    // The note as the codelists word it, up to a word boundary.
    const std::string note =
        workers.additivity_note().empty()
            ? "non vanno sommati"
            : workers.additivity_note().substr(0, workers.additivity_note().find(' ', 30));
    Check("/cruscotto?misura=" + workers.code(), {note});
    if (imported_inps_) {
      Check(absl::StrCat("/cruscotto?misura=", workers.code(), "&da=2023-01&a=2023-12"),
            {"non si può calcolare"});
    }
  }

  // The releases, newest first, with what each changed.
  Check("/rilasci", {"r1", "Primo rilascio", dataset.title()});
  Screenshots("/rilasci", "rilasci");

  // A repeated view costs no call to the catalogue or to aggregation.
  const uint64_t calls = RpcCalls();
  for (const std::string path : {"/", "/cruscotto", "/rilasci"}) {
    EXPECT_EQ(std::system(absl::StrCat("curl -fsS -o /dev/null '", Url(path), "'").c_str()), 0);
  }
  EXPECT_EQ(RpcCalls(), calls);

  // Bad parameters and unknown datasets are pages too, in Italian.
  EXPECT_TRUE(absl::StrContains(Load("/cruscotto?misura=nessuna").dom, "Richiesta non valida"));
  EXPECT_TRUE(absl::StrContains(Load("/dataset/non-esiste").dom, "Pagina non trovata"));
}

}  // namespace
}  // namespace omnia
