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

#include <optional>
#include <string>
#include <vector>

#include "site/writer.h"

namespace bulletin {

inline constexpr const char* kPdfName = "document.pdf";

// The Python interpreter that can import weasyprint, or nullopt. Setting
// BULLETIN_PDF=0 in the environment turns PDFs off (the unit tests do).
std::optional<std::string> find_pdf_engine();

// True for a page the build makes a PDF of (the layout marks notices,
// attachment pages and bulletin issues with body class is-notice / is-issue).
bool wants_pdf(const std::string& html);

// The cache key of one PDF: everything the PDF depends on.
std::string pdf_digest(const std::string& html, const std::string& css, const std::string& fonts_digest);

struct PdfReport {
  int made = 0, cached = 0;
  std::vector<std::string> errors;  // "URL: message"
  std::string message;              // one line for the build summary
};

// Makes (or takes from the cache) the PDF of every page in `pages` (page URLs,
// as written under `site_dir`) that wants one and copies it in as
// URL + document.pdf through `out`.
PdfReport make_pdfs(const std::string& engine, const std::string& project_root, const std::string& site_dir,
                    const std::vector<std::string>& pages, OutputWriter& out);

}  // namespace bulletin
