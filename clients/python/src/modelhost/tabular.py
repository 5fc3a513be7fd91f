"""Tabular inputs: lists, numpy arrays and pandas objects as rows and columns.

numpy and pandas are never imported: their objects are recognised by their
type's module, and converted with their own methods (``tolist``,
``itertuples``), so this package works without them and accepts them when the
caller has them. Missing values (None, NaN, pandas' NA) become None, which is
an empty CSV field and a JSON null — what the server reads as missing.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any, Iterator, List, Mapping, Optional, Sequence


@dataclass
class Table:
    """Rows of values; `columns` are the names, or None when the input had none."""

    columns: Optional[List[str]]
    rows: List[List[Any]]


def is_numpy_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "ndim")


def is_dataframe(value: Any) -> bool:
    return type(value).__module__.startswith("pandas") and hasattr(value, "columns")


def is_series(value: Any) -> bool:
    return type(value).__module__.startswith("pandas") and hasattr(value, "to_list") and not hasattr(value, "columns")


def scalar(value: Any) -> Any:
    """A plain Python value: numpy scalars unwrapped, NaN and pandas' NA as None."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "item"):  # a numpy scalar
        return scalar(value.item())
    return value


def table_from(data: Any) -> Table:
    """Rows from a 2-D array, a DataFrame, a list of rows or a list of records.

    A 1-D array or a list of scalars is one column per row, as Keras takes a
    1-D input. Records (mappings) give the columns in order of first
    appearance, a missing key being a missing value. Raises ValueError for
    other shapes.
    """
    if is_dataframe(data):
        columns = [str(name) for name in data.columns]
        rows = [[scalar(value) for value in row] for row in data.itertuples(index=False, name=None)]
        return Table(columns, rows)
    if is_numpy_array(data):
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.ndim != 2:
            raise ValueError(f"expected a 2-D array (rows × features), got shape {data.shape}")
        return Table(None, [[scalar(value) for value in row] for row in data.tolist()])
    if isinstance(data, (str, bytes)) or not isinstance(data, Sequence):
        raise ValueError(f"expected rows (a list, a numpy array or a DataFrame), got {type(data).__name__}")
    if data and isinstance(data[0], Mapping):
        columns: List[str] = []
        seen = set()
        for record in data:
            for name in record:
                if name not in seen:
                    seen.add(name)
                    columns.append(str(name))
        return Table(columns, [[scalar(record.get(name)) for name in columns] for record in data])
    rows = []
    for row in data:
        if isinstance(row, (str, bytes)) or (not isinstance(row, Sequence) and not is_numpy_array(row)):
            rows.append([scalar(row)])
        else:
            rows.append([scalar(value) for value in (row.tolist() if is_numpy_array(row) else row)])
    return Table(None, rows)


def column_from(data: Any) -> "tuple[Optional[str], List[Any]]":
    """The name (when the input has one) and values of a target.

    Accepts a 1-D array or list, an (n, 1) array, a Series or a one-column
    DataFrame. An (n, k) array or list of one-hot rows (Keras's
    categorical targets) becomes each row's class index.
    """
    if is_series(data):
        return (None if data.name is None else str(data.name)), [scalar(value) for value in data.to_list()]
    table = table_from(data)
    if table.rows and len(table.rows[0]) > 1:
        return None, [max(range(len(row)), key=lambda index: row[index]) for row in table.rows]
    name = table.columns[0] if table.columns else None
    return name, [row[0] if row else None for row in table.rows]


def csv_chunks(columns: Sequence[str], rows: Sequence[Sequence[Any]], rows_per_chunk: int = 2048) -> Iterator[bytes]:
    """The CSV text (header, then rows) in UTF-8 chunks of `rows_per_chunk` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for start in range(0, len(rows), rows_per_chunk):
        for row in rows[start : start + rows_per_chunk]:
            writer.writerow([_csv_field(value) for value in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
