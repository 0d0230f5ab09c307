#include "load/parse_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <type_traits>
#include <unordered_map>

#include "load/documents.h"
#include "util/cache_digest.h"
#include "util/fs.h"
#include "util/parallel.h"
#include "util/timing.h"

namespace bulletin {
namespace {

constexpr const char* kMagic = "bulletin parse cache 5\n";
// What a record holds, after its path, stamp, digest and body span.
enum Kind : unsigned long long { kArticleRecord = 0, kNoticeRecord = 1, kIssueRecord = 2 };
// A stamp younger than this when loading began may belong to a file that
// changes again in the same clock tick: its digest is kept, not its stamp.
constexpr long long kRacyNs = 100'000'000LL;

long long now_ns() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

void put_u64(std::string& out, unsigned long long v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, 8);
}
void put_str(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}

// Reads what put_* wrote; any read past the end marks the reader bad.
struct Reader {
  std::string_view in;
  bool ok = true;
  unsigned long long u64() {
    if (in.size() < 8) return ok = false, 0;
    unsigned long long v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<unsigned long long>(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(8);
    return v;
  }
  std::string_view view() {
    unsigned long long n = u64();
    if (!ok || n > in.size()) return ok = false, std::string_view();
    std::string_view s = in.substr(0, n);
    in.remove_prefix(n);
    return s;
  }
  std::string str() { return std::string(view()); }
  int integer() { return static_cast<int>(u64()); }
  // A count of items each at least 8 bytes long: a larger one is damage.
  size_t count() {
    unsigned long long n = u64();
    if (n > in.size() / 8) return ok = false, 0;
    return static_cast<size_t>(n);
  }
};

// Notices and issues, by one list of fields per type (`fields`), which
// Writer writes and Reader reads in the same order; source_digest is the
// caller's.
template <class S, class T>
concept is = std::is_same_v<std::remove_const_t<S>, T>;

template <class Ar, is<SourceLocation> S>
void fields(Ar& ar, S& l) {
  ar(l.path, l.line, l.column);
}
template <class Ar, is<Date> S>
void fields(Ar& ar, S& d) {
  ar(d.year, d.month, d.day);
}
template <class Ar, is<DocumentNumber> S>
void fields(Ar& ar, S& d) {
  ar(d.code, d.year, d.number);
}
template <class Ar, is<Revision> S>
void fields(Ar& ar, S& r) {
  ar(r.number, r.note, r.where, r.source_line);
}
template <class Ar, is<Attachment> S>
void fields(Ar& ar, S& a) {
  ar(a.index, a.title, a.page_title, a.page_html, a.file_source, a.file_name, a.file_size, a.where);
}
template <class Ar, is<Enclosure> S>
void fields(Ar& ar, S& e) {
  ar(e.title, e.body_html, e.signature, e.date);
}
template <class Ar, is<Notice> S>
void fields(Ar& ar, S& n) {
  ar(n.source, n.slug, n.copy_no, n.secret, n.urgency, n.issuer, n.file_mark, n.doc_no, n.doc_no_where, n.signers);
  ar(n.title, n.recipients, n.body_html, n.attachments, n.signature, n.date, n.sealed, n.note, n.enclosure);
  ar(n.cc, n.printer, n.print_date, n.revision, n.where);
}
template <class Ar, is<RankingRef> S>
void fields(Ar& ar, S& r) {
  ar(r.rule, r.period, r.where, r.source_line);
}
template <class Ar, is<IssueSection> S>
void fields(Ar& ar, S& s) {
  ar(s.heading, s.body_html, s.articles, s.article_locations, s.ranking);
}
template <class Ar, is<DistributionLine> S>
void fields(Ar& ar, S& d) {
  ar(d.label, d.recipients);
}
template <class Ar, is<BulletinIssue> S>
void fields(Ar& ar, S& i) {
  ar(i.source, i.series, i.number, i.supplement, i.date, i.title, i.editor, i.mark, i.intro_html, i.sections);
  ar(i.distribution, i.print_count, i.revision, i.where, i.number_where);
}

struct Writer {
  std::string out;
  void one(const std::string& s) { put_str(out, s); }
  void one(int v) { put_u64(out, static_cast<unsigned long long>(v)); }
  void one(bool v) { put_u64(out, v); }
  void one(unsigned long long v) { put_u64(out, v); }
  template <class T>
  void one(const std::vector<T>& v) {
    put_u64(out, v.size());
    for (const auto& x : v) one(x);
  }
  template <class T>
  void one(const std::optional<T>& v) {
    put_u64(out, v.has_value());
    if (v) one(*v);
  }
  template <class T>
  void one(const T& t) {
    fields(*this, t);
  }
  template <class... T>
  void operator()(const T&... v) {
    (one(v), ...);
  }
};

// Reads what Writer wrote.
struct FieldReader : Reader {
  void one(std::string& s) { s = str(); }
  void one(int& v) { v = integer(); }
  void one(bool& v) { v = u64() != 0; }
  void one(unsigned long long& v) { v = u64(); }
  template <class T>
  void one(std::vector<T>& v) {
    v.resize(count());
    for (auto& x : v) one(x);
  }
  template <class T>
  void one(std::optional<T>& v) {
    v.reset();
    if (u64() != 0) one(v.emplace());
  }
  template <class T>
  void one(T& t) {
    fields(*this, t);
  }
  template <class... T>
  void operator()(T&... v) {
    (one(v), ...);
  }
};

template <class Doc>
std::string put_doc(const Doc& d) {
  Writer w;
  w(d);
  return std::move(w.out);
}

template <class Doc>
std::optional<Doc> decode_doc(std::string_view payload) {
  FieldReader r{{payload}};
  Doc d;
  r(d);
  if (!r.ok || !r.in.empty()) return std::nullopt;
  return d;
}

}  // namespace

// The mapped cache file, unmapped when the cache and every article whose
// body is still read from it are gone.
struct ParseCache::Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr) ::munmap(addr, size);
  }
};

