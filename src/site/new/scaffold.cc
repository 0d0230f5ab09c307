#include "site/new/scaffold.h"

#include <algorithm>

#include "load/documents.h"
#include "load/front_matter.h"
#include "load/schema.h"
#include "util/input_check.h"
#include "util/text.h"

namespace bulletin {
namespace {

// Where problems with the command's options are reported.
const SourceLocation kCommand{"bulletin new"};

// A YAML double-quoted scalar: safe for any title staff type.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The first of `keys` present in a front matter mapping, as a scalar.
std::string scalar(const YAML::Node& root, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    YAML::Node n = root[k];
    if (n.IsDefined() && n.IsScalar()) return trim(n.Scalar());
  }
  return "";
}

// The front matter of a content file, or nullopt when it does not parse;
// a half-written file must not stop `new`.
std::optional<YAML::Node> front_matter_of(const FileSystem& fs, const std::string& root, const std::string& rel) {
  SourceFile file{rel, fs.read(join_path(root, rel)).value_or("")};
  try {
    FrontMatter fm = parse_front_matter(file, false);
    if (!fm.root.IsMap()) return std::nullopt;
    return fm.root;
  } catch (const Error&) {
    return std::nullopt;
  }
}

void check_slug(const std::string& slug, const std::string& option) {
  if (!slug_problem(slug).empty()) {
    throw Error(kCommand, "invalid " + option + " '" + utf8_sanitized(slug) + "': " + kSlugCharacters);
  }
}

std::string strip_extension(std::string slug, const std::string& ext) {
  if (slug.ends_with(ext)) slug.resize(slug.size() - ext.size());
  return slug;
}

// `folder/base.ext`, or `folder/base-2.ext`, `-3`… when taken.
std::string free_path(const FileSystem& fs, const std::string& root, const std::string& folder, const std::string& base,
                      const std::string& ext) {
  std::string rel = folder + "/" + base + ext;
  for (int k = 2; fs.is_file(join_path(root, rel)); ++k) rel = folder + "/" + base + "-" + std::to_string(k) + ext;
  return rel;
}

void refuse_existing(const FileSystem& fs, const std::string& root, const std::string& rel) {
  if (fs.is_file(join_path(root, rel))) {
    throw Error({rel, 0, 0}, "already exists; bulletin new never overwrites a file (choose another --slug)");
  }
}

// The file named by --slug in `folder`: a checked slug, never an existing file.
std::string slug_path(const FileSystem& fs, const std::string& root, const std::string& folder,
                      const std::string& slug_arg) {
  std::string slug = strip_extension(slug_arg, ".md");
  check_slug(slug, "--slug");
  std::string rel = folder + "/" + slug + ".md";
  refuse_existing(fs, root, rel);
  return rel;
}

// The text of a content file: `front_matter` between its --- lines, then
// `body`; with a note while the title is still to be filled in.
void set_content(ScaffoldFile& f, const ScaffoldRequest& r, const std::string& front_matter, const std::string& body) {
  f.text = "---\n" + front_matter + "---\n" + body;
  if (r.title.empty()) f.note = "fill in the title (bulletin check reports it as empty until then)";
}

std::string date_text(const ScaffoldRequest& r) { return r.iso_date ? r.today.iso() : r.today.official(); }

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// The series `wanted` names (by id or name), or the only one when `wanted` is empty.
const Series& find_series(const SiteConfig& config, const SeriesIndex& index, const std::string& wanted) {
  const std::vector<std::string>& ids = index.ids();
  std::string all;
  for (const auto& id : ids) all += (all.empty() ? "" : ", ") + id;
  if (wanted.empty()) {
    if (ids.size() == 1) return *index.find(ids.front());
    if (ids.empty()) {
      throw Error({config.path, 0, 0}, "no bulletin series is declared; add one under 'series:' first");
    }
    throw Error(kCommand, "this site has several bulletin series; choose one with --series (" + all + ")");
  }
  if (const Series* found = index.find(wanted)) return *found;
  std::string msg = "unknown bulletin series '" + wanted + "'";
  if (auto guess = did_you_mean(wanted, ids)) {
    msg += "; did you mean '" + *guess + "'?";
  } else {
    msg += all.empty() ? "; no series is declared in " + config.path
                       : "; the series declared in " + config.path + " are: " + all;
  }
  throw Error(kCommand, msg);
}

ScaffoldFile scaffold_article(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                              const ScaffoldRequest& r) {
  ScaffoldFile f;
  if (!r.slug.empty()) {
    f.path = slug_path(fs, root, "content/articles", r.slug);
  } else {
    f.path = free_path(fs, root, "content/articles", r.today.iso(), ".md");
  }
  std::string fm = "title: " + quoted(r.title) + (r.title.empty() ? "   # 必填：文章标题" : "") + "\n";
  fm += "unit: " + quoted(config.organization) + "   # 作者单位\n# author: 张三\n";
  fm += "date: " + date_text(r) + "\n";
  fm +=
      "tags: []                # 例如 [学习强国, 经验交流]\n"
      "# summary: 一段话的摘要，显示在文章列表中\n";
  set_content(f, r, fm, "在此撰写正文。段落之间空一行。\n");
  return f;
}

// The largest 序号 among notices of `code` in `year`.
int last_notice_number(const FileSystem& fs, const std::string& root, const std::string& code, int year) {
  int last = 0;
  for (const auto& rel : fs.list(join_path(root, "content/notices"))) {
    if (!rel.ends_with(".md") || rel.find('/') != std::string::npos) continue;
    auto fm = front_matter_of(fs, root, "content/notices/" + rel);
    if (!fm) continue;
    Diagnostics ignored;  // a malformed number is `check`'s to report
    auto no = parse_document_number(scalar(*fm, spellings(notice_schema().specs(), "doc_no")), {}, ignored);
    if (no && no->code == code && no->year == year) last = std::max(last, no->number);
  }
  return last;
}

ScaffoldFile scaffold_notice(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                             const ScaffoldRequest& r) {
  std::string doc_no = r.doc_no;
  if (doc_no.empty() && !r.code.empty()) {
    if (std::string why = url_segment_problem(r.code); !why.empty())
      throw Error(kCommand, "invalid --code '" + utf8_sanitized(r.code) +
                                "': the 机关代字 becomes part of the notice's URL and " + why);
    int next = last_notice_number(fs, root, r.code, r.today.year) + 1;
    doc_no = DocumentNumber{r.code, r.today.year, next}.text();
  }
  std::optional<DocumentNumber> number;
  if (!doc_no.empty()) {
    Diagnostics problems;
    number = parse_document_number(doc_no, kCommand, problems);
    if (!number) throw Error(kCommand, "invalid --doc-no '" + doc_no + "': " + problems.items().front().message);
  }
  ScaffoldFile f;
  if (!r.slug.empty()) {
    f.path = slug_path(fs, root, "content/notices", r.slug);
  } else if (number) {
    f.path = "content/notices/" + std::to_string(number->year) + "-" + number->code + "-" +
             std::to_string(number->number) + ".md";
    refuse_existing(fs, root, f.path);
  } else {
    f.path = free_path(fs, root, "content/notices", r.today.iso(), ".md");
  }
  std::string fm = "issuer: " + quoted(config.organization) + "   # 发文机关；联合行文写成列表\n";
  if (number) {
    fm += "doc_no: " + number->text() + "\n";
  } else {
    fm += "# doc_no: 校党委发〔" + std::to_string(r.today.year) + "〕1号   # 发文字号\n";
  }
  fm += "title: " + quoted(r.title) + (r.title.empty() ? "   # 必填：公文标题" : "") + "\n";
  fm += "recipients: \"\"         # 主送机关，例如 各分党委、党总支、直属党支部\n";
  fm += "signature: " + quoted(config.organization) + "   # 发文机关署名\n";
  fm += "date: " + date_text(r) + "   # 成文日期\n";
  fm +=
      "# attachments: [附件1.md]   # 附件页面放在同名文件夹中\n"
      "# cc: 抄送机关\n";
  fm += "# printer: " + config.organization + "\n";
  fm += "# print_date: " + date_text(r) + "\n";
  set_content(f, r, fm, "在此撰写正文。层次序号依次用 一、（一）1.（1）。\n\n特此通知。\n");
  return f;
}

ScaffoldFile scaffold_issue(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                            const ScaffoldRequest& r) {
  SeriesIndex index(config.series);
  const Series& series = find_series(config, index, r.series);
  int number = r.number ? *r.number : next_issue_number(fs, root, config, series.id, r.today.year, r.supplement);
  if (number < 1) throw Error(kCommand, "the issue number must be 1 or more");
  ScaffoldFile f;
  std::string folder = "content/bulletins/" + series.id;
  if (!r.slug.empty()) {
    f.path = slug_path(fs, root, folder, r.slug);
  } else {
    std::string base = std::to_string(r.today.year) + "-" + (r.supplement ? "zk" : "") + two_digits(number);
    f.path = folder + "/" + base + ".md";
    refuse_existing(fs, root, f.path);
  }
  std::string fm = "series: " + series.id + "   # " + series.name + "\n";
  fm += "number: " + std::to_string(number) + "   # 期号\n";
  if (r.supplement) fm += "supplement: true   # 增刊\n";
  fm += "date: " + date_text(r) + "\n";
  fm += "title: " + quoted(r.title) + (r.title.empty() ? "   # 必填：本期标题" : "") + "\n";
  fm += "editor: " + quoted(series.editor) + "   # 编印单位\n";
  fm +=
      "# mark: 内部资料\n"
      "sections:                # 栏目，自动编号 一、二、\n"
      "  - heading: 工作动态\n"
      "    body: |\n"
      "      在此撰写本栏目内容。\n"
      "#  - heading: 经验交流\n"
      "#    articles: [文章链接名]            # content/articles/ 中的文件名（不含 .md）\n"
      "#  - heading: 学习情况\n";
  fm += "#    ranking: {rule: xxqg-units, period: " + std::to_string(r.today.year) + "-" + two_digits(r.today.month) +
        "}\n";
  fm +=
      "# distribution:\n"
      "#   报: [市委组织部]\n"
      "#   发: [各有关高校党委]\n"
      "# print_count: 100\n";
  set_content(f, r, fm, "");
  return f;
}

ScaffoldFile scaffold_rule(const FileSystem& fs, const std::string& root, const ScaffoldRequest& r) {
  if (r.slug.empty()) {
    throw Error(kCommand,
                "a rule needs an id, which is also its file name and URL segment: "
                "bulletin new rule --slug xxqg-units");
  }
  std::string id = strip_extension(strip_extension(r.slug, ".yaml"), ".yml");
  if (!is_rule_id(id))
    throw Error(kCommand, "invalid rule id '" + utf8_sanitized(id) + "': use only " + kRuleIdCharacters +
                              " (it is a URL segment)");
  ScaffoldFile f;
  f.path = "data/rules/" + id + ".yaml";
  refuse_existing(fs, root, f.path);
  f.text = "# 排名规则（见 docs/rules.md）。以 # 开头的行是说明，可以删除。\n";
  f.text += "id: " + id + "                       # URL: rankings/" + id + "/<时段>/\n";
  f.text += "title: " + quoted(r.title.empty() ? id : r.title) + "\n";
  f.text += "exports: exports/" + id + "-*.json     # data/ 下的导出文件（JSON 数组、对象或 JSON Lines）\n";
  f.text += "fields:                      # 规范名: 导出记录中的键\n";
  f.text += "  date: 日期\n";
  f.text += "  unit: 单位\n";
  f.text += "  members: 学员总数\n";
  f.text += "  active: 活跃学员数\n";
  f.text += "  score: 积分合计\n";
  f.text += "entity: unit                 # 每个不同的值一行\n";
  f.text += "# group: branch              # 在每组内分别排名，每组一张表\n";
  f.text += "period: month                # day | week | month | quarter | half | year\n";
  f.text += "metrics:\n";
  f.text += "  - id: participation\n";
  f.text += "    label: 日人均参与度\n";
  f.text += "    value: mean(active / members)\n";
  f.text += "    format: percent:2          # 97.60%\n";
  f.text += "  - id: avg_score\n";
  f.text += "    label: 日人均积分\n";
  f.text += "    value: mean(score / members)\n";
  f.text += "    format: decimal:2          # 43.06\n";
  f.text += "order: [participation desc, avg_score desc]\n";
  f.text += "# lists:\n";
  f.text += "#   - {id: bottom, label: 排名靠后的单位, bottom: 3}\n";
  f.text += "#   - {id: leaders, label: 参与度达到 90% 的单位, where: participation >= 0.9}\n";
  f.text += "# bad_records: skip           # 跳过有问题的记录（页面会注明跳过了多少条）\n";
  f.note = "edit 'exports', 'fields' and 'metrics' to match your export files";
  return f;
}

}  // namespace

