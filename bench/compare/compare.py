"""bench/compare: modelhost side by side with the tools users would pick
instead (issue 7). Run by bench/compare/run.sh, which prepares bench/.venv
and the Release build; see bench/README.md ("compare") for what each
comparison does and how to read the table.

  compare.py BUILD_DIR

Every measurement runs ROUNDS times (default 5) after a warm-up and reports
the median; every side gets 2 threads. A comparison whose outputs disagree
is reported as failed, whatever its speed. Writes bench/results/<date>-<cpu>
.{md,json} and the table section of bench/README.md between its markers.

Environment: ROUNDS, QUICK=1 (small sizes, for trying the harness out: the
results then go to bench/results/raw/ and bench/README.md is left alone),
ONLY (comma-separated sections: pima,mlp,ingest,transform,adult,serve,cold),
SIZE_MIB (ingest CSV, default 256), TRANSFORM_ROWS (1000000), EPOCHS (150),
MLP_ROWS (60000), SERVE_SECONDS (20 s of wrk load per server and request
size, cut into ROUNDS runs), SERVE_CONNECTIONS (64), WORK_DIR."""
import atexit
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
VENV_BIN = os.path.join(ROOT, "bench", ".venv", "bin")
VENV_PYTHON = os.path.join(VENV_BIN, "python")
TORCH_PYTHON = "/usr/bin/python3"
THREADS = 2
QUICK = os.environ.get("QUICK") == "1"
ROUNDS = int(os.environ.get("ROUNDS", "5"))
ONLY = set(filter(None, os.environ.get("ONLY", "").split(",")))
PIMA = os.path.join(ROOT, "tests", "data", "pima_indians_diabetes.csv")
ADULT = os.path.join(HERE, "data", "adult.csv")

# Every child: 2 threads for every thread pool we know of.
CHILD_ENV = dict(os.environ, OMP_NUM_THREADS=str(THREADS), OPENBLAS_NUM_THREADS=str(THREADS),
                 MKL_NUM_THREADS=str(THREADS), POLARS_MAX_THREADS=str(THREADS),
                 TF_NUM_INTRAOP_THREADS=str(THREADS), TF_NUM_INTEROP_THREADS="1",
                 KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, env=None, timeout=1800):
    """Runs a command; returns its stdout; raises with its stderr on failure."""
    result = subprocess.run(command, capture_output=True, text=True, env=env or CHILD_ENV,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited {result.returncode}:\n"
                           f"{result.stderr[-3000:]}")
    return result.stdout


def run_json(command, env=None):
    return json.loads(run(command, env).strip().splitlines()[-1])


def key_values(text):
    """`key value` lines or `key=value` pairs into a dict of floats/strings."""
    values = {}
    for key, value in re.findall(r"([A-Za-z_0-9]+)[= ]([^\s=]+)", text):
        try:
            values[key] = float(value)
        except ValueError:
            values[key] = value
    return values


def median(values):
    return statistics.median(values)


class Table:
    """The rows of the published table and the raw numbers behind them."""

    def __init__(self):
        self.rows = []
        self.raw = {}
        self.skipped = []

    def add(self, task, metric, modelhost, peer, peer_value, better, quality, ok, unit=""):
        """better: 'lower' (times) or 'higher' (throughput); ratio > 1 means
        modelhost does better by that factor."""
        if modelhost is None or peer_value is None:
            ratio = None
        elif better == "lower":
            ratio = peer_value / modelhost
        else:
            ratio = modelhost / peer_value
        self.rows.append(dict(task=task, metric=metric, unit=unit, modelhost=modelhost, peer=peer,
                              peer_value=peer_value, better=better, ratio=ratio, quality=quality,
                              ok=ok))
        log(f"  {task} | {metric} | modelhost {fmt(modelhost)} | {peer} {fmt(peer_value)} | "
            f"{'%.2fx' % ratio if ratio else '-'} | {quality} | {'ok' if ok else 'FAILED'}")

    def skip(self, task, reason):
        self.skipped.append(dict(task=task, reason=reason))
        log(f"  SKIPPED {task}: {reason}")


def fmt(value):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


