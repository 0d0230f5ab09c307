#include "compute/period_store.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "util/sha256.h"

namespace bulletin {
namespace {

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_text(std::string& out, const std::string& s) {
  put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out += s;
}
void put_date(std::string& out, const Date& d) {
  put<int32_t>(out, d.year);
  put<int32_t>(out, d.month);
  put<int32_t>(out, d.day);
}

struct Reader {
  const char* p;
  const char* end;
  template <typename T>
  T take() {
    if (static_cast<size_t>(end - p) < sizeof(T)) throw std::runtime_error("the rankings' period store is cut short");
    T v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return v;
  }
  std::string text() {
    uint32_t n = take<uint32_t>();
    if (static_cast<size_t>(end - p) < n) throw std::runtime_error("the rankings' period store is cut short");
    std::string s(p, n);
    p += n;
    return s;
  }
  Date date() {
    Date d;
    d.year = take<int32_t>();
    d.month = take<int32_t>();
    d.day = take<int32_t>();
    return d;
  }
};

void put_metrics(std::string& out, const std::vector<MetricValue>& metrics) {
  put<uint32_t>(out, static_cast<uint32_t>(metrics.size()));
  for (const auto& m : metrics) {
    put<double>(out, m.value);
    put_text(out, m.text);
    m.exact.append_binary(out);
  }
}
std::vector<MetricValue> take_metrics(Reader& r) {
  std::vector<MetricValue> out(r.take<uint32_t>());
  for (auto& m : out) {
    m.value = r.take<double>();
    m.text = r.text();
    m.exact = Exact::read_binary(r.p);
  }
  return out;
}

void put_indexes(std::string& out, const std::vector<size_t>& v) {
  put<uint64_t>(out, v.size());
  for (size_t i : v) put<uint64_t>(out, i);
}
std::vector<size_t> take_indexes(Reader& r) {
  std::vector<size_t> v(r.take<uint64_t>());
  for (auto& i : v) i = r.take<uint64_t>();
  return v;
}

void put_lists(std::string& out, const std::vector<ListResult>& lists) {
  put<uint64_t>(out, lists.size());
  for (const auto& l : lists) {
    put_text(out, l.id);
    put_text(out, l.label);
    put<uint64_t>(out, l.parts.size());
    for (const auto& part : l.parts) {
      put_text(out, part.group);
      put_indexes(out, part.items);
      put<uint8_t>(out, part.ties_extended);
    }
  }
}
std::vector<ListResult> take_lists(Reader& r) {
  std::vector<ListResult> lists(r.take<uint64_t>());
  for (auto& l : lists) {
    l.id = r.text();
    l.label = r.text();
    l.parts.resize(r.take<uint64_t>());
    for (auto& part : l.parts) {
      part.group = r.text();
      part.items = take_indexes(r);
      part.ties_extended = r.take<uint8_t>() != 0;
    }
  }
  return lists;
}

void put_row(std::string& out, const RankedRow& row) {
  put<int32_t>(out, row.rank);
  put<int32_t>(out, row.overall_rank);
  put_text(out, row.entity);
  put_text(out, row.group);
  put<int64_t>(out, row.records);
  put_metrics(out, row.metrics);
}
RankedRow take_row(Reader& r) {
  RankedRow row;
  row.rank = r.take<int32_t>();
  row.overall_rank = r.take<int32_t>();
  row.entity = r.text();
  row.group = r.text();
  row.records = r.take<int64_t>();
  row.metrics = take_metrics(r);
  return row;
}

// The period's bytes; `rows` gets where each row's bytes are in them.
std::string serialize(const PeriodResult& p, std::vector<std::pair<size_t, size_t>>* rows) {
  std::string out;
  put_text(out, p.id);
  put_date(out, p.first);
  put_date(out, p.last);
  put_date(out, p.last_in_data);
  put<uint8_t>(out, p.complete);
  put<int64_t>(out, p.records);
  put<uint64_t>(out, p.rows.size());
  std::string row;
  for (const auto& r : p.rows) {
    row.clear();
    put_row(row, r);
    put<uint32_t>(out, static_cast<uint32_t>(row.size()));
    if (rows) rows->emplace_back(out.size(), row.size());
    out += row;
  }
  put<uint64_t>(out, p.tables.size());
  for (const auto& t : p.tables) {
    put_text(out, t.group);
    put_indexes(out, t.rows);
  }
  put_lists(out, p.lists);
  put<uint64_t>(out, p.group_rows.size());
  for (const auto& g : p.group_rows) {
    put<int32_t>(out, g.rank);
    put_text(out, g.group);
    put<int32_t>(out, g.members);
    put_metrics(out, g.metrics);
  }
  put_lists(out, p.group_lists);
  const SkippedRecords& s = p.skipped;
  put<int64_t>(out, s.count);
  put<uint64_t>(out, s.by_reason.size());
  for (const auto& [reason, n] : s.by_reason) {
    put_text(out, reason);
    put<int64_t>(out, n);
  }
  put<uint64_t>(out, s.first.size());
  for (const auto& r : s.first) {
    put_text(out, r.path);
    put<int32_t>(out, r.line);
    put<int32_t>(out, r.column);
    put<int64_t>(out, r.index);
    put_text(out, r.reason);
    put_text(out, r.text);
  }
  put<uint64_t>(out, s.examples.size());
  for (const auto& e : s.examples) put_text(out, e);
  return out;
}

}  // namespace

std::string period_bytes(const PeriodResult& period) { return serialize(period, nullptr); }

PeriodResult period_from_bytes(const std::string& bytes) {
  Reader r{bytes.data(), bytes.data() + bytes.size()};
  PeriodResult p;
  p.id = r.text();
  p.first = r.date();
  p.last = r.date();
  p.last_in_data = r.date();
  p.complete = r.take<uint8_t>() != 0;
  p.records = r.take<int64_t>();
  p.rows.resize(r.take<uint64_t>());
  for (auto& row : p.rows) {
    r.take<uint32_t>();
    row = take_row(r);
  }
  p.tables.resize(r.take<uint64_t>());
  for (auto& t : p.tables) {
    t.group = r.text();
    t.rows = take_indexes(r);
  }
  p.lists = take_lists(r);
  p.group_rows.resize(r.take<uint64_t>());
  for (auto& g : p.group_rows) {
    g.rank = r.take<int32_t>();
    g.group = r.text();
    g.members = r.take<int32_t>();
    g.metrics = take_metrics(r);
  }
  p.group_lists = take_lists(r);
  SkippedRecords& s = p.skipped;
  s.count = r.take<int64_t>();
  for (uint64_t n = r.take<uint64_t>(); n > 0; --n) {
    std::string reason = r.text();
    s.by_reason[reason] = r.take<int64_t>();
  }
  s.first.resize(r.take<uint64_t>());
  for (auto& x : s.first) {
    x.path = r.text();
    x.line = r.take<int32_t>();
    x.column = r.take<int32_t>();
    x.index = r.take<int64_t>();
    x.reason = r.text();
    x.text = r.text();
  }
  s.examples.resize(r.take<uint64_t>());
  for (auto& e : s.examples) e = r.text();
  return p;
}

PeriodStore::PeriodStore() : file_(std::tmpfile()) {}

PeriodStore::~PeriodStore() {
  if (file_) std::fclose(file_);
}

uint64_t PeriodStore::append(const std::string& bytes) {
  uint64_t at = end_;
  if (file_) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::pwrite(fileno(file_), bytes.data() + done, bytes.size() - done, static_cast<off_t>(at + done));
      if (n <= 0) throw std::runtime_error("the rankings' period store could not be written (is the disk full?)");
      done += static_cast<size_t>(n);
    }
  } else {
    memory_ += bytes;
  }
  end_ += bytes.size();
  return at;
}