std::optional<ScaffoldKind> parse_scaffold_kind(const std::string& word) {
  if (word == "article") return ScaffoldKind::Article;
  if (word == "notice") return ScaffoldKind::Notice;
  if (word == "issue") return ScaffoldKind::Issue;
  if (word == "rule") return ScaffoldKind::Rule;
  return std::nullopt;
}

int next_issue_number(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                      const std::string& series, int year, bool supplement) {
  SeriesIndex index(config.series);
  const Series* wanted = index.find(series);
  bool yearly = wanted ? wanted->yearly_numbering : true;
  const auto& fields = issue_schema().specs();
  int last = 0;
  for (const auto& rel : fs.list(join_path(root, "content/bulletins"))) {
    if (!rel.ends_with(".md")) continue;
    auto fm = front_matter_of(fs, root, "content/bulletins/" + rel);
    if (!fm) continue;
    std::string in = scalar(*fm, spellings(fields, "series"));
    if (in.empty()) in = rel.substr(0, rel.find('/'));  // the folder it sits in
    if (in != series && !(wanted && wanted->name == in)) continue;
    if (boolean_word(scalar(*fm, spellings(fields, "supplement"))).value_or(false) != supplement) continue;
    if (yearly) {
      // A date that does not parse yet cannot rule the file out.
      auto date = parse_date(scalar(*fm, spellings(fields, "date")));
      if (date && date->year != year) continue;
    }
    try {
      last = std::max(last, std::stoi(scalar(*fm, spellings(fields, "number"))));
    } catch (const std::exception&) {
    }
  }
  return last + 1;
}

ScaffoldFile scaffold(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                      const ScaffoldRequest& request) {
  switch (request.kind) {
    case ScaffoldKind::Article: return scaffold_article(fs, root, config, request);
    case ScaffoldKind::Notice: return scaffold_notice(fs, root, config, request);
    case ScaffoldKind::Issue: return scaffold_issue(fs, root, config, request);
    case ScaffoldKind::Rule: return scaffold_rule(fs, root, request);
  }
  return {};
}

}  // namespace bulletin
