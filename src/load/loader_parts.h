// Pieces the per-type loaders (article_loader.cc, notice_loader.cc,
// issue_loader.cc) share. Internal to load/.
#pragma once

#include <string>

#include "load/front_matter.h"
#include "load/markdown.h"
#include "load/schema.h"
#include "model/documents.h"
#include "util/fs.h"

namespace bulletin {

// The start every loader shares: the file's front matter read against the
// document type's schema, and the document with its source and place.
template <class Doc>
struct DocumentReader {
  DocumentReader(const SourceFile& file, const DocumentSchema<Doc>& schema, Diagnostics& diags)
      : front_matter(parse_front_matter(file)),
        errors_before(diags.error_count()),
        fields(front_matter, schema.specs(), diags) {
    doc.source = file.path;
    doc.where = {file.path, 1, 1};
  }
  // True when reading the document reported an error.
  bool failed() const { return fields.diagnostics().error_count() > errors_before; }

  FrontMatter front_matter;
  int errors_before;
  Fields fields;
  Doc doc;
};

// Articles and bulletin issues; notices use official_markdown (公文 headings).
MarkdownOptions article_markdown(const SiteConfig& config);
MarkdownOptions official_markdown(const SiteConfig& config);

// `revision: 2` with `revision_note: …` declares a correction of a published
// document; problems go to f's diagnostics.
Revision read_revision(const Fields& f);

// Reports `slug` at its field (or the file's first line when the slug is the
// file name) when it cannot be used in a URL.
void check_slug(const Fields& f, const std::string& slug);

// load_issue with the series index built once by load_content.
std::optional<BulletinIssue> load_issue(const SourceFile& file, const SiteConfig& config, const SeriesIndex& series,
                                        Diagnostics& diags, bool frozen);

}  // namespace bulletin
