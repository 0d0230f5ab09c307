// `bulletin serve` against hostile requests, on loopback only, with bounded
// loops: paths that try to leave the site, a symlink inside the site that
// points out, foreign Host headers (DNS rebinding), and 500 open live-reload
// streams that must not stop a page request, and bursts of connections.
#include <netinet/tcp.h>

#include "serve_e2e.h"

using namespace e2e;

namespace {

int status_of(const std::string& response) {
  return response.starts_with("HTTP/1.1 ") ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace

TEST_CASE("serve never hands out a file outside the site", "[hostile][serve]") {
  ServeProcess s;
  std::string passwd = read_file("/etc/passwd");
  REQUIRE(status_of(http_get(s.port, "/")) == 200);
  for (const char* target : {"//etc/passwd", "/%2fetc/passwd", "/..%2f..%2f..%2fetc/passwd",
                             "/%2e%2e/%2e%2e/etc/passwd", "/..%5c..%5cetc%5cpasswd", "/index.html%00.css",
                             "/%252e%252e/etc/passwd", "/../../../../etc/passwd", "///../etc/passwd"}) {
    INFO(target);
    std::string r = http_get(s.port, target);
    CHECK(status_of(r) >= 400);
    CHECK(r.find(passwd) == std::string::npos);
  }
  CHECK(status_of(http_get(s.port, "//etc/passwd")) == 404);
  CHECK(status_of(http_get(s.port, "/%2fetc/passwd")) == 404);
  CHECK(status_of(http_get(s.port, "/..%2fetc/passwd")) == 400);
  CHECK(status_of(http_get(s.port, "/a%5cb")) == 400);
  CHECK(status_of(http_get(s.port, "/a%00b")) == 400);

  // A symlink inside the served site that points out of it.
  fs::path site = s.site();
  REQUIRE(fs::is_directory(site));
  fs::create_symlink("/etc/passwd", site / "leak.txt");
  fs::create_directory_symlink("/etc", site / "etc-link");
  std::string r = http_get(s.port, "/leak.txt");
  CHECK(status_of(r) == 403);
  CHECK(r.find(passwd) == std::string::npos);
  CHECK(status_of(http_get(s.port, "/etc-link/passwd")) == 403);
}

TEST_CASE("serve answers only requests addressed to its own address", "[hostile][serve]") {
  ServeProcess s;
  std::string port = std::to_string(s.port);
  CHECK(status_of(http_get(s.port, "/", "127.0.0.1:" + port)) == 200);
  CHECK(status_of(http_get(s.port, "/", "localhost:" + port)) == 200);
  CHECK(status_of(http_get(s.port, "/", "[::1]:" + port)) == 200);
  std::string foreign = http_get(s.port, "/", "rebind.attacker.example:" + port);
  CHECK(status_of(foreign) == 421);
  CHECK(foreign.find("misdirected request") != std::string::npos);
  CHECK(status_of(http_get(s.port, "/__bulletin/status", "attacker.example")) == 421);
  CHECK(status_of(http_get(s.port, "/", "127.0.0.1:1")) == 421);
}

TEST_CASE("500 open live-reload streams never stop a page request", "[hostile][serve]") {
  ServeProcess s;
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
  std::string page = http_get(s.port, "/");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(status_of(page) == 200);
  CHECK(seconds < 8);
  for (int fd : streams) ::close(fd);
}

TEST_CASE("a burst of connections is taken without a resent SYN", "[hostile][serve]") {
  // A browser opens several connections at once and serve keeps none alive:
  // a listen backlog smaller than the burst drops SYNs, and each dropped one
  // costs its client a second before it is sent again (TCP_INFO counts it).
  ServeProcess s;
  std::vector<int> fds;
  for (int i = 0; i < 200; ++i) {
    int fd = connect_to(s.port);
    REQUIRE(fd >= 0);
    fds.push_back(fd);
  }
  unsigned resent = 0;
  for (int fd : fds) {
    tcp_info info{};
    socklen_t size = sizeof info;
    REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) == 0);
    resent += info.tcpi_total_retrans;
    ::close(fd);
  }
  CHECK(resent == 0);
  CHECK(status_of(http_get(s.port, "/")) == 200);
}
