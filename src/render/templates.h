// Mustache templates (kainjow) in templates/: a layout every page is rendered
// into, partials in templates/partials/, one template per page type.
//
// kainjow re-parses a partial at every use and renders unknown partials as
// nothing, so partials and the layout are expanded textually once, after
// checking that every partial exists and no partial includes itself; each
// page type is then compiled once and rendered many times.
#pragma once

#include <kainjow/mustache.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/diagnostics.h"
#include "util/fs.h"

namespace bulletin {

using TemplateData = kainjow::mustache::data;

class TemplateSet {
 public:
  // Reads and checks every template under PROJECT/templates. `required`
  // names the page templates the site needs; a missing one is an error.
  void load(const FileSystem& fs, const std::string& root, const std::vector<std::string>& required,
            Diagnostics& diags);

  bool has(const std::string& name) const { return compiled_.count(name) > 0; }
  // The digest of page template `name` as compiled (layout and partials
  // expanded), so a build can tell which pages a template edit touches.
  const std::string& digest(const std::string& name) const;
  // Renders page template `name` inside the layout. `site` holds data shared
  // by every page and is looked up after `page`; neither is copied.
  std::string render(const std::string& name, const TemplateData& page, const TemplateData& site) const;

 private:
  struct Source {
    std::string path;  // project-relative
    std::string text;
  };
  std::string expand(const std::string& text, const std::string& path, std::vector<std::string>& stack,
                     Diagnostics& diags) const;

  std::map<std::string, Source> pages_;     // name -> source (layout included)
  std::map<std::string, Source> partials_;  // name -> source
  std::map<std::string, std::unique_ptr<kainjow::mustache::mustache>> compiled_;
  std::map<std::string, std::string> digests_;
};

// Moves `value` into object `obj` under `key` without the deep copy that
// kainjow's set() makes; returns the stored value.
TemplateData& put(TemplateData& obj, const std::string& key, TemplateData&& value);
// Appends to a list without copying.
TemplateData& push(TemplateData& list, TemplateData&& value);

}  // namespace bulletin
