// Link checking for `bulletin check`: every href and src on every rendered
// HTML page must resolve to a file of the site (a folder link to its
// index.html) and every #anchor to an id on the target page. A broken link is
// reported where staff can fix it: in the Markdown source whose body put it
// on the page (found by searching the source for the link), or else at the
// page itself. External links (http, https, mailto, //host) are skipped unless
// a checker for them is given: intranets usually have no internet.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "site/build/project.h"
#include "util/diagnostics.h"

namespace bulletin {

// A link or resource reference found in HTML.
struct HtmlLink {
  std::string attribute;  // "href" or "src"
  std::string value;      // with character references decoded
  size_t offset = 0;      // byte offset of the value in the page
};

// Every href= and src= value in `html`, in order; comments are skipped.
std::vector<HtmlLink> extract_links(std::string_view html);
// Every id= value, and name= of <a> elements: the anchors a page offers.
std::vector<std::string> extract_anchors(std::string_view html);

// A Markdown file whose body appears on a page, with its text to search.
struct LinkSource {
  std::string path;  // project-relative, as shown in messages
  std::string text;
};
// Site file ("articles/x/index.html") -> the sources whose bodies it shows.
using PageSources = std::map<std::string, std::vector<LinkSource>>;

// The sources of each document page of `project`: an article's file for its
// page, an issue's file and its articles' files for the issue page, a
// notice's file and the Markdown files of its folder for the notice page and
// its attachment pages.
PageSources page_sources(const Project& project, const FileSystem& fs);

struct ExternalLinkCheck {
  enum Result { Ok, Broken, Unchecked } result = Ok;
  std::string detail;  // "HTTP 404", "no network: …"
};

struct LinkCheckOptions {
  // Where the site is served ("/bulletin/"): a link "/bulletin/x/" is the
  // site file "x/index.html"; any other absolute path is outside the site.
  std::string base_path = "/";
  // Checks one external URL (called once per URL). Default: external links are skipped.
  std::function<ExternalLinkCheck(const std::string& url)> check_external;
};

// Checks every link of every HTML file in `site` (site-relative path ->
// contents; non-HTML files only need to exist). Reports
// "SOURCE:line:col: error: broken link 'x' (from /page/url/)", once per place.
Diagnostics check_links(const std::map<std::string, std::string>& site, const PageSources& sources,
                        const LinkCheckOptions& options = {});

}  // namespace bulletin
