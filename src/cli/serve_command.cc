// `bulletin serve [PROJECT]`: builds the site into a temporary folder (in
// /dev/shm when it has 1 GiB free, unless TMPDIR is set), serves it on
// 127.0.0.1, watches content/, data/, templates/ and bulletin.yaml for changes (inotify, else polling),
// rebuilds once a save is over (SaveSettle), and reloads open pages. A
// rebuild is the build's engine on serve's own writer (site_writer.h: the
// digests of the served files kept in memory) reading the project through
// WatchedFileSystem (listings and stamps remembered until reported changed).
// A failed rebuild prints its diagnostics and shows them as an overlay on the
// page, while the last good site keeps being served (changed files are moved
// in only when the build is complete).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <memory>
#include <thread>

#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli/commands.h"
#include "site/build/build.h"
#include "util/timing.h"
#include "site/serve/live_reload.h"
#include "site/serve/site_writer.h"
#include "site/serve/watched_fs.h"
#include "site/serve/watch.h"

namespace bulletin {
namespace {

struct ServeArgs {
  std::string project = ".";
  std::string host = "127.0.0.1";
  int port = 8000;
};

// Workers in the pool, and how many of them event streams may hold.
constexpr int kWorkers = 64;
constexpr int kMaxStreams = 48;
constexpr auto kStreamLifetime = std::chrono::seconds(60);

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

// The state shared between the rebuild loop and the request handlers.
struct LiveSite {
  std::mutex mutex;
  std::condition_variable changed;
  ServeStatus status;
  long version = 0;  // bumps on every status change, so event streams know to send
  bool stopping = false;
  int streams = 0;  // open live-reload event streams

  ServeStatus snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return status;
  }
  void update(const std::function<void(ServeStatus&)>& edit) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      edit(status);
      ++version;
    }
    changed.notify_all();
  }
};

std::string seconds_since(std::chrono::steady_clock::time_point start) {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

// Builds the project into the served site; on failure prints the
// diagnostics and keeps the previous site. The reload event goes out as soon
// as the new files are in. Returns whether the build succeeded.
bool rebuild(const std::string& project_dir, const FileSystem& fs, ServedSite& site, LiveSite& live) {
  auto start = std::chrono::steady_clock::now();
  StageTimer timer;
  Diagnostics diags;
  ProjectOptions load;
  load.defer_cache_save = true;
  auto project = std::make_unique<Project>(load_project(fs, project_dir, diags, load));
  timer.mark("load");
  // The parse cache is written (by a detached process) once the reload
  // event is out; the project is freed after that too.
  struct AfterTheEvent {
    std::unique_ptr<Project>& p;
    ~AfterTheEvent() { save_caches(*p); }
  } after_the_event{project};
  BuildReport report;
  size_t staged = 0;
  if (!diags.has_errors()) {
    try {
      // The same engine as build: only what changed is rendered and written.
      ServeSiteWriter out(site, writer_options(project->root).link_roots);
      timer.mark("writer");
      report = build_site(*project, fs, out);
      staged = out.staged();
      out.commit();
      timer.mark("commit");
    } catch (const Error& e) {
      diags.add(e.diagnostic());
    }
  }
  if (diags.has_errors()) {
    std::string text = diags.format_all();
    live.update([&](ServeStatus& s) {
      s.ok = false;
      s.errors = text;
    });
    print_diagnostics(diags);
    std::cerr << "build failed: " << plural(diags.error_count(), "error") << "; still serving the last good site\n";
    return false;
  }
  long build = 0;
  live.update([&](ServeStatus& s) {
    s.ok = true;
    s.errors.clear();
    build = ++s.build;
  });
  timer.mark("reload event");
  std::string took = seconds_since(start);
  print_diagnostics(diags);
  std::cerr << "built " << plural(report.pages, "page") << " (" << report.kept << " of "
            << plural(report.pages + report.files, "file") << " unchanged, " << staged << " written) in " << took
            << " (build " << build << ")\n";
  return true;
}

// Where serve puts its site: $TMPDIR when set; else /dev/shm (memory) when
// it is a writable folder with room to spare (containers often give it 64 MB:
// a site that fills it would fail to build); else the system's temporary folder.
std::string serve_temp_parent() {
  namespace fs = std::filesystem;
  const char* tmpdir = std::getenv("TMPDIR");
  std::error_code ec;
  constexpr unsigned long long kRoom = 1ull << 30;  // 1 GiB free
  struct statvfs vfs {};
  if ((!tmpdir || !*tmpdir) && fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK | X_OK) == 0 &&
      ::statvfs("/dev/shm", &vfs) == 0 && static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize >= kRoom)
    return "/dev/shm";
  return fs::temp_directory_path(ec).string();
}

