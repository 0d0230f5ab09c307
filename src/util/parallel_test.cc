#include "util/parallel.h"

#include <catch2/catch.hpp>

#include <atomic>
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
