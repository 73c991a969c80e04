"""The gap over time in ``benchgap simulate`` (``trend.score=true``): the world's true lag, frontier-gap change and
closing, as the functionals of :mod:`benchgap.trend` on its true capabilities, and the rows that score the naive
composites' and the model's estimates of them."""

from dataclasses import dataclass
from typing import Any

import numpy as np

from benchgap.config import GapConfig, IntervalKind, SimulateConfig
from benchgap.estimators import LEVELS, Estimator, estimator_columns
from benchgap.fitting import FitResult
from benchgap.lenses import weighted_composite
from benchgap.metrics import randomized_pit, ranking_columns, truth_columns
from benchgap.summaries import credible_interval, interval_pair, prob_toward_zero
from benchgap.table import ScoreTable
from benchgap.trend import check_window, evaluation_dates, trend_draws, trend_scalars
from benchgap.world import World


@dataclass(frozen=True)
class TrendTruth:
    """The gap over time of one replicate's undistorted world (``trend.score=true``): the functionals of
    :mod:`benchgap.trend` on its true capabilities and true composites, over the window the fit uses."""

    window: tuple[float, float]
    dates: np.ndarray
    scalars: dict[str, float]  # lag_mean, lag_latest, gap_change_latent, gap_change_score, gap_change_suite ...
    closing: dict[str, float]  # "lag", "latent", "score": 1 when the true slope runs toward zero

    @classmethod
    def of(cls, world: World, table: ScoreTable, weights: np.ndarray, cfg: SimulateConfig) -> "TrendTruth | None":
        """The truth of ``world`` (measured as ``table``, composites under ``weights``); None without a window."""
        gap = GapConfig(a=cfg.world.a, b=cfg.world.b)
        window = check_window(table, gap, cfg.trend)
        if window is None:
            return None
        values = {
            "latent": world.truth.theta,
            "score": world.truth.expected_score @ weights,
            "suite": world.truth.suite_score @ weights,
        }
        dates = evaluation_dates(window, cfg.trend.step_months)
        groups = np.asarray(world.groups)
        series = trend_draws(values, world.model_release, groups == gap.a, groups == gap.b, dates)
        scalars = trend_scalars(series, dates)
        closing = {  # the estimate's functional on the truth (one draw)
            "lag": prob_toward_zero(scalars["lag_slope"], series["lag"]),
            "latent": prob_toward_zero(scalars["gap_slope_latent"], series["gap_latent"]),
        }
        return cls(window, dates, {name: float(value) for name, value in scalars.items()}, closing)


def naive_trend_rows(
    table: ScoreTable,
    world: World,
    weights: np.ndarray,
    cfg: SimulateConfig,
    shared: dict[str, Any],
    truth: TrendTruth,
) -> list[dict[str, Any]]:
    """The lag and the score gap's change from the frontiers of the observed weighted composites (no interval)."""
    composite, _ = weighted_composite(table, weights)
    groups = np.asarray(world.groups)
    in_a, in_b = groups == cfg.world.a, groups == cfg.world.b
    values = {"latent": composite, "score": composite}
    series = trend_draws(values, world.model_release, in_a, in_b, truth.dates)
    scalars = trend_scalars(series, truth.dates)
    ranking = ranking_columns(composite, world.truth.theta)
    return [
        shared
        | estimator_columns(estimator)
        | {"se": np.nan}
        | truth_columns(float(scalars[name]), {}, truth.scalars[name], truth.scalars.get(suite) if suite else None)
        | ranking
        for estimator, name, suite in (
            (Estimator.composite_lag, "lag_mean", None),
            (Estimator.composite_gap_change, "gap_change_score", "gap_change_suite"),
        )
    ]


def bayes_trend_rows(
    result: FitResult,
    shared: dict[str, Any],
    truth: TrendTruth,
    ranking: dict[str, float],
    fit: dict[str, Any],
    *,
    seed: int,
) -> list[dict[str, Any]]:
    """The model's gap over time against the world's: the time-averaged lag, the lag at the end, and the frontier
    gap's change on the latent and the score scale; each lag and latent row with P(closing) and the true closing, and
    every row with the truth's randomized PIT (:func:`benchgap.metrics.randomized_pit`: the lags have atoms)."""
    trend = result.estimates.trend
    draws = result.estimates.draws
    assert trend is not None
    u = np.random.default_rng([seed, 3]).random()  # the PIT's tie-breaker: its own stream
    rows = []
    for estimator, name, suite, closing in (
        (Estimator.bayes_lag, "lag_mean", None, "lag"),
        (Estimator.bayes_lag_latest, "lag_latest", None, None),
        (Estimator.bayes_gap_change, "gap_change_latent", None, "latent"),
        (Estimator.bayes_gap_change_score, "gap_change_score", "gap_change_suite", None),
    ):
        values = draws[f"trend_{name}"].ravel()
        intervals = {level: interval_pair(credible_interval(values, level, IntervalKind.eti)) for level in LEVELS}
        suite_truth = truth.scalars[suite] if suite else None
        extra = {"prob_closing": np.nan, "true_closing": np.nan, "pit": randomized_pit(values, truth.scalars[name], u)}
        if closing is not None:
            extra |= {"prob_closing": trend.prob_closing[closing], "true_closing": truth.closing[closing]}
        rows.append(
            shared
            | estimator_columns(estimator)
            | {"se": float(values.std(ddof=1))}
            | extra
            | truth_columns(float(values.mean()), intervals, truth.scalars[name], suite_truth)
            | ranking
            | fit
        )
    return rows
