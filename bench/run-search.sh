#!/bin/sh
# Search indexing at archive scale (issue 12), on the shared 10,000-post corpus.
# Usage: sh bench/run-search.sh [BUILD_DIR]   (default build; work files in /dev/shm/bulletin-search-bench)
# Each step runs once under /usr/bin/time -v (wall seconds, peak RSS of the
# largest process); the peer is a plain `pagefind --site` over the same output.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
exe=$here/${1:-build}/bulletin
work=/dev/shm/bulletin-search-bench
rm -rf "$work" && mkdir -p "$work"
[ -d "$work/proj" ] || python3 /work/shared/bench/gen_corpus.py 10000 "$work/corpus" >/dev/null
python3 /work/shared/bench/to_bulletin.py "$work/corpus" "$work/proj" "$here/templates" >/dev/null
ln -s "$here/node_modules" "$work/proj/node_modules"
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
ls -i "$site/pagefind/shards/2019-articles-01/pagefind-entry.json" >"$work/inode-before"
echo '本文已修订。' >>"$work/proj/content/articles/05000.md"
measure "rebuild after one edit" "$exe" build "$work/proj"
ls -i "$site/pagefind/shards/2019-articles-01/pagefind-entry.json" >"$work/inode-after"
cmp -s "$work/inode-before" "$work/inode-after" && echo "  an unchanged shard's file kept its inode" || echo "  an unchanged shard's file has a new inode (the writer copies instead of linking)"
rm -rf "$work/peer" && cp -r "$site" "$work/peer" && rm -rf "$work/peer/pagefind"
measure "peer: pagefind --site" "$here/node_modules/.bin/pagefind" --site "$work/peer" --force-language zh-cn
rm -f "$work/proj/node_modules"
measure "build without search (no Pagefind)" env PATH=/usr/bin:/bin "$exe" build "$work/proj"
ln -s "$here/node_modules" "$work/proj/node_modules"
