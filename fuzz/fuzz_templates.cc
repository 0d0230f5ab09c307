// Templates: the input is a page template (and, after a NUL, a partial),
// checked, put into the layout and rendered with page data.
#include <cstdint>
#include <string>

#include "render/templates.h"

using namespace bulletin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t cut = text.find('\0');
  std::string page = text.substr(0, cut), partial = cut == std::string::npos ? "" : text.substr(cut + 1);
  MemoryFileSystem fs;
  fs.add("p/templates/layout.mustache", "<html><title>{{title}}</title>{{> content}}</html>");
  fs.add("p/templates/article.mustache", page);
  fs.add("p/templates/partials/item.mustache", partial);
  TemplateSet set;
  Diagnostics diags;
  try {
    set.load(fs, "p", {"article"}, diags);
    for (const auto& d : diags.items()) (void)d.format();
    if (set.has("article")) {
      TemplateData pd = TemplateData::type::object;
      pd.set("title", "标题<>&");
      TemplateData list = TemplateData::type::list;
      list.push_back(TemplateData("一"));
      list.push_back(TemplateData(true));
      pd.set("items", list);
      TemplateData site = TemplateData::type::object;
      site.set("root", "../");
      (void)set.render("article", pd, site);
    }
  } catch (const Error&) {
  }
  return 0;
}
