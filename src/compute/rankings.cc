#include "compute/rankings.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "compute/exports.h"

namespace bulletin {

namespace {

// How many skipped records are quoted in full; the rest are only counted.
constexpr size_t kSkippedExamples = 20;

// Running state of one aggregate term for one entity in one period: a
// fixed size, whatever the number of records.
struct TermState {
  double sum = 0;
  double compensation = 0;  // Neumaier summation keeps long sums exact to the last bit or so
  long n = 0;
  long nonzero = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double first = NAN, last = NAN;
  long first_day = LONG_MAX, last_day = LONG_MIN;

  void add(double v, long day) {
    double t = sum + v;
    if (std::fabs(sum) >= std::fabs(v)) compensation += (sum - t) + v;
    else compensation += (v - t) + sum;
    sum = t;
    ++n;
    if (v != 0 && !std::isnan(v)) ++nonzero;
    min = std::min(min, v);
    max = std::max(max, v);
    // On the same date the first record read is first and the last one read is last.
    if (day < first_day) first_day = day, first = v;
    if (day >= last_day) last_day = day, last = v;
  }

  double value(Aggregate a, bool has_argument) const {
    switch (a) {
      case Aggregate::Sum: return sum + compensation;
      case Aggregate::Mean: return n ? (sum + compensation) / n : NAN;
      case Aggregate::Min: return n ? min : NAN;
      case Aggregate::Max: return n ? max : NAN;
      case Aggregate::Count: return static_cast<double>(has_argument ? nonzero : n);
      case Aggregate::First: return first;
      case Aggregate::Last: return last;
    }
    return NAN;
  }
};

struct EntityState {
  std::string entity;
  std::string group;
  std::vector<TermState> terms;
  long records = 0;
};

struct PeriodState {
  PeriodRange range;
  long last_day = LONG_MIN;
  long records = 0;
  std::unordered_map<std::string, size_t> index;  // entity + '\x1f' + group
  std::vector<EntityState> entities;
  SkippedRecords skipped;
};

void note_skipped(SkippedRecords& s, const BadRecord& b) {
  ++s.count;
  ++s.by_reason[b.reason];
  if (s.examples.size() < kSkippedExamples) {
    std::string where = b.where.path;
    if (b.where.line > 0) where += ":" + std::to_string(b.where.line) + ":" + std::to_string(b.where.column);
    s.examples.push_back(where + ": " + b.message());
  }
}

std::vector<double> term_values(const std::vector<AggregateTerm>& terms,
                                const std::vector<TermState>& states) {
  std::vector<double> out(terms.size());
  for (size_t i = 0; i < terms.size(); ++i)
    out[i] = states[i].value(terms[i].aggregate, terms[i].argument != nullptr);
  return out;
}

std::vector<MetricValue> evaluate_metrics(const std::vector<RankingMetric>& metrics,
                                          const std::vector<double>& terms) {
  std::vector<double> values(metrics.size());
  std::vector<MetricValue> out(metrics.size());
  for (size_t i = 0; i < metrics.size(); ++i) {
    EvalContext ctx;
    ctx.metrics = values.data();
    ctx.terms = terms.data();
    values[i] = evaluate(*metrics[i].value, ctx);
    out[i] = {values[i], format_number(values[i], metrics[i].format)};
  }
  return out;
}

// Order of two value lists under `order`: negative if a comes first, 0 if
// they tie. A value that is not a number comes last either way.
int compare_values(const std::vector<MetricValue>& a, const std::vector<MetricValue>& b,
                   const std::vector<RankingOrderKey>& order) {
  for (const auto& k : order) {
    double x = a[k.metric].value, y = b[k.metric].value;
    bool xn = std::isnan(x), yn = std::isnan(y);
    if (xn || yn) {
      if (xn != yn) return xn ? 1 : -1;
      continue;
    }
    if (x == y) continue;
    return (x > y) == k.descending ? -1 : 1;
  }
  return 0;
}

// Sorts `items` by the order keys (ties by `name`) and gives their
// competition ranks, parallel to the sorted items.
template <typename Metrics, typename Name>
std::vector<int> rank_items(std::vector<size_t>& items, const std::vector<RankingOrderKey>& order,
                            Metrics metrics_of, Name name_of) {
  std::stable_sort(items.begin(), items.end(), [&](size_t a, size_t b) {
    int c = compare_values(metrics_of(a), metrics_of(b), order);
    return c != 0 ? c < 0 : name_of(a) < name_of(b);
  });
  std::vector<int> ranks(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    ranks[i] = i > 0 && compare_values(metrics_of(items[i - 1]), metrics_of(items[i]), order) == 0
                   ? ranks[i - 1]
                   : static_cast<int>(i) + 1;
  return ranks;
}

bool truthy(double v) { return v != 0 && !std::isnan(v); }

// One list over `items` (in rank order, with their ranks).
ListPart select(const RankingList& spec, const std::vector<size_t>& items,
                const std::vector<int>& ranks,
                const std::function<const std::vector<MetricValue>&(size_t)>& metrics_of) {
  ListPart part;
  size_t by_rank = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    bool in = true;
    if (spec.top) in = ranks[i] <= spec.top;
    if (spec.bottom) {
      // Rank from the bottom: one more than the rows strictly behind.
      int behind = static_cast<int>(std::count_if(ranks.begin(), ranks.end(),
                                                  [&](int r) { return r > ranks[i]; }));
      in = behind + 1 <= spec.bottom;
    }
    if (in) ++by_rank;
    if (in && spec.where) {
      std::vector<double> values;
      for (const auto& m : metrics_of(items[i])) values.push_back(m.value);
      EvalContext ctx;
      ctx.metrics = values.data();
      in = truthy(evaluate(*spec.where, ctx));
    }
    if (in) part.items.push_back(items[i]);
  }
  int limit = spec.top ? spec.top : spec.bottom;
  part.ties_extended = limit > 0 && by_rank > static_cast<size_t>(limit);
  return part;
}

PeriodResult finish_period(const RankingRule& rule, PeriodState& state) {
  PeriodResult p;
  p.id = state.range.id;
  p.first = state.range.first;
  p.last = state.range.last;
  p.last_in_data = Date::from_days(state.last_day);
  p.complete = p.last_in_data >= p.last;
  p.records = state.records;
  p.skipped = std::move(state.skipped);

  // Rows in entity order first, so that every later sort is deterministic.
  std::vector<RankedRow> rows;
  std::sort(state.entities.begin(), state.entities.end(), [](const auto& a, const auto& b) {
    return std::tie(a.group, a.entity) < std::tie(b.group, b.entity);
  });
  for (const auto& e : state.entities) {
    RankedRow row;
    row.entity = e.entity;
    row.group = e.group;
    row.records = e.records;
    row.metrics = evaluate_metrics(rule.metrics, term_values(rule.terms, e.terms));
    rows.push_back(std::move(row));
  }
  auto metrics_of = [&](size_t i) -> const std::vector<MetricValue>& { return rows[i].metrics; };
  auto name_of = [&](size_t i) -> const std::string& { return rows[i].entity; };

  std::vector<size_t> all(rows.size());
  std::iota(all.begin(), all.end(), 0);
  std::vector<int> overall = rank_items(all, rule.order, metrics_of, name_of);
  for (size_t i = 0; i < all.size(); ++i) rows[all[i]].overall_rank = overall[i];

  // Tables: per group in name order, else one; rank within each.
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  for (size_t i : all) {
    const std::string& g = rows[i].group;
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& x) { return x.first == g; });
    if (it == groups.end()) groups.push_back({g, {i}});
    else it->second.push_back(i);
  }
  std::sort(groups.begin(), groups.end());
  std::vector<std::vector<int>> group_ranks;
  for (auto& [g, items] : groups) {
    group_ranks.push_back(rank_items(items, rule.order, metrics_of, name_of));
    for (size_t i = 0; i < items.size(); ++i) rows[items[i]].rank = group_ranks.back()[i];
  }

