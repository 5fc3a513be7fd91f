"""modelhost: a Python client for the modelhost model-as-a-service server.

Standard library only; numpy arrays and pandas DataFrames are accepted when
those are installed. ``modelhost.keras`` offers a Keras-like Sequential model
that trains and predicts on the server.
"""

from ._version import __version__
from .client import Client
from .errors import (
    AuthError,
    ConflictError,
    ForbiddenError,
    InvalidArgumentError,
    ModelhostConnectionError,
    ModelhostError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    ServerError,
    TrainingJobError,
    UnavailableError,
)
from .events import Event
from .retry import RetryPolicy

__all__ = [
    "__version__",
    "AuthError",
    "Client",
    "ConflictError",
    "Event",
    "ForbiddenError",
    "InvalidArgumentError",
    "ModelhostConnectionError",
    "ModelhostError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "RetryPolicy",
    "ServerError",
    "TrainingJobError",
    "UnavailableError",
]
