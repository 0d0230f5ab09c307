#include "util/yaml_plain.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "load/documents.h"
#include "load/front_matter.h"
#include "util/fs.h"
#include "util/text.h"

using namespace bulletin;

namespace {

// The plain reader accepts `yaml` and gives exactly yaml-cpp's tree.
void check_same_as_yaml_cpp(const std::string& yaml) {
  INFO("YAML:\n" << yaml);
  auto plain = load_plain_yaml(yaml);
  REQUIRE(plain.has_value());
  YAML::Node reference = YAML::Load(yaml);
  CHECK(yaml_tree_difference(*plain, reference) == "");
}

// What the plain reader said about `yaml`, checked against yaml-cpp: when it
// accepts, yaml-cpp must accept too and give the same tree. True if accepted.
bool accepted_and_same(const std::string& yaml) {
  auto plain = load_plain_yaml(yaml);
  if (!plain) return false;
  INFO("YAML:\n" << yaml);
  YAML::Node reference;
  try {
    reference = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    FAIL_CHECK("the plain reader accepted what yaml-cpp refuses: " << e.what());
    return true;
  }
  CHECK(yaml_tree_difference(*plain, reference) == "");
  return true;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The YAML between the fences, as parse_front_matter cuts it ("" if none).
std::string front_matter_yaml(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  size_t first_end = text.find('\n');
  if (first_end == std::string_view::npos || text.substr(0, first_end).find_first_not_of(" \t\r") == std::string_view::npos ||
      trim(text.substr(0, first_end)) != "---")
    return "";
  size_t pos = first_end + 1, start = pos;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view l = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (trim(l) == "---") return std::string(text.substr(start, pos - start));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return "";
}

// Everything a document load says and keeps that front matter decides, with
// the plain reader on or off: diagnostics, a thrown error, the tree.
std::string load_everything(const std::string& path, const std::string& text) {
  std::ostringstream out;
  SiteConfig config;
  config.series.push_back({"jiaowei", "教卫工作通报", "办公室", true, {}});
  MemoryFileSystem fs;
  Diagnostics diags;
  SourceFile file{path, text};
  try {
    FrontMatter fm = parse_front_matter(file, false);
    out << "root " << fm.root.size() << " " << YAML::Dump(fm.root) << "\n";
    for (const auto& kv : fm.root) {
      SourceLocation k = location_of(fm, kv.first), v = location_of(fm, kv.second);
      out << k.line << ":" << k.column << " " << v.line << ":" << v.column << "\n";
    }
  } catch (const Error& e) {
    out << "threw " << e.diagnostic().format() << "\n";
  }
  try {
    auto a = load_article({"content/articles/a.md", text}, config, diags);
    if (a) {
      out << "article " << a->title << "|" << a->unit << "|" << a->author << "|" << a->date.iso() << "|" << a->summary;
      for (const auto& t : a->tags) out << "|" << t;
      out << "\n";
    }
  } catch (const Error& e) {
    out << "article threw " << e.diagnostic().format() << "\n";
  }
  try {
    auto n = load_notice({"content/notices/n.md", text}, fs, "p", config, diags, false);
    out << "notice " << n.has_value() << "\n";
  } catch (const Error& e) {
    out << "notice threw " << e.diagnostic().format() << "\n";
  }
  try {
    auto i = load_issue({"content/bulletins/jiaowei/i.md", text}, config, diags, false);
    out << "issue " << i.has_value() << "\n";
  } catch (const Error& e) {
    out << "issue threw " << e.diagnostic().format() << "\n";
  }
  out << diags.format_all();
  return out.str();
}

struct ReaderOff {
  ReaderOff() { use_plain_yaml_reader(false); }
  ~ReaderOff() { use_plain_yaml_reader(true); }
};

std::string load_with_yaml_cpp(const std::string& path, const std::string& text) {
  ReaderOff off;
  return load_everything(path, text);
}

}  // namespace

TEST_CASE("the plain reader gives yaml-cpp's tree for each construct it reads", "[yaml_plain]") {
  check_same_as_yaml_cpp("title: 学习\n");
  check_same_as_yaml_cpp("title: 学习通报 第 1 期\ndate: 2020-12-16\nunit: 党委办公室\n");
  check_same_as_yaml_cpp("title: \"12月份通报\"\nunit: '湘江 ''理工'' 大学'\n");
  check_same_as_yaml_cpp("title: \"a \\\"b\\\" c\\\\d\\/e\\nf\\tg\"\n");
  check_same_as_yaml_cpp("title: \"  spaced  \"\n");
  check_same_as_yaml_cpp("tags: [学习情况, \"经验交流\", 'x y', plain words]\n");
  check_same_as_yaml_cpp("tags: []\nother: [ ]\nmore: [ a ,b ]\n");
  check_same_as_yaml_cpp("tags:\n  - 学习\n  - \"交流\"\n  - 'x'\ndate: 2020-01-01\n");
  check_same_as_yaml_cpp("tags:\n- 学习\n- 交流\ndate: 2020-01-01\n");
  check_same_as_yaml_cpp("tags:\n\n  - a\n\n# between\n  - b\n");
  check_same_as_yaml_cpp("title: 学习 # a comment\ndate: 2020-01-01   \n");
  check_same_as_yaml_cpp("title: \"学习\"   # a comment\ntags: [a]  # c\n");
  check_same_as_yaml_cpp("# a comment\n\ntitle: a#b c\n   \nurl: http://example.org/a?b=c\n");
  check_same_as_yaml_cpp("title: a [b] {c}, d\n");
  check_same_as_yaml_cpp("title: a  b   c\nx: a:b!c&d*e%f@g`h?i|j>k\n");
  check_same_as_yaml_cpp("tags:\n  -   a\n  -  \"b\"  # c\n");
  check_same_as_yaml_cpp("summary:\ndate: 2020-01-01\n");
  check_same_as_yaml_cpp("summary:   # nothing\n\ndate: 2020-01-01\n");
  check_same_as_yaml_cpp("date: 2020-01-01\nsummary:\n");
  check_same_as_yaml_cpp("date: 2020-01-01\nsummary:\n\n# last\n");
  check_same_as_yaml_cpp("date: 2020-01-01\nsummary:");
  check_same_as_yaml_cpp("甲: ");
  check_same_as_yaml_cpp("a: ~\nb: null\nc: Null\nd: NULL\ne: [~, null, x]\nf:\n  - ~\n");
  check_same_as_yaml_cpp("title: a\ntitle: b\n");
  check_same_as_yaml_cpp("置顶: 是\n标题: 甲乙\nx-y.z_1: 1\n");
  check_same_as_yaml_cpp("draft: true\nweight: 10\nratio: 1.5e3\n");
  check_same_as_yaml_cpp("title: 'a # b'\nx: \"c # d\"\n");
  check_same_as_yaml_cpp("");
  check_same_as_yaml_cpp("# only a comment\n\n");
  check_same_as_yaml_cpp("title: no final newline");
}

TEST_CASE("the plain reader leaves everything else to yaml-cpp", "[yaml_plain]") {
  const char* refused[] = {
      "title: &a x\n",                    // anchor
      "title: *a\n",                      // alias
      "title: !!str 1\n",                 // tag
      "? complex\n: key\n",               // complex key
      "\"title\": x\n",                   // quoted key
      "title : x\n",                      // space before the colon
      "title:x\n",                        // no space after the colon
      "title: a: b\n",                    // a colon in a plain value
      "title: a:\n",                      // a value ending in a colon
      "title: |\n  block\n",              // block scalar
      "title: >\n  folded\n",             // folded scalar
      "title: a\n  continued\n",          // multi-line plain scalar
      "title: \"a\n  b\"\n",              // multi-line quoted scalar
      "title: \"a \\x41\"\n",             // another escape
      "title: \"a\" b\n",                 // text after a quoted value
      "title: \"a\"#b\n",                 // a comment without a space
      "title:\n  sub: x\n",               // nested mapping
      "title: {a: b}\n",                  // flow mapping
      "tags: [a, [b]]\n",                 // nested flow list
      "tags: [a, b\n",                    // unclosed flow list
      "tags: [a, b,]\n",                  // trailing comma
      "tags: [a, , b]\n",                 // empty item
      "tags: [a: b]\n",                   // compact mapping in a flow list
      "tags:\n  - a\n   - b\n",           // uneven items
      "tags:\n  - a\n  -\n",              // null item
      "tags:\n  - [a]\n",                 // flow list in a block list
      "tags:\n  - a\n  # indented comment\n",
      "title: a\n  # indented comment\n",
      "title:\tx\n",                      // tab
      "title: x\r\n",                     // CR
      "title: a\x01\n",                   // control character
      "title: a\xC2\x85\n",               // NEL
      "title: a\xE2\x80\xA8\n",           // line separator
      "title: \xEF\xBB\xBFx\n",           // BOM
      "\xFF\xFEk: x\n",                   // read by yaml-cpp as UTF-16
      "title: a\xE5\n",                   // not UTF-8
      "title: a\xED\xA0\x80\n",           // a surrogate
      "- a\n- b\n",                       // a list, not a mapping
      "just words\n",                     // a single value
      "%YAML 1.2\n",                      // directive
      "...\n",                            // document end
      "null: x\n",                        // null key
      "title: -x\n",                      // a value starting with an indicator
      "title: @x\n",
      "title: `x`\n",
      " title: x\n",                      // indented first key
  };
  for (const char* yaml : refused) {
    INFO(yaml);
    CHECK_FALSE(load_plain_yaml(yaml).has_value());
  }
}

TEST_CASE("values read by the plain reader are located in code points, as yaml-cpp's are", "[yaml_plain]") {
  std::string text = "---\n标题: 学习“线上+线下”\n作者: \"张三\"\ntags: [甲乙, 丙]\ndate: 2020年13月1日\n---\n正文\n";
  SourceFile file{"content/articles/a.md", text};
  FrontMatter fm = parse_front_matter(file);
  std::vector<FieldSpec> schema = {{"title", {"标题"}}, {"author", {"作者"}}, {"tags", {}}, {"date", {}}};
  Diagnostics diags;
  Fields f(fm, schema, diags);
  CHECK(f.where("title").line == 2);
  CHECK(f.where("title").column == 5);
  CHECK(f.where("author").column == 5);
  CHECK(f.key_where("author").column == 1);
  YAML::Node tags = f.node("tags");
  CHECK(location_of(fm, tags).column == 7);
  CHECK(location_of(fm, tags[1]).column == 12);
  f.date("date");
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].format() ==
        "content/articles/a.md:5:7: error: invalid date '2020年13月1日': month 13 does not exist\n"
        "    date: 2020年13月1日\n"
        "          ^");
}

