"""Capabilities per benchmark category in a simulated world (``world.dimensions``): correlated categories, group
profiles and specialist models, and the checks of those settings. Used by :func:`benchgap.world.sample_world`."""

import numpy as np

from benchgap.config import GroupWorld, WorldConfig
from benchgap.errors import InputError


def check_dimension_world(cfg: WorldConfig, *, key: str = "world") -> None:
    """Profiles name groups and categories of the world; specialists are a category's and fewer than its models."""
    dims, categories = cfg.dimensions, cfg.suite.categories
    for group, offsets in dims.profiles.items():
        if group not in cfg.groups:
            raise InputError(f"{key}.dimensions.profiles.{group}: no such world group; groups: {', '.join(cfg.groups)}")
        for category in offsets:
            if category not in categories:
                raise InputError(
                    f"{key}.dimensions.profiles.{group}.{category}: no such category; categories: {categories}"
                )
    if dims.specialists and dims.specialist_category not in categories:
        raise InputError(
            f"{key}.dimensions.specialist_category='{dims.specialist_category}' is not a category; "
            f"categories: {categories}"
        )
    models = sum(group.models for group in cfg.groups.values())
    if dims.specialists > models:
        raise InputError(
            f"{key}.dimensions.specialists={dims.specialists} exceeds the world's {models} models; choose at most that"
        )


def dimension_capabilities(
    cfg: WorldConfig,
    keys: list[str],
    centre: np.ndarray,
    deviation: np.ndarray,
    specs: list[GroupWorld],
    rng: np.random.Generator,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Models x categories: ``centre_m + offset_{g,k} + sqrt(rho) dev_m + sqrt(1 - rho) sd_g z_mk`` (so two categories
    correlate at ``rho`` within a group), plus ``specialist_boost`` on the specialist category of each of
    ``specialists`` models drawn at random; None at correlation 1 without offsets or specialists. Also each model's
    specialist mask (True for a specialist; None without specialists). ``z`` is drawn only when ``rho < 1`` and the
    specialists only when there are some, after the draws every world makes."""
    dims = cfg.dimensions
    if not dims.active:
        return None, None
    categories = cfg.suite.categories
    offsets = np.array([[dims.profiles.get(g, {}).get(c, 0.0) for c in categories] for g in keys])
    values = (centre + np.sqrt(dims.correlation) * deviation)[:, None] + offsets
    if dims.correlation < 1.0:
        sd = np.array([s.sd for s in specs])[:, None]
        values = values + np.sqrt(1.0 - dims.correlation) * sd * rng.standard_normal((len(keys), len(categories)))
    if not dims.specialists:
        return values, None
    specialist = np.zeros(len(keys), dtype=bool)
    specialist[rng.choice(len(keys), size=dims.specialists, replace=False)] = True
    values[specialist, list(categories).index(dims.specialist_category)] += dims.specialist_boost
    return values, specialist
