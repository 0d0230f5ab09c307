#include "load/documents.h"

#include <algorithm>
#include <map>
#include <set>

#include "load/markdown.h"
#include "load/parse_cache.h"
#include "util/input_check.h"
#include "util/sha256.h"
#include "util/text.h"

namespace bulletin {
namespace {

std::string stem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

MarkdownOptions article_markdown(const SiteConfig& config) {
  return {config.raw_html, false};
}

MarkdownOptions official_markdown(const SiteConfig& config) { return {config.raw_html, true}; }

const std::vector<FieldSpec>& article_schema() {
  static const std::vector<FieldSpec> schema = {
      {"title", {"标题"}, true},   {"unit", {"单位", "作者单位"}, true},
      {"author", {"作者"}},        {"date", {"日期"}, true},
      {"tags", {"标签"}},          {"summary", {"摘要"}},
      {"slug", {"链接名"}},
  };
  return schema;
}

// Why a project-relative name a document gives (attachments, pages, the
// enclosure) cannot be used: each of its '/'-separated parts must be a URL
// segment, so it names a file inside the notice's folder and nowhere else.
std::string resource_name_problem(const std::string& name) {
  if (name.empty()) return "is empty";
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string part = name.substr(start, slash == std::string::npos ? slash : slash - start);
    std::string why = url_segment_problem(part);
    if (!why.empty()) {
      if (part == "..") return "goes up out of the notice's folder ('..')";
      return part == name ? why : "has a part '" + utf8_sanitized(part) + "' that " + why;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return {};
}

// Reads a project file that a document refers to, relative to `dir`.
std::optional<SourceFile> read_resource(const FileSystem& fs, const std::string& root,
                                        const std::string& dir, const std::string& name) {
  std::string rel = join_path(dir, name);
  auto text = fs.read(join_path(root, rel));
  if (!text) return std::nullopt;
  require_utf8(rel, *text);
  return SourceFile{rel, *text};
}

// The error for a named file that is not usable, or empty: a name that leaves
// the notice's folder, or a file that resolves (through symlinks) outside the
// project.
std::string resource_problem(const FileSystem& fs, const std::string& root, const std::string& dir,
                             const std::string& what, const std::string& name) {
  std::string why = resource_name_problem(name);
  if (!why.empty()) return what + " '" + utf8_sanitized(name) + "' " + why + "; name a file inside " + dir;
  std::string outside = fs.outside(root, join_path(root, join_path(dir, name)));
  if (!outside.empty()) return what + " '" + name + "' " + outside;
  return {};
}

std::vector<std::string> split_list(const std::string& s) {
  // "a、b、c" -> {a, b, c}; staff paste lists as one line.
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find("、", start);
    std::string item = trim(s.substr(start, pos == std::string::npos ? pos : pos - start));
    if (!item.empty()) out.push_back(item);
    if (pos == std::string::npos) break;
    start = pos + std::string("、").size();
  }
  return out;
}

// `revision: 2` with `revision_note: …` declares a correction of a published document.
void read_revision(const Fields& f, int& revision, std::string& note, SourceLocation& where) {
  where = f.where("revision");
  auto r = f.integer("revision");
  revision = r ? static_cast<int>(*r) : 0;
  note = f.text("revision_note");
  if (r && *r < 2) f.error("revision", "revision numbers a correction: the first correction is revision: 2");
  if (r && note.empty()) f.error("revision", "a revision needs a revision_note saying what was corrected (修订说明)");
  if (!r && !note.empty()) f.error("revision_note", "revision_note needs a revision number, e.g. revision: 2");
}

}  // namespace

std::string notice_resources(const std::string& source) {
  return source.ends_with(".md") ? source.substr(0, source.size() - 3) : source;
}

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

std::optional<DocumentNumber> parse_document_number(const std::string& raw, std::string* why) {
  std::string text = trim(raw);
  auto fail = [&](const std::string& what, const std::string& suggestion) {
    if (why) {
      *why = what;
      if (!suggestion.empty()) *why += "; write it as " + suggestion;
      *why += " (机关代字〔年份〕序号号)";
    }
    return std::nullopt;
  };
  // Find the year in any kind of bracket staff type by mistake.
  static const std::vector<std::pair<std::string, std::string>> brackets = {
      {"〔", "〕"}, {"[", "]"}, {"(", ")"}, {"（", "）"}, {"【", "】"}, {"〖", "〗"}, {"［", "］"}};
  for (const auto& [open, close] : brackets) {
    size_t a = text.find(open);
    if (a == std::string::npos) continue;
    size_t b = text.find(close, a + open.size());
    if (b == std::string::npos) continue;
    std::string code = trim(text.substr(0, a));
    std::string year = trim(text.substr(a + open.size(), b - a - open.size()));
    std::string rest = trim(text.substr(b + close.size()));
    bool has_hao = ends_with(rest, "号");
    std::string number = has_hao ? trim(rest.substr(0, rest.size() - std::string("号").size())) : rest;
    bool has_di = number.starts_with("第");
    if (has_di) number = trim(number.substr(std::string("第").size()));
    std::string digits_only = number;
    while (digits_only.size() > 1 && digits_only[0] == '0') digits_only.erase(0, 1);
    bool number_ok = !number.empty() && number.find_first_not_of("0123456789") == std::string::npos;
    bool year_ok = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos;
    bool two_digits = year.size() == 2 && year.find_first_not_of("0123456789") == std::string::npos;
    std::string right = code + "〔" + (year_ok ? year : two_digits ? "20" + year : "2020") + "〕" +
                        (number_ok ? digits_only : "1") + "号";
    if (code.empty()) return fail("document number '" + text + "' has no 机关代字 before the year", "");
    if (open != "〔") {
      return fail("document number '" + text + "' puts the year in " + open + close +
                      "; the year goes in hexagonal brackets 〔〕",
                  right);
    }
    if (!year_ok) {
      return fail("document number '" + text + "' must give the year in full (four digits)", right);
    }
    if (has_di) {
      return fail("document number '" + text + "' must not have 第 before the number", right);
    }
    if (!number_ok) {
      return fail("document number '" + text + "' must end with the number and 号", right);
    }
    if (number.size() > 1 && number[0] == '0') {
      return fail("document number '" + text + "' must not pad the number with zeros", right);
    }
    if (!has_hao) return fail("document number '" + text + "' must end with 号", right);
    std::string code_problem = url_segment_problem(code);
    if (!code_problem.empty()) {
      if (why) {
        *why = "the 机关代字 '" + utf8_sanitized(code) + "' of document number '" + utf8_sanitized(text) +
               "' becomes part of the notice's URL and " + code_problem;
      }
      return std::nullopt;
    }
    auto year_value = parse_bounded(year, 9999, 4);
    auto number_value = parse_bounded(number, kMaxDocumentNumber, 9);
    if (!year_value || *year_value < 1900) {
      return fail("document number '" + text + "' has a year before 1900", "");
    }
    if (!number_value) {
      return fail("document number '" + text + "' has a 序号 larger than " + std::to_string(kMaxDocumentNumber), "");
    }
    return DocumentNumber{code, static_cast<int>(*year_value), static_cast<int>(*number_value)};
  }
  return fail("document number '" + text + "' has no year in 〔〕", "校党委发〔2020〕51号");
}

std::optional<Article> load_article(const SourceFile& file, const SiteConfig& config,
                                    Diagnostics& diags) {
  FrontMatter fm = parse_front_matter(file);
  int before = diags.error_count();
  Fields f(fm, article_schema(), diags);
  Article a;
  a.source = file.path;
  a.where = {file.path, 1, 1};
  a.title = f.text("title");
  a.unit = f.text("unit");
  a.author = f.text("author");
  auto date = f.date("date");
  a.tags = f.texts("tags");
  a.summary = f.text("summary");
  a.slug = f.text("slug", stem(file.path));
  if (std::string why = url_segment_problem(a.slug); !why.empty()) {
    f.error_at(f.has("slug") ? f.where("slug") : SourceLocation{file.path, 1, 1},
               "'" + utf8_sanitized(a.slug) + "' cannot be used in a URL: it " + why);
  }
  if (f.has("title") && a.title.empty()) f.error("title", "the title is empty");
  if (diags.error_count() > before || !date) return std::nullopt;
  a.date = *date;
  a.body_html = render_markdown(fm.body, article_markdown(config));
  return a;
}

std::optional<Notice> load_notice(const SourceFile& file, const FileSystem& fs,
                                  const std::string& root, const SiteConfig& config,
                                  Diagnostics& diags, bool frozen) {
  FrontMatter fm = parse_front_matter(file);
  int before = diags.error_count();
  Fields f(fm,
           {{"copy_no", {"份号"}},
            {"secret", {"密级", "密级和保密期限"}},
            {"urgency", {"紧急程度"}},
            {"issuer", {"发文机关", "发文机关标志"}, true},
            {"doc_no", {"发文字号", "文号"}},
            {"signers", {"签发人"}},
            {"title", {"标题"}, true},
            {"recipients", {"主送机关", "主送"}},
            {"attachments", {"附件", "附件说明"}},
            {"signature", {"署名", "发文机关署名"}},
            {"date", {"成文日期", "日期"}},
            {"sealed", {"印章"}},
            {"note", {"附注"}},
            {"cc", {"抄送", "抄送机关"}},
            {"printer", {"印发机关"}},
            {"print_date", {"印发日期"}},
            {"enclosure", {"印发文件"}},
            {"slug", {"链接名"}},
            {"revision", {"修订", "版本"}},
            {"revision_note", {"修订说明"}}},
           diags);
  Notice n;
  n.source = file.path;
  n.where = {file.path, 1, 1};
  n.slug = f.text("slug", stem(file.path));
  n.copy_no = f.text("copy_no");
  n.secret = f.text("secret");
  n.urgency = f.text("urgency");
  if (!n.urgency.empty() && n.urgency != "特急" && n.urgency != "加急") {
    f.error("urgency", "紧急程度 must be 特急 or 加急, not '" + n.urgency + "'");
  }
  n.issuer = f.texts("issuer");
  if (!n.issuer.empty() && n.issuer.back() == "文件") {
    n.issuer.pop_back();
    n.file_mark = true;
  } else if (!n.issuer.empty() && n.issuer.back().size() > 6 && ends_with(n.issuer.back(), "文件")) {
    n.issuer.back() = trim(n.issuer.back().substr(0, n.issuer.back().size() - 6));
    n.file_mark = true;
  }
  if (f.has("issuer") && n.issuer.empty()) f.error("issuer", "发文机关 is empty");
  if (f.has("doc_no")) {
    n.doc_no_where = f.where("doc_no");
    std::string why;
    n.doc_no = parse_document_number(f.text("doc_no"), &why);
    if (!n.doc_no) f.error("doc_no", why);
  }
  n.signers = f.texts("signers");
  n.title = f.text("title");
  n.recipients = f.text("recipients");
  while (ends_with(n.recipients, "：") || ends_with(n.recipients, ":")) {
    n.recipients.erase(n.recipients.size() - (ends_with(n.recipients, ":") ? 1 : 3));
  }
  n.signature = f.texts("signature");
  n.date = f.date("date");
  n.sealed = f.boolean("sealed");
  n.note = f.text("note");
  n.cc = f.text("cc");
  n.printer = f.text("printer");
  n.print_date = f.date("print_date");
  read_revision(f, n.revision, n.revision_note, n.revision_where);
  if (std::string why = url_segment_problem(n.slug); !n.doc_no && !why.empty()) {
    f.error_at(f.has("slug") ? f.where("slug") : SourceLocation{file.path, 1, 1},
               "'" + utf8_sanitized(n.slug) + "' cannot be used in a URL: it " + why);
  }

  // Resources (attachment pages and files, the enclosure) live in a folder
  // named after the notice file.
  std::string dir = parent_dir(file.path);
  std::string resources = join_path(dir, stem(file.path));
  MarkdownOptions md = official_markdown(config);

  if (f.has("enclosure")) {
    std::string name = f.text("enclosure");
    if (std::string why = resource_problem(fs, root, resources, "enclosure", name); !why.empty()) {
      f.error("enclosure", why);
    } else if (auto src = read_resource(fs, root, resources, name)) {
      try {
        FrontMatter efm = parse_front_matter(*src);
        Fields ef(efm, {{"title", {"标题"}, true}, {"signature", {"署名"}}, {"date", {"日期", "成文日期"}}},
                  diags);
        Enclosure e;
        e.title = ef.text("title");
        e.signature = ef.texts("signature");
        e.date = ef.date("date");
        if (!frozen) e.body_html = render_markdown(efm.body, md);
        n.enclosure = std::move(e);
      } catch (const Error& err) {
        diags.add(err.diagnostic());
      }
    } else {
      f.error("enclosure", "enclosure '" + name + "' not found: expected the file " +
                               join_path(resources, name));
    }
  }

  YAML::Node atts = f.node("attachments");
  if (atts.IsDefined() && !atts.IsNull()) {
    std::vector<YAML::Node> items;
    if (atts.IsSequence()) {
      for (const auto& item : atts) items.push_back(static_cast<const YAML::Node&>(item));
    } else {
      items.push_back(atts);
    }
    for (const auto& item : items) {
      Attachment a;
      a.index = static_cast<int>(n.attachments.size()) + 1;
      a.where = location_of(fm, item);
      std::string page, file_name;
      if (item.IsScalar()) {
        std::string s = trim(item.Scalar());
        (ends_with(s, ".md") ? page : file_name) = s;
      } else if (item.IsMap()) {
        FrontMatter sub = fm;
        sub.root.reset(static_cast<const YAML::Node&>(item));
        Fields af(sub, {{"title", {"标题", "名称"}}, {"page", {"页面"}}, {"file", {"文件"}}}, diags);
        a.title = af.text("title");
        page = af.text("page");
        file_name = af.text("file");
        if (af.has("page")) a.where = af.where("page");
        if (af.has("file")) a.where = af.where("file");
        if (page.empty() == file_name.empty()) {
          f.error_at(a.where, "an attachment needs either 'page' (a Markdown page) or 'file' (a file to link)");
          continue;
        }
      } else {
        f.error_at(a.where, "an attachment is a file name or {title: …, page: …} / {title: …, file: …}");
        continue;
      }
      if (std::string why = page.empty() ? resource_problem(fs, root, resources, "attachment file", file_name)
                                          : resource_problem(fs, root, resources, "attachment page", page);
          !why.empty()) {
        f.error_at(a.where, why);
        continue;
      }
      if (!page.empty()) {
        auto src = read_resource(fs, root, resources, page);
        if (!src) {
          f.error_at(a.where, "attachment page '" + page + "' not found: expected the file " +
                                  join_path(resources, page));
          continue;
        }
        try {
          FrontMatter afm = parse_front_matter(*src);
          Fields pf(afm, {{"title", {"标题"}, true}}, diags);
          a.page_title = pf.text("title");
          if (a.title.empty()) a.title = a.page_title;
          if (!frozen) a.page_html = render_markdown(afm.body, md);
        } catch (const Error& err) {
          diags.add(err.diagnostic());
          continue;
        }
      } else {
        std::string path = join_path(resources, file_name);
        if (!fs.is_file(join_path(root, path))) {
          f.error_at(a.where, "attachment file '" + file_name + "' not found: expected the file " + path);
          continue;
        }
        a.file_source = path;
        a.file_name = file_name.substr(file_name.rfind('/') == std::string::npos ? 0 : file_name.rfind('/') + 1);
        a.file_size = fs.size(join_path(root, path));
        if (a.title.empty()) a.title = stem(a.file_name);
        // The file goes beside the notice's page: it must not take the page's
        // own name, an attachment page's, or another file's.
        bool clash = a.file_name == "index.html" || a.file_name.starts_with("attachment-");
        for (const auto& other : n.attachments) {
          if (!other.is_page() && other.file_name == a.file_name) {
            f.error_at(a.where, "attachment file '" + a.file_name + "' has the same name in the site as " +
                                    other.file_source + " (line " + std::to_string(other.where.line) +
                                    "); rename one of them");
            clash = false;
            a.file_name.clear();
          }
        }
        if (a.file_name.empty()) continue;
        if (clash) {
          f.error_at(a.where, "attachment file name '" + a.file_name +
                                  "' is reserved for the notice's pages; rename the file");
          continue;
        }
      }
      n.attachments.push_back(std::move(a));
    }
  }

  if (diags.error_count() > before) return std::nullopt;
  if (!frozen) n.body_html = render_markdown(fm.body, md);
  return n;
}

std::optional<BulletinIssue> load_issue(const SourceFile& file, const SiteConfig& config,
                                        Diagnostics& diags, bool frozen) {
  FrontMatter fm = parse_front_matter(file);
  int before = diags.error_count();
  Fields f(fm,
           {{"series", {"系列", "简报"}},
            {"number", {"期号", "期数"}, true},
            {"supplement", {"增刊"}},
            {"date", {"日期"}, true},
            {"title", {"标题"}, true},
            {"editor", {"编印单位", "编辑单位"}},
            {"mark", {"密级", "标记"}},
            {"sections", {"栏目"}},
            {"distribution", {"发送", "分送"}},
            {"print_count", {"印数", "共印"}},
            {"revision", {"修订", "版本"}},
            {"revision_note", {"修订说明"}}},
           diags);
  BulletinIssue issue;
  issue.source = file.path;
  issue.where = {file.path, 1, 1};
  issue.series = f.text("series");
  if (issue.series.empty()) {
    // Default: the folder the issue sits in (content/bulletins/<series>/…).
    std::string dir = parent_dir(file.path);
    issue.series = dir.substr(dir.rfind('/') + 1);
  }
  const Series* series = nullptr;
  for (const auto& s : config.series)
    if (s.id == issue.series || s.name == issue.series) series = &s;
  if (!series) {
    std::vector<std::string> ids;
    for (const auto& s : config.series) ids.push_back(s.id);
    std::string msg = "unknown bulletin series '" + issue.series + "'";
    if (auto guess = did_you_mean(issue.series, ids)) {
      msg += "; did you mean '" + *guess + "'?";
    } else if (ids.empty()) {
      msg += "; declare it under 'series:' in bulletin.yaml";
    } else {
      std::string all;
      for (const auto& id : ids) all += (all.empty() ? "" : ", ") + id;
      msg += "; the series declared in bulletin.yaml are: " + all;
    }
    f.error_at(f.has("series") ? f.where("series") : SourceLocation{file.path, 1, 1}, msg);
  } else {
    issue.series = series->id;
  }
  auto number = f.integer("number");
  issue.number_where = f.where("number");
  if (number && *number < 1) f.error("number", "the issue number must be 1 or more");
  issue.supplement = f.boolean("supplement");
  auto date = f.date("date");
  issue.title = f.text("title");
  issue.editor = f.text("editor", series ? series->editor : "");
  issue.mark = f.text("mark");
  read_revision(f, issue.revision, issue.revision_note, issue.revision_where);
  auto count = f.integer("print_count");
  issue.print_count = count ? static_cast<int>(*count) : 0;

  YAML::Node dist = f.node("distribution");
  if (dist.IsDefined() && !dist.IsNull()) {
    if (!dist.IsMap()) {
      f.error("distribution", "distribution maps 报 / 送 / 发 to recipients, e.g. 发: [市卫生健康委, 各有关高校]");
    } else {
      for (const auto& kv : dist) {
        DistributionLine line;
        line.label = trim(kv.first.Scalar());
        if (kv.second.IsSequence()) {
          for (const auto& r : kv.second) line.recipients.push_back(trim(r.Scalar()));
        } else if (kv.second.IsScalar()) {
          line.recipients = split_list(kv.second.Scalar());
        }
        issue.distribution.push_back(std::move(line));
      }
    }
  }

  YAML::Node sections = f.node("sections");
  MarkdownOptions md = article_markdown(config);
  if (sections.IsDefined() && !sections.IsNull()) {
    if (!sections.IsSequence()) {
      f.error("sections", "sections is a list; each section has a heading and a body, articles or a ranking");
    } else {
      for (const auto& item : sections) {
        if (!item.IsMap()) {
          f.error_at(location_of(fm, item), "each section needs at least a 'heading'");
          continue;
        }
        FrontMatter sub = fm;
        sub.root.reset(static_cast<const YAML::Node&>(item));
        Fields sf(sub,
                  {{"heading", {"标题", "栏目"}, true},
                   {"body", {"正文", "内容"}},
                   {"articles", {"文章"}},
                   {"ranking", {"排名", "排行"}}},
                  diags);
        IssueSection s;
        s.heading = sf.text("heading");
        std::string body = sf.text("body");
        if (sf.node("body").IsScalar()) body = sf.node("body").Scalar();  // keep line breaks
        s.body_html = body.empty() || frozen ? "" : render_markdown(body, md);
        s.articles = sf.texts("articles");
        YAML::Node refs = sf.node("articles");
        if (refs.IsSequence()) {
          for (const auto& r : refs) s.article_locations.push_back(location_of(fm, r));
        } else {
          s.article_locations.assign(s.articles.size(), sf.where("articles"));
        }
        YAML::Node ranking = sf.node("ranking");
        if (ranking.IsDefined() && !ranking.IsNull()) {
          FrontMatter rsub = fm;
          rsub.root.reset(ranking);
          if (!ranking.IsMap()) {
            sf.error("ranking", "ranking is {rule: <rule id>, period: <period id such as 2020-11>}");
          } else {
            Fields rf(rsub, {{"rule", {"规则"}, true}, {"period", {"时段", "期间"}, true}}, diags);
            s.ranking = RankingRef{rf.text("rule"), rf.text("period"), rf.where("rule")};
          }
        }
        issue.sections.push_back(std::move(s));
      }
    }
  }
  if (diags.error_count() > before || !date || !number) return std::nullopt;
  issue.date = *date;
  issue.number = static_cast<int>(*number);
  issue.intro_html = trim(fm.body).empty() || frozen ? "" : render_markdown(fm.body, md);
  return issue;
}

Content load_content(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                     Diagnostics& diags, const FrozenSources& frozen, ParseCache* cache) {
  auto is_frozen = [&](const std::string& source, const std::string& digest) {
    auto it = frozen.find(source);
    return it != frozen.end() && it->second == digest;
  };
  Content content;
  auto load_each = [&](const std::string& folder, bool top_level_only, auto&& load_one) {
    std::string dir = join_path(root, folder);
    std::vector<ListProblem> problems;
    for (const auto& rel : fs.list(dir, &problems)) {
      if (!ends_with(rel, ".md")) continue;
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
  std::set<std::string> broken_articles;  // already reported: not "missing" from issues too
  {
    ParseCache none("", "");
    std::vector<std::string> broken;
    content.articles = load_articles(fs, root, config, diags, cache ? *cache : none, broken, content.files);
    broken_articles.insert(broken.begin(), broken.end());
  }
  load_each("content/notices", true, [&](const SourceFile& file) {
    std::string digest = source_digest(fs, root, file.path, notice_resources(file.path));
    if (auto n = load_notice(file, fs, root, config, diags, is_frozen(file.path, digest))) {
      n->source_digest = std::move(digest);
      content.notices.push_back(std::move(*n));
    }
  });
  load_each("content/bulletins", false, [&](const SourceFile& file) {
    std::string digest = sha256(file.text);  // the file is all an issue's source
    if (auto i = load_issue(file, config, diags, is_frozen(file.path, digest))) {
      i->source_digest = std::move(digest);
      content.issues.push_back(std::move(*i));
    }
  });

  // Identity checks across documents.
  std::map<std::string, const Article*> slugs;
  for (const auto& a : content.articles) {
    auto [it, fresh] = slugs.emplace(a.slug, &a);
    if (!fresh) {
      diags.error(a.where, "article URL 'articles/" + a.slug + "/' is already used by " +
                               it->second->source + "; give one of them another 'slug'");
    }
  }
  std::map<std::string, const Notice*> numbers;
  for (const auto& n : content.notices) {
    auto [it, fresh] = numbers.emplace(n.url(), &n);
    if (!fresh) {
      const SourceLocation& where = n.doc_no ? n.doc_no_where : n.where;
      diags.error(where,
                  (n.doc_no ? "document number " + n.doc_no->text() : "notice URL " + n.url()) +
                      " is already used by " + it->second->source,
                  n.doc_no ? line_of(fs.read(join_path(root, n.source)).value_or(""), where.line) : "");
    }
  }
  std::map<std::string, const BulletinIssue*> issues;
  for (const auto& i : content.issues) {
    const Series* s = nullptr;
    for (const auto& candidate : config.series)
      if (candidate.id == i.series) s = &candidate;
    std::string key = i.series + (i.supplement ? "/增刊/" : "/") +
                      (s && !s->yearly_numbering ? "" : std::to_string(i.date.year) + "/") +
                      std::to_string(i.number);
    auto [it, fresh] = issues.emplace(key, &i);
    if (!fresh) {
      std::string series_name = s ? s->name : i.series;
      diags.error(i.number_where,
                  series_name + " " + (s && s->yearly_numbering ? std::to_string(i.date.year) + "年" : "") +
                      i.number_text() + " is already used by " + it->second->source,
                  line_of(fs.read(join_path(root, i.source)).value_or(""), i.number_where.line));
    }
    for (const auto& section : i.sections) {
      for (size_t k = 0; k < section.articles.size(); ++k) {
        if (slugs.count(section.articles[k]) || broken_articles.count(section.articles[k])) continue;
        std::vector<std::string> known;
        for (const auto& [slug, _] : slugs) known.push_back(slug);
        std::string msg = "no article '" + section.articles[k] + "' in content/articles";
        if (auto guess = did_you_mean(section.articles[k], known)) msg += "; did you mean '" + *guess + "'?";
        const SourceLocation& where = section.article_locations[k];
        diags.error(where, msg, line_of(fs.read(join_path(root, i.source)).value_or(""), where.line));
      }
    }
  }

  auto newest_first = [](const auto& a, const auto& b) { return a.date > b.date; };
  std::stable_sort(content.articles.begin(), content.articles.end(), [&](const Article& a, const Article& b) {
    return a.date != b.date ? a.date > b.date : a.slug < b.slug;
  });
  std::stable_sort(content.notices.begin(), content.notices.end(), [](const Notice& a, const Notice& b) {
    Date da = a.date.value_or(Date{a.year(), 1, 1}), db = b.date.value_or(Date{b.year(), 1, 1});
    return da != db ? da > db : a.url() < b.url();
  });
  std::stable_sort(content.issues.begin(), content.issues.end(),
                   [&](const BulletinIssue& a, const BulletinIssue& b) {
                     if (a.date != b.date) return newest_first(a, b);
                     return a.url() < b.url();
                   });
  return content;
}

}  // namespace bulletin
