"""The aggregates leaderboards publish, computed exactly as their owners do, on observed scores only.

Every model-based estimate in benchgap stands beside these, so a reader sees what the model adds.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from benchgap.errors import InputError
from benchgap.table import ScoreTable


def mean_score(table: ScoreTable) -> np.ndarray:
    """Plain mean of each model's observed scores (missing cells skipped), the usual "average" column."""
    scores = table.matrix()
    return np.nanmean(scores, axis=1)


def mean_win_rate(table: ScoreTable) -> np.ndarray:
    """HELM's mean win rate (Liang et al. 2023, "Holistic Evaluation of Language Models").

    In each benchmark column with N observed models, a model's win rate is
    ``(models strictly worse + (ties - 1) / 2) / (N - 1)``, where ``ties`` counts the models with exactly its
    score, itself included (ties share half a win). A model's mean win rate is the mean over the columns where
    it has a score; columns with a single score carry no comparison and are skipped.
    """
    scores = table.matrix()
    rates = np.full(scores.shape, np.nan)
    for j in range(scores.shape[1]):
        present = np.flatnonzero(np.isfinite(scores[:, j]))
        if present.size < 2:
            continue
        column = scores[present, j]
        worse = (column[None, :] < column[:, None]).sum(axis=1)
        ties = (column[None, :] == column[:, None]).sum(axis=1)
        rates[present, j] = (worse + (ties - 1) / 2) / (present.size - 1)
    with np.errstate(invalid="ignore"):
        return np.nanmean(rates, axis=1) if np.isfinite(rates).any() else np.full(scores.shape[0], np.nan)


def weighted_composite(table: ScoreTable, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per model: the weighted mean of its observed scores, and that mean's binomial standard error.

    Weights are renormalised over each model's observed benchmarks. The standard error treats each score as a
    proportion of ``n`` independent items (``s (1 - s) / n``; the reported standard error where one is given),
    the textbook interval behind "confidence intervals overlap" remarks. It knows nothing of benchmark
    selection, weighting, run-to-run variation or distortions; NaN where item counts are unknown.
    """
    scores = table.matrix()
    n_items, stderr = table.matrix(table.n_items), table.matrix(table.stderr)
    observed = np.isfinite(scores)
    w = np.where(observed, weights[None, :], 0.0)
    unweighted = np.flatnonzero(w.sum(axis=1) <= 0)
    if unweighted.size:
        raise InputError(
            f"model '{table.models[unweighted[0]]}' has no score on a benchmark with positive weight, so it has no "
            "composite; give weight to a benchmark it was scored on"
        )
    w = w / w.sum(axis=1, keepdims=True)
    variance = np.where(np.isfinite(stderr), stderr**2, scores * (1 - scores) / n_items)
    composite = np.where(observed, w * scores, 0.0).sum(axis=1)
    se = np.sqrt(np.where(observed, w**2 * variance, 0.0).sum(axis=1))
    return composite, se


@dataclass(frozen=True)
class LensGap:
    """Best-vs-best gap of one published aggregate: each group's top model by that aggregate."""

    a_model: str
    b_model: str
    a: float
    b: float
    gap: float  # a - b
    relative: float  # gap / b, the "x% behind" of headlines


def lens_gap(values: np.ndarray, table: ScoreTable, *, a: str, b: str) -> LensGap:
    """Gap between the best model of group ``a`` and of group ``b`` by the per-model aggregate ``values``."""
    groups = np.asarray(table.groups)

    def best(group: str) -> int:
        members = np.flatnonzero((groups == group) & np.isfinite(values))
        return int(members[np.argmax(values[members])])

    ia, ib = best(a), best(b)
    gap = float(values[ia] - values[ib])
    return LensGap(
        a_model=table.models[ia],
        b_model=table.models[ib],
        a=float(values[ia]),
        b=float(values[ib]),
        gap=gap,
        relative=gap / float(values[ib]) if values[ib] else float("nan"),
    )


def composite_gap_intervals(
    table: ScoreTable, weights: np.ndarray, *, a: str, b: str, levels: tuple[float, ...]
) -> tuple[LensGap, float, np.ndarray, dict[float, tuple[float, float]]]:
    """The headline number as leaderboards publish it: best vs best weighted composite, the standard error of that
    difference (the two best composites' binomial errors combined), each model's composite, and the normal interval
    at each of ``levels``."""
    composite, se = weighted_composite(table, weights)
    naive = lens_gap(composite, table, a=a, b=b)
    gap_se = float(np.hypot(se[table.models.index(naive.a_model)], se[table.models.index(naive.b_model)]))
    z = {level: float(norm.ppf(0.5 + level / 2)) for level in levels}
    intervals = {level: (naive.gap - z[level] * gap_se, naive.gap + z[level] * gap_se) for level in levels}
    return naive, gap_se, composite, intervals
