// What a person looks for on the catalogue, dataset and releases pages, read through an HTML
// parser: the seed's filters with counts, the detail mask's six fields, the download links, the
// non-additivity warning, and hostile text shown as text.
#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/portal/catalog_page.h"
#include "libs/portal/dataset_page.h"
#include "libs/portal/layout.h"
#include "libs/portal/releases_page.h"
#include "tests/unit/portal/html_dom.h"
#include "tests/unit/portal/portal_fixtures.h"

namespace omnia::portal {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kHostile[] = "<script>alert('x')</script>";

v1::ListDatasetsResponse Matches(std::vector<v1::Dataset> datasets) {
  v1::ListDatasetsResponse response;
  for (v1::Dataset& dataset : datasets) *response.add_datasets() = std::move(dataset);
  response.set_total_size(response.datasets_size());
  v1::FacetCount* topic = response.add_topic_facets();
  topic->set_value("Integrazioni Salariali");
  topic->set_count(response.datasets_size());
  v1::FacetCount* source = response.add_source_facets();
  source->set_value("Ammortizzatori Sociali");
  source->set_count(response.datasets_size());
  for (int year = 2020; year <= 2024; ++year) {
    v1::FacetCount* facet = response.add_year_facets();
    facet->set_value(std::to_string(year));
    facet->set_count(6);
  }
  return response;
}

// The frame every page shares.
void ExpectFrame(const HtmlDom& dom) {
  EXPECT_EQ(dom.Text("/html/@lang"), "it");
  EXPECT_EQ(dom.Count("//h1"), 1u);
  EXPECT_EQ(dom.Count("//header"), 1u);
  EXPECT_EQ(dom.Count("//main"), 1u);
  EXPECT_EQ(dom.Count("//footer"), 1u);
  EXPECT_GE(dom.Count("//nav"), 2u);
  const std::vector<std::string> crumbs = dom.Texts("//nav[@class='breadcrumb']//li");
  ASSERT_GE(crumbs.size(), 3u);
  EXPECT_EQ(crumbs[0], "Home");
  EXPECT_EQ(crumbs[1], "Dati e Bilanci");
  EXPECT_EQ(crumbs[2], "Open Data");
  EXPECT_THAT(dom.Text("//footer"), AllOf(HasSubstr("Proprietario del dato: INPS"),
                                          HasSubstr("Licenza"), HasSubstr("CC BY 4.0")));
  // Nothing is loaded from elsewhere: no scripts, style sheets, images or fonts by URL.
  EXPECT_EQ(dom.Count("//script | //link | //img | //iframe"), 0u);
  // Every form control has a label.
  for (const std::string& id : dom.Texts("//input[@type!='hidden']/@id | //select/@id")) {
    EXPECT_EQ(dom.Count("//label[@for='" + id + "']"), 1u) << id;
  }
  EXPECT_EQ(dom.Count("//input[not(@id)] | //select[not(@id)]"), 0u);
}

TEST(CatalogQueryTest, ReadsEveryParameter) {
  const absl::StatusOr<CatalogQuery> query =
      ParseCatalogQuery({{"q", "lavoratori"},
                         {"argomento", "Integrazioni Salariali"},
                         {"fonte", "Ammortizzatori Sociali"},
                         {"periodo", "2023"},
                         {"ordine", "aggiornato"},
                         {"pagina", "2"},
                         {"utm_source", "x"}});
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->text, "lavoratori");
  EXPECT_THAT(query->topics, ElementsAre("Integrazioni Salariali"));
  EXPECT_THAT(query->sources, ElementsAre("Ammortizzatori Sociali"));
  EXPECT_EQ(query->year, 2023);
  EXPECT_EQ(query->order, CatalogOrder::kUpdated);
  EXPECT_EQ(query->page, 2);
  EXPECT_EQ(CatalogUrl(*query),
            "/?q=lavoratori&argomento=Integrazioni%20Salariali&fonte=Ammortizzatori%20Sociali&"
            "periodo=2023&ordine=aggiornato&pagina=2");
  EXPECT_EQ(ParseCatalogQuery(QueryParams{}).value(), CatalogQuery{});

  const v1::ListDatasetsRequest request = ToListDatasetsRequest(*query);
  EXPECT_THAT(request.topics(), ElementsAre("Integrazioni Salariali"));
  EXPECT_EQ(request.years().first(), 2023);
  EXPECT_EQ(request.order(), v1::DATASET_ORDER_UPDATED);
  EXPECT_EQ(request.query(), "lavoratori");
  EXPECT_EQ(request.page_size(), 100);
}

