#!/usr/bin/env bash
# bench/nn/run.sh [BUILD_DIR]: the nn engine against PyTorch, side by side in
# one run (see bench/README.md, "nn"). Builds nothing: BUILD_DIR (default
# build/release) must hold bench/nn_bench. The PyTorch side is Debian's
# python3-torch under /usr/bin/python3; when it is missing this script
# installs it with apt-get (a benchmark peer only, never a build or test
# dependency).
#
# PyTorch's element-wise ops run on an OpenMP team and its GEMMs on
# OpenBLAS's own threads; with GNU OpenMP's default spin-waiting the idle team
# takes the CPUs the BLAS threads need (2 threads on 2 CPUs: ~10x slower), so
# the peer runs with OMP_WAIT_POLICY=PASSIVE, its best setting here.
#
# Each benchmark runs ROUNDS times (default 3), alternating which side goes
# first; the table shows the median of each side (the sgemm peak: the best
# round). Exit 0 when every goal is met, 1 when one is not, 2 when it could
# not measure. Environment: ROUNDS, EPOCHS (fit_seed, default 100), CALLS
# (predict, default 20000), MLP_THREADS (default "1 2").
set -euo pipefail

BUILD_DIR=${1:-build/release}
ROUNDS=${ROUNDS:-3}
EPOCHS=${EPOCHS:-100}
CALLS=${CALLS:-20000}
MLP_THREADS=${MLP_THREADS:-"1 2"}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$BUILD_DIR/bench/nn_bench"
PEER=(/usr/bin/python3 "$HERE/torch_peer.py")

if [[ ! -x "$BENCH" ]]; then
  echo "nn: $BENCH not found; build with -DMODELHOST_BUILD_BENCH=ON --target nn_bench" >&2
  exit 2
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "nn: installing python3-torch (the benchmark peer) with apt-get" >&2
  SUDO=()
  [[ $(id -u) -ne 0 ]] && SUDO=(sudo)
  if ! "${SUDO[@]}" apt-get install -y python3-torch >&2; then
    echo "nn: could not install python3-torch" >&2
    exit 2
  fi
fi

# field KEY LINE: the value of KEY=value in a result line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
maximum() { sort -g | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; }

# measure NAME THREADS ARGS...: runs both sides ROUNDS times (alternating
# order) and appends their result lines to $RESULTS/NAME.<side>.
RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT
measure() {
  local name=$1 threads=$2
  shift 2
  local round
  for ((round = 0; round < ROUNDS; ++round)); do
    local sides=(modelhost torch)
    ((round % 2)) && sides=(torch modelhost)
    for side in "${sides[@]}"; do
      local out
      if [[ $side == modelhost ]]; then
        out=$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads \
          "$BENCH" "$@" --threads "$threads") || { echo "nn: nn_bench $* failed" >&2; exit 2; }
      else
        out=$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE \
          "${PEER[@]}" "$@" --threads "$threads") || { echo "nn: torch_peer $* failed" >&2; exit 2; }
      fi
      echo "$out" | sed 's/^/  /' >&2
      echo "$out" >>"$RESULTS/$name.$side"
    done
  done
}
# stat NAME SIDE KEY [FILTER]: the median of KEY over the rounds.
stat() { grep -- "${4:-}" "$RESULTS/$1.$2" | while read -r line; do field "$3" "$line"; done | median; }

echo "nn: $ROUNDS rounds per benchmark, $(nproc) CPUs, load average: $(uptime | sed 's/.*load average: //')"
measure fit_seed 1 fit_seed --epochs "$EPOCHS"
measure predict 1 predict --calls "$CALLS"
for threads in $MLP_THREADS; do
  measure "mlp$threads" "$threads" mlp
  for ((round = 0; round < ROUNDS; ++round)); do
    out=$(OPENBLAS_NUM_THREADS=$threads "$BENCH" peak --threads "$threads") || exit 2
    echo "  $out" >&2
    field gflops "$out" >>"$RESULTS/peak$threads"
    awk -v s="$(field seconds "$out")" -v c="$(field cpu_seconds "$out")" -v g="$(field gflops "$out")" \
      'BEGIN {print g * s / c}' >>"$RESULTS/cpupeak$threads"
  done
done

failed=0
# row BENCHMARK METRIC MODELHOST TORCH RATIO GOAL MET
row() {
  printf '%-34s %-22s %12s %12s %8s  %-22s %s\n' "$@"
  [[ $7 == MET ]] || failed=1
}
verdict() { if at_least "$1" "$2"; then echo MET; else echo "NOT MET"; fi; }

echo
printf '%-34s %-22s %12s %12s %8s  %-22s %s\n' benchmark metric modelhost torch ratio goal status
mh=$(stat fit_seed modelhost us_per_step)
pt=$(stat fit_seed torch us_per_step)
r=$(ratio "$pt" "$mh")
row "fit_seed (1 thread, $EPOCHS epochs)" "us/step" "$mh" "$pt" "${r}x" ">= 20x faster" "$(verdict "$r" 20)"
for batch in 1 32; do
  for metric in median_us p99_us; do
    mh=$(stat predict modelhost "$metric" "batch=$batch ")
    pt=$(stat predict torch "$metric" "batch=$batch ")
    r=$(ratio "$pt" "$mh")
    row "predict $batch row(s) (1 thread)" "$metric" "$mh" "$pt" "${r}x" ">= 20x lower" "$(verdict "$r" 20)"
  done
done
for threads in $MLP_THREADS; do
  mh=$(stat "mlp$threads" modelhost samples_per_s)
  pt=$(stat "mlp$threads" torch samples_per_s)
  r=$(ratio "$mh" "$pt")
  row "mlp 784-512-512-10 ($threads thread(s))" "samples/s" "$mh" "$pt" "${r}x" ">= 1.0x torch" "$(verdict "$r" 1.0)"
  peak=$(maximum <"$RESULTS/peak$threads")
  mh=$(stat "mlp$threads" modelhost gflops)
  pt=$(stat "mlp$threads" torch gflops)
  mh_share=$(awk -v a="$mh" -v p="$peak" 'BEGIN {printf "%.0f%%", 100 * a / p}')
  pt_share=$(awk -v a="$pt" -v p="$peak" 'BEGIN {printf "%.0f%%", 100 * a / p}')
  share_met=$(verdict "$(awk -v a="$mh" -v p="$peak" 'BEGIN {print a / p}')" 0.60)
  row "mlp ($threads thread(s)), peak $peak" "GFLOP/s (% of peak)" "$mh ($mh_share)" \
    "$pt ($pt_share)" "-" ">= 60% of sgemm peak" "$share_met"  # The same per CPU-second of the process (information, not a goal): wall
  # time on a shared box counts the time other processes hold the CPUs.
  cpu_peak=$(maximum <"$RESULTS/cpupeak$threads")
  cpu_share() {
    grep . "$RESULTS/mlp$threads.$1" | while read -r line; do
      awk -v g="$(field gflops "$line")" -v s="$(field seconds "$line")" \
        -v c="$(field cpu_seconds "$line")" -v p="$cpu_peak" 'BEGIN {print 100 * g * s / c / p}'
    done | median
  }
  printf '%-34s %-22s %12s %12s %8s  %-22s %s\n' "  per CPU-second, peak $(printf %.1f "$cpu_peak")" \
    "% of peak per CPU-s" "$(printf %.0f%% "$(cpu_share modelhost)")" \
    "$(printf %.0f%% "$(cpu_share torch)")" "-" "(information)" "-"
done
echo
if ((failed)); then
  echo "nn: goal: NOT MET"
  exit 1
fi
echo "nn: goal: MET"
