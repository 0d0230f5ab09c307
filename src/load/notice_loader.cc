// load_notice: one official notice (公文, content/notices/<name>.md) with its
// resource folder content/notices/<name>/ (attachment pages and files, the
// enclosed document it issues).
#include "load/document_number.h"
#include "load/documents.h"
#include "load/loader_parts.h"
#include "load/schema.h"
#include "util/input_check.h"
#include "util/text.h"

namespace bulletin {
namespace {

// 发文机关标志 ends with 文件 for a 文件-style notice (GB/T 9704 7.2.3).
constexpr std::string_view kFileMark = "文件";
// 主送机关 ends with a colon on paper; the page adds its own.
constexpr std::string_view kFullWidthColon = "：";

// Why a project-relative name a document gives (attachments, pages, the
// enclosure) cannot be used: each of its '/'-separated parts must be a URL
// segment, so it names a file inside the notice's folder and nowhere else.
std::string resource_name_problem(const std::string& name) {
  if (name.empty()) return "is empty";
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string part = name.substr(start, slash == std::string::npos ? slash : slash - start);
    std::string why = url_segment_problem(part);
    if (!why.empty()) {
      if (part == "..") return "goes up out of the notice's folder ('..')";
      return part == name ? why : "has a part '" + utf8_sanitized(part) + "' that " + why;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return {};
}

// Where a notice's resources live: beside its file, in a folder of its name.
struct NoticeFolder {
  const FileSystem& fs;
  const std::string& root;
  std::string resources;  // project-relative

  // Reports at `where` a named file that cannot be used: a name that leaves
  // the notice's folder, or a file that resolves (through symlinks) outside
  // the project. True when the name is usable.
  bool check_name(const Fields& f, const SourceLocation& where, const std::string& what,
                  const std::string& name) const {
    if (std::string why = resource_name_problem(name); !why.empty()) {
      f.error_at(where, what + " '" + utf8_sanitized(name) + "' " + why + "; name a file inside " + resources);
      return false;
    }
    if (std::string outside = fs.outside(root, join_path(root, join_path(resources, name))); !outside.empty()) {
      f.error_at(where, what + " '" + name + "' " + outside);
      return false;
    }
    return true;
  }

  // The Markdown file `name` of the folder, or nullopt when there is none.
  std::optional<SourceFile> read(const std::string& name) const {
    std::string rel = join_path(resources, name);
    auto text = fs.read(join_path(root, rel));
    if (!text) return std::nullopt;
    require_utf8(rel, *text);
    return SourceFile{rel, *text};
  }
};

// 发文机关 as one organ or several (联合行文); a trailing 文件, as its own
// item or at the end of the last organ, is the 文件 mark.
void read_issuer(Notice& n) {
  if (n.issuer.empty()) return;
  std::string& last = n.issuer.back();
  if (last == kFileMark) {
    n.issuer.pop_back();
    n.file_mark = true;
  } else if (last.size() > kFileMark.size() && last.ends_with(kFileMark)) {
    last = trim(last.substr(0, last.size() - kFileMark.size()));
    n.file_mark = true;
  }
}

void read_enclosure(const Fields& f, const NoticeFolder& folder, const MarkdownOptions& md, bool frozen, Notice& n) {
  Diagnostics& diags = f.diagnostics();
  std::string name = f.text("enclosure");
  if (!folder.check_name(f, f.where("enclosure"), "enclosure", name)) return;
  auto src = folder.read(name);
  if (!src) {
    f.error("enclosure", "enclosure '" + name + "' not found: expected the file " + join_path(folder.resources, name));
    return;
  }
  try {
    FrontMatter efm = parse_front_matter(*src);
    Fields ef(efm, enclosure_fields(), diags);
    Enclosure e;
    e.title = ef.text("title");
    e.signature = ef.texts("signature");
    e.date = ef.date("date");
    if (!frozen) e.body_html = render_markdown(efm.body, md);
    n.enclosure = std::move(e);
  } catch (const Error& err) {
    diags.add(err.diagnostic());
  }
}

// One item of `attachments`, or nullopt after reporting why it cannot be used.
std::optional<Attachment> read_attachment(const Fields& f, const NoticeFolder& folder, const YAML::Node& item,
                                          const MarkdownOptions& md, bool frozen, const Notice& n) {
  const FrontMatter& fm = f.front_matter();
  Diagnostics& diags = f.diagnostics();
  const FileSystem& fs = folder.fs;
  const std::string& root = folder.root;
  const std::string& resources = folder.resources;
  Attachment a;
  a.index = static_cast<int>(n.attachments.size()) + 1;
  a.where = location_of(fm, item);
  std::string page, file_name;
  if (item.IsScalar()) {
    std::string s = trim(item.Scalar());
    (s.ends_with(".md") ? page : file_name) = s;
  } else if (item.IsMap()) {
    FrontMatter sub = fm;
    sub.root.reset(item);
    Fields af(sub, attachment_fields(), diags);
    a.title = af.text("title");
    page = af.text("page");
    file_name = af.text("file");
    if (af.has("page")) a.where = af.where("page");
    if (af.has("file")) a.where = af.where("file");
    if (page.empty() == file_name.empty()) {
      f.error_at(a.where, "an attachment needs either 'page' (a Markdown page) or 'file' (a file to link)");
      return std::nullopt;
    }
  } else {
    f.error_at(a.where, "an attachment is a file name or {title: …, page: …} / {title: …, file: …}");
    return std::nullopt;
  }
  if (!(page.empty() ? folder.check_name(f, a.where, "attachment file", file_name)
                     : folder.check_name(f, a.where, "attachment page", page))) {
    return std::nullopt;
  }
  if (!page.empty()) {
    auto src = folder.read(page);
    if (!src) {
      f.error_at(a.where, "attachment page '" + page + "' not found: expected the file " + join_path(resources, page));
      return std::nullopt;
    }
    try {
      FrontMatter afm = parse_front_matter(*src);
      Fields pf(afm, attachment_page_fields(), diags);
      a.page_title = pf.text("title");
      if (a.title.empty()) a.title = a.page_title;
      if (!frozen) a.page_html = render_markdown(afm.body, md);
    } catch (const Error& err) {
      diags.add(err.diagnostic());
      return std::nullopt;
    }
    return a;
  }
  std::string path = join_path(resources, file_name);
  if (!fs.is_file(join_path(root, path))) {
    f.error_at(a.where, "attachment file '" + file_name + "' not found: expected the file " + path);
    return std::nullopt;
  }
  a.file_source = path;
  a.file_name = file_name.substr(file_name.rfind('/') == std::string::npos ? 0 : file_name.rfind('/') + 1);
  a.file_size = fs.size(join_path(root, path));
  if (a.title.empty()) a.title = file_stem(a.file_name);
  // The file goes beside the notice's page: it must not take the page's
  // own name, an attachment page's, or another file's.
  bool clash = a.file_name == "index.html" || a.file_name.starts_with("attachment-");
  for (const auto& other : n.attachments) {
    if (!other.is_page() && other.file_name == a.file_name) {
      f.error_at(a.where, "attachment file '" + a.file_name + "' has the same name in the site as " +
                              other.file_source + " (line " + std::to_string(other.where.line) +
                              "); rename one of them");
      clash = false;
      a.file_name.clear();
    }
  }
  if (a.file_name.empty()) return std::nullopt;
  if (clash) {
    f.error_at(a.where,
               "attachment file name '" + a.file_name + "' is reserved for the notice's pages; rename the file");
    return std::nullopt;
  }
  return a;
}

void read_attachments(const Fields& f, const NoticeFolder& folder, const MarkdownOptions& md, bool frozen, Notice& n) {
  YAML::Node atts = f.node("attachments");
  if (!atts.IsDefined() || atts.IsNull()) return;
  std::vector<YAML::Node> items;
  if (atts.IsSequence()) {
    for (const auto& item : atts) items.push_back(static_cast<const YAML::Node&>(item));
  } else {
    items.push_back(atts);
  }
  for (const auto& item : items) {
    if (auto a = read_attachment(f, folder, item, md, frozen, n)) n.attachments.push_back(std::move(*a));
  }
}

}  // namespace

std::optional<Notice> load_notice(const SourceFile& file, const FileSystem& fs, const std::string& root,
                                  const SiteConfig& config, Diagnostics& diags, bool frozen) {
  DocumentReader<Notice> reader(file, notice_schema(), diags);
  const Fields& f = reader.fields;
  Notice& n = reader.doc;
  n.slug = f.text("slug", file_stem(file.path));
  read_bound_fields(f, notice_schema(), n);
  if (!n.urgency.empty() && n.urgency != "特急" && n.urgency != "加急") {
    f.error("urgency", "紧急程度 must be 特急 or 加急, not '" + n.urgency + "'");
  }
  read_issuer(n);
  if (f.has("issuer") && n.issuer.empty()) f.error("issuer", "发文机关 is empty");
  if (f.has("doc_no")) {
    n.doc_no_where = f.where("doc_no");
    n.doc_no = parse_document_number(f.text("doc_no"), n.doc_no_where, f.diagnostics(),
                                     line_of(file.text, n.doc_no_where.line));
  }
  while (n.recipients.ends_with(kFullWidthColon) || n.recipients.ends_with(':')) {
    n.recipients.erase(n.recipients.size() - (n.recipients.ends_with(':') ? 1 : kFullWidthColon.size()));
  }
  n.revision = read_revision(f);
  if (!n.doc_no) check_slug(f, n.slug);

  NoticeFolder folder{fs, root, notice_resources(file.path)};
  MarkdownOptions md = official_markdown(config);
  if (f.has("enclosure")) read_enclosure(f, folder, md, frozen, n);
  read_attachments(f, folder, md, frozen, n);

  if (reader.failed()) return std::nullopt;
  if (!frozen) n.body_html = render_markdown(reader.front_matter.body, md);
  return std::move(n);
}

}  // namespace bulletin
