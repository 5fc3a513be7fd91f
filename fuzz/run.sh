#!/usr/bin/env bash
# Runs every libFuzzer target (each fuzz/fuzz_<name>.cc) for SECONDS each (default 600) from its seed
# corpus in fuzz/corpus/<name>; new inputs go to <build>/fuzz/corpus/<name>,
# crashes to <build>/fuzz/artifacts/. Exit status non-zero on any finding.
#
#   fuzz/run.sh [BUILD_DIR] [SECONDS]      (`make fuzz`; `make test` runs 20 s each)
set -euo pipefail
BUILD_DIR=${1:-build/fuzz}
SECONDS_EACH=${2:-600}
SOURCE_DIR=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$BUILD_DIR/fuzz/artifacts"
status=0
targets=()
for source in "$SOURCE_DIR"/fuzz_*.cc; do
  name=$(basename "$source" .cc)
  targets+=("${name#fuzz_}")
done
for target in "${targets[@]}"; do
  binary="$BUILD_DIR/fuzz/fuzz_$target"
  [[ -x "$binary" ]] || { echo "fuzz/run.sh: $binary is not built" >&2; exit 2; }
  work_corpus="$BUILD_DIR/fuzz/corpus/$target"
  mkdir -p "$work_corpus"
  echo "fuzz_$target: ${SECONDS_EACH}s"
  if ! "$binary" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$BUILD_DIR/fuzz/artifacts/$target-" \
      "$work_corpus" "$SOURCE_DIR/corpus/$target" >"$BUILD_DIR/fuzz/$target.log" 2>&1; then
    echo "fuzz_$target: FOUND A PROBLEM (log: $BUILD_DIR/fuzz/$target.log)" >&2
    tail -40 "$BUILD_DIR/fuzz/$target.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD_DIR/fuzz/$target.log" |
      sed "s/^/  /"
  fi
done
exit $status
