#include "site/publish/archive.h"

#include <algorithm>
#include <regex>
#include <set>

#include "util/html.h"
#include "util/sha256.h"
#include "util/text.h"

namespace bulletin {

const DocumentHistory* Archive::find(const std::string& url) const {
  auto it = by_url.find(url);
  return it == by_url.end() ? nullptr : &it->second;
}

Archive load_archive(const FileSystem& fs, const std::string& root, Diagnostics& diags) {
  Archive archive;
  std::set<std::string> broken;  // URLs with a rejected snapshot: no cascade of "missing version"
  static const std::regex name(R"((.*/)v(\d+)\.yaml)");
  std::string dir = join_path(root, kPublishedDir);
  const std::string in_dir = kPublishedDir + "/";
  std::vector<ListProblem> problems;
  std::vector<std::string> listed = fs.list(dir, &problems);
  for (const auto& p : problems) diags.error({in_dir + p.path, 0, 0}, p.what);
  for (const auto& rel : listed) {
    if (std::string why = fs.outside(root, join_path(dir, rel)); !why.empty()) {
      diags.error({in_dir + rel, 0, 0}, why);
      continue;
    }
    std::smatch m;
    if (!std::regex_match(rel, m, name)) continue;  // frozen attachment files live here too
    std::string path = in_dir + rel;
    try {
      Snapshot s = read_snapshot({path, fs.read(join_path(root, path)).value_or("")});
      if (snapshot_digest(s) != s.digest) {
        diags.error({path, 0, 0},
                    "this snapshot of a published document does not match its digest: it was edited by hand. "
                    "Restore it (git checkout -- " +
                        path +
                        "); to correct a published document, declare `revision:` in its source and run "
                        "`bulletin publish`");
        broken.insert(s.url);
        continue;
      }
      if (s.page.contains("attachments")) {
        bool bad = false;
        for (const auto& a : s.page["attachments"]) bad = bad || (a.value("is_page", false) && !a.contains("url"));
        if (bad) {
          diags.error({path, 0, 0}, "an attachment page of this snapshot has no url");
          continue;
        }
      }
      std::string expected = snapshot_path(s.url, s.version);
      if (expected != path) {
        diags.error({path, 0, 0},
                    "snapshot of " + s.url + " version " + std::to_string(s.version) + " belongs at " + expected);
        continue;
      }
      archive.by_url[s.url].url = s.url;
      archive.by_url[s.url].versions.push_back(std::move(s));
    } catch (const Error& e) {
      diags.add(e.diagnostic());
    }
  }
  for (auto& [url, history] : archive.by_url) {
    if (broken.count(url)) continue;
    auto& v = history.versions;
    std::sort(v.begin(), v.end(), [](const Snapshot& a, const Snapshot& b) { return a.version < b.version; });
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i].version != static_cast<int>(i) + 1) {
        diags.error({snapshot_path(url, static_cast<int>(i) + 1), 0, 0},
                    "version " + std::to_string(i + 1) + " of published document " + url +
                        " is missing; its later versions cannot stand without it");
        break;
      }
    }
  }
  return archive;
}

FrozenSources frozen_sources(const Archive& archive) {
  FrozenSources out;
  for (const auto& [url, history] : archive.by_url)
    if (history.latest().kind != DocumentKind::Ranking) out[history.latest().source] = history.latest().source_digest;
  return out;
}

namespace {

std::string describe(const Snapshot& s) {
  return "version " + std::to_string(s.version) + ", published on " + s.published.official();
}

}  // namespace

std::string unpublished_change(const Publishable& doc, const DocumentHistory& history) {
  const Snapshot& latest = history.latest();
  if (doc.kind == DocumentKind::Ranking) return {};  // exports may change: the published numbers stay
  if (doc.source_digest == latest.source_digest) return {};
  int next = latest.version + 1;
  if (doc.declared_revision == next) return {};  // a correction waiting for `bulletin publish`
  std::string what = "'" + latest.title + "' (" + doc.url + ") was published as " + describe(latest) +
                     " and its source has changed since";
  if (doc.declared_revision > next) {
    return what + "; the next revision is " + std::to_string(next) + ", not " + std::to_string(doc.declared_revision);
  }
  return what + ". Published documents are frozen: to issue a correction, add `revision: " + std::to_string(next) +
         "` and `revision_note: <what was corrected>` to its front matter and run `bulletin publish " + doc.source +
         "`; otherwise restore the source as published";
}