// How a damaged body is made again: from the source, when it still has the
// digest the record was made from.
struct ParseCache::Reparse {
  std::string root;
  SiteConfig config;
  std::atomic<bool> damaged{false};  // a body failed its checksum: write the file again
};

// An article's body in the mapped file, checked and copied when first read.
struct ParseCache::CachedBody : LazyText::Source {
  std::shared_ptr<const Mapping> mapping;
  std::shared_ptr<Reparse> reparse;
  std::string path, digest;
  std::string_view body;
  unsigned long long sum = 0;

  bool intact() const { return cache_checksum64(body) == sum; }
  std::string load() const override {
    if (intact()) {
      std::string text(body);
      // Its whole pages need not count in the build's memory twice: dropped
      // from this process (the file stays in the page cache, and is never
      // changed in place, so a later read faults the same bytes back in).
      uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
      uintptr_t from = (reinterpret_cast<uintptr_t>(body.data()) + page - 1) & ~(page - 1);
      uintptr_t to = (reinterpret_cast<uintptr_t>(body.data()) + body.size()) & ~(page - 1);
      if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
      return text;
    }
    if (reparse) {
      reparse->damaged = true;
      RealFileSystem fs;
      auto text = fs.read(join_path(reparse->root, path));
      if (text && cache_digest(*text) == digest) {
        Diagnostics diags;
        if (auto a = load_article(SourceFile{path, std::move(*text)}, reparse->config, diags))
          return a->body_html.str();
      }
    }
    throw Error({path, 0, 0},
                "its cached body (.bulletin-cache/parse/articles.bin) is damaged and the file changed during the "
                "build: build again");
  }
};

ParseCache::ParseCache(std::string file, std::string key) : file_(std::move(file)), key_(std::move(key)) {}

ParseCache::~ParseCache() = default;

void ParseCache::reparse_from(const std::string& root, const SiteConfig& config) {
  auto r = std::make_shared<Reparse>();
  r->root = root;
  r->config = config;
  reparse_ = std::move(r);
}

void ParseCache::done_taking() {
  for (size_t k = 0; k < slot_count_; ++k)
    if (int s = slots_[k].state.load(); s != Slot::Kept && s != Slot::Superseded) changed_ = true;
}

// Whether the cache file (not its delta) holds this document as taken.
bool ParseCache::in_cache_file(const std::string& path, const std::string& digest) const {
  auto slot = index_.find(path);
  return slot != index_.end() && !slot->second->in_delta && slot->second->state == Slot::Kept &&
         slot->second->digest == digest;
}

