// bulletin import FILE.docx… [--as article|notice]: turns Word documents into
// Markdown sources with their front matter filled in from what the document
// shows (see load/docx_import.h). Writes content/articles/<name>.md (or
// content/notices/<name>.md) and its images under content/…/<name>/media/,
// prints the path of each file written and what it could not place, for the
// user to check. Never overwrites a source.

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "load/docx_import.h"
#include "util/date.h"
#include "util/fs.h"
#include "util/text.h"

namespace bulletin {
namespace {

namespace fs = std::filesystem;

struct ImportArgs {
  std::vector<std::string> files;
  std::string as = "article";
  std::string project = ".";
};

// The file name of the source: the document's, without characters that do
// not belong in a URL segment.
std::string source_name(const std::string& docx) {
  std::string stem = fs::path(docx).stem().string();
  std::string out;
  for (char c : stem) {
    if (c == ' ' || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' || c == '"' || c == '\'' || c == '<' ||
        c == '>' || c == '&')
      out += '-';
    else out += c;
  }
  return out.empty() ? "imported" : out;
}

int run_import(const ImportArgs& a) {
  ImportKind kind = a.as == "notice" ? ImportKind::Notice : ImportKind::Article;
  std::string folder = kind == ImportKind::Notice ? "content/notices" : "content/articles";
  if (!fs::is_directory(a.project)) {
    std::cerr << "bulletin import: no project folder '" << a.project << "'\n";
    return kUsageError;
  }
  Date today = local_today();
  int failed = 0;
  for (const auto& file : a.files) {
    std::string name = source_name(file);
    std::string md = join_path(a.project, folder + "/" + name + ".md");
    std::string resources = join_path(a.project, folder + "/" + name);
    try {
      if (fs::exists(md)) throw Error({md, 0, 0}, "already exists; bulletin import never overwrites a file");
      if (fs::exists(resources + "/media"))
        throw Error({resources + "/media", 0, 0}, "already exists; bulletin import never overwrites a file");
      ImportedDocument doc = import_docx(file, kind, resources, today);
      create_new_file(md, doc.source, "bulletin import", md);
      std::cout << md << "\n";
      for (const auto& m : doc.media) std::cout << "  image: " << join_path(resources, m) << "\n";
      for (const auto& c : doc.to_check) std::cout << "  check: " << c << "\n";
    } catch (const Error& e) {
      std::cerr << e.diagnostic().format() << "\n";
      ++failed;
    }
  }
  return failed ? kContentError : kOk;
}

}  // namespace

void setup_import(CLI::App& cmd, Run& run) {
  auto o = std::make_shared<ImportArgs>();
  cmd.add_option("FILE", o->files, "Word documents (.docx)")->required()->check(CLI::ExistingFile);
  cmd.add_option("--as", o->as, "What they are: article (default) or notice")
      ->check(CLI::IsMember({"article", "notice"}));
  cmd.add_option("-C,--project", o->project, "Project folder (default: .)");
  run = [o] { return run_import(*o); };
}

}  // namespace bulletin