# --------------------------------------------------------------------------
# 1. The seed's Keras example on Pima.

def split_pima(work):
    """A fixed shuffled 80/20 split of the Pima file, written as two CSVs
    (header kept) that every side reads."""
    with open(PIMA) as f:
        header, *lines = f.read().splitlines()
    order = np.random.default_rng(7).permutation(len(lines))
    cut = int(len(lines) * 0.8)
    paths = []
    for name, part in (("train", order[:cut]), ("test", order[cut:])):
        path = os.path.join(work, f"pima_{name}.csv")
        with open(path, "w") as f:
            f.write("\n".join([header] + [lines[i] for i in part]) + "\n")
        paths.append(path)
    return paths


def train_modelhost(build, train, out, epochs):
    pipeline = os.path.join(os.path.dirname(out), "pima_pipeline.json")
    with open(pipeline, "w") as f:
        json.dump({"steps": [{"op": "standardize", "columns": "numeric"}]}, f)
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    run([os.path.join(build, "modelhost"), "train", "--data", train, "--target", "diabetes",
         "--pipeline", pipeline, "--epochs", str(epochs), "--batch-size", "32", "--seed", "1",
         "--compute-threads", str(THREADS), "--out", out])
    return time.perf_counter() - start


def compare_pima(build, work, table):
    epochs = int(os.environ.get("EPOCHS", "20" if QUICK else "150"))
    train, test = split_pima(work)
    model = os.path.join(work, "pima_model")
    sides = {"modelhost": [], "keras": [], "torch": []}
    accuracy = {"modelhost": [], "keras": [], "torch": []}
    log(f"pima: seed network, {epochs} epochs, batch 32, {ROUNDS} rounds")
    for round_index in range(ROUNDS):
        seconds = train_modelhost(build, train, model, epochs)
        evaluation = run_json([os.path.join(build, "modelhost"), "evaluate", "--model", model,
                               "--data", test, "--json"])
        sides["modelhost"].append(seconds)
        accuracy["modelhost"].append(evaluation["accuracy"])
        keras = run_json([VENV_PYTHON, os.path.join(HERE, "peers.py"), "pima_keras", train, test,
                          str(epochs), str(THREADS)])
        sides["keras"].append(keras["seconds"])
        accuracy["keras"].append(keras["accuracy"])
        torch = run_json([TORCH_PYTHON, os.path.join(HERE, "torch_pima.py"), train, test,
                          str(epochs), str(THREADS)], env=dict(CHILD_ENV, OMP_WAIT_POLICY="PASSIVE"))
        sides["torch"].append(torch["seconds"])
        accuracy["torch"].append(torch["accuracy"])
        log(f"  round {round_index + 1}: " + ", ".join(
            f"{side} {sides[side][-1]:.3f} s acc {accuracy[side][-1]:.3f}" for side in sides))
    table.raw["pima"] = dict(epochs=epochs, seconds=sides, accuracy=accuracy,
                             keras_version=keras["version"], torch_version=torch["version"])
    mh_accuracy = median(accuracy["modelhost"])
    for peer, label in (("keras", "Keras 3 fit"), ("torch", "PyTorch loop")):
        peer_accuracy = median(accuracy[peer])
        # Different initial weights and shuffles: the same work shows as a test
        # accuracy within 5 points of the peer's.
        ok = mh_accuracy >= peer_accuracy - 0.05
        table.add(f"Pima seed model, {epochs} epochs (train)", "wall s", median(sides["modelhost"]),
                  label, median(sides[peer]), "lower",
                  f"test accuracy {mh_accuracy:.3f} vs {peer_accuracy:.3f}", ok)
    return model, test


# --------------------------------------------------------------------------
# 2. The 784-512-512-10 MLP.