  // Final row order: group, then rank (the items above are in that order).
  std::vector<size_t> new_index(rows.size());
  std::vector<RankedRow> ordered;
  for (const auto& [g, items] : groups)
    for (size_t i : items) {
      new_index[i] = ordered.size();
      ordered.push_back(rows[i]);
    }
  auto remap = [&](std::vector<size_t> v) {
    for (auto& i : v) i = new_index[i];
    return v;
  };
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    p.tables.push_back({groups[gi].first, remap(groups[gi].second)});
  }

  std::function<const std::vector<MetricValue>&(size_t)> row_metrics = metrics_of;
  for (const auto& spec : rule.lists) {
    ListResult list;
    list.id = spec.id;
    list.label = spec.label;
    if (spec.per_group) {
      for (size_t gi = 0; gi < groups.size(); ++gi) {
        ListPart part = select(spec, groups[gi].second, group_ranks[gi], row_metrics);
        part.group = groups[gi].first;
        part.items = remap(part.items);
        list.parts.push_back(std::move(part));
      }
    } else {
      ListPart part = select(spec, all, overall, row_metrics);
      part.items = remap(part.items);
      list.parts.push_back(std::move(part));
    }
    p.lists.push_back(std::move(list));
  }
  p.rows = std::move(ordered);

  if (rule.groups && rule.has_group()) {
    const RankingGroups& gr = *rule.groups;
    for (const auto& table : p.tables) {
      GroupRow g;
      g.group = table.group;
      g.members = static_cast<int>(table.rows.size());
      std::vector<TermState> states(gr.terms.size());
      for (size_t t = 0; t < gr.terms.size(); ++t) {
        for (size_t r : table.rows) {
          std::vector<double> member;
          for (const auto& m : p.rows[r].metrics) member.push_back(m.value);
          EvalContext ctx;
          ctx.inner = member.data();
          states[t].add(gr.terms[t].argument ? evaluate(*gr.terms[t].argument, ctx) : 0, 0);
        }
      }
      g.metrics = evaluate_metrics(gr.metrics, term_values(gr.terms, states));
      p.group_rows.push_back(std::move(g));
    }
    std::vector<size_t> items(p.group_rows.size());
    std::iota(items.begin(), items.end(), 0);
    auto gmetrics = [&](size_t i) -> const std::vector<MetricValue>& { return p.group_rows[i].metrics; };
    auto gname = [&](size_t i) -> const std::string& { return p.group_rows[i].group; };
    std::vector<int> ranks = rank_items(items, gr.order, gmetrics, gname);
    std::vector<GroupRow> sorted;
    for (size_t i = 0; i < items.size(); ++i) {
      sorted.push_back(p.group_rows[items[i]]);
      sorted.back().rank = ranks[i];
    }
    p.group_rows = std::move(sorted);
    std::vector<size_t> in_order(p.group_rows.size());
    std::iota(in_order.begin(), in_order.end(), 0);
    std::function<const std::vector<MetricValue>&(size_t)> group_metrics =
        [&](size_t i) -> const std::vector<MetricValue>& { return p.group_rows[i].metrics; };
    for (const auto& spec : gr.lists) {
      ListResult list;
      list.id = spec.id;
      list.label = spec.label;
      list.parts.push_back(select(spec, in_order, ranks, group_metrics));
      p.group_lists.push_back(std::move(list));
    }
  }
  return p;
}

