#include "util/html.h"

#include <array>
#include <cctype>

#include "util/text.h"

namespace bulletin {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// `s` escaped for markup, with `apostrophe` for ' (empty: ' is kept); `xml`
// also drops the control characters XML 1.0 forbids. The runs between the
// characters replaced are copied whole.
std::string escape_markup(std::string_view s, std::string_view apostrophe, bool xml) {
  // 1: one of & < > " '; 2: a control character XML forbids (not tab, LF, CR).
  static constexpr auto kClass = [] {
    std::array<unsigned char, 256> t{};
    for (unsigned char c : {'&', '<', '>', '"', '\''}) t[c] = 1;
    for (int c = 0; c < 0x20; ++c)
      if (c != '\t' && c != '\n' && c != '\r') t[c] = 2;
    return t;
  }();
  const bool keep_apostrophe = apostrophe.empty();
  auto plain = [&](char c) {  // copied as it is
    unsigned char k = kClass[static_cast<unsigned char>(c)];
    return k == 0 || (k == 2 && !xml) || (c == '\'' && keep_apostrophe);
  };
  size_t i = 0;
  while (i < s.size() && plain(s[i])) ++i;
  if (i == s.size()) return std::string(s);  // most values: nothing to replace
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  size_t run = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (plain(c)) continue;
    std::string_view replacement;  // empty for a dropped control character
    switch (c) {
      case '&': replacement = "&amp;"; break;
      case '<': replacement = "&lt;"; break;
      case '>': replacement = "&gt;"; break;
      case '"': replacement = "&quot;"; break;
      case '\'': replacement = apostrophe; break;
      default: break;
    }
    out.append(s, run, i - run);
    out += replacement;
    run = i + 1;
  }
  out.append(s, run, std::string_view::npos);
  return out;
}

// The tag name of "<p class=x" or "</p" (without '<'): lower case, with a
// leading '/' for an end tag.
std::string tag_name(std::string_view tag) {
  size_t i = tag.starts_with('/') ? 1 : 0;
  size_t j = i;
  while (j < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[j])) || tag[j] == '-')) ++j;
  return ascii_lower(tag.substr(0, j));
}

}  // namespace

std::string html_escape(std::string_view s) { return escape_markup(s, "&#39;", false); }
std::string mustache_escape(std::string_view s) { return escape_markup(s, "&apos;", false); }
std::string xml_escape(std::string_view s) { return escape_markup(s, "", true); }

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

size_t decode_entity(std::string_view s, size_t at, std::string& out, Nbsp nbsp) {
  if (at >= s.size() || s[at] != '&') return 0;
  size_t semi = s.find(';', at);
  if (semi == std::string_view::npos || semi - at > 10) return 0;
  std::string_view name = s.substr(at + 1, semi - at - 1);
  static const std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"quot", "\""}, {"apos", "'"}, {"lt", "<"}, {"gt", ">"}};
  for (const auto& [n, v] : kNamed) {
    if (name == n) {
      out += v;
      return semi - at + 1;
    }
  }
  if (name == "nbsp") {
    out += nbsp == Nbsp::AsSpace ? " " : "\xC2\xA0";
    return semi - at + 1;
  }
  if (name.size() > 1 && name[0] == '#') {
    try {
      bool hex = name[1] == 'x' || name[1] == 'X';
      append_utf8(out, std::stoul(std::string(name.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10));
      return semi - at + 1;
    } catch (const std::exception&) {
    }
  }
  return 0;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = decode_entity(s, i, out);
    if (n == 0) out += s[i++];
    else i += n;
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  static const std::string_view kBlockEnds[] = {"br",  "/p",  "/pre", "/h1", "/h2", "/h3", "/h4",
                                                "/h5", "/h6", "/li",  "/tr", "/td", "/th", "/div"};
  std::string out;
  out.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t end = html.find('>', i);
      std::string name = tag_name(html.substr(i + 1, end == std::string_view::npos ? end : end - i - 1));
      bool block = false;
      for (std::string_view b : kBlockEnds) block = block || name == b;
      if (block && !out.empty() && out.back() != '\n') out += '\n';
      i = end == std::string_view::npos ? html.size() : end + 1;
    } else if (size_t n = decode_entity(html, i, out, Nbsp::AsSpace)) {
      i += n;
    } else {
      out += html[i++];
    }
  }
  return out;
}

std::vector<HtmlTag> start_tags(std::string_view html) {
  std::vector<HtmlTag> tags;
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
    HtmlTag tag;
    while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '-')) ++j;
    tag.name = ascii_lower(html.substr(i + 1, j - i - 1));
    while (j < html.size() && html[j] != '>') {
      if (is_space(html[j]) || html[j] == '/') {
        ++j;
        continue;
      }
      size_t name_start = j;
      while (j < html.size() && !is_space(html[j]) && html[j] != '=' && html[j] != '>' && html[j] != '/') ++j;
      HtmlAttribute a;
      a.name = ascii_lower(html.substr(name_start, j - name_start));
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
    i = j;
    if (tag.name == "script" || tag.name == "style") {
      size_t end = ascii_lower(html.substr(i)).find("</" + tag.name);
      i = end == std::string::npos ? html.size() : i + end;
    }
    tags.push_back(std::move(tag));
  }
  return tags;
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

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool normalize_path(std::string_view path, std::string& out, AboveRoot above) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty() && above == AboveRoot::Fail) return false;
      if (!parts.empty()) parts.pop_back();
    } else if (part != "." && !part.empty()) {
      parts.push_back(part);
    }
    start = end + 1;
  }
  out.clear();
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out += parts[k];
  }
  if (!path.empty() && path.back() == '/' && !out.empty()) out += '/';
  return true;
}

}  // namespace bulletin