def compare_mlp(build, table):
    rows = int(os.environ.get("MLP_ROWS", "6000" if QUICK else "60000"))
    bench = os.path.join(build, "bench", "nn_bench")
    torch_peer = os.path.join(ROOT, "bench", "nn", "torch_peer.py")
    log(f"mlp: 784-512-512-10, batch 256, one epoch of {rows} rows, {ROUNDS} rounds")
    results = {"modelhost": [], "torch": [], "keras": [], "peak": []}
    for round_index in range(ROUNDS):
        results["modelhost"].append(key_values(run([bench, "mlp", "--threads", str(THREADS),
                                                    "--rows", str(rows)])))
        results["torch"].append(key_values(run(
            [TORCH_PYTHON, torch_peer, "mlp", "--threads", str(THREADS), "--rows", str(rows)],
            env=dict(CHILD_ENV, OMP_WAIT_POLICY="PASSIVE"))))
        results["keras"].append(run_json([VENV_PYTHON, os.path.join(HERE, "peers.py"), "mlp_keras",
                                          str(THREADS), str(rows)]))
        results["peak"].append(key_values(run([bench, "peak", "--threads", str(THREADS)])))
        log(f"  round {round_index + 1}: " + ", ".join(
            f"{side} {results[side][-1]['samples_per_s']:.0f}/s" for side in ("modelhost", "torch", "keras"))
            + f", sgemm peak {results['peak'][-1]['gflops']:.1f} GFLOP/s")
    table.raw["mlp"] = dict(rows=rows, results=results)
    peak = max(r["gflops"] for r in results["peak"])
    flops_per_sample = 3.209e6  # 3 GEMMs a Dense layer, the first's input gradient excepted
    mh = median([r["samples_per_s"] for r in results["modelhost"]])
    for peer, label in (("torch", "PyTorch loop"), ("keras", "Keras 3 fit")):
        value = median([r["samples_per_s"] for r in results[peer]])
        quality = (f"same FLOPs; GFLOP/s {mh * flops_per_sample / 1e9:.1f} ({mh * flops_per_sample / 1e9 / peak:.0%}"
                   f" of sgemm peak {peak:.0f}) vs {value * flops_per_sample / 1e9:.1f}"
                   f" ({value * flops_per_sample / 1e9 / peak:.0%})")
        table.add("MLP 784-512-512-10, batch 256, 1 epoch", "samples/s", mh, label, value, "higher",
                  quality, True)


# --------------------------------------------------------------------------
# 3. Data processing.

def compare_ingest(build, work, table):
    size_mib = int(os.environ.get("SIZE_MIB", "16" if QUICK else "256"))
    csv = os.path.join(work, f"numeric_{size_mib}mib.csv")
    if not os.path.exists(csv):
        run([os.path.join(build, "bench", "ingest_bench"), "generate", csv, str(size_mib)])
    megabytes = os.path.getsize(csv) / 1e6
    log(f"ingest: {megabytes:.0f} MB CSV (20 numeric columns, 5% empty), {ROUNDS} rounds")
    with open(csv, "rb") as f:  # every side starts from the page cache
        while f.read(1 << 24):
            pass
    sides = ["modelhost", "pandas", "polars", "pyarrow"]
    results = {side: [] for side in sides}
    for round_index in range(ROUNDS):
        for side in sides if round_index % 2 == 0 else reversed(sides):
            if side == "modelhost":
                results[side].append(key_values(run([os.path.join(build, "bench", "compare_bench"),
                                                     "ingest", csv])))
            else:
                results[side].append(run_json([VENV_PYTHON, os.path.join(HERE, "peers.py"), "ingest",
                                               side, csv]))
        log(f"  round {round_index + 1}: " + ", ".join(
            f"{side} {results[side][-1]['seconds']:.3f} s" for side in sides))
    table.raw["ingest"] = dict(megabytes=megabytes, results=results)
    mh = results["modelhost"][0]
    mh_seconds = median([r["seconds"] for r in results["modelhost"]])
    for peer in sides[1:]:
        theirs = results[peer][0]
        same = (int(theirs["rows"]) == int(mh["rows"]) and int(theirs["missing"]) == int(mh["missing"])
                and abs(theirs["sum"] - mh["sum"]) <= 1e-9 * abs(mh["sum"]))
        quality = (f"rows {int(mh['rows'])}, missing {int(mh['missing'])}, sum of values "
                   f"{'equal (rel. 1e-9)' if same else 'DIFFER: %r vs %r' % (mh['sum'], theirs['sum'])}")
        table.add(f"CSV ingest, {megabytes:.0f} MB, 20 numeric columns", "MB/s",
                  megabytes / mh_seconds, f"{peer} {theirs['version']}",
                  megabytes / median([r["seconds"] for r in results[peer]]), "higher", quality, same)


