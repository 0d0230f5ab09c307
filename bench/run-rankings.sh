#!/bin/sh
# Benchmark of the rankings: generates 100,000 and 1,000,000 member-day
# records and reports wall time and peak memory (maximum resident set size)
# of computing them, as ratios to a peer measured in the same run (the same
# rule in plain Python), and of `bulletin build` when the binary exists.
# usage: bench/run-rankings.sh [BUILD_DIR]   (default build-rank)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build-rank}" && pwd)
work=${BENCH_DIR:-/tmp/bulletin-bench}
mkdir -p "$work"

# The compute step alone, against the libraries of the build directory.
g++ -std=c++20 -O2 -I"$root/src" "$here/rankings_bench.cc" \
  "$build/libbulletin_compute.a" "$build/libbulletin_load.a" "$build/libbulletin_model.a" \
  "$build/libbulletin_util.a" -lyaml-cpp -lcrypto -lzip -lexpat -o "$work/rankings_bench"

for n in 100000 1000000; do
  dir="$work/project-$n"
  [ -f "$dir/data/exports/members-2021.jsonl" ] || python3 "$here/make_bench_project.py" "$dir" "$n"
  rm -rf "$dir/templates" && cp -r "$root/templates" "$dir/templates"  # the default theme
  size=$(du -h "$dir/data/exports/members-2021.jsonl" | cut -f1)
  echo "== $n records ($size of JSON Lines): compute step"
  /usr/bin/time -v "$work/rankings_bench" "$dir" 2> "$work/time-$n.txt"
  grep -E "Elapsed|Maximum resident" "$work/time-$n.txt"
  # Peer, same run: the same rule in plain Python (json.loads per line, a
  # dict per quarter and member: last, last - first, mean, count < 20).
  if command -v python3 >/dev/null; then
    echo "== $n records: peer (python3 json + dict)"
    /usr/bin/time -v python3 "$here/peer_aggregate.py" "$dir/data/exports/members-2021.jsonl" \
      2> "$work/peer-time-$n.txt" >/dev/null
    grep -E "Elapsed|Maximum resident" "$work/peer-time-$n.txt"
    awk -v a="$(grep Elapsed "$work/time-$n.txt" | awk '{print $NF}')" \
        -v b="$(grep Elapsed "$work/peer-time-$n.txt" | awk '{print $NF}')" \
        -v ma="$(grep 'Maximum resident' "$work/time-$n.txt" | awk '{print $NF}')" \
        -v mb="$(grep 'Maximum resident' "$work/peer-time-$n.txt" | awk '{print $NF}')" \
        'function s(t, p, n) { n = split(t, p, ":"); return n == 3 ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
         BEGIN { printf "   ratio to the peer: time %.2fx, peak memory %.2fx\n", s(a) / s(b), ma / mb }'
  fi
  if [ -x "$build/bulletin" ]; then
    echo "== $n records: bulletin build"
    (cd "$dir" && /usr/bin/time -v "$build/bulletin" build 2> "$work/build-time-$n.txt" >/dev/null) || \
      echo "bulletin build failed; see $work/build-time-$n.txt"
    grep -E "Elapsed|Maximum resident" "$work/build-time-$n.txt" || true
  fi
done