std::string PeriodStore::read(uint64_t at, uint64_t size) const {
  if (!file_) return memory_.substr(at, size);
  std::string bytes(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fileno(file_), bytes.data() + done, size - done, static_cast<off_t>(at + done));
    if (n <= 0) throw std::runtime_error("the rankings' period store could not be read back");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

size_t PeriodStore::add(const PeriodResult& p) {
  std::vector<std::pair<size_t, size_t>> rows;
  std::string bytes = serialize(p, &rows);
  const uint32_t slot = static_cast<uint32_t>(slots_.size());
  SlotInfo info;
  info.size = bytes.size();
  info.digest = sha256(bytes);
  info.at = append(bytes);
  info.id = p.id;
  info.complete = p.complete;
  info.last_in_data = p.last_in_data;
  slots_.push_back(std::move(info));
  std::map<std::string, int> group_sizes;
  for (const auto& t : p.tables) group_sizes[t.group] = static_cast<int>(t.rows.size());
  for (size_t i = 0; i < p.rows.size(); ++i) {
    const RankedRow& row = p.rows[i];
    points_[{row.entity, row.group}].push_back(
        {slot, group_sizes[row.group], slots_.back().at + rows[i].first, static_cast<uint32_t>(rows[i].second)});
  }
  return slot;
}

PeriodResult PeriodStore::load(size_t slot) const {
  const SlotInfo& s = slots_.at(slot);
  return period_from_bytes(read(s.at, s.size));
}

void PeriodStore::order(const std::vector<size_t>& position_of_slot) {
  entities_.clear();
  entities_.reserve(points_.size());
  for (auto& [key, points] : points_) {
    std::stable_sort(points.begin(), points.end(), [&](const Point& a, const Point& b) {
      return position_of_slot[a.slot] < position_of_slot[b.slot];
    });
    entities_.emplace_back(key, std::move(points));
  }
  points_.clear();
}

EntityHistory PeriodStore::history(size_t e) const {
  const auto& [key, points] = entities_.at(e);
  EntityHistory h;
  h.entity = key.first;
  h.group = key.second;
  for (const Point& pt : points) {
    std::string bytes = read(pt.at, pt.size);
    Reader r{bytes.data(), bytes.data() + bytes.size()};
    RankedRow row = take_row(r);
    const SlotInfo& s = slots_[pt.slot];
    h.points.push_back({s.id, s.complete, s.last_in_data, row.rank, row.overall_rank, pt.of, std::move(row.metrics)});
  }
  return h;
}

}  // namespace bulletin
