// load_content: walks content/ and loads every document with its per-type
// loader (article_loader.cc, notice_loader.cc, issue_loader.cc), checking
// them against each other as it goes (content_checks.cc).
#include "load/documents.h"

#include <algorithm>

#include "load/content_checks.h"
#include "load/loader_parts.h"
#include "load/parse_cache.h"
#include "util/sha256.h"
#include "util/timing.h"

namespace bulletin {

std::string notice_resources(const std::string& source) {
  return source.ends_with(".md") ? source.substr(0, source.size() - 3) : source;
}

std::string parse_options_key(const SiteConfig& config) { return config.raw_html ? "raw_html=1" : "raw_html=0"; }

std::string source_digest(const FileSystem& fs, const std::string& root, const std::string& source,
                          const std::string& resource_dir) {
  std::string all = fs.read(join_path(root, source)).value_or("");
  if (!resource_dir.empty()) {
    for (const auto& rel : fs.list(join_path(root, resource_dir))) {
      all += std::string("\0", 1) + rel + std::string("\0", 1);
      all += fs.read(join_path(root, join_path(resource_dir, rel))).value_or("");
    }
  }
  return sha256(all);
}

namespace {

// Newest first; documents of the same date in URL (or slug) order.
void sort_newest_first(Content& content) {
  std::stable_sort(content.articles.begin(), content.articles.end(), [](const Article& a, const Article& b) {
    return a.date != b.date ? a.date > b.date : a.slug < b.slug;
  });
  std::stable_sort(content.notices.begin(), content.notices.end(), [](const Notice& a, const Notice& b) {
    Date da = a.date.value_or(Date{a.year(), 1, 1}), db = b.date.value_or(Date{b.year(), 1, 1});
    return da != db ? da > db : a.url() < b.url();
  });
  std::stable_sort(content.issues.begin(), content.issues.end(), [](const BulletinIssue& a, const BulletinIssue& b) {
    return a.date != b.date ? a.date > b.date : a.url() < b.url();
  });
}

}  // namespace

Content load_content(const FileSystem& fs, const std::string& root, const SiteConfig& config, const SeriesIndex& series,
                     Diagnostics& diags, const FrozenSources& frozen, ParseCache* cache, int threads) {
  auto is_frozen = [&](const std::string& source, const std::string& digest) {
    auto it = frozen.find(source);
    return it != frozen.end() && it->second == digest;
  };
  StageTimer timer;
  Content content;
  // Calls load_one(file) for each Markdown file of `folder`; a thrown Error
  // is collected and the walk goes on.
  auto load_each = [&](const std::string& folder, bool top_level_only, auto&& load_one) {
    std::string dir = join_path(root, folder);
    std::vector<ListProblem> problems;
    for (const auto& rel : fs.list(dir, &problems)) {
      if (!rel.ends_with(".md")) continue;
      if (top_level_only && rel.find('/') != std::string::npos) continue;  // resources, checked when named
      if (std::string why = fs.outside(root, join_path(dir, rel)); !why.empty()) {
        diags.error({join_path(folder, rel), 0, 0}, why);
        continue;
      }
      auto text = fs.read(join_path(dir, rel));
      if (!text) {
        diags.error({join_path(folder, rel), 0, 0}, "cannot be read");
        continue;
      }
      SourceFile file{join_path(folder, rel), std::move(*text)};
      ++content.files;
      try {
        load_one(file);
      } catch (const Error& e) {
        diags.add(e.diagnostic());
      }
    }
    for (const auto& p : problems) diags.error({join_path(folder, p.path), 0, 0}, p.what);
  };
  ContentChecks checks(series, diags);
  ParseCache none("", "");
  ParseCache& parse_cache = cache ? *cache : none;
  {
    // Articles: cached ones as they were, the others parsed on the pool.
    std::vector<std::string> broken;
    content.articles = load_articles(fs, root, config, diags, parse_cache, broken, content.files, threads);
    for (const auto& stem : broken) checks.broken_article(stem);
    for (const auto& a : content.articles) checks.article(a);
    timer.mark("    articles");
  }
  // Notices and issues not frozen come from the parse cache when what they
  // are made from has the digest recorded; parsed, they are cached when they
  // loaded without any diagnostic (so a warning shows on every build).
  auto load_cached = [&](bool frozen_one, auto&& take, auto&& load, auto&& note) {
    auto doc = frozen_one ? std::nullopt : take();
    if (doc) return doc;
    Diagnostics own;
    try {
      doc = load(own);
    } catch (const Error& e) {
      own.add(e.diagnostic());
    }
    diags.append(own);
    if (doc && !frozen_one && own.items().empty()) note(*doc);
    return doc;
  };
  load_each("content/notices", true, [&](const SourceFile& file) {
    std::string digest = source_digest(fs, root, file.path, notice_resources(file.path));
    bool frozen_one = is_frozen(file.path, digest);
    if (auto n = load_cached(
            frozen_one, [&] { return parse_cache.take_notice(file.path, digest); },
            [&](Diagnostics& own) { return load_notice(file, fs, root, config, own, frozen_one); },
            [&](const Notice& n) { parse_cache.note_notice(n, digest); })) {
      n->source_digest = std::move(digest);
      checks.notice(*n, file);
      content.notices.push_back(std::move(*n));
    }
  });
  std::string series_text;  // everything of the declared series an issue may take
  for (const auto& s : config.series) {
    for (const std::string* field : {&s.id, &s.name, &s.editor}) series_text += std::string("\0", 1) + *field;
    series_text += s.yearly_numbering ? "\1" : "\2";
  }
  load_each("content/bulletins", false, [&](const SourceFile& file) {
    std::string digest = sha256(file.text);  // the file is all an issue's source
    bool frozen_one = is_frozen(file.path, digest);
    std::string made_from = sha256(digest + series_text);  // and the series it may name
    if (auto i = load_cached(
            frozen_one, [&] { return parse_cache.take_issue(file.path, made_from); },
            [&](Diagnostics& own) { return load_issue(file, config, series, own, frozen_one); },
            [&](const BulletinIssue& i) { parse_cache.note_issue(i, made_from); })) {
      i->source_digest = std::move(digest);
      checks.issue(*i, file);
      content.issues.push_back(std::move(*i));
    }
  });
  sort_newest_first(content);
  timer.mark("    notices+issues");
  return content;
}

}  // namespace bulletin
