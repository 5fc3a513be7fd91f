"""bench/compare's peers that run in bench/.venv (Keras, pandas, polars,
pyarrow, scikit-learn) and the export of the trained Pima model for the two
peer servers. One command per process; each prints one JSON object.

  peers.py pima_keras TRAIN TEST EPOCHS THREADS
  peers.py mlp_keras THREADS ROWS
  peers.py ingest pandas|polars|pyarrow CSV
  peers.py transform sklearn|polars INPUT ROWS COLS ROUNDS OUTPUT
  peers.py adult_sklearn CSV ROUNDS OUTPUT
  peers.py export_pima MODEL_DIR OUT_DIR

Threads: run.sh/compare.py set OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and
POLARS_MAX_THREADS for every child; TensorFlow and pyarrow are set here."""
import json
import os
import sys
import time


def emit(**values):
    print(json.dumps(values))


def keras_setup(threads):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    keras.utils.set_random_seed(1)
    return keras


def pima_keras(train_path, test_path, epochs, threads):
    """The seed's Keras example, as written in the classic tutorial."""
    import numpy as np
    keras = keras_setup(int(threads))
    train = np.loadtxt(train_path, delimiter=",", skiprows=1)
    test = np.loadtxt(test_path, delimiter=",", skiprows=1)
    x, y = train[:, :-1], train[:, -1]
    mean, std = x.mean(axis=0), x.std(axis=0)
    model = keras.Sequential([
        keras.Input(shape=(8,)),
        keras.layers.Dense(10, activation="relu"),
        keras.layers.Dense(10, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit((x - mean) / std, y, epochs=int(epochs), batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate((test[:, :-1] - mean) / std, test[:, -1], verbose=0)
    emit(seconds=seconds, accuracy=float(accuracy), version=keras.__version__)


def mlp_keras(threads, rows):
    """784-512-512-10, batch 256, one epoch over ROWS random rows (as bench/nn)."""
    import numpy as np
    keras = keras_setup(int(threads))
    rows = int(rows)
    rng = np.random.default_rng(21)
    x = rng.random((rows, 784), dtype=np.float32)
    y = rng.integers(0, 10, rows)
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    model.fit(x[:4 * 256], y[:4 * 256], epochs=1, batch_size=256, verbose=0)  # warm-up: tracing
    start = time.perf_counter()
    history = model.fit(x, y, epochs=1, batch_size=256, verbose=0)
    seconds = time.perf_counter() - start
    emit(seconds=seconds, samples_per_s=rows / seconds, loss=float(history.history["loss"][-1]))


def ingest(library, path):
    """Reads the CSV into the library's table; sums every present value
    after the timing, as compare_bench does. The imports are not timed."""
    import pandas
    import polars
    import pyarrow
    import pyarrow.compute as pc
    import pyarrow.csv
    pyarrow.set_cpu_count(int(os.environ.get("OMP_NUM_THREADS", "2")))
    start = time.perf_counter()
    if library == "pandas":
        frame = pandas.read_csv(path)
        seconds = time.perf_counter() - start
        rows, missing, total = len(frame), int(frame.isna().sum().sum()), float(frame.sum().sum())
        version = pandas.__version__
    elif library == "polars":
        frame = polars.read_csv(path)
        seconds = time.perf_counter() - start
        rows = frame.height
        missing = int(sum(frame.null_count().row(0)))
        total = float(sum(v or 0.0 for v in frame.sum().row(0)))
        version = polars.__version__
    else:
        table = pyarrow.csv.read_csv(path)
        seconds = time.perf_counter() - start
        rows = table.num_rows
        missing = sum(column.null_count for column in table.columns)
        total = float(sum((pc.sum(column).as_py() or 0) for column in table.columns))
        version = pyarrow.__version__
    emit(seconds=seconds, rows=rows, missing=missing, sum=total, version=version)


def transform(library, path, rows, cols, rounds, output):
    """impute(median) -> standardize -> minmax to float32, ROUNDS times."""
    import numpy as np
    rows, cols, rounds = int(rows), int(cols), int(rounds)
    values = np.fromfile(path, dtype=np.float64).reshape(cols, rows)
    times = []
    if library == "sklearn":
        import sklearn
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, StandardScaler
        x = np.ascontiguousarray(values.T)  # what a DataFrame of the columns hands it
        for _ in range(rounds):
            start = time.perf_counter()
            pipeline = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), MinMaxScaler())
            features = pipeline.fit_transform(x).astype(np.float32)
            times.append(time.perf_counter() - start)
        version = sklearn.__version__
    else:
        import polars as pl
        frame = pl.DataFrame({f"f{c}": values[c] for c in range(cols)}).fill_nan(None)
        for _ in range(rounds):
            start = time.perf_counter()
            imputed = [pl.col(name).fill_null(pl.col(name).median()) for name in frame.columns]
            standardized = frame.select(imputed).select(
                [((pl.col(n) - pl.col(n).mean()) / pl.col(n).std(ddof=0)) for n in frame.columns])
            scaled = standardized.select(
                [((pl.col(n) - pl.col(n).min()) / (pl.col(n).max() - pl.col(n).min())).cast(pl.Float32)
                 for n in frame.columns])
            features = scaled.to_numpy()
            times.append(time.perf_counter() - start)
        version = pl.__version__
    np.ascontiguousarray(features, dtype=np.float32).tofile(output)
    emit(seconds=times, version=version)


def adult_frame(path):
    import pandas
    return pandas.read_csv(path)


def adult_sklearn(path, rounds, output):
    """Impute (median / most frequent) + standardize numeric + one-hot
    categorical through a ColumnTransformer; times the CSV read and the
    fit_transform to a dense matrix (not writing it out: pandas' to_csv of
    the 32,561 x 105 result alone takes several times the rest). Saves the
    matrix and its feature names to OUTPUT (.npz), untimed."""
    import numpy as np
    import pandas
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    times = []
    for _ in range(int(rounds)):
        start = time.perf_counter()
        frame = pandas.read_csv(path)
        features = frame.drop(columns=["income"])
        numeric = [c for c in features.columns if features[c].dtype.kind in "if"]
        categorical = [c for c in features.columns if c not in numeric]
        transformer = ColumnTransformer([
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                          OneHotEncoder(sparse_output=False)), categorical),
        ], verbose_feature_names_out=False)
        matrix = transformer.fit_transform(features)
        times.append(time.perf_counter() - start)
    names = transformer.get_feature_names_out()
    # OneHotEncoder names a column "<feature>_<category>"; modelhost "<feature>=<category>".
    renamed = []
    for name in names:
        for column in sorted(categorical, key=len, reverse=True):
            if name not in numeric and name.startswith(column + "_"):
                name = column + "=" + name[len(column) + 1:]
                break
        renamed.append(name)
    np.savez(output, matrix=matrix, names=np.array(renamed))
    emit(seconds=times, version=sklearn.__version__, rows=int(matrix.shape[0]), cols=int(matrix.shape[1]))


