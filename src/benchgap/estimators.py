"""The estimators of a gap that ``benchgap simulate`` scores against the truth, and the interval levels whose
coverage it measures: one name, label and scale for each, used wherever they are spelled."""

from enum import Enum


class Scale(Enum):
    """What a gap is measured in."""

    score = "score"  # composite score: fraction of items, best vs best
    win_rate = "win_rate"  # HELM's mean win rate: share of pairwise wins
    latent = "latent"  # latent capability: sds of the table's capabilities


SCALE_LABELS = {
    Scale.score: "composite-score gap (fraction of items)",
    Scale.win_rate: "HELM mean-win-rate gap",
    Scale.latent: "latent capability gap (sd of capability)",
}


class Estimator(Enum):
    """An estimator of the best-vs-best gap (the ``estimator`` column of ``replicates.csv``)."""

    composite = "composite"  # the naive weighted composite of observed scores, with its binomial interval
    mean_win_rate = "mean_win_rate"  # HELM's mean win rate; HELM publishes no interval
    bayes = "bayes"  # the Bayesian model of `benchgap fit`, on the composite-score scale (its capability gap)
    bayes_suite = "bayes_suite"  # the same fit's suite gap: these benchmarks' persistent scores given the data
    bayes_latent = "bayes_latent"  # the same fit, on the latent scale

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def scale(self) -> Scale:
        return _SCALES.get(self, Scale.score)

    @property
    def fitted(self) -> bool:
        """Whether the estimator needs the Bayesian fit (``bayes=true``)."""
        return self in (Estimator.bayes, Estimator.bayes_suite, Estimator.bayes_latent)


_LABELS = {
    Estimator.composite: "naive weighted composite (binomial interval)",
    Estimator.mean_win_rate: "HELM mean win rate",
    Estimator.bayes: "Bayesian model, capability gap (equal-tailed interval)",
    Estimator.bayes_suite: "Bayesian model, suite gap (equal-tailed interval)",
    Estimator.bayes_latent: "Bayesian model, latent scale (equal-tailed interval)",
}


_SCALES = {Estimator.mean_win_rate: Scale.win_rate, Estimator.bayes_latent: Scale.latent}


def estimators(*, bayes: bool) -> tuple[Estimator, ...]:
    """The estimators a simulate job scores, in row order: one row each per replicate."""
    return tuple(e for e in Estimator if bayes or not e.fitted)


LEVELS = (0.5, 0.8, 0.9, 0.95)  # interval levels whose coverage is measured


def level_tag(level: float) -> str:
    """``0.9`` -> ``"90"``: the suffix of ``lo_90``, ``hi_90``, ``covered_90`` and ``coverage_90``."""
    return f"{round(level * 100)}"


def coverage_name(level: float) -> str:
    """The coverage column of an interval level, given as a fraction (0.9) or in percent (90): ``coverage_90``."""
    return f"coverage_{level_tag(level if level <= 1 else level / 100)}"


LEVEL_TAGS = tuple(int(level_tag(level)) for level in LEVELS)  # the levels in percent: 50, 80, 90, 95
