#include "load/docx_import.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "util/diagnostics.h"
#include "util/text.h"

extern char** environ;

namespace bulletin {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `argv` with stdin from `in` (or /dev/null), stdout and stderr to files;
// the exit status, or -1 when the program could not be started.
int run(const std::vector<std::string>& argv, const std::string& in, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.empty() ? "/dev/null" : in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The text a reader sees in a list of inlines.
std::string inline_text(const json& inlines) {
  std::string out;
  if (!inlines.is_array()) return out;
  for (const auto& i : inlines) {
    std::string t = i.value("t", "");
    const json& c = i.contains("c") ? i["c"] : json();
    if (t == "Str") out += c.get<std::string>();
    else if (t == "Space") out += ' ';
    else if (t == "SoftBreak") out += ' ';
    else if (t == "LineBreak") out += '\n';
    else if (t == "Code" || t == "Math") out += c[1].get<std::string>();
    else if (t == "Strong" || t == "Emph" || t == "Underline" || t == "Strikeout" || t == "SmallCaps" ||
             t == "Superscript" || t == "Subscript")
      out += inline_text(c);
    else if (t == "Span" || t == "Link") out += inline_text(c[t == "Span" ? 1 : 1]);
    else if (t == "Quoted") out += "“" + inline_text(c[1]) + "”";
  }
  return out;
}

// The text of a paragraph or heading; nullopt for other blocks.
std::optional<std::string> block_text(const json& b) {
  std::string t = b.value("t", "");
  if (t == "Para" || t == "Plain") return trim(inline_text(b["c"]));
  if (t == "Header") return trim(inline_text(b["c"][2]));
  return std::nullopt;
}

bool is_empty_block(const json& b) {
  auto t = block_text(b);
  if (!t || !t->empty()) return false;
  // A paragraph holding only an image is not empty.
  return b["c"].dump().find("\"Image\"") == std::string::npos;
}

// Ends like a sentence of body text rather than a heading line.
bool ends_sentence(const std::string& s) {
  for (const char* p : {"。", "；", "！", "？", "…", ".", ";"})
    if (s.ends_with(p)) return true;
  return false;
}

std::string strip_label(const std::string& s, std::initializer_list<const char*> labels, bool* had = nullptr) {
  for (const char* l : labels) {
    for (const char* colon : {"：", ":"}) {
      std::string prefix = std::string(l) + colon;
      if (s.starts_with(prefix)) {
        if (had) *had = true;
        return trim(s.substr(prefix.size()));
      }
    }
  }
  if (had) *had = false;
  return s;
}

std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Images: links relative to the page ("media/x.png"), and no size
// attributes (so pandoc writes ![alt](src), not an <img> tag).
void relink_images(json& node, const std::string& prefix) {
  if (node.is_array()) {
    for (auto& n : node) relink_images(n, prefix);
    return;
  }
  if (!node.is_object()) return;
  if (node.value("t", "") == "Image" && node.contains("c")) {
    json& c = node["c"];
    c[0][2] = json::array();
    std::string src = c[2][0].get<std::string>();
    if (src.starts_with(prefix)) c[2][0] = src.substr(prefix.size());
  }
  for (auto& [k, v] : node.items()) relink_images(v, prefix);
}

std::size_t length(const std::string& s) { return utf8_length(s); }

}  // namespace

std::optional<std::string> find_document_number(const std::string& text) {
  // Alternations, not bracket sets: std::regex matches bytes, and these are UTF-8.
  static const std::regex kNumber(
      R"((\S+?)(?:〔|\[|\(|（|【|［)((?:19|20)\d\d)(?:〕|\]|\)|）|】|］)\s*(?:第\s*)?0*(\d{1,4})\s*号)");
  std::smatch m;
  if (!std::regex_search(text, m, kNumber)) return std::nullopt;
  std::string code = m[1].str();
  for (const char* colon : {"：", ":"}) {
    size_t at = code.rfind(colon);
    if (at != std::string::npos) code = code.substr(at + std::string(colon).size());
  }
  if (code.empty()) return std::nullopt;
  return code + "〔" + m[2].str() + "〕" + m[3].str() + "号";
}

ImportedDocument import_docx(const std::string& docx_path, ImportKind kind, const std::string& resource_dir,
                             const Date& today) {
  SourceLocation where{docx_path, 0, 0};
  if (!fs::is_regular_file(docx_path)) throw Error(where, "cannot read the document");
  char pattern[] = "/tmp/bulletin-import-XXXXXX";
  if (!mkdtemp(pattern)) throw Error(where, "cannot make a temporary folder for the conversion");
  fs::path tmp = pattern;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{tmp};

  // 1. docx -> pandoc's syntax tree, images into <tmp>/media.
  std::string media_root = (tmp / "res").string();
  int rc = run({"pandoc", "--from=docx", "--to=json", "--extract-media=" + media_root, docx_path}, "",
               (tmp / "ast.json").string(), (tmp / "err").string());
  if (rc == -1 || rc == 127) throw Error(where, "cannot run pandoc (install the Debian package pandoc)");
  if (rc != 0) {
    std::string msg = trim(slurp(tmp / "err"));
    throw Error(where, "pandoc cannot read this .docx file" + (msg.empty() ? "" : ": " + msg));
  }
  json ast = json::parse(slurp(tmp / "ast.json"), nullptr, false);
  if (!ast.is_object() || !ast["blocks"].is_array()) throw Error(where, "pandoc gave no document tree");
  relink_images(ast["blocks"], media_root + "/");

  std::vector<json> blocks;
  for (auto& b : ast["blocks"])
    if (!is_empty_block(b)) blocks.push_back(b);
  ImportedDocument doc;
  std::string title, unit, author, date_text, doc_no, issuer, recipients, signature;
  std::vector<std::string> signers;
  std::optional<Date> date;
  if (ast.contains("meta") && ast["meta"].contains("title")) {
    const json& t = ast["meta"]["title"];
    title = trim(inline_text(t.value("t", "") == "MetaInlines" ? t["c"] : json::array()));
  }
  size_t first = 0, last = blocks.size();  // the body is blocks[first, last)
  auto text_at = [&](size_t i) { return block_text(blocks[i]); };
  auto short_line = [&](size_t i, size_t max) {
    auto t = text_at(i);
    return t && !t->empty() && length(*t) <= max && !ends_sentence(*t);
  };

  if (kind == ImportKind::Article) {
    if (title.empty() && first < last && short_line(first, 80)) title = *text_at(first++);
    // Under the title: unit, author and date lines, in any order.
    for (int k = 0; k < 4 && first < last && short_line(first, 40); ++k) {
      std::string t = *text_at(first);
      bool labelled = false;
      std::string v = strip_label(t, {"日期", "时间"}, &labelled);
      if (auto d = parse_date(v); d && !date) {
        date = d;
      } else if (v = strip_label(t, {"作者", "撰稿", "撰稿人"}, &labelled); labelled) {
        author = v;
      } else if (v = strip_label(t, {"单位", "作者单位"}, &labelled); labelled || unit.empty()) {
        if (!unit.empty()) break;
        unit = v;
      } else {
        break;
      }
      ++first;
    }
    // At the end: a date, and the unit above it when it was not under the title.
    if (!date && last > first) {
      if (auto d = parse_date(strip_label(text_at(last - 1).value_or(""), {"日期"}))) {
        date = d;
        --last;
        if (unit.empty() && last > first && short_line(last - 1, 40)) unit = *text_at(--last);
      }
    }
  } else {
    // Above the title: the issuing organ and the line with the 发文字号.
    size_t scan = first;
    for (size_t i = first; i < std::min(last, first + 6); ++i) {
      auto t = text_at(i);
      if (!t) break;
      if (auto n = find_document_number(*t)) {
        doc_no = *n;
        size_t at = t->find("签发人");
        if (at != std::string::npos) {
          std::string names = trim(strip_label(t->substr(at), {"签发人"}));
          std::string name;
          for (size_t p = 0; p <= names.size(); ++p) {
            if (p == names.size() || names[p] == ' ' || names.compare(p, 3, "、") == 0 ||
                names.compare(p, 3, "　") == 0) {
              if (!trim(name).empty() && trim(name) != "签发人：") signers.push_back(trim(name));
              name.clear();
              if (p < names.size() && names[p] != ' ') p += 2;
            } else {
              name += names[p];
            }
          }
        }
        for (size_t k = first; k < i; ++k)
          if (short_line(k, 40)) issuer = *text_at(k);
        scan = i + 1;
        break;
      }
    }
    // Without a 发文字号, a first line ending in 文件 is still the issuing organ.
    if (doc_no.empty() && first < last && short_line(first, 40) && text_at(first)->ends_with("文件"))
      issuer = *text_at(scan++);
    first = scan;
    if (title.empty() && first < last && text_at(first) && length(*text_at(first)) <= 120) title = *text_at(first++);
    if (first < last) {
      auto t = text_at(first);
      if (t && length(*t) <= 120 && (t->ends_with("：") || t->ends_with(":"))) {
        recipients = t->substr(0, t->size() - (t->ends_with(":") ? 1 : 3));
        ++first;
      }
    }
    if (last > first) {
      std::string t = strip_label(text_at(last - 1).value_or(""), {"日期", "成文日期"});
      if (auto d = parse_date(t)) {
        date = d;
        --last;
        if (last > first && short_line(last - 1, 40)) signature = *text_at(--last);
      }
    }
  }

  // What could not be placed.
  if (title.empty()) {
    title = fs::path(docx_path).stem().string();
    doc.to_check.push_back("no title line found: the file name is the title");
  }
  if (!date) {
    date = today;
    doc.to_check.push_back("no date found: today's date is written");
  }
  if (kind == ImportKind::Article && unit.empty()) {
    unit = "待填写";
    doc.to_check.push_back("no unit line found under the title: 'unit' says 待填写");
  }
  if (kind == ImportKind::Notice) {
    if (issuer.empty()) {
      issuer = "待填写";
      doc.to_check.push_back("no issuing organ found above the title: 'issuer' says 待填写");
    }
    if (doc_no.empty()) doc.to_check.push_back("no 发文字号 (such as 校党委发〔2020〕51号) found above the title");
    if (recipients.empty()) doc.to_check.push_back("no 主送机关 line (ending in '：') found under the title");
    if (signature.empty()) doc.to_check.push_back("no signature found above the date at the end");
  }
  for (size_t i = first; i < last; ++i) {
    auto t = text_at(i);
    if (t && (t->starts_with("附件：") || t->starts_with("附件:")))
      doc.to_check.push_back("an attachment line stays in the body: " + *t);
    std::string tag = blocks[i].value("t", "");
    if (tag != "Para" && tag != "Plain" && tag != "Header" && tag != "Table" && tag != "BulletList" &&
        tag != "OrderedList" && tag != "BlockQuote" && tag != "HorizontalRule" && tag != "Div")
      doc.to_check.push_back("a " + tag + " block was converted as pandoc writes it");
    if (tag == "Table") {
      // pandoc writes a table with merged or multi-paragraph cells as HTML.
      std::string dump = blocks[i].dump();
      static const std::regex kMerged(R"(\},(?:\d+,(?:[2-9]|\d\d+)|(?:[2-9]|\d\d+),\d+),\[)");
      if (dump.find("\"Para\"") != std::string::npos || std::regex_search(dump, kMerged))
        doc.to_check.push_back("a table with merged or multi-paragraph cells is kept as HTML: check it");
    }
  }

  // 2. The body back to Markdown.
  json body = ast;
  body["meta"] = json::object();
  body["blocks"] = json::array();
  for (size_t i = first; i < last; ++i) body["blocks"].push_back(blocks[i]);
  {
    std::ofstream out(tmp / "body.json", std::ios::binary);
    out << body.dump();
  }
  rc = run({"pandoc", "--from=json", "--to=gfm", "--wrap=none"}, (tmp / "body.json").string(),
           (tmp / "body.md").string(), (tmp / "err").string());
  if (rc != 0) throw Error(where, "pandoc cannot write the Markdown: " + trim(slurp(tmp / "err")));
  std::string markdown = slurp(tmp / "body.md");

  // Images: moved beside the Markdown.
  if (fs::is_directory(fs::path(media_root) / "media")) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(media_root) / "media")) {
      if (!e.is_regular_file()) continue;
      std::string rel = fs::relative(e.path(), media_root).generic_string();
      fs::path to = fs::path(resource_dir) / rel;
      fs::create_directories(to.parent_path());
      fs::copy_file(e.path(), to, fs::copy_options::overwrite_existing);
      doc.media.push_back(rel);
    }
    std::sort(doc.media.begin(), doc.media.end());
    if (kind == ImportKind::Notice)
      doc.to_check.push_back("the images are saved, but a notice page shows no images: attach them or remove them");
  }

  std::string fm = "---\n";
  auto field = [&](const char* key, const std::string& v) {
    if (!v.empty()) fm += std::string(key) + ": " + yaml_quoted(v) + "\n";
  };
  if (kind == ImportKind::Article) {
    field("title", title);
    field("unit", unit);
    field("author", author);
    fm += "date: " + date->iso() + "\n";
  } else {
    field("issuer", issuer);
    field("doc_no", doc_no);
    if (!signers.empty()) {
      fm += "signers: [";
      for (size_t i = 0; i < signers.size(); ++i) fm += (i ? ", " : "") + yaml_quoted(signers[i]);
      fm += "]\n";
    }
    field("title", title);
    field("recipients", recipients);
    field("signature", signature);
    fm += "date: " + date->iso() + "\n";
  }
  fm += "---\n";
  doc.title = title;
  doc.source = fm + markdown;
  return doc;
}

}  // namespace bulletin
