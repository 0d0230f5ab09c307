#include "site/search/search.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "site/search/search_index.h"
#include "util/fs.h"
#include "util/html.h"
#include "util/json_text.h"
#include "util/parallel.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/timing.h"

namespace bulletin {
namespace fs = std::filesystem;
namespace {

// Changes when what a record holds changes, so old shards are rewritten.
constexpr const char* kRecordFormat = "bulletin-search-4";
constexpr const char* kPrimaryFolder = "_site";

std::string str(const PageData& page, const char* key) {
  auto it = page.find(key);
  return it != page.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void add_line(std::string& text, const std::string& line) {
  std::string t = trim(line);
  if (t.empty()) return;
  if (!text.empty()) text += '\n';
  text += t;
}

// HTML to searchable text: block elements end a line; a table row becomes one
// line of its cells joined by "，" and ended by "。", so an excerpt reads as a
// sentence instead of cells run together; scripts, styles and SVG are dropped.
std::string html_text(std::string_view html) {
  std::string out, line;
  bool row_has_cell = false;
  auto end_line = [&] {
    add_line(out, line);
    line.clear();
  };
  for (size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      std::string_view tag = html.substr(i + 1, end - i - 1);
      auto is = [&](std::string_view name) {
        return tag.starts_with(name) &&
               (tag.size() == name.size() || !std::isalnum(static_cast<unsigned char>(tag[name.size()])));
      };
      i = end + 1;
      for (std::string_view skip : {"script", "style", "svg"}) {
        if (is(skip)) {
          size_t close = html.find(std::string("</") + std::string(skip), i);
          i = close == std::string_view::npos ? html.size() : html.find('>', close) + 1;
        }
      }
      if (is("td") || is("th")) {
        if (row_has_cell) line += "，";
        row_has_cell = true;
      } else if (is("/tr")) {
        if (row_has_cell) line += "。";
        row_has_cell = false;
        end_line();
      } else if (is("/p") || is("br") || is("br/") || is("/li") || is("/div") || is("/h1") || is("/h2") || is("/h3") ||
                 is("/h4") || is("/h5") || is("/h6") || is("/blockquote") || is("/caption") || is("/dt") || is("/dd")) {
        end_line();
      }
      continue;
    }
    if (size_t n = decode_entity(html, i, line, Nbsp::AsSpace)) {
      i += n;
      continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      line += ' ';
      ++i;
      continue;
    }
    line += c;
    ++i;
  }
  end_line();
  return out;
}

std::string strings(const PageData& list, const char* sep = "\n") {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& s : list)
    if (s.is_string()) out += (out.empty() ? "" : sep) + s.get<std::string>();
  return out;
}

// A ranking table's rows as sentences: "3．中共复旦大学委员会：日人均参与度 95.2%，…。"
void ranking_text(std::string& text, const PageData& ranking) {
  if (!ranking.is_object()) return;
  std::vector<std::string> labels;
  if (ranking.contains("columns"))
    for (const auto& c : ranking["columns"]) labels.push_back(str(c, "label"));
  std::string rank_label = str(ranking, "rank_label");
  if (ranking.contains("tables")) {
    for (const auto& t : ranking["tables"]) {
      add_line(text, str(t, "group"));
      if (!t.contains("rows")) continue;
      for (const auto& row : t["rows"]) {
        std::string line = str(row, "entity");
        std::string group = str(row, "group");
        if (!group.empty()) line += "（" + group + "）";
        line += "：" + (rank_label.empty() ? std::string("名次") : rank_label) + " " + str(row, "rank");
        size_t k = 0;
        if (row.contains("metrics"))
          for (const auto& m : row["metrics"]) {
            line += "，" + (k < labels.size() ? labels[k] + " " : "") + str(m, "text");
            ++k;
          }
        add_line(text, line + "。");
      }
    }
  }
  if (ranking.contains("lists")) {
    for (const auto& l : ranking["lists"]) {
      std::string line = str(l, "label") + "：";
      bool first = true;
      for (const auto& p : l["parts"]) {
        for (const auto& item : p["items"]) {
          line += (first ? "" : "、") + str(item, "name");
          first = false;
        }
      }
      if (!first) add_line(text, line + "。");
    }
  }
  if (ranking.contains("groups") && ranking["groups"].is_object()) {
    const auto& g = ranking["groups"];
    for (const auto& row : g["rows"])
      add_line(text, str(row, "group") + "：" + str(g, "rank_label") + " " + str(row, "rank") + "。");
  }
}

std::string year_of(const std::string& iso) {
  return iso.size() >= 4 && std::all_of(iso.begin(), iso.begin() + 4, ::isdigit) ? iso.substr(0, 4) : "";
}

}  // namespace

