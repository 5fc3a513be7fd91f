"""Keys: the server's API keys (admin scope; only when the server runs with authentication)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from .transport import Transport, segment

#: The scopes a key may hold. write implies read; admin implies every scope.
SCOPES = ("read", "predict", "write", "admin")


class Keys:
    """The /v1/keys routes. Reached as ``client.keys``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def create(self, name: str, scopes: Sequence[str]) -> Dict[str, Any]:
        """Creates a key; the answer's "key" is its text, shown this once."""
        return self._transport.request(
            "POST", "/v1/keys", json_body={"name": name, "scopes": list(scopes)}
        ).json()

    def list(self) -> List[Dict[str, Any]]:
        """Every key (id, name, scopes, created_at), never the key text."""
        return self._transport.request("GET", "/v1/keys").json()["keys"]

    def delete(self, key_id: str) -> None:
        """Deletes a key. ConflictError for the last key holding the admin scope."""
        self._transport.request("DELETE", f"/v1/keys/{segment(key_id)}")
