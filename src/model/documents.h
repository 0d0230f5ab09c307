// The documents a bulletin site publishes, as plain data after loading:
// experience-sharing articles, official notices (公文, GB/T 9704-2012) and
// numbered bulletin issues (简报). Loaders fill these; renderers read them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/urls.h"
#include "util/date.h"
#include "util/diagnostics.h"

namespace bulletin {

struct Series {
  std::string id;                // URL segment: bulletins/<id>/
  std::string name;              // 教卫工作通报
  std::string editor;            // 中共上海市教育卫生工作委员会办公室
  bool yearly_numbering = true;  // 第 N 期 restarts each year; false: running numbers
  SourceLocation where;
};

// The declared series by id and by name, built once from SiteConfig::series
// (an issue may name its series either way). Holds its own copies.
class SeriesIndex {
 public:
  SeriesIndex() = default;
  explicit SeriesIndex(const std::vector<Series>& series);
  // The series with id `key`, else the one named `key`; null when none.
  const Series* find(const std::string& key) const;
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::map<std::string, Series> by_id_;
  std::map<std::string, std::string> id_by_name_;
  std::vector<std::string> ids_;  // in declaration order
};

struct SiteConfig {
  std::string title;
  std::string organization;
  std::string language = "zh-CN";
  std::string base_path = "/";
  std::string base_url;  // optional absolute origin for feeds/sitemap, e.g. http://oa.example.edu.cn
  bool raw_html = false;
  // web_fonts (网页字体): fonts shipped with the site for screens that lack the
  // official faces, subset to the documents' characters (docs/print.md).
  bool web_fonts_project = false;  // `fonts`: the project's fonts/, whose licence allows it
  bool web_fonts_fandol = false;   // `fandol`: the Fandol faces (GPL + font exception)
  int feed_limit = 50;             // entries per Atom feed, newest first (as Hugo's rssLimit)
  std::vector<Series> series;
  std::string path = "bulletin.yaml";
};

// Text held in memory, or read when first asked for: an article's body from
// the parse cache, which most pages of a rebuild never need. Copies share the
// text; reading it is thread-safe, and a Source that throws is asked again
// next time.
class LazyText {
 public:
  struct Source {
    virtual ~Source() = default;
    virtual std::string load() const = 0;  // may throw an Error
  };
  LazyText() = default;
  LazyText(std::string text);
  LazyText(const char* text) : LazyText(std::string(text)) {}
  static LazyText deferred(std::shared_ptr<const Source> source);

  const std::string& str() const;
  operator const std::string&() const { return str(); }
  // What a deferred text is read from (null when it was given as a string).
  const Source* source() const { return state_ ? state_->source.get() : nullptr; }
  LazyText& operator+=(std::string_view more);
  friend bool operator==(const LazyText& a, const LazyText& b) { return a.str() == b.str(); }

 private:
  struct State {
    std::once_flag once;
    std::string text;
    std::shared_ptr<const Source> source;
  };
  std::shared_ptr<State> state_;
};

struct Article {
  std::string source;  // project-relative path of the Markdown file
  std::string slug;
  std::string title;
  std::string unit;
  std::string author;
  Date date;
  std::vector<std::string> tags;
  std::string summary;
  LazyText body_html;
  // SHA-256 of the source text the article was loaded from (empty when it was
  // made otherwise): with the binary and bulletin.yaml, all its page depends on.
  std::string source_digest;
  // The files of the folder beside the source (content/articles/<name>/, as
  // `bulletin import` extracts images), relative to it: copied beside the page.
  std::vector<std::string> resources;
  SourceLocation where;

  std::string url() const { return article_url(slug); }
};

// 发文字号 机关代字〔年份〕序号号, e.g. 校党委发〔2020〕51号.
struct DocumentNumber {
  std::string code;  // 校党委发
  int year = 0;
  int number = 0;
  std::string text() const { return code + "〔" + std::to_string(year) + "〕" + std::to_string(number) + "号"; }
};

struct Attachment {
  int index = 0;            // 1-based position in 附件说明
  std::string title;        // as listed in 附件说明
  std::string page_title;   // heading on the attachment page (pages only)
  std::string page_html;    // rendered Markdown (pages only)
  std::string file_source;  // project-relative path of an attached file
  std::string file_name;    // name inside the site
  unsigned long long file_size = 0;
  SourceLocation where;
  bool is_page() const { return file_source.empty(); }
};

// The document a notice issues (印发的办法/方案), printed after its signature.
struct Enclosure {
  std::string title;
  std::string body_html;
  std::vector<std::string> signature;
  std::optional<Date> date;
};

// `revision: N` with `revision_note: …`: a declared correction of a published
// notice or issue.
struct Revision {
  int number = 0;  // declared correction number (2, 3…); 0 when none
  std::string note;
  SourceLocation where;
  std::string source_line;  // the line at `where`, for later messages
};

struct Notice {
  std::string source;
  std::string slug;  // file name without .md; used only without doc_no
  // 版头
  std::string copy_no;
  std::string secret;
  std::string urgency;
  std::vector<std::string> issuer;  // one organ, or several for 联合行文
  bool file_mark = false;           // 发文机关标志 ends with 文件
  std::optional<DocumentNumber> doc_no;
  SourceLocation doc_no_where;
  std::vector<std::string> signers;
  // 主体
  std::string title;
  std::string recipients;
  std::string body_html;
  std::vector<Attachment> attachments;
  std::vector<std::string> signature;
  std::optional<Date> date;
  bool sealed = false;
  std::string note;
  std::optional<Enclosure> enclosure;
  // 版记
  std::string cc;
  std::string printer;
  std::optional<Date> print_date;
  Revision revision;
  std::string source_digest;  // of the file and its resource folder, as loaded
  SourceLocation where;

  std::string url() const;
  int year() const;
  std::string issuer_text() const;  // organs joined by a space
};

struct RankingRef {
  std::string rule;
  std::string period;
  SourceLocation where;
  std::string source_line;  // the line at `where`, for later messages
};

struct IssueSection {
  std::string heading;
  std::string body_html;
  std::vector<std::string> articles;  // slugs, resolved at render time
  std::vector<SourceLocation> article_locations;
  std::optional<RankingRef> ranking;
};

struct DistributionLine {
  std::string label;  // 报 / 送 / 发
  std::vector<std::string> recipients;
};

struct BulletinIssue {
  std::string source;
  std::string series;  // Series::id
  int number = 0;
  bool supplement = false;  // 增刊
  Date date;
  std::string title;
  std::string editor;
  std::string mark;  // 内部资料 / 密级
  std::string intro_html;
  std::vector<IssueSection> sections;
  std::vector<DistributionLine> distribution;
  int print_count = 0;
  Revision revision;
  std::string source_digest;  // of the file, as loaded
  SourceLocation where;
  SourceLocation number_where;

  std::string url() const;
  // 第 6 期 / 增刊第 1 期
  std::string number_text() const;
};

}  // namespace bulletin
