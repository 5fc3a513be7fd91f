"""Exceptions raised by the modelhost client.

Every error the server answers becomes a subclass of :class:`ModelhostError`
chosen by HTTP status, carrying the status, the server's error code (such as
``"not_found"``) and its message, which names what was wrong and where. The
server's error shape is ``{"error": {"code": ..., "message": ...}}`` on /v1
routes and ``{"error": "..."}`` on the KServe /v2 routes; both are read.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Type


class ModelhostError(Exception):
    """Base of every error this package raises.

    Attributes:
        status: the HTTP status, or None when no answer came (a network error).
        code: the server's error code ("invalid_argument", "not_found", ...).
        message: the server's message.
        request_id: the answer's X-Request-Id, to find the request in the server's log.
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: str = "unknown",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        if self.status is None:
            return f"{self.code}: {self.message}"
        return f"HTTP {self.status} {self.code}: {self.message}"


class InvalidArgumentError(ModelhostError):
    """400: the request was malformed; the message names the field or parameter."""


class AuthError(ModelhostError):
    """401: no API key, or one the server does not know."""


class ForbiddenError(ModelhostError):
    """403: the API key lacks the scope the route needs."""


class NotFoundError(ModelhostError):
    """404: the named dataset, job, model, version, alias or key does not exist."""


class ConflictError(ModelhostError):
    """409: the resource's state does not allow this now (or it exists already)."""


class PayloadTooLargeError(ModelhostError):
    """413: the body is larger than the server accepts."""


class RateLimitedError(ModelhostError):
    """429: a server queue is full; retried automatically (see RetryPolicy)."""


class UnavailableError(ModelhostError):
    """503: the server or the model is stopping or not ready; retried automatically."""


class ServerError(ModelhostError):
    """Any other 5xx: a failure on the server's side."""


class ModelhostConnectionError(ModelhostError):
    """The server could not be reached, or the connection broke (after any retries)."""


class TrainingJobError(ModelhostError):
    """A training job ended in state failed or cancelled.

    Attributes:
        job: the final training job as the server reported it.
    """

    def __init__(self, job: Mapping[str, Any]) -> None:
        state = str(job.get("state"))
        reason = job.get("error") or state
        super().__init__(f"training job {job.get('id')} {state}: {reason}", code=state)
        self.job = dict(job)


_ERROR_BY_STATUS: Dict[int, Type[ModelhostError]] = {
    400: InvalidArgumentError,
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
    503: UnavailableError,
}


def error_from_response(status: int, body: bytes, request_id: Optional[str] = None) -> ModelhostError:
    """The exception for an answer with a non-2xx `status` and `body`.

    A body that is not the server's JSON error shape (a proxy's HTML page, say)
    becomes the message as text, with code "unknown".
    """
    code, message = "unknown", body.decode("utf-8", errors="replace").strip()
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if isinstance(document, dict):
        error = document.get("error")
        if isinstance(error, dict):
            code = str(error.get("code", code))
            message = str(error.get("message", message))
        elif isinstance(error, str):  # the KServe v2 shape
            message = error
    if not message:
        message = f"HTTP {status} without a message"
    default = ServerError if status >= 500 else ModelhostError
    cls = _ERROR_BY_STATUS.get(status, default)
    return cls(message, status=status, code=code, request_id=request_id)
