// The parse cache: articles as loading made them (front matter read, Markdown
// rendered to HTML), kept between builds in
// <project>/.bulletin-cache/parse/articles.bin so that an unchanged article is
// not parsed again. An entry is used for the file at the same project path
// when its text has the same SHA-256 digest, or, without even reading the
// file, when its stamp (size, mtime in ns, inode) is the one recorded. A stamp
// is recorded only when the file was last modified well before loading began
// (as git does for "racily clean" files), so an edit made in the same clock
// tick as the read is still seen. The whole cache belongs to one bulletin
// version and one set of rendering options (`key`); a file made with another
// key, or that is truncated, is ignored whole; a record failing its checksum
// is a miss (parsed again), and the file is written again. An article's body
// (most of the file) is not copied when it is taken: it stays in the mapped
// file, checked by its own checksum when a page first reads it; a damaged one
// is parsed again from the source if that still has the recorded digest.
// Only articles that loaded without any diagnostic are cached, so a warning is
// reported on every build, not only the first. Notices and bulletin issues
// share the file (records of their own kind, no separate body): they are
// taken by digest only, of everything they are made from (a notice's file
// and resource folder, an issue's file and the declared series), so an edited
// attachment or series is seen; an issue holds its articles' slugs, not them.
// A build that changed few entries writes only those, to a delta file beside
// the cache (`articles.bin.delta`, the same format, naming the generation of
// the cache it applies to), so a one-article edit writes one record, not the
// whole archive's bodies; a delta that grows past a share of the cache, a
// removed document or a damaged record writes the whole file again (a new
// generation, which no older delta matches). Both are renamed in whole.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/documents.h"
#include "util/diagnostics.h"
#include "util/fs.h"

namespace bulletin {

class ParseCache {
 public:
  // `file`: the cache file (empty: a cache that reads and writes nothing).
  // `key`: everything besides a file's path and text its entries depend on.
  ParseCache(std::string file, std::string key);
  ~ParseCache();
  ParseCache(const ParseCache&) = delete;
  ParseCache& operator=(const ParseCache&) = delete;

  // Maps the cache file and reads its index (each record's path, stamp and
  // digest); a missing, foreign or cut-short file gives an empty cache. A
  // record's article is checked (its checksum) and decoded only when taken:
  // a damaged record is a miss, and the file is written again.
  void load();
  // The cached article for `path` when `stamp` is the recorded one, moved out
  // of the cache; nullopt otherwise. Thread-safe, like the calls below.
  std::optional<Article> take_by_stamp(const std::string& path, const DiskStamp& stamp);
  // The cached article for `path` when its text has this digest (the stamp
  // recorded becomes `stamp`); nullopt otherwise.
  std::optional<Article> take_by_digest(const std::string& path, const std::string& digest,
                                        const std::optional<DiskStamp>& stamp);
  // Records that `path` (with this stamp, taken before it was read, and
  // digest) loaded without any diagnostic, so its article may be cached.
  void note(const std::string& path, const std::optional<DiskStamp>& stamp, const std::string& digest);
  // The cached notice / issue for `path` when what it is made from has this
  // digest (see load_content); nullopt otherwise.
  std::optional<Notice> take_notice(const std::string& path, const std::string& digest);
  std::optional<BulletinIssue> take_issue(const std::string& path, const std::string& digest);
  // Records a notice / issue that loaded without any diagnostic.
  void note_notice(const Notice& n, const std::string& digest);
  void note_issue(const BulletinIssue& i, const std::string& digest);

  // Writes the cache file again (atomically) with the noted or taken entries
  // of `articles`, when anything changed since load(). Errors are ignored: the
  // cache is only an optimisation. `background`: in a detached process, so
  // the caller does not wait (the articles are that process's copy).
  void save(const std::vector<Article>& articles, bool background = false);

  // Where a taken article whose body fails its checksum when read is parsed
  // again from (its source, when it still has the recorded digest).
  void reparse_from(const std::string& root, const SiteConfig& config);

  // Ends the takes: entries left untaken (removed or failing articles) make
  // save() write the file again.
  void done_taking();

  int hits() const { return hits_; }
  // True when a file noted in this load was modified too recently for its
  // stamp to be trusted (then no record of the build's inputs can be either).
  bool saw_young_stamp() const { return young_; }

 private:
  struct Meta {
    DiskStamp stamp;
    bool stamped = false;
    std::string digest;
  };
  // A record of the mapped file (every view points into it).
  struct Slot {
    enum State { Untaken, Taken, Kept, Noted, Damaged, Superseded /* by the delta's record */ };
    std::string_view path, digest;
    DiskStamp stamp;
    bool stamped = false;
    std::string_view record;  // everything but the body
    unsigned long long sum = 0;
    std::string_view body;
    unsigned long long body_sum = 0;
    bool in_delta = false;
    std::atomic<int> state{Untaken};
  };
  struct Mapping;
  struct Reparse;
  struct CachedBody;
  std::optional<Article> decode(const Slot& slot) const;
  std::optional<std::string_view> payload(const Slot& slot, unsigned long long kind) const;
  template <class Doc>
  std::optional<Doc> take(const std::string& path, Slot::State kept, const std::function<bool(const Slot&)>& fits,
                          const std::function<std::optional<Doc>(const Slot&)>& decoded);
  std::optional<Article> take(const std::string& path, Slot::State kept, const std::function<bool(const Slot&)>& fits);
  template <class Doc>
  std::optional<Doc> take_document(const std::string& path, const std::string& digest, unsigned long long kind);
  void note_document(const std::string& path, const std::string& digest, unsigned long long kind, std::string_view doc);
  bool delta_will_do() const;
  bool in_cache_file(const std::string& path, const std::string& digest) const;
  void write(const std::vector<Article>& articles, bool delta) const;

  std::string file_, key_;
  long long started_ns_ = 0;            // wall clock when load() ran: stamps newer than this are not trusted
  std::shared_ptr<const Mapping> map_;  // the cache file, mapped (and kept by unread bodies)
  std::shared_ptr<const Mapping> delta_map_;  // its delta file, mapped, when it applies to it
  unsigned long long generation_ = 0;         // the cache file's
  size_t delta_count_ = 0;                    // slots_[0, delta_count_) are the delta's, the rest the cache file's
  std::unique_ptr<Slot[]> slots_;
  size_t slot_count_ = 0;
  std::unordered_map<std::string_view, Slot*> index_;  // by path; fixed once loaded
  std::shared_ptr<Reparse> reparse_;
  std::map<std::string, Meta> noted_;  // parsed, or taken with a new stamp, in this load
  // Notices and issues parsed or taken in this load: path -> digest and record.
  std::map<std::string, std::pair<std::string, std::string>> documents_;
  std::mutex mutex_;
  std::atomic<bool> changed_{false};
  std::atomic<int> hits_{0};
  std::atomic<bool> young_{false};
};

// Loads content/articles through `cache` (hits are not parsed again; misses
// are parsed on `threads` threads, 0: one per core), in listing order, with
// every diagnostic in the order a one-by-one load gives. Names of articles
// that failed go to `broken`; `files` counts the files read.
std::vector<Article> load_articles(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                                   Diagnostics& diags, ParseCache& cache, std::vector<std::string>& broken, int& files,
                                   int threads = 0);

}  // namespace bulletin
