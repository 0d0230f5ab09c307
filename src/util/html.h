// The HTML, XML and URL text toolkit every renderer and the link checker
// share: escaping, character references, text content, start tags with their
// attributes, percent-encoding and site-relative paths. It reads HTML as
// bulletin writes it (cmark-gfm and Mustache output); it is not a full HTML5
// parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bulletin {

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view s);
// html_escape with ' as &apos;: kainjow Mustache's own mapping, which the
// templates' {{value}} keeps so that pages keep their bytes.
std::string mustache_escape(std::string_view s);
// Escapes & < > " for XML 1.0 text (feeds, sitemap, SVG) and drops the
// control characters XML 1.0 does not allow (all below 0x20 but tab, LF, CR).
std::string xml_escape(std::string_view s);

// Appends code point `cp` to `out` as UTF-8.
void append_utf8(std::string& out, unsigned long cp);

// How &nbsp; is decoded: as U+00A0 (an attribute value, as the browser
// reads it) or as a plain space (text for search, excerpts and diffs).
enum class Nbsp { Keep, AsSpace };
// Decodes the character reference starting at s[at] (an '&'): the named ones
// amp, quot, apos, lt, gt, nbsp and numeric ones (&#20013; &#x4E2D;). Appends
// the character to `out` and returns the reference's length, or returns 0 and
// appends nothing when s[at] starts no reference.
size_t decode_entity(std::string_view s, size_t at, std::string& out, Nbsp nbsp = Nbsp::Keep);
// `s` with every character reference decoded (&nbsp; as U+00A0).
std::string decode_entities(std::string_view s);

// The text content of HTML: tags dropped, character references decoded
// (&nbsp; as a space), a line break after each block element (p, pre, br,
// h1-h6, li, tr, td, th, div). Used for feed excerpts, published-document
// diffs and tests.
std::string html_to_text(std::string_view html);

// One attribute of a start tag.
struct HtmlAttribute {
  std::string name;   // lower case
  std::string value;  // character references decoded
  size_t offset = 0;  // byte offset of the value in the HTML
};
// A start tag.
struct HtmlTag {
  std::string name;  // lower case
  std::vector<HtmlAttribute> attributes;
};
// Every start tag of `html`, in order; comments and the contents of <script>
// and <style> are skipped.
std::vector<HtmlTag> start_tags(std::string_view html);

// "%E4%B8%AD" -> "中"; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view s);
// RFC 3986 for sitemaps: every byte but letters, digits, - _ . ~ / and : is
// percent-encoded (upper-case hex).
std::string percent_encode(std::string_view s);

// What a ".." above the root means: an error (a link out of the site), or
// the root itself, as a browser resolves a URL (RFC 3986).
enum class AboveRoot { Fail, StayAtRoot };
// "a/b/../c/./d" -> "a/c/d" (a trailing '/' is kept); false when ".." climbs
// above the root and `above` is Fail.
bool normalize_path(std::string_view path, std::string& out, AboveRoot above = AboveRoot::Fail);

}  // namespace bulletin
