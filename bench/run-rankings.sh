#!/bin/sh
# Benchmark of the rankings: generates 100,000 and 1,000,000 member-day
# records and reports wall time and peak memory (maximum resident set size)
# of computing them, and of `bulletin build` when the binary exists.
# usage: bench/run-rankings.sh [BUILD_DIR]   (default build-rank)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build-rank}
work=${BENCH_DIR:-/tmp/bulletin-bench}
mkdir -p "$work"

# The compute step alone, against the libraries of the build directory.
g++ -std=c++20 -O2 -I"$root/src" "$here/rankings_bench.cc" \
  "$build/libbulletin_compute.a" "$build/libbulletin_load.a" "$build/libbulletin_model.a" \
  "$build/libbulletin_util.a" -lyaml-cpp -lcrypto -o "$work/rankings_bench"

for n in 100000 1000000; do
  dir="$work/project-$n"
  [ -f "$dir/data/exports/members-2021.jsonl" ] || python3 "$here/make_bench_project.py" "$dir" "$n"
  size=$(du -h "$dir/data/exports/members-2021.jsonl" | cut -f1)
  echo "== $n records ($size of JSON Lines): compute step"
  /usr/bin/time -v "$work/rankings_bench" "$dir" 2> "$work/time-$n.txt"
  grep -E "Elapsed|Maximum resident" "$work/time-$n.txt"
  # Peer, same run: jq streaming the same file and keeping, per quarter and
  # member, the first and last 成长总积分 and the sum of 当日积分 (what the
  # rule's last/first/mean need): the work of a streaming JSON aggregator.
  if command -v jq >/dev/null; then
    echo "== $n records: peer (jq streaming aggregation)"
    /usr/bin/time -v jq -n -c '
      reduce inputs as $r ({};
        ($r["日期"][0:4] + "-Q" + ((($r["日期"][5:7] | tonumber) - 1) / 3 | floor + 1 | tostring) + "/" + $r["姓名"]) as $k
        | .[$k] |= (if . == null then {first: $r["成长总积分"], last: $r["成长总积分"], sum: $r["当日积分"], n: 1}
                    else .last = $r["成长总积分"] | .sum += $r["当日积分"] | .n += 1 end))
      | length' "$dir/data/exports/members-2021.jsonl" 2> "$work/peer-time-$n.txt" >/dev/null
    grep -E "Elapsed|Maximum resident" "$work/peer-time-$n.txt"
    awk -v a="$(grep Elapsed "$work/time-$n.txt" | awk '{print $NF}')" \
        -v b="$(grep Elapsed "$work/peer-time-$n.txt" | awk '{print $NF}')" \
        'function s(t, p, n) { n = split(t, p, ":"); return n == 3 ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
         BEGIN { printf "   ratio: bulletin compute takes %.2fx the time of the jq peer\n", s(a) / s(b) }'
  fi
  if [ -x "$build/bulletin" ]; then
    echo "== $n records: bulletin build"
    (cd "$dir" && /usr/bin/time -v "$build/bulletin" build 2> "$work/build-time-$n.txt" >/dev/null) || \
      echo "bulletin build failed; see $work/build-time-$n.txt"
    grep -E "Elapsed|Maximum resident" "$work/build-time-$n.txt" || true
  fi
done
