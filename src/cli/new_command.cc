// `bulletin new article|notice|issue|rule`: creates a correctly named file with
// its front matter filled in and prints its path (on stdout, alone, so that
// `$EDITOR $(bulletin new article)` works). Never overwrites.

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "load/config.h"
#include "site/new/scaffold.h"
#include "util/date.h"
#include "util/fs.h"

namespace bulletin {
namespace {

struct NewArgs {
  std::string kind;
  std::string title;
  std::string project = ".";
  std::string date;
  bool iso_date = false;
  ScaffoldRequest request;
  int number = 0;
};

int run_new(NewArgs& o) {
  auto kind = parse_scaffold_kind(o.kind);
  if (!kind) {
    std::cerr << "bulletin new: unknown kind '" << o.kind << "'; use article, notice, issue or rule\n";
    return kUsageError;
  }
  ScaffoldRequest r = o.request;
  r.kind = *kind;
  r.title = o.title;
  r.iso_date = o.iso_date;
  if (o.number > 0) r.number = o.number;
  if (o.date.empty()) {
    r.today = local_today();
  } else {
    std::string why;
    auto d = parse_date(o.date, &why);
    if (!d) {
      std::cerr << "bulletin new: invalid --date '" << o.date << "': " << why << "\n";
      return kUsageError;
    }
    r.today = *d;
  }
  RealFileSystem fs;
  Diagnostics diags;
  SiteConfig config = load_config(fs, o.project, diags);
  if (diags.has_errors()) {
    print_diagnostics(diags);
    return kContentError;
  }
  try {
    ScaffoldFile f = scaffold(fs, o.project, config, r);
    std::string path = join_path(o.project, f.path);
    create_new_file(path, f.text, "bulletin new", f.path);
    std::cout << path << "\n";
    if (!f.note.empty()) std::cerr << "created " << path << "; " << f.note << "\n";
  } catch (const Error& e) {
    std::cerr << e.diagnostic().format() << "\n";
    return kContentError;
  }
  return kOk;
}

}  // namespace

void setup_new(CLI::App& cmd, Run& run) {
  auto o = std::make_shared<NewArgs>();
  cmd.add_option("KIND", o->kind, "What to create: article, notice, issue or rule")
      ->required()
      ->check(CLI::IsMember({"article", "notice", "issue", "rule"}));
  cmd.add_option("TITLE,-t,--title", o->title, "Title (default: left empty for you to fill in)");
  cmd.add_option("-C,--project", o->project, "Project folder (default: .)");
  cmd.add_option("--slug", o->request.slug,
                 "File name without extension (default: today's date; issues: YEAR-NN; "
                 "rules: required, the rule id)");
  cmd.add_option("--series", o->request.series, "Issues: series id (default: the only series)");
  cmd.add_option("--number", o->number, "Issues: issue number (default: the next free one this year)");
  cmd.add_flag("--supplement", o->request.supplement, "Issues: a 增刊, numbered separately");
  cmd.add_option("--doc-no", o->request.doc_no, "Notices: 发文字号, e.g. 校党委发〔2020〕52号");
  cmd.add_option("--code", o->request.code,
                 "Notices: 机关代字 such as 校党委发; takes the next free number of this year");
  cmd.add_option("--date", o->date, "The document's date (default: today)");
  cmd.add_flag("--iso-date", o->iso_date, "Write dates as 2020-12-16 instead of 2020年12月16日");
  run = [o] { return run_new(*o); };
}

}  // namespace bulletin
