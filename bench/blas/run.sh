#!/usr/bin/env bash
# bench/blas/run.sh [BUILD_DIR]: sgemm of OpenBLAS (cblas_sgemm, what src/nn
# uses) against oneDNN (dnnl_sgemm) at the nn engine's shapes, side by side in
# one run (see bench/README.md, "blas"). Builds nothing: BUILD_DIR (default
# build/release) must hold bench/blas_bench, which is only built when
# libdnnl-dev is installed (a benchmark dependency only).
#
# First checks that both libraries compute the same products, then, for each
# thread count in THREADS (default "1 2") and ROUNDS rounds (default 3), runs
# one blas_bench process per library, alternating which goes first. Each
# process prints µs per call (median over blocks of calls) per shape; the
# table shows the median over rounds, GFLOP/s from it, and the ratio
# oneDNN ÷ OpenBLAS in GFLOP/s (> 1: oneDNN faster). The "step" rows add up
# the products one training step runs (the first layer's input gradient is
# not computed by the engine). MIN_TIME (seconds per shape, default 0.3).
# Exit 0 when it measured, 2 when it could not.
set -euo pipefail

BUILD_DIR=${1:-build/release}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-"1 2"}
MIN_TIME=${MIN_TIME:-0.3}
BENCH="$BUILD_DIR/bench/blas_bench"

if [[ ! -x "$BENCH" ]]; then
  echo "blas: $BENCH not found; install libdnnl-dev and build with" \
    "-DMODELHOST_BUILD_BENCH=ON --target blas_bench" >&2
  exit 2
fi

echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)," \
  "load before:$(uptime | sed 's/.*load average://')"
if ! "$BENCH" check >/dev/null; then
  "$BENCH" check >&2 || true
  echo "blas: the two libraries disagree" >&2
  exit 2
fi

RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT
for threads in $THREADS; do
  for ((round = 0; round < ROUNDS; ++round)); do
    libs=(openblas dnnl)
    ((round % 2)) && libs=(dnnl openblas)
    for lib in "${libs[@]}"; do
      # oneDNN runs on GNU OpenMP. With its default wait policy (spin) and 2
      # threads on a loaded 2-CPU box, a team member that lost its CPU stalls
      # the call for a whole time slice (~12 ms where 1.3 ms is the work), so
      # oneDNN runs with OMP_WAIT_POLICY=PASSIVE, its best setting here.
      OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE \
        "$BENCH" time --lib "$lib" --threads "$threads" --min-time "$MIN_TIME" |
        tee -a "$RESULTS/raw"
    done
  done
done
echo "# load after:$(uptime | sed 's/.*load average://')"

echo
awk '
  function field(key,   i, kv) {
    for (i = 1; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == key) return kv[2] }
    return ""
  }
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; ++i) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; --j) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    lib = field("lib"); th = field("threads"); s = field("shape")
    key = th SUBSEP s
    if (!(key in seen)) { seen[key] = 1; order[++count] = key }
    us[key, lib] = us[key, lib] " " field("us")
    flop[key] = 2 * field("m") * field("n") * field("k")
    desc[key] = field("op") " " field("m") "x" field("n") "x" field("k")
    engine[key] = field("engine")
  }
  END {
    printf "%-7s %-12s %-16s %12s %12s %10s %10s %8s\n", "threads", "shape", "op m x n x k", "OpenBLAS us", "oneDNN us", "OB GF/s", "DNNL GF/s", "DNNL/OB"
    for (i = 1; i <= count; ++i) {
      key = order[i]; split(key, p, SUBSEP); th = p[1]; s = p[2]
      o = median(us[key, "openblas"]); d = median(us[key, "dnnl"])
      printf "%-7s %-12s %-16s %12.3f %12.3f %10.2f %10.2f %8.2f\n", th, s, desc[key], o, d, flop[key] / (o * 1e3), flop[key] / (d * 1e3), o / d
      if (engine[key] == 1) {
        model = s; sub(/\..*/, "", model)
        if (model != "square") { step_o[th, model] += o; step_d[th, model] += d; step_f[th, model] += flop[key] }
        if (!(th in th_seen)) { th_seen[th] = 1; th_order[++th_count] = th }
      }
    }
    print ""
    printf "%-7s %-29s %12s %12s %10s %10s %8s\n", "threads", "training step (engine GEMMs)", "OpenBLAS us", "oneDNN us", "OB GF/s", "DNNL GF/s", "DNNL/OB"
    split("seed mlp", names, " ")
    for (t = 1; t <= th_count; ++t) for (m = 1; m <= 2; ++m) {
      k = th_order[t] SUBSEP names[m]
      printf "%-7s %-29s %12.3f %12.3f %10.2f %10.2f %8.2f\n", th_order[t], names[m], step_o[k], step_d[k], step_f[k] / (step_o[k] * 1e3), step_f[k] / (step_d[k] * 1e3), step_o[k] / step_d[k]
    }
  }
' "$RESULTS/raw"