// A delta holds what this load changed and what the last delta held; it is
// enough when no record is to be dropped (every untaken one was noted anew:
// an edited file, not a removed or failing one) and it stays small.
bool ParseCache::delta_will_do() const {
  if (!map_ || (reparse_ && reparse_->damaged)) return false;
  for (size_t k = 0; k < slot_count_; ++k) {
    int s = slots_[k].state.load();
    if (s == Slot::Kept || s == Slot::Superseded || s == Slot::Noted) continue;
    if (s == Slot::Damaged) return false;
    std::string path(slots_[k].path);
    if (!noted_.count(path) && !documents_.count(path)) return false;
  }
  size_t entries = noted_.size() + delta_count_;
  for (const auto& [path, doc] : documents_) entries += !in_cache_file(path, doc.first);
  size_t base = slot_count_ - delta_count_;
  return entries <= 64 || entries * 16 <= base;
}

// The file: the magic line, the key, the count, one frame per record (its
// path, stamp, digest and fields, and where its body lies in the body area;
// with a checksum), then the body area. Loading reads the frames only; a
// record is checked and decoded when it is taken, on the loader's threads,
// and its body (most of the file) only when it is read. The file is mapped,
// not read, and never changed in place (a new one is renamed over it).
void ParseCache::load() {
  started_ns_ = now_ns();
  if (file_.empty()) return;
  struct Parsed {
    std::shared_ptr<Mapping> map;
    unsigned long long generation = 0, parent = 0;
    struct Record {
      std::string_view path, digest, record, body;
      DiskStamp stamp;
      bool stamped = false;
      unsigned long long sum = 0, body_sum = 0;
    };
    std::vector<Record> records;
  };
  // One file (the cache or its delta), whole or not at all.
  auto parse = [&](const std::string& path) -> std::optional<Parsed> {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
      ::close(fd);
      return std::nullopt;
    }
    void* addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (addr == MAP_FAILED) return std::nullopt;
    Parsed out;
    out.map = std::make_shared<Mapping>();
    out.map->addr = addr;
    out.map->size = static_cast<size_t>(st.st_size);
    std::string_view in(static_cast<const char*>(addr), out.map->size);
    if (!in.starts_with(kMagic)) return std::nullopt;
    in.remove_prefix(std::strlen(kMagic));
    Reader r{in};
    if (r.str() != key_ || !r.ok) return std::nullopt;
    out.generation = r.u64();
    out.parent = r.u64();
    unsigned long long count = r.u64();
    if (!r.ok || count > r.in.size() / 16) return std::nullopt;
    out.records.resize(count);
    std::vector<std::pair<unsigned long long, unsigned long long>> spans(count);
    for (unsigned long long k = 0; k < count && r.ok; ++k) {
      auto& rec = out.records[k];
      rec.record = r.view();
      rec.sum = r.u64();
      if (!r.ok) return std::nullopt;
      Reader e{rec.record};
      rec.path = e.view();
      rec.stamped = e.u64() != 0;
      rec.stamp.size = e.u64();
      rec.stamp.mtime_ns = static_cast<long long>(e.u64());
      rec.stamp.inode = e.u64();
      rec.digest = e.view();
      spans[k].first = e.u64();
      spans[k].second = e.u64();
      rec.body_sum = e.u64();
      if (!e.ok) return std::nullopt;
    }
    std::string_view bodies = r.view();
    if (!r.ok || !r.in.empty()) return std::nullopt;  // cut short, or more than it says: trust none of it
    for (unsigned long long k = 0; k < count; ++k) {
      auto [at, size] = spans[k];
      if (at > bodies.size() || size > bodies.size() - at) return std::nullopt;
      out.records[k].body = bodies.substr(at, size);
    }
    return out;
  };
  changed_ = true;  // until it proves to be this key's cache
  std::optional<Parsed> base = parse(file_);
  if (!base || base->parent != 0) return;
  // The delta counts only when made on this very file (an older delta, or
  // one made on a cache since replaced, is ignored: its entries are misses).
  std::optional<Parsed> delta = parse(file_ + ".delta");
  if (delta && delta->parent != base->generation) delta.reset();
  size_t count = base->records.size() + (delta ? delta->records.size() : 0);
  auto slots = std::make_unique<Slot[]>(count);
  std::unordered_map<std::string_view, Slot*> index;
  index.reserve(count);
  size_t k = 0;
  for (Parsed* file : {delta ? &*delta : nullptr, &*base}) {
    if (!file) continue;
    std::unordered_map<std::string_view, Slot*> mine;
    for (const auto& rec : file->records) {
      Slot& slot = slots[k++];
      slot.path = rec.path;
      slot.digest = rec.digest;
      slot.record = rec.record;
      slot.body = rec.body;
      slot.stamp = rec.stamp;
      slot.stamped = rec.stamped;
      slot.sum = rec.sum;
      slot.body_sum = rec.body_sum;
      slot.in_delta = file != &*base;
      if (!mine.emplace(slot.path, &slot).second) return;  // one record per path in a file
      // The delta's record of a path supersedes the cache's.
      if (!index.emplace(slot.path, &slot).second) slot.state = Slot::Superseded;
    }
  }
  delta_count_ = delta ? delta->records.size() : 0;
  map_ = std::move(base->map);
  if (delta) delta_map_ = std::move(delta->map);
  generation_ = base->generation;
  slots_ = std::move(slots);
  slot_count_ = count;
  index_ = std::move(index);
  changed_ = false;
}

