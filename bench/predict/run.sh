#!/usr/bin/env bash
# The predict benchmark (issue 5): the real server on loopback serving a Pima
# model (trained here with the seed network and a median-impute + standardize
# pipeline, uploaded as a bundle), loaded by wrk with one instance per request.
#
#   bench/predict/run.sh [BUILD_DIR]        (default build/release)
#
# 1. Predict vs health: one server (default batching), wrk -t2 -c64 against
#    POST /v1/models/pima:predict and GET /v2/health/live, alternating, ROUNDS
#    rounds. Goal: predictions/s >= 50% of the health route's requests/s.
# 2. Batching on vs off: two servers, default batching and --max-batch-size 1,
#    wrk -t2 -c256 against :predict, alternating. Goal: on >= 3x off. The
#    health probe at 256 connections is measured too: no prediction, batched
#    or not, can beat it, so health / off is the most batching could give.
#    The seed model's forward pass is a few microseconds of a ~35 us request
#    (HTTP, JSON, the pipeline), so batching can save little there. The same
#    two servers also serve "pima-wide" (the same data and pipeline, Dense
#    512-512 hidden layers: a forward pass that dominates the request), to show
#    what batching does where the model is the cost. The goal's verdict is the
#    seed model's.
# Both servers get 2 I/O threads; wrk shares the machine's CPUs with them, so
# the ratios, not the absolute figures, are what travels. Medians of ROUNDS.
# Exit status: 0 both goals met, 1 a goal missed, 2 could not measure.
#
# Environment: WRK_DURATION (default 10s), ROUNDS (default 3), WARMUP (3s),
# EXTRA_SERVE_ARGS (added to the batching-on server, e.g. "--max-queue-delay-us 0").
set -euo pipefail

BUILD_DIR=${1:-build/release}
DURATION=${WRK_DURATION:-10s}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3s}
THREADS=2
GOAL_HEALTH_RATIO=0.50
GOAL_BATCHING_RATIO=3.0

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODELHOST_BIN="$BUILD_DIR/modelhost"
PIMA="$ROOT/tests/data/pima_indians_diabetes_na.csv"

die() { echo "run.sh: $*" >&2; exit 2; }
# shellcheck source=../wrk_helpers.sh
source "$HERE/../wrk_helpers.sh"
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
command -v curl >/dev/null || die "curl not found"
[[ -x "$MODELHOST_BIN" ]] || die "$MODELHOST_BIN missing: build the modelhost target"

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/modelhost-bench-predict.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT

echo "training the Pima model (seed network, impute + standardize) ..."
cat >"$WORK_DIR/pipeline.json" <<'JSON'
{"steps": [{"op": "impute", "columns": "numeric", "strategy": "median"},
           {"op": "standardize", "columns": "numeric"}]}
JSON
"$MODELHOST_BIN" train --data "$PIMA" --target diabetes --pipeline "$WORK_DIR/pipeline.json" \
  --epochs 20 --seed 2 --out "$WORK_DIR/model" >"$WORK_DIR/train.log" 2>&1 ||
  die "training failed: $(tail -5 "$WORK_DIR/train.log")"
tar -C "$WORK_DIR/model" -cf "$WORK_DIR/bundle.tar" .
cat >"$WORK_DIR/wide.json" <<'JSON'
{"layers": [{"dense": 512, "activation": "relu"}, {"dense": 512, "activation": "relu"},
            {"dense": 1, "activation": "sigmoid"}]}
JSON
"$MODELHOST_BIN" train --data "$PIMA" --target diabetes --pipeline "$WORK_DIR/pipeline.json" \
  --model "$WORK_DIR/wide.json" --epochs 2 --seed 2 --out "$WORK_DIR/wide" \
  >"$WORK_DIR/train-wide.log" 2>&1 || die "training the wide model failed: $(tail -5 "$WORK_DIR/train-wide.log")"
