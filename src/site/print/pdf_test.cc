#include "site/print/pdf.h"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>

#include <chrono>
#include <fstream>
#include <sstream>

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

namespace {
// A stand-in interpreter for the weasyprint probe: prints the probe's lines
// (its import folder, and weasyprint's when `found`), counts its runs.
void fake_python(const fs::path& exe, const fs::path& dir, bool found) {
  write(exe, "#!/bin/sh\necho run >> " + (dir / "runs").string() + "\necho 'P " + (dir / "lib").string() + "'\n" +
                 (found ? "echo 'W " + (dir / "lib/weasyprint").string() + "'\nexit 0\n" : "exit 1\n"));
  fs::permissions(exe, fs::perms::owner_all);
}

// Sets a file's mtime a second back, so its stamp is not "just changed".
void age(const fs::path& p, int seconds = 2) {
  fs::last_write_time(p, fs::last_write_time(p) - std::chrono::seconds(seconds));
}
}  // namespace

TEST_CASE("the weasyprint probe is cached until the interpreter or its packages change", "[pdf]") {
  fs::path dir = fs::temp_directory_path() / ("bulletin-pdf-probe-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "lib/weasyprint");
  fs::path python = dir / "python", missing = dir / "no-python";
  fake_python(python, dir, true);
  for (const auto& p : {python, dir / "lib/weasyprint", dir / "lib", dir}) age(p);
  std::string cache = (dir / "cache/probe").string();
  int runs = 0;
  CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == python.string());
  CHECK(runs == 2);
  CHECK(::runs(dir) == 1);
  // Nothing changed: the answer comes from the cache, nothing is started.
  CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == python.string());
  CHECK(runs == 2);
  SECTION("another list of interpreters asks again") {
    CHECK(probe_pdf_engine({python.string()}, cache, &runs) == python.string());
    CHECK(runs == 3);
  }
  SECTION("the interpreter replaced") {
    fake_python(python, dir, false);
    age(python, 1);
    CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == std::nullopt);
    CHECK(runs == 4);
    // The negative answer is cached too.
    CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == std::nullopt);
    CHECK(runs == 4);
  }
  SECTION("a package added to a folder on sys.path, or weasyprint upgraded") {
    write(dir / (GENERATE(std::string("lib/other.py"), std::string("lib/weasyprint/new.py"))), "");
    CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == python.string());
    CHECK(runs == 4);
  }
  SECTION("an interpreter appearing where there was none") {
    fake_python(missing, dir, true);
    CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == missing.string());
    CHECK(runs == 3);
  }
  SECTION("a damaged cache is not trusted") {
    std::string text;
    {
      std::ifstream in(cache);
      std::stringstream s;
      s << in.rdbuf();
      text = s.str();
    }
    std::ofstream(cache, std::ios::trunc) << text.substr(0, text.size() - 4);
    CHECK(probe_pdf_engine({missing.string(), python.string()}, cache, &runs) == python.string());
    CHECK(runs == 4);
  }
  fs::remove_all(dir);
}
