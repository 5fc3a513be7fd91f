"""RetryPolicy: when and how long the client waits before trying a request again.

Only answers that say the server did not do the work are retried — 429 (a full
queue) and 503 (stopping or not ready) — and connections that broke or were
refused before an answer came. Every other error is raised at once: a 400 or a
409 would fail the same way again, and a timeout may mean the server is still
working on the request.

The wait before retry ``n`` (0-based) is ``initial_backoff * multiplier**n``,
capped at ``max_backoff``, with "full jitter" (a uniform draw below it) when
``jitter`` is set, so that many clients refused together do not return
together. A ``Retry-After`` header in seconds, when the server sends one,
replaces the computed wait (still capped).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, FrozenSet, Optional


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries; the defaults suit interactive use.

    Attributes:
        max_retries: retries after the first attempt (0 disables retrying). Default 3.
        initial_backoff: seconds before the first retry. Default 0.2.
        multiplier: growth of the wait per retry. Default 2.
        max_backoff: the longest single wait, in seconds. Default 5.
        jitter: draw each wait uniformly below the computed one. Default True.
        retry_statuses: HTTP statuses that are retried. Default {429, 503}.
        sleep: how to wait (a parameter so tests can record waits instead).
    """

    max_retries: int = 3
    initial_backoff: float = 0.2
    multiplier: float = 2.0
    max_backoff: float = 5.0
    jitter: bool = True
    retry_statuses: FrozenSet[int] = frozenset({429, 503})
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError("backoffs must be >= 0 and multiplier >= 1")

    def backoff(self, retry: int, retry_after: Optional[str] = None) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        if retry_after is not None:
            try:
                return min(max(float(retry_after), 0.0), self.max_backoff)
            except ValueError:
                pass  # an HTTP date: fall back to our own schedule
        wait = min(self.initial_backoff * self.multiplier**retry, self.max_backoff)
        return random.uniform(0.0, wait) if self.jitter else wait


NO_RETRY = RetryPolicy(max_retries=0)