def compare_transform(build, work, table):
    rows = int(os.environ.get("TRANSFORM_ROWS", "100000" if QUICK else "1000000"))
    cols = 20
    dump = os.path.join(work, "transform_input.f64")
    run([os.path.join(build, "bench", "transform_bench"), "--rows", str(rows), "--cols", str(cols),
         "--dump", dump])
    log(f"transform: impute(median) -> standardize -> minmax, {rows} x {cols}, {ROUNDS} rounds")
    outputs = {}
    seconds = {}
    ours = os.path.join(work, "transform_modelhost.f32")
    # One warm-up round on each side, not counted.
    text = run([os.path.join(build, "bench", "compare_bench"), "transform", dump, str(rows), str(cols),
                str(ROUNDS + 1), ours])
    seconds["modelhost"] = [v for k, v in sorted(key_values(text).items()) if k != "seconds_0"]
    outputs["modelhost"] = np.fromfile(ours, dtype=np.float32)
    versions = {}
    for peer in ("sklearn", "polars"):
        path = os.path.join(work, f"transform_{peer}.f32")
        result = run_json([VENV_PYTHON, os.path.join(HERE, "peers.py"), "transform", peer, dump,
                           str(rows), str(cols), str(ROUNDS + 1), path])
        seconds[peer] = result["seconds"][1:]
        versions[peer] = result["version"]
        outputs[peer] = np.fromfile(path, dtype=np.float32)
        log(f"  {peer}: {median(seconds[peer]):.3f} s (modelhost {median(seconds['modelhost']):.3f} s)")
    table.raw["transform"] = dict(rows=rows, cols=cols, seconds=seconds, versions=versions)
    for peer, label in (("sklearn", "scikit-learn"), ("polars", "polars expressions")):
        if outputs[peer].shape != outputs["modelhost"].shape:
            diff, ok = None, False
            quality = f"shapes differ: {outputs[peer].shape} vs {outputs['modelhost'].shape}"
        else:
            diff = float(np.max(np.abs(outputs[peer].astype(np.float64) - outputs["modelhost"])))
            ok = diff <= 1e-6
            quality = f"max abs diff {diff:.1e} (float32 outputs, limit 1e-6)"
        table.raw["transform"][f"max_abs_diff_{peer}"] = diff
        table.add(f"impute → standardize → minmax, {fmt(float(rows))} × {cols}", "s",
                  median(seconds["modelhost"]), f"{label} {versions[peer]}", median(seconds[peer]),
                  "lower", quality, ok)


def compare_adult(build, work, table):
    pipeline = os.path.join(work, "adult_pipeline.json")
    with open(pipeline, "w") as f:
        json.dump({"steps": [
            {"op": "impute", "columns": "numeric", "strategy": "median"},
            {"op": "impute", "columns": "categorical", "strategy": "most_frequent"},
            {"op": "standardize", "columns": "numeric"},
            {"op": "one_hot", "columns": "categorical"}]}, f)
    out = os.path.join(work, "adult_modelhost.csv")
    log(f"adult: impute + one-hot + standardize, CSV to CSV, {ROUNDS} rounds")
    ours = []
    for _ in range(ROUNDS + 1):
        start = time.perf_counter()
        run([os.path.join(build, "modelhost"), "data", "transform", ADULT, "--pipeline", pipeline,
             "--target", "income", "--out", out])
        ours.append(time.perf_counter() - start)
    ours = ours[1:]
    theirs_path = os.path.join(work, "adult_sklearn.npz")
    result = run_json([VENV_PYTHON, os.path.join(HERE, "peers.py"), "adult_sklearn", ADULT,
                       str(ROUNDS + 1), theirs_path])
    theirs = result["seconds"][1:]
    import pandas
    mine = pandas.read_csv(out).drop(columns=["income"])
    npz = np.load(theirs_path)
    reference = dict(zip([str(n) for n in npz["names"]], npz["matrix"].T))
    missing = sorted(set(reference) ^ set(mine.columns))
    if missing:
        diff, ok, quality = None, False, f"feature names differ: {missing[:6]}"
    else:
        diff = max(float(np.max(np.abs(mine[name].to_numpy(np.float64) - reference[name])))
                   for name in mine.columns)
        ok = diff <= 1e-6
        quality = f"{len(mine.columns)} features by name, max abs diff {diff:.1e} (limit 1e-6)"
    table.raw["adult"] = dict(seconds=dict(modelhost=ours, sklearn=theirs), max_abs_diff=diff)
    table.add("Adult 32 561 rows: impute + one-hot + standardize (modelhost: CSV → CSV file;"
              " peer: CSV → matrix)", "s", median(ours),
              f"scikit-learn {result['version']} ColumnTransformer", median(theirs), "lower",
              quality, ok)


