#!/bin/sh
# The 1,000,000-record rankings benchmark with the export as CSV and as XLSX
# instead of JSON Lines (same records, same rule): the compute step's wall
# time and peak memory, beside the JSON Lines figure, and the same rule in
# plain Python reading each format (json, csv, openpyxl read-only) in the
# same run. usage: bench/run-table-exports.sh [BUILD_DIR]   (default build-rank)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build-rank}" && pwd)
work=${BENCH_DIR:-/tmp/bulletin-bench}
n=${RECORDS:-1000000}
mkdir -p "$work"

g++ -std=c++20 -O2 -I"$root/src" "$here/rankings_bench.cc" \
  "$build/libbulletin_compute.a" "$build/libbulletin_load.a" "$build/libbulletin_model.a" \
  "$build/libbulletin_util.a" -lyaml-cpp -lcrypto -lzip -lexpat -o "$work/rankings_bench"
g++ -std=c++20 -O2 "$here/jsonl_to_table.cc" -lxlsxwriter -o "$work/jsonl_to_table"

base="$work/project-$n"
[ -f "$base/data/exports/members-2021.jsonl" ] || python3 "$here/make_bench_project.py" "$base" "$n"
for ext in csv xlsx; do
  dir="$work/project-$n-$ext"
  if [ ! -f "$dir/data/exports/members-2021.$ext" ]; then
    mkdir -p "$dir/data/rules" "$dir/data/exports"
    cp "$base/bulletin.yaml" "$dir/"
    sed "s|exports/members-\*.jsonl|exports/members-*.$ext|" "$base/data/rules/bench.yaml" > "$dir/data/rules/bench.yaml"
    "$work/jsonl_to_table" "$base/data/exports/members-2021.jsonl" "$dir/data/exports/members-2021.$ext"
  fi
done

seconds() { grep Elapsed "$1" | awk '{n = split($NF, p, ":"); print (n == 3 ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2])}'; }
rss() { grep 'Maximum resident' "$1" | awk '{print int($NF / 1024)}'; }
echo "| export | size | compute: time | compute: peak RSS | peer: time | peer: peak RSS | ratio (time / memory) |"
echo "|---|---|---|---|---|---|---|"
for ext in jsonl csv xlsx; do
  if [ "$ext" = jsonl ]; then dir="$base"; else dir="$base-$ext"; fi
  file="$dir/data/exports/members-2021.$ext"
  /usr/bin/time -v "$work/rankings_bench" "$dir" > "$work/out-$ext.txt" 2> "$work/time-$ext.txt"
  if [ "$ext" = xlsx ] && ! python3 -c 'import openpyxl' 2>/dev/null; then
    echo "| $ext | $(du -h "$file" | cut -f1) | $(seconds "$work/time-$ext.txt") s | $(rss "$work/time-$ext.txt") MB | (no openpyxl) | | |"
    continue
  fi
  /usr/bin/time -v python3 "$here/peer_aggregate.py" "$file" > /dev/null 2> "$work/peer-$ext.txt"
  a=$(seconds "$work/time-$ext.txt"); b=$(seconds "$work/peer-$ext.txt")
  ma=$(rss "$work/time-$ext.txt"); mb=$(rss "$work/peer-$ext.txt")
  echo "| $ext | $(du -h "$file" | cut -f1) | $a s | $ma MB | $b s | $mb MB | $(awk -v a="$a" -v b="$b" -v c="$ma" -v d="$mb" 'BEGIN { printf "%.2fx / %.2fx", a / b, c / d }') |"
done
