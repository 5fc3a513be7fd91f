"""Evaluation: Keras's losses and metrics computed from served predictions.

The server has no evaluate route, so ``Sequential.evaluate`` asks it for
predictions and scores them here, as Keras does: probabilities clipped to
[ε, 1 - ε], ε = 1e-7 as a float32, for the cross-entropies (1 - ε rounded to
float32 for the binary one, which the server computes in float32, so the
two agree where the clip is active), a 0.5 threshold for binary accuracy. The loss has no regularization penalty (Keras's evaluate adds it;
the two agree for networks without kernel regularizers).
"""

from __future__ import annotations

import math
import struct
from typing import Any, Callable, Dict, List, Sequence


def _float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


_EPSILON = _float32(1e-7)
_BINARY_UPPER = _float32(1 - _EPSILON)

# Keras's long and short names for the same function.
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "acc": "accuracy"}


def target_indices(values: Sequence[Any], labels: Sequence[str]) -> List[int]:
    """The class index of each target value, by the model's labels ("0", "1", "yes", ...)."""
    position = {label: index for index, label in enumerate(labels)}
    indices = []
    for value in values:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        if text not in position:
            raise ValueError(f"target value {value!r} is not one of the model's classes {list(labels)}")
        indices.append(position[text])
    return indices


def score(
    name: str, encoding: str, outputs: Sequence[Sequence[float]], targets: Sequence[Any]
) -> float:
    """The loss or metric `name` of model `outputs` (as predict returns them) against `targets`.

    `targets` are class indices for class encodings, numbers for "value".
    Raises ValueError for a name this client does not compute.
    """
    function = _FUNCTIONS.get(_ALIASES.get(name, name))
    if function is None:
        raise ValueError(f"evaluate cannot compute '{name}' (supported: {sorted(_FUNCTIONS)})")
    if not targets:
        raise ValueError("evaluate needs at least one row")
    return function(encoding, outputs, targets)


def _crossentropy(encoding: str, outputs: Sequence[Sequence[float]], targets: Sequence[Any]) -> float:
    total = 0.0
    for output, target in zip(outputs, targets):
        if encoding == "binary":
            p = min(max(output[0], _EPSILON), _BINARY_UPPER)
            total -= math.log(p) if target == 1 else math.log(1 - p)
        else:
            total -= math.log(min(max(output[int(target)], _EPSILON), 1 - _EPSILON))
    return total / len(targets)


def _accuracy(encoding: str, outputs: Sequence[Sequence[float]], targets: Sequence[Any]) -> float:
    if encoding == "binary":
        hits = sum((output[0] > 0.5) == (target == 1) for output, target in zip(outputs, targets))
    elif encoding == "value":
        hits = sum(output[0] == target for output, target in zip(outputs, targets))
    else:
        hits = sum(max(range(len(output)), key=output.__getitem__) == target for output, target in zip(outputs, targets))
    return hits / len(targets)


def _squared_error(encoding: str, outputs: Sequence[Sequence[float]], targets: Sequence[Any]) -> float:
    return sum((output[0] - float(target)) ** 2 for output, target in zip(outputs, targets)) / len(targets)


def _absolute_error(encoding: str, outputs: Sequence[Sequence[float]], targets: Sequence[Any]) -> float:
    return sum(abs(output[0] - float(target)) for output, target in zip(outputs, targets)) / len(targets)


_FUNCTIONS: Dict[str, Callable[[str, Sequence[Sequence[float]], Sequence[Any]], float]] = {
    "binary_crossentropy": _crossentropy,
    "categorical_crossentropy": _crossentropy,
    "sparse_categorical_crossentropy": _crossentropy,
    "accuracy": _accuracy,
    "mean_squared_error": _squared_error,
    "mean_absolute_error": _absolute_error,
}