// The article of a record, when its checksum holds and it decodes whole; its
// body is checked when read.
std::optional<Article> ParseCache::decode(const Slot& slot) const {
  if (slot.sum != cache_checksum64(slot.record)) return std::nullopt;
  Reader e{slot.record};
  Article a;
  a.source = std::string(e.view());
  for (int i = 0; i < 4; ++i) e.u64();  // stamp
  a.source_digest = e.str();
  for (int i = 0; i < 3; ++i) e.u64();  // body
  if (e.u64() != kArticleRecord) return std::nullopt;
  a.where = {a.source, 1, 1};
  a.slug = e.str();
  a.title = e.str();
  a.unit = e.str();
  a.author = e.str();
  a.date.year = static_cast<int>(e.u64());
  a.date.month = static_cast<int>(e.u64());
  a.date.day = static_cast<int>(e.u64());
  unsigned long long tags = e.u64();
  if (!e.ok || tags > slot.record.size()) return std::nullopt;
  for (unsigned long long t = 0; t < tags && e.ok; ++t) a.tags.push_back(e.str());
  a.summary = e.str();
  if (!e.ok || !e.in.empty()) return std::nullopt;
  auto body = std::make_shared<CachedBody>();
  body->mapping = slot.in_delta ? delta_map_ : map_;
  body->reparse = reparse_;
  body->path = a.source;
  body->digest = a.source_digest;
  body->body = slot.body;
  body->sum = slot.body_sum;
  a.body_html = LazyText::deferred(std::move(body));
  return a;
}

// The record of a notice or issue (`kind`), when its checksum holds.
std::optional<std::string_view> ParseCache::payload(const Slot& slot, unsigned long long kind) const {
  if (slot.sum != cache_checksum64(slot.record)) return std::nullopt;
  Reader e{slot.record};
  e.view();
  for (int i = 0; i < 4; ++i) e.u64();  // stamp
  e.view();                             // digest
  for (int i = 0; i < 3; ++i) e.u64();  // body
  if (e.u64() != kind || !e.ok) return std::nullopt;
  std::string_view p = e.view();
  if (!e.ok || !e.in.empty()) return std::nullopt;
  return p;
}

// Takes the slot of `path` when `fits` says so and no other take has: the
// index does not change while the loader's threads take from it.
template <class Doc>
std::optional<Doc> ParseCache::take(const std::string& path, Slot::State kept,
                                    const std::function<bool(const Slot&)>& fits,
                                    const std::function<std::optional<Doc>(const Slot&)>& decoded) {
  auto it = index_.find(path);
  if (it == index_.end() || !fits(*it->second)) return std::nullopt;
  Slot& slot = *it->second;
  int untaken = Slot::Untaken;
  if (!slot.state.compare_exchange_strong(untaken, Slot::Taken)) return std::nullopt;
  std::optional<Doc> a = decoded(slot);
  slot.state = a ? kept : Slot::Damaged;  // a damaged record: the file is written again
  if (a) ++hits_;
  return a;
}

