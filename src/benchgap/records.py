"""Settings and results as plain JSON-ready values, written so a reader never sees half a file."""

import json
import os
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

RESULT = "result.json"  # a finished simulate job's result (written last: its presence means finished)
FAILED = "failed.json"  # a sweep job's failure marker: the error and the job's overrides


def plain(value: Any) -> Any:
    """Enums as their values, tuples as lists, recursively (for ``dataclasses.asdict`` output)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


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
