#include "render/templates.h"

#include <regex>
#include <set>
#include <sstream>

#include "util/html.h"
#include "util/input_check.h"
#include "util/sha256.h"
#include "util/source_text.h"
#include "util/text.h"

namespace bulletin {
namespace {

const char kTemplateDir[] = "templates";
const char kPartialDir[] = "templates/partials";
const char kExtension[] = ".mustache";

// Turns kainjow's "Unclosed section \"x\" at 45" into a located message.
Diagnostic template_error(const std::string& path, const std::string& text, const std::string& message) {
  static const std::regex at(R"(^(.*) at (\d+)$)");
  std::smatch m;
  std::string what = message;
  size_t offset = 0;
  bool located = false;
  if (std::regex_match(message, m, at)) {
    what = m[1];
    offset = std::stoul(m[2]);
    located = true;
  }
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  SourceLocation where = located ? location_of_offset(path, text, offset) : SourceLocation{path, 0, 0};
  return {Severity::Error, where, "template error: " + what, located ? line_of(text, where.line) : std::string(), {}};
}

}  // namespace

TemplateData& put(TemplateData& obj, const std::string& key, TemplateData&& value) {
  obj.set(key, TemplateData(false));  // cheap placeholder, then move into it
  auto* slot = const_cast<TemplateData*>(obj.get(key));
  *slot = std::move(value);
  return *slot;
}

TemplateData& push(TemplateData& list, TemplateData&& value) {
  list.push_back(TemplateData(false));
  auto& items = const_cast<kainjow::mustache::list&>(list.list_value());
  items.back() = std::move(value);
  return items.back();
}

void TemplateSet::load(const FileSystem& fs, const std::string& root, const std::vector<std::string>& required,
                       Diagnostics& diags) {
  pages_.clear();
  partials_.clear();
  compiled_.clear();
  digests_.clear();
  std::string dir = join_path(root, kTemplateDir);
  std::set<std::string> broken;  // present but invalid: not reported as missing too
  std::vector<ListProblem> problems;
  for (const auto& rel : fs.list(dir, &problems)) {
    std::string path = std::string(kTemplateDir) + "/" + rel;
    // Templates, partials and assets all come from inside the project.
    if (std::string why = fs.outside(root, join_path(root, path)); !why.empty()) {
      diags.error({path, 0, 0}, why);
      continue;
    }
    if (!rel.ends_with(kExtension)) continue;
    std::string name = rel.substr(0, rel.size() - (sizeof kExtension - 1));
    Source src{path, fs.read(join_path(root, path)).value_or("")};
    try {
      require_utf8(path, src.text);
    } catch (const Error& e) {
      diags.add(e.diagnostic());
      broken.insert(name);
      continue;
    }
    // Check each file on its own first, so errors name the right file and line.
    kainjow::mustache::mustache alone(src.text);
    if (!alone.is_valid()) {
      diags.add(template_error(path, src.text, alone.error_message()));
      broken.insert(name);
      continue;
    }
    if (name.starts_with("partials/")) {
      partials_[name.substr(9)] = std::move(src);
    } else if (name.find('/') == std::string::npos) {
      pages_[name] = std::move(src);
    }
  }
  for (const auto& p : problems) diags.error({std::string(kTemplateDir) + "/" + p.path, 0, 0}, p.what);
  if (!pages_.count("layout") && !broken.count("layout")) {
    diags.error({std::string(kTemplateDir) + "/layout.mustache", 0, 0},
                "missing template: every page is rendered into templates/layout.mustache");
  }
  for (const auto& name : required) {
    if (!pages_.count(name) && !broken.count(name)) {
      diags.error({std::string(kTemplateDir) + "/" + name + kExtension, 0, 0},
                  "missing template: templates/" + name + kExtension + " is needed to render " + name + " pages");
    }
  }
  if (!pages_.count("layout")) return;
  const Source& layout = pages_.at("layout");
  for (const auto& [name, page] : pages_) {
    if (name == "layout") continue;
    int before = diags.error_count();
    std::vector<std::string> stack;
    std::string body = expand(page.text, page.path, stack, diags);
    stack.clear();
    std::string full = expand(layout.text, layout.path, stack, diags);
    size_t slot = full.find("{{> content}}");
    if (slot == std::string::npos) slot = full.find("{{>content}}");
    if (slot == std::string::npos) {
      diags.error({layout.path, 0, 0}, "the layout has no {{> content}} tag, so pages would have no content");
      return;
    }
    full.replace(slot, full.find("}}", slot) + 2 - slot, body);
    if (diags.error_count() > before) continue;
    auto compiled = std::make_unique<kainjow::mustache::mustache>(full);
    if (!compiled->is_valid()) {
      // Each file was valid alone: a section opened in one file and closed in another.
      diags.error({page.path, 0, 0},
                  "template error once partials and layout are put together: " + compiled->error_message());
      continue;
    }
    // {{value}} is escaped by util/html (kainjow's own escape appends each
    // plain character alone).
    compiled->set_custom_escape([](const std::string& s) { return mustache_escape(s); });
    compiled_[name] = std::move(compiled);
    digests_[name] = sha256(full);
  }
}

std::string TemplateSet::expand(const std::string& text, const std::string& path, std::vector<std::string>& stack,
                                Diagnostics& diags) const {
  static const std::regex partial_tag(R"(\{\{>\s*([^}\s]+)\s*\}\})");
  std::string out;
  size_t last = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), partial_tag); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    std::string name = m[1];
    out += text.substr(last, m.position() - last);
    last = m.position() + m.length();
    if (name == "content") {  // the layout's slot for the page
      out += m.str();
      continue;
    }
    auto p = partials_.find(name);
    if (p == partials_.end()) {
      SourceLocation where = location_of_offset(path, text, m.position());
      std::vector<std::string> known;
      for (const auto& [k, _] : partials_) known.push_back(k);
      std::string msg = "unknown partial '" + name + "': there is no templates/partials/" + name + kExtension;
      if (auto guess = did_you_mean(name, known)) msg += "; did you mean '" + *guess + "'?";
      diags.error(where, msg, line_of(text, where.line));
      continue;
    }
    if (std::find(stack.begin(), stack.end(), name) != stack.end()) {
      SourceLocation where = location_of_offset(path, text, m.position());
      std::string chain;
      for (const auto& s : stack) chain += s + " -> ";
      diags.error(where, "partial '" + name + "' includes itself (" + chain + name + ")", line_of(text, where.line));
      continue;
    }
    stack.push_back(name);
    out += expand(p->second.text, p->second.path, stack, diags);
    stack.pop_back();
  }
  out += text.substr(last);
  return out;
}

const std::string& TemplateSet::digest(const std::string& name) const {
  static const std::string none;
  auto it = digests_.find(name);
  return it == digests_.end() ? none : it->second;
}

std::string TemplateSet::render(const std::string& name, const TemplateData& page, const TemplateData& site) const {
  auto it = compiled_.find(name);
  if (it == compiled_.end()) throw Error({"templates/" + name + kExtension, 0, 0}, "missing template");
  kainjow::mustache::context<std::string> ctx(&site);
  ctx.push(&page);
  // kainjow hands the page over in pieces to `<<`; they are appended to one
  // string, which is returned as it is (an ostringstream goes through the
  // stream's sentry and locale for every piece and copies the page out).
  struct Sink {
    std::string text;
    Sink& operator<<(const std::string& piece) {
      text += piece;
      return *this;
    }
  } out;
  // Room for a whole article page (layout and body, ~9 KB) at once, rather
  // than growing through every size to it; larger pages grow from there.
  out.text.reserve(16 * 1024);
  it->second->render(ctx, out);
  return std::move(out.text);
}

}  // namespace bulletin