TEST(CatalogQueryTest, BadValuesAreRefusedNamingTheParameterNotTheValue) {
  const std::string personal = "RSSMRA80A01H501U";
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"periodo", personal},
                                                        {"periodo", "1999"},
                                                        {"ordine", personal},
                                                        {"pagina", "0"},
                                                        {"pagina", personal},
                                                        {"q", std::string(201, 'a')},
                                                        {"q", "\x01" + personal},
                                                        {"argomento", "\xff" + personal}}) {
    const absl::StatusOr<CatalogQuery> query = ParseCatalogQuery({{name, value}});
    ASSERT_FALSE(query.ok()) << name;
    EXPECT_TRUE(absl::IsInvalidArgument(query.status()));
    EXPECT_THAT(
        std::string(query.status().message()),
        AllOf(HasSubstr("«" + name + "»"), Not(HasSubstr(personal)), Not(HasSubstr("aaa"))));
  }
  EXPECT_FALSE(ParseCatalogQuery({{"q", "a"}, {"q", "b"}}).ok());
  const std::string page = RenderErrorPage(PortalSite{}, 400, "Il parametro «pagina» è sbagliato.");
  HtmlDom dom(page);
  ExpectFrame(dom);
  EXPECT_EQ(dom.Text("//h1"), "Richiesta non valida");
  EXPECT_THAT(dom.Text("//main"), HasSubstr("«pagina»"));
}

TEST(CatalogPageTest, ShowsFiltersWithCountsResultsAndPaging) {
  CatalogQuery query;
  query.topics = {"Integrazioni Salariali"};
  const std::vector<v1::Dataset> datasets = TestDatasets();
  ASSERT_EQ(datasets.size(), 18u);
  HtmlDom dom(RenderCatalogPage(PortalSite{}, query, Matches(datasets)));
  ExpectFrame(dom);
  EXPECT_EQ(dom.Text("//h1"), "Open Data: integrazioni salariali");
  EXPECT_EQ(dom.Text("//label[@for='q']"), "Cerca nei dati");
  EXPECT_THAT(dom.Texts("//fieldset/legend"), ElementsAre("Argomento", "Fonte", "Periodo"));
  EXPECT_EQ(dom.Text("//fieldset[legend='Argomento']//label"), " Integrazioni Salariali (18)");
  EXPECT_EQ(dom.Text("//input[@name='argomento']/@checked"), "checked");
  EXPECT_EQ(dom.Text("//fieldset[legend='Fonte']//label"), " Ammortizzatori Sociali (18)");
  EXPECT_THAT(dom.Texts("//fieldset[legend='Periodo']//label"), Contains(" 2023 (6)"));
  EXPECT_THAT(dom.Texts("//select[@name='ordine']/option"),
              ElementsAre("Titolo (A-Z)", "Aggiornato (più recenti)"));
  EXPECT_EQ(dom.Text("//p[@role='status']"), "18 dataset trovati, pagina 1 di 2.");
  EXPECT_EQ(dom.Count("//ul[@class='results']/li"), 10u);
  EXPECT_EQ(dom.Text("//ul[@class='results']/li[1]//h3/a"), datasets[0].title());
  EXPECT_EQ(dom.Text("//ul[@class='results']/li[1]//h3/a/@href"),
            "/dataset/" + datasets[0].dataset_id());
  EXPECT_THAT(dom.Text("//ul[@class='results']/li[1]//p[@class='meta']"),
              StartsWith("Aggiornato: "));
  EXPECT_THAT(dom.Texts("//ul[@class='results']/li[1]//ul[@class='formats']/li"),
              ElementsAre("CSV", "JSON", "JSON-stat", "XML", "XLSX"));
  EXPECT_THAT(dom.Texts("//ul[@class='pager']//a/@href"),
              Contains("/?argomento=Integrazioni%20Salariali&pagina=2"));

  query.page = 2;
  HtmlDom second(RenderCatalogPage(PortalSite{}, query, Matches(datasets)));
  EXPECT_EQ(second.Count("//ul[@class='results']/li"), 8u);
  EXPECT_EQ(second.Text("//ul[@class='results']/li[1]//h3/a"), datasets[10].title());
}

