#include "render/snapshot.h"

#include "util/input_check.h"

#include <yaml-cpp/yaml.h>

#include "util/sha256.h"
#include "util/text.h"

namespace bulletin {
namespace {

const char kHeader[] =
    "# bulletin snapshot: this document as it was published. Do not edit it by hand:\n"
    "# `bulletin check` verifies its digest. To correct a published document, declare\n"
    "# `revision: N` and `revision_note: …` in its source and run `bulletin publish`.\n";

// A multi-line string that a YAML literal block (|) gives back byte for byte.
bool literal_safe(const std::string& s) {
  if (s.size() < 2 || s.back() != '\n' || s[s.size() - 2] == '\n') return false;
  if (s.front() == ' ' || s.front() == '\n') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r' || c == '\t' || (c < 0x20 && c != '\n')) return false;
    if (c == ' ' && (i + 1 == s.size() || s[i + 1] == '\n')) return false;  // trailing space
  }
  return true;
}

void emit_string(YAML::Emitter& out, const std::string& s, bool literal) {
  if (literal && s.find('\n') != std::string::npos && literal_safe(s)) {
    out << YAML::Literal << s;
  } else {
    out << YAML::DoubleQuoted << s;
  }
}

void emit(YAML::Emitter& out, const PageData& v, bool literal) {
  switch (v.type()) {
    case PageData::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, value] : v.items()) {  // std::map: sorted keys
        out << YAML::Key << key << YAML::Value;
        emit(out, value, literal);
      }
      out << YAML::EndMap;
      break;
    case PageData::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : v) emit(out, item, literal);
      out << YAML::EndSeq;
      break;
    case PageData::value_t::boolean: out << YAML::TrueFalseBool << v.get<bool>(); break;
    case PageData::value_t::string: emit_string(out, v.get<std::string>(), literal); break;
    // Plain scalars, so that they read back as what they were (strings are
    // always quoted or literal blocks, so a plain scalar is never a string).
    case PageData::value_t::null: out << YAML::Null; break;
    case PageData::value_t::number_integer:
    case PageData::value_t::number_unsigned:
    case PageData::value_t::number_float: out << v.dump(); break;
    default: emit_string(out, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), literal);
  }
}

PageData to_page_data(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      PageData out = PageData::object();
      for (const auto& kv : n) out[kv.first.Scalar()] = to_page_data(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      PageData out = PageData::array();
      for (const auto& item : n) out.push_back(to_page_data(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      // Plain true/false are booleans; every string is written quoted or as a block.
      if (n.Tag() == "?" && (n.Scalar() == "true" || n.Scalar() == "false")) return n.Scalar() == "true";
      if (n.Tag() == "?") {
        // A plain number, as emit() writes one; read as JSON reads it.
        const std::string& t = n.Scalar();
        if (!t.empty() && t.size() < 40 && t.find_first_not_of("0123456789+-.eE") == std::string::npos) {
          PageData number = PageData::parse(t, nullptr, false);
          if (number.is_number()) return number;
        }
      }
      return n.Scalar();
    default: return PageData();
  }
}

nlohmann::json canonical(const Snapshot& s) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [name, bytes] : s.files) files[name] = bytes;
  nlohmann::json c = {{"kind", kind_name(s.kind)},
                      {"url", s.url},
                      {"title", s.title},
                      {"version", s.version},
                      {"published", s.published.iso()},
                      {"note", s.note},
                      {"source", s.source},
                      {"source_digest", s.source_digest},
                      {"page", s.page},
                      {"files", files}};
  // Added later: only present when used, so that earlier snapshots keep their digests.
  if (!s.inputs.empty()) c["inputs"] = s.inputs;
  if (!s.pdf_digest.empty()) c["pdf_digest"] = s.pdf_digest;
  if (!s.attachment_pdfs.empty()) c["attachment_pdfs"] = s.attachment_pdfs;
  return c;
}