std::optional<Article> ParseCache::take(const std::string& path, Slot::State kept,
                                        const std::function<bool(const Slot&)>& fits) {
  return take<Article>(path, kept, fits, [this](const Slot& slot) { return decode(slot); });
}

template <class Doc>
std::optional<Doc> ParseCache::take_document(const std::string& path, const std::string& digest,
                                             unsigned long long kind) {
  std::optional<std::string_view> p;
  auto doc = take<Doc>(
      path, Slot::Kept, [&](const Slot& s) { return s.digest == digest; },
      [&](const Slot& slot) {
        p = payload(slot, kind);
        return p ? decode_doc<Doc>(*p) : std::nullopt;
      });
  if (doc) note_document(path, digest, kind, *p);
  return doc;
}

std::optional<Notice> ParseCache::take_notice(const std::string& path, const std::string& digest) {
  return take_document<Notice>(path, digest, kNoticeRecord);
}

std::optional<BulletinIssue> ParseCache::take_issue(const std::string& path, const std::string& digest) {
  return take_document<BulletinIssue>(path, digest, kIssueRecord);
}

void ParseCache::note_notice(const Notice& n, const std::string& digest) {
  if (file_.empty()) return;
  note_document(n.source, digest, kNoticeRecord, put_doc(n));
  changed_ = true;
}

void ParseCache::note_issue(const BulletinIssue& i, const std::string& digest) {
  if (file_.empty()) return;
  note_document(i.source, digest, kIssueRecord, put_doc(i));
  changed_ = true;
}

// Kept as the file holds it after the body span: the kind, then the document.
void ParseCache::note_document(const std::string& path, const std::string& digest, unsigned long long kind,
                               std::string_view doc) {
  std::string record;
  put_u64(record, kind);
  put_str(record, doc);
  std::lock_guard<std::mutex> lock(mutex_);
  documents_[path] = {digest, std::move(record)};
}

std::optional<Article> ParseCache::take_by_stamp(const std::string& path, const DiskStamp& stamp) {
  return take(path, Slot::Kept, [&](const Slot& s) { return s.stamped && s.stamp == stamp; });
}

std::optional<Article> ParseCache::take_by_digest(const std::string& path, const std::string& digest,
                                                  const std::optional<DiskStamp>& stamp) {
  auto it = index_.find(path);
  bool same = it != index_.end() && stamp && it->second->stamped && it->second->stamp == *stamp;
  auto a = take(path, same ? Slot::Kept : Slot::Noted, [&](const Slot& s) { return s.digest == digest; });
  if (a && !same) note(path, stamp, digest);  // a new stamp (touched, copied back): record it
  return a;
}

void ParseCache::note(const std::string& path, const std::optional<DiskStamp>& stamp, const std::string& digest) {
  Meta m;
  m.stamped = stamp && !stamp->symlink && stamp->mtime_ns + kRacyNs < started_ns_;
  if (stamp && !stamp->symlink && !m.stamped) young_ = true;
  if (stamp) m.stamp = *stamp;
  m.digest = digest;
  std::lock_guard<std::mutex> lock(mutex_);
  noted_[path] = std::move(m);
  changed_ = true;
}

void ParseCache::save(const std::vector<Article>& articles, bool background) {
  // Entries read but not taken belong to removed or failing documents.
  done_taking();
  if (file_.empty() || !(changed_ || (reparse_ && reparse_->damaged))) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file_).parent_path(), ec);
  bool delta = delta_will_do();
  if (background) {
    // Written by a grandchild (a copy of this process's memory, re-parented
    // to init), so the build does not wait for it and leaves no zombie.
    pid_t child = ::fork();
    if (child > 0) {
      int status = 0;
      ::waitpid(child, &status, 0);
      return;
    }
    if (child == 0) {
      if (::fork() == 0) {
        // Hold none of the caller's pipes, sockets or locks open while writing.
        int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && null >= 0; ++fd) ::dup2(null, fd);
        ::closefrom(3);
        lower_to_background_priority();
        write(articles, delta);  // never creates the folder: if it was removed meanwhile, nothing is left behind
        ::_exit(0);
      }
      ::_exit(0);
    }
    // fork failed: write it now.
  }
  write(articles, delta);
}

