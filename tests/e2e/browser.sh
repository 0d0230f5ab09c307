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
exec node "$here/browser.mjs" "$@"
