"""Models: the registry — models, their versions, aliases and bundles.

A model is a name with numbered versions (1, 2, ...) and aliases pointing at
versions ("production", "staging", ...). A version is registered by a
training job or by uploading a bundle (a tar of a model directory).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from .downloads import Destination, save
from .transport import Transport, segment
from .uploads import ProgressCallback, file_body, fileobj_body


class Models:
    """The /v1/models routes. Reached as ``client.models``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(self) -> List[Dict[str, Any]]:
        """Every model: {"name", "latest_version", "aliases": {alias: version}}."""
        return self._transport.request("GET", "/v1/models").json()["models"]

    def get(self, name: str) -> Dict[str, Any]:
        """The model with its versions. NotFoundError if there is none."""
        return self._transport.request("GET", f"/v1/models/{segment(name)}").json()

    def versions(self, name: str) -> List[Dict[str, Any]]:
        """Every version of the model, oldest first, each with its summary
        (target, features, pipeline, loss, metrics, evaluation, lineage)."""
        return self._transport.request("GET", f"/v1/models/{segment(name)}/versions").json()["versions"]

    def version(self, name: str, version: int) -> Dict[str, Any]:
        """One version of the model."""
        return self._transport.request("GET", f"/v1/models/{segment(name)}/versions/{segment(version)}").json()

    def delete_version(self, name: str, version: int) -> None:
        """Deletes a version. ConflictError while an alias points at it."""
        self._transport.request("DELETE", f"/v1/models/{segment(name)}/versions/{segment(version)}")

    def set_alias(self, name: str, alias: str, version: int) -> Dict[str, Any]:
        """Creates or moves `alias` to `version`; the next request through it uses that version."""
        return self._transport.request(
            "PUT", f"/v1/models/{segment(name)}/aliases/{segment(alias)}", json_body={"version": version}
        ).json()

    def delete_alias(self, name: str, alias: str) -> None:
        """Deletes the alias; the version stays."""
        self._transport.request("DELETE", f"/v1/models/{segment(name)}/aliases/{segment(alias)}")

    def download_bundle(self, name: str, version: int, to: Destination = None) -> Optional[bytes]:
        """The version's bundle (a tar), checked by the server against its checksum.

        `to` is a path or binary file object; None returns the bytes.
        """
        reply = self._transport.stream(
            "GET", f"/v1/models/{segment(name)}/versions/{segment(version)}/bundle"
        )
        return save(reply, to)

    def upload_bundle(
        self,
        name: str,
        bundle: Union[str, "os.PathLike[str]", bytes, Any],
        *,
        progress: Optional[ProgressCallback] = None,
    ) -> Dict[str, Any]:
        """Registers a bundle (a path, bytes, or a binary file object) as the next version.

        The server validates it in full first: a bad bundle is an
        InvalidArgumentError naming the entry at fault.
        """
        data: Any
        length: Optional[int]
        if isinstance(bundle, (bytes, bytearray)):
            data, length = bytes(bundle), None
        elif isinstance(bundle, (str, os.PathLike)):
            data, length = file_body(bundle, progress)
        else:
            data, length = fileobj_body(bundle, progress)
        return self._transport.request(
            "POST",
            f"/v1/models/{segment(name)}/versions",
            data=data,
            length=length,
            content_type="application/x-tar",
        ).json()