tar -C "$WORK_DIR/wide" -cf "$WORK_DIR/wide.tar" .

# serve NAME ARGS...: starts a server with its own data directory, waits for
# "listening on URL", uploads the bundles as models pima and pima-wide; sets URL_<NAME>,
# KEY_<NAME>, PID_<NAME>.
serve() {
  local name=$1; shift
  local data="$WORK_DIR/data-$name"
  "$MODELHOST_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$data" --threads "$THREADS" \
    --log-level warn "$@" >"$WORK_DIR/$name.out" 2>"$WORK_DIR/$name.err" &
  local pid=$! url=""
  PIDS+=("$pid")
  for _ in $(seq 1 200); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$WORK_DIR/$name.out" | head -1)
    [[ -n "$url" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n "$url" ]] || die "server $name did not start: $(cat "$WORK_DIR/$name.err")"
  local key
  key=$(cat "$data/admin.key")
  curl -fsS -X POST -H "Authorization: Bearer $key" --data-binary "@$WORK_DIR/bundle.tar" \
    "$url/v1/models/pima/versions" >/dev/null || die "uploading the bundle to $name failed"
  curl -fsS -X POST -H "Authorization: Bearer $key" --data-binary "@$WORK_DIR/wide.tar" \
    "$url/v1/models/pima-wide/versions" >/dev/null || die "uploading the wide bundle to $name failed"
  printf -v "URL_$name" '%s' "$url"
  printf -v "KEY_$name" '%s' "$key"
  printf -v "PID_$name" '%s' "$pid"
}


# One instance per request: row 1 of the Pima file, its NA insulin as null
# (the pipeline imputes it).
export PREDICT_BODY='{"instances": [{"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": null, "mass": 33.6, "pedigree": 0.627, "age": 50}]}'

ERRORS=0
# load LABEL SERVER ROUTE CONNECTIONS: one wrk run (ROUTE predict, predict-wide or health);
# appends "req/s p50 p99 server-CPU-us/request" to $WORK_DIR/LABEL.results.
load() {
  local label=$1 server=$2 route=$3 connections=$4
  local url_var="URL_$server" key_var="KEY_$server" pid_var="PID_$server"
  local log="$WORK_DIR/$label.wrk.$(date +%s%N)"
  local ticks_before
  ticks_before=$(cpu_ticks "${!pid_var}")
  if [[ $route == predict* ]]; then
    local model=pima
    [[ $route == predict-wide ]] && model=pima-wide
    MODELHOST_KEY=${!key_var} wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency \
      -s "$HERE/predict.lua" "${!url_var}/v1/models/$model:predict" >"$log"
  else
    wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency "${!url_var}/v2/health/live" >"$log"
  fi
  local ticks=$(( $(cpu_ticks "${!pid_var}") - ticks_before ))
  if grep -qE 'Non-2xx|Socket errors' "$log"; then
    echo "run.sh: $label answered with errors:" >&2
    grep -E 'Non-2xx|Socket errors' "$log" | sed 's/^/  /' >&2
    ERRORS=1
  fi
  local rps requests
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  requests=$(awk '/requests in/ {print $1}' "$log")
  [[ -n "$rps" && -n "$requests" ]] || die "could not read wrk output for $label: $(cat "$log")"
  echo "$rps $(to_ms "$(awk '$1 == "50%" {print $2}' "$log")")" \
    "$(to_ms "$(awk '$1 == "99%" {print $2}' "$log")")" \
    "$(awk -v t="$ticks" -v hz="$CLOCK_TICKS" -v n="$requests" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')" \
    >>"$WORK_DIR/$label.results"
}


row() {
  printf '%-28s %12.0f %10.3f %10.3f %12.2f   (rounds: %s)\n' "$1" "$(median "$1" 1)" \
    "$(median "$1" 2)" "$(median "$1" 3)" "$(median "$1" 4)" \
    "$(awk '{printf "%s%.0f", (NR > 1 ? " | " : ""), $1}' "$WORK_DIR/$1.results")"
}