std::string emit_snapshot(const Snapshot& s, bool literal) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "kind" << YAML::Value << YAML::DoubleQuoted << kind_name(s.kind);
  out << YAML::Key << "url" << YAML::Value << YAML::DoubleQuoted << s.url;
  out << YAML::Key << "title" << YAML::Value << YAML::DoubleQuoted << s.title;
  out << YAML::Key << "version" << YAML::Value << s.version;
  out << YAML::Key << "published" << YAML::Value << s.published.iso();
  if (!s.note.empty()) out << YAML::Key << "revision_note" << YAML::Value << YAML::DoubleQuoted << s.note;
  out << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << s.source;
  out << YAML::Key << "source_digest" << YAML::Value << s.source_digest;
  if (!s.pdf_digest.empty()) out << YAML::Key << "pdf_digest" << YAML::Value << s.pdf_digest;
  if (!s.attachment_pdfs.empty()) {
    out << YAML::Key << "attachment_pdfs" << YAML::Value << YAML::BeginMap;
    for (const auto& [page, digest] : s.attachment_pdfs)
      out << YAML::Key << YAML::DoubleQuoted << page << YAML::Value << digest;
    out << YAML::EndMap;
  }
  out << YAML::Key << "digest" << YAML::Value << s.digest;
  out << YAML::Key << "page" << YAML::Value;
  emit(out, s.page, literal);
  if (!s.inputs.empty()) {
    out << YAML::Key << "inputs" << YAML::Value;
    emit(out, s.inputs, literal);
  }
  if (!s.files.empty()) {
    out << YAML::Key << "files" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, bytes] : s.files) {
      out << YAML::Key << name << YAML::Value;
      emit_string(out, bytes, literal);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(kHeader) + out.c_str() + "\n";
}

}  // namespace

