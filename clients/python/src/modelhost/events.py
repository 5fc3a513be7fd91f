"""Server-Sent Events: the parsed events of a text/event-stream body.

A training job's stream (GET /v1/training-jobs/{id}/events) carries
``state`` (the job, on a state change), ``epoch`` (an epoch's loss and
metrics), ``progress`` (batches done in the current epoch) and, last, ``end``
(the final job). Each event's data is JSON, parsed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, List, Optional


@dataclass(frozen=True)
class Event:
    """One event: its type ("message" when the stream named none) and its data.

    `data` is the parsed JSON when the data is JSON, else the text.
    """

    event: str
    data: Any
    id: Optional[str] = None


def parse_events(lines: Iterable[bytes]) -> Iterator[Event]:
    """The events in a stream given line by line (as the WHATWG spec parses it).

    Comment lines (":...") are skipped; an event is dispatched at a blank
    line; an unfinished event at the end of the stream is dropped, as the
    spec says.
    """
    event_type = ""
    data_lines: List[str] = []
    last_id: Optional[str] = None
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data_lines:
                yield Event(event_type or "message", _decode("\n".join(data_lines)), last_id)
            event_type, data_lines = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            event_type = value
        elif name == "data":
            data_lines.append(value)
        elif name == "id":
            last_id = value
        # "retry" and unknown fields are ignored: the client reconnects on its own terms.


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