# shellcheck disable=SC2086
serve on ${EXTRA_SERVE_ARGS:-}
serve off --max-batch-size 1
echo "batching on: $URL_on   batching off: $URL_off"
curl -fsS -X POST -H "Authorization: Bearer $KEY_on" -H 'Content-Type: application/json' \
  --data "$PREDICT_BODY" "$URL_on/v1/models/pima:predict" >"$WORK_DIR/sample.json" ||
  die "a sample prediction failed"
echo "sample answer: $(cat "$WORK_DIR/sample.json")"

echo "warm-up ($WARMUP each) ..."
for server in on off; do
  for model in pima pima-wide; do
    MODELHOST_KEY=$(eval echo "\$KEY_$server") wrk -t"$THREADS" -c64 -d"$WARMUP" \
      -s "$HERE/predict.lua" "$(eval echo "\$URL_$server")/v1/models/$model:predict" >/dev/null
  done
done

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS ..."
  if ((round % 2)); then
    load predict_c64 on predict 64; load health_c64 on health 64
    load batching_on_c256 on predict 256; load batching_off_c256 off predict 256
    load health_c256 on health 256
    load wide_on_c256 on predict-wide 256; load wide_off_c256 off predict-wide 256
  else
    load health_c64 on health 64; load predict_c64 on predict 64
    load health_c256 on health 256
    load batching_off_c256 off predict 256; load batching_on_c256 on predict 256
    load wide_off_c256 off predict-wide 256; load wide_on_c256 on predict-wide 256
  fi
done

echo
echo "median of $ROUNDS rounds (wrk -t$THREADS -d$DURATION --latency; $THREADS server I/O threads;" \
  "$(nproc) CPUs shared with wrk; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-28s %12s %10s %10s %12s\n' run "req/s" "p50 ms" "p99 ms" "CPU us/req"
row predict_c64
row health_c64
row batching_on_c256
row batching_off_c256
row health_c256
row wide_on_c256
row wide_off_c256

HEALTH_RATIO=$(awk -v a="$(median predict_c64 1)" -v b="$(median health_c64 1)" 'BEGIN {printf "%.3f", a / b}')
BATCH_RATIO=$(awk -v a="$(median batching_on_c256 1)" -v b="$(median batching_off_c256 1)" 'BEGIN {printf "%.2f", a / b}')
HEALTH_OK=$(awk -v r="$HEALTH_RATIO" -v g="$GOAL_HEALTH_RATIO" 'BEGIN {print (r >= g) ? "MET" : "NOT MET"}')
WIDE_RATIO=$(awk -v a="$(median wide_on_c256 1)" -v b="$(median wide_off_c256 1)" 'BEGIN {printf "%.2f", a / b}')
BATCH_OK=$(awk -v r="$BATCH_RATIO" -v g="$GOAL_BATCHING_RATIO" 'BEGIN {print (r >= g) ? "MET" : "NOT MET"}')
echo
echo "predict / health req/s at 64 connections: $HEALTH_RATIO (goal >= $GOAL_HEALTH_RATIO): $HEALTH_OK"
echo "batching on / off req/s at 256 connections: $BATCH_RATIO (goal >= $GOAL_BATCHING_RATIO): $BATCH_OK"
# A prediction is an HTTP exchange at least as costly as the health probe's,
# batched or not: the probe's req/s bounds batching-on's, so health / off bounds on / off.
CEILING=$(awk -v a="$(median health_c256 1)" -v b="$(median batching_off_c256 1)" 'BEGIN {printf "%.2f", a / b}')
echo "  the most batching could give at 256 connections (health / off req/s): $CEILING"
echo "  the same for pima-wide (forward pass bound, not the goal's model): $WIDE_RATIO"
report_goal "$([[ $HEALTH_OK == MET ]] && echo yes)" "$([[ $BATCH_OK == MET ]] && echo yes)"
