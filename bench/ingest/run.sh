#!/usr/bin/env bash
# bench/ingest/run.sh [BUILD_DIR]: CSV ingest of modelhost against pandas
# read_csv, side by side in one run, plus stored-dataset load against CSV
# parse, the peak memory of a streaming import, and the profile of the table
# against pandas' describe + nunique (see bench/README.md,
# "ingest"). Builds nothing: BUILD_DIR (default build/release) must hold
# bench/ingest_bench. The peer is pandas from bench/.venv (created with
# `python3 -m venv bench/.venv && bench/.venv/bin/pip install pandas` when
# missing), else Debian's python3-pandas.
#
# The CSV (SIZE_MIB, default 256 MiB: 20 numeric columns, 5 % missing) is
# generated once, deterministically, under WORK_DIR (default
# ${TMPDIR:-/tmp}/modelhost-ingest-bench). Each of ROUNDS rounds (default 5)
# parses it with both sides, alternating which goes first; the table shows
# medians (wall time, and CPU time, which a loaded machine does not
# inflate). The import runs under a budget of half the CSV's size, in a child
# process whose peak RSS getrusage reports.
#
# Exit 0 when every goal is met (≥ 5x pandas; import within its budget), 1
# when one is not, 2 when it could not measure.
set -euo pipefail

BUILD_DIR=${1:-build/release}
ROUNDS=${ROUNDS:-5}
SIZE_MIB=${SIZE_MIB:-256}
WORK_DIR=${WORK_DIR:-${TMPDIR:-/tmp}/modelhost-ingest-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH="$BUILD_DIR/bench/ingest_bench"

if [[ ! -x "$BENCH" ]]; then
  echo "ingest: $BENCH not found; build with -DMODELHOST_BUILD_BENCH=ON --target ingest_bench" >&2
  exit 2
fi
PYTHON="$ROOT/bench/.venv/bin/python"
if ! "$PYTHON" -c 'import pandas' 2>/dev/null; then
  if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    PYTHON=/usr/bin/python3
  else
    echo "ingest: installing pandas (the benchmark peer) into bench/.venv" >&2
    [[ -x "$PYTHON" ]] || python3 -m venv "$ROOT/bench/.venv"
    "$ROOT/bench/.venv/bin/pip" install -q pandas >&2 || { echo "ingest: no pandas" >&2; exit 2; }
  fi
fi

mkdir -p "$WORK_DIR"
CSV="$WORK_DIR/numeric_${SIZE_MIB}mib.csv"
STORED="$WORK_DIR/numeric_${SIZE_MIB}mib.mhds"
if [[ ! -s "$CSV" ]]; then
  echo "ingest: generating $CSV" >&2
  "$BENCH" generate "$CSV" "$SIZE_MIB"
fi
MB=$(stat -c %s "$CSV" | awk '{printf "%.1f", $1 / 1e6}')

field() { awk -v key="$1" '$1 == key { print $2 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cat "$CSV" > /dev/null  # both sides start from the page cache
ours=() theirs=() ours_cpu=() theirs_cpu=() loads=()
run_ours() {
  local out
  out=$("$BENCH" parse "$CSV")
  ours+=("$(field seconds <<<"$out")")
  ours_cpu+=("$(field cpu_seconds <<<"$out")")
}
run_theirs() {
  local out
  out=$("$PYTHON" "$HERE/pandas_peer.py" "$CSV")
  theirs+=("$(field seconds <<<"$out")")
  theirs_cpu+=("$(field cpu_seconds <<<"$out")")
}
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then
    run_ours
    run_theirs
  else
    run_theirs
    run_ours
  fi
done
PANDAS_VERSION=$("$PYTHON" -c 'import pandas; print(pandas.__version__)')

BUDGET_MIB=$((SIZE_MIB / 2))
IMPORT=$("$BENCH" import "$CSV" "$STORED" "$BUDGET_MIB")
for ((round = 1; round <= ROUNDS; round++)); do
  loads+=("$("$BENCH" load "$STORED" "$CSV" | field seconds)")
done
profiles=() peer_profiles=()
for ((round = 1; round <= ROUNDS; round++)); do
  profiles+=("$("$BENCH" profile "$STORED" | field seconds)")
  peer_profiles+=("$("$PYTHON" "$HERE/pandas_peer.py" --profile "$CSV" | field seconds)")
done
CHECKSUMS=$("$BENCH" checksum 256)

ours_s=$(printf '%s\n' "${ours[@]}" | median)
theirs_s=$(printf '%s\n' "${theirs[@]}" | median)
ours_cpu_s=$(printf '%s\n' "${ours_cpu[@]}" | median)
theirs_cpu_s=$(printf '%s\n' "${theirs_cpu[@]}" | median)
load_s=$(printf '%s\n' "${loads[@]}" | median)
peak=$(field peak_rss_mib <<<"$IMPORT")
within=$(field within_budget <<<"$IMPORT")
import_s=$(field seconds <<<"$IMPORT")
passes=$(field passes <<<"$IMPORT")
profile_s=$(printf '%s\n' "${profiles[@]}" | median)
peer_profile_s=$(printf '%s\n' "${peer_profiles[@]}" | median)

CPUS=$(nproc) awk -v mb="$MB" -v ours="$ours_s" -v theirs="$theirs_s" -v load="$load_s" -v rounds="$ROUNDS" \
    -v ocpu="$ours_cpu_s" -v tcpu="$theirs_cpu_s" -v imp="$import_s" -v peak="$peak" -v budget="$BUDGET_MIB" -v pv="$PANDAS_VERSION" \
    -v crc="$(field crc32c_gb_per_s <<<"$CHECKSUMS")" -v sha="$(field sha256_gb_per_s <<<"$CHECKSUMS")" \
    -v passes="$passes" -v prof="$profile_s" -v peer_prof="$peer_profile_s" 'BEGIN {
  printf "ingest: %.1f MB numeric CSV (20 columns, 5%% missing), median of %d rounds, %s CPUs\n", mb, rounds, ENVIRON["CPUS"]
  printf "  %-44s %9s %10s\n", "", "seconds", "MB/s"
  printf "  %-44s %9.3f %10.1f\n", "modelhost ReadCsvFile", ours, mb / ours
  printf "  %-44s %9.3f %10.1f\n", "pandas " pv " read_csv", theirs, mb / theirs
  printf "  %-44s %9.3f %10.1f\n", "modelhost ReadDataset (stored, same table)", load, mb / load
  printf "  %-44s %9.3f %10.1f\n", "modelhost ImportCsvFile (budget " budget " MiB)", imp, mb / imp
  printf "  %-44s %9.3f\n", "modelhost ProfileTable (the stored table)", prof
  printf "  %-44s %9.3f\n", "pandas describe + nunique (the same frame)", peer_prof
  printf "  CSV parse vs pandas:      %.2fx (goal >= 5x)\n", theirs / ours
  printf "  CPU time, parse:          modelhost %.3f s (all threads), pandas %.3f s: %.2fx less\n", ocpu, tcpu, tcpu / ocpu
  printf "  stored load vs CSV parse: %.2fx faster\n", ours / load
  printf "  import:                   read %d time(s); peak RSS %.1f MiB of a %d MiB budget\n", passes, peak, budget
  printf "  profile vs pandas:        %.2fx\n", peer_prof / prof
  printf "  checksums:                CRC-32C %.1f GB/s, SHA-256 %.2f GB/s\n", crc, sha
}'
status=0
awk -v ours="$ours_s" -v theirs="$theirs_s" 'BEGIN { exit !(theirs / ours >= 5) }' || status=1
[[ "$within" == 1 ]] || status=1
exit $status
