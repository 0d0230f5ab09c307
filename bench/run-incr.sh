#!/usr/bin/env bash
# One-article-edit rebuild of this bulletin against a peer bulletin (e.g. main's
# build) in the same hyperfine run, each on its own copy of PROJECT (a converted
# bench project, e.g. the run-build.sh work folder's project-10000), outputs on
# tmpfs and on the disk. Run it under the machine's CPU lock:
#   flock /tmp/bulletin-cpu.lock bench/run-incr.sh build/bulletin PEER_BULLETIN PROJECT
# Writes results/edit-{tmpfs,disk}.md in WORK (default /tmp/bulletin-bench-incr).
set -euo pipefail
B=$(realpath "${1:?usage: run-incr.sh BULLETIN PEER PROJECT}"); M=$(realpath "$2"); SRC=$(realpath "$3")
WORK=${WORK:-/tmp/bulletin-bench-incr}; SHM=${SHM:-/dev/shm/bulletin-bench-incr}; RUNS=${RUNS:-5}
mkdir -p "$WORK/results" "$SHM"
P=$WORK/project-this PM=$WORK/project-peer
for p in "$P" "$PM"; do [ -d "$p" ] || { cp -r "$SRC" "$p"; rm -rf "$p/.bulletin-cache"; }; done
articles=("$P"/content/articles/*.md); A=$(basename "${articles[0]}")
for where in tmpfs disk; do
  if [ $where = tmpfs ]; then O=$SHM; else O=$WORK/out; fi
  mkdir -p "$O"
  BB="$B build $P -o $O/this"; MM="$M build $PM -o $O/peer"
  $BB >/dev/null 2>&1; $BB >/dev/null 2>&1; $MM >/dev/null 2>&1; $MM >/dev/null 2>&1
  hyperfine --warmup 1 --runs "$RUNS" --style basic --export-markdown "$WORK/results/edit-$where.md" \
    --prepare "echo \$RANDOM >> $P/content/articles/$A" --prepare "echo \$RANDOM >> $PM/content/articles/$A" \
    -n "this, one article edited" "$BB" -n "peer, one article edited" "$MM"
done
rm -rf "$SHM"