# --------------------------------------------------------------------------
# 4 and 5. Serving and cold start.

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, headers=None, timeout=5):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers=dict({"Content-Type": "application/json"}, **(headers or {})))
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.read()


class Server:
    """One server process and how to ask it for Pima predictions."""

    def __init__(self, name, label):
        self.name, self.label = name, label
        self.process = None

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def pick_port(self, route):
        """For the peers, which are told their port: a free one, and the URLs."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.predict_url = self.url + route

    def spawn(self, command, log_path, env=None):
        self.log_path = log_path
        self.process = subprocess.Popen(command, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                                        env=env or CHILD_ENV, start_new_session=True)

    def predict(self, rows, names):
        """Probabilities of class 1 for the rows (lists of 8 numbers)."""
        answer = json.loads(post(self.predict_url, self.body(rows, names), self.headers))
        return self.probabilities(answer)

    def wait_ready(self, rows, names, timeout=120):
        """Polls a prediction every 10 ms until one succeeds; returns seconds
        since the process was spawned (the caller spawns right before)."""
        deadline = time.monotonic() + timeout
        body = self.body(rows, names)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {open(self.log_path).read()[-2000:]}")
            try:
                self.probabilities(json.loads(post(self.predict_url, body, self.headers, timeout=2)))
                return
            except Exception:  # not up yet
                time.sleep(0.01)
        raise RuntimeError(f"{self.name} gave no prediction within {timeout} s: "
                           f"{open(self.log_path).read()[-2000:]}")


class ModelhostServer(Server):
    def __init__(self, build, data_dir):
        super().__init__("modelhost", "modelhost")
        self.build, self.data_dir = build, data_dir
        self._url = None

    def start(self, work):
        self._url = None
        self.spawn([os.path.join(self.build, "modelhost"), "serve", "--host", "127.0.0.1", "--port", "0",
                    "--data-dir", self.data_dir, "--threads", str(THREADS), "--log-level", "warn"],
                   os.path.join(work, "modelhost-serve.log"))

    @property
    def url(self):
        if self._url is None:
            match = re.search(r"listening on (http://[0-9.]+:[0-9]+)", open(self.log_path).read())
            if not match:
                raise RuntimeError("not listening yet")
            self._url = match.group(1)
            self.key = open(os.path.join(self.data_dir, "admin.key")).read().strip()
            self.headers = {"Authorization": f"Bearer {self.key}"}
        return self._url

    @property
    def predict_url(self):
        return self.url + "/v1/models/pima:predict"

    def body(self, rows, names):
        return json.dumps({"instances": [dict(zip(names, row)) for row in rows]}).encode()

    def probabilities(self, answer):
        return [p["probability"] for p in answer["predictions"]]


class FastApiServer(Server):
    def __init__(self, weights):
        super().__init__("fastapi", "FastAPI + uvicorn, numpy")
        self.weights = weights
        self.headers = {}

    def start(self, work):
        self.pick_port("/v1/models/pima:predict")
        self.spawn([os.path.join(VENV_BIN, "uvicorn"), "fastapi_app:app", "--app-dir", HERE,
                    "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(THREADS),
                    "--log-level", "warning", "--no-access-log"],
                   os.path.join(work, "fastapi.log"), env=dict(CHILD_ENV, PIMA_WEIGHTS=self.weights,
                                                              OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"))

    body = ModelhostServer.body
    probabilities = ModelhostServer.probabilities


class MlServer(Server):
    def __init__(self, root):
        super().__init__("mlserver", "MLServer")
        self.root = root
        self.headers = {}

    def start(self, work):
        self.pick_port("/v2/models/pima/infer")
        with open(os.path.join(self.root, "settings.json"), "w") as f:
            json.dump({"host": "127.0.0.1", "http_port": self.port, "grpc_port": free_port(),
                       "metrics_port": free_port(), "parallel_workers": THREADS, "debug": False}, f)
        self.spawn([os.path.join(VENV_BIN, "mlserver"), "start", self.root],
                   os.path.join(work, "mlserver.log"),
                   env=dict(CHILD_ENV, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"))

    def body(self, rows, names):
        return json.dumps({
            "inputs": [{"name": "input-0", "shape": [len(rows), len(rows[0])], "datatype": "FP64",
                        "data": [value for row in rows for value in row]}],
            "outputs": [{"name": "predict_proba"}]}).encode()

    def probabilities(self, answer):
        (output,) = answer["outputs"]
        return output["data"][1::2]


def wrk(server, rows, names, seconds, connections, work):
    """One wrk run (bench/predict/predict.lua POSTs PREDICT_BODY); returns
    req/s, p50 and p99 ms and whether every answer was a 2xx."""
    env = dict(os.environ, PREDICT_BODY=server.body(rows, names).decode(),
               MODELHOST_KEY=getattr(server, "key", "unused"))
    output = run(["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                  os.path.join(ROOT, "bench", "predict", "predict.lua"), server.predict_url], env=env,
                 timeout=seconds + 60)

    def ms(text):
        number = float(re.match(r"[0-9.]+", text).group(0))
        return number / 1000 if text.endswith("us") else number * 1000 if re.search(r"[0-9]s$", text) else number
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    p50 = ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = bool(re.search(r"Non-2xx|Socket errors", output))
    return dict(rps=rps, p50_ms=p50, p99_ms=p99, errors=errors,
                error_lines=re.findall(r".*(?:Non-2xx|Socket errors).*", output))


def compare_serving(build, model, test, work, table, cold):
    data_dir = os.path.join(work, "modelhost-data")
    shutil.rmtree(data_dir, ignore_errors=True)
    bundle = os.path.join(work, "pima_bundle.tar")
    subprocess.run(["tar", "-C", model, "-cf", bundle, "."], check=True)
    run_json([VENV_PYTHON, os.path.join(HERE, "peers.py"), "export_pima", model, work])
    names = json.load(open(os.path.join(model, "pipeline.json")))["features"]
    with open(test) as f:
        rows = [[float(v) for v in line.split(",")[:-1]] for line in f.read().splitlines()[1:]]

    servers = [ModelhostServer(build, data_dir), MlServer(os.path.join(work, "mlserver")),
               FastApiServer(os.path.join(work, "pima_weights.npz"))]
    try:
        mh = servers[0]
        mh.start(work)
        deadline = time.monotonic() + 30
        while True:
            try:
                mh.url
                break
            except Exception:
                if time.monotonic() > deadline or mh.process.poll() is not None:
                    raise RuntimeError(f"modelhost did not start: {open(mh.log_path).read()}")
                time.sleep(0.05)
        post(mh.url + "/v1/models/pima/versions", open(bundle, "rb").read(),
             dict(mh.headers, **{"Content-Type": "application/x-tar"}))
        for server in servers[1:]:
            server.start(work)
        for server in servers:
            server.wait_ready(rows[:1], names)

        # The same work: every test row, through each server, to the same probabilities.
        reference = np.array(servers[0].predict(rows, names))
        agree = {}
        for server in servers[1:]:
            theirs = np.array(server.predict(rows, names))
            diff = float(np.max(np.abs(theirs - reference)))
            labels = bool(np.array_equal(theirs >= 0.5, reference >= 0.5))
            agree[server.name] = dict(max_abs_diff=diff, labels_equal=labels, ok=diff <= 1e-5 and labels)
            log(f"serving: {server.name} vs modelhost on {len(rows)} test rows: max abs diff {diff:.1e},"
                f" labels {'equal' if labels else 'DIFFER'}")

        if "serve" in sections():
            serve_seconds = int(os.environ.get("SERVE_SECONDS", "4" if QUICK else "20"))
            connections = int(os.environ.get("SERVE_CONNECTIONS", "64"))
            per_round = max(1, serve_seconds // ROUNDS)
            log(f"serving: wrk -t{THREADS} -c{connections}, {ROUNDS} runs of {per_round} s per server"
                " and request size, after a 2 s warm-up")
            results = {}
            for batch in (1, 32):
                for server in servers:
                    wrk(server, rows[:batch], names, 2, connections, work)  # warm-up
                for round_index in range(ROUNDS):
                    for server in servers if round_index % 2 == 0 else reversed(servers):
                        results.setdefault(f"{server.name}/{batch}", []).append(
                            wrk(server, rows[:batch], names, per_round, connections, work))
                log(f"  {batch} per request: " + ", ".join(
                    f"{s.name} {median([r['rps'] for r in results[f'{s.name}/{batch}']]):.0f} req/s"
                    for s in servers))
            table.raw["serving"] = dict(seconds_per_run=per_round, connections=connections,
                                        results=results, agreement=agree)
            for batch in (1, 32):
                ours = results[f"modelhost/{batch}"]
                mh_rps = median([r["rps"] for r in ours])
                for server in servers[1:]:
                    theirs = results[f"{server.name}/{batch}"]
                    check = agree[server.name]
                    errors = any(r["errors"] for r in ours + theirs)
                    quality = (f"p50/p99 ms {median([r['p50_ms'] for r in ours]):.2f}/"
                               f"{median([r['p99_ms'] for r in ours]):.2f} vs "
                               f"{median([r['p50_ms'] for r in theirs]):.2f}/"
                               f"{median([r['p99_ms'] for r in theirs]):.2f}; predictions max abs diff "
                               f"{check['max_abs_diff']:.1e} (limit 1e-5), labels "
                               f"{'equal' if check['labels_equal'] else 'DIFFER'}"
                               + ("; NON-2xx/SOCKET ERRORS" if errors else ""))
                    table.add(f"Serving Pima, {batch} instance{'s' if batch > 1 else ''}/request, "
                              f"{connections} connections", "req/s", mh_rps, server.label,
                              median([r["rps"] for r in theirs]), "higher", quality,
                              check["ok"] and not errors)
        for server in servers:
            server.stop()

        if cold:
            log(f"cold start: process start to first successful prediction, {ROUNDS} rounds")
            starts = {server.name: [] for server in servers}
            for _ in range(ROUNDS):
                for server in servers:
                    begin = time.perf_counter()
                    server.start(work)
                    server.wait_ready(rows[:1], names)
                    starts[server.name].append(time.perf_counter() - begin)
                    server.stop()
            table.raw["cold_start"] = starts
            for server in servers[1:]:
                table.add("Cold start: process start → first prediction", "s",
                          median(starts["modelhost"]), server.label, median(starts[server.name]),
                          "lower", "the prediction checked as above", agree[server.name]["ok"])
    finally:
        for server in servers:
            server.stop()


# --------------------------------------------------------------------------

def sections():
    every = ["pima", "mlp", "ingest", "transform", "adult", "serve", "cold"]
    return [s for s in every if not ONLY or s in ONLY]


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def render(table, meta):
    lines = [
        f"Run {meta['date']} UTC, commit {meta['commit']}, {meta['cpu']} ({meta['cpus']} CPUs), "
        f"load average {meta['load_before']} before / {meta['load_after']} after, "
        f"{meta['rounds']} rounds per measurement (medians), 2 threads per side, "
        f"{meta['minutes']} minutes of measuring"
        + (" — QUICK sizes, not for publication" if QUICK else "") + ".",
        "Ratio: how many times modelhost does better (peer time ÷ modelhost time, or modelhost "
        "throughput ÷ peer throughput); below 1 modelhost loses.",
        "",
        "| task | metric | modelhost | peer | peer value | ratio | same work? | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in table.rows:
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        lines.append(f"| {row['task']} | {row['metric']} | {fmt(row['modelhost'])} | {row['peer']} | "
                     f"{fmt(row['peer_value'])} | {ratio if row['ok'] else '—'} | {row['quality']} | "
                     f"{'ok' if row['ok'] else '**FAILED** (outputs disagree)'} |")
    for skipped in table.skipped:
        lines.append(f"| {skipped['task']} | — | — | — | — | — | not measured: {skipped['reason']} | skipped |")
    return "\n".join(lines) + "\n"


def main():
    build = os.path.abspath(sys.argv[1])
    work = os.environ.get("WORK_DIR")
    if not work:  # a temporary one (the CSV and tables take ~0.6 GB), removed at the end
        work = tempfile.mkdtemp(prefix="modelhost-compare.")
        atexit.register(shutil.rmtree, work, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    table = Table()
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                commit=subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                      capture_output=True, text=True).stdout.strip() or "unknown",
                cpu=cpu_model(), cpus=os.cpu_count(), rounds=ROUNDS, quick=QUICK,
                load_before=" ".join(open("/proc/loadavg").read().split()[:3]))
    started = time.monotonic()
    log(f"compare: {meta['cpu']}, {meta['cpus']} CPUs, load {meta['load_before']}, work dir {work}")
    chosen = sections()
    model = test = None
    steps = [
        ("pima", lambda: compare_pima(build, work, table)),
        ("mlp", lambda: compare_mlp(build, table)),
        ("ingest", lambda: compare_ingest(build, work, table)),
        ("transform", lambda: compare_transform(build, work, table)),
        ("adult", lambda: compare_adult(build, work, table)),
    ]
    for name, step in steps:
        if name not in chosen:
            continue
        try:
            result = step()
            if name == "pima":
                model, test = result
        except Exception as error:  # a peer that breaks leaves its rows out, with the reason
            table.skip(name, str(error).splitlines()[0][:300])
            log(str(error))
    if "serve" in chosen or "cold" in chosen:
        try:
            if model is None:
                train, test = split_pima(work)
                model = os.path.join(work, "pima_model")
                train_modelhost(build, train, model, 20 if QUICK else 150)
            compare_serving(build, model, test, work, table, "cold" in chosen)
        except Exception as error:
            table.skip("serving / cold start", str(error).splitlines()[0][:300])
            log(str(error))
    meta["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
    meta["minutes"] = round((time.monotonic() - started) / 60, 1)
    markdown = render(table, meta)
    print(markdown)

    stamp = meta["date"][:10]
    slug = re.sub(r"[^a-z0-9]+", "-", meta["cpu"].lower()).strip("-")
    results_dir = os.path.join(ROOT, "bench", "results", "raw" if QUICK or ONLY else "")
    os.makedirs(results_dir, exist_ok=True)
    base = os.path.join(results_dir, f"{stamp}-{slug}")
    with open(base + ".md", "w") as f:
        f.write(markdown)
    with open(base + ".json", "w") as f:
        json.dump(dict(meta=meta, rows=table.rows, skipped=table.skipped, raw=table.raw), f, indent=1)
    log(f"compare: wrote {base}.md and {base}.json")
    if not QUICK and not ONLY:
        readme = os.path.join(ROOT, "bench", "README.md")
        text = open(readme).read()
        begin, end = "<!-- compare:table:begin -->", "<!-- compare:table:end -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            note = (f"\n<!-- Generated by bench/compare/run.sh from bench/results/{stamp}-{slug}.json;"
                    " do not edit by hand. -->\n")
            with open(readme, "w") as f:
                f.write(head + begin + note + markdown + end + tail)
            log("compare: regenerated the table in bench/README.md")
        else:
            log("compare: bench/README.md has no compare:table markers; left alone")
    return 1 if any(not row["ok"] for row in table.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