TEST_CASE("a document loads the same with the plain reader and with yaml-cpp alone", "[yaml_plain]") {
  const char* texts[] = {
      "---\ntitle: 学习\nunit: 办公室\ndate: 2020-12-16\ntags: [a, b]\n---\n正文\n",
      "---\ntitle: 学习\nunti: 办公室\ndate: 2020-12-16\n---\n",      // unknown field, with a suggestion
      "---\ntitle:\nunit: 办公室\ndate: 2020-12-16\n---\n",            // required field with no value
      "---\ntitle: 学习\nunit: 办公室\n---\n",                          // missing date
      "---\ntitle: 学习\ntitle: 又\nunit: 办公室\ndate: 2020-12-16\n---\n",  // given twice
      "---\ntitle: [a, b]\nunit: 办公室\ndate: 2020-02-30\n---\n",     // a list for text, a bad date
      "---\ntitle: 学习\nunit: 办公室\ndate: 2020-12-16\ntags:\n  - a\n  - b\npinned: 也许\n---\n",
      "---\ntitle: \"学习\nunit: 办公室\n---\n",                        // unclosed quote
      "---\ntitle: 甲: 乙\n---\n",                                      // colon in value
      "---\ntitle: [a, b\n---\n",                                       // unclosed flow list
      "---\ntitle: \"a\\x01\"\n---\n",                                  // escaped control character
      "---\njust words\n---\n",                                         // a single value
      "---\ntitle: 学习\n",                                             // never closed
      "no front matter\n",
      "---\n---\nbody\n",                                               // empty front matter
      "---\ntitle: \"a\" b\n---\n",
  };
  for (const char* text : texts) {
    INFO(text);
    CHECK(load_everything("content/a.md", text) == load_with_yaml_cpp("content/a.md", text));
  }
}

