#include "load/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <dlfcn.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "util/arena.h"
#include "util/text.h"

namespace bulletin {
namespace {

const char* const kExtensions[] = {"table", "strikethrough", "autolink", "tagfilter"};

// How many times cmark-gfm asked for its table of special characters to be
// changed (see the definition below `namespace bulletin`).
std::atomic<unsigned long> table_changes_asked{0};

using Parser = std::unique_ptr<cmark_parser, void (*)(cmark_parser*)>;

// One document's parse and render allocate thousands of small nodes and
// buffers that all die together; cmark-gfm takes them from a bump arena of
// the thread (util/arena.h), reset when the document is done, instead of
// one malloc and free each. cmark_mem's functions take no context, hence
// thread_local. cmark-gfm aborts when its own allocator fails; so do these
// (no exception may cross the C library).
thread_local BumpArena document_arena;

[[noreturn]] void out_of_memory() {
  std::fputs("bulletin: out of memory while parsing Markdown, aborting\n", stderr);
  std::abort();
}

void* arena_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) out_of_memory();
  try {
    return document_arena.allocate(count * size, true);
  } catch (const std::bad_alloc&) {
    out_of_memory();
  }
}

void* arena_realloc(void* p, size_t size) {
  try {
    return document_arena.reallocate(p, size);
  } catch (const std::bad_alloc&) {
    out_of_memory();
  }
}

void arena_free(void*) {}

cmark_mem arena_mem = {arena_calloc, arena_realloc, arena_free};

// Resets the thread's arena when the document that used it is done, however
// it ends.
struct ArenaScope {
  ~ArenaScope() { document_arena.reset(); }
};

void no_free(cmark_parser*) {}

// `tables`: attach the table extension (every other one is always attached).
Parser new_parser(int flags, cmark_mem* mem = nullptr, bool tables = true) {
  static const bool registered = (cmark_gfm_core_extensions_ensure_registered(), true);
  (void)registered;
  // With the arena, the parser's memory goes when the arena is reset.
  Parser parser = mem ? Parser(cmark_parser_new_with_mem(flags, mem), no_free)
                      : Parser(cmark_parser_new(flags), cmark_parser_free);
  for (const char* name : kExtensions) {
    if (!tables && std::strcmp(name, "table") == 0) continue;
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  return parser;
}

std::mutex& parser_lock() {
  static std::mutex m;
  return m;
}

// Whether cmark_parser_finish may run on several threads at once. cmark-gfm's
// inline pass marks each extension's characters (`~`, `:`, `w`) in a table of
// the whole process when it starts and clears them when it ends, so one
// document's end would blind another's inline pass mid-way. Every parser here
// attaches the same extensions, so the table is set once, for good, with
// them, and the library's calls to change it are answered by the definition
// below, which leaves it alone: each inline pass then sees the table it would
// have seen alone. The library calls that function through its PLT (an
// exported symbol), so the program's definition takes its place; a probe
// checks that it did, and that a probe document still gets its strikethrough
// and autolink, before any finish runs without the lock. Where the
// definition did not take (a library linked with -Bsymbolic) the library
// toggles its table itself and every finish takes the lock, as before.
bool finish_in_parallel() {
  static const bool parallel = [] {
    using Change = void (*)(cmark_parser*, int);
    auto library_change =
        reinterpret_cast<Change>(dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters"));
    Parser probe = new_parser(CMARK_OPT_DEFAULT);
    if (library_change) library_change(probe.get(), 1);
    const unsigned long before = table_changes_asked.load();
    const char text[] = "~~gone~~ www.example.com\n";
    cmark_parser_feed(probe.get(), text, sizeof text - 1);
    cmark_node* doc = cmark_parser_finish(probe.get());
    char* html = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(probe.get()));
    const std::string out(html);
    free(html);
    cmark_node_free(doc);
    if (table_changes_asked.load() == before) return false;  // the library's own function ran
    if (out != "<p><del>gone</del> <a href=\"http://www.example.com\">www.example.com</a></p>\n")
      throw std::runtime_error("cmark-gfm: the extensions' characters could not be set (the probe gave " + out +
                               "); the Markdown parser cannot run");
    return true;
  }();
  return parallel;
}

bool is_cn_numeral(std::string_view s, size_t& i) {
  static const std::vector<std::string_view> digits = {"一", "二", "三", "四", "五", "六",
                                                       "七", "八", "九", "十", "〇", "零"};
  size_t start = i;
  bool matched = true;
  while (matched) {
    matched = false;
    for (auto d : digits) {
      if (s.substr(i, d.size()) == d) {
        i += d.size();
        matched = true;
        break;
      }
    }
  }
  return i > start;
}

bool is_ascii_number(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) ++i;
  return i > start;
}

