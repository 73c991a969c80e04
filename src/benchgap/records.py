"""Settings and results as plain JSON-ready values, written so a reader never sees half a file."""

import json
import os
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np


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
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON to a temporary file beside ``path`` and rename it in: the file is whole or absent."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(value, indent=2, default=json_default, allow_nan=True))
    os.replace(temporary, path)
