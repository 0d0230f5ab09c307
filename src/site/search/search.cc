#include "site/search/search.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "util/html.h"
#include "util/json_text.h"
#include "util/parallel.h"
#include "util/sha256.h"
#include "util/text.h"

extern char** environ;

namespace bulletin {
namespace fs = std::filesystem;
namespace {

// The indexer script, embedded at build time from src/site/search/search_index.mjs.
constexpr const char* kIndexerScript =
#include "search_index_script.inc"
    ;

// Changes when what a record sends to Pagefind changes, so old bundles are rebuilt.
constexpr const char* kRecordFormat = "bulletin-search-2";
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
    // A member's or unit's history is found by its name and rule; its rows
    // (one per period) are the period pages' content already.
    add_line(r.text,
             str(page, "entity") + (r.organ.empty() ? "" : "（" + r.organ + "）") + "：" + str(page, "rule_title"));
  } else if (tmpl == "home" || tmpl == "articles" || tmpl == "notices" || tmpl == "bulletins" || tmpl == "series" ||
             tmpl == "rankings" || tmpl == "ranking_rule") {
    // Site pages: found by their name and description only, so that adding a
    // document does not change them (their lists are in the documents' shards).
    r.type = "栏目";
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

namespace {

// The section of a record: its URL's first segment, with the series or rule
// for bulletins and rankings ("rankings/xxqg-units").
std::string section_of(const std::string& url) {
  std::vector<std::string> parts;
  std::stringstream ss(url);
  for (std::string p; std::getline(ss, p, '/');)
    if (!p.empty()) parts.push_back(p);
  if (parts.empty()) return "site";
  if ((parts[0] == "bulletins" || parts[0] == "rankings") && parts.size() > 1) return parts[0] + "/" + parts[1];
  return parts[0];
}

}  // namespace

void assign_shards(std::vector<SearchRecord>& records, const ShardSizes& sizes) {
  size_t documents = 0;
  for (const auto& r : records) documents += r.type != "栏目";
  std::map<std::string, size_t> per_year, per_section;
  for (const auto& r : records) {
    if (r.type == "栏目") continue;
    std::string year = r.year.empty() ? "undated" : r.year;
    ++per_year[year];
    ++per_section[year + "/" + section_of(r.url)];
  }
  for (auto& r : records) {
    if (r.type == "栏目" || documents <= sizes.whole_site) {
      r.shard.clear();  // the primary bundle
      continue;
    }
    std::string year = r.year.empty() ? "undated" : r.year;
    std::string section = year + "/" + section_of(r.url);
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

std::optional<std::string> find_pagefind(const std::string& project_root) {
  std::error_code ec;
  fs::path local = fs::path(project_root) / "node_modules/pagefind/lib/index.js";
  if (fs::exists(local, ec)) return fs::absolute(local, ec).lexically_normal().string();
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / "pagefind";
    if (access(candidate.c_str(), X_OK) != 0) continue;
    // npm links .bin/pagefind to pagefind/lib/runner/bin.cjs.
    fs::path real = fs::canonical(candidate, ec);
    if (ec) continue;
    fs::path lib = real.parent_path().parent_path() / "index.js";
    if (real.filename() == "bin.cjs" && fs::exists(lib, ec)) return lib.string();
  }
  return std::nullopt;
}

namespace {

std::optional<std::string> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<SearchTools> find_search_tools(const std::string& project_root, std::string& why) {
  auto pagefind = find_pagefind(project_root);
  if (!pagefind) {
    why = "Pagefind is not installed (run `npm ci` in the project folder)";
    return std::nullopt;
  }
  auto node = find_on_path("node");
  if (!node) {
    why = "Pagefind needs Node.js, which is not on the PATH (apt-get install nodejs)";
    return std::nullopt;
  }
  return SearchTools{*pagefind, *node};
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

// What the indexer is given for one record, appended to `out` as a JSON
// object (it writes a small HTML page of it, so that Pagefind weighs the
// title above the body). Written by hand: building a PageData of 10,000
// records only to print it cost more than the rest of a no-op's search step.
void append_record(std::string& out, const SearchRecord& r) {
  out += "{\"url\":";
  append_json_string(out, r.url);
  out += ",\"title\":";
  append_json_string(out, r.title);
  out += ",\"type\":";
  append_json_string(out, r.type);
  for (auto [key, value] :
       {std::pair{"number", &r.number}, {"date", &r.date}, {"organ", &r.organ}, {"year", &r.year}}) {
    if (value->empty()) continue;
    out += ",\"";
    out += key;
    out += "\":";
    append_json_string(out, *value);
  }
  out += ",\"sort\":";
  append_json_string(out, r.date_iso.empty() ? r.year : r.date_iso);
  out += ",\"text\":";
  append_json_string(out, r.text);
  out += '}';
}

struct Shard {
  std::string key, folder;
  size_t first = 0, count = 0;      // records[first, first + count)
  std::string digest{}, records{};  // records: the JSON array sent to Pagefind (dirty shards only)
  bool dirty = false;
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

// The files of a bundle, relative to it, sorted: from the listing written
// when it was indexed, else (a cache of an older bulletin) by walking it.
std::vector<std::string> bundle_files(const fs::path& shard_dir) {
  std::vector<std::string> files;
  std::ifstream listing(shard_dir / "files");
  for (std::string line; std::getline(listing, line);)
    if (!line.empty()) files.push_back(line);
  if (!files.empty()) return files;
  std::error_code ec;
  fs::path bundle = shard_dir / "bundle";
  std::string prefix = bundle.string() + "/";
  for (auto it = fs::recursive_directory_iterator(bundle, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path().string().substr(prefix.size()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

// The indexer, started on the shards that changed, while the pages are built.
struct PendingSearchIndex {
  SearchIndex result;  // set early when nothing is to be done or starting failed
  bool failed = false;
  fs::path cache;
  int lock_fd = -1;
  std::vector<Shard> shards;
  size_t records = 0, dirty_records = 0;
  int dirty = 0;
  TempFolder tmp;
  std::string node;  // for the failure message
  std::string pagefind;
  pid_t pid = -1;
  int pipe_fd = -1;

  // Waits for the indexer; its stdout and stderr (Pagefind's too) come back
  // through the pipe, so no log file is left anywhere.
  bool wait(std::string& output) {
    char buf[4096];
    for (ssize_t n; (n = read(pipe_fd, buf, sizeof buf)) != 0;) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      output.append(buf, static_cast<size_t>(n));
    }
    close(pipe_fd);
    pipe_fd = -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  ~PendingSearchIndex() {
    if (pid > 0) {  // the build failed before finish: stop the indexer
      kill(pid, SIGTERM);
      std::string ignored;
      wait(ignored);
    }
    if (pipe_fd >= 0) close(pipe_fd);
    tmp = TempFolder();
    if (lock_fd >= 0) close(lock_fd);
  }
};

namespace {

// Starts the indexer on `job`; false with `why` set when it cannot be run.
bool spawn_indexer(PendingSearchIndex& p, const std::string& job, std::string& why) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    why = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  std::vector<std::string> args = {p.node, "--input-type=module", "-e", kIndexerScript, job};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  int rc = posix_spawn(&p.pid, p.node.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    p.pid = -1;
    why = "cannot run " + p.node + ": " + std::strerror(rc);
    return false;
  }
  p.pipe_fd = fds[0];
  return true;
}

}  // namespace

void PendingSearchIndexDeleter::operator()(PendingSearchIndex* p) const { delete p; }

PendingSearch start_search_index(const SearchTools& tools, const std::string& cache_dir,
                                 std::vector<SearchRecord> records, const ShardSizes& sizes) {
  PendingSearch pending(new PendingSearchIndex);
  PendingSearchIndex& p = *pending;
  auto fail = [&](std::string message) {
    p.failed = true;
    p.result.message = std::move(message);
    return std::move(pending);
  };
  p.node = tools.node;
  p.pagefind = tools.pagefind;
  p.records = records.size();
  // Attachment pages take the date and organ of their notice.
  std::map<std::string, const SearchRecord*> by_url;
  for (const auto& r : records) by_url[r.url] = &r;
  for (auto& r : records) {
    if (r.type != "通知" || !r.organ.empty()) continue;
    std::string parent = r.url;
    while (!parent.empty() && parent.back() == '/') parent.pop_back();
    parent = parent.substr(0, parent.rfind('/') + 1);
    auto it = by_url.find(parent);
    if (it == by_url.end() || it->second == &r) continue;
    r.organ = it->second->organ;
    r.date = it->second->date;
    r.date_iso = it->second->date_iso;
    r.year = it->second->year;
  }
  assign_shards(records, sizes);
  std::sort(records.begin(), records.end(), [](const SearchRecord& a, const SearchRecord& b) {
    return std::tie(a.shard, a.url) < std::tie(b.shard, b.url);
  });

  p.cache = fs::path(cache_dir);
  std::error_code ec;
  fs::create_directories(p.cache, ec);
  if (ec) return fail("search index failed: cannot create " + cache_dir + ": " + ec.message());
  // Two builds of one project (a test run, `serve` beside `build`) take turns.
  p.lock_fd = open((p.cache / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (p.lock_fd >= 0) flock(p.lock_fd, LOCK_EX);
  std::string version = read_file(fs::path(tools.pagefind).parent_path().parent_path() / "package.json");
  std::string salt = std::string(kRecordFormat) + "\n" + sha256(version) + "\n" + sha256(kIndexerScript) + "\n";

  // The primary bundle always exists, so the search page has a loader.
  p.shards.push_back({"", kPrimaryFolder});
  for (size_t i = 0; i < records.size();) {
    size_t j = i;
    while (j < records.size() && records[j].shard == records[i].shard) ++j;
    if (!records[i].shard.empty()) p.shards.push_back({records[i].shard, shard_folder(records[i].shard)});
    Shard& s = records[i].shard.empty() ? p.shards.front() : p.shards.back();
    s.first = i;
    s.count = j - i;
    i = j;
  }
  std::set<std::string> folders;
  for (const auto& s : p.shards)
    if (!folders.insert(s.folder).second) return fail("search index failed: two shards share the folder " + s.folder);
  // Each shard's records as JSON, and their digest (on both cores: this runs
  // on every build).
  parallel_for(p.shards.size(), worker_count(0), [&](size_t k) {
    Shard& s = p.shards[k];
    std::string json = "[";
    for (size_t i = s.first; i < s.first + s.count; ++i) {
      if (i > s.first) json += ',';
      append_record(json, records[i]);
    }
    json += ']';
    s.digest = sha256(salt + json);
    std::error_code e;
    fs::path dir = p.cache / s.folder;
    s.dirty = read_file(dir / "digest") != s.digest || !fs::exists(dir / "bundle/pagefind-entry.json", e);
    if (s.dirty) s.records = std::move(json);
  });
  for (const auto& s : p.shards) {
    if (!s.dirty) continue;
    ++p.dirty;
    p.dirty_records += s.count;
  }
  // Bundles of shards that no longer exist.
  for (const auto& entry : fs::directory_iterator(p.cache, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(".") && !folders.count(name)) fs::remove_all(entry.path(), ec);
  }
  if (!p.dirty) return pending;

  p.tmp = TempFolder(p.cache);
  if (p.tmp.path.empty())
    return fail("search index failed: cannot create a folder in " + cache_dir + ": " + std::strerror(errno));
  fs::path job = fs::path(p.tmp.path) / "job.jsonl";
  std::string lines = PageData({{"pagefind", tools.pagefind},
                                {"backends", std::max(1u, std::min(2u, std::thread::hardware_concurrency()))}})
                          .dump() +
                      "\n";
  for (auto& s : p.shards) {
    if (!s.dirty) continue;
    std::string outdir = (fs::path(p.tmp.path) / s.folder / "bundle").string();
    lines += "{\"out\":" + PageData(outdir).dump() + ",\"primary\":" + (s.key.empty() ? "true" : "false") +
             ",\"records\":" + s.records + "}\n";
    s.records.clear();
    s.records.shrink_to_fit();
  }
  if (!write_file(job, lines)) return fail("search index failed: cannot write " + job.string());
  std::string why;
  if (!spawn_indexer(p, job.string(), why)) return fail("search index failed: " + why);
  return pending;
}

SearchIndex finish_search_index(PendingSearchIndex& p, OutputWriter& out) {
  if (p.failed) return p.result;
  SearchIndex result;
  std::error_code ec;
  if (p.pid > 0) {
    std::string output;
    if (!p.wait(output)) {
      result.message = "search index failed (Pagefind " + p.pagefind + "); the site is built without it:\n" + output;
      return result;
    }
    // Swap each new bundle in; an unchanged shard's folder is never touched.
    for (const auto& s : p.shards) {
      if (!s.dirty) continue;
      fs::path fresh = fs::path(p.tmp.path) / s.folder;
      fs::path dest = p.cache / s.folder;
      std::vector<std::string> files = bundle_files(fresh);
      std::string listing;
      for (const auto& f : files) listing += f + "\n";
      if (files.empty() || !write_file(fresh / "files", listing) || !write_file(fresh / "digest", s.digest)) {
        result.message = "search index failed: cannot write the bundle listing and digest in " + fresh.string();
        return result;
      }
      fs::remove_all(dest, ec);
      fs::rename(fresh, dest, ec);
      if (ec) {
        result.message = "search index failed: cannot move the bundle into " + dest.string() + ": " + ec.message();
        return result;
      }
    }
  }

  std::string merged;
  for (const auto& s : p.shards) {
    fs::path dir = p.cache / s.folder;
    std::string bundle = (dir / "bundle").string() + "/";
    std::string prefix = s.key.empty() ? "pagefind/" : "pagefind/shards/" + s.folder + "/";
    if (!s.key.empty()) merged += (merged.empty() ? "" : ",") + PageData("shards/" + s.folder + "/").dump();
    for (const auto& f : bundle_files(dir)) out.copy(prefix + f, bundle + f);
  }
  out.write("pagefind/bundles.json", "{\"bundles\":[" + merged + "]}\n");
  result.built = true;
  result.shards = static_cast<int>(p.shards.size());
  result.reindexed = p.dirty;
  result.message = "search index: " + std::to_string(p.records) + " pages in " + std::to_string(p.shards.size()) +
                   " shards; " +
                   (p.dirty ? std::to_string(p.dirty) + " re-indexed (" + std::to_string(p.dirty_records) + " pages)"
                            : "none changed, nothing re-indexed");
  return result;
}

SearchIndex build_search_index(const SearchTools& tools, const std::string& cache_dir,
                               std::vector<SearchRecord> records, OutputWriter& out, const ShardSizes& sizes) {
  auto pending = start_search_index(tools, cache_dir, std::move(records), sizes);
  return finish_search_index(*pending, out);
}

}  // namespace bulletin
