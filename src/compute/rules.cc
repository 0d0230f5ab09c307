#include "compute/rules.h"

#include "util/input_check.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "load/front_matter.h"
#include "load/schema.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/yaml_load.h"

namespace bulletin {

namespace {

// Names a metric id may not take: they are the other keys of a row in index.json.
const std::set<std::string> kReservedIds = {"rank", "overall_rank", "entity", "group", "members", "records"};

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c >= 0x80)) return false;
  return true;
}

// The keys a list of `groups` takes: those of a rule's list but per_group.
const std::vector<FieldSpec>& group_list_fields() {
  static const std::vector<FieldSpec> fields = [] {
    std::vector<FieldSpec> out;
    for (const auto& f : list_fields())
      if (f.key != "per_group") out.push_back(f);
    return out;
  }();
  return fields;
}

// Renames the keys of `map` written by an alias in `allowed` (标题: …) to
// their English key, so that the rule is read by one name per key. A key
// given twice, by two spellings or one, is left for Fields to report.
void use_english_keys(YAML::Node map, const std::vector<FieldSpec>& allowed) {
  if (!map.IsDefined() || !map.IsMap()) return;
  std::map<std::string, int> count;
  for (const auto& kv : map)
    if (kv.first.IsScalar()) ++count[kv.first.Scalar()];
  for (const auto& f : allowed) {
    for (const auto& alias : f.aliases) {
      if (count[alias] != 1 || count[f.key] != 0) continue;
      YAML::Node value = static_cast<const YAML::Node&>(map)[alias];
      map.remove(alias);
      map[f.key] = value;
      count[f.key] = 1;
    }
  }
}

// use_english_keys over a rule and every mapping in it whose keys have aliases.
void use_english_rule_keys(YAML::Node root) {
  use_english_keys(root, rule_fields());
  auto each = [](const YAML::Node& list, const std::vector<FieldSpec>& allowed) {
    if (list.IsDefined() && list.IsSequence())
      for (YAML::Node item : list) use_english_keys(item, allowed);
  };
  const YAML::Node& rule = root;
  each(rule["metrics"], metric_fields());
  each(rule["lists"], list_fields());
  if (YAML::Node groups = rule["groups"]; groups.IsDefined() && groups.IsMap()) {
    use_english_keys(groups, rule_groups_fields());
    const YAML::Node& g = groups;
    each(g["metrics"], metric_fields());
    each(g["lists"], group_list_fields());
  }
}

// Reports problems at their place in one rule file.
class RuleReader {
 public:
  RuleReader(const std::string& path, const std::string& text, Diagnostics& diags)
      : path_(path), text_(text), file_{path, text}, diags_(diags), before_(diags.error_count()) {}

  // yaml-cpp marks are 0-based and count bytes; diagnostics count code points.
  SourceLocation at(const YAML::Mark& mark, size_t extra_bytes = 0) const {
    if (mark.line < 0) return {path_, 0, 0};
    return mark_location({path_, text_}, mark, extra_bytes);
  }

  void error(const SourceLocation& where, const std::string& message) {
    diags_.error(where, message, where.line > 0 ? line_of(text_, where.line) : "");
  }
  void error(const YAML::Node& node, const std::string& message) { error(at(node.Mark()), message); }

  int errors() const { return diags_.error_count() - before_; }

  // Checks that `node` is a mapping whose keys are all in `allowed`, with
  // the front matter's reader (suggestions, keys given twice).
  bool check_keys(const YAML::Node& node, const std::string& what, const std::vector<FieldSpec>& allowed) {
    if (!node.IsMap()) {
      error(node, what + " must be a mapping of keys to values");
      return false;
    }
    FrontMatter map;
    map.file = &file_;
    map.root.reset(node);
    map.yaml_line = 1;
    Fields checked(map, allowed, diags_, what);
    return true;
  }

