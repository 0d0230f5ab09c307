#include "render/ranking_pages.h"

#include <algorithm>
#include <set>

#include "render/chart.h"
#include "util/sha256.h"
#include "util/text.h"

namespace bulletin {
namespace {

void set(PageData& d, const std::string& key, const std::string& value) {
  d[key] = value.empty() ? PageData(false) : PageData(value);
}

// Entity names become URL segments: keep the name, replace what a path or a
// URL cannot hold.
std::string url_segment(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' || c == '"' || c == '<' || c == '>' || c == '|' ||
        c == ':' || c == '*' || c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      if (out.empty() || out.back() != '-') out += '-';
    } else {
      out += c;
    }
  }
  if (out.empty() || out == "." || out == "..") out = "entity";
  if (out[0] == '.') out[0] = '-';  // never a hidden file
  return out;
}

PageData metric_cells(const std::vector<MetricValue>& metrics) {
  PageData cells = PageData::array();
  for (const auto& m : metrics) cells.push_back(PageData::object({{"text", m.text}}));
  return cells;
}

PageData columns(const std::vector<RankingMetric>& metrics) {
  PageData cols = PageData::array();
  for (const auto& m : metrics) cols.push_back({{"label", m.label}, {"id", m.id}});
  return cols;
}

PageData row_data(const RankingRule& rule, const RankedRow& row) {
  PageData r = PageData::object();
  r["rank"] = std::to_string(row.rank);
  r["entity"] = row.entity;
  set(r, "group", row.group);
  r["metrics"] = metric_cells(row.metrics);
  r["history_url"] = entity_url(rule, row.entity, row.group);
  return r;
}

// `overall`: the list was drawn from all rows (per_group: false in a grouped
// rule), so each entry shows its overall rank, as index.json does.
PageData list_data(const RankingRule& rule, const PeriodResult& period, const ListResult& list, bool group_list,
                   bool overall = false) {
  PageData l = PageData::object();
  l["label"] = list.label;
  l["id"] = list.id;
  l["ties_extended"] = list.ties_extended();
  PageData parts = PageData::array();
  bool empty = true;
  for (const auto& part : list.parts) {
    PageData p = PageData::object();
    set(p, "group", part.group);
    p["ties_extended"] = part.ties_extended;
    PageData items = PageData::array();
    for (size_t i : part.items) {
      empty = false;
      if (group_list) {
        const GroupRow& g = period.group_rows[i];
        items.push_back({{"rank", std::to_string(g.rank)}, {"name", g.group}});
      } else {
        const RankedRow& row = period.rows[i];
        PageData item = {{"rank", std::to_string(overall ? row.overall_rank : row.rank)}, {"name", row.entity}};
        item["history_url"] = entity_url(rule, row.entity, row.group);
        items.push_back(std::move(item));
      }
    }
    p["items"] = std::move(items);
    p["empty"] = part.items.empty();
    parts.push_back(std::move(p));
  }
  l["parts"] = std::move(parts);
  l["empty"] = empty;
  return l;
}

std::string kind_word(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::Day: return "日";
    case PeriodKind::Week: return "周";
    case PeriodKind::Month: return "月";
    case PeriodKind::Quarter: return "季度";
    case PeriodKind::Half: return "半年";
    case PeriodKind::Year: return "年度";
  }
  return "";
}

}  // namespace

std::string period_label(PeriodKind kind, const std::string& id) {
  auto range = parse_period_id(kind, id);
  if (!range) return id;
  const Date& d = range->first;
  std::string year = std::to_string(d.year) + "年";
  switch (kind) {
    case PeriodKind::Day: return d.official();
    case PeriodKind::Week:
      return std::to_string(range->last.iso_week_year()) + "年第" + id.substr(id.find('W') + 1) + "周";
    case PeriodKind::Month: return year + std::to_string(d.month) + "月";
    case PeriodKind::Quarter: return year + "第" + chinese_number((d.month - 1) / 3 + 1) + "季度";
    case PeriodKind::Half: return year + (d.month == 1 ? "上半年" : "下半年");
    case PeriodKind::Year: return year;
  }
  return id;
}

std::string ranking_url(const RankingRule& rule, const std::string& period_id) {
  return ranking_period_url(rule.id, period_id);
}

std::string entity_url(const RankingRule& rule, const std::string& entity, const std::string& group) {
  std::string url = ranking_entities_url(rule.id);
  if (!group.empty()) url += url_segment(group) + "/";
  return url + url_segment(entity) + "/";
}

