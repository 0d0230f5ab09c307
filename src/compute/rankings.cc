#include "compute/rankings.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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
    if (n == 0) {  // nothing yet: every aggregate takes the other's state
      *this = o;
      return;
    }
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

// An allocator that maps large arrays (a period's entities, term states and
// slots: megabytes each) straight from the system and gives them back when
// freed. Through malloc they were kept by the allocator after a period was
// spilled or finished (glibc raises its mmap threshold to the size of a
// freed mapping), and peak memory grew with the number of periods.
template <typename T>
struct LargeAllocator {
  using value_type = T;
  static constexpr size_t kMapped = size_t{1} << 18;  // 256 KB and more: mapped
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) {}
  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kMapped) return static_cast<T*>(::operator new(bytes));
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kMapped) {
      ::operator delete(p);
    } else {
      ::munmap(p, bytes);
    }
  }
  template <typename U>
  bool operator==(const LargeAllocator<U>&) const {
    return true;
  }
};
template <typename T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

// The entities of one period, interned: an open-addressing table of indexes
// into `entities`, and every entity's term states in one flat array.
struct PeriodState {
  PeriodRange range;
  long last_day = LONG_MIN;
  long records = 0;
  LargeVector<EntityState> entities;
  LargeVector<TermState> terms;  // entities.size() * terms per entity
  // 0: empty; else the entity's index + 1 in the low half and the high half
  // of its hash above, so that a probe past another entity reads no string.
  LargeVector<uint64_t> slots;
  SkippedRecords skipped;
  uint64_t last_use = 0;  // when records last went to it, for choosing what to spill
  bool spilled = false;   // part of its entities wait in a spill file

  // Room for `n` entities, so that loading a spilled period (whose chunks
  // mostly hold the same entities) grows no vector by doubling.
  void reserve_for(size_t n, size_t term_count) {
    n = std::max(n, entities.size());
    entities.reserve(n);
    terms.reserve(n * term_count);
    if (n * 2 > slots.size()) {
      size_t want = 64;
      while (want < n * 2 + 2) want *= 2;
      grow_to(want);
    }
  }

  // Its entities and their states go (spilled, or finished): only the
  // range, counts and skipped records stay.
  // (Assigning `{}` would keep the capacity: an initializer list.)
  void drop_body() {
    LargeVector<EntityState>().swap(entities);
    LargeVector<TermState>().swap(terms);
    LargeVector<uint64_t>().swap(slots);
  }

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
  void grow() { grow_to(std::max<size_t>(64, slots.size() * 2)); }
  void grow_to(size_t size) {
    LargeVector<uint64_t> bigger(size, 0);
    size_t mask = bigger.size() - 1;
    for (size_t k = 0; k < entities.size(); ++k) {
      size_t i = entities[k].hash & mask;
      while (bigger[i]) i = (i + 1) & mask;
      bigger[i] = (entities[k].hash & 0xFFFFFFFF00000000ULL) | (k + 1);
    }
    slots = std::move(bigger);
  }
};

// How many (period, entity) rows the readers of a rule keep in memory
// together (about 600 bytes a row) before one moves its least recently fed
// period's rows out to its spill file; the period each reader is feeding
// always stays. The 1,000,000-record benchmark holds 30,000 at most (two
// quarters of 10,000 members, one of them in both halves of the file), so
// it never spills; records in date order spill each row once, and memory
// stays flat however many periods the exports cover.
std::atomic<size_t> live_rows_limit{32768};

