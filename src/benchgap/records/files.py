"""Settings and results as plain JSON-ready values, written so a reader never sees half a file; typed records
turned into JSON and back.

A record is a frozen dataclass whose field names are its JSON keys: :func:`to_plain` writes it (tuples as lists,
enums as values; a field that defaults to ``None`` is an optional section, left out when absent) and
:func:`from_plain` reads it back by the field types. A class with its own ``to_json``/``from_json`` uses those.
"""

import contextlib
import dataclasses
import json
import math
import os
import shutil
import tempfile
import types
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

RESULT = "result.json"  # a finished simulate job's result (written last: its presence means finished)
FAILED = "failed.json"  # a sweep job's failure marker: the error and the job's overrides


def json_default(value: Any) -> Any:
    """numpy scalars as Python numbers (``json.dumps(..., default=json_default)``)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def finite_or_none(value: Any) -> Any:
    """NaN and infinities as ``None``, recursively: strict JSON has no NaN (jq and browsers reject it)."""
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_none(v) for v in value]
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    return value


def write_json_atomic(path: Path, value: Any) -> None:
    """Strict JSON written to a temporary file beside ``path`` and renamed in: the file is whole or absent."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(finite_or_none(value), indent=2, default=json_default, allow_nan=False))
    os.replace(temporary, path)


@contextlib.contextmanager
def written_together(out_dir: Path) -> Iterator[Path]:
    """A scratch folder inside ``out_dir`` for a job's files, moved into ``out_dir`` when the block ends without an
    error; on an error it is removed, so a failed run never leaves half its files behind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".partial-", dir=out_dir))
    try:
        yield scratch
        for item in scratch.iterdir():
            item.replace(out_dir / item.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def optional_section() -> Any:
    """A record field that may be absent: ``None`` by default, and then left out of the JSON."""
    return dataclasses.field(default=None, metadata={"omit_if_none": True})


def to_plain(value: Any) -> Any:
    """A record (recursively: lists, tuples, dicts of records) as JSON-ready values."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_to_plain(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value.value if isinstance(value, Enum) else value


def fields_to_plain(record: Any) -> dict[str, Any]:
    """A record's fields as a JSON object, in field order; absent optional sections left out."""
    out = {}
    for spec in dataclasses.fields(record):
        value = getattr(record, spec.name)
        if value is None and spec.metadata.get("omit_if_none"):
            continue
        out[spec.name] = to_plain(value)
    return out


def from_plain(kind: Any, value: Any) -> Any:
    """``value`` (read from JSON) as an instance of the type ``kind``: records, tuples, lists, dicts, enums and
    optionals by their annotations; a JSON ``null`` in a float field reads back as NaN (strict JSON has no NaN)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return from_plain(inner[0], value) if len(inner) == 1 else value
    if isinstance(kind, type) and hasattr(kind, "from_json"):
        return kind.from_json(value)
    if dataclasses.is_dataclass(kind):
        return fields_from_plain(kind, value)
    if origin is tuple:
        items = args[:1] * len(value) if len(args) == 2 and args[1] is Ellipsis else args
        return tuple(from_plain(a, v) for a, v in zip(items, value, strict=True))
    if origin is list:
        return [from_plain(args[0], v) for v in value]
    if origin is dict:
        return {k: from_plain(args[1], v) for k, v in value.items()}
    if kind is float:
        return math.nan if value is None else float(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value


def fields_from_plain(kind: Any, value: dict[str, Any]) -> Any:
    """A record of class ``kind`` from its JSON object (fields missing from the object take their defaults)."""
    hints = typing.get_type_hints(kind)
    present = {f.name: from_plain(hints[f.name], value[f.name]) for f in dataclasses.fields(kind) if f.name in value}
    return kind(**present)


def read_json(path: Path) -> Any:
    """A JSON file written by :func:`write_json_atomic`."""
    return json.loads(path.read_text())