void serve_file(const std::string& out_dir, LiveSite& live, const httplib::Request& req, httplib::Response& res) {
  namespace fs = std::filesystem;
  res.set_header("Cache-Control", "no-store");
  auto rel = site_file_for(req.path);
  if (!rel) {
    res.status = 400;
    res.set_content("bad request path\n", "text/plain; charset=utf-8");
    return;
  }
  std::error_code ec;
  fs::path path = fs::path(out_dir) / *rel;
  RealFileSystem files;
  // Inside the site folder by name; a symlink in it must not lead out.
  if (!files.outside(out_dir, path.string()).empty()) {
    res.status = 403;
    res.set_content("outside the site\n", "text/plain; charset=utf-8");
    return;
  }
  if (fs::is_directory(path, ec)) {
    res.set_redirect(req.path + "/", 301);
    return;
  }
  long build = live.snapshot().build;
  auto bytes = files.read(path.string());
  if (!bytes) {
    res.status = 404;
    auto page = files.read((fs::path(out_dir) / "404.html").string());
    std::string html = page         ? *page
                       : build == 0 ? "<!DOCTYPE html><meta charset=\"utf-8\"><title>bulletin serve</title>"
                                      "<body><p>The site has not been built yet.</p></body>"
                                    : "<!DOCTYPE html><meta charset=\"utf-8\"><body><p>404</p></body>";
    res.set_content(inject_live_reload(html, build), "text/html; charset=utf-8");
    return;
  }
  std::string type = content_type_for(*rel);
  if (type.starts_with("text/html")) {
    res.set_content(inject_live_reload(*bytes, build), type.c_str());
  } else {
    res.set_content(std::move(*bytes), type.c_str());
  }
}

void add_routes(httplib::Server& server, const std::string& out_dir, LiveSite& live) {
  server.Get("/__bulletin/status", [&live](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(status_json(live.snapshot()), "application/json; charset=utf-8");
  });
  server.Get("/__bulletin/events", [&live](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    // Each open stream holds a worker: at most kMaxStreams at once, so page
    // requests always find one free; a page over the limit still works and
    // the overlay falls back to /__bulletin/status.
    {
      std::lock_guard<std::mutex> lock(live.mutex);
      if (live.streams >= kMaxStreams) {
        res.status = 503;
        res.set_header("Connection", "close");
        res.set_content("too many live-reload streams\n", "text/plain; charset=utf-8");
        return;
      }
      ++live.streams;
    }
    auto opened = std::chrono::steady_clock::now();
    long sent = -1;
    res.set_chunked_content_provider(
        "text/event-stream",
        [&live, sent, opened](size_t, httplib::DataSink& sink) mutable {
          std::unique_lock<std::mutex> lock(live.mutex);
          // A stream ends after a while and the browser opens a new one
          // (retry: 1000), so an abandoned connection frees its worker.
          if (std::chrono::steady_clock::now() - opened > kStreamLifetime) return false;
          if (sent == live.version) {
            live.changed.wait_for(lock, std::chrono::seconds(15),
                                  [&] { return live.stopping || live.version != sent; });
          }
          if (live.stopping) return false;
          std::string message = ": keep-alive\n\n";
          if (sent != live.version) {
            message = (sent == -1 ? "retry: 1000\n" : "") + std::string("data: ") + status_json(live.status) + "\n\n";
            sent = live.version;
          }
          lock.unlock();
          return sink.write(message.data(), message.size());
        },
        [&live](bool) {
          std::lock_guard<std::mutex> lock(live.mutex);
          --live.streams;
        });
  });
  server.Get(R"(/.*)", [&out_dir, &live](const httplib::Request& req, httplib::Response& res) {
    serve_file(out_dir, live, req, res);
  });
}