std::optional<SearchRecord> search_record(const std::string& tmpl, const PageData& page) {
  if (!page.is_object() || page.contains("superseded")) return std::nullopt;
  SearchRecord r;
  r.url = str(page, "url");
  r.title = str(page, "title");
  r.date = str(page, "date");
  r.date_iso = str(page, "date_iso");
  if (tmpl == "article") {
    r.type = "经验交流";
    r.organ = str(page, "unit");
    add_line(r.text, str(page, "summary"));
    add_line(r.text, html_text(str(page, "body")));
    add_line(r.text, strings(page.value("tags", PageData::array()), "、"));
  } else if (tmpl == "notice") {
    r.type = "通知";
    r.number = str(page, "doc_no");
    r.organ = str(page, "issuer");
    add_line(r.text, str(page, "recipients"));
    add_line(r.text, html_text(str(page, "body")));
    if (page.contains("attachments"))
      for (const auto& a : page["attachments"]) add_line(r.text, str(a, "label") + "：" + str(a, "title"));
    add_line(r.text, strings(page.value("signature", PageData::array())));
    if (page.contains("enclosure") && page["enclosure"].is_object()) {
      const auto& e = page["enclosure"];
      add_line(r.text, str(e, "title"));
      add_line(r.text, html_text(str(e, "body")));
      add_line(r.text, strings(e.value("signature", PageData::array())));
    }
    add_line(r.text, str(page, "cc"));
  } else if (tmpl == "attachment") {
    r.type = "通知";
    const PageData& notice = page.contains("notice") ? page["notice"] : page;
    std::string doc_no = str(notice, "doc_no");
    r.number = str(page, "label") + (doc_no.empty() ? "" : "（" + doc_no + "）");
    add_line(r.text, "《" + str(notice, "title") + "》" + str(page, "label"));
    add_line(r.text, html_text(str(page, "body")));
  } else if (tmpl == "issue") {
    r.type = "简报";
    r.number = str(page, "series_name") + " " + str(page, "number_text");
    r.organ = str(page, "editor");
    add_line(r.text, html_text(str(page, "intro")));
    if (page.contains("sections")) {
      for (const auto& s : page["sections"]) {
        add_line(r.text, str(s, "number") + str(s, "heading"));
        add_line(r.text, html_text(str(s, "body")));
        for (const auto& a : s["articles"]) {
          add_line(r.text, str(a, "title") + (str(a, "unit").empty() ? "" : "（" + str(a, "unit") + "）"));
          add_line(r.text, html_text(str(a, "body")));
        }
        if (s.contains("ranking")) ranking_text(r.text, s["ranking"]);
      }
    }
    if (page.contains("distribution"))
      for (const auto& d : page["distribution"]) add_line(r.text, str(d, "label") + "：" + str(d, "recipients"));
  } else if (tmpl == "ranking") {
    r.type = "排名";
    r.title = str(page, "page_title");
    r.number = str(page, "period_label");
    r.date = str(page, "period_range");
    r.year = year_of(str(page, "period_id"));
    add_line(r.text, str(page, "description"));
    ranking_text(r.text, page.value("ranking", PageData::object()));
  } else if (tmpl == "ranking_entity") {
    r.type = "排名";
    r.title = str(page, "page_title");
    r.organ = str(page, "group");
    r.weight = 30;
    // A member's or unit's history is found by its name and rule; its rows
    // (one per period) are the period pages' content already.
    add_line(r.text,
             str(page, "entity") + (r.organ.empty() ? "" : "（" + r.organ + "）") + "：" + str(page, "rule_title"));
  } else if (tmpl == "home" || tmpl == "articles" || tmpl == "notices" || tmpl == "bulletins" || tmpl == "series" ||
             tmpl == "rankings" || tmpl == "ranking_rule") {
    // Site pages: found by their name and description only, so that adding a
    // document does not change them (their lists are in the documents' shards).
    r.type = "栏目";
    r.weight = 50;
    r.title = str(page, "page_title");
    if (r.title.empty()) r.title = str(page, "rule_title");
    r.date.clear();
    r.date_iso.clear();
    add_line(r.text, str(page, "description"));
  } else {
    return std::nullopt;
  }
  if (r.title.empty()) r.title = str(page, "page_title");
  if (r.year.empty()) r.year = year_of(r.date_iso);
  return r;
}

