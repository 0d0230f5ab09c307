#include "site/links.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "render/pages.h"
#include "util/source_text.h"
#include "util/text.h"

namespace bulletin {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the character references that appear in attribute values.
std::string decode_entities(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    static const std::pair<const char*, const char*> kNamed[] = {
        {"amp", "&"}, {"quot", "\""}, {"apos", "'"}, {"lt", "<"}, {"gt", ">"}, {"nbsp", "\xC2\xA0"}};
    bool done = false;
    for (const auto& [n, v] : kNamed) {
      if (name == n) {
        out += v;
        done = true;
      }
    }
    if (!done && name.size() > 1 && name[0] == '#') {
      try {
        bool hex = name[1] == 'x' || name[1] == 'X';
        unsigned long cp = std::stoul(std::string(name.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
        append_utf8(out, cp);
        done = true;
      } catch (const std::exception&) {
      }
    }
    if (done) {
      i = semi;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Attribute {
  std::string name;  // lower case
  std::string value;
  size_t offset = 0;
};

struct Tag {
  std::string name;  // lower case
  std::vector<Attribute> attributes;
};

// Calls `visit` for every start tag of `html`, skipping comments and the
// contents of <script> and <style>.
template <typename Visit>
void each_tag(std::string_view html, Visit&& visit) {
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    size_t j = i + 1;
    if (j >= html.size() || !std::isalpha(static_cast<unsigned char>(html[j]))) {
      i = j;
      continue;
    }
    Tag tag;
    while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '-')) ++j;
    tag.name = lower(html.substr(i + 1, j - i - 1));
    while (j < html.size() && html[j] != '>') {
      if (is_space(html[j]) || html[j] == '/') {
        ++j;
        continue;
      }
      size_t name_start = j;
      while (j < html.size() && !is_space(html[j]) && html[j] != '=' && html[j] != '>' && html[j] != '/') ++j;
      Attribute a;
      a.name = lower(html.substr(name_start, j - name_start));
      while (j < html.size() && is_space(html[j])) ++j;
      if (j < html.size() && html[j] == '=') {
        ++j;
        while (j < html.size() && is_space(html[j])) ++j;
        if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
          char quote = html[j++];
          size_t end = html.find(quote, j);
          if (end == std::string_view::npos) end = html.size();
          a.offset = j;
          a.value = decode_entities(html.substr(j, end - j));
          j = end + 1;
        } else {
          size_t start = j;
          while (j < html.size() && !is_space(html[j]) && html[j] != '>') ++j;
          a.offset = start;
          a.value = decode_entities(html.substr(start, j - start));
        }
      }
      tag.attributes.push_back(std::move(a));
    }
    visit(tag);
    i = j;
    if (tag.name == "script" || tag.name == "style") {
      size_t end = lower(html.substr(i)).find("</" + tag.name);
      i = end == std::string::npos ? html.size() : i + end;
    }
  }
}

// "a/b/../c/./d" -> "a/c/d"; false when ".." climbs above the root.
bool normalize(const std::string& path, std::string& out) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
    } else if (part != "." && !part.empty()) {
      parts.push_back(part);
    }
    start = end + 1;
  }
  out.clear();
  for (size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
  if (!path.empty() && path.back() == '/' && !out.empty()) out += '/';
  return true;
}

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
    std::string scheme = lower(href.substr(0, colon));
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
  if (!normalize(joined, file)) {
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
  each_tag(html, [&](const Tag& tag) {
    for (const auto& a : tag.attributes)
      if (a.name == "href" || a.name == "src") out.push_back({a.name, a.value, a.offset});
  });
  return out;
}

std::vector<std::string> extract_anchors(std::string_view html) {
  std::vector<std::string> out;
  each_tag(html, [&](const Tag& tag) {
    for (const auto& a : tag.attributes)
      if (a.name == "id" || (a.name == "name" && tag.name == "a")) out.push_back(a.value);
  });
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
