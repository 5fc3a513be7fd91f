"""History: what ``fit`` returns, as Keras's History object does."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional


class History:
    """Per-epoch values of a training job.

    Attributes:
        history: {"loss": [...], "accuracy": [...], "val_loss": [...], ...},
            one value per epoch (None where the server reported none, e.g. a
            NaN loss).
        epoch: the epoch numbers, 0-based, as Keras keeps them.
        params: {"epochs", "batch_size", "samples"}.
        job: the finished training job as the server reported it (its
            "validation" and "test" evaluations, "model": {"name", "version"}).
    """

    def __init__(self, job: Mapping[str, Any], params: Optional[Dict[str, Any]] = None) -> None:
        self.job: Dict[str, Any] = dict(job)
        self.params: Dict[str, Any] = dict(params or {})
        self.epoch: List[int] = []
        self.history: Dict[str, List[Optional[float]]] = {}
        for entry in job.get("history") or []:
            self.epoch.append(int(entry["epoch"]))
            for key, value in entry["values"].items():
                self.history.setdefault(key, []).append(value)
        # An epoch missing a metric another epoch has gets None, so every list
        # has one value per epoch, in step with `epoch`.
        for key, values in self.history.items():
            if len(values) != len(self.epoch):
                self.history[key] = [entry["values"].get(key) for entry in job["history"]]

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"
