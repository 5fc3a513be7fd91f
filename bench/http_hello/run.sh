#!/usr/bin/env bash
# The hello benchmark: modelhost's HTTP server against a minimal raw-epoll
# reference server (raw_epoll_server.cc), side by side in one run.
#
#   bench/http_hello/run.sh [BUILD_DIR]        (default build/release; `make bench`)
#
# Both servers get 2 threads on free loopback ports; wrk (-t2 -c64 -d10s
# --latency) loads GET /v2 on each: one warm-up, then 3 rounds alternating which
# server goes first; the table shows the median of the rounds. Goal: modelhost
# reaches >= 0.80 of the reference's requests/s with a p99 no worse.
# Beside req/s and latency it prints, per server, the CPU time it spent per
# request (utime + stime from /proc/PID/stat over the wrk run) and how often
# its threads were preempted per 1,000 requests (nonvoluntary_ctxt_switches):
# on a shared machine these explain a p99 better than req/s do.
# Exit status: 0 goal met, 1 goal missed, 2 could not measure.
#
# Environment: WRK_DURATION (default 10s), ROUNDS (default 3), WARMUP (default 3s),
# CALIBRATE=1 (A/A run: a second reference instance stands in for modelhost, so
# the printed "ratio" and p99 gap show what the machine's noise alone does).
set -euo pipefail

BUILD_DIR=${1:-build/release}
DURATION=${WRK_DURATION:-10s}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3s}
THREADS=2
CONNECTIONS=64
GOAL_RATIO=0.80

MODELHOST_BIN="$BUILD_DIR/modelhost"
REFERENCE_BIN="$BUILD_DIR/bench/raw_epoll_server"

die() { echo "run.sh: $*" >&2; exit 2; }
# shellcheck source=../wrk_helpers.sh
source "$(dirname "${BASH_SOURCE[0]}")/../wrk_helpers.sh"
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
[[ -x "$REFERENCE_BIN" ]] || die "$REFERENCE_BIN missing: configure with -DMODELHOST_BUILD_BENCH=ON"
[[ -x "$MODELHOST_BIN" ]] || die "$MODELHOST_BIN missing: build the modelhost target"

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/modelhost-bench.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT

# start NAME COMMAND... : runs the server, waits for its "listening on URL"
# line, and sets URL_<NAME>.
start() {
  local name=$1; shift
  "$@" >"$WORK_DIR/$name.out" 2>"$WORK_DIR/$name.err" &
  PIDS+=($!)
  local pid=$! url=""
  printf -v "PID_$name" '%s' "$pid"
  for _ in $(seq 1 200); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$WORK_DIR/$name.out" | head -1)
    [[ -n "$url" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z "$url" ]]; then
    echo "run.sh: $name did not start; its stderr:" >&2
    sed 's/^/  /' "$WORK_DIR/$name.err" >&2
    exit 2
  fi
  printf -v "URL_$name" '%s' "$url"
}


# preemptions PID: involuntary context switches summed over the process's threads.
preemptions() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^nonvoluntary_ctxt_switches/ {sum += $2} END {print sum + 0}'
}

# measure NAME ROUND: one wrk run; appends "rps p50 p99 cpu_us_per_request
# preemptions_per_1k_requests" to $WORK_DIR/NAME.results.
measure() {
  local name=$1 round=$2 url_var="URL_$1" pid_var="PID_$1"
  local log="$WORK_DIR/$name.wrk.$round"
  local ticks_before preempt_before
  ticks_before=$(cpu_ticks "${!pid_var}")
  preempt_before=$(preemptions "${!pid_var}")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${!url_var}/v2" >"$log"
  local ticks=$(( $(cpu_ticks "${!pid_var}") - ticks_before ))
  local preempted=$(( $(preemptions "${!pid_var}") - preempt_before ))
  if grep -qE 'Non-2xx|Socket errors' "$log"; then
    echo "run.sh: $name answered with errors in round $round:" >&2
    grep -E 'Non-2xx|Socket errors' "$log" | sed 's/^/  /' >&2
    ERRORS=1
  fi
  local rps p50 p99 requests cpu_us preempt_per_1k
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$log")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$log")")
  requests=$(awk '/requests in/ {print $1}' "$log")
  [[ -n "$rps" && -n "$requests" ]] || die "could not read wrk output for $name: $(cat "$log")"
  cpu_us=$(awk -v t="$ticks" -v hz="$CLOCK_TICKS" -v n="$requests" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')
  preempt_per_1k=$(awk -v p="$preempted" -v n="$requests" 'BEGIN {printf "%.1f", p * 1000 / n}')
  echo "$rps $p50 $p99 $cpu_us $preempt_per_1k" >>"$WORK_DIR/$name.results"
}