// Rows of periods moved out of memory: an anonymous temporary file (deleted
// when closed, or when the process ends), appended to while reading and read
// back, period by period, when the periods are finished. Reads are pread(),
// so periods load on several threads at once.
class SpillFile {
 public:
  SpillFile() : file_(std::tmpfile()) {}
  ~SpillFile() {
    if (file_) std::fclose(file_);
  }
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  // False (and nothing kept) when the file cannot be made or written, e.g. a
  // full disk: the rows then stay in memory.
  bool usable() const { return file_ && !broken_; }
  bool write(const std::string& period, const std::string& bytes) {
    if (!usable()) return false;
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::pwrite(fileno(file_), bytes.data() + done, bytes.size() - done, end_ + done);
      if (n <= 0) {
        broken_ = true;
        return false;
      }
      done += static_cast<size_t>(n);
    }
    chunks_[period].push_back({end_, bytes.size()});
    end_ += static_cast<off_t>(bytes.size());
    return true;
  }

  // Every chunk written for `period`, in writing order, one at a time.
  void read(const std::string& period, const std::function<void(const std::string&)>& each) const {
    auto it = chunks_.find(period);
    if (it == chunks_.end()) return;
    std::string bytes;
    for (const auto& [at, size] : it->second) {
      bytes.assign(size, '\0');
      size_t done = 0;
      while (done < size) {
        ssize_t n = ::pread(fileno(file_), bytes.data() + done, size - done, at + done);
        if (n <= 0) throw std::runtime_error("the rankings' spill file could not be read back");
        done += static_cast<size_t>(n);
      }
      each(bytes);
    }
  }

 private:
  std::FILE* file_;
  bool broken_ = false;
  off_t end_ = 0;
  std::map<std::string, std::vector<std::pair<off_t, size_t>>> chunks_;
};

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
T take(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}
void put_text(std::string& out, const std::string& s) {
  put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out += s;
}
std::string_view take_text(const char*& p) {
  uint32_t n = take<uint32_t>(p);
  std::string_view v(p, n);
  p += n;
  return v;
}

// A period's entities and term states as bytes, for its spill file.
std::string body_bytes(const PeriodState& p, size_t term_count) {
  std::string out;
  put<uint64_t>(out, p.entities.size());
  for (size_t k = 0; k < p.entities.size(); ++k) {
    const EntityState& e = p.entities[k];
    put_text(out, e.entity);
    put_text(out, e.group);
    put<long>(out, e.records);
    for (size_t t = 0; t < term_count; ++t) {
      const TermState& s = p.terms[k * term_count + t];
      s.v.append_binary(out);
      put<long>(out, s.n);
      put<long>(out, s.day);
      put<uint64_t>(out, s.order);
    }
  }
  return out;
}

