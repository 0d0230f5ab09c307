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
# The edit: a new paragraph at the end of the article. hyperfine runs --prepare
# under sh (dash), which has no $RANDOM (it appended an empty line): `date +%s%N`.
EDIT="$(realpath "$(dirname "$0")")/edit-article.sh"
# One edit and build outside the timing: the article's page must be rewritten,
# and the files rewritten (inode or mtime changed) are listed for the record:
# only that article, the lists that show it, home, feeds (and search shards).
check_edit() {  # SITE
  local list="find $1 -type f -printf '%i %T@ %P\n'" page="articles/${A%.md}/index.html"
  eval "$list" | sort > "$WORK/before"
  sh -c "$EDIT $P/content/articles/$A"; $B build "$P" -o "$1" >/dev/null 2>&1
  eval "$list" | sort > "$WORK/after"
  comm -13 "$WORK/before" "$WORK/after" | cut -d' ' -f3- > "$WORK/results/edit-written-$where.txt"
  grep -qx "$page" "$WORK/results/edit-written-$where.txt" || { echo "run-incr.sh: the edit did not rewrite $page" >&2; exit 1; }
  echo "one edit rewrote $(wc -l < "$WORK/results/edit-written-$where.txt") files ($WORK/results/edit-written-$where.txt)"
}
for where in tmpfs disk; do
  if [ $where = tmpfs ]; then O=$SHM; else O=$WORK/out; fi
  mkdir -p "$O"
  BB="$B build $P -o $O/this"; MM="$M build $PM -o $O/peer"
  $BB >/dev/null 2>&1; $BB >/dev/null 2>&1; $MM >/dev/null 2>&1; $MM >/dev/null 2>&1
  check_edit "$O/this"
  sync  # the project copies' and first builds' writeback is set-up, not the timed rebuilds' work
  hyperfine --warmup 1 --runs "$RUNS" --style basic --export-markdown "$WORK/results/edit-$where.md" \
    --prepare "$EDIT $P/content/articles/$A" --prepare "$EDIT $PM/content/articles/$A" \
    -n "this, one article edited" "$BB" -n "peer, one article edited" "$MM"
done
rm -rf "$SHM"