void ParseCache::write(const std::vector<Article>& articles, bool delta) const {
  std::string target = delta ? file_ + ".delta" : file_;
  std::string tmp = target + ".tmp-" + std::to_string(::getpid());
  std::remove(tmp.c_str());
  struct Keep {
    const Article* article;
    Meta meta;
    std::string_view body;
    unsigned long long body_sum;
  };
  std::vector<Keep> keep;
  for (const auto& a : articles) {
    Meta meta;
    if (auto noted = noted_.find(a.source); noted != noted_.end()) {
      meta = noted->second;
    } else if (auto slot = index_.find(a.source); slot != index_.end() && slot->second->state == Slot::Kept) {
      if (delta && !slot->second->in_delta) continue;  // the cache file holds it
      meta = {slot->second->stamp, slot->second->stamped, std::string(slot->second->digest)};
    } else {
      continue;
    }
    // A body still in the old file is copied as it is, when intact.
    auto* cached = dynamic_cast<const CachedBody*>(a.body_html.source());
    if (cached && cached->intact()) {
      keep.push_back({&a, std::move(meta), cached->body, cached->sum});
      continue;
    }
    try {
      std::string_view body = a.body_html.str();
      keep.push_back({&a, std::move(meta), body, cache_checksum64(body)});
    } catch (const Error&) {
      // Damaged and changed since: parsed again by the next load.
    }
  }
  std::vector<const std::pair<const std::string, std::pair<std::string, std::string>>*> documents;
  for (const auto& d : documents_)
    if (!delta || !in_cache_file(d.first, d.second.first)) documents.push_back(&d);
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (!f) return;
  std::string head = kMagic;
  put_str(head, key_);
  // A new generation; a delta names the one it applies to.
  unsigned long long generation = (static_cast<unsigned long long>(now_ns()) << 1 | 1) ^
                                  (static_cast<unsigned long long>(::getpid()) << 48);
  put_u64(head, generation);
  put_u64(head, delta ? generation_ : 0);
  put_u64(head, keep.size() + documents.size());
  bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
  std::string record, frame;
  unsigned long long at = 0;
  for (const auto& [a, m, body, body_sum] : keep) {
    if (!ok) break;
    record.clear();
    put_str(record, a->source);
    put_u64(record, m.stamped);
    put_u64(record, m.stamp.size);
    put_u64(record, static_cast<unsigned long long>(m.stamp.mtime_ns));
    put_u64(record, m.stamp.inode);
    put_str(record, m.digest);
    put_u64(record, at);
    put_u64(record, body.size());
    put_u64(record, body_sum);
    put_u64(record, kArticleRecord);
    at += body.size();
    put_str(record, a->slug);
    put_str(record, a->title);
    put_str(record, a->unit);
    put_str(record, a->author);
    put_u64(record, static_cast<unsigned long long>(a->date.year));
    put_u64(record, static_cast<unsigned long long>(a->date.month));
    put_u64(record, static_cast<unsigned long long>(a->date.day));
    put_u64(record, a->tags.size());
    for (const auto& t : a->tags) put_str(record, t);
    put_str(record, a->summary);
    frame.clear();
    put_str(frame, record);
    put_u64(frame, cache_checksum64(record));
    ok = std::fwrite(frame.data(), 1, frame.size(), f) == frame.size();
  }
  // Notices and issues: no stamp, no body.
  for (const auto* d : documents) {
    const auto& [path, doc] = *d;
    if (!ok) break;
    record.clear();
    put_str(record, path);
    for (int i = 0; i < 4; ++i) put_u64(record, 0);
    put_str(record, doc.first);
    put_u64(record, at);
    put_u64(record, 0);
    put_u64(record, cache_checksum64(""));
    record += doc.second;
    frame.clear();
    put_str(frame, record);
    put_u64(frame, cache_checksum64(record));
    ok = std::fwrite(frame.data(), 1, frame.size(), f) == frame.size();
  }
  frame.clear();
  put_u64(frame, at);
  ok = ok && std::fwrite(frame.data(), 1, frame.size(), f) == frame.size();
  for (const auto& k : keep) ok = ok && std::fwrite(k.body.data(), 1, k.body.size(), f) == k.body.size();
  ok = std::fclose(f) == 0 && ok;
  // A whole file makes any delta stale (it names an older generation):
  // removed first, so none is left that a kill could pair with it.
  if (ok && !delta) std::remove((file_ + ".delta").c_str());
  if (!ok || std::rename(tmp.c_str(), target.c_str()) != 0) std::remove(tmp.c_str());
}