// Adds the rows of `bytes` (from body_bytes) into `p`.
void merge_body_bytes(PeriodState& p, const RankingRule& rule, const std::string& bytes) {
  const size_t term_count = rule.terms.size();
  const char* at = bytes.data();
  uint64_t n = take<uint64_t>(at);
  p.reserve_for(n, term_count);
  for (uint64_t j = 0; j < n; ++j) {
    std::string_view entity = take_text(at);
    std::string_view group = take_text(at);
    size_t k = p.find_or_add(entity, group, term_count);
    p.entities[k].records += take<long>(at);
    for (size_t t = 0; t < term_count; ++t) {
      TermState s;
      s.v = Exact::read_binary(at);
      s.n = take<long>(at);
      s.day = take<long>(at);
      s.order = take<uint64_t>(at);
      p.terms[k * term_count + t].merge(rule.terms[t].aggregate, s);
    }
  }
}

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
  state.drop_body();  // the rows hold all that is needed from here on
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
  std::vector<size_t> old_index;
  old_index.reserve(rows.size());
  for (const auto& [g, items] : groups)
    for (size_t i : items) {
      new_index[i] = old_index.size();
      old_index.push_back(i);
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
  // Moved, not copied, once the lists have read them.
  p.rows.reserve(rows.size());
  for (size_t i : old_index) p.rows.push_back(std::move(rows[i]));
  std::vector<RankedRow>().swap(rows);

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
  // `live_total` counts the rows in memory of every aggregator of the rule.
  Aggregator(const RankingRule& rule, std::atomic<size_t>& live_total)
      : live_total_(live_total), rule_(rule), args_(rule.terms.size()) {}

  std::map<std::string, PeriodState> periods;
  SkippedRecords skipped;         // every skipped record, dated or not
  std::optional<BadRecord> stop;  // the first bad record under `bad_records: error`
  long records = 0;
  long spilled_rows = 0;  // rows moved to a spill file
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
        b.text = record_text(r.place.text);
        bad(b);
        return;
      }
    }
    long day = r.date.days();
    PeriodState& p = period_for(r.date, day);
    const size_t term_count = rule_.terms.size();
    size_t before = p.entities.size();
    size_t k = p.find_or_add(r.entity, r.group, term_count);
    if (p.entities.size() != before) {
      ++live_rows_;
      if (live_total_.fetch_add(1, std::memory_order_relaxed) + 1 > live_rows_limit) spill_others(p);
    }
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

  // Spill files holding rows of `periods`: this aggregator's own (last) and
  // those of the parts merged into it.
  std::vector<std::unique_ptr<SpillFile>> spill_files() {
    std::vector<std::unique_ptr<SpillFile>> out = std::move(spills);
    if (spill_) out.push_back(std::move(spill_));
    return out;
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
    // Its spilled rows stay in its spill file, read when the periods finish.
    if (o.spill_) spills.push_back(std::move(o.spill_));
    for (auto& f : o.spills) spills.push_back(std::move(f));
    o.spills.clear();
    for (auto& [id, op] : o.periods) {
      auto [it, fresh] = periods.try_emplace(id);
      PeriodState& p = it->second;
      if (fresh) p.range = op.range;
      p.last_day = std::max(p.last_day, op.last_day);
      p.records += op.records;
      p.spilled = p.spilled || op.spilled;
      p.last_use = ++tick_;
      merge_skipped(p.skipped, op.skipped, off);
      const size_t term_count = rule_.terms.size();
      size_t before = p.entities.size();
      const size_t moved = op.entities.size();
      for (size_t j = 0; j < op.entities.size(); ++j) {
        const EntityState& e = op.entities[j];
        size_t k = p.find_or_add(e.entity, e.group, term_count);
        for (size_t t = 0; t < term_count; ++t)
          p.terms[k * term_count + t].merge(rule_.terms[t].aggregate, op.terms[j * term_count + t]);
        p.entities[k].records += e.records;
      }
      op = PeriodState{};  // merged: its memory goes back before the next period's
      // The part's rows move here (those of entities already here merge).
      size_t added = p.entities.size() - before;
      live_rows_ += added;
      o.live_rows_ -= moved;
      live_total_ -= moved - added;
      if (live_total_ > live_rows_limit) spill_others(p);
    }
    records += o.records;
    spilled_rows += o.spilled_rows;
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
      cached_->last_use = ++tick_;
    }
    return *cached_;
  }

  // Moves the rows of its least recently fed periods but `current` to its
  // spill file until the readers together hold no more than the bound (or
  // this one has nothing else: the period it feeds always stays).
  void spill_others(const PeriodState& current) {
    const PeriodState* keep[] = {&current};
    spill_down_to(live_rows_limit, keep);
  }

 public:
  // The same with any bound, every period free to go but those in `keep`.
  void spill_down_to(size_t limit, std::span<const PeriodState* const> keep = {}) {
    const size_t term_count = rule_.terms.size();
    while (live_total_ > limit) {
      PeriodState* oldest = nullptr;
      for (auto& [id, p] : periods)
        if (std::find(keep.begin(), keep.end(), &p) == keep.end() && !p.entities.empty() &&
            (!oldest || p.last_use < oldest->last_use))
          oldest = &p;
      if (!oldest) return;
      if (!spill_) spill_ = std::make_unique<SpillFile>();
      if (!spill_->usable()) return;
      if (!spill_->write(oldest->range.id, body_bytes(*oldest, term_count))) return;  // kept in memory
      live_rows_ -= oldest->entities.size();
      live_total_ -= oldest->entities.size();
      spilled_rows += static_cast<long>(oldest->entities.size());
      oldest->spilled = true;
      oldest->drop_body();
    }
  }

 private:
  std::unique_ptr<SpillFile> spill_;               // rows this aggregator spilled
  std::vector<std::unique_ptr<SpillFile>> spills;  // those of the parts merged into it
  size_t live_rows_ = 0;                           // rows of `periods` in memory
  std::atomic<size_t>& live_total_;
  uint64_t tick_ = 0;

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

