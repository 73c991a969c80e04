"""Benchmark weights of the headline composite: named schemes, random weightings, and the smallest sign flip.

A composite score's best-vs-best gap depends on how benchmarks are weighted. This module gives the weights a
``conf/weighting/`` scheme asks for, random Dirichlet weightings (how much the apparent gap moves over the
space of plausible weightings), and the adversarial distance: how far, in total variation, the weights must
move for the apparent gap to change sign; and the model's suite gap under random weightings (its best models,
unlike the capability gap's, change with the weights).
"""

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog
from xarray import DataTree

from benchgap.config import WeightingConfig, WeightScheme
from benchgap.errors import InputError
from benchgap.posterior import benchmark_capability, expected_scores, posterior_array, suite_scores
from benchgap.table import ScoreTable


def scheme_weights(
    scheme: WeightScheme,
    benchmarks: Sequence[str],
    categories: Sequence[str],
    *,
    custom: Mapping[str, float] | None = None,
    key: str = "weighting.weights",
) -> np.ndarray:
    """Benchmark weights (summing to 1) of a scheme: the one weights function of benchgap.

    ``uniform`` (and the schemes whose headline is not a fixed composite: ``mean_win_rate``, ``adversarial``; and
    ``dirichlet``, whose random draws come from :func:`dirichlet_weights`): every benchmark the same. ``category``:
    every category the same, split evenly over its benchmarks. ``custom``: a benchmark's weight is its own entry in
    ``custom``, else its category's entry split evenly over the category's benchmarks, else 0; ``key`` names the
    setting the entries come from, for messages.
    """
    benchmarks, categories = tuple(benchmarks), tuple(categories)
    n = len(benchmarks)
    if scheme is WeightScheme.category:
        names, index = np.unique(np.asarray(categories), return_inverse=True)
        per_category = np.bincount(index)
        return 1.0 / (names.size * per_category[index])
    if scheme is not WeightScheme.custom:
        return np.full(n, 1.0 / n)
    custom = custom or {}
    known = set(benchmarks) | set(categories)
    for name, value in custom.items():
        if name not in known:
            raise InputError(
                f"{key}.{name}: no benchmark or category of that name; e.g. {benchmarks[0]} or {categories[0]}"
            )
        if not value >= 0:
            raise InputError(f"{key}.{name} must be >= 0, got {value}")
    size = {c: categories.count(c) for c in set(categories)}
    weights = np.array(
        [custom.get(b, custom.get(c, 0.0) / size[c]) for b, c in zip(benchmarks, categories, strict=True)]
    )
    if weights.sum() <= 0:
        raise InputError(f"{key}: custom weights must be positive for some benchmark or category; got {dict(custom)}")
    return weights / weights.sum()


def table_weights(table: ScoreTable, scheme: WeightScheme) -> np.ndarray:
    """The composite weights of ``benchgap fit`` (``gap.weighting``): ``custom`` reads the table's listed weights
    (the ``weight`` column of ``data.benchmarks``), which must name every benchmark."""
    custom = None
    if scheme is WeightScheme.custom:
        missing = [b for b, w in zip(table.benchmarks, table.listed_weight, strict=True) if not np.isfinite(w)]
        if missing:
            raise InputError(
                f"gap.weighting=custom needs a weight for every benchmark; missing for '{missing[0]}' "
                "(add a weight column to data.benchmarks)"
            )
        custom = dict(zip(table.benchmarks, map(float, table.listed_weight), strict=True))
    return scheme_weights(scheme, table.benchmarks, table.categories, custom=custom, key="data.benchmarks: weight")


def dirichlet_weights(rng: np.random.Generator, n_benchmarks: int, cfg: WeightingConfig) -> np.ndarray:
    """``cfg.draws`` random weightings, ``w ~ Dirichlet(concentration * 1)``; shape (draws, benchmarks)."""
    return rng.dirichlet(np.full(n_benchmarks, cfg.concentration), size=cfg.draws)


def best_vs_best(composites: np.ndarray, in_a: np.ndarray, in_b: np.ndarray) -> np.ndarray:
    """Gap between each group's best model, per row of ``composites`` (..., models)."""
    return composites[..., in_a].max(axis=-1) - composites[..., in_b].max(axis=-1)


