"""The shipped presets under ``conf/``, read without Hydra: where they are, and a world preset as its dataclass.

The jobs compose presets with Hydra (``benchgap.cli``); notebook users get the same worlds here.
"""

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from benchgap.config import WorldConfig
from benchgap.errors import InputError
from benchgap.records.files import from_plain


def config_dir() -> Path:
    """``conf/`` shipped inside the installed package, or the repository's ``conf/`` in a source checkout."""
    packaged = Path(__file__).parent / "conf"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "conf"


def world_preset(name: str) -> WorldConfig:
    """The world preset ``conf/world/NAME.yaml`` (e.g. ``ai_index_2026``, ``demo``, ``sparse``) as a
    :class:`~benchgap.config.WorldConfig`, with the presets it inherits (its ``defaults`` list) merged in."""
    return from_plain(WorldConfig, _preset_values("world", name))


def demo_world_with(
    sizes: dict[str, int], means: dict[str, float], *, benchmarks_per_category: int = 3, missing_rate: float = 0.0
) -> WorldConfig:
    """The demo world (``conf/world/demo.yaml``: four categories, item counts, run noise) with other groups:
    ``sizes[g]`` models of mean capability ``means[g]`` (sd 1) per group, for recovery tests and speed benchmarks."""
    base = world_preset("demo")
    groups = {g: dataclasses.replace(base.groups["Other"], models=n, mean=means[g]) for g, n in sizes.items()}
    return dataclasses.replace(
        base,
        name="demo with other groups",
        groups=groups,
        true_gap=None,
        suite=dataclasses.replace(base.suite, benchmarks_per_category=benchmarks_per_category),
        noise=dataclasses.replace(base.noise, missing_rate=missing_rate),
    )


def _preset_values(group: str, name: str) -> dict[str, Any]:
    path = config_dir() / group / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))
        raise InputError(f"no {group} preset '{name}'; presets: {', '.join(known)}")
    values = yaml.safe_load(path.read_text()) or {}
    merged: dict[str, Any] = {}
    for parent in values.pop("defaults", []):
        if parent != "_self_":
            merged = _merge(merged, _preset_values(group, str(parent)))
    return _merge(merged, values)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``, dictionaries merged key by key (as Hydra merges configs)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out