RuleResults compute_rule_each(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                              const std::function<void(PeriodResult&&)>& on_period,
                              const std::function<bool(const std::string& path)>& skip_file) {
  RuleResults results;
  results.exports = find_exports(rule, fs, project_root);
  if (results.exports.empty()) {
    std::string globs;
    for (const auto& g : rule.exports) globs += (globs.empty() ? "'" : ", '") + g + "'";
    throw Error(rule.exports_where, "no export file under data/ matches " + globs, rule.exports_line);
  }
  for (const auto& file : results.exports) check_export_inside(rule, fs, project_root, file);
  std::atomic<size_t> live_total{0};
  Aggregator main(rule, live_total);
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
      while (static_cast<int>(others.size()) < k) others.push_back(std::make_unique<Aggregator>(rule, live_total));
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
  results.spilled_rows = main.spilled_rows;
  results.skipped = std::move(main.skipped);
  finish_skipped(results.skipped);

  // Periods are independent: finish them on the reader threads too, a few
  // at a time so that only those few are in memory beside the ones never
  // spilled, and hand them on in calendar order.
  // Once anything spilled, the periods being finished are alone in memory:
  // the others' rows wait in the spill file, so peak memory is that of the
  // few periods being finished, as when nothing spilled.
  std::vector<PeriodState*> states;
  for (auto& [id, state] : main.periods) states.push_back(&state);
  const size_t batch = static_cast<size_t>(reader_threads());
  const bool spilling = main.spilled_rows > 0;
  if (spilling) main.spill_down_to(0, std::span(states.data(), std::min(batch, states.size())));
  const std::vector<std::unique_ptr<SpillFile>> spills = main.spill_files();
  for (size_t from = 0; from < states.size(); from += batch) {
    const size_t to = std::min(states.size(), from + batch);
    std::vector<std::optional<PeriodResult>> finished(to - from);
    std::vector<std::exception_ptr> failed(to - from);
    auto work = [&](size_t i) {
      try {
        PeriodState& state = *states[i];
        if (state.spilled)
          for (const auto& f : spills)
            f->read(state.range.id, [&](const std::string& bytes) { merge_body_bytes(state, rule, bytes); });
        if (!state.entities.empty()) {
          finished[i - from] = finish_period(rule, state);
        } else {
          // Only skipped records: no table, but the page still says why.
          PeriodResult p;
          p.id = state.range.id;
          p.first = state.range.first;
          p.last = state.range.last;
          p.last_in_data = state.range.first;
          p.complete = false;
          p.skipped = std::move(state.skipped);
          finish_skipped(p.skipped);
          finished[i - from] = std::move(p);
        }
        state.drop_body();
      } catch (...) {
        failed[i - from] = std::current_exception();
      }
    };
    std::vector<std::thread> threads;
    for (size_t i = from + 1; i < to; ++i) threads.emplace_back(work, i);
    work(from);
    for (auto& t : threads) t.join();
    for (auto& e : failed)
      if (e) std::rethrow_exception(e);
    for (auto& p : finished) on_period(std::move(*p));
#ifdef __GLIBC__
    // The finished periods' memory goes back to the system, not only to
    // the finishing threads' arenas.
    malloc_trim(0);
#endif
  }
  return results;
}

RuleResults compute_rule(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                         const std::function<bool(const std::string& path)>& skip_file) {
  std::vector<PeriodResult> periods;
  RuleResults results = compute_rule_each(
      rule, fs, project_root, [&](PeriodResult&& p) { periods.push_back(std::move(p)); }, skip_file);
  results.periods = std::move(periods);
  return results;
}

void set_rankings_live_rows(size_t rows) { live_rows_limit = std::max<size_t>(rows, 1); }

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
