// load_article: one experience-sharing article (content/articles/<slug>.md).
#include "load/documents.h"
#include "load/loader_parts.h"
#include "load/schema.h"

namespace bulletin {

std::optional<Article> load_article(const SourceFile& file, const SiteConfig& config, Diagnostics& diags) {
  DocumentReader<Article> reader(file, article_schema(), diags);
  const Fields& f = reader.fields;
  Article& a = reader.doc;
  read_bound_fields(f, article_schema(), a);
  auto date = f.date("date");
  a.slug = f.text("slug", file_stem(file.path));
  check_slug(f, a.slug);
  if (f.has("title") && a.title.empty()) f.error("title", "the title is empty");
  if (reader.failed() || !date) return std::nullopt;
  a.date = *date;
  a.body_html = render_markdown(reader.front_matter.body, article_markdown(config));
  return std::move(a);
}

}  // namespace bulletin