  std::optional<std::string> string(const YAML::Node& map, const std::string& key, bool required,
                                    const std::string& what) {
    YAML::Node n = map[key];
    if (!n) {
      if (required) error(map, what + " needs '" + key + "'");
      return std::nullopt;
    }
    if (!n.IsScalar()) {
      error(n, "'" + key + "' must be a single value");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<int> positive_int(const YAML::Node& n, const std::string& key) {
    try {
      int v = n.as<int>();
      if (v >= 1) return v;
    } catch (const YAML::Exception&) {
    }
    error(n, "'" + key + "' must be a whole number of at least 1");
    return std::nullopt;
  }

  // Parses and resolves an expression, reporting problems at the exact
  // character of the YAML file.
  ExprPtr expression(const YAML::Node& n, const ExpressionScope& scope, std::vector<AggregateTerm>& terms,
                     std::string* text_out) {
    if (!n.IsScalar()) {
      error(n, "an expression must be a single value");
      return nullptr;
    }
    std::string text = n.Scalar();
    if (text_out) *text_out = text;
    // A quoted scalar's text starts one byte after its mark.
    size_t quote = n.Tag() == "!" ? 1 : 0;
    try {
      auto e = parse_expression(text);
      resolve_expression(*e, scope, terms);
      return e;
    } catch (const ExpressionError& ex) {
      // Offsets are exact for single-line scalars; a multi-line one points at its start.
      size_t extra = text.find('\n') == std::string::npos ? quote + ex.offset : 0;
      error(at(n.Mark(), extra), ex.what());
      return nullptr;
    }
  }

 private:
  const std::string& path_;
  const std::string& text_;
  SourceFile file_;  // for Fields; a copy, as SourceFile owns its text
  Diagnostics& diags_;
  int before_;
};

std::vector<std::string> ids_of(const std::vector<RankingMetric>& metrics) {
  std::vector<std::string> ids;
  for (const auto& m : metrics) ids.push_back(m.id);
  return ids;
}

// Reads `metrics:` of the rule (members = false) or of `groups:` (true).
std::vector<RankingMetric> read_metrics(RuleReader& r, const YAML::Node& parent, const YAML::Node& node,
                                        ExpressionScope scope, std::vector<AggregateTerm>& terms,
                                        const std::string& what) {
  std::vector<RankingMetric> out;
  if (!node || !node.IsSequence() || node.size() == 0) {
    r.error(node ? node : parent, what + " must be a list of at least one metric");
    return out;
  }
  // First pass: ids, so that a use of a later metric gets a precise message.
  std::vector<std::string> all_ids;
  for (const auto& m : node)
    if (m.IsMap() && m["id"] && m["id"].IsScalar()) all_ids.push_back(m["id"].Scalar());
  std::set<std::string> seen;
  for (const auto& m : node) {
    if (!r.check_keys(m, "a metric", metric_fields())) continue;
    RankingMetric spec;
    auto id = r.string(m, "id", true, "a metric");
    if (!id) continue;
    spec.id = *id;
    if (!is_identifier(spec.id)) {
      r.error(m["id"], "metric id '" + spec.id + "' must be a name: letters, digits and '_'");
      continue;
    }
    if (kReservedIds.count(spec.id)) {
      r.error(m["id"], "metric id '" + spec.id + "' is reserved; choose another id");
      continue;
    }
    if (!seen.insert(spec.id).second) {
      r.error(m["id"], "metric '" + spec.id + "' is defined twice");
      continue;
    }
    spec.label = r.string(m, "label", false, "a metric").value_or(spec.id);
    if (auto f = r.string(m, "format", false, "a metric")) {
      auto parsed = parse_number_format(*f);
      if (!parsed) {
        r.error(m["format"],
                "unknown format '" + *f + "'; use percent:N or decimal:N, N being the digits after the point");
        continue;
      }
      spec.format = *parsed;
    }
    if (!m["value"]) {
      r.error(m, "metric '" + spec.id + "' needs a 'value' expression");
      continue;
    }
    scope.outer_names = ids_of(out);
    scope.later_names.clear();
    for (const auto& later : all_ids)
      if (!seen.count(later)) scope.later_names.push_back(later);
    scope.later_names.push_back(spec.id);  // using itself
    spec.value = r.expression(m["value"], scope, terms, &spec.value_text);
    if (spec.value) out.push_back(std::move(spec));
  }
  return out;
}

std::vector<RankingOrderKey> read_order(RuleReader& r, const YAML::Node& node,
                                        const std::vector<RankingMetric>& metrics) {
  std::vector<RankingOrderKey> out;
  if (!node) {
    if (!metrics.empty()) out.push_back({0, true});
    return out;
  }
  std::vector<YAML::Node> items;
  if (node.IsScalar()) items.push_back(node);
  else if (node.IsSequence())
    for (const auto& n : node) items.push_back(n);
  else r.error(node, "'order' must be a list such as [participation desc, avg_score desc]");
  auto ids = ids_of(metrics);
  for (const auto& n : items) {
    if (!n.IsScalar()) {
      r.error(n, "an order key must read 'metric_id desc' or 'metric_id asc'");
      continue;
    }
    std::string s = trim(n.Scalar());
    std::string id = s.substr(0, s.find(' '));
    std::string dir = s.size() > id.size() ? trim(s.substr(id.size())) : "desc";
    RankingOrderKey key;
    if (dir == "asc") key.descending = false;
    else if (dir != "desc") {
      r.error(n, "order direction '" + dir + "' must be 'desc' or 'asc'");
      continue;
    }
    auto it = std::find(ids.begin(), ids.end(), id);
    if (it == ids.end()) {
      std::string message = "order names unknown metric '" + id + "'";
      if (auto sug = did_you_mean(id, ids)) message += "; did you mean '" + *sug + "'?";
      r.error(n, message);
      continue;
    }
    key.metric = static_cast<int>(it - ids.begin());
    out.push_back(key);
  }
  return out;
}

std::vector<RankingList> read_lists(RuleReader& r, const YAML::Node& node, const std::vector<RankingMetric>& metrics,
                                    bool rule_has_group, bool group_lists) {
  std::vector<RankingList> out;
  if (!node) return out;
  if (!node.IsSequence()) {
    r.error(node, "'lists' must be a list");
    return out;
  }
  std::set<std::string> seen;
  ExpressionScope scope;
  scope.outer_names = ids_of(metrics);
  scope.allow_aggregates = false;
  const std::vector<FieldSpec>& allowed = group_lists ? group_list_fields() : list_fields();
  for (const auto& n : node) {
    if (!r.check_keys(n, "a list", allowed)) continue;
    RankingList spec;
    auto id = r.string(n, "id", true, "a list");
    if (!id) continue;
    spec.id = *id;
    if (!is_identifier(spec.id)) {
      r.error(n["id"], "list id '" + spec.id + "' must be a name: letters, digits and '_'");
      continue;
    }
    if (!seen.insert(spec.id).second) {
      r.error(n["id"], "list '" + spec.id + "' is defined twice");
      continue;
    }
    spec.label = r.string(n, "label", false, "a list").value_or(spec.id);
    bool ok = true;
    if (n["top"]) {
      auto v = r.positive_int(n["top"], "top");
      ok = ok && v;
      spec.top = v.value_or(0);
    }
    if (n["bottom"]) {
      auto v = r.positive_int(n["bottom"], "bottom");
      ok = ok && v;
      spec.bottom = v.value_or(0);
    }
    if (spec.top && spec.bottom) {
      r.error(n["bottom"], "a list takes 'top' or 'bottom', not both");
      ok = false;
    }
    if (n["where"]) {
      std::vector<AggregateTerm> unused;
      spec.where = r.expression(n["where"], scope, unused, &spec.where_text);
      ok = ok && spec.where;
    }
    if (ok && !spec.top && !spec.bottom && !spec.where) {
      r.error(n, "list '" + spec.id + "' needs 'top', 'bottom' or 'where'");
      ok = false;
    }
    spec.per_group = rule_has_group && !group_lists;
    if (n["per_group"]) {
      try {
        spec.per_group = n["per_group"].as<bool>();
      } catch (const YAML::Exception&) {
        r.error(n["per_group"], "'per_group' must be true or false");
        ok = false;
      }
      if (spec.per_group && !rule_has_group) {
        r.error(n["per_group"], "'per_group' needs the rule to have a 'group'");
        ok = false;
      }
    }
    if (ok) out.push_back(std::move(spec));
  }
  return out;
}

int field_index(RuleReader& r, const RankingRule& rule, const YAML::Node& n, const std::string& key) {
  std::vector<std::string> names;
  for (const auto& f : rule.fields) names.push_back(f.name);
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == n.Scalar()) return static_cast<int>(i);
  std::string message = "'" + key + "' names '" + n.Scalar() + "', which is not in 'fields'";
  if (auto s = did_you_mean(n.Scalar(), names)) message += "; did you mean '" + *s + "'?";
  r.error(n, message);
  return -1;
}

}  // namespace

