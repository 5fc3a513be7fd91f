#!/usr/bin/env bash
# bench/transform/run.sh [BUILD_DIR]: Pipeline fit + transform of
# impute(median) -> standardize -> minmax on 1,000,000 x 20 float64 with 5 %
# missing, against scikit-learn's SimpleImputer + StandardScaler +
# MinMaxScaler on the same numbers, side by side in one run (see
# bench/README.md, "transform"). Builds nothing: BUILD_DIR (default
# build/release) must hold bench/transform_bench. The peer runs in a venv at
# bench/.venv (created with scikit-learn from PyPI when missing; a benchmark
# peer only, never a build or test dependency).
#
# Prints both sides' best and median of ROUNDS (default 5), the speed-up
# (median over median; also in CPU time, steadier on a shared machine), the bytes the steps must touch per second as a
# fraction of the measured memory bandwidth, and "goal: MET" (>= 10x) or
# "goal: NOT MET". Exit 0 / 1; 2 when it could not measure. Environment:
# ROWS, COLS, ROUNDS.
set -euo pipefail

BUILD_DIR=${1:-build/release}
ROWS=${ROWS:-1000000}
COLS=${COLS:-20}
ROUNDS=${ROUNDS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$BUILD_DIR/bench/transform_bench"
VENV="$HERE/../.venv"

if [[ ! -x "$BENCH" ]]; then
  echo "transform: $BENCH not found; build with -DMODELHOST_BUILD_BENCH=ON --target transform_bench" >&2
  exit 2
fi
if ! "$VENV/bin/python" -c 'import sklearn' 2>/dev/null; then
  echo "transform: creating $VENV with scikit-learn (the benchmark peer)" >&2
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q scikit-learn >&2 || {
    echo "transform: could not install scikit-learn" >&2
    exit 2
  }
fi

DATA=$(mktemp /tmp/transform_bench.XXXXXX)
trap 'rm -f "$DATA"' EXIT
"$BENCH" --rows "$ROWS" --cols "$COLS" --dump "$DATA"

field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
peer=$("$VENV/bin/python" "$HERE/sklearn_peer.py" "$DATA" "$ROWS" "$COLS" "$ROUNDS")
ours=$("$BENCH" --rows "$ROWS" --cols "$COLS" --rounds "$ROUNDS")
echo "$ours"
echo "$peer"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
speedup=$(ratio "$(field median_ms "$peer")" "$(field median_ms "$ours")")
cpu_speedup=$(ratio "$(field cpu_ms "$peer")" "$(field cpu_ms "$ours")")
echo "transform: ${ROWS} x ${COLS}: modelhost $(field median_ms "$ours") ms," \
  "scikit-learn $(field median_ms "$peer") ms (medians): ${speedup}x" \
  "(CPU time: $(field cpu_ms "$ours") ms vs $(field cpu_ms "$peer") ms, ${cpu_speedup}x);" \
  "$(field achieved_gbs "$ours") GB/s of the 12 B/value that must move =" \
  "$(field fraction "$ours") of the measured $(field bandwidth_gbs "$ours") GB/s"
if awk -v s="$speedup" 'BEGIN {exit !(s >= 10)}'; then
  echo "goal (>= 10x scikit-learn): MET"
else
  echo "goal (>= 10x scikit-learn): NOT MET"
  exit 1
fi