TEST(CatalogPageTest, NoMatchesAndHostileTitlesAreText) {
  HtmlDom empty(RenderCatalogPage(PortalSite{}, CatalogQuery{}, v1::ListDatasetsResponse()));
  EXPECT_THAT(empty.Text("//p[@role='status']"), HasSubstr("Nessun dataset"));

  std::vector<v1::Dataset> datasets = TestDatasets();
  datasets.resize(1);
  datasets[0].set_title(kHostile);
  CatalogQuery query;
  query.text = "\"><script>";
  const std::string html = RenderCatalogPage(PortalSite{}, query, Matches(datasets));
  HtmlDom dom(html);
  EXPECT_EQ(dom.Count("//script"), 0u);
  EXPECT_EQ(dom.Text("//ul[@class='results']/li[1]//h3/a"), kHostile);
  EXPECT_EQ(dom.Text("//input[@id='q']/@value"), "\"><script>");
}

TEST(DatasetPageTest, ShowsTheSeedFieldsMeasureAttachmentsPreviewAndHistory) {
  std::vector<v1::Dataset> datasets = TestDatasets();
  const auto workers = std::find_if(datasets.begin(), datasets.end(), [](const v1::Dataset& d) {
    return d.dataset_id() == "integrazioni-salariali-lavoratori-2023";
  });
  ASSERT_NE(workers, datasets.end());
  DatasetPageData data;
  data.dataset = *workers;
  v1::Release release;
  release.set_release_id(kRelease);
  *release.mutable_publication_date() = MakeDate(2025, 3, 1);
  release.set_description("Rettifica dati 2023");
  v1::DatasetChange* change = release.add_changes();
  change->set_dataset_id(workers->dataset_id());
  change->set_kind(v1::CHANGE_KIND_UPDATED);
  data.releases = {release};
  data.preview = ParseCsvPreview(
      "anno,mese,regione,tipo_intervento,numero_lavoratori\n2023,Gennaio,LOMBARDIA,CIGO,363463\n"
      "2023,Gennaio,\"VALLE_D'AOSTA\",CIGO,12\n2023,Febbr",
      kPreviewRows);
  ASSERT_EQ(data.preview.rows.size(), 2u);

  HtmlDom dom(RenderDatasetPage(PortalSite{}, data));
  ExpectFrame(dom);
  EXPECT_EQ(dom.Text("//h1"), workers->title());
  EXPECT_EQ(dom.Text("//nav[@class='breadcrumb']//li[4]"), workers->title());
  const std::vector<std::string> fields = dom.Texts("(//dl)[1]/dt");
  ASSERT_GE(fields.size(), 6u);
  EXPECT_THAT(std::vector<std::string>(fields.begin(), fields.begin() + 6),
              ElementsAre("Titolo", "Pubblicazione", "Aggiornato", "Proprietario del dato",
                          "Licenza", "Allegati"));
  EXPECT_EQ(dom.Text("(//dl)[1]/dd[1]"), workers->title());
  EXPECT_EQ(dom.Text("(//dl)[1]/dd[4]"), "INPS");
  EXPECT_THAT(dom.Text("(//dl)[1]/dd[5]"), HasSubstr("CC BY 4.0"));
  EXPECT_EQ(dom.Text("(//dl)[1]/dd[6]"), "5 file (CSV, JSON, JSON-stat, XML, XLSX)");
  EXPECT_EQ(dom.Text("//dt[.='Periodo']/following-sibling::dd[1]"),
            "da gennaio 2023 a dicembre 2023");
  // Workers are not additive: said plainly.
  EXPECT_THAT(dom.Text("//section[h2='La misura']//p[@class='notice']"),
              HasSubstr("non sono sommabili"));
  // Allegati: format, Italian size, sha256, download link at the release.
  EXPECT_EQ(dom.Count("//section[h2='Allegati']//tbody/tr"), 5u);
  EXPECT_EQ(dom.Text("//section[h2='Allegati']//tbody/tr[1]/th"), "CSV");
  EXPECT_EQ(dom.Text("//section[h2='Allegati']//tbody/tr[1]/td[1]"), "12,4 kB");
  EXPECT_EQ(dom.Text("//section[h2='Allegati']//tbody/tr[1]/td[3]"), std::string(64, 'b'));
  EXPECT_EQ(dom.Text("//section[h2='Allegati']//tbody/tr[1]//a/@href"),
            "/releases/2025-03-01/integrazioni-salariali-lavoratori-2023/"
            "integrazioni-salariali-lavoratori-2023.csv");
  // Preview of the first rows.
  EXPECT_THAT(dom.Texts("//section[h2='Anteprima dei dati']//thead//th"),
              ElementsAre("anno", "mese", "regione", "tipo_intervento", "numero_lavoratori"));
  EXPECT_THAT(dom.Texts("//section[h2='Anteprima dei dati']//tbody/tr[2]/*"),
              ElementsAre("2023", "Gennaio", "VALLE_D'AOSTA", "CIGO", "12"));
  // History and machine-readable representations.
  EXPECT_THAT(dom.Texts("//section[h2='Storia dei rilasci']//tbody/tr[1]/*"),
              ElementsAre("1 marzo 2025", kRelease, "Dati aggiornati", "Rettifica dati 2023"));
  const std::vector<std::string> links = dom.Texts("//a/@href");
  EXPECT_THAT(links,
              Contains("/api/3/action/package_show?id=integrazioni-salariali-lavoratori-2023"));
  EXPECT_THAT(links, Contains("/dataset/integrazioni-salariali-lavoratori-2023.ttl"));
  EXPECT_THAT(links, Contains("/dataset/integrazioni-salariali-lavoratori-2023/datapackage.json"));
}