std::optional<RankingRule> parse_rule(const std::string& path, const std::string& text, Diagnostics& diags) {
  RuleReader r(path, text, diags);
  YAML::Node root;
  try {
    root = load_yaml({path, text}, text, "invalid YAML");
  } catch (const Error& e) {
    diags.add(e.diagnostic());
    return std::nullopt;
  }
  if (!root.IsMap()) {
    r.error(SourceLocation{path, 0, 0}, "a rule file must be a mapping of keys to values");
    return std::nullopt;
  }
  use_english_rule_keys(root);
  r.check_keys(root, "a rule", rule_fields());
  RankingRule rule;
  rule.path = path;
  rule.id = r.string(root, "id", false, "a rule").value_or(file_stem(path));
  if (!is_rule_id(rule.id))
    r.error(root["id"] ? root["id"] : root,
            "rule id '" + rule.id + "' must use only " + kRuleIdCharacters + " (it is a URL segment)");
  rule.title = r.string(root, "title", true, "a rule").value_or("");
  rule.description = r.string(root, "description", false, "a rule").value_or("");
  rule.rank_label = r.string(root, "rank_label", false, "a rule").value_or("排名");
  rule.sheet = r.string(root, "sheet", false, "a rule").value_or("");
  if (auto n = root["encoding"]) {
    std::string e = n.Scalar();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
    if (e == "utf8") e = "utf-8";
    if (e == "gb2312") e = "gbk";  // GBK is its superset
    if (e == "utf-8" || e == "gbk" || e == "gb18030") rule.encoding = e;
    else r.error(n, "'encoding' must be utf-8, gbk or gb18030 (the encoding of the rule's .csv exports)");
  }

  if (YAML::Node e = root["exports"]) {
    rule.exports_where = r.at(e.Mark());
    rule.exports_line = line_of(text, rule.exports_where.line);
    if (e.IsScalar()) rule.exports.push_back(e.Scalar());
    else if (e.IsSequence())
      for (const auto& g : e) rule.exports.push_back(g.Scalar());
    else r.error(e, "'exports' must be a glob such as exports/units-*.json, or a list of them");
  } else {
    r.error(root, "a rule needs 'exports'");
  }

  // fields
  YAML::Node fields = root["fields"];
  if (!fields || !fields.IsMap() || fields.size() == 0) {
    r.error(fields ? fields : root, "a rule needs 'fields', a mapping of names to the keys of the export records");
  } else {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      std::string name = it->first.Scalar();
      if (!is_identifier(name)) {
        r.error(it->first, "field name '" + name + "' must be a name: letters, digits and '_'");
        continue;
      }
      if (!it->second.IsScalar()) {
        r.error(it->second, "field '" + name + "' must give the key of the export records");
        continue;
      }
      rule.fields.push_back({name, it->second.Scalar()});
      if (name == "date") rule.date_field = static_cast<int>(rule.fields.size()) - 1;
    }
    if (rule.date_field < 0) r.error(fields, "'fields' needs 'date', the key holding each record's date");
  }
  if (auto n = root["entity"]) rule.entity_field = field_index(r, rule, n, "entity");
  else r.error(root, "a rule needs 'entity', the field whose values are the rows");
  if (auto n = root["group"]) rule.group_field = field_index(r, rule, n, "group");
  for (int i = 0; i < static_cast<int>(rule.fields.size()); ++i)
    if (i != rule.date_field && i != rule.entity_field && i != rule.group_field) rule.number_fields.push_back(i);

  if (auto n = root["period"]) {
    if (auto k = parse_period_kind(n.Scalar())) {
      rule.period = *k;
    } else {
      std::string message = "unknown period '" + n.Scalar() + "'; use day, week, month, quarter, half or year";
      r.error(n, message);
    }
  } else {
    r.error(root, "a rule needs 'period': day, week, month, quarter, half or year");
  }

  if (auto n = root["bad_records"]) {
    if (n.Scalar() == "skip") rule.bad_records = BadRecords::Skip;
    else if (n.Scalar() != "error") r.error(n, "'bad_records' must be 'error' or 'skip'");
  }

  ExpressionScope scope;
  for (int i : rule.number_fields) scope.inner_names.push_back(rule.fields[i].name);
  scope.inner_kind = Expr::Kind::Field;
  scope.inner_word = "field";
  rule.metrics = read_metrics(r, root, root["metrics"], scope, rule.terms, "'metrics'");
  rule.order = read_order(r, root["order"], rule.metrics);
  rule.lists = read_lists(r, root["lists"], rule.metrics, rule.has_group(), false);

  if (YAML::Node g = root["groups"]) {
    if (!root["group"]) {
      r.error(g, "'groups' needs the rule to have a 'group'");
    } else if (rule.has_group() && r.check_keys(g, "'groups'", rule_groups_fields())) {
      RankingGroups groups;
      ExpressionScope gscope;
      gscope.inner_names = ids_of(rule.metrics);
      gscope.inner_kind = Expr::Kind::MemberMetric;
      gscope.inner_word = "member metric";
      gscope.allow_first_last = false;
      groups.metrics = read_metrics(r, g, g["metrics"], gscope, groups.terms, "'groups: metrics'");
      groups.order = read_order(r, g["order"], groups.metrics);
      groups.lists = read_lists(r, g["lists"], groups.metrics, false, true);
      rule.groups = std::move(groups);
    }
  }
  if (r.errors() > 0) return std::nullopt;
  rule.source_digest = sha256(text);
  return rule;
}

