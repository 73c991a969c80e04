"""Benchmark weights of the headline composite: named schemes, random weightings, and the smallest sign flip.

A composite score's best-vs-best gap depends on how benchmarks are weighted. This module gives the weights a
``conf/weighting/`` scheme asks for, random Dirichlet weightings (how much the apparent gap moves over the
space of plausible weightings), and the adversarial distance: how far, in total variation, the weights must
move for the apparent gap to change sign.
"""

import numpy as np
from scipy.optimize import linprog

from benchgap.config import WeightingConfig, WeightingKind
from benchgap.errors import InputError


def scheme_weights(benchmarks: tuple[str, ...], categories: tuple[str, ...], cfg: WeightingConfig) -> np.ndarray:
    """Weights (summing to 1) of a fixed scheme; ``dirichlet`` and the rank-based schemes use uniform weights.

    ``custom``: a benchmark's weight is its own entry in ``cfg.weights``, else its category's entry split evenly
    over the category's benchmarks, else 0.
    """
    n = len(benchmarks)
    if cfg.kind is WeightingKind.category:
        names, index = np.unique(np.asarray(categories), return_inverse=True)
        per_category = np.bincount(index)
        return 1.0 / (names.size * per_category[index])
    if cfg.kind is not WeightingKind.custom:
        return np.full(n, 1.0 / n)
    known = set(benchmarks) | set(categories)
    for name, value in cfg.weights.items():
        if name not in known:
            raise InputError(
                f"weighting.weights.{name}: no benchmark or category of that name; e.g. {benchmarks[0]} or "
                f"{categories[0]}"
            )
        if value < 0:
            raise InputError(f"weighting.weights.{name} must be >= 0, got {value}")
    size = {c: categories.count(c) for c in set(categories)}
    weights = np.array(
        [cfg.weights.get(b, cfg.weights.get(c, 0.0) / size[c]) for b, c in zip(benchmarks, categories, strict=True)]
    )
    if weights.sum() <= 0:
        raise InputError(
            "weighting=custom needs positive weights: set weighting.weights.NAME=VALUE for some benchmark or category"
        )
    return weights / weights.sum()


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
