// Seed fidelity: every paragraph of each of the five seed documents
// (tests/fixtures/seeds) appears, in order, in the built page(s) that
// tests/fixtures/seeds/pages.txt lists for it.
//
// Both sides are compared without whitespace, so line breaks, the spaces of
// the extracted seed text ("2020 年 12 月 31 日") and page breaks inside a
// paragraph do not matter; the Markdown markers the sample content adds
// (`**` for emphasised lead-ins, the "- " before 003's 附件 line) are dropped
// from the seed side. Header elements that come from front matter (发文字号,
// 签发人, 主送机关, 版记…) must be found too: the templates render them.
#include <catch2/catch.hpp>

#include "e2e.h"

using namespace e2e;

namespace {

std::vector<std::string> pages_for(const std::string& seed) {
  for (const auto& line : split_lines(read_file(kSourceDir / "tests/fixtures/seeds/pages.txt"))) {
    std::istringstream words(line);
    std::string name, page;
    words >> name;
    if (name != seed) continue;
    std::vector<std::string> pages;
    while (words >> page) pages.push_back(page);
    return pages;
  }
  FAIL("no line for " << seed << " in tests/fixtures/seeds/pages.txt");
  return {};
}

// Paragraphs of a seed: runs of lines separated by blank lines.
std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (const auto& line : split_lines(text)) {
    if (without_spaces(line).empty()) {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

std::string normalized_seed_paragraph(std::string p) {
  if (p.starts_with("- 附件")) p.erase(0, 2);
  // Seed 000's November table is computed from the export, and the ranking
  // rules print every value with its format: the seed's "61%" is required to
  // read "61.00%" (issue 4), like every other value of the column.
  if (size_t at = p.find("\t61%\t"); at != std::string::npos) p.replace(at, 5, "\t61.00%\t");
  for (size_t at; (at = p.find("**")) != std::string::npos;) p.erase(at, 2);
  return without_spaces(p);
}

// Drops elements marked aria-hidden="true" (layout helpers such as the
// invisible 附件： that indents the second attachment line).
std::string without_hidden_elements(std::string html) {
  const std::string mark = "aria-hidden=\"true\"";
  for (size_t at; (at = html.find(mark)) != std::string::npos;) {
    size_t open = html.rfind('<', at);
    size_t name_end = html.find_first_of(" >", open + 1);
    std::string close = "</" + html.substr(open + 1, name_end - open - 1) + ">";
    size_t end = html.find(close, at);
    if (end == std::string::npos) break;
    html.erase(open, end + close.size() - open);
  }
  return html;
}

void check_seed_in_order(const std::string& seed, bool skip_hidden_elements) {
  std::string text;
  for (const auto& page : pages_for(seed)) {
    INFO("page " << page);
    REQUIRE(fs::is_regular_file(sample_site() / page));
    std::string html = read_file(sample_site() / page);
    if (skip_hidden_elements) html = without_hidden_elements(html);
    text += without_spaces(page_text(html));
  }
  auto paras = paragraphs(read_file(kSourceDir / "tests/fixtures/seeds" / seed));
  REQUIRE(paras.size() >= 10);
  size_t pos = 0;
  int index = 0;
  for (const auto& para : paras) {
    ++index;
    std::string wanted = normalized_seed_paragraph(para);
    size_t at = text.find(wanted, pos);
    INFO(seed << " paragraph " << index << " of " << paras.size() << ":\n" << para);
    INFO((text.find(wanted) == std::string::npos ? "it is nowhere on the page(s)"
                                                 : "it is on the page(s), but before the previous paragraph"));
    REQUIRE(at != std::string::npos);
    pos = at + wanted.size();
  }
}

}  // namespace

// One test case for all seeds, so the sample is built once per process.
// Seed 003 is also read as plain page text in the case below.
TEST_CASE("every paragraph of every seed is on its page(s) in order", "[e2e][seeds]") {
  for (const char* seed : {"000_0ba8de84ca947c69.txt", "001_492a35131712df7c.txt", "002_dbef6f26c3756b40.txt",
                           "003_bae3520b1dd4373e.txt", "004_6421592a5411f9b7.txt"}) {
    DYNAMIC_SECTION(seed << " on " << pages_for(seed).front()) {
      check_seed_in_order(seed, std::string(seed).starts_with("003_"));
    }
  }
}

TEST_CASE("every paragraph of seed 003 is in order in the plain text of its pages", "[e2e][seeds]") {
  // Fails while the second 附件说明 line carries an invisible copy of "附件："
  // for indentation (templates/partials/attachment-notes.mustache): the page's
  // text reads "附件：1. … 附件：2. …" where the seed has "附件：1. … 2. …".
  check_seed_in_order("003_bae3520b1dd4373e.txt", false);
}

TEST_CASE("pages.txt names a page for each of the five seeds", "[e2e][seeds]") {
  int seeds = 0;
  for (const auto& e : fs::directory_iterator(kSourceDir / "tests/fixtures/seeds")) {
    std::string name = e.path().filename().string();
    if (name == "pages.txt" || !name.ends_with(".txt")) continue;
    ++seeds;
    INFO(name);
    CHECK_FALSE(pages_for(name).empty());
  }
  CHECK(seeds == 5);
}
