#include "compute/ranking_output.h"

#include <charconv>
#include <cmath>

namespace bulletin {

namespace {

using ojson = nlohmann::ordered_json;

ojson metric_json(const MetricValue& m) {
  ojson v = ojson::object();
  // JSON has no NaN: an undefined value is null.
  if (std::isnan(m.value) || std::isinf(m.value)) v["value"] = nullptr;
  else v["value"] = m.value;
  v["text"] = m.text;
  return v;
}

ojson metrics_header(const std::vector<RankingMetric>& metrics) {
  ojson out = ojson::array();
  for (const auto& m : metrics)
    out.push_back({{"id", m.id}, {"label", m.label}, {"format", m.format.spec()}});
  return out;
}

ojson skipped_json(const SkippedRecords& s) {
  ojson reasons = ojson::object();
  for (const auto& [reason, n] : s.by_reason) reasons[reason] = n;
  ojson first = ojson::array();
  for (const auto& r : s.first)
    first.push_back({{"file", r.path}, {"line", r.line}, {"column", r.column}, {"record", r.index},
                     {"reason", r.reason}, {"text", r.text}});
  return {{"count", s.count}, {"reasons", reasons}, {"examples", s.examples}, {"first", first}};
}

}  // namespace

ojson period_to_json(const RankingRule& rule, const PeriodResult& p) {
  ojson j;
  j["rule"] = rule.id;
  j["title"] = rule.title;
  j["period"] = p.id;
  j["kind"] = std::string(period_kind_name(rule.period));
  j["start"] = p.first.iso();
  j["end"] = p.last.iso();
  j["complete"] = p.complete;
  j["as_of"] = p.complete || p.records == 0 ? ojson(nullptr) : ojson(p.last_in_data.iso());
  j["records"] = p.records;
  j["skipped"] = skipped_json(p.skipped);
  j["metrics"] = metrics_header(rule.metrics);
  bool grouped = rule.has_group();

  ojson rows = ojson::array();
  for (const auto& r : p.rows) {
    ojson row;
    row["rank"] = r.rank;
    if (grouped) row["overall_rank"] = r.overall_rank;
    row["entity"] = r.entity;
    if (grouped) row["group"] = r.group;
    row["records"] = r.records;
    for (size_t i = 0; i < r.metrics.size(); ++i) row[rule.metrics[i].id] = metric_json(r.metrics[i]);
    rows.push_back(std::move(row));
  }
  j["rows"] = std::move(rows);

  ojson lists = ojson::object();
  for (size_t li = 0; li < p.lists.size(); ++li) {
    const ListResult& l = p.lists[li];
    const RankingList& spec = rule.lists[li];
    ojson list;
    list["label"] = l.label;
    ojson entries = ojson::array();
    for (const auto& part : l.parts) {
      for (size_t i : part.items) {
        const RankedRow& r = p.rows[i];
        ojson e;
        e["rank"] = spec.per_group || !grouped ? r.rank : r.overall_rank;
        e["entity"] = r.entity;
        if (grouped) e["group"] = r.group;
        entries.push_back(std::move(e));
      }
    }
    list["entries"] = std::move(entries);
    list["ties_extended"] = l.ties_extended();
    if (spec.per_group) {
      ojson parts = ojson::array();
      for (const auto& part : l.parts) {
        ojson names = ojson::array();
        for (size_t i : part.items) names.push_back(p.rows[i].entity);
        parts.push_back({{"group", part.group}, {"entities", names},
                         {"ties_extended", part.ties_extended}});
      }
      list["parts"] = std::move(parts);
    }
    lists[l.id] = std::move(list);
  }
  j["lists"] = std::move(lists);

  if (rule.groups && grouped) {
    ojson g;
    g["metrics"] = metrics_header(rule.groups->metrics);
    ojson grows = ojson::array();
    for (const auto& r : p.group_rows) {
      ojson row;
      row["rank"] = r.rank;
      row["group"] = r.group;
      row["members"] = r.members;
      for (size_t i = 0; i < r.metrics.size(); ++i)
        row[rule.groups->metrics[i].id] = metric_json(r.metrics[i]);
      grows.push_back(std::move(row));
    }
    g["rows"] = std::move(grows);
    ojson glists = ojson::object();
    for (const auto& l : p.group_lists) {
      ojson entries = ojson::array();
      for (size_t i : l.parts.at(0).items)
        entries.push_back({{"rank", p.group_rows[i].rank}, {"group", p.group_rows[i].group}});
      glists[l.id] = {{"label", l.label}, {"entries", entries}, {"ties_extended", l.ties_extended()}};
    }
    g["lists"] = std::move(glists);
    j["groups"] = std::move(g);
  }
  return j;
}

std::string csv_text(const std::string& s) {
  // OWASP: a spreadsheet reads a cell starting with = + - @ TAB or CR as a formula.
  if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos)
    return csv_field("'" + s);
  return csv_field(s);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::optional<PeriodResult> period_from_json(const RankingRule& rule, const nlohmann::json& j) {
  if (!j.is_object() || j.value("rule", "") != rule.id || !j["rows"].is_array()) return std::nullopt;
  auto first = parse_date(j.value("start", "")), last = parse_date(j.value("end", ""));
  if (!first || !last) return std::nullopt;
  PeriodResult p;
  p.id = j.value("period", "");
  p.first = *first;
  p.last = *last;
  p.complete = j.value("complete", true);
  auto as_of = j["as_of"].is_string() ? parse_date(j["as_of"].get<std::string>()) : std::nullopt;
  p.last_in_data = as_of ? *as_of : p.last;
  p.records = j.value("records", 0L);
  std::map<std::string, GroupTable> tables;
  for (const auto& row : j["rows"]) {
    RankedRow r;
    r.rank = row.value("rank", 0);
    r.overall_rank = row.value("overall_rank", r.rank);
    r.entity = row.value("entity", "");
    r.group = row.value("group", "");
    r.records = row.value("records", 0L);
    for (const auto& m : rule.metrics) {
      const auto& v = row[m.id];
      MetricValue mv;
      mv.value = v.is_object() && v["value"].is_number() ? v["value"].get<double>() : std::nan("");
      mv.exact = Exact::undefined();
      if (std::isfinite(mv.value)) {
        char buf[64];
        auto end = std::to_chars(buf, buf + sizeof buf, mv.value).ptr;
        if (auto e = parse_decimal(std::string_view(buf, end - buf))) mv.exact = *e;
      }
      mv.text = v.is_object() ? v.value("text", "") : "";
      r.metrics.push_back(std::move(mv));
    }
    tables[r.group].group = r.group;
    tables[r.group].rows.push_back(p.rows.size());
    p.rows.push_back(std::move(r));
  }
  for (auto& [group, table] : tables) p.tables.push_back(std::move(table));
  return p;
}

std::string period_to_csv(const RankingRule& rule, const PeriodResult& p) {
  std::string out = "\xEF\xBB\xBF";
  // Text cells (names, labels) are neutralised; numbers are printed as they are.
  size_t text_cells = rule.has_group() ? 3 : 2;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += header || (i > 0 && i < text_cells) ? csv_text(cells[i]) : csv_field(cells[i]);
    }
    out += "\r\n";
  };
  std::vector<std::string> header = {rule.rank_label, rule.entity_label()};
  if (rule.has_group()) header.push_back(rule.group_label());
  for (const auto& m : rule.metrics) header.push_back(m.label);
  line(header, true);
  for (const auto& r : p.rows) {
    std::vector<std::string> cells = {std::to_string(r.rank), r.entity};
    if (rule.has_group()) cells.push_back(r.group);
    for (const auto& m : r.metrics) cells.push_back(m.text);
    line(cells, false);
  }
  return out;
}

}  // namespace bulletin
