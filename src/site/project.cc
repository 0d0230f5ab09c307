#include "site/project.h"

namespace bulletin {

const std::vector<std::string>& required_templates() {
  static const std::vector<std::string> names = {"home",  "article", "articles", "notice", "attachment",
                                                 "notices", "issue", "series",   "bulletins", "404"};
  return names;
}

Project load_project(const FileSystem& fs, const std::string& root, Diagnostics& diags) {
  Project p;
  p.root = root;
  p.config = load_config(fs, root, diags);
  p.content = load_content(fs, root, p.config, diags);
  p.templates.load(fs, root, required_templates(), diags);
  return p;
}

}  // namespace bulletin
