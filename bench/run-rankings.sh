#!/bin/sh
# Benchmark of the rankings: generates 100,000 and 1,000,000 member-day
# records (JSON Lines) and measures computing them (rankings_bench: load the
# rule, compute_rule with exact arithmetic, index.json and index.csv of every
# period) beside DuckDB on the same file and rule, in one hyperfine run per
# size, and the peak memory of each with /usr/bin/time -v.
# usage: bench/run-rankings.sh [BUILD_DIR] [SIZES]   (default build, "100000 1000000")
# The DuckDB peer is /work/shared/bench/duckdb (or $DUCKDB_PEER), copied to
# the work folder and installed there with npm. Run it under the cpu lock:
#   flock /tmp/bulletin-cpu.lock sh bench/run-rankings.sh build
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sizes=${2:-"100000 1000000"}
work=${BENCH_DIR:-/tmp/bulletin-bench}
peer_src=${DUCKDB_PEER:-$root/../shared/bench/duckdb}
mkdir -p "$work"

# The compute step alone, against the libraries of the build directory.
g++ -std=c++20 -O2 -I"$root/src" "$here/rankings_bench.cc" \
  "$build/libbulletin_compute.a" "$build/libbulletin_load.a" "$build/libbulletin_model.a" \
  "$build/libbulletin_util.a" -lyaml-cpp -lcrypto -lzip -lexpat $(pkg-config --libs simdjson gmpxx) -pthread \
  -o "$work/rankings_bench"

if [ ! -d "$work/duckdb/node_modules" ]; then
  rm -rf "$work/duckdb" && cp -r "$peer_src" "$work/duckdb"
  (cd "$work/duckdb" && npm install --no-audit --no-fund >/dev/null)
fi

for n in $sizes; do
  dir="$work/project-$n"
  file="$dir/data/exports/members-2021.jsonl"
  [ -f "$file" ] || python3 "$here/make_bench_project.py" "$dir" "$n"
  size=$(du -h "$file" | cut -f1)
  echo "== $n records ($size of JSON Lines)"
  hyperfine --warmup 1 --runs "${RUNS:-10}" --export-json "$work/hyperfine-$n.json" \
    -n bulletin "$work/rankings_bench $dir" \
    -n duckdb "node $work/duckdb/duck_aggregate.mjs $file" \
    -n duckdb-1-thread "node $work/duckdb/duck_aggregate.mjs $file 1"
  python3 - "$work/hyperfine-$n.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print("   medians: " + ", ".join(f"{k} {v:.3f} s" for k, v in r.items()))
print(f"   DuckDB / bulletin: {r['duckdb'] / r['bulletin']:.2f}x (2 threads), "
      f"{r['duckdb-1-thread'] / r['bulletin']:.2f}x (1 thread)")
PY
  for tool in bulletin duckdb; do
    if [ $tool = bulletin ]; then cmd="$work/rankings_bench $dir"; else cmd="node $work/duckdb/duck_aggregate.mjs $file"; fi
    /usr/bin/time -v $cmd > /dev/null 2> "$work/time-$tool-$n.txt"
    echo "   $tool peak RSS: $(grep 'Maximum resident' "$work/time-$tool-$n.txt" | awk '{print $NF}') KB"
  done
done