PublishOutcome plan_publication(const Publishable& doc, const DocumentHistory* history, const Date& today,
                                const std::string& note_override) {
  PublishOutcome out;
  Snapshot s;
  s.kind = doc.kind;
  s.url = doc.url;
  s.title = doc.title;
  s.published = today;
  s.source = doc.source;
  s.source_digest = doc.source_digest;
  s.page = doc.page;
  s.files = doc.files;
  s.inputs = doc.inputs;
  if (history) {
    const Snapshot& latest = history->latest();
    bool same = doc.kind == DocumentKind::Ranking ? latest.page == doc.page && latest.files == doc.files
                                                  : latest.source_digest == doc.source_digest;
    int next = latest.version + 1;
    if (same && (note_override.empty() || doc.kind != DocumentKind::Ranking)) {
      out.message = doc.url + " is already published as " + describe(latest) + "; nothing to do";
      return out;
    }
    std::string note = !note_override.empty() ? note_override : doc.revision_note;
    int declared = doc.kind == DocumentKind::Ranking ? next : doc.declared_revision;
    if (declared != next || note.empty()) {
      out.error = true;
      out.message = doc.kind == DocumentKind::Ranking
                        ? doc.url + " is already published as " + describe(latest) +
                              "; to publish corrected numbers as version " + std::to_string(next) +
                              ", say what was corrected with --note"
                        : unpublished_change(doc, *history);
      if (out.message.empty())
        out.message = doc.url + ": declare `revision: " + std::to_string(next) + "` with a revision_note";
      return out;
    }
    s.version = next;
    s.note = note;
  } else {
    if (doc.declared_revision != 0) {
      out.error = true;
      out.message = doc.url +
                    " has never been published, so it has no revision to declare: remove `revision:` "
                    "and `revision_note:` (the first publication is version 1)";
      return out;
    }
    s.version = 1;
  }
  s.digest = snapshot_digest(s);
  out.message = "published " + doc.url + " as version " + std::to_string(s.version) + " (" + today.official() + ")";
  out.snapshot = std::move(s);
  return out;
}

namespace {

// The document's text as paragraphs, in page order: every string of the page
// data, HTML split into its blocks.
void paragraphs(const PageData& v, std::vector<std::string>& out) {
  static const std::vector<std::string> skip = {"url", "root", "history_url", "series_url", "rule_url"};
  // Reading order of a printed document; other keys follow alphabetically.
  static const std::vector<std::string> order = {
      "series_name", "number_text", "editor",       "issuers",    "doc_no",  "signers",  "title",
      "recipients",  "intro",       "body",         "sections",   "heading", "articles", "unit",
      "ranking",     "enclosure",   "attachments",  "signature",  "date",    "note",     "cc",
      "printer",     "print_date",  "distribution", "print_count"};
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (const auto& key : order)
      if (v.contains(key)) keys.push_back(key);
    for (const auto& [key, value] : v.items())
      if (std::find(order.begin(), order.end(), key) == order.end()) keys.push_back(key);
    for (const auto& key : keys) {
      if (std::find(skip.begin(), skip.end(), key) != skip.end() || key.ends_with("_iso") || key.starts_with("kind_") ||
          key == "page_title" || key == "issuer")
        continue;
      paragraphs(v[key], out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v) paragraphs(item, out);
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.find('<') == std::string::npos) {
      if (!trim(s).empty()) out.push_back(s);
      return;
    }
    for (const auto& line : split_lines(html_to_text(s))) {
      std::string t = trim(line);
      if (!t.empty()) out.push_back(t);
    }
  }
}

}  // namespace

std::vector<ChangeRow> paragraph_changes(const PageData& before, const PageData& after) {
  std::vector<std::string> a, b;
  paragraphs(before, a);
  paragraphs(after, b);
  // Longest common subsequence over paragraphs.
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;)
    for (size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<ChangeRow> rows;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      rows.push_back({ChangeRow::Same, a[i]});
      ++i, ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      rows.push_back({ChangeRow::Removed, a[i++]});  // old text first, then its replacement
    } else {
      rows.push_back({ChangeRow::Added, b[j++]});
    }
  }
  return rows;
}

}  // namespace bulletin
