"""Predict: run a registered model on records or feature rows.

Each prediction is, by the model's target: {"probability", "label"} for two
classes, {"probabilities": {label: p}, "label"} for more, {"prediction": x}
for a number.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .tabular import is_dataframe, table_from
from .transport import Transport, segment


def instances_from(data: Any) -> List[Any]:
    """The JSON instances for `data`: records for a DataFrame or a list of
    dicts, value lists (in the model's input order) for arrays and lists of rows."""
    table = table_from(data)
    if table.columns is not None and (is_dataframe(data) or (data and isinstance(data[0], dict))):
        return [dict(zip(table.columns, row)) for row in table.rows]
    return table.rows


def predict(
    transport: Transport,
    model: str,
    instances: Any,
    *,
    version: Optional[int] = None,
    alias: Optional[str] = None,
    batch_size: Optional[int] = None,
) -> Dict[str, Any]:
    """Predictions of `model` (its production alias, else its latest version),
    or of one `version`, or of the version `alias` points at.

    `instances` is anything instances_from takes. With `batch_size`, each
    `batch_size` instances are one request (for inputs larger than the
    server takes at once); the requests after the first go to the version
    that answered it, so an alias that moves meanwhile cannot mix two
    versions' answers. Returns {"model", "model_version", "predictions"}.
    """
    if version is not None and alias is not None:
        raise ValueError("pass version or alias, not both")
    path = f"/v1/models/{segment(model)}"
    if version is not None:
        path += f"/versions/{segment(version)}"
    elif alias is not None:
        path += f"/aliases/{segment(alias)}"
    path += ":predict"
    rows = instances_from(instances)
    step = batch_size or max(len(rows), 1)
    answer: Dict[str, Any] = {"model": model, "model_version": version, "predictions": []}
    for start in range(0, max(len(rows), 1), step):
        reply = transport.request("POST", path, json_body={"instances": rows[start : start + step]}).json()
        if start == 0:
            answer["model"], answer["model_version"] = reply["model"], reply["model_version"]
            path = f"/v1/models/{segment(model)}/versions/{segment(reply['model_version'])}:predict"
        answer["predictions"].extend(reply["predictions"])
    return answer