int run_serve(const ServeArgs& o) {
  namespace fs = std::filesystem;
  RealFileSystem files;
  if (!files.is_file(join_path(o.project, "bulletin.yaml"))) {
    std::cerr << join_path(o.project, "bulletin.yaml")
              << ": error: not a bulletin project (no bulletin.yaml); pass the project folder\n";
    return kContentError;
  }
  std::error_code ec;
  std::string pattern = (fs::path(serve_temp_parent()) / "bulletin-serve-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::cerr << "bulletin serve: cannot create a temporary folder in " << pattern << "\n";
    return kContentError;
  }
  std::string temp_dir = buf.data();
  std::string out_dir = temp_dir + "/site";

  LiveSite live;
  ServedSite site(out_dir);
  // Watching starts before the first build, so no change after it is missed.
  // inotify where it works (a save is seen at once), polling where it does not.
  ChangeWatcher watcher(project_watch_paths(o.project));
  // What the load asked the kernel (listings, stamps) is remembered between
  // rebuilds while every change is reported (see watched_fs.h).
  WatchedFileSystem files_seen(project_watch_paths(o.project));
  auto trust_events = [&] {
    bool trust = watcher.event_driven() && !watcher.saw_symlink();
    if (trust != files_seen.enabled()) files_seen.set_enabled(trust);
  };
  trust_events();
  rebuild(o.project, files_seen, site, live);

  httplib::Server server;
  // Each open page holds one event stream; leave room for many tabs.
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  // One request per connection: an idle keep-alive connection never holds a
  // worker that a page request needs.
  server.set_keep_alive_max_count(1);
  server.set_keep_alive_timeout(1);
  server.set_read_timeout(5, 0);
  add_routes(server, out_dir, live);
  // cpp-httplib listens with a backlog of 5, compiled into Debian's library.
  // A browser opens up to six connections at once and keep-alive is off, so
  // a reload's page, CSS and scripts could overflow it: the kernel drops the
  // SYN and the client waits a second to resend it. The listening socket is
  // taken as it is made and listened on again with the system's maximum.
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  int port = o.port;
  bool bound = port == 0 ? (port = server.bind_to_any_port(o.host)) > 0 : server.bind_to_port(o.host, port);
  // Only requests addressed to this server: a foreign Host is a page
  // elsewhere reaching it by DNS rebinding.
  server.set_pre_routing_handler([host = o.host, port](const httplib::Request& req, httplib::Response& res) {
    if (host_allowed(req.get_header_value("Host"), host, port)) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 421;
    res.set_header("Connection", "close");
    res.set_content("misdirected request: this server answers only to its own address\n", "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  if (bound && listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  if (!bound) {
    std::cerr << "bulletin serve: cannot listen on " << o.host << ":" << o.port
              << " (in use, or not an address of this machine); try --port " << o.port + 1 << "\n";
    fs::remove_all(temp_dir, ec);
    return kUsageError;
  }
  std::thread listener([&server] { server.listen_after_bind(); });
  std::string shown_host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  std::cout << "serving " << o.project << " at http://" << shown_host << ":" << port
            << "/ (site in " << out_dir << "; watching content/, data/, templates/, bulletin.yaml; Ctrl-C to stop)"
            << std::endl;

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  // A save is over when its files are closed or renamed in (SaveSettle);
  // polling cannot tell, so it waits for a quiet poll.
  SaveSettle::Waits waits;
  if (!watcher.event_driven()) waits.grace = waits.quiet = std::chrono::milliseconds(100);
  SaveSettle settle(waits);
  while (!g_interrupted) {
    using namespace std::chrono;
    auto now = steady_clock::now();
    milliseconds timeout(300);
    if (settle.pending()) timeout = std::max(milliseconds(0), duration_cast<milliseconds>(settle.due() - now));
    std::vector<Change> changes = watcher.wait_changes(timeout);
    if (watcher.take_overflow()) files_seen.forget_all();
    std::vector<std::string> written, other;  // bytes only (the listings stay), anything else
    for (const auto& c : changes)
      (c.kind == ChangeKind::Modified || c.kind == ChangeKind::Written ? written : other).push_back(c.path);
    files_seen.forget(written, /*names_kept=*/true);
    files_seen.forget(other);
    trust_events();
    if (g_interrupted) break;
    now = steady_clock::now();
    settle.add(changes, now);
    if (!settle.pending()) continue;
    if (now < settle.due()) continue;
    std::vector<std::string> changed = settle.take();
    std::cerr << "changed: " << changed.front();
    if (changed.size() > 1) std::cerr << " and " << plural(static_cast<int>(changed.size()) - 1, "more file");
    std::cerr << "\n";
    rebuild(o.project, files_seen, site, live);
  }

  std::cerr << "\nstopping\n";
  {
    std::lock_guard<std::mutex> lock(live.mutex);
    live.stopping = true;
  }
  live.changed.notify_all();
  server.stop();
  listener.join();
  fs::remove_all(temp_dir, ec);
  return kOk;
}

}  // namespace

void setup_serve(CLI::App& cmd, Run& run) {
  auto o = std::make_shared<ServeArgs>();
  cmd.add_option("PROJECT", o->project, "Project folder (default: .)");
  cmd.add_option("-p,--port", o->port, "Port (default: 8000; 0 picks a free one)");
  cmd.add_option("--host", o->host,
                 "Address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 shares the "
                 "preview with the whole network)");
  run = [o] { return run_serve(*o); };
}

}  // namespace bulletin