std::vector<Article> load_articles(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                                   Diagnostics& diags, ParseCache& cache, std::vector<std::string>& broken, int& files,
                                   int threads) {
  StageTimer timer;
  const std::string folder = "content/articles";
  std::string dir = join_path(root, folder);
  struct Item {
    std::string path;  // as shown in messages
    std::optional<DiskStamp> stamp;
    std::optional<std::string> text;
    std::string digest;
    std::optional<Article> article;
    Diagnostics diags;
    bool broken = false;
  };
  std::vector<ListProblem> problems;
  std::vector<Item> items;
  const std::vector<std::string> listing = fs.list(dir, &problems);
  for (const auto& rel : listing) {
    if (!rel.ends_with(".md")) continue;
    items.emplace_back().path = join_path(folder, rel);
  }
  // A file that is no symlink is outside the project only when its folder
  // is: ask once per folder (there are few), and for the file only then.
  std::map<std::string, std::string> folder_outside;  // folder -> why it is outside ("" inside)
  for (const auto& item : items) {
    std::string parent = parent_dir(join_path(root, item.path));
    if (!folder_outside.count(parent)) folder_outside.emplace(parent, fs.outside(root, parent));
  }
  timer.mark("    list");
  cache.reparse_from(root, config);
  // Stamp, then the cache by stamp, else read + digest and the cache by
  // digest, else parse: each file on its own, on the pool (only
  // cmark-gfm's inline pass is under its lock).
  std::vector<int> read(items.size(), 0);
  parallel_for(items.size(), worker_count(threads), [&](size_t k) {
    Item& item = items[k];
    std::string full = join_path(root, item.path);
    item.stamp = fs.stamp(full);
    std::string why;
    if (item.stamp && !item.stamp->symlink) {
      if (!folder_outside.at(parent_dir(full)).empty()) why = fs.outside(root, full);
    } else {
      why = fs.outside(root, full);
    }
    if (!why.empty()) {
      item.diags.error({item.path, 0, 0}, why);
      return;
    }
    if (item.stamp) item.article = cache.take_by_stamp(item.path, *item.stamp);
    if (item.article) {
      read[k] = 1;
      return;
    }
    item.text = fs.read(full);
    if (!item.text) {
      item.diags.error({item.path, 0, 0}, "cannot be read");
      return;
    }
    read[k] = 1;
    item.digest = cache_digest(*item.text);
    item.article = cache.take_by_digest(item.path, item.digest, item.stamp);
    if (item.article) {
      item.text.reset();
      return;
    }
    try {
      item.article = load_article(SourceFile{item.path, std::move(*item.text)}, config, item.diags);
    } catch (const Error& e) {
      item.diags.add(e.diagnostic());
    }
    item.text.reset();
    if (item.article) item.article->source_digest = item.digest;
    if (!item.article) {
      item.broken = true;
    } else if (item.diags.items().empty()) {
      cache.note(item.path, item.stamp, item.digest);
    }
  });
  timer.mark("    stamp+take");
  for (int r : read) files += r;
  // The folder beside each source, from the same (sorted) listing.
  auto resources_of = [&](const std::string& path) {
    std::vector<std::string> files;
    std::string dir = path.substr(folder.size() + 1, path.size() - folder.size() - 4) + "/";
    for (auto it = std::lower_bound(listing.begin(), listing.end(), dir); it != listing.end() && it->starts_with(dir);
         ++it)
      if (!it->ends_with(".md")) files.push_back(it->substr(dir.size()));
    return files;
  };
  std::vector<Article> out;
  out.reserve(items.size());
  for (auto& item : items) {
    diags.append(item.diags);
    if (item.article) item.article->resources = resources_of(item.path);
    if (item.article) out.push_back(std::move(*item.article));
    if (item.broken) broken.push_back(file_stem(item.path));
  }
  for (const auto& p : problems) diags.error({join_path(folder, p.path), 0, 0}, p.what);
  timer.mark("    collect");
  return out;
}

}  // namespace bulletin
