// The archive of published documents: every snapshot under data/published,
// grouped by permanent URL into version histories, verified against their
// digests; the rule that a published document's source may change only by
// declaring a revision; publishing; and the paragraph-by-paragraph changes
// between two versions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "load/documents.h"
#include "model/documents.h"
#include "render/snapshot.h"
#include "util/fs.h"

namespace bulletin {

struct DocumentHistory {
  std::string url;
  std::vector<Snapshot> versions;  // version 1, 2, … in order
  const Snapshot& latest() const { return versions.back(); }
};

struct Archive {
  std::map<std::string, DocumentHistory> by_url;
  const DocumentHistory* find(const std::string& url) const;
};

// Reads every data/published/**/v<N>.yaml. A snapshot whose digest does not
// match (edited by hand) or a missing version is an error.
Archive load_archive(const FileSystem& fs, const std::string& root, Diagnostics& diags);

// Sources of published notices and issues, for loading them without
// rendering their Markdown again.
FrozenSources frozen_sources(const Archive& archive);

// A document that can be published: what `publish` freezes.
struct Publishable {
  DocumentKind kind = DocumentKind::Notice;
  std::string url;
  std::string title;
  std::string source;  // project-relative source, or "data/rules/x.yaml" for rankings
  std::string source_digest;
  int declared_revision = 0;  // from the source's `revision:`
  std::string revision_note;
  SourceLocation revision_where;
  PageData page;
  std::map<std::string, std::string> files;
  PageData inputs = PageData::array();                      // see Snapshot::inputs
  std::vector<std::pair<std::string, std::string>> copies;  // site name -> project file to freeze
};

// Checks a document against its history. Returns the error message when the
// source changed without declaring the next revision; empty when fine.
std::string unpublished_change(const Publishable& doc, const DocumentHistory& history);

// What `bulletin publish` does with one document: the new snapshot, or
// nullopt with `message` saying why nothing is to be done or what is wrong.
struct PublishOutcome {
  std::optional<Snapshot> snapshot;
  std::string message;
  bool error = false;
};
PublishOutcome plan_publication(const Publishable& doc, const DocumentHistory* history, const Date& today,
                                const std::string& note_override);

// Paragraph-by-paragraph changes between two versions' page data.
struct ChangeRow {
  enum Kind { Same, Removed, Added } kind;
  std::string text;
};
std::vector<ChangeRow> paragraph_changes(const PageData& before, const PageData& after);

}  // namespace bulletin
