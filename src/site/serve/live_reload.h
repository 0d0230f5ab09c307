// What `bulletin serve` adds to a built site while serving it: a small inline
// script injected into every HTML response (never into the built files) that
// listens for new builds on /__bulletin/events (Server-Sent Events) and
// reloads the page, and shows the current build errors from
// /__bulletin/status as an overlay. Also the mapping from request paths to
// site files. Pure functions, so they are tested without a server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulletin {

// What the server reports on /__bulletin/status and in each event.
struct ServeStatus {
  long build = 0;      // increases with every successful build; 0: none yet
  bool ok = true;      // false while the last rebuild failed
  std::string errors;  // the diagnostics of the failed rebuild, as printed in the terminal
};

// {"build":3,"ok":false,"errors":"content/…: error: …"}
std::string status_json(const ServeStatus& status);

// The <script> element that reloads the page when a build newer than
// `build` appears, and shows or hides the error overlay.
std::string live_reload_script(long build);

// `html` with the script inserted before its last </body> (appended when there is none).
std::string inject_live_reload(std::string_view html, long build);

// The site file for a request path decoded once: "/" -> "index.html",
// "/a/b/" -> "a/b/index.html", "/a/b.css" -> "a/b.css". Empty and "."
// segments are dropped ("//etc/passwd" is "etc/passwd" inside the site).
// nullopt for a path that could escape the site folder ("..", backslashes,
// NUL or other control characters). The caller still checks that the file
// does not resolve, through a symlink, outside the site.
std::optional<std::string> site_file_for(std::string_view request_path);

// Whether a request's Host header names the address `serve` listens on
// (`listen_host`:`port`): on a loopback address 127.0.0.1, localhost and
// [::1] with the port; on 0.0.0.0 / :: also IP literals. Any other name is
// refused, so a page on another site cannot reach `serve` by DNS rebinding.
bool host_allowed(std::string_view host_header, std::string_view listen_host, int port);

// Content-Type for a site file, with charset=utf-8 for text.
std::string content_type_for(std::string_view file);

}  // namespace bulletin