def read_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        blob = f.read()
    size = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + size])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(blob[8 + size + begin:8 + size + end], dtype=np.float32).reshape(info["shape"])
    return tensors


def export_pima(model_dir, out_dir):
    """The trained modelhost model (standardize + Dense 10/10/1) as (1) an
    sklearn Pipeline(StandardScaler, MLPClassifier) holding the same numbers,
    for MLServer, and (2) an .npz of the same numbers for the FastAPI app."""
    import joblib
    import numpy as np
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import LabelBinarizer, StandardScaler
    with open(os.path.join(model_dir, "pipeline.json")) as f:
        fitted = json.load(f)
    (step,) = fitted["steps"]
    assert step["op"] == "standardize" and step["columns"] == fitted["features"], step
    center, scale = np.array(step["center"]), np.array(step["scale"])
    tensors = read_safetensors(os.path.join(model_dir, "weights.safetensors"))
    layers = ["dense", "dense_1", "dense_2"]
    kernels = [tensors[f"{name}/kernel"].astype(np.float64) for name in layers]
    biases = [tensors[f"{name}/bias"].reshape(-1).astype(np.float64) for name in layers]

    scaler = StandardScaler()
    scaler.mean_, scaler.scale_, scaler.var_ = center, scale, scale ** 2
    scaler.n_features_in_, scaler.n_samples_seen_ = len(center), 1
    classifier = MLPClassifier(hidden_layer_sizes=(10, 10), activation="relu")
    classifier.coefs_, classifier.intercepts_ = kernels, biases
    classifier.n_layers_, classifier.n_outputs_, classifier.out_activation_ = 4, 1, "logistic"
    classifier.classes_ = np.array([0, 1])
    classifier._label_binarizer = LabelBinarizer().fit([0, 1])
    classifier.n_features_in_ = len(center)
    pipeline = Pipeline([("standardize", scaler), ("mlp", classifier)])

    mlserver_dir = os.path.join(out_dir, "mlserver", "pima")
    os.makedirs(mlserver_dir, exist_ok=True)
    joblib.dump(pipeline, os.path.join(mlserver_dir, "model.joblib"))
    with open(os.path.join(mlserver_dir, "model-settings.json"), "w") as f:
        json.dump({"name": "pima", "implementation": "mlserver_sklearn.SKLearnModel",
                   "parameters": {"uri": "./model.joblib", "version": "v1"}}, f)
    np.savez(os.path.join(out_dir, "pima_weights.npz"), center=center, scale=scale,
             names=np.array(fitted["features"]),
             **{f"kernel{i}": k.astype(np.float32) for i, k in enumerate(kernels)},
             **{f"bias{i}": b.astype(np.float32) for i, b in enumerate(biases)})
    emit(mlserver_dir=mlserver_dir)


def main():
    command, args = sys.argv[1], sys.argv[2:]
    {"pima_keras": pima_keras, "mlp_keras": mlp_keras, "ingest": ingest, "transform": transform,
     "adult_sklearn": adult_sklearn, "export_pima": export_pima}[command](*args)


if __name__ == "__main__":
    main()
