// Web fonts shipped with the site, so that a screen without the official faces
// (仿宋_GB2312, 方正小标宋…) or Fandol installed still shows a 公文 in 仿宋, 小标宋,
// 黑体 and 楷体. Only when bulletin.yaml says so (`web_fonts: [fonts, fandol]`):
// `fonts` ships the project's fonts/ folder (an office says its licence allows
// it), `fandol` the Fandol faces of texlive-lang-chinese (GPL v3 with the font
// exception, whose licence text ships beside them).
//
// Whole CJK faces are 5-8 MB each, so every face is subset (fontTools, the
// Python library WeasyPrint uses) to the characters of the site's documents
// (notices, attachment pages, issues) plus printable ASCII and written as WOFF2
// into site/assets/fonts/, with assets/fonts.css holding one @font-face rule per
// family name (relative URLs; `local()` first, so an installed face wins).
// Subsets are kept in PROJECT/.bulletin-cache/webfonts/ under a digest of the
// face, the characters and the driver, so an unchanged site makes none.
#pragma once

#include <string>
#include <vector>

#include "load/config.h"
#include "site/build/writer.h"
#include "site/print/pdf.h"

namespace bulletin {

struct WebFont {
  std::string path;  // the face on disk
  std::string name;  // its file name in site/assets/fonts/, without extension
};

// The faces bulletin.yaml asks to ship, in a stable order (empty when none).
std::vector<WebFont> web_fonts_wanted(const SiteConfig& config, const std::string& project_root);

// The Python that can import fontTools.subset and brotli, or nullopt.
std::optional<std::string> find_font_tools();

// Every character of `pages` outside HTML markup, plus printable ASCII, as
// sorted UTF-8 (deterministic whatever the page order).
std::string document_characters(const std::vector<PdfPage>& pages);

struct WebFontReport {
  int made = 0, cached = 0;
  std::string message;  // one line for the build summary
};

// Subsets `fonts` to `characters` (or takes them from the cache) and writes
// assets/fonts/NAME.woff2, their licences and assets/fonts.css through `out`.
WebFontReport ship_web_fonts(const std::string& python, const std::string& project_root,
                             const std::vector<WebFont>& fonts, const std::string& characters, OutputWriter& out);

}  // namespace bulletin
