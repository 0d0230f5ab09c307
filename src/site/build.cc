#include "site/build.h"

#include <algorithm>

#include "render/pages.h"
#include "util/text.h"

namespace bulletin {
namespace {

struct BuildContext {
  const Project& project;
  const FileSystem& fs;
  OutputWriter& out;
  TemplateData site;
  BuildReport report;
};

void render(BuildContext& b, const std::string& tmpl, const TemplateData& page) {
  const TemplateData* u = page.get("url");
  std::string url = u && u->is_string() ? u->string_value() : "";  // the home page has none
  std::string path = url + (url.empty() || url.back() == '/' ? "index.html" : "");
  b.out.write(path, b.project.templates.render(tmpl, page, b.site));
}

void render_home(BuildContext& b) {
  const Content& c = b.project.content;
  HomeContent home;
  for (const auto& s : b.project.config.series) {
    auto it = std::find_if(c.issues.begin(), c.issues.end(),
                           [&](const BulletinIssue& i) { return i.series == s.id; });
    if (it != c.issues.end()) home.latest_issues.emplace_back(&s, &*it);
  }
  for (size_t i = 0; i < c.notices.size() && i < 8; ++i) home.latest_notices.push_back(&c.notices[i]);
  for (size_t i = 0; i < c.articles.size() && i < 8; ++i) home.latest_articles.push_back(&c.articles[i]);
  render(b, "home", home_page(home));
  render(b, "404", page_data("404", "404.html", "页面不存在"));
}

void render_articles(BuildContext& b) {
  const auto& articles = b.project.content.articles;
  render(b, "articles", articles_index(articles));
  for (const auto& a : articles) render(b, "article", article_page(a));
  b.report.documents["articles"] = static_cast<int>(articles.size());
}

void render_notices(BuildContext& b) {
  const auto& notices = b.project.content.notices;
  render(b, "notices", notices_index(notices));
  for (const auto& n : notices) {
    render(b, "notice", notice_page(n));
    for (const auto& a : n.attachments) {
      if (a.is_page()) {
        render(b, "attachment", attachment_page(n, a));
      } else {
        b.out.copy(attachment_url(n, a), join_path(b.project.root, a.file_source));
      }
    }
  }
  b.report.documents["notices"] = static_cast<int>(notices.size());
}

void render_bulletins(BuildContext& b) {
  const Content& c = b.project.content;
  std::map<std::string, std::vector<const BulletinIssue*>> by_series;
  for (const auto& i : c.issues) by_series[i.series].push_back(&i);  // newest first
  std::map<std::string, const Article*> articles;
  for (const auto& a : c.articles) articles[a.slug] = &a;

  render(b, "bulletins", bulletins_index(b.project.config.series, by_series));
  for (const auto& s : b.project.config.series) {
    auto& issues = by_series[s.id];
    render(b, "series", series_index(s, issues));
    for (size_t k = 0; k < issues.size(); ++k) {
      IssueContext ctx;
      ctx.series = &s;
      ctx.next = k > 0 ? issues[k - 1] : nullptr;
      ctx.previous = k + 1 < issues.size() ? issues[k + 1] : nullptr;
      ctx.articles = articles;
      render(b, "issue", issue_page(*issues[k], ctx));
    }
  }
  b.report.documents["issues"] = static_cast<int>(c.issues.size());
}

void copy_assets(BuildContext& b) {
  std::string dir = join_path(b.project.root, "templates/assets");
  for (const auto& rel : b.fs.list(dir)) b.out.copy("assets/" + rel, join_path(dir, rel));
}

}  // namespace

BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out,
                       const BuildOptions& options) {
  BuildContext b{project, fs, out, site_data(project.config), {}};
  using Step = void (*)(BuildContext&);
  static const std::pair<const char*, Step> kSteps[] = {
      {"home", render_home},         {"articles", render_articles}, {"notices", render_notices},
      {"bulletins", render_bulletins}, {"assets", copy_assets},
  };
  for (const auto& [name, step] : kSteps) {
    step(b);
    if (options.progress) options.progress(name, out.pages());
  }
  b.report.pages = out.pages();
  b.report.files = out.files();
  return b.report;
}

}  // namespace bulletin
