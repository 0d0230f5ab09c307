#!/bin/sh
# Search indexing at archive scale (issue 12), on the shared 10,000-post corpus.
# Usage: sh bench/run-search.sh [BUILD_DIR]   (default build; work files in /dev/shm/bulletin-search-bench)
# Each step runs once under /usr/bin/time (wall seconds, peak RSS of the
# largest process); the peer is a plain `pagefind --site` over the same output
# (Pagefind from the project's node_modules: `npm ci`; bulletin itself needs none).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$here/node_modules/.bin/pagefind" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
exe=$here/${1:-build}/bulletin
work=/dev/shm/bulletin-search-bench
rm -rf "$work" && mkdir -p "$work"
[ -d "$work/proj" ] || python3 /work/shared/bench/gen_corpus.py 10000 "$work/corpus" >/dev/null
python3 /work/shared/bench/to_bulletin.py "$work/corpus" "$work/proj" "$here/templates" >/dev/null
measure() {  # NAME COMMAND…
  name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
  read -r wall rss <"$work/time"
  printf '%-34s %7s s %6s MB   %s\n' "$name" "$wall" "$((rss / 1024))" "$(grep -h 'search' "$work/log" | tail -1)"
}
site=$work/proj/site
measure "full build, empty cache" "$exe" build "$work/proj"
rm -rf "$site"
measure "full build, fresh output, cache" "$exe" build "$work/proj"
measure "no-op rebuild" "$exe" build "$work/proj"
probe=$(ls -d "$site"/search/data/*/ | sed -n 2p)docs.json
ls -i "$probe" >"$work/inode-before"; md5sum <"$probe" >>"$work/inode-before"
echo '本文已修订。' >>"$work/proj/content/articles/05000.md"
measure "rebuild after one edit" "$exe" build "$work/proj"
ls -i "$probe" >"$work/inode-after"; md5sum <"$probe" >>"$work/inode-after"
cmp -s "$work/inode-before" "$work/inode-after" && echo "  an unchanged shard's file ($probe) kept its bytes and inode" || echo "  an unchanged shard's file has new bytes or a new inode"
du -sb "$site/search/data" | awk '{ printf "  search/data: %.1f MB\n", $1 / 1e6 }'
rm -rf "$work/peer" && cp -r "$site" "$work/peer" && rm -rf "$work/peer/search/data"
measure "peer: pagefind --site" "$here/node_modules/.bin/pagefind" --site "$work/peer" --force-language zh-cn
du -sb "$work/peer/pagefind" | awk '{ printf "  peer pagefind/: %.1f MB\n", $1 / 1e6 }'
