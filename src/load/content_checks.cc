#include "load/content_checks.h"

#include "util/text.h"

namespace bulletin {

void ContentChecks::article(const Article& a) {
  auto [it, fresh] = articles_.emplace(a.slug, a.source);
  if (!fresh) {
    diags_.error(a.where, "article URL 'articles/" + a.slug + "/' is already used by " + it->second +
                              "; give one of them another 'slug'");
  }
}

void ContentChecks::notice(const Notice& n, const SourceFile& file) {
  auto [it, fresh] = notice_urls_.emplace(n.url(), n.source);
  if (fresh) return;
  const SourceLocation& where = n.doc_no ? n.doc_no_where : n.where;
  diags_.error(where,
               (n.doc_no ? "document number " + n.doc_no->text() : "notice URL " + n.url()) + " is already used by " +
                   it->second,
               n.doc_no ? line_of(file.text, where.line) : "");
}

void ContentChecks::issue(const BulletinIssue& i, const SourceFile& file) {
  const Series* s = series_.find(i.series);
  std::string key = i.series + (i.supplement ? "/增刊/" : "/") +
                    (s && !s->yearly_numbering ? "" : std::to_string(i.date.year) + "/") + std::to_string(i.number);
  auto [it, fresh] = issue_keys_.emplace(key, i.source);
  if (!fresh) {
    std::string series_name = s ? s->name : i.series;
    diags_.error(i.number_where,
                 series_name + " " + (s && s->yearly_numbering ? std::to_string(i.date.year) + "年" : "") +
                     i.number_text() + " is already used by " + it->second,
                 line_of(file.text, i.number_where.line));
  }
  for (const auto& section : i.sections) {
    for (size_t k = 0; k < section.articles.size(); ++k) {
      const std::string& slug = section.articles[k];
      if (articles_.count(slug) || broken_articles_.count(slug)) continue;
      std::vector<std::string> known;
      for (const auto& [known_slug, _] : articles_) known.push_back(known_slug);
      std::string msg = "no article '" + slug + "' in content/articles";
      if (auto guess = did_you_mean(slug, known)) msg += "; did you mean '" + *guess + "'?";
      const SourceLocation& where = section.article_locations[k];
      diags_.error(where, msg, line_of(file.text, where.line));
    }
  }
}

}  // namespace bulletin