SearchRecord article_search_record(const Article& a) {
  SearchRecord r;
  r.url = a.url();
  r.article = &a;
  return r;
}

namespace {

// The fields of an article's record that shards are made by (cheap).
void fill_article_meta(SearchRecord& r) {
  const Article& a = *r.article;
  r.type = "经验交流";
  r.title = a.title;
  r.organ = a.unit;
  r.date = a.date.official();
  r.date_iso = a.date.iso();
  r.year = year_of(r.date_iso);
}

// Its text (HTML to text: made only for the shards that are written).
void fill_article_text(SearchRecord& r) {
  const Article& a = *r.article;
  add_line(r.text, a.summary);
  add_line(r.text, html_text(a.body_html.str()));
  std::string tags;
  for (const auto& t : a.tags) tags += (tags.empty() ? "" : "、") + t;
  add_line(r.text, tags);
  r.article = nullptr;
}

// The section of a record: its URL's first segment, with the series or rule
// for bulletins and rankings ("rankings/xxqg-units").
std::string section_of(std::string_view url) {
  std::vector<std::string_view> parts;
  for (size_t at = 0; at < url.size() && parts.size() < 2;) {
    size_t slash = url.find('/', at);
    if (slash == std::string_view::npos) slash = url.size();
    if (slash > at) parts.push_back(url.substr(at, slash - at));
    at = slash + 1;
  }
  if (parts.empty()) return "site";
  if ((parts[0] == "bulletins" || parts[0] == "rankings") && parts.size() > 1)
    return std::string(parts[0]) + "/" + std::string(parts[1]);
  return std::string(parts[0]);
}

}  // namespace

void assign_shards(std::vector<SearchRecord>& records, const ShardSizes& sizes) {
  size_t documents = 0;
  for (const auto& r : records) documents += r.type != "栏目";
  std::map<std::string, size_t> per_year, per_section;
  std::vector<std::string> sections(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.type == "栏目") continue;
    std::string year = r.year.empty() ? "undated" : r.year;
    sections[i] = year + "/" + section_of(r.url);
    ++per_year[year];
    ++per_section[sections[i]];
  }
  for (size_t i = 0; i < records.size(); ++i) {
    auto& r = records[i];
    if (r.type == "栏目" || documents <= sizes.whole_site) {
      r.shard.clear();  // the primary bundle
      continue;
    }
    std::string year = r.year.empty() ? "undated" : r.year;
    const std::string& section = sections[i];
    if (per_year[year] <= sizes.shard) {
      r.shard = year;
    } else if (per_section[section] <= sizes.shard || r.date_iso.size() < 7) {
      r.shard = section;
    } else {
      r.shard = section + "/" + r.date_iso.substr(5, 2);
    }
  }
}

std::string shard_folder(const std::string& shard) {
  if (shard.empty()) return kPrimaryFolder;
  std::string out;
  bool lossy = false;
  for (char c : shard) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      out += c;
    } else if (c == '/' || c == '_') {
      out += '-';
    } else {
      lossy = true;
    }
  }
  while (out.find("--") != std::string::npos) out.replace(out.find("--"), 2, "-");
  if (lossy || out.empty() || out[0] == '-') out += "-" + sha256(shard).substr(7, 8);
  return out;
}

std::optional<SearchTools> find_search_tools(const std::string&, std::string&) {
  // The index is written by bulletin itself: nothing to find.
  return SearchTools{};
}

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

bool write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return static_cast<bool>(out);
}

// What the digest of a shard covers for one record: every field the index
// and its fragments are made of, each as its length and bytes (no escaping
// to do: this runs over every record on every build).
void append_field(std::string& out, std::string_view v) {
  char len[24];
  int n = std::snprintf(len, sizeof len, "%zu:", v.size());
  out.append(len, static_cast<size_t>(n));
  out.append(v);
}

