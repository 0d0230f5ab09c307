#!/usr/bin/env bash
# Runs the search browser test (search_queries.mjs) after checking that what it
# needs is installed: Node.js, Chromium and a CJK font.
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
exec node "$here/search_queries.mjs" "$@"
