#!/usr/bin/env bash
# Runs the headless Chromium tests (browser.mjs) after checking that what they
# need is installed: Node.js, Chromium and a CJK font.
# Usage: browser.sh BULLETIN_EXE SOURCE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
missing=()
command -v node >/dev/null || missing+=("nodejs")
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || missing+=("chromium")
[[ -n $(fc-list :lang=zh family 2>/dev/null) ]] || missing+=("fonts-wqy-microhei")
if ((${#missing[@]})); then
  echo "browser: missing ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
# The project is served from a copy without node_modules: let `bulletin serve`
# find the repository's pinned Pagefind on the PATH, so that search is tested.
source_dir=${2:-$(cd "$here/../.." && pwd)}
[[ -d $source_dir/node_modules/.bin ]] && export PATH="$source_dir/node_modules/.bin:$PATH"
exec node "$here/browser.mjs" "$@"
