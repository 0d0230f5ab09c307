// Markdown to HTML with cmark-gfm (tables, strikethrough, autolinks,
// footnotes, tagfilter). Extensions are registered once. cmark-gfm's inline
// pass toggles a process-wide table of the extensions' characters; that table
// is set once for good instead, so documents parse on any number of threads
// at once (markdown.cc says how, and when it falls back to one lock).
#pragma once

#include <string>
#include <string_view>

namespace bulletin {

struct MarkdownOptions {
  // Pass raw HTML through (still filtered by tagfilter). Default: off.
  bool raw_html = false;
  // Recognise the four official heading levels of GB/T 9704 at the start of
  // a paragraph: 一、 （一） 1. （1） (ASCII parentheses accepted). A short
  // paragraph becomes a heading (h2..h5); a long one keeps its text and gets
  // its marker wrapped in <span class="gw-lN">. "1." never starts a list.
  bool official_headings = false;
};

// Markdown `#` headings are shifted down one level (# -> h2) because the page
// title is the page's only h1. SMART punctuation is off: it would turn
// Chinese quotes and dashes into the wrong characters.
std::string render_markdown(std::string_view markdown, const MarkdownOptions& options = {});

// Which official level (1..4) a paragraph starting with `text` has, or 0;
// `marker_bytes` receives the length of the marker ("（一）", "1.").
int official_heading_level(std::string_view text, size_t* marker_bytes = nullptr);

// Whether documents are parsed on several threads at once (true where the
// program's definition of cmark-gfm's character-table function took the
// library's place, as with Debian's shared library), or one at a time under a
// lock.
bool markdown_parses_in_parallel();

}  // namespace bulletin
