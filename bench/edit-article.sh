#!/bin/sh
# Appends a new paragraph (a number that differs on every call) to the article
# FILE: the "one article edited" of run-incr.sh and run-build.sh. Plain sh:
# hyperfine runs --prepare under dash, which has no $RANDOM.
printf '\n第%s段。\n' "$(date +%s%N)" >> "${1:?usage: edit-article.sh FILE}"
