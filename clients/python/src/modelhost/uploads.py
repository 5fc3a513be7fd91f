"""Upload bodies: files, file objects and bytes as re-sendable chunk streams.

Each function returns ``(factory, length)``: the factory yields the body in
chunks each time it is called (so the transport can send it again on a
retry) and `length` is its size when known. A file is read chunk by chunk,
never whole. A file object that cannot seek can be sent only once: its
factory raises ModelhostError if a retry calls it again.
"""

from __future__ import annotations

import io
import os
from typing import IO, Callable, Iterable, Iterator, Optional, Tuple, Union

from .errors import ModelhostError
from .transport import BodyFactory

#: Called after each chunk with (bytes sent so far, total bytes or None).
ProgressCallback = Callable[[int, Optional[int]], None]

_CHUNK = 1 << 16

PathLike = Union[str, "os.PathLike[str]"]


def file_body(path: PathLike, progress: Optional[ProgressCallback] = None) -> Tuple[BodyFactory, int]:
    """The file at `path`, streamed."""
    length = os.path.getsize(path)

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as file:
            yield from _read(file, length, progress)

    return chunks, length


def fileobj_body(file: IO, progress: Optional[ProgressCallback] = None) -> Tuple[BodyFactory, Optional[int]]:
    """An open file object, from its current position; text files are sent as UTF-8."""
    start: Optional[int] = None
    length: Optional[int] = None
    try:
        if file.seekable():
            start = file.tell()
            if not isinstance(file, io.TextIOBase):
                length = file.seek(0, io.SEEK_END) - start
                file.seek(start)
    except (OSError, ValueError):
        start = None
    used = False

    def chunks() -> Iterator[bytes]:
        nonlocal used
        if used:
            if start is None:
                raise ModelhostError("the upload must be sent again, but its file object cannot seek back")
            file.seek(start)
        used = True
        yield from _read(file, length, progress)

    chunks.replayable = start is not None  # type: ignore[attr-defined]
    return chunks, length


def iterable_body(parts: Callable[[], Iterable[bytes]], progress: Optional[ProgressCallback] = None) -> BodyFactory:
    """Chunks made on demand by `parts` (called once per attempt), with progress."""

    def chunks() -> Iterator[bytes]:
        sent = 0
        for part in parts():
            sent += len(part)
            yield part
            if progress is not None:
                progress(sent, None)

    return chunks


def _read(file: IO, length: Optional[int], progress: Optional[ProgressCallback]) -> Iterator[bytes]:
    sent = 0
    while True:
        chunk = file.read(_CHUNK)
        if not chunk:
            return
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        sent += len(chunk)
        yield chunk
        if progress is not None:
            progress(sent, length)
