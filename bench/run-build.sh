#!/usr/bin/env bash
# Whole-build benchmark: bulletin against Hugo (Debian `hugo`) and cmark_ssg
# (the single-threaded C floor) on the shared corpus, in the same hyperfine
# runs, following ../../shared/bench/README.md. Run it under the machine's CPU
# lock:  flock /tmp/bulletin-cpu.lock bench/run-build.sh build/bulletin 1000 10000
# Needs: hyperfine, hugo, gcc, libcmark-gfm-dev, python3. Writes results/*.md
# beside the work folder (WORK, default /tmp/bulletin-bench-build).
# FULL_ONLY=1: only the full build on tmpfs and the peak RSS (the 1k/10k/100k
# scaling table); NO_HUGO=1 leaves Hugo out (at 100k it takes ~40 s and 10 GB).
# WHERE=disk (or tmpfs) runs only that output place (default: both; tmpfs with
# FULL_ONLY=1), so WHERE=disk FULL_ONLY=1 is the full build on the disk alone;
# the peak RSS (tmpfs) is measured only when tmpfs is run.
# PEER=BINARY adds another bulletin ("bulletin-peer") to the full builds'
# hyperfine runs, to compare two builds of bulletin beside the same peers.
set -euo pipefail
# Search is measured apart (run-search.sh): the bulletin builds here leave it out.
export BULLETIN_SEARCH=0
BULLETIN=$(realpath "${1:?usage: run-build.sh BULLETIN N...}"); shift
PEER_BIN=${PEER:+$(realpath "$PEER")}
SHARED=${SHARED:-/work/shared/bench}
WORK=${WORK:-/tmp/bulletin-bench-build}
SHM=${SHM:-/dev/shm/bulletin-bench-build}
RUNS=${RUNS:-5}
TEMPLATES=$(cd "$(dirname "$0")/.." && pwd)/templates
mkdir -p "$WORK/results" "$SHM"
gcc -O2 -o "$WORK/cmark_ssg" "$SHARED/cmark/cmark_ssg.c" -lcmark-gfm-extensions -lcmark-gfm

for N in "$@"; do
  C=$WORK/corpus-$N P=$WORK/project-$N H=$WORK/hugo-$N
  [ -d "$C" ] || python3 "$SHARED/gen_corpus.py" "$N" "$C" >/dev/null
  [ -d "$P" ] || python3 "$SHARED/to_bulletin.py" "$C" "$P" "$TEMPLATES" >/dev/null
  rm -rf "$H" && cp -r "$SHARED/hugo-site" "$H"
  WHERES="tmpfs disk"; [ "${FULL_ONLY:-0}" = 1 ] && WHERES=tmpfs
  [ -n "${WHERE:-}" ] && WHERES=$WHERE
  for where in $WHERES; do
    if [ $where = tmpfs ]; then O=$SHM/$N; else O=$WORK/out-$N; fi
    mkdir -p "$O"
    B="$BULLETIN build $P -o $O/bulletin"
    G="hugo --quiet --source $H --contentDir $C/content --destination $O/hugo"
    F="$WORK/cmark_ssg $C/content/posts $O/cmark"
    # Full builds from nothing. A build leaves its housekeeping (saving the
    # parse cache and the fast-path record) to a detached process at nice 19
    # that lives ~0.1 s past its exit: the prepare waits for it (any process
    # named bulletin*), so that it neither runs into the next timed build nor
    # writes a cache after the rm below (which would make that build warm).
    PEERS=(-n hugo "$G"); [ "${NO_HUGO:-0}" = 1 ] && PEERS=()
    [ -n "$PEER_BIN" ] && PEERS=(-n bulletin-peer "$PEER_BIN build $P -o $O/bulletin" "${PEERS[@]}")
    hyperfine --warmup 1 --runs "$RUNS" --style basic --export-markdown "$WORK/results/full-$N-$where.md" \
      --export-json "$WORK/results/full-$N-$where.json" \
      --prepare "while pgrep '^bulletin' >/dev/null; do sleep 0.02; done; rm -rf $O/bulletin $O/hugo $O/cmark $P/.bulletin-cache && sync" \
      -n bulletin "$B" "${PEERS[@]}" -n cmark_ssg "$F"
    [ "${FULL_ONLY:-0}" = 1 ] && continue
    # Rebuild with nothing changed (the previous output is there).
    $B >/dev/null 2>&1; $G >/dev/null 2>&1
    hyperfine --warmup 1 --runs "$RUNS" --style basic --export-markdown "$WORK/results/noop-$N-$where.md" \
      -n bulletin "$B" -n hugo "$G"
    # Rebuild with one article edited (a new paragraph each run). --prepare
    # runs under sh (dash), which has no $RANDOM: the time in ns differs each run.
    articles=("$P"/content/articles/*.md); A=$(basename "${articles[0]}")
    hyperfine --warmup 1 --runs "$RUNS" --style basic --export-markdown "$WORK/results/edit-$N-$where.md" \
      --prepare "printf '\\n%s\\n' \$(date +%s%N) >> $P/content/articles/$A" -n "bulletin, one article edited" "$B"
    # Rebuild with the article template edited.
    hyperfine --warmup 1 --runs "$RUNS" --style basic --export-markdown "$WORK/results/tmpl-$N-$where.md" \
      --prepare "echo '<!-- '\$(date +%s%N)' -->' >> $P/templates/article.mustache" \
      -n "bulletin, article template edited" "$B"
  done
  # Peak RSS of a full build on tmpfs, from nothing (no parse cache either).
  case " $WHERES " in *" tmpfs "*) ;; *) continue ;; esac
  O=$SHM/$N
  TOOLS="bulletin hugo cmark_ssg"; [ "${NO_HUGO:-0}" = 1 ] && TOOLS="bulletin cmark_ssg"
  for tool in $TOOLS; do
    while pgrep "^bulletin" >/dev/null; do sleep 0.02; done
    rm -rf "$O/bulletin" "$O/hugo" "$O/cmark" "$P/.bulletin-cache"
    case $tool in
      bulletin) cmd="$BULLETIN build $P -o $O/bulletin" ;;
      hugo) cmd="hugo --quiet --source $H --contentDir $C/content --destination $O/hugo" ;;
      cmark_ssg) cmd="$WORK/cmark_ssg $C/content/posts $O/cmark" ;;
    esac
    /usr/bin/time -f "$tool $N %e s %M KB" $cmd >/dev/null 2>>"$WORK/results/rss-$N.txt" || true
  done
  tail -3 "$WORK/results/rss-$N.txt"
done
rm -rf "$SHM"
