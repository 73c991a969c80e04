"""The allowed values of numeric settings: a :class:`Range` per dataclass field (``ranged``), and the check that
walks a settings tree and names the first value outside its range (``check_ranges``)."""

import dataclasses
import math
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from benchgap.errors import InputError


@dataclass(frozen=True)
class Range:
    """The allowed values of a numeric setting (each element of a list, each value of a dict)."""

    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False  # low itself is not allowed
    open_high: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.open_low else value >= self.low
        below = value < self.high if self.open_high else value <= self.high
        return math.isfinite(value) and above and below

    def text(self, whole: bool) -> str:
        kind = "a whole number" if whole else "a number"
        if math.isinf(self.low) and math.isinf(self.high):
            return f"a finite {kind[2:]}"
        if math.isinf(self.high):
            return f"{kind} {'>' if self.open_low else '>='} {self.low:g}"
        if math.isinf(self.low):
            return f"{kind} {'<' if self.open_high else '<='} {self.high:g}"
        left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
        return f"{kind} in {left}{self.low:g}, {self.high:g}{right}"


def ranged(
    default: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    open_low: bool = False,
    open_high: bool = False,
    within: Range | None = None,
) -> Any:
    """A dataclass field whose value (or every element of it) must lie in ``[low, high]`` (``open_low=True``,
    ``open_high=True`` exclude the ends), or in ``within``; checked by :func:`check_ranges`."""
    factory = (lambda: type(default)(default)) if isinstance(default, list | dict) else None
    metadata = {"range": within or Range(low, high, open_low, open_high)}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


POSITIVE = Range(0.0, open_low=True)  # strictly above 0
SHARE = Range(0.0, 1.0)  # a share in [0, 1]
PROBABILITY = Range(0.0, 1.0, open_low=True, open_high=True)  # strictly inside (0, 1)
YEAR = Range(1900.0, 2200.0)  # a decimal year
ABOVE_HALF = Range(0.5, 1.0, open_low=True, open_high=True)  # a probability threshold above a coin flip


def check_ranges(settings: Any, prefix: str = "") -> None:
    """Every ranged setting of ``settings`` (a config dataclass, recursively) inside its range; otherwise one line
    naming the key, its allowed range and the value."""
    for spec in dataclasses.fields(settings):
        value, key = getattr(settings, spec.name), f"{prefix}{spec.name}"
        allowed: Range | None = spec.metadata.get("range")
        items: Iterable[tuple[Any, Any]] = [(None, value)]
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        for name, item in items:
            where = key if name is None else f"{key}.{name}" if isinstance(value, dict) else f"{key}[{name}]"
            if dataclasses.is_dataclass(item):
                check_ranges(item, prefix=f"{where}.")
            elif allowed is not None and item is not None and not allowed.holds(float(item)):
                raise InputError(f"{where} must be {allowed.text(_whole(spec.type))}, got {item}")


def _whole(kind: Any) -> bool:
    """Whether a field of type ``kind`` holds whole numbers (``int``, ``list[int]``, ``dict[str, int]``)."""
    args = typing.get_args(kind)
    return (args[-1] if args else kind) is int


def check_pair(key: str, pair: list) -> None:
    """A ``[low, high]`` setting: two values, the first not above the second."""
    if len(pair) != 2 or pair[0] > pair[1]:
        raise InputError(f"{key} must be [low, high] with low <= high, got {list(pair)}")