void append_record(std::string& out, const SearchRecord& r) {
  for (const std::string* v : {&r.url, &r.title, &r.type, &r.number, &r.date, &r.date_iso, &r.organ, &r.year, &r.text})
    append_field(out, *v);
  out += std::to_string(r.weight);
  if (const Article* a = r.article) {  // its text is not made yet: what it is made from
    if (!a->source_digest.empty()) {  // (the binary is in the salt) its body is not read
      out += "s";
      append_field(out, a->source_digest);
      return;
    }
    out += "a";
    append_field(out, a->summary);
    append_field(out, a->body_html.str());
    out += std::to_string(a->tags.size());
    for (const auto& t : a->tags) append_field(out, t);
  }
  out += '\n';
}

struct Shard {
  std::string key, folder;
  size_t first = 0, count = 0;  // records[first, first + count)
  std::string digest{};
  bool dirty = false;
  ShardSummary summary{};
};

// A folder made with mkdtemp inside the cache, removed when done.
struct TempFolder {
  std::string path;
  explicit TempFolder(const fs::path& parent) {
    std::string pattern = (parent / ".build-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path = buf.data();
  }
  TempFolder() = default;
  TempFolder(TempFolder&& o) noexcept : path(std::exchange(o.path, {})) {}
  TempFolder& operator=(TempFolder&& o) noexcept {
    std::swap(path, o.path);
    return *this;
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// "docs length buckets", as kept beside a cached shard for the manifest.
bool read_summary(const fs::path& dir, ShardSummary& s) {
  std::stringstream in(read_file(dir / "summary"));
  return static_cast<bool>(in >> s.docs >> s.length >> s.buckets);
}

// Writes one shard's files into `dir`/bundle, with its listing, summary and
// digest; false with `why` set on failure. A file with the same bytes as in
// `old_bundle` (the shard's cached files) is that file, linked (same inode),
// so the site keeps it too.
bool write_shard(std::vector<SearchRecord>& records, Shard& s, const fs::path& dir, const fs::path& old_bundle,
                 std::string& why) {
  for (size_t i = s.first; i < s.first + s.count; ++i)
    if (records[i].article) fill_article_text(records[i]);
  ShardFiles files = write_search_shard(records, s.first, s.count);
  std::error_code ec;
  fs::path bundle = dir / "bundle";
  fs::create_directories(bundle / "b", ec);
  fs::create_directories(bundle / "f", ec);
  if (ec) {
    why = "cannot create " + bundle.string() + ": " + ec.message();
    return false;
  }
  std::string listing;
  for (const auto& [rel, bytes] : files.files) {
    fs::path old_file = old_bundle / rel;
    std::error_code e1;
    if (fs::file_size(old_file, e1) == bytes.size() && !e1 && read_file(old_file) == bytes &&
        ::link(old_file.c_str(), (bundle / rel).c_str()) == 0) {
      listing += rel + "\n";
      continue;
    }
    if (!write_file(bundle / rel, bytes)) {
      why = "cannot write " + (bundle / rel).string() + ": " + std::strerror(errno);
      return false;
    }
    listing += rel + "\n";
  }
  s.summary.docs = files.docs;
  s.summary.length = files.length;
  s.summary.buckets = files.buckets;
  std::string summary =
      std::to_string(files.docs) + " " + std::to_string(files.length) + " " + std::to_string(files.buckets) + "\n";
  if (!write_file(dir / "files", listing) || !write_file(dir / "summary", summary) ||
      !write_file(dir / "digest", s.digest)) {
    why = "cannot write the listing and digest in " + dir.string();
    return false;
  }
  return true;
}

}  // namespace

// The shards that changed, written on background threads while the pages are built.
struct PendingSearchIndex {
  SearchIndex result;  // set early when starting failed
  bool failed = false;
  fs::path cache;
  int lock_fd = -1;
  std::vector<SearchRecord> records;
  std::vector<Shard> shards;
  std::vector<size_t> dirty_shards;
  size_t dirty_records = 0;
  TempFolder tmp;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::string error;  // the first failure
  std::vector<std::thread> workers;

  void work() {
    for (size_t k; !stop && (k = next++) < dirty_shards.size();) {
      Shard& s = shards[dirty_shards[k]];
      std::string why;
      if (!write_shard(records, s, fs::path(tmp.path) / s.folder, cache / s.folder / "bundle", why)) {
        std::lock_guard lock(mutex);
        if (error.empty()) error = why;
        stop = true;
      }
    }
  }
  void join() {
    for (auto& t : workers)
      if (t.joinable()) t.join();
    workers.clear();
  }
  ~PendingSearchIndex() {
    stop = true;  // the build failed before finish: the cache stays as it was
    join();
    tmp = TempFolder();
    if (lock_fd >= 0) close(lock_fd);
  }
};

void PendingSearchIndexDeleter::operator()(PendingSearchIndex* p) const { delete p; }

PendingSearch start_search_index(const SearchTools&, const std::string& cache_dir, std::vector<SearchRecord> records,
                                 const ShardSizes& sizes, std::string_view inputs) {
  PendingSearch pending(new PendingSearchIndex);
  PendingSearchIndex& p = *pending;
  auto fail = [&](std::string message) {
    p.failed = true;
    p.result.message = std::move(message);
    return std::move(pending);
  };
  StageTimer timer;
  for (auto& r : records)
    if (r.article) fill_article_meta(r);
  timer.mark("  search meta");
  // Attachment pages take the date and organ of their notice.
  // (The table only when some record needs it: a big archive of articles has none.)
  std::unordered_map<std::string_view, const SearchRecord*> by_url;
  if (std::any_of(records.begin(), records.end(), [](const SearchRecord& r) { return r.type == "通知" && r.organ.empty(); }))
    for (const auto& r : records) by_url[r.url] = &r;
  for (auto& r : records) {
    if (r.type != "通知" || !r.organ.empty()) continue;
    std::string parent = r.url;
    while (!parent.empty() && parent.back() == '/') parent.pop_back();
    parent = parent.substr(0, parent.rfind('/') + 1);
    auto it = by_url.find(std::string_view(parent));
    if (it == by_url.end() || it->second == &r) continue;
    r.organ = it->second->organ;
    r.date = it->second->date;
    r.date_iso = it->second->date_iso;
    r.year = it->second->year;
  }
  timer.mark("  search organs");
  assign_shards(records, sizes);
  timer.mark("  search shards");
  {
    // Sorted by shard and URL (through an index: a record is big to move).
    std::vector<size_t> order(records.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::tie(records[a].shard, records[a].url) < std::tie(records[b].shard, records[b].url);
    });
    p.records.reserve(records.size());
    for (size_t i : order) p.records.push_back(std::move(records[i]));
    records.clear();
  }
  timer.mark("  search sort");
  const auto& recs = p.records;

  p.cache = fs::path(cache_dir);
  std::error_code ec;
  fs::create_directories(p.cache, ec);
  if (ec) return fail("search index failed: cannot create " + cache_dir + ": " + ec.message());
  // Two builds of one project (a test run, `serve` beside `build`) take turns.
  p.lock_fd = open((p.cache / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (p.lock_fd >= 0) flock(p.lock_fd, LOCK_EX);
  std::string salt = std::string(kRecordFormat) + "\n" + kSearchIndexFormat + "\n" + binary_identity() + "\n";
  append_field(salt, inputs);
  salt += '\n';

  // The primary shard (site pages, or the whole of a small site) always exists.
  p.shards.push_back({"", kPrimaryFolder});
  for (size_t i = 0; i < recs.size();) {
    size_t j = i;
    while (j < recs.size() && recs[j].shard == recs[i].shard) ++j;
    if (!recs[i].shard.empty()) p.shards.push_back({recs[i].shard, shard_folder(recs[i].shard)});
    Shard& s = recs[i].shard.empty() ? p.shards.front() : p.shards.back();
    s.first = i;
    s.count = j - i;
    i = j;
  }
  std::set<std::string> folders;
  for (const auto& s : p.shards)
    if (!folders.insert(s.folder).second) return fail("search index failed: two shards share the folder " + s.folder);
  // Each shard's digest (on both cores: this runs on every build).
  parallel_for(p.shards.size(), worker_count(0), [&](size_t k) {
    Shard& s = p.shards[k];
    std::string json = salt;
    for (size_t i = s.first; i < s.first + s.count; ++i) append_record(json, recs[i]);
    // A 64-bit hash (libstdc++'s, several times faster than SHA-256 on the
    // ~60 MB a 10k archive hashes on every build) with the length: it only
    // has to notice that a shard changed; a different hash after a compiler
    // upgrade only re-indexes once.
    char hex[40];
    std::snprintf(hex, sizeof hex, "%016zx-%zx", std::hash<std::string_view>{}(json), json.size());
    s.digest = hex;
    fs::path dir = p.cache / s.folder;
    s.summary.folder = s.folder;
    s.dirty = read_file(dir / "digest") != s.digest || !read_summary(dir, s.summary);
  });
  timer.mark("  search digest");
  StageTimer t2;
  for (size_t k = 0; k < p.shards.size(); ++k) {
    if (!p.shards[k].dirty) continue;
    p.dirty_shards.push_back(k);
    p.dirty_records += p.shards[k].count;
  }
  // Shards that no longer exist.
  for (const auto& entry : fs::directory_iterator(p.cache, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(".") && !folders.count(name)) fs::remove_all(entry.path(), ec);
  }
  t2.mark("  search clean");
  if (p.dirty_shards.empty()) return pending;

  p.tmp = TempFolder(p.cache);
  if (p.tmp.path.empty())
    return fail("search index failed: cannot create a folder in " + cache_dir + ": " + std::strerror(errno));
  // Biggest shards first, so the threads finish at about the same time.
  std::stable_sort(p.dirty_shards.begin(), p.dirty_shards.end(),
                   [&](size_t a, size_t b) { return p.shards[a].count > p.shards[b].count; });
  size_t threads =
      std::min<size_t>(p.dirty_shards.size(), std::max(1u, std::min(2u, std::thread::hardware_concurrency())));
  for (size_t t = 0; t < threads; ++t) p.workers.emplace_back([&p] { p.work(); });
  return pending;
}

SearchIndex finish_search_index(PendingSearchIndex& p, OutputWriter& out) {
  if (p.failed) return p.result;
  SearchIndex result;
  std::error_code ec;
  StageTimer timer;
  p.join();
  timer.mark("search wait");
  if (!p.error.empty()) {
    result.message = "search index failed: " + p.error;
    return result;
  }
  // Swap each new shard in; an unchanged shard's folder is never touched.
  // (In a rewritten shard, a file with the same bytes as before is the old
  // file already: write_shard linked it.)
  for (size_t k : p.dirty_shards) {
    const Shard& s = p.shards[k];
    fs::path fresh = fs::path(p.tmp.path) / s.folder;
    fs::path dest = p.cache / s.folder;
    fs::remove_all(dest, ec);
    fs::rename(fresh, dest, ec);
    if (ec) {
      result.message = "search index failed: cannot move the shard into " + dest.string() + ": " + ec.message();
      return result;
    }
  }
  timer.mark("  search swap");
  std::vector<ShardSummary> summaries;
  for (const auto& s : p.shards) {
    fs::path dir = p.cache / s.folder;
    // An unchanged shard is kept as a whole folder (no look at each of its
    // files); a changed one is linked in and replaces the old folder at commit.
    std::string rel = "search/data/" + s.folder, digest = "search:" + s.digest;
    if (!out.keep_folder(rel, digest))
      out.copy_folder(rel, (dir / "bundle").string(), lines_of(read_file(dir / "files")), digest);
    summaries.push_back(s.summary);
  }
  timer.mark("  search keep");
  out.write("search/data/shards.json", search_manifest(summaries));
  timer.mark("search link");
  result.built = true;
  result.shards = static_cast<int>(p.shards.size());
  result.reindexed = static_cast<int>(p.dirty_shards.size());
  result.message = "search index: " + std::to_string(p.records.size()) + " pages in " +
                   std::to_string(p.shards.size()) + " shards; " +
                   (p.dirty_shards.empty() ? "none changed, nothing re-indexed"
                                           : std::to_string(p.dirty_shards.size()) + " re-indexed (" +
                                                 std::to_string(p.dirty_records) + " pages)");
  return result;
}

SearchIndex build_search_index(const SearchTools& tools, const std::string& cache_dir,
                               std::vector<SearchRecord> records, OutputWriter& out, const ShardSizes& sizes,
                               std::string_view inputs) {
  auto pending = start_search_index(tools, cache_dir, std::move(records), sizes, inputs);
  return finish_search_index(*pending, out);
}

}  // namespace bulletin