TEST(DatasetPageTest, HostileTextFromDataStaysText) {
  DatasetPageData data;
  data.dataset = TestDatasets().front();
  data.dataset.set_title(kHostile);
  data.dataset.set_description(std::string(kHostile) + "\n\n<img src=x onerror=alert(1)>");
  data.preview = ParseCsvPreview("a,b\n<script>,x\n", kPreviewRows);
  HtmlDom dom(RenderDatasetPage(PortalSite{}, data));
  EXPECT_EQ(dom.Count("//script | //img"), 0u);
  EXPECT_EQ(dom.Text("//h1"), kHostile);
  EXPECT_THAT(dom.Texts("//section[h2='Descrizione']/p"),
              ElementsAre(kHostile, "<img src=x onerror=alert(1)>"));
}

TEST(DatasetPageTest, PreviewDropsACutRecordAndHandlesQuotes) {
  const CsvPreview preview = ParseCsvPreview("h1,h2\r\n\"a,\"\"b\"\"\",c\r\nd,e\r\nf", 10);
  EXPECT_THAT(preview.header, ElementsAre("h1", "h2"));
  ASSERT_EQ(preview.rows.size(), 2u);
  EXPECT_THAT(preview.rows[0], ElementsAre("a,\"b\"", "c"));
  EXPECT_THAT(ParseCsvPreview("h\n1\n2\n3\n", 2).rows,
              ElementsAre(ElementsAre("1"), ElementsAre("2")));
  EXPECT_THAT(ParseCsvPreview("", 2).header, IsEmpty());
}

TEST(ReleasesPageTest, NewestFirstWithTheDatasetsEachChanged) {
  v1::Release newer;
  newer.set_release_id("2025-03-01");
  *newer.mutable_publication_date() = MakeDate(2025, 3, 1);
  newer.set_dataset_count(18);
  v1::DatasetChange* change = newer.add_changes();
  change->set_dataset_id("integrazioni-salariali-domande-2024");
  change->set_title(kHostile);
  change->set_kind(v1::CHANGE_KIND_ADDED);
  v1::Release older;
  older.set_release_id("2024-03-01");
  *older.mutable_publication_date() = MakeDate(2024, 3, 1);
  HtmlDom dom(RenderReleasesPage(PortalSite{}, {newer, older}));
  ExpectFrame(dom);
  EXPECT_EQ(dom.Text("//h1"), "Rilasci");
  EXPECT_THAT(dom.Texts("//main//h2"), ElementsAre("Rilascio 2025-03-01", "Rilascio 2024-03-01"));
  EXPECT_EQ(dom.Text("//main//li/ul/li"), std::string("Nuovo: ") + kHostile);
  EXPECT_EQ(dom.Text("//main//li/ul/li/a/@href"), "/dataset/integrazioni-salariali-domande-2024");
  EXPECT_THAT(dom.Texts("//a/@href"), Contains("/releases/2025-03-01/SHA256SUMS"));
  EXPECT_EQ(dom.Count("//script"), 0u);
}

TEST(LayoutTest, PagesAreLight) {
  const std::string html = RenderCatalogPage(PortalSite{}, CatalogQuery{}, Matches(TestDatasets()));
  EXPECT_LT(html.size(), 200u * 1024);
  EXPECT_THAT(html, Not(HasSubstr("http://"))) << "no external resources";
  EXPECT_THAT(html, HasSubstr("name=\"viewport\""));
}

}  // namespace
}  // namespace omnia::portal
