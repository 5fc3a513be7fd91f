"""Downloads: a streamed answer written to a path or file object, or returned as bytes.

A download to a path is written to ``<path>.part`` and renamed into place
once complete, so a broken-off transfer never leaves a truncated file under
the real name.
"""

from __future__ import annotations

import os
from typing import IO, Optional, Union

from .transport import StreamingReply

Destination = Union[None, str, "os.PathLike[str]", IO[bytes]]


def save(reply: StreamingReply, to: Destination) -> Optional[bytes]:
    """Reads `reply` to its end into `to`; returns the bytes when `to` is None.

    Closes `reply`. Raises ModelhostConnectionError when the body breaks off.
    """
    with reply:
        if to is None:
            return b"".join(reply.iter_chunks())
        if hasattr(to, "write"):
            for chunk in reply.iter_chunks():
                to.write(chunk)  # type: ignore[union-attr]
            return None
        partial = os.fspath(to) + ".part"
        try:
            with open(partial, "wb") as file:
                for chunk in reply.iter_chunks():
                    file.write(chunk)
            os.replace(partial, to)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        return None