def flip_distance(scores: np.ndarray, weights: np.ndarray, *, in_a: np.ndarray, in_b: np.ndarray) -> float:
    """Smallest total-variation change of ``weights`` that flips the sign of the best-vs-best composite gap.

    ``scores`` is models x benchmarks, complete (fill missing cells first). With ``G(w)`` the gap under weights
    ``w``, the distance is ``min 1/2 ||w - weights||_1`` over weightings with ``G(w) <= 0`` when ``G(weights) > 0``
    (and ``>= 0`` otherwise). For a positive gap, some model ``j`` of group b must match every model of group a:
    one linear programme per ``j``, the smallest distance over ``j``. A tie (a gap of exactly 0) counts as
    flipped. NaN when no weighting flips it (one group's best is ahead on every benchmark).
    """
    gap = float(best_vs_best(scores @ weights, in_a, in_b))
    leaders, trailers = (in_a, in_b) if gap > 0 else (in_b, in_a)
    n = weights.size
    # Variables: w (n), t (n) with t >= |w - weights|; minimise sum(t) / 2.
    cost = np.concatenate([np.zeros(n), np.full(n, 0.5)])
    eye = np.eye(n)
    abs_rows = np.block([[eye, -eye], [-eye, -eye]])
    abs_rhs = np.concatenate([weights, -weights])
    best = np.inf
    for j in np.flatnonzero(trailers):
        ahead = scores[leaders] - scores[j]  # (leaders, n): leader minus j, per benchmark; need ahead @ w <= 0
        rows = np.vstack([abs_rows, np.hstack([ahead, np.zeros_like(ahead)])])
        rhs = np.concatenate([abs_rhs, np.zeros(ahead.shape[0])])
        result = linprog(
            cost,
            A_ub=rows,
            b_ub=rhs,
            A_eq=np.concatenate([np.ones(n), np.zeros(n)])[None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * (2 * n),
            method="highs",
        )
        if result.status == 0:
            best = min(best, float(result.fun))
    return best if np.isfinite(best) else float("nan")


SPREAD_DRAWS = 250  # posterior draws per chain behind the suite gap under random weightings


def suite_gap_over_weightings(
    posterior: DataTree,
    table: ScoreTable,
    weightings: np.ndarray,
    *,
    in_a: np.ndarray,
    in_b: np.ndarray,
    seed: int,
    run_share: Sequence[float],
) -> tuple[np.ndarray, np.ndarray]:
    """Per weighting (rows of ``weightings``): the posterior mean of the best-vs-best suite gap and P(a ahead).

    Unlike the capability gap, whose best models are best on every benchmark in every draw, the suite gap's best
    models change with the weights, so reweighting can move its posterior and reverse its sign. Uses the first
    ``SPREAD_DRAWS`` draws per chain of the persistent scores (the fit's own draws: same ``seed``).
    """
    chains = posterior["posterior"].sizes["chain"]
    per_chain = (
        suite_scores(posterior, table, chain=chain, seed=seed, run_share=run_share)[:SPREAD_DRAWS]
        for chain in range(chains)
    )
    return _gap_over_weightings(per_chain, weightings, in_a, in_b)


def capability_gap_over_weightings(
    posterior: DataTree, table: ScoreTable, weightings: np.ndarray, *, in_a: np.ndarray, in_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per weighting: the posterior mean of the best-vs-best capability gap (expected scores) and P(a ahead).

    With one capability per model a group's best model is best on every benchmark in every draw, so the weights
    cannot reverse a draw; with one per category (``model.dimensions=categories``) the best model depends on the
    weights, and so does this gap. Uses the first ``SPREAD_DRAWS`` draws per chain."""
    intercept = posterior_array(posterior, "intercept")
    log_a = posterior_array(posterior, "log_discrimination")
    per_chain = (
        expected_scores(
            benchmark_capability(posterior, table, chain)[:SPREAD_DRAWS],
            intercept[chain, :SPREAD_DRAWS],
            log_a[chain, :SPREAD_DRAWS],
            table.chance,
        )
        for chain in range(intercept.shape[0])
    )
    return _gap_over_weightings(per_chain, weightings, in_a, in_b)


def _gap_over_weightings(
    per_chain: Iterable[np.ndarray], weightings: np.ndarray, in_a: np.ndarray, in_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per weighting, the mean over draws of the best-vs-best composite gap and the share of draws with it above 0;
    ``per_chain`` yields (draw, model, benchmark) scores, one chain at a time (which bounds memory)."""
    gap_sum, ahead_sum, draws = np.zeros(len(weightings)), np.zeros(len(weightings)), 0
    for scores in per_chain:
        composites = np.moveaxis(scores @ weightings.T, 1, -1)  # (draw, weighting, model)
        gaps = best_vs_best(composites, in_a, in_b)  # (draw, weighting)
        gap_sum, ahead_sum, draws = gap_sum + gaps.sum(axis=0), ahead_sum + (gaps > 0).sum(axis=0), draws + len(gaps)
    return gap_sum / draws, ahead_sum / draws
