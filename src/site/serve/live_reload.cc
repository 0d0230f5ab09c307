#include "site/serve/live_reload.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "util/text.h"

namespace bulletin {

std::string status_json(const ServeStatus& status) {
  nlohmann::json j = {{"build", status.build}, {"ok", status.ok}, {"errors", status.errors}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // never throws
}

std::string live_reload_script(long build) {
  // Written for old intranet browsers too: no arrow functions, no template strings.
  return "<script>/* bulletin serve: live reload */(function(){"
         "var build=" +
         std::to_string(build) +
         ",box=null;"
         "function show(t){if(!box){box=document.createElement('div');box.id='bulletin-serve-error';"
         "box.setAttribute('role','alert');"
         "box.setAttribute('style','position:fixed;left:0;top:0;right:0;bottom:0;z-index:2147483647;"
         "overflow:auto;margin:0;padding:24px 32px;background:rgba(40,0,0,.94);color:#fff;"
         "font:14px/1.6 monospace;white-space:pre-wrap');document.body.appendChild(box);}"
         "box.textContent='bulletin serve: 构建失败，仍在显示上一次成功构建的站点。修改文件后页面会自动刷新。\\n"
         "Build failed; showing the last good site. Fix the file and this page reloads.\\n\\n'+t;}"
         "function hide(){if(box){box.parentNode.removeChild(box);box=null;}}"
         "function apply(s){if(s.build!==build&&s.build>0){location.reload();return;}"
         "if(s.ok){hide();}else{show(s.errors);}}"
         "function status(){var x=new XMLHttpRequest();x.open('GET','/__bulletin/status');"
         "x.onload=function(){try{apply(JSON.parse(x.responseText));}catch(e){}};x.send();}"
         "status();"
         "if(window.EventSource){var es=new EventSource('/__bulletin/events');"
         "es.onmessage=function(e){try{apply(JSON.parse(e.data));}catch(x){}};"
         "es.onopen=function(){status();};}"
         "})();</script>";
}

std::string inject_live_reload(std::string_view html, long build) {
  size_t at = ascii_lower(html).rfind("</body>");
  std::string out(html);
  std::string script = live_reload_script(build);
  if (at == std::string::npos) return out + script;
  return out.insert(at, script);
}

std::optional<std::string> site_file_for(std::string_view request_path) {
  // The path arrives decoded once (by the HTTP server); it is never decoded
  // again, so "%252e%252e" stays the literal name "%2e%2e".
  std::string rel;
  size_t start = 0;
  bool trailing = request_path.empty() || request_path.back() == '/';
  while (start <= request_path.size()) {
    size_t end = request_path.find('/', start);
    if (end == std::string_view::npos) end = request_path.size();
    std::string_view segment = request_path.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") continue;  // "//etc" is "/etc" inside the site
    if (segment == "..") return std::nullopt;
    for (char c : segment) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '\\' || u < 0x20 || u == 0x7F) return std::nullopt;
    }
    if (!rel.empty()) rel += '/';
    rel.append(segment);
  }
  if (rel.empty() || trailing) rel += rel.empty() ? "index.html" : "/index.html";
  return rel;
}

namespace {

bool is_ipv4_literal(std::string_view h) {
  int dots = 0, digits = 0;
  for (char c : h) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

}  // namespace

bool host_allowed(std::string_view host_header, std::string_view listen_host, int port) {
  std::string host = ascii_lower(host_header);
  std::string suffix = ":" + std::to_string(port);
  if (!host.ends_with(suffix)) return false;
  std::string name = host.substr(0, host.size() - suffix.size());
  if (name.empty()) return false;
  std::string listen = ascii_lower(listen_host);
  if (listen.find(':') != std::string::npos) listen = "[" + listen + "]";
  if (name == listen) return true;
  bool loopback_listen =
      listen == "127.0.0.1" || listen == "localhost" || listen == "[::1]" || listen.starts_with("127.");
  if (loopback_listen || listen == "0.0.0.0" || listen == "[::]") {
    if (name == "localhost" || name == "127.0.0.1" || name == "[::1]") return true;
  }
  // Listening on every address: the machine's own IP literals are fine. A DNS
  // rebinding attack needs a host *name*, so names other than localhost are not.
  if (listen == "0.0.0.0" || listen == "[::]") {
    if (is_ipv4_literal(name)) return true;
    if (name.size() > 2 && name.front() == '[' && name.back() == ']' &&
        name.find_first_not_of("0123456789abcdef:.", 1) == name.size() - 1)
      return true;
  }
  return false;
}

std::string content_type_for(std::string_view file) {
  size_t dot = file.rfind('.');
  std::string ext = ascii_lower(dot == std::string_view::npos ? "" : file.substr(dot + 1));
  static const std::pair<const char*, const char*> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml; charset=utf-8"},
      {"atom", "application/atom+xml; charset=utf-8"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"pdf", "application/pdf"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"wasm", "application/wasm"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"xls", "application/vnd.ms-excel"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"doc", "application/msword"},
      {"zip", "application/zip"},
  };
  for (const auto& [e, type] : kTypes)
    if (ext == e) return type;
  return "application/octet-stream";
}

}  // namespace bulletin
