#include "compute/rankings.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "compute/exports.h"

namespace bulletin {

namespace {

// How many skipped records are quoted in full; the rest are only counted.
constexpr size_t kSkippedExamples = 20;

// Running state of one aggregate term for one entity in one period: a
// fixed size, whatever the number of records. Exact, so the order in which
// records (or parts of a file read in parallel) arrive cannot change a sum.
struct TermState {
  Exact v;             // Sum/Mean: the sum; Min/Max: the extreme; First/Last: the value
  long n = 0;          // values taken (Count: those counted)
  long day = 0;        // First/Last: the date of `v`
  uint64_t order = 0;  // and its reading order, for records of the same date

  void add(Aggregate a, bool has_argument, const Exact& x, long d, uint64_t o) {
    switch (a) {
      case Aggregate::Sum:
      case Aggregate::Mean:
        v += x;
        ++n;
        return;
      case Aggregate::Min:
        if (n++ == 0 || Exact::compare(x, v) < 0) v = x;
        return;
      case Aggregate::Max:
        if (n++ == 0 || Exact::compare(x, v) > 0) v = x;
        return;
      case Aggregate::Count:
        if (!has_argument || truthy(x)) ++n;
        return;
      case Aggregate::First:
        if (n++ == 0 || std::tie(d, o) < std::tie(day, order)) v = x, day = d, order = o;
        return;
      case Aggregate::Last:
        if (n++ == 0 || std::tie(d, o) > std::tie(day, order)) v = x, day = d, order = o;
        return;
    }
  }

  void merge(Aggregate a, const TermState& o) {
    if (o.n == 0) return;
    switch (a) {
      case Aggregate::Sum:
      case Aggregate::Mean:
        v += o.v;
        n += o.n;
        return;
      case Aggregate::Count: n += o.n; return;
      case Aggregate::Min:
        if (n == 0 || Exact::compare(o.v, v) < 0) v = o.v;
        n += o.n;
        return;
      case Aggregate::Max:
        if (n == 0 || Exact::compare(o.v, v) > 0) v = o.v;
        n += o.n;
        return;
      case Aggregate::First:
        if (n == 0 || std::tie(o.day, o.order) < std::tie(day, order)) v = o.v, day = o.day, order = o.order;
        n += o.n;
        return;
      case Aggregate::Last:
        if (n == 0 || std::tie(o.day, o.order) > std::tie(day, order)) v = o.v, day = o.day, order = o.order;
        n += o.n;
        return;
    }
  }

  // Over no values every aggregate but count is undefined.
  Exact value(Aggregate a) const {
    if (a == Aggregate::Count) return Exact::integer(n);
    if (n == 0) return Exact::undefined();
    if (a == Aggregate::Mean) return v / Exact::integer(n);
    return v;
  }
};

struct EntityState {
  std::string entity;
  std::string group;
  uint64_t hash = 0;
  long records = 0;
};

uint64_t hash_bytes(std::string_view s, uint64_t h) {
  // Eight bytes at a time, then the tail; mixed by multiply and shift.
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    p += 8, n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  h = (h ^ w ^ (static_cast<uint64_t>(s.size()) << 56)) * 0xBF58476D1CE4E5B9ULL;
  return h ^ (h >> 31);
}

// The entities of one period, interned: an open-addressing table of indexes
// into `entities`, and every entity's term states in one flat array.
struct PeriodState {
  PeriodRange range;
  long last_day = LONG_MIN;
  long records = 0;
  std::vector<EntityState> entities;
  std::vector<TermState> terms;  // entities.size() * terms per entity
  // 0: empty; else the entity's index + 1 in the low half and the high half
  // of its hash above, so that a probe past another entity reads no string.
  std::vector<uint64_t> slots;
  SkippedRecords skipped;

