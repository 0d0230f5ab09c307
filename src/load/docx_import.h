// Word documents in: a .docx article or notice turned into a Markdown source.
//
// pandoc (Debian's) converts the document to its JSON syntax tree; the
// bulletin-specific part is recognising, in the blocks around the body, what
// becomes front matter: for an article the title, unit (and author) and date
// under it or at its end; for a notice the issuing organ, 发文字号 (and
// 签发人), title, 主送机关 (the line ending in "："), and at the end the
// signature and date. Those blocks are removed; the rest is written back by
// pandoc as GitHub-flavoured Markdown (tables as GFM tables, bold lead-ins as
// **…**), images extracted to `<resource_dir>/media/` and linked as
// `media/…`, relative to the page.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/date.h"

namespace bulletin {

enum class ImportKind { Article, Notice };

struct ImportedDocument {
  std::string source;                 // the Markdown file: front matter and body
  std::vector<std::string> media;     // extracted images, relative to resource_dir
  std::vector<std::string> to_check;  // what could not be recognised or placed, in words
  std::string title;
};

// Converts `docx_path`. Images are written under `resource_dir` (made when
// there are any). `today` is written as the date when the document shows
// none (and said so in to_check). Throws Error naming `docx_path` when
// pandoc is missing or cannot read the file.
ImportedDocument import_docx(const std::string& docx_path, ImportKind kind, const std::string& resource_dir,
                             const Date& today);

// The 发文字号 in `text` ("校党委发〔2020〕51号"), if any; brackets [] () 【】
// written for 〔〕 are accepted and normalised.
std::optional<std::string> find_document_number(const std::string& text);

}  // namespace bulletin
