"""Datasets: upload, inspect, export, derive and delete the server's datasets.

Datasets are returned as the server's JSON objects (dicts with "id", "name",
"rows", "schema", "profile", "lineage", ...), as documented in the server's
OpenAPI document (GET /openapi.json).
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

from .downloads import Destination, save
from .errors import ModelhostConnectionError, ModelhostError
from .events import parse_events
from .tabular import csv_chunks, table_from
from .transport import Transport, segment
from .uploads import ProgressCallback, file_body, fileobj_body, iterable_body

_FORMAT_BY_EXTENSION = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_CONTENT_TYPE = {"csv": "text/csv", "jsonl": "application/x-ndjson"}


class Datasets:
    """The /v1/datasets routes. Reached as ``client.datasets``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def upload(
        self,
        source: Any,
        name: str,
        *,
        format: Optional[str] = None,
        columns: Optional[Sequence[str]] = None,
        on_error: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> Dict[str, Any]:
        """Uploads a dataset and returns it (with schema and profile).

        Args:
            source: a file path; an open file object (binary or text, sent
                from its current position); or in-memory rows — a list of
                records (dicts), a list of rows, a numpy array or a pandas
                DataFrame — sent as CSV. Files are streamed, never read whole.
            name: the dataset's name ([A-Za-z0-9._-], at most 64).
            format: "csv" or "jsonl"; default from the file's extension, else
                the server decides from the first byte.
            columns: the column names, for rows that carry none (lists, arrays).
            on_error: "fail" (default) or "skip" bad rows.
            progress: called with (bytes sent, total or None) as the body goes out.

        Raises:
            InvalidArgumentError naming the bad row, PayloadTooLargeError,
            RateLimitedError (after retries), and ValueError for rows without
            column names.
        """
        length: Optional[int]
        if isinstance(source, (str, os.PathLike)):
            body, length = file_body(source, progress)
            extension = os.path.splitext(os.fspath(source))[1].lower()
            format = format or _FORMAT_BY_EXTENSION.get(extension)
        elif hasattr(source, "read"):
            body, length = fileobj_body(source, progress)
        else:
            table = table_from(source)
            names = list(columns) if columns is not None else table.columns
            if names is None:
                raise ValueError("rows without column names: pass columns=[...]")
            body, length = iterable_body(lambda: csv_chunks(names, table.rows), progress), None
            format = "csv"
        reply = self._transport.request(
            "POST",
            "/v1/datasets",
            query={"name": name, "format": format, "on_error": on_error},
            data=body,
            length=length,
            content_type=_CONTENT_TYPE.get(format or "", "application/octet-stream"),
        )
        return reply.json()

    def list(self, name: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every dataset (without profiles), oldest first, or those named `name`."""
        return self._transport.request("GET", "/v1/datasets", query={"name": name}).json()["datasets"]

    def get(self, dataset: str) -> Dict[str, Any]:
        """The dataset with id `dataset`: schema, profile and lineage. NotFoundError if none."""
        return self._transport.request("GET", f"/v1/datasets/{segment(dataset)}").json()

    def rows(self, dataset: str, offset: int = 0, limit: int = 100) -> List[Dict[str, Any]]:
        """Up to `limit` (≤ 10000) rows from `offset`, as records (None for a missing value)."""
        page = self._transport.request(
            "GET", f"/v1/datasets/{segment(dataset)}/rows", query={"offset": offset, "limit": limit}
        ).json()
        return page["rows"]

    def iter_rows(self, dataset: str, page_size: int = 1000) -> Iterator[Dict[str, Any]]:
        """Every row, as records, fetched `page_size` at a time."""
        offset = 0
        while True:
            page = self.rows(dataset, offset, page_size)
            yield from page
            if len(page) < page_size:
                return
            offset += len(page)

    def export(self, dataset: str, to: Destination = None, format: str = "csv") -> Optional[bytes]:
        """The whole dataset as a file ("csv" or "jsonl"), streamed.

        `to` is a path or a binary file object to write to; None returns the bytes.
        """
        reply = self._transport.stream(
            "GET", f"/v1/datasets/{segment(dataset)}/export", query={"format": format}
        )
        return save(reply, to)

    def delete(self, dataset: str) -> None:
        """Deletes the dataset. ConflictError while a training job reads it."""
        self._transport.request("DELETE", f"/v1/datasets/{segment(dataset)}")

    def transform(
        self,
        dataset: str,
        pipeline: Mapping[str, Any],
        *,
        target: Optional[str] = None,
        name: Optional[str] = None,
        task: Optional[str] = None,
        wait: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Fits `pipeline` ({"steps": [...]}) on the dataset and stores the result as a new one.

        `target` is kept beside the features, never transformed; `task` is
        "classification" (default) or "regression"; `name` defaults to
        "<parent>-transformed". The server runs it as a dataset job; this
        call waits for it (`wait`: seconds the server holds the request
        before answering with the job, which is then followed on its event stream). Returns the
        derived dataset; a failed job raises ModelhostError with its code.
        """
        request: Dict[str, Any] = {"pipeline": dict(pipeline)}
        for key, value in (("target", target), ("name", name), ("task", task)):
            if value is not None:
                request[key] = value
        reply = self._transport.request(
            "POST", f"/v1/datasets/{segment(dataset)}:transform", json_body=request, headers=_prefer(wait)
        )
        if reply.status == 202:
            return self.get(self._await_job(reply.json())[0])
        return reply.json()

    def split(
        self,
        dataset: str,
        *,
        train: float = 0.8,
        validation: float = 0.0,
        test: float = 0.2,
        seed: int = 0,
        stratify: Optional[str] = None,
        name: Optional[str] = None,
        wait: Optional[float] = None,
    ) -> Dict[str, Dict[str, Any]]:
        """Splits the dataset; returns the parts by their part name ("train", "validation", "test").

        An empty part is not created. Parts are named "<name>-train" etc.,
        `name` defaulting to the parent's. Waits for the server's dataset
        job as transform does.
        """
        request: Dict[str, Any] = {"train": train, "validation": validation, "test": test, "seed": seed}
        if stratify is not None:
            request["stratify"] = stratify
        if name is not None:
            request["name"] = name
        reply = self._transport.request(
            "POST", f"/v1/datasets/{segment(dataset)}:split", json_body=request, headers=_prefer(wait)
        )
        if reply.status == 202:
            parts = [self.get(part) for part in self._await_job(reply.json())]
        else:
            parts = reply.json()["datasets"]
        return {part["lineage"]["part"]: part for part in parts}

    def _await_job(self, job: Dict[str, Any]) -> List[str]:
        """Follows a dataset job (GET /v1/dataset-jobs/{id}/events) until it ends; the ids it made.

        A stream that breaks off, or that a stopping server closes before the
        job's "end", is reopened (up to the retry policy's max_retries times).
        """
        reconnects = 0
        while job["state"] not in ("succeeded", "failed", "cancelled"):
            try:
                reply = self._transport.stream(
                    "GET", f"/v1/dataset-jobs/{segment(job['id'])}/events", accept="text/event-stream"
                )
                with reply:
                    for event in parse_events(reply.iter_lines()):
                        if event.event in ("state", "end"):
                            job = event.data
                        if event.event == "end":
                            break
            except ModelhostConnectionError:
                if reconnects >= self._transport.retry.max_retries:
                    raise
            else:
                if job["state"] in ("succeeded", "failed", "cancelled"):
                    break
                if reconnects >= self._transport.retry.max_retries:
                    raise ModelhostConnectionError(f"the event stream of {job['id']} ended without an 'end' event")
            self._transport.retry.sleep(self._transport.retry.backoff(reconnects))
            reconnects += 1
        if job["state"] != "succeeded":
            raise ModelhostError(
                f"dataset job {job['id']} {job['state']}: {job.get('error')}", code=job.get("error_code", job["state"])
            )
        return list(job.get("datasets") or [])


def _prefer(wait: Optional[float]) -> Optional[Dict[str, str]]:
    """The RFC 7240 header asking the server to hold the request up to `wait` seconds."""
    return None if wait is None else {"Prefer": f"wait={int(wait)}"}
