"""The gap per category in ``benchgap simulate`` (worlds with ``world.dimensions``): per benchmark category, the naive
composite's and the model's best-vs-best gap in mean score over the category's benchmarks, scored against the same
functional of the world's expected (capability truth) and persistent (suite truth) scores. Any model is scored: a
one-dimensional fit predicts each category from its one capability, which is the bias the multidimensional model
removes."""

from typing import Any

import numpy as np

from benchgap.config import Dimensions, GapConfig, IntervalKind, ModelConfig
from benchgap.dimension_gaps import category_score_gaps, category_weights
from benchgap.estimators import LEVELS, Estimator, estimator_columns
from benchgap.fitting import FitResult
from benchgap.lenses import composite_gap_intervals
from benchgap.loo import DIMENSION_LABELS, compare_loo, pointwise_log_likelihood
from benchgap.metrics import truth_columns
from benchgap.summaries import credible_interval, interval_pair
from benchgap.table import ScoreTable
from benchgap.weighting import best_vs_best
from benchgap.world import World


def category_truths(world: World, table: ScoreTable, a: str, b: str) -> dict[str, tuple[float, float]]:
    """Per category, the true best-vs-best gap in mean expected score and in mean persistent score."""
    groups = np.asarray(world.groups)
    in_a, in_b = groups == a, groups == b
    return {
        name: (
            float(best_vs_best(world.truth.expected_score @ w, in_a, in_b)),
            float(best_vs_best(world.truth.suite_score @ w, in_a, in_b)),
        )
        for name, w in category_weights(table).items()
    }


def naive_dimension_rows(
    table: ScoreTable, truths: dict[str, tuple[float, float]], shared: dict[str, Any], *, a: str, b: str
) -> list[dict[str, Any]]:
    """Per category: best vs best mean observed score, with the binomial interval of the two best."""
    rows = []
    for name, weights in category_weights(table).items():
        naive, gap_se, _, intervals = composite_gap_intervals(table, weights, a=a, b=b, levels=LEVELS)
        rows.append(
            shared
            | estimator_columns(Estimator.composite_dimension)
            | {"dimension": name, "se": gap_se, "best_a": naive.a_model, "best_b": naive.b_model}
            | truth_columns(naive.gap, intervals, *truths[name])
        )
    return rows


def bayes_dimension_rows(
    result: FitResult,
    truths: dict[str, tuple[float, float]],
    shared: dict[str, Any],
    fit: dict[str, Any],
    *,
    gap: GapConfig,
    estimator: Estimator = Estimator.bayes_dimension,
) -> list[dict[str, Any]]:
    """Per category: the model's posterior best-vs-best gap in expected mean score, with its equal-tailed intervals
    (a per-category fit has computed them already; a one-dimensional fit's are computed here)."""
    found = result.estimates.draws
    names = result.table.category_names
    per_category = (
        {name: found[f"gap_score_{name}"] for name in names}
        if result.estimates.dimensions is not None
        else category_score_gaps(result.posterior, result.table, gap)
    )
    rows = []
    for name, draws in per_category.items():
        values = draws.ravel()
        intervals = {level: interval_pair(credible_interval(values, level, IntervalKind.eti)) for level in LEVELS}
        rows.append(
            shared
            | estimator_columns(estimator)
            | {"dimension": name, "se": float(values.std(ddof=1)), "prob_a_ahead": float((values > 0).mean())}
            | truth_columns(float(values.mean()), intervals, *truths[name])
            | fit
        )
    return rows


def dimensionality_columns(
    fits: tuple[tuple[FitResult, ModelConfig], tuple[FitResult, ModelConfig]], *, multidimensional: bool
) -> dict[str, Any]:
    """``loo=true``: PSIS-LOO of a world's one-dimensional and per-category fits, against the world's truth (the
    per-category fit is right when the world's categories differ). ``loo_difference``: the per-category fit's ELPD
    minus the one-dimensional fit's, with the standard error of that difference."""
    comparison = compare_loo(
        {
            DIMENSION_LABELS[spec.dimensions]: (r.posterior, pointwise_log_likelihood(r.posterior, r.table, spec))
            for r, spec in fits
        }
    )
    elpd = {fit.model: fit.elpd for fit in comparison.fits}
    right = DIMENSION_LABELS[Dimensions.categories if multidimensional else Dimensions.one]
    return {
        "loo_preferred": comparison.preferred,
        "loo_right": float(comparison.preferred == right),
        "loo_difference": elpd[DIMENSION_LABELS[Dimensions.categories]] - elpd[DIMENSION_LABELS[Dimensions.one]],
        "loo_difference_se": comparison.difference_se,
        "loo_high_k": sum(fit.high_k for fit in comparison.fits),
    }