PageData ranking_tables(const RankingRule& rule, const PeriodResult& period) {
  PageData d = PageData::object();
  d["rank_label"] = rule.rank_label;
  d["entity_label"] = rule.entity_label();
  set(d, "group_label", rule.group_label());
  d["columns"] = columns(rule.metrics);
  PageData tables = PageData::array();
  for (const auto& t : period.tables) {
    PageData table = PageData::object();
    set(table, "group", t.group);
    PageData rows = PageData::array();
    for (size_t i : t.rows) rows.push_back(row_data(rule, period.rows[i]));
    table["rows"] = std::move(rows);
    tables.push_back(std::move(table));
  }
  d["tables"] = std::move(tables);
  PageData lists = PageData::array();
  for (size_t i = 0; i < period.lists.size(); ++i)
    lists.push_back(list_data(rule, period, period.lists[i], false, rule.has_group() && !rule.lists.at(i).per_group));
  d["lists"] = std::move(lists);
  d["has_lists"] = !period.lists.empty();
  if (rule.groups && !period.group_rows.empty()) {
    PageData g = PageData::object();
    g["group_label"] = rule.group_label();
    g["rank_label"] = rule.rank_label;
    g["columns"] = columns(rule.groups->metrics);
    PageData rows = PageData::array();
    for (const auto& row : period.group_rows) {
      rows.push_back({{"rank", std::to_string(row.rank)},
                      {"group", row.group},
                      {"members", std::to_string(row.members)},
                      {"metrics", metric_cells(row.metrics)}});
    }
    g["rows"] = std::move(rows);
    PageData glists = PageData::array();
    for (const auto& l : period.group_lists) glists.push_back(list_data(rule, period, l, true));
    g["lists"] = std::move(glists);
    d["groups"] = std::move(g);
  }
  d["complete"] = period.complete;
  d["no_rows"] = period.rows.empty();
  set(d, "as_of", period.complete || period.records == 0 ? "" : period.last_in_data.official());
  d["period_label"] = period_label(rule.period, period.id);
  if (period.skipped.count > 0) {
    PageData reasons = PageData::array();
    for (const auto& [reason, n] : period.skipped.by_reason)
      reasons.push_back({{"reason", reason}, {"count", std::to_string(n)}});
    PageData first = PageData::array();
    for (const auto& r : period.skipped.first)
      first.push_back({{"file", r.path},
                       {"line", std::to_string(r.line)},
                       {"column", std::to_string(r.column)},
                       {"record", std::to_string(r.index)},
                       {"reason", r.reason},
                       {"text", r.text}});
    d["skipped"] = {{"count", std::to_string(period.skipped.count)},
                    {"reasons", std::move(reasons)},
                    {"first", std::move(first)},
                    {"more", period.skipped.count > static_cast<long>(period.skipped.first.size())},
                    {"shown", std::to_string(period.skipped.first.size())}};
  }
  return d;
}

PeriodResult RuleOutput::period(size_t k) const { return store ? store->load(slots.at(k)) : results.periods.at(k); }

std::string RuleOutput::period_digest(size_t k) const {
  return store ? store->digest(slots.at(k)) : sha256(period_bytes(results.periods.at(k)));
}

std::string RuleOutput::data_digest() const {
  std::string all;
  for (size_t k = 0; k < results.periods.size(); ++k) all += period_digest(k) + "\n";
  return sha256(all);
}

std::optional<size_t> RuleOutput::period_index(const std::string& id) const {
  for (size_t k = 0; k < results.periods.size(); ++k)
    if (results.periods[k].id == id) return k;
  return std::nullopt;
}

size_t RuleOutput::entity_count() const { return store ? store->entity_count() : entity_histories(results).size(); }

std::pair<std::string, std::string> RuleOutput::entity(size_t e) const {
  if (store) return store->entity(e);
  EntityHistory h = entity_histories(results).at(e);
  return {h.entity, h.group};
}

EntityHistory RuleOutput::history(size_t e) const {
  return store ? store->history(e) : entity_histories(results).at(e);
}

RuleOutput compute_rule_output(RankingRule rule, const FileSystem& fs, const std::string& project_root,
                               const std::function<bool(const std::string& path)>& skip_file,
                               std::vector<PeriodResult> restored) {
  RuleOutput out;
  out.rule = std::move(rule);
  auto store = std::make_shared<PeriodStore>();
  std::set<std::string> restored_ids;
  for (const auto& p : restored) restored_ids.insert(p.id);
  // Each period's summary: the period without its rows, lists and groups.
  std::vector<std::pair<PeriodResult, size_t>> periods;
  auto keep = [&](PeriodResult&& p) {
    size_t slot = store->add(p);
    std::vector<RankedRow>().swap(p.rows);
    std::vector<GroupTable>().swap(p.tables);
    std::vector<ListResult>().swap(p.lists);
    std::vector<GroupRow>().swap(p.group_rows);
    std::vector<ListResult>().swap(p.group_lists);
    periods.emplace_back(std::move(p), slot);
  };
  out.results = compute_rule_each(
      out.rule, fs, project_root,
      [&](PeriodResult&& p) {
        if (!restored_ids.count(p.id)) keep(std::move(p));
      },
      skip_file);
  for (auto& p : restored) keep(std::move(p));
  std::stable_sort(periods.begin(), periods.end(),
                   [](const auto& a, const auto& b) { return a.first.first < b.first.first; });
  std::vector<size_t> position_of_slot(periods.size());
  for (size_t k = 0; k < periods.size(); ++k) {
    position_of_slot[periods[k].second] = k;
    out.slots.push_back(periods[k].second);
    out.results.periods.push_back(std::move(periods[k].first));
  }
  store->order(position_of_slot);
  out.store = std::move(store);
  return out;
}