TEST_CASE("all front matter in the sample sites, the seeds' content and generated blocks reads the same both ways",
          "[yaml_plain]") {
  int files = 0, accepted = 0;
  for (const char* root : {"tests/sites", "tests/sites_invalid", "content"}) {
    REQUIRE(std::filesystem::is_directory(root));
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".md") continue;
      std::string text = read_text(entry.path());
      std::string rel = entry.path().generic_string();
      INFO(rel);
      ++files;
      accepted += accepted_and_same(front_matter_yaml(text));
      CHECK(load_everything(rel, text) == load_with_yaml_cpp(rel, text));
    }
  }
  CHECK(files > 30);
  CHECK(accepted > files / 2);

  // Generated blocks: lines put together from pieces that are, alone or
  // together, inside and outside the subset (the first `good` of each pool
  // are inside it, and are picked nine times in ten).
  const char* keys[] = {"title", "标题", "date", "tags", "x-y", "t", "null", " title", "\"k\"", "a b"};
  const char* seps[] = {": ", ":", ":  ", ": # c\n", " : ", ":\t"};
  const char* values[] = {"学习", "\"学习\"", "'a''b'", "\"a\\\"b\"", "a:b", "a #c", "a#c", "[a, b]", "[]",
                          "[\"x\", 'y']", "~", "null", "2020-12-16", "a\"b", "a  ", "甲 # 注释", "http://a/b",
                          "[a b, c]", "[ ~ ]", "\"\\n\\t\"", "a [b]",
                          "\"a\\qb\"", "a: b", "[a,]", "[a, [b]]", "-1", "- a", "&x a", "*x", "!t a", "|", "{a: b}",
                          "'unclosed", "\"unclosed", "%x", "@x", "a\r", "\xC2\x85"};
  const char* after[] = {"\n", "\n  - a\n  - b\n", "\n- a\n", "\n\n", "\n# c\n", "\n  more\n", "\n  # c\n",
                         "\n  - a\n   - b\n", "\n  -\n", "\n  k: v\n"};
  std::mt19937 rng(16);
  auto pick = [&](const auto& pool, size_t good) {
    return pool[rng() % 10 ? rng() % good : good + rng() % (std::size(pool) - good)];
  };
  int generated_accepted = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string yaml;
    int lines = 1 + static_cast<int>(rng() % 5);
    for (int l = 0; l < lines; ++l) {
      yaml += pick(keys, 6);
      yaml += pick(seps, 4);
      if (rng() % 4) yaml += pick(values, 21);
      yaml += rng() % 3 ? "\n" : pick(after, 5);
    }
    generated_accepted += accepted_and_same(yaml);
    if (n % 50 == 0) {
      std::string text = "---\n" + yaml + "---\n正文\n";
      INFO(yaml);
      CHECK(load_everything("content/a.md", text) == load_with_yaml_cpp("content/a.md", text));
    }
  }
  CHECK(generated_accepted > 2000);
  CHECK(generated_accepted < 18000);
}