  // The index of (entity, group), added with fresh states when new.
  size_t find_or_add(std::string_view entity, std::string_view group, size_t term_count) {
    uint64_t h = hash_bytes(group, hash_bytes(entity, 0x243F6A8885A308D3ULL));
    if (entities.size() * 2 >= slots.size()) grow();
    size_t mask = slots.size() - 1;
    const uint64_t tag = h & 0xFFFFFFFF00000000ULL;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint64_t s = slots[i];
      if (s == 0) {
        slots[i] = tag | (entities.size() + 1);
        entities.push_back({std::string(entity), std::string(group), h, 0});
        terms.resize(terms.size() + term_count);
        return entities.size() - 1;
      }
      if ((s & 0xFFFFFFFF00000000ULL) != tag) continue;
      const EntityState& e = entities[(s & 0xFFFFFFFFULL) - 1];
      if (e.hash == h && e.entity == entity && e.group == group) return (s & 0xFFFFFFFFULL) - 1;
    }
  }

 private:
  void grow() {
    std::vector<uint64_t> bigger(std::max<size_t>(64, slots.size() * 2), 0);
    size_t mask = bigger.size() - 1;
    for (size_t k = 0; k < entities.size(); ++k) {
      size_t i = entities[k].hash & mask;
      while (bigger[i]) i = (i + 1) & mask;
      bigger[i] = (entities[k].hash & 0xFFFFFFFF00000000ULL) | (k + 1);
    }
    slots = std::move(bigger);
  }
};

void note_skipped(SkippedRecords& s, const SkippedRecord& r) {
  ++s.count;
  ++s.by_reason[r.reason];
  if (s.first.size() < kSkippedExamples) s.first.push_back(r);
}

void merge_skipped(SkippedRecords& into, const SkippedRecords& from, const PartOffsets& off) {
  into.count += from.count;
  for (const auto& [reason, n] : from.by_reason) into.by_reason[reason] += n;
  for (const auto& r : from.first) {
    if (into.first.size() >= kSkippedExamples) break;
    SkippedRecord moved = r;
    moved.line += static_cast<int>(off.lines);
    moved.index += off.records;
    into.first.push_back(std::move(moved));
  }
}

void finish_skipped(SkippedRecords& s) {
  s.examples.clear();
  for (const auto& r : s.first) s.examples.push_back(r.message());
}

std::vector<Exact> term_values(const std::vector<AggregateTerm>& terms, const std::vector<TermState>& states) {
  std::vector<Exact> out(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) out[i] = states[i].value(terms[i].aggregate);
  return out;
}

std::vector<MetricValue> evaluate_metrics(const std::vector<RankingMetric>& metrics, const std::vector<Exact>& terms) {
  std::vector<Exact> values(metrics.size());
  std::vector<MetricValue> out(metrics.size());
  for (size_t i = 0; i < metrics.size(); ++i) {
    EvalContext ctx;
    ctx.metrics = values.data();
    ctx.terms = terms.data();
    values[i] = evaluate(*metrics[i].value, ctx);
    out[i].exact = values[i];
    out[i].value = values[i].to_double();
    out[i].text = format_number(values[i], metrics[i].format);
  }
  return out;
}

// Order of two value lists under `order`: negative if a comes first, 0 if
// they tie. An undefined value comes last either way.
int compare_values(const std::vector<MetricValue>& a, const std::vector<MetricValue>& b,
                   const std::vector<RankingOrderKey>& order) {
  for (const auto& k : order) {
    const Exact& x = a[k.metric].exact;
    const Exact& y = b[k.metric].exact;
    if (!x.defined() || !y.defined()) {
      if (x.defined() != y.defined()) return x.defined() ? -1 : 1;
      continue;
    }
    int c = Exact::compare(x, y);
    if (c == 0) continue;
    return (c > 0) == k.descending ? -1 : 1;
  }
  return 0;
}

// Sorts `items` by the order keys (ties by name, byte-wise, which for UTF-8
// is Unicode code point order) and gives their competition ranks, parallel
// to the sorted items.
template <typename Metrics, typename Name>
std::vector<int> rank_items(std::vector<size_t>& items, const std::vector<RankingOrderKey>& order, Metrics metrics_of,
                            Name name_of) {
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

// One list over `items` (in rank order, with their ranks).
ListPart select(const RankingList& spec, const std::vector<size_t>& items, const std::vector<int>& ranks,
                const std::function<const std::vector<MetricValue>&(size_t)>& metrics_of) {
  ListPart part;
  for (size_t i = 0; i < items.size(); ++i) {
    bool in = true;
    if (spec.top) in = ranks[i] <= spec.top;
    if (spec.bottom) {
      // Rank from the bottom: one more than the rows strictly behind.
      long behind = static_cast<long>(ranks.end() - std::upper_bound(ranks.begin(), ranks.end(), ranks[i]));
      in = behind + 1 <= spec.bottom;
    }
    if (in && spec.where) {
      std::vector<Exact> values;
      for (const auto& m : metrics_of(items[i])) values.push_back(m.exact);
      EvalContext ctx;
      ctx.metrics = values.data();
      in = truthy(evaluate(*spec.where, ctx));
    }
    if (in) part.items.push_back(items[i]);
  }
  // Only ties can make a top/bottom N list longer than N; counted after `where`.
  int limit = spec.top ? spec.top : spec.bottom;
  part.ties_extended = limit > 0 && part.items.size() > static_cast<size_t>(limit);
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
  finish_skipped(p.skipped);

  // Rows in entity order first, so that every later sort is deterministic.
  std::vector<RankedRow> rows;
  std::vector<size_t> by_name(state.entities.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(), [&](size_t a, size_t b) {
    const EntityState &x = state.entities[a], &y = state.entities[b];
    return std::tie(x.group, x.entity) < std::tie(y.group, y.entity);
  });
  const size_t term_count = rule.terms.size();
  for (size_t k : by_name) {
    const EntityState& e = state.entities[k];
    std::vector<TermState> terms(state.terms.begin() + k * term_count, state.terms.begin() + (k + 1) * term_count);
    RankedRow row;
    row.entity = e.entity;
    row.group = e.group;
    row.records = e.records;
    row.metrics = evaluate_metrics(rule.metrics, term_values(rule.terms, terms));
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
      // Undefined member values are left out of every aggregate (as SQL
      // leaves out NULL); count() counts the members.
      std::vector<TermState> states(gr.terms.size());
      for (size_t r : table.rows) {
        std::vector<Exact> member;
        for (const auto& m : p.rows[r].metrics) member.push_back(m.exact);
        EvalContext ctx;
        ctx.inner = member.data();
        for (size_t t = 0; t < gr.terms.size(); ++t) {
          const AggregateTerm& term = gr.terms[t];
          Exact x = term.argument ? evaluate(*term.argument, ctx) : Exact();
          if (term.argument && !x.defined()) continue;
          states[t].add(term.aggregate, term.argument != nullptr, x, 0, 0);
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
std::string division_reason(const RankingRule& rule, const AggregateTerm& term, const Expr* divisor) {
  std::string out = divisor->kind == Expr::Kind::Field ? "field '" : "'";
  out += divisor->kind == Expr::Kind::Field ? rule.fields[rule.number_fields[divisor->index]].key
                                            : print_expression(*divisor);
  out += "' is 0, and '";
  out += print_expression(*term.argument);
  out += "' divides by it";
  return out;
}

}  // namespace

std::string SkippedRecord::message() const {
  std::string where = path;
  if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(column);
  return where + ": record " + std::to_string(index) + ": " + reason;
}

bool ListResult::ties_extended() const {
  return std::any_of(parts.begin(), parts.end(), [](const ListPart& p) { return p.ties_extended; });
}

namespace {

SkippedRecord skipped_of(const BadRecord& b) {
  return {b.where.path, b.where.line, b.where.column, b.index, b.reason, b.text};
}

// The aggregation state of a rule: every period and entity seen so far. One
// per part of a file read in parallel; parts are merged in file order.
class Aggregator : public RecordConsumer {
 public:
  explicit Aggregator(const RankingRule& rule) : rule_(rule), args_(rule.terms.size()) {}

  std::map<std::string, PeriodState> periods;
  SkippedRecords skipped;         // every skipped record, dated or not
  std::optional<BadRecord> stop;  // the first bad record under `bad_records: error`
  long records = 0;
  // The file being read: its records and dates.
  long file_records = 0, file_bad = 0;
  long file_first = LONG_MAX, file_last = LONG_MIN;

  void record(const ExportRecord& r) override {
    // Evaluate every term's argument first, so a bad record adds nothing.
    EvalContext ctx;
    ctx.inner = r.numbers.data();
    ctx.throw_on_zero_division = true;
    for (size_t t = 0; t < rule_.terms.size(); ++t) {
      const AggregateTerm& term = rule_.terms[t];
      if (!term.argument) continue;
      if (term.argument->kind == Expr::Kind::Field) {
        args_[t] = r.numbers[term.argument->index];
        continue;
      }
      try {
        args_[t] = evaluate(*term.argument, ctx);
      } catch (const DivisionByZero& z) {
        BadRecord b;
        b.index = r.place.index;
        b.where = r.place.where();
        b.date = r.date;
        b.reason = division_reason(rule_, term, z.divisor);
        b.text = std::string(r.place.text.substr(0, kRecordTextLimit));
        bad(b);
        return;
      }
    }
    long day = r.date.days();
    PeriodState& p = period_for(r.date, day);
    const size_t term_count = rule_.terms.size();
    size_t k = p.find_or_add(r.entity, r.group, term_count);
    EntityState& e = p.entities[k];
    TermState* terms = p.terms.data() + k * term_count;
    for (size_t t = 0; t < term_count; ++t)
      terms[t].add(rule_.terms[t].aggregate, rule_.terms[t].argument != nullptr, args_[t], day, r.place.order);
    ++e.records;
    ++p.records;
    p.last_day = std::max(p.last_day, day);
    ++records;
    ++file_records;
    file_first = std::min(file_first, day);
    file_last = std::max(file_last, day);
  }

  bool bad(const BadRecord& b) override {
    ++file_bad;
    if (rule_.bad_records == BadRecords::Error) {
      if (!stop) stop = b;
      return false;
    }
    SkippedRecord r = skipped_of(b);
    note_skipped(skipped, r);
    if (b.date) note_skipped(period_for(*b.date, b.date->days()).skipped, r);
    return true;
  }

  // Adds a later part of the same file; its positions start at `off`.
  void merge(Aggregator& o, const PartOffsets& off) {
    merge_skipped(skipped, o.skipped, off);
    for (auto& [id, op] : o.periods) {
      auto [it, fresh] = periods.try_emplace(id);
      PeriodState& p = it->second;
      if (fresh) p.range = op.range;
      p.last_day = std::max(p.last_day, op.last_day);
      p.records += op.records;
      merge_skipped(p.skipped, op.skipped, off);
      const size_t term_count = rule_.terms.size();
      for (size_t j = 0; j < op.entities.size(); ++j) {
        const EntityState& e = op.entities[j];
        size_t k = p.find_or_add(e.entity, e.group, term_count);
        for (size_t t = 0; t < term_count; ++t)
          p.terms[k * term_count + t].merge(rule_.terms[t].aggregate, op.terms[j * term_count + t]);
        p.entities[k].records += e.records;
      }
      op = PeriodState{};  // merged: its memory goes back before the next period's
    }
    records += o.records;
    file_records += o.file_records;
    file_bad += o.file_bad;
    file_first = std::min(file_first, o.file_first);
    file_last = std::max(file_last, o.file_last);
  }

 private:
  PeriodState& period_for(const Date& date, long day) {
    if (day != cached_day_ || !cached_) {
      PeriodRange range = period_of(rule_.period, date);
      auto [it, fresh] = periods.try_emplace(range.id);
      if (fresh) it->second.range = range;
      cached_ = &it->second;  // std::map nodes do not move
      cached_day_ = day;
    }
    return *cached_;
  }

  const RankingRule& rule_;
  std::vector<Exact> args_;
  std::string key_;
  long cached_day_ = LONG_MIN;
  PeriodState* cached_ = nullptr;
};

int reader_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(n, 1u, 8u));
}

}  // namespace

RuleResults compute_rule(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                         const std::function<bool(const std::string& path)>& skip_file) {
  RuleResults results;
  results.exports = find_exports(rule, fs, project_root);
  if (results.exports.empty()) {
    std::string globs;
    for (const auto& g : rule.exports) globs += (globs.empty() ? "'" : ", '") + g + "'";
    throw Error(rule.exports_where, "no export file under data/ matches " + globs, rule.exports_line);
  }
  for (const auto& file : results.exports) check_export_inside(rule, fs, project_root, file);
  Aggregator main(rule);
  std::vector<std::string> read;
  uint64_t file_number = 0;
  for (const auto& file : results.exports) {
    ++file_number;
    if (skip_file && skip_file(file)) {
      results.unread.push_back(file);
      continue;
    }
    read.push_back(file);
    main.file_records = main.file_bad = 0;
    main.file_first = LONG_MAX;
    main.file_last = LONG_MIN;
    std::vector<std::unique_ptr<Aggregator>> others;
    auto consumer_of = [&](int k) -> RecordConsumer& {
      if (k == 0) return main;
      while (static_cast<int>(others.size()) < k) others.push_back(std::make_unique<Aggregator>(rule));
      return *others[k - 1];
    };
    std::vector<PartOffsets> offsets =
        read_export_parts(rule, fs, project_root, file, file_number << 40, reader_threads(), consumer_of);
    // The first bad record in file order stops the build under `bad_records: error`.
    for (size_t k = 0; k < offsets.size(); ++k) {
      Aggregator& a = k == 0 ? main : *others[k - 1];
      if (a.stop) {
        BadRecord b = *a.stop;
        b.where.line += static_cast<int>(offsets[k].lines);
        b.index += offsets[k].records;
        throw Error(b.where, b.message());
      }
    }
    for (size_t k = 1; k < offsets.size(); ++k) main.merge(*others[k - 1], offsets[k]);
    ExportSpan span{file, {}, {}, main.file_records};
    if (main.file_records > 0) {
      span.first = Date::from_days(main.file_first);
      span.last = Date::from_days(main.file_last);
    }
    results.spans.push_back(span);
    if (main.file_records == 0 && main.file_bad == 0) {
      Diagnostic d;
      d.severity = Severity::Warning;
      d.where = SourceLocation{file, 0, 0};
      d.message = "the export file holds no records";
      results.warnings.push_back(std::move(d));
    }
  }
  results.exports = std::move(read);
  results.records = main.records;
  results.skipped = std::move(main.skipped);
  finish_skipped(results.skipped);

  // Periods are independent: finish them on the reader threads too.
  std::vector<PeriodState*> states;
  for (auto& [id, state] : main.periods) states.push_back(&state);
  std::vector<std::optional<PeriodResult>> finished(states.size());
  {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next++) < states.size();)
        if (!states[i]->entities.empty()) {
          finished[i] = finish_period(rule, *states[i]);
          // Only the range and skipped records are read from here on.
          PeriodState& done = *states[i];
          done.entities = {};
          done.terms = {};
          done.slots = {};
        }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < std::min<int>(reader_threads(), static_cast<int>(states.size())); ++t)
      threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
  }
  size_t at = 0;
  for (auto& [id, state] : main.periods) {
    if (finished[at]) {
      results.periods.push_back(std::move(*finished[at++]));
      continue;
    }
    ++at;
    if (state.entities.empty()) {
      // Only skipped records: no table, but the page still says why.
      PeriodResult p;
      p.id = id;
      p.first = state.range.first;
      p.last = state.range.last;
      p.last_in_data = state.range.first;
      p.complete = false;
      p.skipped = std::move(state.skipped);
      finish_skipped(p.skipped);
      results.periods.push_back(std::move(p));
    }
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
      h.points.push_back(
          {p.id, p.complete, p.last_in_data, row.rank, row.overall_rank, group_sizes[row.group], row.metrics});
    }
  }
  std::vector<EntityHistory> out;
  for (auto& [k, h] : by_key) out.push_back(std::move(h));
  return out;
}

}  // namespace bulletin