PageData ranking_period_head(const RankingRule& rule, const PeriodResult& period) {
  std::string label = period_label(rule.period, period.id);
  PageData d = page_data(kind_name(DocumentKind::Ranking), ranking_url(rule, period.id), rule.title + " " + label);
  d["rule_title"] = rule.title;
  set(d, "description", rule.description);
  d["rule_url"] = ranking_rule_url(rule.id);
  d["period_id"] = period.id;
  d["period_label"] = label;
  d["period_range"] = period.first.official() + "至" + period.last.official();
  d["records"] = std::to_string(period.records);
  d["ranking"] = ranking_tables(rule, period);
  return d;
}

PageData ranking_period_page(const RuleOutput& out, size_t index, const PeriodResult& period) {
  const RankingRule& rule = out.rule;
  PageData d = ranking_period_head(rule, period);
  d["chart"] = period_bar_chart(rule, period);
  if (index > 0) {
    const auto& p = out.results.periods[index - 1];
    d["previous"] = {{"url", ranking_url(rule, p.id)}, {"label", period_label(rule.period, p.id)}};
  }
  if (index + 1 < out.results.periods.size()) {
    const auto& p = out.results.periods[index + 1];
    d["next"] = {{"url", ranking_url(rule, p.id)}, {"label", period_label(rule.period, p.id)}};
  }
  return d;
}

PageData ranking_rule_page(const RuleOutput& out) {
  const RankingRule& rule = out.rule;
  PageData d = page_data("ranking_rule", ranking_rule_url(rule.id), rule.title);
  d["rule_title"] = rule.title;
  set(d, "description", rule.description);
  d["period_kind"] = kind_word(rule.period);
  PageData periods = PageData::array();
  for (auto it = out.results.periods.rbegin(); it != out.results.periods.rend(); ++it) {
    PageData p = {{"url", ranking_url(rule, it->id)},
                  {"label", period_label(rule.period, it->id)},
                  {"id", it->id},
                  {"complete", it->complete}};
    set(p, "as_of", it->complete ? "" : it->last_in_data.official());
    periods.push_back(std::move(p));
  }
  d["periods"] = std::move(periods);
  PageData entities = PageData::array();
  for (size_t k = 0, n = out.entity_count(); k < n; ++k) {
    auto [entity, group] = out.entity(k);
    PageData e = {{"name", entity}, {"url", entity_url(rule, entity, group)}};
    set(e, "group", group);
    entities.push_back(std::move(e));
  }
  d["entities"] = std::move(entities);
  d["entity_label"] = rule.entity_label();
  return d;
}

PageData ranking_entity_head(const RankingRule& rule, const std::string& entity, const std::string& group) {
  PageData d = page_data("ranking_entity", entity_url(rule, entity, group), entity + " - " + rule.title);
  d["entity"] = entity;
  set(d, "group", group);
  d["group_label"] = rule.group_label();
  d["rule_title"] = rule.title;
  return d;
}

PageData ranking_entity_page(const RuleOutput& out, const EntityHistory& h) {
  const RankingRule& rule = out.rule;
  PageData d = ranking_entity_head(rule, h.entity, h.group);
  d["rule_url"] = ranking_rule_url(rule.id);
  d["rank_label"] = rule.rank_label;
  d["columns"] = columns(rule.metrics);
  PageData points = PageData::array();
  for (const auto& p : h.points) {
    PageData row = {{"period_label", period_label(rule.period, p.period)},
                    {"url", ranking_url(rule, p.period)},
                    {"rank", std::to_string(p.rank)},
                    {"of", std::to_string(p.rows)},
                    {"metrics", metric_cells(p.metrics)}};
    set(row, "as_of", p.complete ? "" : p.last_in_data.official());
    points.push_back(std::move(row));
  }
  d["points"] = std::move(points);
  d["chart"] = history_trend_chart(rule, h);
  return d;
}

PageData rankings_index(const std::vector<RuleOutput>& rules) {
  PageData d = page_data("rankings", kRankingsUrl, "学习排名");
  PageData items = PageData::array();
  for (const auto& r : rules) {
    PageData item = {{"title", r.rule.title},
                     {"url", ranking_rule_url(r.rule.id)},
                     {"period_kind", kind_word(r.rule.period)},
                     {"count", std::to_string(r.results.periods.size())}};
    set(item, "description", r.rule.description);
    if (!r.results.periods.empty()) {
      const auto& latest = r.results.periods.back();
      item["latest"] = {{"url", ranking_url(r.rule, latest.id)}, {"label", period_label(r.rule.period, latest.id)}};
    }
    items.push_back(std::move(item));
  }
  d["rules"] = std::move(items);
  d["has_rules"] = !rules.empty();
  return d;
}

}  // namespace bulletin
