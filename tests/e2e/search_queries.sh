#!/usr/bin/env bash
# Runs the search browser test (search_queries.mjs) after checking that what it
# needs is installed: Node.js, Chromium, a CJK font and the pinned Pagefind.
# Usage: search_queries.sh BULLETIN_EXE SOURCE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=${2:-$(cd "$here/../.." && pwd)}
missing=()
command -v node >/dev/null || missing+=("nodejs")
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || missing+=("chromium")
[[ -n $(fc-list :lang=zh family 2>/dev/null) ]] || missing+=("fonts-wqy-microhei")
if ((${#missing[@]})); then
  echo "search: missing ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
if [[ ! -e $source_dir/node_modules/pagefind/lib/index.js ]]; then
  echo "search: Pagefind is not installed (run npm ci in $source_dir)" >&2
  exit 1
fi
exec node "$here/search_queries.mjs" "$@"
