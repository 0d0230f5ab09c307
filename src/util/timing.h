// Wall-clock stage timings on stderr when BULLETIN_TIMING is set (any value),
// for profiling a build stage by stage; silent and nearly free otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace bulletin {

class StageTimer {
 public:
  StageTimer() : on_(std::getenv("BULLETIN_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}
  // Prints the time since the previous mark (or construction) under `stage`.
  void mark(const char* stage) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "timing: %-16s %7.1f ms\n", stage,
                 std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace bulletin
