#include "load/config.h"

#include <set>

#include "load/front_matter.h"
#include "load/schema.h"
#include "util/input_check.h"
#include "util/text.h"

namespace bulletin {

SiteConfig load_config(const FileSystem& fs, const std::string& root, Diagnostics& diags) {
  SiteConfig config;
  SourceFile file{"bulletin.yaml", ""};
  auto text = fs.read(join_path(root, "bulletin.yaml"));
  if (!text) {
    diags.error({"bulletin.yaml", 0, 0}, "no bulletin.yaml in the project folder '" + root +
                                             "' (is this a bulletin project? run `bulletin new site` to start one)");
    return config;
  }
  file.text = *text;
  try {
    require_utf8(file.path, file.text);
  } catch (const Error& e) {
    diags.add(e.diagnostic());
    return config;
  }
  // Reuse the front matter machinery: the whole file is one YAML block.
  FrontMatter fm;
  fm.file = &file;
  fm.yaml_line = 1;
  try {
    YAML::Node root_node = load_yaml({file.path, file.text, fm.yaml_line}, file.text, "invalid YAML");
    if (root_node.IsNull()) root_node.reset(YAML::Node(YAML::NodeType::Map));
    if (!root_node.IsMap()) {
      diags.error({file.path, 1, 1}, "bulletin.yaml must be a list of 'key: value' lines");
      return config;
    }
    fm.root.reset(root_node);
    check_plain_values(fm);
  } catch (const Error& e) {
    diags.add(e.diagnostic());
    return config;
  }

  Fields f(fm, config_fields(), diags);
  config.title = f.text("title");
  config.organization = f.text("organization");
  config.language = f.text("language", "zh-CN");
  config.base_path = f.text("base_path", "/");
  if (config.base_path.empty() || config.base_path.front() != '/') config.base_path = "/" + config.base_path;
  if (config.base_path.back() != '/') config.base_path += '/';
  config.base_url = f.text("base_url");
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  config.raw_html = f.boolean("raw_html");
  YAML::Node web_fonts = f.node("web_fonts");
  if (web_fonts.IsDefined() && !web_fonts.IsNull()) {
    std::vector<YAML::Node> items;
    if (web_fonts.IsSequence())
      for (const auto& item : web_fonts) items.push_back(item);
    else items.push_back(web_fonts);
    for (const auto& item : items) {
      std::string v = item.IsScalar() ? item.Scalar() : "";
      if (v == "fonts" || v == "项目字体") {
        config.web_fonts_project = true;
      } else if (v == "fandol" || v == "Fandol") {
        config.web_fonts_fandol = true;
      } else if (v != "none" && v != "无") {
        f.error_at(location_of(fm, item),
                   "web_fonts takes 'fonts' (the project's fonts/ folder, when its licence "
                   "allows shipping them with the site) and 'fandol', not '" +
                       utf8_sanitized(v) + "'");
      }
    }
  }
  if (auto limit = f.integer("feed_limit")) {
    if (*limit < 1 || *limit > 100000) {
      f.error("feed_limit", "'feed_limit' must be a whole number from 1 to 100000 (entries per feed)");
    } else {
      config.feed_limit = static_cast<int>(*limit);
    }
  }

  YAML::Node series = f.node("series");
  if (series.IsDefined() && !series.IsNull()) {
    if (!series.IsSequence()) {
      f.error("series", "'series' must be a list of bulletin series");
    } else {
      std::set<std::string> seen;
      for (const auto& item : series) {
        Series s;
        s.where = location_of(fm, item);
        if (!item.IsMap()) {
          f.error_at(s.where, "each series needs 'id', 'name' and 'editor'");
          continue;
        }
        FrontMatter sub = fm;
        sub.root.reset(static_cast<const YAML::Node&>(item));
        Fields sf(sub, series_fields(), diags);
        s.id = sf.text("id");
        s.name = sf.text("name");
        s.editor = sf.text("editor");
        std::string numbering = sf.text("numbering", "yearly");
        if (numbering == "yearly" || numbering == "按年") {
          s.yearly_numbering = true;
        } else if (numbering == "running" || numbering == "连续") {
          s.yearly_numbering = false;
        } else {
          sf.error("numbering",
                   "numbering must be 'yearly' (每年从第 1 期起) or 'running' (连续编号), not '" + numbering + "'");
        }
        if (s.id.empty()) continue;
        if (std::string why = url_segment_problem(s.id); !why.empty()) {
          sf.error("id", "series id '" + utf8_sanitized(s.id) + "' is used in URLs and " + why);
          continue;
        }
        if (!seen.insert(s.id).second) {
          sf.error("id", "series '" + s.id + "' is declared twice");
          continue;
        }
        config.series.push_back(std::move(s));
      }
    }
  }
  return config;
}

}  // namespace bulletin
