#include "site/check/links.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "render/pages.h"
#include "util/html.h"
#include "util/source_text.h"
#include "util/text.h"

namespace bulletin {
namespace {

enum class LinkKind { Internal, External, Ignored, Outside };

struct Resolved {
  LinkKind kind = LinkKind::Internal;
  std::string file;      // site file, for Internal
  std::string fragment;  // decoded, without '#'
};

Resolved resolve(const std::string& page, const std::string& raw, const std::string& base_path) {
  Resolved r;
  std::string href = trim(raw);
  size_t colon = href.find(':');
  size_t first_special = href.find_first_of("/?#");
  if (colon != std::string::npos && (first_special == std::string::npos || colon < first_special)) {
    std::string scheme = ascii_lower(href.substr(0, colon));
    r.kind = scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "ftp" ? LinkKind::External
                                                                                            : LinkKind::Ignored;
    return r;  // data:, javascript:, tel: …
  }
  if (href.starts_with("//")) {
    r.kind = LinkKind::External;
    return r;
  }
  size_t hash = href.find('#');
  if (hash != std::string::npos) {
    r.fragment = percent_decode(href.substr(hash + 1));
    href.resize(hash);
  }
  size_t query = href.find('?');
  if (query != std::string::npos) href.resize(query);
  href = percent_decode(href);
  if (href.empty()) {
    r.file = page;
    return r;
  }
  std::string joined;
  if (href[0] == '/') {
    if (!href.starts_with(base_path) && href + "/" != base_path) {
      r.kind = LinkKind::Outside;
      return r;
    }
    joined = href.size() >= base_path.size() ? href.substr(base_path.size()) : "";
  } else {
    size_t slash = page.rfind('/');
    joined = (slash == std::string::npos ? "" : page.substr(0, slash + 1)) + href;
  }
  std::string file;
  if (!normalize_path(joined, file)) {
    r.kind = LinkKind::Outside;
    return r;
  }
  if (file.empty() || file.back() == '/') file += "index.html";
  r.file = file;
  return r;
}

// "articles/x/index.html" -> "/articles/x/".
std::string page_url(const std::string& file) {
  std::string url = "/" + file;
  if (url.ends_with("/index.html")) url.resize(url.size() - std::string("index.html").size());
  return url;
}

// Where in the page's sources `href` was written, best effort: first as a
// Markdown link target "(href", then anywhere; as written, then percent-decoded
// (cmark percent-encodes non-ASCII characters in link targets).
std::optional<std::pair<SourceLocation, std::string>> find_in_sources(const std::vector<LinkSource>& sources,
                                                                      const std::string& href) {
  std::vector<std::pair<std::string, size_t>> needles;  // text, length of the prefix before the link
  std::vector<std::string> forms = {href};
  if (percent_decode(href) != href) forms.push_back(percent_decode(href));
  for (const std::string& h : forms) {
    for (const char* end : {")", " ", "\"", "'", ">"}) needles.emplace_back("(" + h + end, 1);
    needles.emplace_back("<" + h + ">", 1);
    needles.emplace_back("\"" + h + "\"", 1);
    needles.emplace_back("'" + h + "'", 1);
  }
  for (const std::string& h : forms) needles.emplace_back(h, 0);
  for (const auto& [needle, prefix] : needles) {
    if (needle.size() == prefix) continue;
    for (const auto& s : sources) {
      size_t at = s.text.find(needle);
      if (at == std::string::npos) continue;
      SourceLocation where = location_of_offset(s.path, s.text, at + prefix);
      return std::make_pair(where, line_of(s.text, where.line));
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<HtmlLink> extract_links(std::string_view html) {
  std::vector<HtmlLink> out;
  for (const HtmlTag& tag : start_tags(html))
    for (const auto& a : tag.attributes)
      if (a.name == "href" || a.name == "src") out.push_back({a.name, a.value, a.offset});
  return out;
}

std::vector<std::string> extract_anchors(std::string_view html) {
  std::vector<std::string> out;
  for (const HtmlTag& tag : start_tags(html))
    for (const auto& a : tag.attributes)
      if (a.name == "id" || (a.name == "name" && tag.name == "a")) out.push_back(a.value);
  return out;
}

PageSources page_sources(const Project& project, const FileSystem& fs) {
  PageSources out;
  auto source = [&](const std::string& rel) {
    return LinkSource{rel, fs.read(join_path(project.root, rel)).value_or("")};
  };
  const Content& c = project.content;
  std::map<std::string, const Article*> by_slug;
  for (const auto& a : c.articles) {
    out[a.url() + "index.html"].push_back(source(a.source));
    by_slug[a.slug] = &a;
  }
  for (const auto& n : c.notices) {
    std::vector<LinkSource> sources = {source(n.source)};
    std::string folder = n.source.substr(0, n.source.size() - (n.source.ends_with(".md") ? 3 : 0));
    for (const auto& rel : fs.list(join_path(project.root, folder)))
      if (rel.ends_with(".md")) sources.push_back(source(folder + "/" + rel));
    out[n.url() + "index.html"] = sources;
    for (const auto& a : n.attachments)
      if (a.is_page()) out[attachment_url(n, a) + "index.html"] = sources;
  }
  for (const auto& i : c.issues) {
    auto& sources = out[i.url() + "index.html"];
    sources.push_back(source(i.source));
    for (const auto& section : i.sections)
      for (const auto& slug : section.articles)
        if (by_slug.count(slug)) sources.push_back(source(by_slug[slug]->source));
  }
  return out;
}

Diagnostics check_links(const std::map<std::string, std::string>& site, const PageSources& sources,
                        const LinkCheckOptions& options) {
  Diagnostics diags;
  std::map<std::string, std::set<std::string>> anchors;  // page -> ids, computed on demand
  std::map<std::string, ExternalLinkCheck> external;
  std::set<std::tuple<std::string, int, int, std::string>> reported;
  // Broken targets already reported at a Markdown source. An article shown
  // inside an issue carries its links there too (rebased to the issue's
  // depth): the same mistake is reported once, where staff can fix it.
  std::set<std::string> reported_at_source;
  static const std::vector<LinkSource> kNoSources;
  std::string base = options.base_path.empty() ? "/" : options.base_path;
  if (base.back() != '/') base += '/';

  auto exists = [&](const std::string& file) { return site.count(file) > 0; };
  auto has_anchor = [&](const std::string& file, const std::string& id) {
    auto it = anchors.find(file);
    if (it == anchors.end()) {
      std::vector<std::string> ids = extract_anchors(site.at(file));
      it = anchors.emplace(file, std::set<std::string>(ids.begin(), ids.end())).first;
    }
    return it->second.count(id) > 0;
  };

  for (const auto& [page, html] : site) {
    if (!page.ends_with(".html")) continue;
    auto src = sources.find(page);
    const auto& page_srcs = src == sources.end() ? kNoSources : src->second;
    for (const HtmlLink& link : extract_links(html)) {
      Resolved r = resolve(page, link.value, base);
      std::string problem;  // empty: fine
      Severity severity = Severity::Error;
      if (r.kind == LinkKind::Ignored) continue;
      std::string shown = percent_decode(link.value);  // as staff typed it
      if (r.kind == LinkKind::External) {
        if (!options.check_external) continue;
        std::string url = trim(link.value);
        auto it = external.find(url);
        if (it == external.end()) it = external.emplace(url, options.check_external(url)).first;
        if (it->second.result == ExternalLinkCheck::Ok) continue;
        if (it->second.result == ExternalLinkCheck::Broken) {
          problem = "broken external link '" + shown + "' (" + it->second.detail + ")";
        } else {
          problem = "external link '" + shown + "' not checked (" + it->second.detail + ")";
          severity = Severity::Warning;
        }
      } else if (r.kind == LinkKind::Outside) {
        problem = "broken link '" + shown + "'";
      } else {
        std::string file = r.file;
        if (!exists(file) && exists(file + "/index.html")) file += "/index.html";  // server redirects
        if (!exists(file)) {
          problem = "broken link '" + shown + "'";
        } else if (!r.fragment.empty() && r.fragment != "top" && file.ends_with(".html") &&
                   !has_anchor(file, r.fragment)) {
          problem = "broken link '" + shown + "'";
        }
      }
      if (problem.empty()) continue;
      problem += " (from " + page_url(page) + ")";
      Diagnostic d;
      d.severity = severity;
      std::string target = r.kind == LinkKind::External ? trim(link.value) : r.file + "#" + r.fragment;
      if (auto found = find_in_sources(page_srcs, link.value)) {
        d.where = found->first;
        d.source_line = found->second;
        reported_at_source.insert(target);
      } else if (reported_at_source.count(target)) {
        continue;
      } else {
        d.where = location_of_offset(page, html, link.offset);
      }
      d.message = problem;
      if (!reported.emplace(d.where.path, d.where.line, d.where.column, link.value).second) continue;
      diags.add(std::move(d));
    }
  }
  return diags;
}

}  // namespace bulletin
