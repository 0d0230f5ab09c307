#include "render/chart.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace bulletin;

TEST_CASE("bar charts are deterministic SVG with escaped Chinese labels", "[chart]") {
  std::vector<ChartItem> items = {{"中共上海出版印刷高等专科学校委员会", 0.976, "97.60%"},
                                  {"A & <B>", 0.488, "48.80%"}};
  std::string svg = bar_chart_svg("日人均参与度 · 2020-11", items);
  CHECK(svg == bar_chart_svg("日人均参与度 · 2020-11", items));
  CHECK(svg.rfind("<svg class=\"chart bar-chart\"", 0) == 0);  // inline in HTML: no namespace URL
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("A &amp; &lt;B&gt;") != std::string::npos);
  CHECK(svg.find("<rect x=\"330.0\" y=\"28.0\" width=\"360.0\" height=\"18.0\"") != std::string::npos);
  CHECK(svg.find("<rect x=\"330.0\" y=\"52.0\" width=\"180.0\" height=\"18.0\"") != std::string::npos);
  CHECK(svg.find(">97.60%</text>") != std::string::npos);
}

TEST_CASE("trend charts draw a line through the finite points", "[chart]") {
  std::vector<ChartItem> items = {{"2021-Q1", 10, "10"}, {"2021-Q2", NAN, "—"}, {"2021-Q3", 20, "20"}};
  std::string svg = trend_chart_svg("张三 · 本期增长", items);
  CHECK(svg.find("<polyline points=\"40.0,160.0 460.0,30.0\"") != std::string::npos);
  CHECK(svg.find(">2021-Q2</text>") != std::string::npos);
  CHECK(trend_chart_svg("x", {}).find("<polyline") == std::string::npos);
}
