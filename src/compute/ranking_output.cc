#include "compute/ranking_output.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "util/json_text.h"

namespace bulletin {

namespace {

using ojson = nlohmann::ordered_json;

// Writes JSON exactly as nlohmann's dump(2) does (two-space indent, "key": value,
// "{}" and "[]" when empty, the same escapes and the same shortest doubles),
// straight into one string: index.json of a period with 10,000 rows is written
// without building a tree of objects first.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // The key of the next value inside an object.
  void key(std::string_view k) {
    element();
    string_text(k);
    out_ += ": ";
    keyed_ = true;
  }
  void value(std::string_view s) {
    element();
    string_text(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(bool b) {
    element();
    out_ += b ? "true" : "false";
  }
  void value(long long v) {
    element();
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }
  void value(long v) { value(static_cast<long long>(v)); }
  void value(int v) { value(static_cast<long long>(v)); }
  void value(double v) {
    element();
    if (!std::isfinite(v)) {
      out_ += "null";
      return;
    }
    char buf[64];
    out_.append(buf, nlohmann::detail::to_chars(buf, buf + sizeof buf, v));
  }
  void null() {
    element();
    out_ += "null";
  }
  // "key": value in one call.
  template <typename T>
  void member(std::string_view k, const T& v) {
    key(k);
    value(v);
  }

 private:
  std::string& out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool keyed_ = false;       // a key was just written: its value follows on the line

  void indent(size_t depth) { out_.append(2 * depth, ' '); }
  // Before an element of the innermost container (or the value after a key).
  void element() {
    if (keyed_) {
      keyed_ = false;
      return;
    }
    if (empty_.empty()) return;
    out_ += empty_.back() ? "\n" : ",\n";
    empty_.back() = false;
    indent(empty_.size());
  }
  void open(char c) {
    element();
    out_ += c;
    empty_.push_back(true);
  }
  void close(char c) {
    bool was_empty = empty_.back();
    empty_.pop_back();
    if (!was_empty) {
      out_ += '\n';
      indent(empty_.size());
    }
    out_ += c;
  }
  void string_text(std::string_view s) { append_json_string(out_, s); }
};

// An array of one object per item; members(item) writes the object's members.
template <class Items, class Members>
void objects(JsonWriter& w, const Items& items, Members&& members) {
  w.begin_array();
  for (const auto& item : items) {
    w.begin_object();
    members(item);
    w.end_object();
  }
  w.end_array();
}

// {"value": nearest double or null, "exact": "0.035" / "1/3" or null, "text": "0.04"}
void metric_json(JsonWriter& w, const MetricValue& m) {
  w.begin_object();
  // JSON has no NaN: an undefined value is null.
  w.member("value", m.value);
  w.key("exact");
  if (m.exact.defined()) w.value(m.exact.exact_text());
  else w.null();
  w.member("text", m.text);
  w.end_object();
}

// A row's metric values as members, each under its metric's id.
void metric_members(JsonWriter& w, const std::vector<RankingMetric>& metrics, const std::vector<MetricValue>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    w.key(metrics[i].id);
    metric_json(w, values[i]);
  }
}

void metrics_header(JsonWriter& w, const std::vector<RankingMetric>& metrics) {
  objects(w, metrics, [&](const RankingMetric& m) {
    w.member("id", m.id);
    w.member("label", m.label);
    w.member("format", m.format.spec());
  });
}

void skipped_json(JsonWriter& w, const SkippedRecords& s) {
  w.begin_object();
  w.member("count", s.count);
  w.key("reasons");
  w.begin_object();
  for (const auto& [reason, n] : s.by_reason) w.member(reason, n);
  w.end_object();
  w.key("examples");
  w.begin_array();
  for (const auto& e : s.examples) w.value(e);
  w.end_array();
  w.key("first");
  objects(w, s.first, [&](const auto& r) {
    w.member("file", r.path);
    w.member("line", r.line);
    w.member("column", r.column);
    w.member("record", r.index);
    w.member("reason", r.reason);
    w.member("text", r.text);
  });
  w.end_object();
}

// "0.035" or "1/3" (Exact::exact_text) back to the value.
std::optional<Exact> exact_from_text(std::string_view t) {
  size_t slash = t.find('/');
  if (slash == std::string_view::npos) return parse_decimal(t);
  auto n = parse_decimal(t.substr(0, slash)), d = parse_decimal(t.substr(slash + 1));
  if (!n || !d || d->is_zero()) return std::nullopt;
  return *n / *d;
}

}  // namespace

std::string period_json_text(const RankingRule& rule, const PeriodResult& p) {
  std::string out;
  out.reserve(256 + p.rows.size() * (160 + 110 * rule.metrics.size()));
  JsonWriter w(out);
  w.begin_object();
  w.member("rule", rule.id);
  w.member("title", rule.title);
  w.member("period", p.id);
  w.member("kind", period_kind_name(rule.period));
  w.member("start", p.first.iso());
  w.member("end", p.last.iso());
  w.member("complete", p.complete);
  w.key("as_of");
  if (p.complete || p.records == 0) w.null();
  else w.value(p.last_in_data.iso());
  w.member("records", p.records);
  w.key("skipped");
  skipped_json(w, p.skipped);
  w.key("metrics");
  metrics_header(w, rule.metrics);
  bool grouped = rule.has_group();

  w.key("rows");
  objects(w, p.rows, [&](const RankedRow& r) {
    w.member("rank", r.rank);
    if (grouped) w.member("overall_rank", r.overall_rank);
    w.member("entity", r.entity);
    if (grouped) w.member("group", r.group);
    w.member("records", r.records);
    metric_members(w, rule.metrics, r.metrics);
  });

  w.key("lists");
  w.begin_object();
  for (size_t li = 0; li < p.lists.size(); ++li) {
    const ListResult& l = p.lists[li];
    const RankingList& spec = rule.lists[li];
    w.key(l.id);
    w.begin_object();
    w.member("label", l.label);
    w.key("entries");
    w.begin_array();
    for (const auto& part : l.parts) {
      for (size_t i : part.items) {
        const RankedRow& r = p.rows[i];
        w.begin_object();
        w.member("rank", spec.per_group || !grouped ? r.rank : r.overall_rank);
        w.member("entity", r.entity);
        if (grouped) w.member("group", r.group);
        w.end_object();
      }
    }
    w.end_array();
    w.member("ties_extended", l.ties_extended());
    if (spec.per_group) {
      w.key("parts");
      w.begin_array();
      for (const auto& part : l.parts) {
        w.begin_object();
        w.member("group", part.group);
        w.key("entities");
        w.begin_array();
        for (size_t i : part.items) w.value(p.rows[i].entity);
        w.end_array();
        w.member("ties_extended", part.ties_extended);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_object();

  if (rule.groups && grouped) {
    w.key("groups");
    w.begin_object();
    w.key("metrics");
    metrics_header(w, rule.groups->metrics);
    w.key("rows");
    objects(w, p.group_rows, [&](const auto& r) {
      w.member("rank", r.rank);
      w.member("group", r.group);
      w.member("members", r.members);
      metric_members(w, rule.groups->metrics, r.metrics);
    });
    w.key("lists");
    w.begin_object();
    for (const auto& l : p.group_lists) {
      w.key(l.id);
      w.begin_object();
      w.member("label", l.label);
      w.key("entries");
      w.begin_array();
      for (size_t i : l.parts.at(0).items) {
        w.begin_object();
        w.member("rank", p.group_rows[i].rank);
        w.member("group", p.group_rows[i].group);
        w.end_object();
      }
      w.end_array();
      w.member("ties_extended", l.ties_extended());
      w.end_object();
    }
    w.end_object();
    w.end_object();
  }
  w.end_object();
  out += '\n';
  return out;
}

ojson period_to_json(const RankingRule& rule, const PeriodResult& p) { return ojson::parse(period_json_text(rule, p)); }

std::string csv_text(const std::string& s) {
  // OWASP: a spreadsheet reads a cell starting with = + - @ TAB or CR as a formula.
  if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos) return csv_field("'" + s);
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
      std::optional<Exact> exact;
      if (v.is_object() && v.contains("exact") && v["exact"].is_string())
        exact = exact_from_text(v["exact"].get<std::string>());
      if (exact) mv.exact = *exact;
      else if (std::isfinite(mv.value)) {  // written before "exact" was: the double's shortest decimal
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
