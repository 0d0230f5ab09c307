// Published snapshots: a document's content exactly as published — its page
// data (resolved metadata, rendered body, the ranking rows it showed) and any
// frozen files (a ranking's index.json/index.csv) — with its version, publish
// date, the digest of its source at the time, and a SHA-256 digest of all of
// it. Stored as YAML under data/published/<permanent URL>/v<N>.yaml so that a
// publication can be reviewed in a diff and committed to git.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "load/front_matter.h"
#include "model/urls.h"
#include "render/pages.h"
#include "util/date.h"

namespace bulletin {

struct Snapshot {
  DocumentKind kind = DocumentKind::Notice;  // written as its kind_name: "notice", "issue", "ranking"
  std::string url;                           // permanent URL, "notices/校党委发/2020/51/"
  std::string title;
  int version = 1;
  Date published;
  std::string note;                          // revision note (version 2 and later)
  std::string source;                        // what it was published from (project-relative)
  std::string source_digest;                 // digest of that source at publication
  PageData page;                             // the page data as published
  std::map<std::string, std::string> files;  // frozen files beside the page
  // What a ranking period was computed from: [{path, digest, first, last}]
  // per export file, so later builds know which files feed only published
  // periods and need not be read again. Empty for other documents.
  PageData inputs = PageData::array();
  // Digest of the PDF frozen beside the snapshot (<url>v<N>.pdf), for notices
  // and issues published where a PDF engine was installed; else empty.
  std::string pdf_digest;
  // Digests of the PDFs frozen for a notice's attachment pages, by the page's
  // folder ("attachment-1/" -> sha256:…; the file is <url>v<N>-attachment-1.pdf).
  std::map<std::string, std::string> attachment_pdfs;
  std::string digest;  // sha256 of everything above
  std::string path;    // where it was read from (not stored)
};

// The digest of a snapshot's content: every field but `digest` and `path`,
// in a canonical JSON form.
std::string snapshot_digest(const Snapshot& s);

// The YAML text of a snapshot (its digest must be set).
std::string write_snapshot(const Snapshot& s);

// Reads a snapshot. Throws Error on YAML or schema problems; the digest is
// read, not checked (see snapshot_digest).
Snapshot read_snapshot(const SourceFile& file);

}  // namespace bulletin
