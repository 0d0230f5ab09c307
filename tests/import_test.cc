// End-to-end tests of `bulletin import`: Word documents made with pandoc from
// the seed article of 000 (as the sample project holds it) and from a notice,
// imported into a copy of a test site, then built.
#include <catch2/catch.hpp>

#include <regex>

#include "e2e.h"

using namespace e2e;

namespace {

// A 1×1 PNG, so the document carries an image.
std::string tiny_png() {
  static const unsigned char kPng[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
      0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9,
      0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

// The body paragraphs of the sample article (the seed article of 000).
std::vector<std::string> seed_paragraphs() {
  std::string text = read_file(kSourceDir / "content/articles/sues-four-forces.md");
  size_t body = text.find("---\n", 4);
  REQUIRE(body != std::string::npos);
  std::vector<std::string> out;
  std::string para;
  for (const auto& line : split_lines(text.substr(body + 4))) {
    if (line.empty()) {
      if (!para.empty()) out.push_back(para);
      para.clear();
    } else {
      para += line;
    }
  }
  if (!para.empty()) out.push_back(para);
  return out;
}

void pandoc(const fs::path& dir, const std::string& md, const std::string& docx) {
  write_file(dir / "in.md", md);
  std::string cmd = "cd " + shell_quote(dir.string()) + " && pandoc in.md -o " + shell_quote(docx);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

}  // namespace

TEST_CASE("a Word article made from the seed article of 000 imports and builds with every paragraph in order",
          "[e2e][import]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "p");
  std::vector<std::string> paragraphs = seed_paragraphs();
  REQUIRE(paragraphs.size() == 5);
  // As a unit sends it: title, unit and date lines, bold lead-ins (一是……),
  // an image and a table.
  std::string md = "# 聚焦“四个力”用好用活“学习强国”学习平台\n\n上海工程技术大学\n\n2020年12月16日\n\n";
  std::regex lead("^((?:一|二|三|四)是.*?。)");  // alternations: std::regex matches bytes
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    md += std::regex_replace(paragraphs[i], lead, "**$1**", std::regex_constants::format_first_only) + "\n\n";
    if (i == 1) md += "![学习强国](photo.png)\n\n";
  }
  md += "| 单位 | 日人均参与度 |\n|---|---|\n| 上海工程技术大学 | 73.14% |\n";
  write_file(tmp / "photo.png", tiny_png());
  pandoc(tmp.path(), md, "聚焦四个力.docx");

  RunResult r = run_bulletin({"import", (tmp / "聚焦四个力.docx").string(), "-C", "p"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "p/content/articles/聚焦四个力.md\n  image: p/content/articles/聚焦四个力/media/rId20.png\n");
  std::string source = read_file(tmp / "p/content/articles/聚焦四个力.md");
  CHECK(
      source.starts_with("---\ntitle: \"聚焦“四个力”用好用活“学习强国”学习平台\"\nunit: \"上海工程技术大学\"\n"
                         "date: 2020-12-16\n---\n"));
  CHECK(source.find("**一是明确站位，提升组织力。**学校党委") != std::string::npos);
  CHECK(source.find("| 上海工程技术大学 | 73.14%       |") != std::string::npos);
  CHECK(source.find("![学习强国](media/rId20.png)") != std::string::npos);

  RunResult check = run_bulletin({"check", "p"}, tmp.path());
  CHECK(check.exit_code == 0);
  CHECK(check.err == "");
  RunResult build = run_bulletin({"build", "p"}, tmp.path());
  REQUIRE(build.exit_code == 0);
  fs::path page = tmp / "p/site/articles/聚焦四个力/index.html";
  std::string html = read_file(page);
  std::string text = page_text(html);
  size_t at = text.find("聚焦“四个力”用好用活“学习强国”学习平台");
  REQUIRE(at != std::string::npos);
  for (const auto& p : paragraphs) {
    size_t found = text.find(p, at);
    CHECK(found != std::string::npos);
    if (found != std::string::npos) at = found + p.size();
  }
  CHECK(html.find("<strong>一是明确站位，提升组织力。</strong>") != std::string::npos);
  CHECK(html.find("<strong>四是以点带面，提升示范力。</strong>") != std::string::npos);
  CHECK(html.find("<td>上海工程技术大学</td>") != std::string::npos);
  CHECK(html.find("<img src=\"media/rId20.png\" alt=\"学习强国\" />") != std::string::npos);
  CHECK(read_file(tmp / "p/site/articles/聚焦四个力/media/rId20.png") == tiny_png());
  CHECK(text.find("上海工程技术大学") != std::string::npos);

  // Imported again, nothing is overwritten.
  RunResult again = run_bulletin({"import", (tmp / "聚焦四个力.docx").string(), "-C", "p"}, tmp.path());
  CHECK(again.exit_code == 1);
  CHECK(again.err ==
        "p/content/articles/聚焦四个力.md: error: already exists; bulletin import never overwrites a file\n");
}

TEST_CASE("a Word notice imports with its 发文字号, 签发人, 主送机关, signature and date", "[e2e][import]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "p");
  pandoc(tmp.path(),
         "中共某某学院委员会文件\n\n院党委发[2021]7号　签发人：张三、李四\n\n关于开展学习活动的通知\n\n"
         "各党总支、直属党支部：\n\n现就有关事项通知如下。\n\n**一、总体要求**\n\n认真学习。\n\n"
         "中共某某学院委员会\n\n2021年3月5日\n",
         "notice.docx");
  RunResult r = run_bulletin({"import", "--as", "notice", "notice.docx", "-C", "p"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "p/content/notices/notice.md\n");
  CHECK(read_file(tmp / "p/content/notices/notice.md") ==
        "---\nissuer: \"中共某某学院委员会文件\"\ndoc_no: \"院党委发〔2021〕7号\"\nsigners: [\"张三\", \"李四\"]\n"
        "title: \"关于开展学习活动的通知\"\nrecipients: \"各党总支、直属党支部\"\nsignature: \"中共某某学院委员会\"\n"
        "date: 2021-03-05\n---\n现就有关事项通知如下。\n\n**一、总体要求**\n\n认真学习。\n");
  RunResult build = run_bulletin({"build", "p"}, tmp.path());
  INFO(build.err);
  REQUIRE(build.exit_code == 0);
  std::string text = page_text(read_file(tmp / "p/site/notices/院党委发/2021/7/index.html"));
  CHECK(text.find("院党委发〔2021〕7号") != std::string::npos);
  CHECK(text.find("认真学习。") != std::string::npos);
}

TEST_CASE("what an import cannot place is printed for the user to check", "[e2e][import]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "p");
  pandoc(tmp.path(),
         "这是一篇没有标题、单位和日期的文章的第一段，写得很长很长很长很长很长很长很长很长很长很长。\n\n第二段。\n",
         "无题.docx");
  RunResult r = run_bulletin({"import", "无题.docx", "-C", "p"}, tmp.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "p/content/articles/无题.md\n"
        "  check: no title line found: the file name is the title\n"
        "  check: no date found: today's date is written\n"
        "  check: no unit line found under the title: 'unit' says 待填写\n");
  RunResult bad = run_bulletin({"import", "p/bulletin.yaml", "-C", "p"}, tmp.path());
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.starts_with("p/bulletin.yaml: error: pandoc cannot read this .docx file"));
}
