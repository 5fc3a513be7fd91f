# Shell helpers shared by the benchmarks that drive a server with wrk
# (bench/http_hello/run.sh, bench/predict/run.sh). Sourced, not run.

# to_ms VALUE: wrk prints latencies as 812.00us, 1.23ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

CLOCK_TICKS=$(getconf CLK_TCK)
# cpu_ticks PID: user + system time of the whole process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# median NAME COLUMN: the median over the rounds in $WORK_DIR/NAME.results
# (one line per round, whitespace-separated columns) of column COLUMN.
median() {
  awk -v c="$2" '{print $c}' "$WORK_DIR/$1.results" | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# report_goal OK...: prints the overall verdict and exits 1 unless every OK
# is "yes" and no round saw an error response ($ERRORS).
report_goal() {
  if [[ $ERRORS -ne 0 ]]; then
    echo "goal: NOT MET (error responses, see above)"
    exit 1
  fi
  for ok in "$@"; do
    if [[ $ok != yes ]]; then
      echo "goal: NOT MET"
      exit 1
    fi
  done
  echo "goal: MET"
}
