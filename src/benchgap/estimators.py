"""The estimators of a gap that ``benchgap simulate`` scores against the truth, and the interval levels whose
coverage it measures: one name, label and scale for each, used wherever they are spelled."""

from enum import Enum


class Scale(Enum):
    """What a gap is measured in."""

    score = "score"  # composite score: fraction of items, best vs best
    win_rate = "win_rate"  # HELM's mean win rate: share of pairwise wins
    latent = "latent"  # latent capability: sds of the table's capabilities
    months = "months"  # the lag of group b behind group a, in months (trend.score)
    latent_change = "latent_change"  # the change of the latent frontier gap over the trend window
    score_change = "score_change"  # the change of the composite-score frontier gap over the trend window


SCALE_LABELS = {
    Scale.score: "composite-score gap (fraction of items)",
    Scale.win_rate: "HELM mean-win-rate gap",
    Scale.latent: "latent capability gap (sd of capability)",
    Scale.months: "lag of b behind a (months)",
    Scale.latent_change: "change of the latent frontier gap",
    Scale.score_change: "change of the score frontier gap",
}


class Estimator(Enum):
    """An estimator of the best-vs-best gap (the ``estimator`` column of ``replicates.csv``)."""

    composite = "composite"  # the naive weighted composite of observed scores, with its binomial interval
    mean_win_rate = "mean_win_rate"  # HELM's mean win rate; HELM publishes no interval
    bayes = "bayes"  # the Bayesian model of `benchgap fit`, on the composite-score scale (its capability gap)
    bayes_suite = "bayes_suite"  # the same fit's suite gap: these benchmarks' persistent scores given the data
    bayes_latent = "bayes_latent"  # the same fit, on the latent scale
    # trend.score=true: the gap over time over the trend window (benchgap.trend), the truth the same functional
    composite_lag = "composite_lag"  # the lag from the frontiers of the naive composites, time-averaged (no interval)
    bayes_lag = "bayes_lag"  # the model's time-averaged lag (Epoch's estimand)
    bayes_lag_latest = "bayes_lag_latest"  # the model's lag at the window's end
    composite_gap_change = "composite_gap_change"  # the naive composites' frontier gap, end minus start
    bayes_gap_change = "bayes_gap_change"  # the model's latent frontier gap, end minus start
    bayes_gap_change_score = "bayes_gap_change_score"  # the model's composite-score frontier gap, end minus start
    # worlds with capabilities per category (world.dimensions): one row per category, its `dimension` column naming it
    composite_dimension = "composite_dimension"  # best vs best mean observed score over the category's benchmarks
    bayes_dimension = "bayes_dimension"  # the model's best-vs-best expected mean score over them (any model.dimensions)
    bayes_dimension_other = "bayes_dimension_other"  # loo=true: the same from the other model.dimensions' fit

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def scale(self) -> Scale:
        return _SCALES.get(self, Scale.score)

    @property
    def fitted(self) -> bool:
        """Whether the estimator needs the Bayesian fit (``bayes=true``)."""
        return self.value.startswith("bayes")

    @property
    def per_dimension(self) -> bool:
        """Whether the estimator has one row per benchmark category (worlds with ``world.dimensions``)."""
        return self in (Estimator.composite_dimension, Estimator.bayes_dimension, Estimator.bayes_dimension_other)

    @property
    def over_time(self) -> bool:
        """Whether the estimator is of the gap over time (scored with ``trend.score=true``)."""
        return self.scale in (Scale.months, Scale.latent_change, Scale.score_change)


_LABELS = {
    Estimator.composite: "naive weighted composite (binomial interval)",
    Estimator.mean_win_rate: "HELM mean win rate",
    Estimator.bayes: "Bayesian model, capability gap (equal-tailed interval)",
    Estimator.bayes_suite: "Bayesian model, suite gap (equal-tailed interval)",
    Estimator.bayes_latent: "Bayesian model, latent scale (equal-tailed interval)",
    Estimator.composite_lag: "naive composites' frontiers, time-averaged lag",
    Estimator.bayes_lag: "Bayesian model, time-averaged lag (equal-tailed interval)",
    Estimator.bayes_lag_latest: "Bayesian model, lag at the window's end (equal-tailed interval)",
    Estimator.composite_gap_change: "naive composites' frontier gap, change over the window",
    Estimator.bayes_gap_change: "Bayesian model, latent frontier gap's change (equal-tailed interval)",
    Estimator.bayes_gap_change_score: "Bayesian model, score frontier gap's change (equal-tailed interval)",
    Estimator.composite_dimension: "naive composite per category (binomial interval)",
    Estimator.bayes_dimension: "Bayesian model, gap per category (equal-tailed interval)",
    Estimator.bayes_dimension_other: "the other model.dimensions (loo=true), gap per category (equal-tailed interval)",
}


_SCALES = {
    Estimator.mean_win_rate: Scale.win_rate,
    Estimator.bayes_latent: Scale.latent,
    Estimator.composite_lag: Scale.months,
    Estimator.bayes_lag: Scale.months,
    Estimator.bayes_lag_latest: Scale.months,
    Estimator.composite_gap_change: Scale.score_change,
    Estimator.bayes_gap_change: Scale.latent_change,
    Estimator.bayes_gap_change_score: Scale.score_change,
}


def estimators(
    *, bayes: bool, trend: bool = False, dimensions: bool = False, loo: bool = False
) -> tuple[Estimator, ...]:
    """The estimators a simulate job scores, in row order: one row each per replicate (the gap over time's only
    with ``trend.score=true``; the per-category ones, one row per category, only in worlds with dimensions; the
    other dimensionality's only with ``loo=true``)."""
    return tuple(
        e
        for e in Estimator
        if (bayes or not e.fitted)
        and (trend or not e.over_time)
        and (dimensions or not e.per_dimension)
        and (loo or e is not Estimator.bayes_dimension_other)
    )


def estimator_columns(estimator: Estimator) -> dict[str, str]:
    """The ``estimator`` and ``scale`` columns of its rows in ``replicates.csv``."""
    return {"estimator": estimator.value, "scale": estimator.scale.value}


LEVELS = (0.5, 0.8, 0.9, 0.95)  # interval levels whose coverage is measured


def level_tag(level: float) -> str:
    """``0.9`` -> ``"90"``: the suffix of ``lo_90``, ``hi_90``, ``covered_90`` and ``coverage_90``."""
    return f"{round(level * 100)}"


def coverage_name(level: float) -> str:
    """The coverage column of an interval level, given as a fraction (0.9) or in percent (90): ``coverage_90``."""
    return f"coverage_{level_tag(level if level <= 1 else level / 100)}"


LEVEL_TAGS = tuple(int(level_tag(level)) for level in LEVELS)  # the levels in percent: 50, 80, 90, 95