ERRORS=0
start reference "$REFERENCE_BIN" --host 127.0.0.1 --port 0 --threads "$THREADS"
mkdir -p "$WORK_DIR/data"
if [[ ${CALIBRATE:-0} == 1 ]]; then
  echo "CALIBRATE=1: the 'modelhost' rows below are a second reference instance (A/A run)"
  start modelhost "$REFERENCE_BIN" --host 127.0.0.1 --port 0 --threads "$THREADS"
else
  start modelhost "$MODELHOST_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$WORK_DIR/data" \
    --threads "$THREADS"
fi
echo "reference: $URL_reference   modelhost: $URL_modelhost"
curl -fsS "$URL_modelhost/v2" >/dev/null 2>&1 || echo "run.sh: warning: GET /v2 on modelhost failed" >&2

echo "warm-up ($WARMUP each) ..."
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$URL_reference/v2" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$URL_modelhost/v2" >/dev/null

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency GET /v2 ..."
  if ((round % 2)); then order="reference modelhost"; else order="modelhost reference"; fi
  for name in $order; do measure "$name" "$round"; done
done

REF_RPS=$(median reference 1); REF_P50=$(median reference 2); REF_P99=$(median reference 3)
MH_RPS=$(median modelhost 1); MH_P50=$(median modelhost 2); MH_P99=$(median modelhost 3)
REF_CPU=$(median reference 4); REF_PREEMPT=$(median reference 5)
MH_CPU=$(median modelhost 4); MH_PREEMPT=$(median modelhost 5)

echo
echo "median of $ROUNDS rounds (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $THREADS server threads," \
  "$(nproc) CPUs shared with wrk)"
printf '%-12s %12s %10s %10s %12s %16s\n' server "req/s" "p50 ms" "p99 ms" "CPU us/req" \
  "preempt/1k req"
printf '%-12s %12.0f %10.3f %10.3f %12.2f %16.1f\n' reference "$REF_RPS" "$REF_P50" "$REF_P99" \
  "$REF_CPU" "$REF_PREEMPT"
printf '%-12s %12.0f %10.3f %10.3f %12.2f %16.1f\n' modelhost "$MH_RPS" "$MH_P50" "$MH_P99" \
  "$MH_CPU" "$MH_PREEMPT"
echo "per round (req/s p50 p99 cpu-us/req preempt/1k):"
for name in reference modelhost; do
  echo "  $name: $(tr '\n' ';' <"$WORK_DIR/$name.results" | sed 's/;$//; s/;/ | /g')"
done

RATIO=$(awk -v a="$MH_RPS" -v b="$REF_RPS" 'BEGIN {printf "%.3f", a / b}')
P99_OK=$(awk -v a="$MH_P99" -v b="$REF_P99" 'BEGIN {print (a <= b) ? "yes" : "no"}')
RATIO_OK=$(awk -v r="$RATIO" -v g="$GOAL_RATIO" 'BEGIN {print (r >= g) ? "yes" : "no"}')
echo
echo "ratio modelhost/reference req/s: $RATIO (goal >= $GOAL_RATIO: $RATIO_OK)"
echo "p99 modelhost ${MH_P99} ms vs reference ${REF_P99} ms (no worse: $P99_OK)"
report_goal "$RATIO_OK" "$P99_OK"
