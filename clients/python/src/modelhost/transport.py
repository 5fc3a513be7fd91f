"""Transport: HTTP requests to one modelhost server, with the API key and retries.

One connection per request (``http.client``), so a Transport may be shared by
threads. Non-2xx answers raise the matching :mod:`modelhost.errors` exception;
429/503 answers and broken or refused connections are retried by the
:class:`~modelhost.retry.RetryPolicy` when the request body can be sent again
(bytes, or a body factory). Bodies are streamed: a body factory yields chunks,
so a large file is never held in memory.
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Union

from ._version import __version__
from .errors import ModelhostConnectionError, error_from_response
from .retry import RetryPolicy

#: A function that returns a fresh iterable of body chunks on each call, so a
#: retried request can send its body again. One whose ``replayable``
#: attribute is False can be called once only: its request is not retried.
BodyFactory = Callable[[], Iterable[bytes]]

_CHUNK = 1 << 16


class _AnswerLost(ConnectionError):
    """The connection broke after the whole request was sent, before the answer."""


@dataclass(frozen=True)
class Reply:
    """A complete answer: status, headers (lower-case names) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (None for an empty body, as a 204 has)."""
        return json.loads(self.body) if self.body else None


class StreamingReply:
    """A 2xx answer whose body is read as it arrives; close it (or use ``with``)."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse):
        self._connection = connection
        self.response = response
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}

    def iter_chunks(self, size: int = _CHUNK) -> Iterator[bytes]:
        """The body in chunks of at most `size` bytes; a cut-short body raises."""
        try:
            while True:
                chunk = self.response.read1(size)
                if not chunk:
                    return
                yield chunk
        except (http.client.HTTPException, OSError) as error:
            raise ModelhostConnectionError(f"the answer broke off: {error!r}", code="connection") from error

    def iter_lines(self) -> Iterator[bytes]:
        """The body line by line (each with its line ending); a cut-short body raises."""
        try:
            while True:
                line = self.response.readline()
                if not line:
                    return
                yield line
        except (http.client.HTTPException, OSError) as error:
            raise ModelhostConnectionError(f"the stream broke off: {error!r}", code="connection") from error

    def close(self) -> None:
        self.response.close()
        self._connection.close()

    def __enter__(self) -> "StreamingReply":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def segment(value: Union[str, int]) -> str:
    """`value` quoted as one URL path segment (a name, an id, a version)."""
    return urllib.parse.quote(str(value), safe="")