// "field '学员总数' is 0, and 'active / members' divides by it".
std::string division_reason(const RankingRule& rule, const AggregateTerm& term,
                            const Expr* divisor) {
  std::string out = divisor->kind == Expr::Kind::Field ? "field '" : "'";
  out += divisor->kind == Expr::Kind::Field ? rule.fields[rule.number_fields[divisor->index]].key
                                            : print_expression(*divisor);
  out += "' is 0, and '";
  out += print_expression(*term.argument);
  out += "' divides by it";
  return out;
}

}  // namespace

bool ListResult::ties_extended() const {
  return std::any_of(parts.begin(), parts.end(), [](const ListPart& p) { return p.ties_extended; });
}

RuleResults compute_rule(const RankingRule& rule, const FileSystem& fs,
                         const std::string& project_root,
                         const std::function<bool(const std::string& path)>& skip_file) {
  RuleResults results;
  results.exports = find_exports(rule, fs, project_root);
  if (results.exports.empty()) {
    std::string globs;
    for (const auto& g : rule.exports) globs += (globs.empty() ? "'" : ", '") + g + "'";
    throw Error(rule.exports_where, "no export file under data/ matches " + globs,
                rule.exports_line);
  }
  std::map<std::string, PeriodState> periods;
  long cached_day = LONG_MIN;
  PeriodState* cached = nullptr;
  std::vector<double> args(rule.terms.size());
  std::string key;

  auto on_bad = [&](const BadRecord& b) {
    if (rule.bad_records == BadRecords::Error) throw Error(b.where, b.message());
    note_skipped(results.skipped, b);
    if (b.date) {
      PeriodRange range = period_of(rule.period, *b.date);
      auto [it, fresh] = periods.try_emplace(range.id);
      if (fresh) it->second.range = range;
      note_skipped(it->second.skipped, b);
      cached_day = LONG_MIN;  // the map may have a new node; the cache stays valid, but keep it simple
    }
  };
  ExportSpan* span = nullptr;  // the file being read
  auto on_record = [&](const ExportRecord& r) {
    if (span->records++ == 0 || r.date < span->first) span->first = r.date;
    if (span->records == 1 || span->last < r.date) span->last = r.date;
    // Evaluate every term's argument first, so a bad record adds nothing.
    EvalContext ctx;
    ctx.inner = r.numbers.data();
    ctx.throw_on_zero_division = true;
    for (size_t t = 0; t < rule.terms.size(); ++t) {
      const AggregateTerm& term = rule.terms[t];
      try {
        args[t] = term.argument ? evaluate(*term.argument, ctx) : 0;
      } catch (const DivisionByZero& z) {
        BadRecord b;
        b.index = r.index;
        b.where = r.where;
        b.date = r.date;
        b.reason = division_reason(rule, term, z.divisor);
        on_bad(b);
        return;
      }
    }
    long day = r.date.days();
    if (day != cached_day || !cached) {
      PeriodRange range = period_of(rule.period, r.date);
      auto [it, fresh] = periods.try_emplace(range.id);
      if (fresh) it->second.range = range;
      cached = &it->second;
      cached_day = day;
    }
    PeriodState& p = *cached;
    key.assign(r.entity);
    key += '\x1f';
    key += r.group;
    auto [it, fresh] = p.index.try_emplace(key, p.entities.size());
    if (fresh) p.entities.push_back({r.entity, r.group, std::vector<TermState>(rule.terms.size()), 0});
    EntityState& e = p.entities[it->second];
    for (size_t t = 0; t < rule.terms.size(); ++t) e.terms[t].add(args[t], day);
    ++e.records;
    ++p.records;
    p.last_day = std::max(p.last_day, day);
    ++results.records;
  };
  std::vector<std::string> read;
  for (const auto& file : results.exports) {
    if (skip_file && skip_file(file)) {
      results.unread.push_back(file);
      continue;
    }
    read.push_back(file);
    results.spans.push_back({file, {}, {}, 0});
    span = &results.spans.back();
    read_export(rule, fs, project_root, file, on_record, on_bad);
  }
  results.exports = std::move(read);

  for (auto& [id, state] : periods) {
    if (state.entities.empty()) {
      // Only skipped records: no table, but the page still says why.
      PeriodResult p;
      p.id = id;
      p.first = state.range.first;
      p.last = state.range.last;
      p.last_in_data = state.range.first;
      p.complete = false;
      p.skipped = std::move(state.skipped);
      results.periods.push_back(std::move(p));
      continue;
    }
    results.periods.push_back(finish_period(rule, state));
  }
  return results;
}

const PeriodResult* find_period(const RuleResults& results, const std::string& id) {
  for (const auto& p : results.periods)
    if (p.id == id) return &p;
  return nullptr;
}

std::vector<EntityHistory> entity_histories(const RuleResults& results) {
  std::map<std::pair<std::string, std::string>, EntityHistory> by_key;
  for (const auto& p : results.periods) {
    std::map<std::string, int> group_sizes;
    for (const auto& t : p.tables) group_sizes[t.group] = static_cast<int>(t.rows.size());
    for (const auto& row : p.rows) {
      auto& h = by_key[{row.entity, row.group}];
      h.entity = row.entity;
      h.group = row.group;
      h.points.push_back({p.id, p.complete, p.last_in_data, row.rank, row.overall_rank,
                          group_sizes[row.group], row.metrics});
    }
  }
  std::vector<EntityHistory> out;
  for (auto& [k, h] : by_key) out.push_back(std::move(h));
  return out;
}

}  // namespace bulletin
