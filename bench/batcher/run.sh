#!/usr/bin/env bash
# bench/batcher/run.sh [BUILD_DIR] [batcher_bench flags...]: the dynamic
# batcher's throughput with batching on vs off, side by side in one run (see
# bench/batcher/README.md). Builds nothing: BUILD_DIR (default build/release)
# must hold bench/batcher_bench (configure with -DMODELHOST_BUILD_BENCH=ON,
# build --target batcher_bench). Exit 0 when the on/off ratio meets --goal
# (default 3x), 1 when not, 2 when the binary is missing.
set -euo pipefail

BUILD_DIR=${1:-build/release}
shift || true
BENCH="$BUILD_DIR/bench/batcher_bench"
if [[ ! -x "$BENCH" ]]; then
  echo "batcher: $BENCH not found; build with -DMODELHOST_BUILD_BENCH=ON --target batcher_bench" >&2
  exit 2
fi
exec "$BENCH" "$@"