std::string snapshot_digest(const Snapshot& s) {
  // Never throws: what was read is UTF-8 (checked), and a stray byte from a
  // YAML escape is replaced rather than aborting.
  return sha256(canonical(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string write_snapshot(const Snapshot& s) {
  std::string text = emit_snapshot(s, true);
  // Literal blocks keep HTML readable in a diff; if one would not read back
  // byte for byte, quote every string instead.
  Snapshot back = read_snapshot({snapshot_path(s.url, s.version), text});
  if (canonical(back) != canonical(s)) text = emit_snapshot(s, false);
  return text;
}

namespace {

// Why `url` is not a permanent URL ("a/b/"), or empty.
std::string url_problem(const std::string& url) {
  if (url.empty() || url.back() != '/') return "must end with '/'";
  size_t start = 0;
  while (start < url.size()) {
    size_t slash = url.find('/', start);
    std::string why = url_segment_problem(url.substr(start, slash - start));
    if (!why.empty()) return "has a segment that " + why;
    start = slash + 1;
  }
  return {};
}

// The parts of a snapshot's page data a build reads by type: a snapshot that
// was edited (and its digest recomputed) gets a located error, not a crash.
void check_shape(const FrontMatter& fm, const YAML::Node& root, const Snapshot& s) {
  auto fail = [&](const YAML::Node& n, const std::string& what) {
    SourceLocation where = location_of(fm, n);
    throw Error(where, "snapshot " + what, line_of(fm.file->text, where.line));
  };
  const PageData& page = s.page;
  if (page.contains("title") && !page["title"].is_string()) fail(root["page"]["title"], "page title must be text");
  if (page.contains("attachments")) {
    YAML::Node list = root["page"]["attachments"];
    if (!page["attachments"].is_array()) fail(list, "attachments must be a list");
    size_t k = 0;
    for (const auto& a : page["attachments"]) {
      YAML::Node n = list[k++];
      if (!a.is_object()) fail(n, "attachment must be a mapping");
      bool is_page = a.contains("is_page") && a["is_page"].is_boolean() && a["is_page"].get<bool>();
      if (a.contains("is_page") && !a["is_page"].is_boolean()) fail(n, "attachment is_page must be true or false");
      if (is_page) {
        for (const char* key : {"url", "page_title"})
          if (a.contains(key) && !a[key].is_string()) fail(n, std::string("attachment page ") + key + " must be text");
      } else {
        if (!a.contains("file_name") || !a["file_name"].is_string()) fail(n, "attachment file_name must be text");
        std::string name = a["file_name"].get<std::string>();
        if (std::string why = url_segment_problem(name); !why.empty() || name == "index.html")
          fail(n, "attachment file name '" + utf8_sanitized(name) + "' " + (why.empty() ? "is reserved" : why));
      }
    }
  }
  for (const auto& input : s.inputs) {
    if (!input.is_object()) fail(root["inputs"], "inputs must be a list of mappings");
    for (const char* key : {"path", "digest", "first", "last"})
      if (input.contains(key) && !input[key].is_string())
        fail(root["inputs"], std::string("input ") + key + " must be text");
  }
}

}  // namespace

Snapshot read_snapshot(const SourceFile& file) {
  require_utf8(file.path, file.text);
  FrontMatter fm;
  fm.file = &file;
  fm.yaml_line = 1;
  YAML::Node root = load_yaml({file.path, file.text, fm.yaml_line}, file.text, "invalid YAML in snapshot");
  if (!root.IsMap()) throw Error({file.path, 1, 1}, "a snapshot must be a YAML mapping");
  auto need = [&](const char* key) {
    if (!root[key] || !root[key].IsScalar())
      throw Error({file.path, 0, 0}, std::string("snapshot has no '") + key + "'");
    return root[key].Scalar();
  };
  Snapshot s;
  s.path = file.path;
  auto kind = parse_document_kind(need("kind"));
  if (!kind)
    throw Error(
        location_of(fm, root["kind"]),
        "snapshot kind '" + utf8_sanitized(root["kind"].Scalar()) + "' is not article, notice, issue or ranking",
        line_of(file.text, location_of(fm, root["kind"]).line));
  s.kind = *kind;
  s.url = need("url");
  if (std::string why = url_problem(s.url); !why.empty())
    throw Error(location_of(fm, root["url"]), "snapshot url '" + utf8_sanitized(s.url) + "' " + why,
                line_of(file.text, location_of(fm, root["url"]).line));
  s.title = need("title");
  std::string version = need("version");
  auto version_number = parse_bounded(version, 99999, 5);
  if (!version_number || *version_number < 1)
    throw Error(location_of(fm, root["version"]), "snapshot version must be a whole number from 1 to 99999");
  s.version = static_cast<int>(*version_number);
  auto published = parse_date(need("published"));
  if (!published) throw Error(location_of(fm, root["published"]), "snapshot publish date is not a date");
  s.published = *published;
  if (root["revision_note"]) s.note = root["revision_note"].Scalar();
  s.source = need("source");
  s.source_digest = need("source_digest");
  if (root["pdf_digest"]) s.pdf_digest = root["pdf_digest"].Scalar();
  if (YAML::Node pdfs = root["attachment_pdfs"]; pdfs && !pdfs.IsNull()) {
    if (!pdfs.IsMap())
      throw Error(location_of(fm, pdfs), "snapshot attachment_pdfs must map attachment pages to digests");
    for (const auto& kv : pdfs) {
      std::string page = kv.first.Scalar();
      std::string name = page.ends_with('/') ? page.substr(0, page.size() - 1) : page;
      if (std::string why = url_segment_problem(name); !why.empty() || !page.ends_with('/') || !kv.second.IsScalar())
        throw Error(location_of(fm, kv.first), "snapshot attachment PDF '" + utf8_sanitized(page) + "' " +
                                                   (!why.empty()           ? "cannot be a folder name: it " + why
                                                    : !page.ends_with('/') ? "must name a folder (end in /)"
                                                                           : "must have a digest"));
      s.attachment_pdfs[page] = kv.second.Scalar();
    }
  }
  s.digest = need("digest");
  if (!root["page"] || !root["page"].IsMap()) throw Error({file.path, 0, 0}, "snapshot has no 'page'");
  s.page = to_page_data(root["page"]);
  if (root["inputs"] && root["inputs"].IsSequence()) s.inputs = to_page_data(root["inputs"]);
  if (root["files"] && root["files"].IsMap()) {
    for (const auto& kv : root["files"]) {
      std::string name = kv.first.Scalar();
      if (std::string why = url_segment_problem(name); !why.empty() || !kv.second.IsScalar())
        throw Error(location_of(fm, kv.first),
                    "snapshot file '" + utf8_sanitized(name) + "' " +
                        (why.empty() ? "must hold text" : "cannot be a file name: it " + why));
      s.files[name] = kv.second.Scalar();
    }
  }
  check_shape(fm, root, s);
  return s;
}

}  // namespace bulletin
