"""ProgressPrinter: a training job's events printed the way Keras prints fit.

    Epoch 1/10
    20/20 [==============================] - 0s 4ms/step - loss: 0.6931 - accuracy: 0.6510 - val_loss: ...

verbose=1 draws a progress bar, redrawn in place on a terminal or in a
notebook (else printed once per epoch, as Keras does in a log); verbose=2
prints one line per epoch; verbose=0 prints nothing. Times are measured here,
from the events' arrival.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Callable, Dict, List, Optional, Sequence

from ..events import Event

_BAR_WIDTH = 30


class ProgressPrinter:
    """Feed it a job's events with ``on_event``; it writes to `stream`.

    Args:
        verbose: 0, 1 or 2, as Keras's fit takes it.
        metrics: the compiled metric names, to print them in Keras's order
            (loss, metrics, then the val_ ones).
        stream: where to write; default sys.stdout.
        clock: seconds, for the step times (a parameter for tests).
    """

    def __init__(
        self,
        verbose: int,
        metrics: Sequence[str] = (),
        stream: Optional[IO[str]] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.verbose = verbose
        self._metrics = list(metrics)
        self._stream = stream if stream is not None else sys.stdout
        self._clock = clock
        self._dynamic = _is_interactive(self._stream)
        self._epoch_started = clock()
        self._header_for: Optional[int] = None
        self._batches: Optional[int] = None
        self._printed_through = -1  # the last epoch printed

    def on_event(self, event: Event) -> None:
        if self.verbose == 0 or not isinstance(event.data, dict):
            return
        if event.event == "state":
            # Epochs that ended before the stream opened come in the job's
            # history, not as epoch events: print them first.
            epochs = event.data.get("epochs")
            for entry in event.data.get("history") or []:
                if isinstance(entry, dict) and epochs is not None:
                    self._on_epoch({"epoch": entry["epoch"], "epochs": epochs, "values": entry["values"]})
            if event.data.get("state") == "running":
                self._epoch_started = self._clock()
        elif event.event == "progress":
            self._on_progress(event.data)
        elif event.event == "epoch":
            self._on_epoch(event.data)

    def _header(self, epoch: int, epochs: int) -> None:
        if self._header_for != epoch:
            self._header_for = epoch
            self._write(f"Epoch {epoch + 1}/{epochs}\n")

    def _on_progress(self, data: Dict) -> None:
        self._header(int(data["epoch"]), int(data["epochs"]))
        self._batches = int(data["batches"])
        if self.verbose == 1 and self._dynamic:
            loss = data.get("loss")
            text = f"{_counter(int(data['batch']), self._batches)} {_bar(int(data['batch']), self._batches)}"
            if loss is not None:
                text += f" - loss: {loss:.4f}"
            self._write("\r" + text)

    def _on_epoch(self, data: Dict) -> None:
        if int(data["epoch"]) <= self._printed_through:
            return
        self._printed_through = int(data["epoch"])
        self._header(int(data["epoch"]), int(data["epochs"]))
        now = self._clock()
        seconds = now - self._epoch_started
        self._epoch_started = now
        values = " - ".join(f"{key}: {_number(value)}" for key, value in self._ordered(data["values"]))
        batches = self._batches
        timing = f"{seconds:.0f}s"
        if batches:
            timing += f" {_per_step(seconds / batches)}"
        if self.verbose == 1:
            bar = f"{_counter(batches, batches)} {_bar(1, 1)} - " if batches else ""
            line = f"{bar}{timing} - {values}"
        else:
            line = f"{timing} - {values}"
        self._write(("\r" if self._dynamic and self.verbose == 1 else "") + line + "\n")
        self._batches = None

    def _ordered(self, values: Dict[str, Optional[float]]) -> List:
        def rank(key: str) -> tuple:
            base = key[4:] if key.startswith("val_") else key
            position = 0 if base == "loss" else 1 + (self._metrics.index(base) if base in self._metrics else len(self._metrics))
            return (key.startswith("val_"), position, key)

        return [(key, values[key]) for key in sorted(values, key=rank)]

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def _is_interactive(stream: IO[str]) -> bool:
    """Whether `stream` redraws lines: a terminal, or a Jupyter notebook (as Keras decides)."""
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules


def _counter(done: Optional[int], total: Optional[int]) -> str:
    width = len(str(total))
    return f"{done:>{width}}/{total}"


def _bar(done: int, total: int) -> str:
    filled = _BAR_WIDTH * done // max(total, 1)
    if done >= total:
        return "[" + "=" * _BAR_WIDTH + "]"
    return "[" + "=" * max(filled - 1, 0) + ">" + "." * (_BAR_WIDTH - max(filled, 1)) + "]"


def _per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _number(value: Optional[float]) -> str:
    return "nan" if value is None else f"{value:.4f}"
