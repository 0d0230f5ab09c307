// load_article: one experience-sharing article (content/articles/<slug>.md).
#include "load/documents.h"
#include "load/loader_parts.h"
#include "load/schema.h"

namespace bulletin {

std::optional<Article> load_article(const SourceFile& file, const SiteConfig& config,
                                    Diagnostics& diags) {
  FrontMatter fm = parse_front_matter(file);
  int before = diags.error_count();
  const auto& schema = article_schema();
  Fields f(fm, schema.specs(), diags);
  Article a;
  a.source = file.path;
  a.where = {file.path, 1, 1};
  read_bound_fields(f, schema, a);
  auto date = f.date("date");
  a.slug = f.text("slug", file_stem(file.path));
  check_slug(f, a.slug);
  if (f.has("title") && a.title.empty()) f.error("title", "the title is empty");
  if (diags.error_count() > before || !date) return std::nullopt;
  a.date = *date;
  a.body_html = render_markdown(fm.body, article_markdown(config));
  return a;
}

}  // namespace bulletin
