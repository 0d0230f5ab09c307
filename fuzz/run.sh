#!/bin/bash
# Builds the fuzz targets with clang (ASan + UBSan) in their own build folder
# and runs each for a bounded time on a seed corpus taken from the sample
# project. Fails on any crash, sanitizer report, leak of an exception or hang.
#   fuzz/run.sh SOURCE_DIR BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
seconds=${3:-30}
mkdir -p "$out"
out=$(cd "$out" && pwd)
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev libfuzzer-14-dev)"; exit 1; }
if [ ! -f "$out/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$src/fuzz" -B "$out" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
cmake --build "$out" -j2 >/dev/null

# Seed corpora: the sample project's own files.
seeds="$out/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{documents,doc_no,rules,exports,templates,markdown,snapshot,front_matter}
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$seeds/documents/$n.md"
  cp "$f" "$seeds/markdown/$n.md"
  cp "$f" "$seeds/front_matter/$n.md"
  grep -h '^doc_no:' "$f" | sed 's/^doc_no: *//' > "$seeds/doc_no/$n.txt" || true
done < <(find "$src/content" "$src/tests/sites" "$src/tests/sites_invalid" -name '*.md' -print0)
find "$seeds/doc_no" -empty -delete
n=0; while IFS= read -r -d '' f; do n=$((n + 1)); cp "$f" "$seeds/rules/$n.yaml"; done < <(find "$src/data/rules" -name '*.yaml' -print0)
n=0; while IFS= read -r -d '' f; do n=$((n + 1)); cp "$f" "$seeds/exports/$n"; done < <(find "$src/data/exports" -type f -print0)
n=0; while IFS= read -r -d '' f; do n=$((n + 1)); cp "$f" "$seeds/templates/$n.mustache"; done < <(find "$src/templates" -name '*.mustache' -print0)
n=0; while IFS= read -r -d '' f; do n=$((n + 1)); cp "$f" "$seeds/snapshot/$n.yaml"; done < <(find "$src/data/published" -name 'v*.yaml' -print0)
# Inputs that once crashed a target (fuzz/regressions/<target>/) run first, every time.
[ -d "$src/fuzz/regressions" ] && for d in "$src"/fuzz/regressions/*/; do cp "$d"* "$seeds/$(basename "$d")/"; done

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:handle_abort=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in documents doc_no rules exports templates markdown snapshot front_matter; do
  work="$out/corpus/$t"
  mkdir -p "$work" "$out/crashes/$t"
  log="$out/fuzz_$t.log"
  if "$out/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$out/crashes/$t/" "$work" "$seeds/$t" >"$log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
    echo "fuzz_$t: $runs executions in ${seconds} s, no crash"
  else
    status=1
    echo "fuzz_$t: FAILED (see $log; reproducer in $out/crashes/$t/)"
    grep -E 'ERROR|SUMMARY|runtime error|terminate|Test unit written' "$log" | head -20 || true
  fi
done
exit $status
