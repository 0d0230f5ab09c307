#include "util/parallel.h"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <vector>

using namespace bulletin;

TEST_CASE("parallel_for runs every job exactly once", "[parallel]") {
  std::vector<std::atomic<int>> runs(1000);
  parallel_for(runs.size(), 4, [&](size_t i) { ++runs[i]; });
  for (auto& r : runs) CHECK(r.load() == 1);
}

TEST_CASE("parallel_for rethrows the error of the lowest failing job", "[parallel]") {
  for (int threads : {1, 2, 8}) {
    INFO(threads << " threads");
    try {
      parallel_for(100, threads, [](size_t i) {
        if (i == 30 || i == 31 || i == 60) throw std::runtime_error("job " + std::to_string(i));
      });
      FAIL("expected an error");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "job 30");
    }
  }
}

TEST_CASE("a background process runs at the lowest CPU priority", "[parallel]") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  errno = 0;
  int before = ::getpriority(PRIO_PROCESS, 0);
  REQUIRE(errno == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    lower_to_background_priority();
    errno = 0;
    int nice = ::getpriority(PRIO_PROCESS, 0);
    char c = errno == 0 ? static_cast<char>(nice) : 'x';
    ::_exit(::write(pipe_fds[1], &c, 1) == 1 ? 0 : 1);
  }
  char c = 0;
  REQUIRE(::read(pipe_fds[0], &c, 1) == 1);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(c == 19);
  errno = 0;
  CHECK(::getpriority(PRIO_PROCESS, 0) == before);  // the caller keeps its own
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}
