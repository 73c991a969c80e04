"""Fitting one table: sample the model (compiled once per table shape), then every estimand and diagnostic.

The library's fit, used by every job: ``fit(table, model=..., sampler=..., gap=..., convergence=...)``.
"""

import time
from dataclasses import dataclass

import numpy as np
from xarray import DataTree

from benchgap.capability_prior import check_dimensions
from benchgap.config import (
    ConvergenceConfig,
    GapConfig,
    GroupPrior,
    ModelConfig,
    PlainLikelihood,
    SamplerConfig,
    ScaleIdentification,
    TrendConfig,
    TrendKind,
)
from benchgap.diagnostics import Diagnostics, diagnose
from benchgap.errors import InputError
from benchgap.estimands import FitEstimates, estimate
from benchgap.group_race import check_groups
from benchgap.ranges import check_pair, check_ranges
from benchgap.rating_link import check_ratings
from benchgap.sampling import ModelCache
from benchgap.snapshots import check_snapshots
from benchgap.table import ScoreTable
from benchgap.trend import check_window
from benchgap.weighting import table_weights


@dataclass(frozen=True)
class FitResult:
    table: ScoreTable
    posterior: DataTree
    estimates: FitEstimates
    diagnostics: Diagnostics
    seconds: float  # wall time of build + compile + sampling


def check_gap(gap: GapConfig) -> None:
    """What the gap settings' ranges cannot check: verdict thresholds in order, and ``run_share`` a ``[low, high]``."""
    if gap.likely > gap.ahead:
        raise InputError(
            f"gap.likely={gap.likely:g} is above gap.ahead={gap.ahead:g}; 'likely ahead' needs the lower "
            "probability: set gap.likely <= gap.ahead"
        )
    check_pair("gap.run_share", gap.run_share)


def check_table(table: ScoreTable, gap: GapConfig) -> None:
    """A table the model can fit and compare: ``gap.a`` and ``gap.b`` two groups with models in it, and at least
    two benchmarks (with one, capability and difficulty cannot be told apart)."""
    if table.n_benchmarks < 2:
        raise InputError(
            f"{table.source} has a single benchmark ('{table.benchmarks[0]}'); the model cannot separate capability "
            "from difficulty with one benchmark: give a table with two or more benchmarks"
        )
    counts = table.group_counts()
    present = ", ".join(f"{g} ({n})" for g, n in counts.items())
    for key, name in (("gap.a", gap.a), ("gap.b", gap.b)):
        if name not in counts:
            raise InputError(
                f"{key}='{name}' is not a group of {table.source}; groups with models: {present}. "
                f"Set {key} to one of them (groups come from the 'group' column or data.models)"
            )
    if gap.a == gap.b:
        raise InputError(f"gap.a and gap.b are both '{gap.a}'; compare two different groups: {present}")
    check_snapshots(table, gap)
    check_groups(table, gap)


def check_trend(table: ScoreTable, *, model: ModelConfig, gap: GapConfig, trend: TrendConfig | None) -> None:
    """A trend model needs release dates and group means to move; a given trend window needs dated models of both
    groups (:func:`benchgap.trend.check_window`)."""
    if model.trend is not TrendKind.none:
        if model.group_prior is GroupPrior.exchangeable or model.identify_scale is not ScaleIdentification.capability:
            raise InputError(
                f"model.trend={model.trend.value} moves each group's mean with release date; it needs "
                "model.group_prior=normal or student_t and model.identify_scale=capability (or set model.trend=none)"
            )
        if not np.isfinite(table.known_covariates.model_release).any():
            raise InputError(
                f"model.trend={model.trend.value} needs release dates, and {table.source} has none: add a "
                "model_release_date (or release_date) column to the table or to data.models, or set model.trend=none"
            )
    if trend is not None:
        check_window(table, gap, trend)


def fit(
    table: ScoreTable,
    *,
    gap: GapConfig,
    model: ModelConfig | None = None,
    sampler: SamplerConfig | None = None,
    convergence: ConvergenceConfig | None = None,
    weights: np.ndarray | None = None,
    cache: ModelCache | None = None,
    trend: TrendConfig | None = None,
) -> FitResult:
    """Fit the hierarchical item-response model to ``table`` and compute every estimand and diagnostic.

    ``gap`` names the two groups compared (values of the table's group column); ``model``, ``sampler`` and
    ``convergence`` default to the settings of ``benchgap fit`` (``conf/``'s defaults).

    ``weights``: the composite score's benchmark weights (summing to 1); when not given, those of ``gap.weighting``
    (``benchgap.weighting.table_weights``). Pass one ``cache`` to a series of fits to compile once per table shape.
    ``trend``: the window and steps of the gap over time (``benchgap.trend``); without it no trend estimands are
    computed (``benchgap fit`` passes ``cfg.trend``; ``benchgap simulate`` only with ``trend.score=true``).
    """
    model, sampler = model or ModelConfig(), sampler or SamplerConfig()
    convergence = convergence or ConvergenceConfig()
    for settings, key in ((model, "model."), (sampler, "sampler."), (gap, "gap."), (convergence, "convergence.")):
        check_ranges(settings, prefix=key)
    check_gap(gap)
    check_table(table, gap)
    check_trend(table, model=model, gap=gap, trend=trend)
    check_dimensions(table, model)
    check_ratings(table, model)
    if cache is not None and (cache.spec != model or cache.backend is not sampler.backend):
        raise ValueError("fit: the cache was made for another model spec or sampler backend")
    start = time.perf_counter()
    posterior = (cache or ModelCache(model, sampler.backend)).sample(table, sampler=sampler)
    seconds = time.perf_counter() - start
    floor = model.score_floor if model.plain_likelihood is PlainLikelihood.normal else None
    return finish_fit(
        table,
        posterior,
        gap=gap,
        convergence=convergence,
        seconds=seconds,
        weights=weights,
        seed=sampler.seed,
        plain_normal_floor=floor,
        trend=trend,
    )


def finish_fit(
    table: ScoreTable,
    posterior: DataTree,
    *,
    gap: GapConfig,
    convergence: ConvergenceConfig,
    seconds: float,
    weights: np.ndarray | None = None,
    seed: int = 0,
    plain_normal_floor: float | None = None,
    trend: TrendConfig | None = None,
) -> FitResult:
    """Estimands and diagnostics of a sampled posterior; the gap draws are added to its posterior group.

    ``seed``, ``plain_normal_floor`` and ``trend`` are those of :func:`benchgap.estimands.estimate`.
    """
    if weights is None:
        weights = table_weights(table, gap.weighting)
    estimates = estimate(
        posterior, table, gap=gap, weights=weights, seed=seed, plain_normal_floor=plain_normal_floor, trend=trend
    )
    diagnostics = diagnose(posterior, estimates.draws, limits=convergence)
    posterior["posterior"] = (
        posterior["posterior"]
        .to_dataset()
        .assign({name: (("chain", "draw"), values) for name, values in estimates.draws.items()})
    )
    return FitResult(table, posterior, estimates, diagnostics, seconds)
