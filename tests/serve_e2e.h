// A `bulletin serve` process for end-to-end tests, and raw HTTP requests to
// it on loopback (the hostile-request and session tests share them).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "e2e.h"

namespace e2e {

// A connected loopback socket to `port` (10 s receive timeout), or -1.
inline int connect_to(int port) {
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

// The whole response to a raw request target (sent exactly as given), with
// the Host header `host` (default: 127.0.0.1:<port>); "" when nobody answers.
inline std::string http_get(int port, const std::string& target, const std::string& host = "") {
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

// `bulletin serve --port 0` on a copy of the sample project in tmp/project,
// its site under tmp/tmp (TMPDIR), so that tests can find (and tamper with)
// it; stopped with SIGTERM when the object goes.
struct ServeProcess {
  TempDir tmp;
  fs::path project = tmp / "project";
  int port = 0;
  long pid = 0;
  ServeProcess() {
    copy_sample_project(project);
    fs::create_directories(tmp / "tmp");
    std::string cmd = "cd " + shell_quote(project.string()) + " && TMPDIR=" + shell_quote((tmp / "tmp").string()) +
                      " " + shell_quote(kExe) + " serve . --port 0 >" + shell_quote((tmp / "out").string()) + " 2>" +
                      shell_quote((tmp / "err").string()) + " & echo $! >" + shell_quote((tmp / "pid").string());
    REQUIRE(std::system(cmd.c_str()) == 0);
    pid = std::stol(read_file(tmp / "pid"));
    for (int i = 0; i < 600 && port == 0; ++i) {  // at most 60 s
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::string out = read_file(tmp / "out");
      size_t at = out.find("http://127.0.0.1:");
      if (at != std::string::npos && out.find('/', at + 17) != std::string::npos) port = std::stoi(out.substr(at + 17));
    }
    REQUIRE(port > 0);
  }
  ~ServeProcess() {
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    for (int i = 0; i < 100 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  // The site folder serve prints on its "serving" line.
  fs::path site() const {
    std::string out = read_file(tmp / "out");
    size_t at = out.find("(site in ");
    REQUIRE(at != std::string::npos);
    at += 9;
    return out.substr(at, out.find(';', at) - at);
  }
};

}  // namespace e2e
