// A PDF of every notice, bulletin issue and attachment page, beside the page
// as document.pdf. The engine is WeasyPrint (Debian package `weasyprint`),
// driven by a small Python script embedded here: it embeds real subset fonts
// (pdffonts names FandolFang, 仿宋_GB2312…, never Type 3), and with
// SOURCE_DATE_EPOCH=0 its output is byte-for-byte reproducible.
//
// Fonts come from a generated fontconfig file: the system's fonts, the
// project's fonts/ folder (an office's licensed faces) and the Fandol faces of
// texlive-lang-chinese. A PDF is made only when one of its inputs changed: it
// is kept in PROJECT/.bulletin-cache/pdf/<digest>.pdf, keyed by the digest of
// the page's HTML, the stylesheet, the fonts and the driver, and copied into
// the site from there.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "render/snapshot.h"
#include "site/build/project.h"
#include "site/build/writer.h"

namespace bulletin {

inline constexpr const char* kPdfName = "document.pdf";

// Runs args[0] (searched on PATH) with `env` added to the environment, stdin
// from `in_path` (none when empty), stdout and stderr to `out_path`. Returns
// its exit code, -1 when it could not run or was killed.
int run_program(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& in_path,
                const std::string& out_path);

// The Python interpreter that can import weasyprint, or nullopt. Setting
// BULLETIN_PDF=0 in the environment turns PDFs off (the unit tests do).
// With `cache_dir` (e.g. <project>/.bulletin-cache/pdf) the answer is kept
// there with the stamps of what it depends on (see probe_pdf_engine), so a
// build does not start Python (~0.3 s) only to learn what it learnt before.
std::optional<std::string> find_pdf_engine(const std::string& cache_dir = "");
// Starts find_pdf_engine(cache_dir) on a thread, so that the probe overlaps
// other work (a build starts it before loading the project); the next
// find_pdf_engine call for the same folder takes its answer. An answer never
// taken is waited for when the process exits normally.
void start_pdf_probe(const std::string& cache_dir);

// The first of `pythons` (a path, or a name searched on PATH) that can
// import weasyprint, or nullopt. When `cache_file` (not empty) holds the
// answer of an earlier probe whose stamps all still hold, that answer is
// given without running anything; else each is run and the answer saved with
// the stamps it depends on: each interpreter (lstat and stat: a symlink
// retargeted or the binary replaced), for a bare name every PATH folder,
// every folder on the interpreter's sys.path and weasyprint's own package
// folder (a package installed, removed or upgraded changes one of their
// mtimes), ~/.local/lib (user site-packages), and the environment that
// steers Python (PATH, PYTHONPATH, PYTHONHOME, PYTHONUSERBASE,
// VIRTUAL_ENV, HOME). `runs`, when given, counts the interpreters started.
std::optional<std::string> probe_pdf_engine(const std::vector<std::string>& pythons, const std::string& cache_file,
                                            int* runs = nullptr);

// True for a page the build makes a PDF of (the layout marks notices,
// attachment pages and bulletin issues with body class is-notice / is-issue).
bool wants_pdf(const std::string& html);

// The cache key of one PDF: everything the PDF depends on.
std::string pdf_digest(const std::string& html, const std::string& css, const std::string& fonts_digest);

struct PdfReport {
  int made = 0, cached = 0;
  std::vector<std::string> errors;           // "URL: message"
  std::map<std::string, std::string> files;  // page URL -> its PDF in the cache
  std::string message;                       // one line for the build summary
};

struct PdfPage {
  std::string url;   // folder URL of the page, "notices/校党委发/2020/51/"
  std::string html;  // the page as rendered
};

// Makes (or takes from the cache) the PDF of every page in `pages` that wants
// one and copies it in as URL + document.pdf through `out`. Pages in `frozen`
// (URL -> frozen PDF) are skipped. The engine reads the HTML from
// PROJECT/.bulletin-cache/pdf/render/ with PROJECT/templates/assets beside it,
// so the step does not depend on what the site folder holds.
PdfReport make_pdfs(const std::string& engine, const std::string& project_root, const std::vector<PdfPage>& pages,
                    OutputWriter& out, const std::map<std::string, std::string>& frozen = {});

// What `publish` does for a notice or an issue: renders its page and its
// attachment pages as they will be published, makes their PDFs, stores them
// at frozen_pdf_path() and records their digests in the snapshot (pdf_digest,
// attachment_pdfs; its digest is then recomputed). Returns the lines to print.
std::string freeze_pdf(const std::string& engine, const Project& project, Snapshot& snapshot);

// What a build (and `check`) does for a published version: checks each PDF
// frozen with it against the digest its snapshot recorded (throws Error naming
// the file if one was changed or lost) and copies it in as `url` [+
// attachment folder] + document.pdf. Returns page URL -> frozen file.
std::map<std::string, std::string> copy_frozen_pdfs(const Project& project, OutputWriter& out,
                                                    const std::string& permanent_url, const Snapshot& version,
                                                    const std::string& url);

}  // namespace bulletin
