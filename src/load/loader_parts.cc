#include "load/loader_parts.h"

#include "load/schema.h"
#include "util/input_check.h"

namespace bulletin {

MarkdownOptions article_markdown(const SiteConfig& config) { return {config.raw_html, false}; }

MarkdownOptions official_markdown(const SiteConfig& config) { return {config.raw_html, true}; }

Revision read_revision(const Fields& f) {
  Revision revision;
  revision.where = f.where("revision");
  revision.source_line = line_of(f.front_matter().file->text, revision.where.line);
  auto r = f.integer("revision");
  revision.number = r ? static_cast<int>(*r) : 0;
  revision.note = f.text("revision_note");
  if (r && *r < 2) f.error("revision", "revision numbers a correction: the first correction is revision: 2");
  if (r && revision.note.empty())
    f.error("revision", "a revision needs a revision_note saying what was corrected (修订说明)");
  if (!r && !revision.note.empty()) f.error("revision_note", "revision_note needs a revision number, e.g. revision: 2");
  return revision;
}

void check_slug(const Fields& f, const std::string& slug) {
  if (std::string why = slug_problem(slug); !why.empty()) {
    f.error_at(f.has("slug") ? f.where("slug") : SourceLocation{f.front_matter().file->path, 1, 1},
               "'" + utf8_sanitized(slug) + "' cannot be used in a URL: it " + why);
  }
}

}  // namespace bulletin