bool eat(std::string_view s, size_t& i, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s.substr(i, o.size()) == o) {
      i += o.size();
      return true;
    }
  }
  return false;
}

// "1." at the start of a line would start an ordered list; in official
// documents it is a level-3 heading typed by hand, so escape it.
std::string escape_numbered_lines(std::string_view md) {
  std::string out;
  out.reserve(md.size() + 16);
  bool in_fence = false;
  // The lines as split_lines gives them (a CR before each LF dropped), as
  // views into `md`: no copy of each line and of its trimmed form.
  size_t start = 0;
  while (start < md.size()) {
    size_t end = md.find('\n', start);
    std::string_view line;
    if (end == std::string_view::npos) {
      line = md.substr(start);
      start = md.size();
    } else {
      line = md.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      start = end + 1;
    }
    size_t b = line.find_first_not_of(" \t\r\n");
    std::string_view t = b == std::string_view::npos ? std::string_view() : line.substr(b);
    if (t.starts_with("```") || t.starts_with("~~~")) in_fence = !in_fence;
    size_t i = line.find_first_not_of(' ');
    size_t j = i;
    if (!in_fence && i != std::string_view::npos && i < 4 && is_ascii_number(line, j) && j < line.size() &&
        line[j] == '.' && (j + 1 == line.size() || line[j + 1] == ' ')) {
      out += line.substr(0, j);
      out += '\\';
      out += line.substr(j);
    } else {
      out += line;
    }
    out += '\n';
  }
  return out;
}

std::string plain_text(cmark_node* node) {
  std::string out;
  cmark_iter* iter = cmark_iter_new(node);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(iter);
    if (ev != CMARK_EVENT_ENTER) continue;
    auto type = cmark_node_get_type(n);
    if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) {
      out += cmark_node_get_literal(n);
    } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
      out += '\n';
    }
  }
  cmark_iter_free(iter);
  return out;
}

bool looks_like_heading(const std::string& text) {
  if (text.find('\n') != std::string::npos) return false;
  if (utf8_length(text) > 40) return false;
  for (std::string_view end : {"。", "；", "：", "！", "？", "，"})
    if (text.find(end) != std::string::npos) return false;
  return true;
}

void apply_official_headings(cmark_node* doc, cmark_mem* mem) {
  std::vector<cmark_node*> paragraphs;
  for (cmark_node* n = cmark_node_first_child(doc); n; n = cmark_node_next(n))
    if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) paragraphs.push_back(n);

  for (cmark_node* p : paragraphs) {
    cmark_node* first = cmark_node_first_child(p);
    if (!first || cmark_node_get_type(first) != CMARK_NODE_TEXT) continue;
    std::string literal = cmark_node_get_literal(first);
    size_t marker = 0;
    int level = official_heading_level(literal, &marker);
    if (level == 0) continue;
    if (looks_like_heading(plain_text(p))) {
      cmark_node_set_type(p, CMARK_NODE_HEADING);
      cmark_node_set_heading_level(p, level + 1);
      continue;
    }
    // Wrap the marker: <span class="gw-lN">（一）</span>rest…
    cmark_node* span = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_INLINE, mem);
    std::string open = "<span class=\"gw-l" + std::to_string(level) + "\">";
    cmark_node_set_on_enter(span, open.c_str());
    cmark_node_set_on_exit(span, "</span>");
    cmark_node* marker_text = cmark_node_new_with_mem(CMARK_NODE_TEXT, mem);
    cmark_node_set_literal(marker_text, literal.substr(0, marker).c_str());
    cmark_node_append_child(span, marker_text);
    cmark_node_insert_before(first, span);
    cmark_node_set_literal(first, literal.substr(marker).c_str());
  }
}

// CommonMark will not close "**" after Chinese punctuation when a letter
// follows ("**加强组织领导。**建立…"), so such runs stay literal asterisks.
// Staff mean bold: turn each remaining "**…**" pair inside one text node
// into a strong node.
void repair_cjk_emphasis(cmark_node* doc, cmark_mem* mem) {
  cmark_consolidate_text_nodes(doc);
  std::vector<cmark_node*> texts;
  cmark_iter* iter = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(iter);
    // Only the nodes holding "**" (no copy of the others' text).
    if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_TEXT &&
        std::strstr(cmark_node_get_literal(n), "**"))
      texts.push_back(n);
  }
  cmark_iter_free(iter);
  for (cmark_node* node : texts) {
    std::string literal = cmark_node_get_literal(node);
    size_t open = literal.find("**");
    while (open != std::string::npos) {
      size_t close = literal.find("**", open + 2);
      if (close == std::string::npos || close == open + 2) break;
      std::string inner = literal.substr(open + 2, close - open - 2);
      if (inner.front() == ' ' || inner.back() == ' ') break;
      cmark_node* before = cmark_node_new_with_mem(CMARK_NODE_TEXT, mem);
      cmark_node_set_literal(before, literal.substr(0, open).c_str());
      cmark_node* strong = cmark_node_new_with_mem(CMARK_NODE_STRONG, mem);
      cmark_node* strong_text = cmark_node_new_with_mem(CMARK_NODE_TEXT, mem);
      cmark_node_set_literal(strong_text, inner.c_str());
      cmark_node_append_child(strong, strong_text);
      cmark_node_insert_before(node, before);
      cmark_node_insert_before(node, strong);
      literal = literal.substr(close + 2);
      cmark_node_set_literal(node, literal.c_str());
      open = literal.find("**");
    }
  }
}

