#include "site/print/pdf.h"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>

#include <fstream>

using namespace bulletin;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A stand-in for the engine with the driver's protocol: reads "HTML<TAB>PDF"
// lines, writes a file for each, answers "ok PDF 1"; also counts its runs.
fs::path fake_engine(const fs::path& dir) {
  fs::path exe = dir / "engine.sh";
  write(exe,
        "#!/bin/sh\necho run >> " + (dir / "runs").string() +
            "\nwhile IFS=\"$(printf '\\t')\" read -r src out; do cp \"$src\" \"$out\"; echo \"ok $out 1\"; done\n");
  fs::permissions(exe, fs::perms::owner_all);
  return exe;
}

int runs(const fs::path& dir) {
  std::ifstream in(dir / "runs");
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}
}  // namespace

TEST_CASE("PDFs are made of notices, attachment pages and issues only", "[pdf]") {
  CHECK(wants_pdf("<body class=\"is-notice\">"));
  CHECK(wants_pdf("<body class=\"is-issue\">"));
  CHECK_FALSE(wants_pdf("<body class=\"\">"));
}

TEST_CASE("a PDF's digest follows its page, the stylesheet and the fonts", "[pdf]") {
  std::string d = pdf_digest("<p>甲</p>", "p{}", "fonts1");
  CHECK(d == pdf_digest("<p>甲</p>", "p{}", "fonts1"));
  CHECK(d != pdf_digest("<p>乙</p>", "p{}", "fonts1"));
  CHECK(d != pdf_digest("<p>甲</p>", "p{color:red}", "fonts1"));
  CHECK(d != pdf_digest("<p>甲</p>", "p{}", "fonts2"));
}

TEST_CASE("a PDF is made only when its page changed, and copied in from the cache", "[pdf]") {
  fs::path dir = fs::temp_directory_path() / ("bulletin-pdf-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::path project = dir / "project";
  write(project / "templates/assets/style.css", "p{}");
  std::vector<PdfPage> pages = {{"", "<body class=\"\">home"},
                                {"notices/a/", "<body class=\"is-notice\">甲"},
                                {"bulletins/b/", "<body class=\"is-issue\">乙"}};
  std::string engine = fake_engine(dir).string();

  MemoryWriter first;
  PdfReport r1 = make_pdfs(engine, project.string(), pages, first);
  CHECK(r1.made == 2);
  CHECK(r1.cached == 0);
  CHECK(r1.errors.empty());
  CHECK(first.files.count("notices/a/document.pdf") == 1);
  CHECK(first.files.count("bulletins/b/document.pdf") == 1);
  CHECK(first.files.count("document.pdf") == 0);
  CHECK(first.files["notices/a/document.pdf"].find(".bulletin-cache/pdf/") != std::string::npos);

  MemoryWriter second;
  PdfReport r2 = make_pdfs(engine, project.string(), pages, second);
  CHECK(r2.made == 0);
  CHECK(r2.cached == 2);
  CHECK(runs(dir) == 1);  // nothing changed: the engine did not run again
  CHECK(r2.message == "PDFs: 0 made, 2 unchanged (WeasyPrint)");

  pages[1].html = "<body class=\"is-notice\">甲（修订）";
  MemoryWriter third;
  PdfReport r3 = make_pdfs(engine, project.string(), pages, third);
  CHECK(r3.made == 1);
  CHECK(r3.cached == 1);
  CHECK(runs(dir) == 2);
  fs::remove_all(dir);
}

TEST_CASE("a PDF the engine fails on is reported with its page and left out", "[pdf]") {
  fs::path dir = fs::temp_directory_path() / ("bulletin-pdf-fail-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  write(dir / "project/templates/assets/style.css", "");
  fs::path exe = dir / "engine.sh";
  write(exe, "#!/bin/sh\nwhile IFS=\"$(printf '\\t')\" read -r src out; do echo \"error $out bad font\"; done\n");
  fs::permissions(exe, fs::perms::owner_all);
  MemoryWriter out;
  PdfReport r =
      make_pdfs(exe.string(), (dir / "project").string(), {{"notices/a/", "<body class=\"is-notice\">甲"}}, out);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == "notices/a/: bad font");
  CHECK(r.message == "PDFs: 0 made, 0 unchanged (WeasyPrint); 1 failed: notices/a/: bad font");
  CHECK(out.files.empty());
  fs::remove_all(dir);
}
