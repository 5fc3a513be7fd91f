"""Client: the entry point to one modelhost server.

    from modelhost import Client
    client = Client("http://127.0.0.1:8080", api_key)
    pima = client.datasets.upload("pima.csv", name="pima")
    job = client.jobs.create(pima["id"], target="diabetes", register_as="pima")
    client.jobs.wait(job["id"])
    client.predict("pima", [{"pregnant": 6, "glucose": 148, ...}])

Thread-safety: a Client may be shared by threads (each request has its own
connection).
"""

from __future__ import annotations

import os
import ssl
from typing import Any, Dict, Optional

from .datasets import Datasets
from .errors import UnavailableError
from .jobs import Jobs
from .keys import Keys
from .models import Models
from .predict import predict
from .retry import NO_RETRY, RetryPolicy
from .transport import Transport


class Client:
    """A modelhost server at `url`, used with `api_key`.

    Args:
        url: the server's base URL; default the MODELHOST_URL environment
            variable, else "http://127.0.0.1:8080".
        api_key: an API key (mh_...); default MODELHOST_API_KEY. None sends
            no key (for a server run with --auth=off).
        timeout: seconds a connect or a read may take. Default 60.
        retry: how 429/503 answers and broken connections are retried.
        ssl_context: for https URLs; default the system's trust store.

    Attributes:
        datasets, jobs, models, keys: the server's resources.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: Optional[float] = 60.0,
        retry: Optional[RetryPolicy] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        url = url or os.environ.get("MODELHOST_URL") or "http://127.0.0.1:8080"
        if api_key is None:
            api_key = os.environ.get("MODELHOST_API_KEY")
        self.transport = Transport(
            url, api_key, timeout=timeout, retry=retry or RetryPolicy(), ssl_context=ssl_context
        )
        self.datasets = Datasets(self.transport)
        self.jobs = Jobs(self.transport)
        self.models = Models(self.transport)
        self.keys = Keys(self.transport)

    @property
    def url(self) -> str:
        return self.transport.url

    def predict(
        self,
        model: str,
        instances: Any,
        *,
        version: Optional[int] = None,
        alias: Optional[str] = None,
        batch_size: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Predictions of `model` for `instances` (records, rows, a numpy array or a DataFrame).

        By default the model's "production" alias answers, else its latest
        version; `version` or `alias` picks one. Returns {"model",
        "model_version", "predictions"}; see modelhost.predict.
        """
        return predict(self.transport, model, instances, version=version, alias=alias, batch_size=batch_size)

    def ready(self) -> bool:
        """Whether the server is ready to serve (GET /v2/health/ready), without retrying."""
        probe = Transport(self.transport.url, None, timeout=self.transport.timeout, retry=NO_RETRY)
        try:
            probe.request("GET", "/v2/health/ready")
        except UnavailableError:
            return False
        return True

    def server_metadata(self) -> Dict[str, Any]:
        """The server's name, version and extensions (GET /v2)."""
        return self.transport.request("GET", "/v2").json()

    def __repr__(self) -> str:
        return f"Client({self.transport.url!r})"
