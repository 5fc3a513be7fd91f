#!/usr/bin/env bash
# bench/compare/run.sh [BUILD_DIR]: modelhost side by side with the tools users
# would pick instead — Keras, PyTorch, pandas, polars, pyarrow, scikit-learn,
# MLServer, FastAPI + uvicorn — in one run on this machine (issue 7; see
# bench/README.md, "compare"). Not part of `make test`.
#
# 1. Installs the peers, pinned in bench/compare/requirements.txt, into the
#    benchmark venv bench/.venv (created when missing; reinstalled when the
#    requirements change). PyTorch is Debian's python3-torch under
#    /usr/bin/python3, as in bench/nn (installed with apt-get when missing).
# 2. Configures BUILD_DIR (default build/release) as Release with
#    -DMODELHOST_BUILD_BENCH=ON and builds the targets it needs (-j2).
# 3. Runs bench/compare/compare.py: every comparison, 2 threads a side,
#    warm-up, ROUNDS (5) repeats, medians; prints one Markdown table and writes
#    it with the raw numbers to bench/results/<date>-<cpu>.{md,json}, and into
#    bench/README.md between the compare:table markers.
#
# Environment: ROUNDS, QUICK=1 (small sizes; results to bench/results/raw/,
# README untouched), ONLY=pima,mlp,ingest,transform,adult,serve,cold, and the
# sizes listed in compare.py. Exit 0 when every comparison's outputs agreed,
# 1 when one did not, 2 when it could not run.
set -euo pipefail

BUILD_DIR=${1:-build/release}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV="$ROOT/bench/.venv"
REQUIREMENTS="$HERE/requirements.txt"
cd "$ROOT"

die() { echo "compare: $*" >&2; exit 2; }
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
SUDO=()
[[ $(id -u) -ne 0 ]] && SUDO=(sudo)

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "compare: creating $VENV" >&2
  python3 -m venv "$VENV" || die "python3 -m venv failed (Debian package python3-venv)"
fi
stamp="$VENV/.compare-requirements.sha256"
if [[ ! -f "$stamp" ]] || ! sha256sum --quiet -c "$stamp" >/dev/null 2>&1; then
  echo "compare: installing the peers of $REQUIREMENTS into $VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS" >&2 ||
    die "pip install -r $REQUIREMENTS failed"
  sha256sum "$REQUIREMENTS" >"$stamp"
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "compare: installing python3-torch (the PyTorch peer) with apt-get" >&2
  "${SUDO[@]}" apt-get install -y python3-torch >&2 || echo "compare: no PyTorch; its rows will be skipped" >&2
fi

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DMODELHOST_BUILD_BENCH=ON >/dev/null ||
  die "cmake configure failed"
cmake --build "$BUILD_DIR" -j2 --target modelhost nn_bench ingest_bench transform_bench compare_bench \
  >/dev/null || die "build failed: cmake --build $BUILD_DIR -j2 --target modelhost nn_bench ingest_bench transform_bench compare_bench"

exec "$VENV/bin/python" "$HERE/compare.py" "$BUILD_DIR"
