"""Retries against a real local HTTP server (http.server) that answers from a
script: 429/503 answers and dropped connections are retried with backoff,
every other error is raised at once, and a broken event stream is reopened.

The modelhost server answers 429 only while a queue is full, which no test
can bring about without racing it; a scripted server makes each case exact.
Waits are recorded by an injected sleep, never slept."""

from __future__ import annotations

import http.server
import io
import json
import os
import socket
import tempfile
import threading
import unittest
from typing import List, Tuple

from modelhost import (
    Client,
    ConflictError,
    InvalidArgumentError,
    ModelhostConnectionError,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    UnavailableError,
)

# One scripted answer: (status, body), or "drop" to close the connection without answering.
Answer = object


class ScriptedServer:
    """Answers each request with the next scripted answer; records what it received."""

    def __init__(self, answers: List[Answer]) -> None:
        self.answers = list(answers)
        self.requests: List[Tuple[str, str, bytes]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                scripted.requests.append((self.command, self.path, self.rfile.read(length)))
                answer = scripted.answers.pop(0)
                if answer == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                status, body, headers = answer if len(answer) == 3 else (*answer, {})
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class RetryTest(unittest.TestCase):
    def client(self, answers: List[Answer], **policy: object) -> Tuple[Client, ScriptedServer, List[float]]:
        server = ScriptedServer(answers)
        self.addCleanup(server.close)
        waits: List[float] = []
        retry = RetryPolicy(jitter=False, sleep=waits.append, **policy)
        return Client(server.url, "mh_test", retry=retry), server, waits

    def test_429_and_503_are_retried_with_exponential_backoff(self) -> None:
        client, server, waits = self.client(
            [(429, error("resource_exhausted", "queue full")), (503, error("unavailable", "stopping")),
             (429, error("resource_exhausted", "queue full")), (200, {"models": []})]
        )
        self.assertEqual(client.models.list(), [])
        self.assertEqual(len(server.requests), 4)
        self.assertEqual(waits, [0.2, 0.4, 0.8])

    def test_retries_give_up_with_the_last_error(self) -> None:
        client, server, waits = self.client([(429, error("resource_exhausted", "queue full"))] * 3, max_retries=2)
        with self.assertRaises(RateLimitedError) as caught:
            client.models.list()
        self.assertEqual((caught.exception.status, caught.exception.code), (429, "resource_exhausted"))
        self.assertEqual(caught.exception.message, "queue full")
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(waits, [0.2, 0.4])

    def test_backoff_is_capped_and_retry_after_is_honoured(self) -> None:
        client, _, waits = self.client(
            [(503, error("unavailable", "x"), {"Retry-After": "3"}), (503, error("unavailable", "x")),
             (503, error("unavailable", "x")), (200, {"models": []})],
            initial_backoff=1.0, multiplier=10.0, max_backoff=5.0,
        )
        client.models.list()
        self.assertEqual(waits, [3.0, 5.0, 5.0])

    def test_other_errors_are_raised_at_once(self) -> None:
        for status, expected in ((400, InvalidArgumentError), (404, NotFoundError), (409, ConflictError),
                                 (500, ServerError), (502, ServerError)):
            with self.subTest(status=status):
                client, server, waits = self.client([(status, error("some_code", "why")), (200, {"models": []})])
                with self.assertRaises(expected) as caught:
                    client.models.list()
                self.assertEqual((caught.exception.status, caught.exception.message), (status, "why"))
                self.assertEqual((len(server.requests), waits), (1, []))

    def test_a_dropped_connection_is_retried(self) -> None:
        client, server, waits = self.client(["drop", (200, {"models": [{"name": "m"}]})])
        self.assertEqual(client.models.list(), [{"name": "m"}])
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(waits, [0.2])

    def test_a_post_whose_answer_was_lost_is_not_sent_again(self) -> None:
        client, server, waits = self.client(["drop", (202, {"id": "job_2"})])
        with self.assertRaises(ModelhostConnectionError) as caught:
            client.jobs.create("ds_1", "y", "m")
        self.assertIn("may have been carried out", str(caught.exception))
        self.assertEqual((len(server.requests), waits), (1, []))

    def test_connection_errors_give_up_as_modelhost_connection_error(self) -> None:
        client, _, waits = self.client(["drop"] * 2, max_retries=1)
        with self.assertRaises(ModelhostConnectionError) as caught:
            client.models.list()
        self.assertIsNone(caught.exception.status)
        self.assertEqual(waits, [0.2])

    def test_retrying_is_configurable_off(self) -> None:
        client, server, _ = self.client([(503, error("unavailable", "x"))], max_retries=0)
        with self.assertRaises(UnavailableError):
            client.models.list()
        self.assertEqual(len(server.requests), 1)

    def test_a_retried_upload_sends_the_whole_file_again(self) -> None:
        content = b"a,b\n" + b"".join(b"%d,%d\n" % (row, row * 2) for row in range(50000))
        with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as file:
            file.write(content)
        self.addCleanup(os.remove, file.name)
        client, server, _ = self.client([(503, error("unavailable", "x")), (201, {"id": "ds_1"})])
        self.assertEqual(client.datasets.upload(file.name, name="d")["id"], "ds_1")
        self.assertEqual([body for _, _, body in server.requests], [content, content])
        self.assertEqual(server.requests[0][1], "/v1/datasets?name=d&format=csv")

        client, server, _ = self.client([(503, error("unavailable", "x")), (201, {"id": "ds_2"})])
        with open(file.name, "rb") as opened:
            opened.seek(4)  # from the current position, on every attempt
            client.datasets.upload(opened, name="d")
        self.assertEqual([body for _, _, body in server.requests], [content[4:], content[4:]])

    def test_an_upload_that_cannot_be_sent_again_is_not_retried_silently(self) -> None:
        class OneWay(io.RawIOBase):
            def __init__(self) -> None:
                self.left = [b"a\n1\n"]

            def readable(self) -> bool:
                return True

            def read(self, size: int = -1) -> bytes:
                return self.left.pop() if self.left else b""

        client, server, _ = self.client([(503, error("unavailable", "x")), (201, {"id": "ds_1"})])
        with self.assertRaises(UnavailableError):
            client.datasets.upload(OneWay(), name="d")
        self.assertEqual(len(server.requests), 1)


class EventStreamTest(unittest.TestCase):
    def test_a_broken_stream_is_reopened_and_ends_at_the_end_event(self) -> None:
        first = b'event: state\ndata: {"state": "running"}\n\nevent: epoch\ndata: {"epoch": 0}\n\n'
        second = (b': a comment\nevent: state\ndata: {"state": "running"}\n\nevent: epoch\r\ndata: {"epoch": 1}\r\n\r\n'
                  b'event: end\ndata: {"state": "succeeded",\ndata:  "model": {"name": "m", "version": 1}}\n\n')
        server = ScriptedServer([(200, first, {"Content-Type": "text/event-stream"}),
                                 (200, second, {"Content-Type": "text/event-stream"})])
        self.addCleanup(server.close)
        waits: List[float] = []
        client = Client(server.url, "k", retry=RetryPolicy(jitter=False, sleep=waits.append))
        events = [(event.event, event.data) for event in client.jobs.watch("job_1")]
        self.assertEqual(events, [
            ("state", {"state": "running"}), ("epoch", {"epoch": 0}),
            ("state", {"state": "running"}), ("epoch", {"epoch": 1}),
            ("end", {"state": "succeeded", "model": {"name": "m", "version": 1}}),
        ])
        self.assertEqual([path for _, path, _ in server.requests], ["/v1/training-jobs/job_1/events"] * 2)
        self.assertEqual(waits, [0.2])


class BatchedPredictTest(unittest.TestCase):
    def test_batches_after_the_first_go_to_the_version_that_answered_it(self) -> None:
        answer = {"model": "m", "model_version": 3, "predictions": [{"prediction": 1.0}] * 2}
        server = ScriptedServer([(200, answer), (200, dict(answer, predictions=[{"prediction": 2.0}]))])
        self.addCleanup(server.close)
        client = Client(server.url, "mh_test", retry=RetryPolicy(jitter=False, sleep=lambda _: None))
        result = client.predict("m", [[1], [2], [3]], alias="production", batch_size=2)
        self.assertEqual([path for _, path, _ in server.requests],
                         ["/v1/models/m/aliases/production:predict", "/v1/models/m/versions/3:predict"])
        self.assertEqual(result["model_version"], 3)
        self.assertEqual(len(result["predictions"]), 3)


if __name__ == "__main__":
    unittest.main()