std::vector<RankingRule> load_rules(const FileSystem& fs, const std::string& project_root, Diagnostics& diags) {
  std::vector<RankingRule> rules;
  std::string dir = join_path(project_root, "data/rules");
  if (!fs.is_dir(dir)) return rules;
  for (const auto& rel : fs.list(dir)) {
    if (rel.find('/') != std::string::npos) continue;
    if (!(rel.ends_with(".yaml") || rel.ends_with(".yml"))) continue;
    std::string shown = "data/rules/" + rel;
    auto text = fs.read(join_path(dir, rel));
    if (!text) {
      diags.error({shown, 0, 0}, "cannot read the file");
      continue;
    }
    try {
      require_utf8(shown, *text);  // before YAML, so a stray byte is located, not a crash
    } catch (const Error& e) {
      diags.add(e.diagnostic());
      continue;
    }
    auto rule = parse_rule(shown, *text, diags);
    if (!rule) continue;
    auto same = std::find_if(rules.begin(), rules.end(), [&](const RankingRule& o) { return o.id == rule->id; });
    if (same != rules.end()) {
      diags.error({shown, 0, 0}, "rule id '" + rule->id + "' is already used by " + same->path);
      continue;
    }
    rules.push_back(std::move(*rule));
  }
  return rules;
}

}  // namespace bulletin
