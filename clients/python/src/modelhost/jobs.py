"""Jobs: training jobs — create, inspect, cancel, and follow them as they run.

A job trains a network on a server dataset and, when it succeeds, registers
a new version of the model named `register_as`. Jobs are returned as the
server's JSON objects ("id", "state", "history", "validation", "test",
"model": {"name", "version"}, ...).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Optional

from .errors import ModelhostConnectionError, TrainingJobError
from .events import Event, parse_events
from .transport import Transport, segment

#: The states in which a job has ended.
FINAL_STATES = frozenset({"succeeded", "failed", "cancelled"})


class Jobs:
    """The /v1/training-jobs routes. Reached as ``client.jobs``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def create(
        self,
        dataset: str,
        target: str,
        register_as: str,
        *,
        pipeline: Optional[Mapping[str, Any]] = None,
        model: Optional[Mapping[str, Any]] = None,
        compile: Optional[Mapping[str, Any]] = None,
        fit: Optional[Mapping[str, Any]] = None,
    ) -> Dict[str, Any]:
        """Queues a training job and returns it (state "queued").

        Args:
            dataset: a dataset id, or a name meaning its newest dataset.
            target: the column to predict.
            register_as: the model the result becomes a new version of.
            pipeline: a data pipeline spec, {"steps": [{"op": ...}, ...]}.
            model: the network: a Keras Sequential config (``model.to_json()``)
                or {"input_dim": 8, "layers": [{"dense": 12, "activation": "relu"}, ...]}.
            compile: {"loss", "optimizer", "metrics"}.
            fit: {"epochs", "batch_size", "validation_split", "test_split",
                "seed", "shuffle", "class_weight", "early_stopping", "checkpoint_every"}.

        Raises InvalidArgumentError naming the bad field by its path, and
        NotFoundError for an unknown dataset.
        """
        request: Dict[str, Any] = {"dataset": dataset, "target": target, "register_as": register_as}
        for key, value in (("pipeline", pipeline), ("model", model), ("compile", compile), ("fit", fit)):
            if value is not None:
                request[key] = dict(value)
        return self._transport.request("POST", "/v1/training-jobs", json_body=request).json()

    def get(self, job: str) -> Dict[str, Any]:
        """The job: state, per-epoch history, evaluation, the registered model version."""
        return self._transport.request("GET", f"/v1/training-jobs/{segment(job)}").json()

    def list(self) -> List[Dict[str, Any]]:
        """Every job, oldest first."""
        return self._transport.request("GET", "/v1/training-jobs").json()["training_jobs"]

    def cancel(self, job: str) -> Dict[str, Any]:
        """Cancels the job: at once when queued, at its next batch when running.

        ConflictError when it has ended already.
        """
        return self._transport.request("POST", f"/v1/training-jobs/{segment(job)}:cancel").json()

    def watch(self, job: str, *, timeout: Optional[float] = None) -> Iterator[Event]:
        """The job's events as they happen, ending with its "end" event.

        Events: "state" (data: the job), "epoch" ({"epoch", "epochs",
        "values", "skipped_batches"}), "progress" ({"epoch", "epochs",
        "batch", "batches", "loss"}) and last "end" (the final job). A
        stream that breaks off is reopened (up to the retry policy's
        max_retries times); it starts again with a "state" event, and the
        epochs that passed meanwhile are in the final job's history.
        `timeout` bounds the wait for each line (default: none, as an epoch
        may take long).
        """
        reconnects = 0
        while True:
            reply = self._transport.stream(
                "GET", f"/v1/training-jobs/{segment(job)}/events", timeout=timeout, accept="text/event-stream"
            )
            try:
                with reply:
                    for event in parse_events(reply.iter_lines()):
                        yield event
                        if event.event == "end":
                            return
            except ModelhostConnectionError:
                if reconnects >= self._transport.retry.max_retries:
                    raise
            else:
                if reconnects >= self._transport.retry.max_retries:
                    raise ModelhostConnectionError(f"the event stream of {job} ended without an 'end' event")
            self._transport.retry.sleep(self._transport.retry.backoff(reconnects))
            reconnects += 1

    def wait(self, job: str, *, raise_on_failure: bool = True) -> Dict[str, Any]:
        """Blocks until the job ends; returns the final job.

        Raises TrainingJobError when it failed or was cancelled, unless
        `raise_on_failure` is False.
        """
        final: Optional[Dict[str, Any]] = None
        for event in self.watch(job):
            if event.event == "end":
                final = event.data
        assert final is not None  # watch returns only after "end"
        if raise_on_failure and final.get("state") != "succeeded":
            raise TrainingJobError(final)
        return final
