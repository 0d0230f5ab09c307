// load_issue: one bulletin issue (简报, content/bulletins/<series>/<name>.md):
// its series, number, sections and distribution.
#include "load/documents.h"
#include "load/loader_parts.h"
#include "load/schema.h"
#include "util/text.h"

namespace bulletin {
namespace {

// Staff paste lists as one line: "a、b、c" -> {a, b, c}.
std::vector<std::string> split_list(const std::string& s) {
  static constexpr std::string_view kComma = "、";
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(kComma, start);
    std::string item = trim(s.substr(start, pos == std::string::npos ? pos : pos - start));
    if (!item.empty()) out.push_back(item);
    if (pos == std::string::npos) break;
    start = pos + kComma.size();
  }
  return out;
}

// The issue's series, by id or name; reports an unknown one with the
// declared ids.
const Series* read_series(const Fields& f, const SeriesIndex& index, BulletinIssue& issue) {
  const std::string& path = f.front_matter().file->path;
  issue.series = f.text("series");
  if (issue.series.empty()) {
    // Default: the folder the issue sits in (content/bulletins/<series>/…).
    std::string dir = parent_dir(path);
    issue.series = dir.substr(dir.rfind('/') + 1);
  }
  if (const Series* series = index.find(issue.series)) {
    issue.series = series->id;
    return series;
  }
  const std::vector<std::string>& ids = index.ids();
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
  f.error_at(f.has("series") ? f.where("series") : SourceLocation{path, 1, 1}, msg);
  return nullptr;
}

void read_distribution(const Fields& f, BulletinIssue& issue) {
  YAML::Node dist = f.node("distribution");
  if (!dist.IsDefined() || dist.IsNull()) return;
  if (!dist.IsMap()) {
    f.error("distribution", "distribution maps 报 / 送 / 发 to recipients, e.g. 发: [市卫生健康委, 各有关高校]");
    return;
  }
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

IssueSection read_section(const Fields& f, const YAML::Node& item, const MarkdownOptions& md, bool frozen) {
  const FrontMatter& fm = f.front_matter();
  Diagnostics& diags = f.diagnostics();
  FrontMatter sub = fm;
  sub.root.reset(item);
  Fields sf(sub, section_fields(), diags);
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
      Fields rf(rsub, ranking_ref_fields(), diags);
      SourceLocation where = rf.where("rule");
      s.ranking = RankingRef{rf.text("rule"), rf.text("period"), where, line_of(fm.file->text, where.line)};
    }
  }
  return s;
}

void read_sections(const Fields& f, const MarkdownOptions& md, bool frozen, BulletinIssue& issue) {
  YAML::Node sections = f.node("sections");
  if (!sections.IsDefined() || sections.IsNull()) return;
  if (!sections.IsSequence()) {
    f.error("sections", "sections is a list; each section has a heading and a body, articles or a ranking");
    return;
  }
  for (const auto& item : sections) {
    if (!item.IsMap()) {
      f.error_at(location_of(f.front_matter(), item), "each section needs at least a 'heading'");
      continue;
    }
    issue.sections.push_back(read_section(f, item, md, frozen));
  }
}

}  // namespace

std::optional<BulletinIssue> load_issue(const SourceFile& file, const SiteConfig& config, const SeriesIndex& index,
                                        Diagnostics& diags, bool frozen) {
  DocumentReader<BulletinIssue> reader(file, issue_schema(), diags);
  const Fields& f = reader.fields;
  BulletinIssue& issue = reader.doc;
  const Series* series = read_series(f, index, issue);
  read_bound_fields(f, issue_schema(), issue);
  auto number = f.integer("number");
  issue.number_where = f.where("number");
  if (number && *number < 1) f.error("number", "the issue number must be 1 or more");
  auto date = f.date("date");
  issue.editor = f.text("editor", series ? series->editor : "");
  issue.revision = read_revision(f);
  auto count = f.integer("print_count");
  issue.print_count = count ? static_cast<int>(*count) : 0;
  read_distribution(f, issue);
  MarkdownOptions md = article_markdown(config);
  read_sections(f, md, frozen, issue);
  if (reader.failed() || !date || !number) return std::nullopt;
  issue.date = *date;
  issue.number = static_cast<int>(*number);
  std::string_view intro = reader.front_matter.body;
  issue.intro_html = trim(intro).empty() || frozen ? "" : render_markdown(intro, md);
  return std::move(issue);
}

std::optional<BulletinIssue> load_issue(const SourceFile& file, const SiteConfig& config, Diagnostics& diags,
                                        bool frozen) {
  return load_issue(file, config, SeriesIndex(config.series), diags, frozen);
}

}  // namespace bulletin
