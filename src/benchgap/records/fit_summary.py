"""``summary.json`` of ``benchgap fit`` as a typed record: what the fit page, the CLI and readers of a finished fit
use. Field names are the file's keys."""

from dataclasses import dataclass
from typing import Any

from benchgap.config import FitConfig
from benchgap.diagnostics import Diagnostics
from benchgap.dimension_gaps import DimensionEstimate
from benchgap.estimands import GapEstimate, ModelEstimate
from benchgap.group_race import GroupRace
from benchgap.loo import LooComparison
from benchgap.prior_sensitivity import Sensitivity
from benchgap.rating_link import ArenaLink
from benchgap.records.files import fields_from_plain, fields_to_plain, optional_section
from benchgap.residuals import ResidualCheck
from benchgap.snapshots import SnapshotChange
from benchgap.trend import TrendEstimate


@dataclass(frozen=True)
class Measurement:
    """Observed cells per measurement model."""

    beta_binomial_cells: int  # item counts known
    normal_stderr_cells: int  # standard errors given
    beta_cells: int  # plain proportions


@dataclass(frozen=True)
class TableCounts:
    """What was fitted."""

    n_models: int
    n_benchmarks: int
    n_cells: int
    n_missing: int
    groups: dict[str, int]  # models per group
    benchmarks: tuple[str, ...]
    weights: dict[str, float]  # composite-score weight per benchmark
    measurement: Measurement
    chance: dict[str, float] | None = optional_section()  # chance floor per benchmark, where one is set
    not_shares: dict[str, str] | None = optional_section()  # benchmarks whose scores are not shares of items: metric


@dataclass(frozen=True)
class PredictiveCheck:
    coverage_90: float | None  # share of observed scores inside their 90% posterior predictive interval


@dataclass(frozen=True)
class Seconds:
    sampling_and_compile: float


@dataclass(frozen=True)
class PublishedCheck:
    """The table's published aggregate column against benchgap's recomputed HELM mean win rate."""

    n_models: int
    max_abs_diff_vs_mean_win_rate: float
    note: str


@dataclass(frozen=True)
class GapBrief:
    mean: float
    interval: tuple[float, float]
    prob_a_ahead: float


@dataclass(frozen=True)
class ModelGaps:
    """One model's gaps, for the side-by-side of the contamination-aware and the plain fit."""

    score: GapBrief
    latent: GapBrief
    group_mean: GapBrief
    converged: bool


@dataclass(frozen=True)
class ContaminationSummary:
    """``model=contamination_aware``: the gap with inflation removed beside the plain model's, and what is flagged."""

    note: str
    deflated_gap: ModelGaps
    plain_gap: ModelGaps
    shift: dict[str, float]  # deflated minus plain, per estimand
    cells: int
    flagged_cells: int
    expected_inflated_cells: float  # sum of the cells' posterior probabilities of inflation
    flagged: tuple[dict[str, Any], ...]  # the most probable flagged cells (all are in inflation_cells.csv)
    models: tuple[dict[str, Any], ...]  # models with the most inflation
    share_logit_mean: float
    slopes: dict[str, float]  # the covariates' coefficients on the logit of the inflation share


@dataclass(frozen=True)
class WeightingSpread:
    """How a gap moves with the composite's weights: the suite gap always; the capability gap with
    ``model.dimensions=categories`` (with one capability its P(a ahead) cannot move: in every draw a group's best model
    is best on every benchmark)."""

    note: str
    flip_distance: float | None  # total-variation weight change reversing the plug-in gap; None: none can
    weightings: int  # random weightings drawn, Dirichlet(concentration)
    concentration: float
    gap_quantiles: tuple[float, float, float]  # 5%, 50%, 95% over weightings of the posterior-mean suite gap
    prob_a_ahead_quantiles: tuple[float, float, float]  # the same of P(a ahead)
    sign_flip_share: float  # share of weightings whose posterior-mean gap has the other sign than the headline's


@dataclass(frozen=True)
class FitSummary:
    """Everything a fit reports (``summary.json``)."""

    benchgap_version: str
    inference: str
    source: str
    data: TableCounts
    gap: GapEstimate
    models: tuple[ModelEstimate, ...]
    tie_groups: tuple[tuple[str, ...], ...]  # models whose latent order is not settled, best first
    diagnostics: Diagnostics
    posterior_predictive: PredictiveCheck
    seconds: Seconds
    config: FitConfig
    published_aggregate: PublishedCheck | None = optional_section()
    contamination: ContaminationSummary | None = optional_section()
    suite_weighting: WeightingSpread | None = optional_section()
    capability_weighting: WeightingSpread | None = optional_section()  # model.dimensions=categories
    prior_sensitivity: dict[str, Sensitivity] | None = optional_section()  # by gap estimand (fit.prior_sensitivity)
    trend: TrendEstimate | None = optional_section()  # the gap over time, when both groups have dated models
    snapshots: SnapshotChange | None = optional_section()  # the gap per snapshot and its change (data.snapshots)
    dimensions: DimensionEstimate | None = optional_section()  # the gap per category (model.dimensions=categories)
    loo: LooComparison | None = optional_section()  # fit.loo: one against several dimensions by PSIS-LOO
    residuals: ResidualCheck | None = optional_section()  # per-benchmark predictive checks, residual correlation
    arena: ArenaLink | None = optional_section()  # data.arena: ratings and benchmarks in one fit
    groups: GroupRace | None = optional_section()  # gap.groups: every pairwise gap and P(each group leads)

    def to_json(self) -> dict[str, Any]:
        return fields_to_plain(self)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "FitSummary":
        return fields_from_plain(cls, values)
