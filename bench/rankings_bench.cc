// Times compute_rule() on a bench project: rankings_bench PROJECT_DIR.
// Prints records, periods and wall time; run it under /usr/bin/time -v for
// the peak memory (see run-rankings.sh).
#include <chrono>
#include <cstdio>

#include "compute/ranking_output.h"
#include "compute/rankings.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rankings_bench PROJECT_DIR\n");
    return 2;
  }
  bulletin::RealFileSystem fs;
  bulletin::Diagnostics diags;
  auto start = std::chrono::steady_clock::now();
  auto rules = bulletin::load_rules(fs, argv[1], diags);
  if (diags.has_errors()) {
    std::fputs(diags.format_all().c_str(), stderr);
    return 1;
  }
  for (const auto& rule : rules) {
    try {
      auto results = bulletin::compute_rule(rule, fs, argv[1]);
      double computed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      size_t bytes = 0;
      for (const auto& p : results.periods)
        bytes += bulletin::period_json_text(rule, p).size() + bulletin::period_to_csv(rule, p).size();
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("rule %s: %ld records, %zu periods, %zu bytes of index.json/csv, %.3f s (computed at %.3f s)\n",
                  rule.id.c_str(), results.records, results.periods.size(), bytes, s, computed);
    } catch (const bulletin::Error& e) {
      std::fputs((e.diagnostic().format() + "\n").c_str(), stderr);
      return 1;
    }
  }
  return 0;
}