// Headings are blocks: only the containers of blocks are walked, not the
// inline nodes of every paragraph.
void shift_headings(cmark_node* parent) {
  for (cmark_node* n = cmark_node_first_child(parent); n; n = cmark_node_next(n)) {
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_HEADING:
        cmark_node_set_heading_level(n, std::min(cmark_node_get_heading_level(n) + 1, 6));
        break;
      case CMARK_NODE_BLOCK_QUOTE:
      case CMARK_NODE_LIST:
      case CMARK_NODE_ITEM:
      case CMARK_NODE_FOOTNOTE_DEFINITION:
      case CMARK_NODE_CUSTOM_BLOCK:
        shift_headings(n);
        break;
      default:
        break;
    }
  }
}

}  // namespace

int official_heading_level(std::string_view s, size_t* marker_bytes) {
  size_t i = 0;
  int level = 0;
  if (is_cn_numeral(s, i) && eat(s, i, {"、"})) {
    level = 1;
  } else if (i = 0; eat(s, i, {"（", "("}) && is_cn_numeral(s, i) && eat(s, i, {"）", ")"})) {
    level = 2;
  } else if (i = 0; is_ascii_number(s, i) && eat(s, i, {".", "．", "、"})) {
    level = 3;
  } else if (i = 0; eat(s, i, {"（", "("}) && is_ascii_number(s, i) && eat(s, i, {"）", ")"})) {
    level = 4;
  }
  if (level == 0 || i >= s.size()) return 0;  // a bare marker is not a heading
  if (marker_bytes) *marker_bytes = i;
  return level;
}

std::string render_markdown(std::string_view markdown, const MarkdownOptions& options) {
  std::string numbered;  // the official headings' source, escaped
  if (options.official_headings) numbered = escape_numbered_lines(markdown);
  const std::string_view source = options.official_headings ? std::string_view(numbered) : markdown;
  int flags = CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;
  if (options.raw_html) flags |= CMARK_OPT_UNSAFE;

  ArenaScope arena;  // every node, buffer and the HTML below live in it
  // A table needs a delimiter row, and that has a '|', or a ':' next to its
  // '-' (":--", "--:"); without any of them the table extension would only
  // test every line of the document for one.
  const bool tables = source.find_first_of('|') != std::string::npos || source.find(":-") != std::string::npos ||
                      source.find("-:") != std::string::npos;
  Parser parser = new_parser(flags, &arena_mem, tables);
  // Block parsing (feed), the tree passes below and the HTML renderer touch
  // only this document; the inline pass inside finish is safe on any thread
  // once the character table is fixed (finish_in_parallel), else it takes
  // the lock.
  cmark_parser_feed(parser.get(), source.data(), source.size());
  cmark_node* doc;
  if (finish_in_parallel()) {
    doc = cmark_parser_finish(parser.get());
  } else {
    std::lock_guard<std::mutex> lock(parser_lock());
    doc = cmark_parser_finish(parser.get());
  }
  // Without "**" in the source there is nothing to repair; the official
  // headings still see the text merged as the repair leaves it (merging
  // adjacent text nodes does not change the HTML).
  if (source.find("**") != std::string::npos) {
    repair_cjk_emphasis(doc, &arena_mem);
  } else if (options.official_headings) {
    cmark_consolidate_text_nodes(doc);
  }
  shift_headings(doc);
  if (options.official_headings) apply_official_headings(doc, &arena_mem);
  // Render with the parser's own extension list, or tagfilter does nothing.
  const char* html = cmark_render_html_with_mem(doc, flags, cmark_parser_get_syntax_extensions(parser.get()), &arena_mem);
  return std::string(html);
}

bool markdown_parses_in_parallel() { return finish_in_parallel(); }

}  // namespace bulletin

// cmark-gfm's inline pass calls this around each document to set and clear
// its extensions' characters in a table of the whole process; the table is
// set once with them instead (finish_in_parallel above), so the calls only
// count.
extern "C" void cmark_manage_extensions_special_characters(cmark_parser*, int) {
  bulletin::table_changes_asked.fetch_add(1, std::memory_order_relaxed);
}
