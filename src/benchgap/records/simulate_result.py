"""``result.json`` of a ``benchgap simulate`` job as a typed record: what the CLI prints from and what
``benchgap report`` reads back. Field names are the file's keys."""

from dataclasses import dataclass
from typing import Any

from benchgap.metrics import EstimatorSummary
from benchgap.records.files import fields_from_plain, fields_to_plain, optional_section


@dataclass(frozen=True)
class TruthMeans:
    """The truth of the undistorted, noise-free worlds, averaged over the job's replicates: the capability truth
    (the curve), and the suite truth (the persistent cell scores)."""

    latent_gap_mean: float
    score_gap_mean: float
    best_a_score_mean: float
    best_b_score_mean: float
    suite_gap_mean: float | None = optional_section()
    suite_best_a_score_mean: float | None = optional_section()
    suite_best_b_score_mean: float | None = optional_section()


@dataclass(frozen=True)
class Headline:
    """The estimator a headline would quote under the job's weighting."""

    estimator: str
    mean_estimate: float
    mean_truth: float
    bias: float
    sign_error_rate: float
    flip_distance_median: float | None = optional_section()  # weighting=adversarial


@dataclass(frozen=True)
class ModelFlipDistances:
    """Over replicate worlds: the smallest total-variation change of the composite weights that flips the sign."""

    note: str
    median: float | None  # None: infinite (no reweighting flips half the worlds)
    no_flip_possible_share: float


@dataclass(frozen=True)
class FlipDistances:
    """The same for the apparent (naive) gap, with its 10% and 90% quantiles over worlds."""

    note: str
    median: float | None
    q10: float | None
    q90: float | None
    no_flip_possible_share: float


@dataclass(frozen=True)
class DirichletSpread:
    """The apparent composite gap over random weightings, per replicate, averaged over replicates."""

    note: str
    q05: float
    q50: float
    q95: float
    sign_flip_share: float
    suite_sign_flip_share: float | None = optional_section()  # the same against the suite truth


@dataclass(frozen=True)
class WeightingSummary:
    kind: str
    flip_distance: FlipDistances
    model_flip_distance: ModelFlipDistances | None = optional_section()  # the Bayesian model's posterior-mean gap
    dirichlet: DirichletSpread | None = optional_section()  # weighting=dirichlet
    suite_flip_distance: ModelFlipDistances | None = optional_section()  # the model's suite gap
    model_suite_dirichlet: DirichletSpread | None = optional_section()  # weighting=dirichlet: the model's suite gap


@dataclass(frozen=True)
class InflationFound:
    """``model=contamination_aware``: detection of the injected inflation, per replicate then averaged."""

    note: str
    auc_mean: float | None
    auc_min: float | None
    false_positive_rate: float | None  # share of clean cells flagged, per replicate, averaged
    detection_rate: float | None
    inflated_cells_mean: float
    flagged_cells_mean: float
    specialist_false_positive_rate: float | None = optional_section()  # world.dimensions.specialists: the share
    # of the specialists' strong (clean) cells flagged, per replicate, averaged
    clean_cells: float | None = optional_section()  # clean cells over all replicates (the false-positive base)


@dataclass(frozen=True)
class TrendFound:
    """``trend.score=true``: the model's gap over time against the worlds' truth."""

    note: str
    pit_coverage_90: dict[str, float | None]  # per estimator: 90% coverage with ties at the ends split at random
    reliability: dict[str, tuple[dict[str, float], ...]]  # "lag", "latent": P(closing) binned against the truth


@dataclass(frozen=True)
class CategoryScoring:
    """One estimator's gap in one category (worlds with ``world.dimensions``), over the job's worlds."""

    worlds: int
    mean_truth: float
    bias: float
    rmse: float
    coverage_90: float | None  # against the capability truth (the category's expected mean score gap)


@dataclass(frozen=True)
class DimensionalityFound:
    """``loo=true``: how often PSIS-LOO preferred the right dimensionality, per world (the per-category fit is right
    when the world's categories differ)."""

    note: str
    worlds: int
    preferred: dict[str, float]  # "one-dimensional" | "per-category" | "neither" -> share of worlds
    right_share: float
    right_interval: tuple[float, float]  # exact binomial 95%
    difference_mean: float  # per-category minus one-dimensional ELPD, averaged over worlds
    high_k_mean: float  # cells with Pareto k > 0.7 per world (both fits)


@dataclass(frozen=True)
class SimulateResult:
    """A finished simulate job (``result.json``, written last: its presence means the job finished)."""

    benchgap_version: str
    status: str  # "complete"
    settings_key: str  # hash of every setting that can change a number (a resumed sweep reuses equal keys)
    overrides: tuple[str, ...]
    parameters: dict[str, Any]  # every setting, as plain JSON
    replicates: int
    truth: TruthMeans
    headline: Headline
    estimators: dict[str, EstimatorSummary]
    weighting: WeightingSummary
    inflation: InflationFound | None = optional_section()
    trend: TrendFound | None = optional_section()  # trend.score=true
    dimensions: dict[str, dict[str, CategoryScoring]] | None = optional_section()  # per estimator, per category
    dimensionality: DimensionalityFound | None = optional_section()  # loo=true
    inference: str = ""
    seconds_this_run: float = 0.0  # a resumed job counts only the replicates it ran

    def to_json(self) -> dict[str, Any]:
        return fields_to_plain(self)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "SimulateResult":
        return fields_from_plain(cls, values)
