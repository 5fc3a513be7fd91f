"""Keras-like layers, described for the server's network spec (nn/network_spec.h).

Each layer knows only its own short-form entry, e.g. ``{"dense": 10,
"activation": "relu"}``; the server checks them (unknown activations,
initializers) when the job starts and names the layer at fault.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence


class Layer:
    """A layer of a Sequential model. `input_dim`, when set, is the feature count."""

    input_dim: Optional[int] = None

    def __init__(self, name: Optional[str] = None) -> None:
        self.name = name

    def spec(self) -> Dict[str, Any]:
        """The layer's entry in the short-form network spec."""
        raise NotImplementedError

    def _named(self, entry: Dict[str, Any]) -> Dict[str, Any]:
        if self.name is not None:
            entry["name"] = self.name
        return entry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec()})"


def _input_dim(input_dim: Optional[int], input_shape: Optional[Sequence[int]]) -> Optional[int]:
    if input_shape is not None:
        if len(input_shape) != 1:
            raise ValueError(f"only flat inputs are supported: input_shape=(features,), got {tuple(input_shape)}")
        return int(input_shape[0])
    return None if input_dim is None else int(input_dim)


class Input(Layer):
    """The input of the model: ``Input(shape=(8,))``, as Keras 3 writes it."""

    def __init__(self, shape: Sequence[int], name: Optional[str] = None) -> None:
        super().__init__(name)
        self.input_dim = _input_dim(None, shape)

    def spec(self) -> Dict[str, Any]:
        return {}


class Dense(Layer):
    """A fully connected layer of `units` outputs."""

    def __init__(
        self,
        units: int,
        activation: Optional[str] = None,
        *,
        input_dim: Optional[int] = None,
        input_shape: Optional[Sequence[int]] = None,
        use_bias: bool = True,
        kernel_initializer: Optional[str] = None,
        bias_initializer: Optional[str] = None,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(name)
        self.units = int(units)
        self.activation = activation
        self.input_dim = _input_dim(input_dim, input_shape)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def spec(self) -> Dict[str, Any]:
        entry: Dict[str, Any] = {"dense": self.units}
        if self.activation is not None:
            entry["activation"] = self.activation
        if not self.use_bias:
            entry["use_bias"] = False
        if self.kernel_initializer is not None:
            entry["kernel_initializer"] = self.kernel_initializer
        if self.bias_initializer is not None:
            entry["bias_initializer"] = self.bias_initializer
        return self._named(entry)


class Dropout(Layer):
    """Drops a fraction `rate` of its inputs while training."""

    def __init__(self, rate: float, *, seed: Optional[int] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        self.rate = float(rate)
        self.seed = seed

    def spec(self) -> Dict[str, Any]:
        entry: Dict[str, Any] = {"dropout": self.rate}
        if self.seed is not None:
            entry["seed"] = self.seed
        return self._named(entry)


class BatchNormalization(Layer):
    """Normalizes its inputs per batch (Keras's defaults)."""

    def __init__(self, *, momentum: float = 0.99, epsilon: float = 1e-3, name: Optional[str] = None) -> None:
        super().__init__(name)
        self.momentum = momentum
        self.epsilon = epsilon

    def spec(self) -> Dict[str, Any]:
        return self._named({"batch_normalization": {"momentum": self.momentum, "epsilon": self.epsilon}})


class Activation(Layer):
    """Applies an activation function ("relu", "sigmoid", "softmax", ...)."""

    def __init__(self, activation: str, *, name: Optional[str] = None) -> None:
        super().__init__(name)
        self.activation = activation

    def spec(self) -> Dict[str, Any]:
        return self._named({"activation": self.activation})
