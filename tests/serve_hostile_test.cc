// `bulletin serve` against hostile requests, on loopback only, with bounded
// loops: paths that try to leave the site, a symlink inside the site that
// points out, foreign Host headers (DNS rebinding), and 500 open live-reload
// streams that must not stop a page request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "e2e.h"

using namespace e2e;

namespace {

// `bulletin serve --port 0` on a copy of the sample project; TMPDIR points
// into the test's folder so the served site can be found (and tampered with).
struct Server {
  TempDir tmp;
  int port = 0;
  long pid = 0;
  Server() {
    copy_sample_project(tmp / "project");
    fs::create_directories(tmp / "tmp");
    std::string cmd = "cd " + shell_quote((tmp / "project").string()) +
                      " && TMPDIR=" + shell_quote((tmp / "tmp").string()) + " " + shell_quote(kExe) +
                      " serve . --port 0 >" + shell_quote((tmp / "out").string()) + " 2>" +
                      shell_quote((tmp / "err").string()) + " & echo $! >" + shell_quote((tmp / "pid").string());
    REQUIRE(std::system(cmd.c_str()) == 0);
    pid = std::stol(read_file(tmp / "pid"));
    for (int i = 0; i < 300 && port == 0; ++i) {  // at most 30 s
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::string out = read_file(tmp / "out");
      size_t at = out.find("http://127.0.0.1:");
      if (at != std::string::npos && out.find('/', at + 17) != std::string::npos) port = std::stoi(out.substr(at + 17));
    }
    REQUIRE(port > 0);
  }
  ~Server() {
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    for (int i = 0; i < 100 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  fs::path site() const {
    for (const auto& e : fs::directory_iterator(tmp / "tmp"))
      if (e.path().filename().string().starts_with("bulletin-serve-")) return e.path() / "site";
    return {};
  }
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The whole response to a raw request target (sent exactly as given).
std::string get(int port, const std::string& target, const std::string& host = "") {
  int fd = connect_to(port);
  if (fd < 0) return "";
  std::string req = "GET " + target +
                    " HTTP/1.1\r\nHost: " + (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) +
                    "\r\nConnection: close\r\n\r\n";
  ::send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

int status_of(const std::string& response) {
  return response.starts_with("HTTP/1.1 ") ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace

TEST_CASE("serve never hands out a file outside the site", "[hostile][serve]") {
  Server s;
  std::string passwd = read_file("/etc/passwd");
  REQUIRE(status_of(get(s.port, "/")) == 200);
  for (const char* target : {"//etc/passwd", "/%2fetc/passwd", "/..%2f..%2f..%2fetc/passwd",
                             "/%2e%2e/%2e%2e/etc/passwd", "/..%5c..%5cetc%5cpasswd", "/index.html%00.css",
                             "/%252e%252e/etc/passwd", "/../../../../etc/passwd", "///../etc/passwd"}) {
    INFO(target);
    std::string r = get(s.port, target);
    CHECK(status_of(r) >= 400);
    CHECK(r.find(passwd) == std::string::npos);
  }
  CHECK(status_of(get(s.port, "//etc/passwd")) == 404);
  CHECK(status_of(get(s.port, "/%2fetc/passwd")) == 404);
  CHECK(status_of(get(s.port, "/..%2fetc/passwd")) == 400);
  CHECK(status_of(get(s.port, "/a%5cb")) == 400);
  CHECK(status_of(get(s.port, "/a%00b")) == 400);

  // A symlink inside the served site that points out of it.
  fs::path site = s.site();
  REQUIRE(fs::is_directory(site));
  fs::create_symlink("/etc/passwd", site / "leak.txt");
  fs::create_directory_symlink("/etc", site / "etc-link");
  std::string r = get(s.port, "/leak.txt");
  CHECK(status_of(r) == 403);
  CHECK(r.find(passwd) == std::string::npos);
  CHECK(status_of(get(s.port, "/etc-link/passwd")) == 403);
}

TEST_CASE("serve answers only requests addressed to its own address", "[hostile][serve]") {
  Server s;
  std::string port = std::to_string(s.port);
  CHECK(status_of(get(s.port, "/", "127.0.0.1:" + port)) == 200);
  CHECK(status_of(get(s.port, "/", "localhost:" + port)) == 200);
  CHECK(status_of(get(s.port, "/", "[::1]:" + port)) == 200);
  std::string foreign = get(s.port, "/", "rebind.attacker.example:" + port);
  CHECK(status_of(foreign) == 421);
  CHECK(foreign.find("misdirected request") != std::string::npos);
  CHECK(status_of(get(s.port, "/__bulletin/status", "attacker.example")) == 421);
  CHECK(status_of(get(s.port, "/", "127.0.0.1:1")) == 421);
}

TEST_CASE("500 open live-reload streams never stop a page request", "[hostile][serve]") {
  Server s;
  std::vector<int> streams;
  std::string req = "GET /__bulletin/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(s.port) + "\r\n\r\n";
  for (int i = 0; i < 500; ++i) {
    int fd = connect_to(s.port);
    if (fd < 0) break;
    ::send(fd, req.data(), req.size(), 0);
    streams.push_back(fd);
  }
  CHECK(streams.size() == 500);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto start = std::chrono::steady_clock::now();
  std::string page = get(s.port, "/");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(status_of(page) == 200);
  CHECK(seconds < 8);
  for (int fd : streams) ::close(fd);
}