class Transport:
    """Sends requests to the server at `url` with `api_key`.

    Args:
        url: the server's base URL, e.g. "http://127.0.0.1:8080".
        api_key: sent as ``Authorization: Bearer <api_key>``; None sends none.
        timeout: seconds a connect or a read may take (None: no limit).
        retry: the retry policy.
        ssl_context: for https URLs; default the system's trust store.
    """

    def __init__(
        self,
        url: str,
        api_key: Optional[str],
        *,
        timeout: Optional[float] = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://host[:port] or https://..., got {url!r}")
        self.url = url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry
        self._ssl_context = ssl_context

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        data: Union[bytes, BodyFactory, None] = None,
        length: Optional[int] = None,
        content_type: Optional[str] = None,
        timeout: Union[float, None, str] = "default",
        headers: Optional[Mapping[str, str]] = None,
    ) -> Reply:
        """Sends one request and reads the whole answer.

        `json_body` is sent as JSON; otherwise `data` is the body: bytes, or a
        body factory (see BodyFactory) with an optional `length` (without
        one the body is sent chunked). Raises a ModelhostError subclass for a
        non-2xx answer, ModelhostConnectionError when no answer came.
        """
        reply = self._send(method, path, query, json_body, data, length, content_type, timeout, headers=headers)
        try:
            body = reply.response.read()
        except (http.client.HTTPException, OSError) as error:
            raise ModelhostConnectionError(f"the answer broke off: {error!r}", code="connection") from error
        finally:
            reply.close()
        return Reply(reply.status, reply.headers, body)

    def stream(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        timeout: Union[float, None, str] = "default",
        accept: str = "*/*",
    ) -> StreamingReply:
        """Sends a bodiless request and returns the 2xx answer unread (close it)."""
        return self._send(method, path, query, None, None, None, None, timeout, accept)

    def _send(
        self,
        method: str,
        path: str,
        query: Optional[Mapping[str, Any]],
        json_body: Any,
        data: Union[bytes, BodyFactory, None],
        length: Optional[int],
        content_type: Optional[str],
        timeout: Union[float, None, str],
        accept: str = "application/json",
        headers: Optional[Mapping[str, str]] = None,
    ) -> StreamingReply:
        extra = dict(headers or {})
        target = self._prefix + path
        if query:
            pairs = {key: value for key, value in query.items() if value is not None}
            if pairs:
                target += "?" + urllib.parse.urlencode(pairs)
        headers = {"Accept": accept, "User-Agent": f"modelhost-python/{__version__}", **extra}
        if self._api_key is not None:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if json_body is not None:
            data = json.dumps(json_body, allow_nan=False).encode("utf-8")
            content_type = "application/json"
        if content_type is not None:
            headers["Content-Type"] = content_type
        if isinstance(data, (bytes, bytearray)):
            headers["Content-Length"] = str(len(data))
        elif data is not None and length is not None:
            headers["Content-Length"] = str(length)
        elif data is None and method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = "0"
        seconds = self.timeout if timeout == "default" else timeout
        resendable = getattr(data, "replayable", True)

        retry = 0
        while True:
            connection = self._connect(seconds)
            body = data() if callable(data) else data
            try:
                response = self._exchange(connection, method, target, body, headers)
            except ConnectionError as error:
                connection.close()
                if isinstance(error, _AnswerLost) and method == "POST":
                    # The request arrived whole and may have been carried out
                    # (a job queued, a dataset stored): sending it again could
                    # do it twice.
                    raise ModelhostConnectionError(
                        f"{method} {target}: the connection closed after the request was sent, "
                        f"before an answer ({error.__cause__!r}); it may have been carried out, "
                        "so it was not sent again",
                        code="connection",
                    ) from error
                if retry < self.retry.max_retries and resendable:
                    self.retry.sleep(self.retry.backoff(retry))
                    retry += 1
                    continue
                raise ModelhostConnectionError(
                    f"{method} {target}: {error!r} (after {retry} retries)", code="connection"
                ) from error
            except (http.client.HTTPException, OSError) as error:
                connection.close()
                raise ModelhostConnectionError(f"{method} {target}: {error!r}", code="connection") from error
            if response.status in self.retry.retry_statuses and retry < self.retry.max_retries and resendable:
                retry_after = response.getheader("Retry-After")
                self._discard(connection, response)
                self.retry.sleep(self.retry.backoff(retry, retry_after))
                retry += 1
                continue
            if response.status >= 400:
                body_bytes = self._discard(connection, response)
                raise error_from_response(response.status, body_bytes, response.getheader("X-Request-Id"))
            return StreamingReply(connection, response)

    def _connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._https:
            context = self._ssl_context or ssl.create_default_context()
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=context, blocksize=_CHUNK
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout, blocksize=_CHUNK)

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: Union[bytes, Iterable[bytes], None],
        headers: Mapping[str, str],
    ) -> http.client.HTTPResponse:
        try:
            connection.request(method, target, body=body, headers=dict(headers))
        except (BrokenPipeError, ConnectionResetError):
            # The server may have answered early and closed (a 413 for an
            # upload over its limit): that answer beats a retry.
            try:
                return connection.getresponse()
            except (http.client.HTTPException, OSError):
                pass
            raise
        try:
            return connection.getresponse()
        except ConnectionError as error:
            raise _AnswerLost() from error

    @staticmethod
    def _discard(connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> bytes:
        try:
            return response.read()
        except (http.client.HTTPException, OSError):
            return b""
        finally:
            connection.close()
