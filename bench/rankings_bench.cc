// Times compute_rule_each() on a bench project: rankings_bench PROJECT_DIR.
// Prints records, periods, rows spilled and wall time; run it under
// /usr/bin/time -v for the peak memory (see run-rankings.sh).
// RANKINGS_HASH=1 adds a hash of every index.json and index.csv (to compare
// runs; not timed in the benchmark); RANKINGS_LIVE_ROWS=N changes the rows
// kept in memory per reader (a large N: no spilling).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "compute/ranking_output.h"
#include "compute/rankings.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rankings_bench PROJECT_DIR\n");
    return 2;
  }
  if (const char* rows = std::getenv("RANKINGS_LIVE_ROWS"))
    bulletin::set_rankings_live_rows(std::strtoul(rows, nullptr, 10));
  const bool hashed = std::getenv("RANKINGS_HASH") != nullptr;
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
      // Each period's index.json and index.csv as soon as it is finished,
      // then dropped, as a build that writes them would.
      size_t bytes = 0, periods = 0;
      uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over every text
      auto results = bulletin::compute_rule_each(rule, fs, argv[1], [&](bulletin::PeriodResult&& p) {
        for (const std::string& text : {bulletin::period_json_text(rule, p), bulletin::period_to_csv(rule, p)}) {
          bytes += text.size();
          if (hashed)
            for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
        }
        ++periods;
      });
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf(
          "rule %s: %ld records, %zu periods, %zu bytes of index.json/csv (hash %016llx), %ld rows spilled, %.3f s\n",
          rule.id.c_str(), results.records, periods, bytes, static_cast<unsigned long long>(hash), results.spilled_rows,
          s);
    } catch (const bulletin::Error& e) {
      std::fputs((e.diagnostic().format() + "\n").c_str(), stderr);
      return 1;
    }
  }
  return 0;
}
