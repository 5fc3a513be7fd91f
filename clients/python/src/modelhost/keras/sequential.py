"""Sequential: a Keras-like model that trains and predicts on a modelhost server.

    model = Sequential(client=Client(url, key), name="diabetes")
    model.add(Dense(12, input_dim=8, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32)
    model.predict(x[:5])

``fit`` uploads the data as a dataset (or uses a server dataset), runs a
training job that registers a new version of the model `name`, prints the
job's progress as Keras does, and returns a History. ``predict`` and
``evaluate`` are answered by that version. Nothing is trained locally.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ..client import Client
from ..errors import ModelhostError, TrainingJobError
from ..tabular import column_from, is_numpy_array, table_from
from .evaluation import score, target_indices
from .history import History
from .layers import Layer
from .progress import ProgressPrinter

_NAME = re.compile(r"^[A-Za-z0-9._-]{1,60}$")


class Sequential:
    """A stack of layers, trained by the server as the model `name`.

    Args:
        layers: initial layers (more with ``add``).
        client: the server; default Client() (MODELHOST_URL, MODELHOST_API_KEY).
        name: the registered model's name ([A-Za-z0-9._-], at most 60).

    Attributes:
        version: the model version the last fit registered (None before).
        history: the last fit's History.
    """

    def __init__(
        self,
        layers: Optional[Sequence[Layer]] = None,
        *,
        client: Optional[Client] = None,
        name: str = "sequential",
    ) -> None:
        if not _NAME.match(name):
            raise ValueError(f"name must match [A-Za-z0-9._-]{{1,60}}, got {name!r}")
        self.client = client if client is not None else Client()
        self.name = name
        self.layers: List[Layer] = []
        self.version: Optional[int] = None
        self.history: Optional[History] = None
        self._compile: Dict[str, Any] = {}
        self._targets: Dict[int, Dict[str, Any]] = {}  # version → its summary's target
        for layer in layers or ():
            self.add(layer)

    def add(self, layer: Layer) -> None:
        """Appends a layer."""
        if not isinstance(layer, Layer):
            raise TypeError(f"expected a modelhost.keras layer, got {type(layer).__name__}")
        self.layers.append(layer)

    def compile(
        self,
        optimizer: Union[str, Mapping[str, Any]] = "rmsprop",
        loss: Optional[str] = None,
        metrics: Optional[Sequence[str]] = None,
    ) -> None:
        """Chooses the optimizer (a name, or {"class_name", "config"}), loss and metrics.

        Checked by the server when fit starts the job.
        """
        self._compile = {"optimizer": optimizer if isinstance(optimizer, str) else dict(optimizer)}
        if loss is not None:
            self._compile["loss"] = loss
        if metrics is not None:
            self._compile["metrics"] = list(metrics)

    def get_config(self) -> Dict[str, Any]:
        """The network as the server's short-form spec: {"input_dim", "layers"}."""
        spec: Dict[str, Any] = {"layers": [layer.spec() for layer in self.layers if layer.spec()]}
        if not spec["layers"]:
            raise ValueError("the model has no layers: add some first")
        input_dim = self.layers[0].input_dim
        if input_dim is not None:
            spec["input_dim"] = input_dim
        return spec

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: Optional[int] = None,
        epochs: int = 1,
        verbose: Union[int, str] = "auto",
        callbacks: None = None,
        validation_split: float = 0.0,
        validation_data: None = None,
        shuffle: bool = True,
        class_weight: Optional[Mapping[Any, float]] = None,
        *,
        seed: Optional[int] = None,
        test_split: Optional[float] = None,
        pipeline: Optional[Mapping[str, Any]] = None,
        early_stopping: Optional[Mapping[str, Any]] = None,
    ) -> History:
        """Trains the model on the server; returns its History.

        `x` and `y` are features and targets (lists, numpy arrays, pandas
        objects), uploaded as the dataset "<name>-fit"; or `x` is a server
        dataset (id or name) and `y` its target column. `pipeline`
        ({"steps": [...]}) prepares the features on the server and is kept
        in the model, so predict takes raw inputs. `seed` makes the run
        repeatable; `test_split` holds out the last rows for a final
        evaluation (in ``history.job["test"]``).

        Prints progress as Keras does (verbose "auto"/1: a bar, 2: a line
        per epoch, 0: nothing). Interrupting (Ctrl-C) cancels the job.
        Raises TrainingJobError when the job fails, ModelhostError subclasses
        when the server refuses the request.
        """
        if callbacks is not None or validation_data is not None:
            raise ValueError(
                "callbacks and validation_data are not supported by the server: "
                "use validation_split and early_stopping={'monitor': ..., 'patience': ...}"
            )
        verbose = 1 if verbose == "auto" else int(verbose)
        dataset, target, samples = self._training_data(x, y)
        fit: Dict[str, Any] = {"epochs": epochs, "batch_size": batch_size or 32, "shuffle": shuffle}
        if validation_split:
            fit["validation_split"] = validation_split
        optional = (("seed", seed), ("test_split", test_split), ("early_stopping", early_stopping))
        fit.update({key: value for key, value in optional if value is not None})
        if class_weight is not None:
            fit["class_weight"] = {str(label): weight for label, weight in class_weight.items()}
        job = self.client.jobs.create(
            dataset,
            target,
            self.name,
            pipeline=pipeline,
            model=self.get_config(),
            compile=self._compile or None,
            fit=fit,
        )
        final = self._follow(job["id"], verbose)
        if final.get("state") != "succeeded":
            raise TrainingJobError(final)
        self.version = int(final["model"]["version"])
        self.history = History(final, {"epochs": epochs, "batch_size": fit["batch_size"], "samples": samples})
        return self.history

    def predict(self, x: Any, batch_size: Optional[int] = None, verbose: Union[int, str] = 0) -> Any:
        """The model's outputs for `x`, as Keras gives them: one row per input,
        [p] for a two-class target (the probability of the second class),
        [p_0, ..., p_k] for more classes, [value] for a number.

        Served by the version the last fit registered (before any fit: the
        model's production alias, else its latest version). A numpy array
        (float32) when `x` is one, else lists. `batch_size` bounds the rows
        per request.
        """
        outputs, _ = self._outputs(x, batch_size)
        if is_numpy_array(x) or type(x).__module__.startswith("pandas"):
            import numpy  # only reached when the caller has numpy

            return numpy.asarray(outputs, dtype=numpy.float32)
        return outputs

    def evaluate(
        self, x: Any, y: Any, batch_size: Optional[int] = None, verbose: Union[int, str] = 0, return_dict: bool = False
    ) -> Union[float, List[float], Dict[str, float]]:
        """The loss and compiled metrics on (`x`, `y`), as Keras's evaluate returns them:
        the loss alone without metrics, else [loss, *metrics] (or a dict).

        Computed here from served predictions (see modelhost.keras.evaluation).
        """
        outputs, target = self._outputs(x, batch_size)
        _, values = column_from(y)
        if target["encoding"] != "value":
            values = target_indices(values, target["labels"])
        names = ["loss"] + list(self._compile.get("metrics", []))
        loss = self._compile.get("loss") or target.get("loss")
        results = {
            name: score(loss if name == "loss" else name, target["encoding"], outputs, values) for name in names
        }
        if return_dict:
            return results
        return results["loss"] if len(names) == 1 else [results[name] for name in names]

    def _training_data(self, x: Any, y: Any) -> "tuple[str, str, Optional[int]]":
        """The dataset and target a job trains on: a server dataset, or x and y uploaded."""
        if isinstance(x, str):
            if not isinstance(y, str):
                raise ValueError("with a server dataset as x, y must be its target column's name")
            return x, y, None
        if x is None or y is None:
            raise ValueError("fit needs x and y (or a server dataset name and a target column)")
        features = table_from(x)
        target_name, targets = column_from(y)
        if len(targets) != len(features.rows):
            raise ValueError(f"x has {len(features.rows)} rows but y has {len(targets)}")
        columns = features.columns or [f"x{index}" for index in range(len(features.rows[0]) if features.rows else 0)]
        if target_name is None or target_name in columns:
            target_name = next(name for name in ("y", "target", "__target__") if name not in columns)
        rows = [row + [value] for row, value in zip(features.rows, targets)]
        dataset = self.client.datasets.upload(rows, name=f"{self.name}-fit", columns=columns + [target_name])
        return dataset["id"], target_name, len(rows)

    def _follow(self, job: str, verbose: int) -> Dict[str, Any]:
        printer = ProgressPrinter(verbose, self._compile.get("metrics", []))
        final: Dict[str, Any] = {}
        try:
            for event in self.client.jobs.watch(job):
                printer.on_event(event)
                if event.event == "end":
                    final = event.data
        except KeyboardInterrupt:
            try:
                self.client.jobs.cancel(job)
            except ModelhostError:
                pass  # it ended meanwhile
            raise
        return final

    def _target(self, version: int) -> Dict[str, Any]:
        if version not in self._targets:
            summary = self.client.models.version(self.name, version).get("summary") or {}
            self._targets[version] = dict(summary.get("target") or {}, loss=summary.get("loss"))
        return self._targets[version]

    def _outputs(self, x: Any, batch_size: Optional[int]) -> "tuple[List[List[float]], Dict[str, Any]]":
        """Keras-style output rows for `x`, and the target of the version that answered."""
        answer = self.client.predict(self.name, x, version=self.version, batch_size=batch_size or 1024)
        target = self._target(int(answer["model_version"]))
        return [_output_row(prediction, target) for prediction in answer["predictions"]], target

    def summary(self) -> None:
        """Prints the layers, as far as the client knows them (the server checks widths)."""
        print(f'Model: "{self.name}"' + (f" (version {self.version})" if self.version else ""))
        for index, layer in enumerate(self.layers):
            print(f"  {index}: {layer!r}")


def _output_row(prediction: Mapping[str, Any], target: Mapping[str, Any]) -> List[float]:
    """One prediction as Keras's output row."""
    if "probability" in prediction:
        return [float(prediction["probability"])]
    if "probabilities" in prediction:
        return [float(prediction["probabilities"][label]) for label in target["labels"]]
    return [float(prediction["prediction"])]
