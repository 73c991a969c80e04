"""Typed settings for every job. Plain dataclasses: the CLI registers them with Hydra, the library only reads them.

Each dataclass backs one YAML group under ``conf/``; a typo or a wrong type in an override fails at
composition with Hydra's own message.
"""

from dataclasses import dataclass, field
from enum import Enum

from benchgap.data_settings import DataConfig as DataConfig
from benchgap.ranges import ABOVE_HALF, POSITIVE, PROBABILITY, SHARE, YEAR, ranged
from benchgap.world_settings import DimensionWorld as DimensionWorld

# Worlds (``conf/world/``) are set in ``benchgap.world_settings``; every job's settings are importable from here.
from benchgap.world_settings import GroupWorld as GroupWorld
from benchgap.world_settings import NoiseConfig as NoiseConfig
from benchgap.world_settings import SuiteConfig as SuiteConfig
from benchgap.world_settings import WorldConfig as WorldConfig


class Parametrization(Enum):
    """How latent capabilities are written in the model."""

    centered = "centered"  # theta ~ Normal(mu_group, sigma_group): best when every model has several scores
    noncentered = "noncentered"  # theta = mu_group + sigma_group * z: best when most models have one or two
    auto = "auto"  # centred for models with at least `centered_min_scores` scores, non-centred for the rest


class ScaleIdentification(Enum):
    """What fixes the unit of the latent capability scale."""

    capability = "capability"  # capabilities standardised over the table: gaps read in sds of capability
    discrimination = "discrimination"  # sum of log-discriminations = 0: unit of the average benchmark's slope


class GroupPrior(Enum):
    """How the prior relates a model's capability to its group (``identify_scale=capability``)."""

    normal = "normal"  # theta_raw ~ Normal(mu_group, 1): models pooled toward their group's mean
    student_t = "student_t"  # theta_raw ~ StudentT(nu, mu_group, 1): a frontier model may sit far from its group
    exchangeable = "exchangeable"  # theta_raw ~ Normal(0, 1): groups enter the estimands only


class TrendKind(Enum):
    """How capabilities move with release date (``model.trend``; ``identify_scale=capability``)."""

    none = "none"  # no time structure: each group has one level
    linear = "linear"  # per group an intercept and a slope per year over release date; undated models sit at the
    # group's level at the table's mean release date
    random_walk = "random_walk"  # the linear trend plus per group a random walk over release date (trend_knots knots):
    # a group may speed up or stall


class Dimensions(Enum):
    """How many capabilities a model has (``model.dimensions``; ``identify_scale=capability``)."""

    one = "one"  # one capability per model: every benchmark measures it
    categories = "categories"  # one per benchmark category, correlated (LKJ); a benchmark loads on its category's


class ConcentrationPooling(Enum):
    """How the benchmarks' concentrations kappa_b share information (``model.concentration_pooling``)."""

    none = "none"  # log kappa_b ~ Normal(concentration_mean, concentration_sd), independently
    mean = "mean"  # ... ~ Normal(mu_kappa, concentration_sd), mu_kappa ~ Normal(concentration_mean, 1) learned
    full = "full"  # mean and spread learned: mu_kappa + sigma_kappa z_b, sigma_kappa ~ Gamma(2, 2 / concentration_sd)


class PlainLikelihood(Enum):
    """Likelihood of a score with neither item count nor standard error."""

    beta = "beta"  # Beta(kappa p, kappa (1 - p)) on the score clipped to [floor, 1 - floor]
    normal = "normal"  # Normal(p, sqrt(floor^2 + p (1 - p) / (kappa + 1))): the beta's moments, smooth at 0 and 1


class Adaptation(Enum):
    """nutpie's mass-matrix adaptation."""

    diag = "diag"  # diagonal mass matrix: a few microseconds per leapfrog step at any size
    low_rank = "low_rank"  # diagonal plus low-rank corrections: mixes the group means, costly past 125 parameters
    auto = "auto"  # low_rank up to 125 parameters, diag beyond (benchgap.model._adaptation has the numbers)


class Backend(Enum):
    """The NUTS implementation. HELM Lite, compile + 4 x 2,000 iterations on 2 cores (benchmarks/RESULTS.md):
    nutpie 11.7 s, pymc 13.1 s, numpyro 36.6 s, nutpie_jax 38.1 s."""

    nutpie = "nutpie"  # nutpie with the numba backend: compiled once per table shape, the fastest (the default)
    nutpie_jax = "nutpie_jax"  # nutpie with the JAX backend (needs jax: the `jax` extra)
    numpyro = "numpyro"  # NumPyro through PyMC (needs the `jax` extra); recompiles on every fit
    pymc = "pymc"  # PyMC's own NUTS; recompiles on every fit


class IntervalKind(Enum):
    """Which posterior interval the reports give."""

    eti = "eti"  # equal-tailed: as much mass below as above; agrees with P(a ahead) and is what calibration checks
    hdi = "hdi"  # highest-density: the narrowest interval of that mass (skewed posteriors)


class WeightScheme(Enum):
    """How benchmarks are weighted in a composite score (the scale headlines use); see ``benchgap.weighting``.

    ``benchgap fit`` (``gap.weighting``) takes the first three; ``benchgap simulate`` (``weighting.kind``) all six.
    """

    uniform = "uniform"  # every benchmark counts the same
    category = "category"  # every category counts the same, split evenly over its benchmarks
    custom = "custom"  # named weights: fit, the `weight` column of data.benchmarks; simulate, `weighting.weights`
    mean_win_rate = "mean_win_rate"  # simulate: HELM's rank aggregate is the headline; composites use uniform weights
    dirichlet = "dirichlet"  # simulate: random weights per replicate; the apparent gap's spread is reported
    adversarial = "adversarial"  # simulate: uniform weights; the headline is the smallest reweighting that flips it


FIT_SCHEMES = (WeightScheme.uniform, WeightScheme.category, WeightScheme.custom)  # gap.weighting's choices


class ModelKind(Enum):
    """Which model is fitted (``conf/model/``)."""

    irt = "irt"  # the hierarchical item-response model: every score measures capability
    contamination_aware = "contamination_aware"  # plus a sparse, non-negative inflation per (model, benchmark) cell


@dataclass
class InflationPrior:
    """``model=contamination_aware``: the sparse prior on score inflation per cell (see ``benchgap.model``).

    A cell is inflated with probability ``pi = logistic(alpha + b_exposure x_exposure + b_optimized x_optimized)``
    (covariates centred over the cells) and then scores ``p + (1 - p) s``: a share ``s`` of the items the model
    would miss is answered from memory, ``logit s ~ Normal(size_logit_mean, size_logit_sd)``. A benchmark released
    after the model or held out (``data.held_out``) cannot be inflated.
    """

    share_mean: float = ranged(
        0.05, within=PROBABILITY
    )  # prior median of the share of inflated cells (at average covariates)
    share_logit_sd: float = ranged(1.0, within=POSITIVE)  # prior sd of that share on the logit scale
    covariate_sd: float = ranged(
        1.5, within=POSITIVE
    )  # prior sd of the covariates' coefficients (logit of pi per unit of the covariate)
    size_logit_mean: float = ranged(-0.5)  # prior mean of logit s (s = 0.38: 10 points on a model scoring 0.74)
    size_logit_sd: float = ranged(1.5, within=POSITIVE)  # prior sd of logit s (95%: s from 0.03 to 0.92)
    timescale: float = ranged(
        2.0, within=POSITIVE
    )  # years after a benchmark's release until its exposure 1 - exp(-age / timescale) is 0.63
    flag_probability: float = ranged(
        0.5, 0.0, 1.0, open_low=True
    )  # outputs flag a cell whose posterior probability of inflation reaches this


@dataclass
class ModelConfig:
    """Priors and form of the hierarchical item-response model (see ``benchgap.model``)."""

    kind: ModelKind = ModelKind.irt  # irt | contamination_aware (adds a sparse inflation per cell)

    parametrization: Parametrization = Parametrization.auto  # identify_scale=discrimination: capability sampling
    centered_min_scores: int = ranged(3, 1)  # auto: models with at least this many scores are sampled centred
    group_mean_sd: float = ranged(2.0, within=POSITIVE)  # prior sd of each group's mean capability (logit units)
    group_prior: GroupPrior = GroupPrior.normal  # normal | student_t | exchangeable (see GroupPrior)
    group_prior_nu: float = ranged(3.0, within=POSITIVE)  # student_t: degrees of freedom (smaller: heavier tails)
    identify_scale: ScaleIdentification = ScaleIdentification.capability  # what fixes the capability unit
    group_sd_scale: float = ranged(
        1.5, within=POSITIVE
    )  # identify_scale=discrimination: half-normal scale of the within-group spread
    difficulty_sd_scale: float = ranged(2.0, within=POSITIVE)  # half-normal scale of benchmark difficulty spread
    discrimination_sd: float = ranged(1.0, within=POSITIVE)  # prior sd of log-discrimination (95%: a from 0.14 to 7)
    discrimination_mean_sd: float = ranged(
        1.0, within=POSITIVE
    )  # identify_scale=capability: prior sd of the table's mean log-discrimination
    concentration_mean: float = ranged(4.0)  # prior mean of each benchmark's log concentration kappa (e^4 ~ 55)
    concentration_sd: float = ranged(1.0, within=POSITIVE)  # prior sd of log kappa (95%: kappa from 8 to 400)
    concentration_pooling: ConcentrationPooling = ConcentrationPooling.none  # none | mean | full (see the enum)
    plain_likelihood: PlainLikelihood = PlainLikelihood.beta  # scores without item counts or standard errors
    score_floor: float = ranged(
        0.005, 0.0, 0.5, open_low=True, open_high=True
    )  # beta: clip scores to [floor, 1 - floor] (or censor, below); normal: sd floor (rounding)
    plain_censoring: bool = False  # beta: a score within floor of 0 or 1 is censored there (its probability the tail)
    trend: TrendKind = TrendKind.none  # none | linear | random_walk: capability per group moving with release date
    trend_slope_sd: float = ranged(2.0, within=POSITIVE)  # trend: prior sd of a group's slope (raw capability per
    # year; the raw residual sd is 1)
    trend_knots: int = ranged(8, 3)  # random_walk: knots spread evenly over the table's release dates
    trend_walk_sd: float = ranged(0.5, within=POSITIVE)  # random_walk: prior scale (half-normal) of the walk's sd per
    # square-root year (raw capability)
    dimensions: Dimensions = Dimensions.one  # one | categories: one capability, or one per benchmark category
    dimension_eta: float = ranged(2.0, within=POSITIVE)  # categories: LKJ concentration of the correlation between
    # dimensions (1: uniform over correlation matrices; larger: toward independence)
    dimension_centred: bool = True  # categories: theta_raw sampled centred; false: as centre + z chol' (sparse tables)
    inflation: InflationPrior = field(default_factory=InflationPrior)  # kind=contamination_aware only


@dataclass
class SamplerConfig:
    backend: Backend = Backend.nutpie  # NUTS implementation: nutpie | nutpie_jax | numpyro | pymc
    chains: int = ranged(4, 1)  # independent NUTS chains
    draws: int = ranged(1000, 1)  # kept draws per chain
    tune: int = ranged(1000, 1)  # warm-up draws per chain (adaptation; discarded)
    target_accept: float = ranged(
        0.9, within=PROBABILITY
    )  # NUTS target acceptance rate; raise toward 0.95 on divergences
    adaptation: Adaptation = Adaptation.auto  # mass matrix: low_rank on small models, diag on large (cost per step)
    seed: int = ranged(0, 0)  # sampler seed; same seed, same numbers
    cores: int = ranged(2, 1)  # chains run in parallel on this many cores (1 inside parallel sweep jobs)
    progress: bool = True  # show the sampler's progress bar


@dataclass
class GapConfig:
    a: str = "US"  # first group of the comparison (a value of the group column)
    b: str = "China"  # second group
    groups: list[str] | None = None  # fit: more than two groups, e.g. [US,China,France]: every pairwise best-vs-best
    # gap and P(each group's best is the best of them all), beside the headline gap.a vs gap.b
    by: str = "group"  # what a group is: group (the group column, data.models, data.organizations) | organization |
    # any other text column of the table or of data.models (e.g. license); fit only
    interval: IntervalKind = IntervalKind.eti  # reported intervals: eti (equal-tailed) | hdi (highest-density)
    interval_prob: float = ranged(0.9, within=PROBABILITY)  # probability mass of the reported intervals
    rope: float = ranged(0.01, 0.0)  # region of practical equivalence on the composite-score scale (+- this)
    top_k: int = ranged(3, 1)  # top-k gap: mean of each group's k best models
    weighting: WeightScheme = WeightScheme.uniform  # composite weights: uniform | category | custom
    ahead: float = ranged(0.99, within=ABOVE_HALF)  # verdict "X is ahead": P(gap beyond the rope) at least this
    likely: float = ranged(0.9, within=ABOVE_HALF)  # verdict "X is likely ahead": at least this, below `ahead`
    equivalent: float = ranged(0.5, 0.5, 1.0, open_high=True)  # "practically equivalent": P(inside rope) above this
    decisive: float = ranged(0.95, within=ABOVE_HALF)  # tie groups: a model is separated when beaten this surely
    # Suite gap: the share of each cell's departure from the curve (its residual variance) that is run-to-run noise
    # rather than a persistent strength, uniform in [low, high] per draw. One run per cell cannot tell them apart;
    # [0, 0] counts all of it as persistent, [1, 1] none (the suite gap is then the capability gap).
    run_share: list[float] = ranged([0.0, 0.5], within=SHARE)


@dataclass
class TrendConfig:
    """The gap over time (``benchgap.trend``): frontiers by release date, the lag in months, the closing speed.

    Computed whenever both compared groups have dated models; the window's default runs from the later of the two
    groups' first releases to the last release of any dated model in the table.
    """

    window: list[float] | None = ranged(None, within=YEAR)  # [from, to] in decimal years; null: the default above
    step_months: float = ranged(1.0, 0.1, 24.0)  # spacing of the dates the frontiers and lags are evaluated at
    min_shared: int = ranged(3, 0)  # warn when consecutive eras (years of release) share fewer benchmarks than this
    score: bool = False  # simulate: score the trend estimands against the world's truth (lag, gap change, closing)


@dataclass
class ConvergenceConfig:
    max_rhat: float = ranged(1.01, 1.0)  # flag the fit when any R-hat exceeds this
    min_ess_bulk: float = ranged(400.0, 0.0)  # flag the fit when any bulk ESS falls below this
    min_ess_tail: float = ranged(400.0, 0.0)  # flag it when any tail ESS (5% and 95% quantiles) falls below this
    max_divergences: int = ranged(0, 0)  # flag the fit when divergent transitions exceed this


@dataclass
class FitConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    gap: GapConfig = field(default_factory=GapConfig)
    trend: TrendConfig = field(default_factory=TrendConfig)
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)
    plots: bool = True  # write the PNG figures (and embed them in report.html)
    prior_sensitivity: bool = True  # power-scaling sensitivity of the gaps to the prior (a few seconds)
    loo: bool = False  # also fit the other dimensionality (model.dimensions one <-> categories) and compare the two
    # by PSIS-LOO; the pointwise log-likelihood goes into posterior.nc


# ---- benchgap simulate -----------------------------------------------------------------------------------------


class ContaminationKind(Enum):
    """How the share of leaked test items is set (``conf/contamination/``)."""

    none = "none"  # no leaks: rate, recall and points are ignored
    uniform = "uniform"  # every targeted (model, benchmark) cell leaks the same share `rate`
    exposure = "exposure"  # the share grows with the benchmark's age at the model's release, toward `rate`
    cells = "cells"  # a random share `rate` of the targeted cells gains `points` score points; the others none


@dataclass
class WeightingConfig:
    """How the headline composite weighs benchmarks (``conf/weighting/``; see ``benchgap.weighting``)."""

    kind: WeightScheme = WeightScheme.uniform  # uniform | category | custom | mean_win_rate | dirichlet | adversarial
    weights: dict[str, float] = ranged({}, 0.0)  # custom: weight per benchmark or category name
    concentration: float = ranged(
        1.0, within=POSITIVE
    )  # dirichlet: alpha per benchmark (1 = flat; larger = nearer equal)
    draws: int = ranged(200, 1)  # dirichlet: weight vectors drawn per replicate


@dataclass
class OverfittingConfig:
    """Gains on targeted benchmarks that do not transfer: the score rises, the capability does not."""

    gain: float = ranged(
        0.0, 0.0, 1.0, open_high=True
    )  # score points added on targeted cells (fraction of items; a score is capped at 0.999)
    group: str | None = None  # the group whose models overfit (null: every group)
    models: list[str] = field(default_factory=list)  # or these models (e.g. China-1); overrides `group`
    categories: list[str] = field(default_factory=list)  # targeted categories
    benchmarks: list[str] = field(default_factory=list)  # and targeted benchmarks (e.g. math-2); both empty: all


@dataclass
class ContaminationConfig:
    """Test items leaked into training data and answered from memory."""

    kind: ContaminationKind = ContaminationKind.none  # none | uniform | exposure | cells
    rate: float = ranged(0.0, within=SHARE)  # share of a benchmark's test items leaked (exposure: after long exposure)
    recall: float = ranged(0.8, within=SHARE)  # probability that a leaked item is answered correctly from memory
    group: str | None = None  # only this group's models saw leaks (null: every group)
    timescale: float = ranged(
        2.0, within=POSITIVE
    )  # exposure: years after a benchmark's release for the leak to reach 63% of `rate`
    points: float = ranged(
        0.1, 0.0, 1.0, open_high=True
    )  # cells: score points added to each inflated cell (capped at a score of 0.999)


@dataclass
class SimulateConfig:
    """``benchgap simulate``: replicate worlds, distortions, and the estimators scored against the truth."""

    world: WorldConfig = field(default_factory=WorldConfig)
    weighting: WeightingConfig = field(default_factory=WeightingConfig)
    overfitting: OverfittingConfig = field(default_factory=OverfittingConfig)
    contamination: ContaminationConfig = field(default_factory=ContaminationConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)
    trend: TrendConfig = field(default_factory=TrendConfig)
    replicates: int = ranged(20, 1)  # worlds drawn and fitted
    seed: int = ranged(0, 0)  # job seed: replicate r uses SeedSequence(seed).spawn(replicates)[r]
    only: list[int] = ranged([], 0)  # re-run just these replicate indices (empty: all)
    run_share: list[float] = ranged([0.0, 0.5], within=SHARE)  # the fits' gap.run_share (suite gap; `benchgap fit`)
    bayes: bool = True  # fit the Bayesian model to every replicate (false: naive estimators only, seconds)
    loo: bool = False  # also fit the other model.dimensions to every world and compare the two fits by PSIS-LOO
    plots: bool = True  # write the apparent-vs-true gap figure
    workers: int = ranged(1, 1)  # replicates side by side in this many processes (chains on sampler.cores / workers)


@dataclass
class ReportConfig:
    """``benchgap report``: sensitivity analysis and verdict of a finished (or partly finished) simulate sweep."""

    sweep_dir: str = ""  # the folder of a `benchgap simulate -m ...` run (its hydra.sweep.dir)
    flip_share: float = ranged(
        0.5, 0.0, 1.0, open_low=True
    )  # a distortion flips the headline when the sign is wrong in at least this share of worlds
    level: int = 90  # interval level whose coverage the report judges: 50 | 80 | 90 | 95
    bootstrap: int = ranged(500, 0)  # resamples of each job's replicate worlds for the grid indices' intervals
    seed: int = ranged(0, 0)  # seed of the bootstrap and of SALib's resampling
    plots: bool = True  # write the PNG figures and embed them in report.html


@dataclass
class CalibrateConfig:
    """``benchgap calibrate``: simulation-based calibration of the fit model on tables drawn from its priors."""

    groups: dict[str, int] = ranged({"US": 4, "China": 4, "Other": 2}, 1)  # models per group
    a: str = "US"  # first group of the gap estimands
    b: str = "China"  # second group
    benchmarks: int = ranged(8, 2)  # benchmarks per table (every cell observed)
    items: list[int] = ranged([200, 2000], 1)  # items per benchmark: uniform in [min, max]
    chance_share: float = ranged(
        0.5, within=SHARE
    )  # share of benchmarks with a 0.25 chance floor (four-way multiple choice)
    stderr_share: float = ranged(0.0, within=SHARE)  # share of benchmarks reported with standard errors (normal)
    plain_share: float = ranged(0.0, within=SHARE)  # share reported as plain proportions (beta); the rest item counts
    missing_rate: float = ranged(0.0, 0.0, 1.0, open_high=True)  # share of cells left out (each model and benchmark
    # keeps one)
    simulations: int = ranged(200, 1)  # tables drawn, fitted and ranked
    draws_kept: int = ranged(99, 9)  # posterior draws each truth is ranked among (thinned evenly): ranks 0..draws_kept
    alpha: float = ranged(
        0.01, within=PROBABILITY
    )  # false-alarm rate of the whole run's checks (Bonferroni; half per variable, half pooled per family)
    seed: int = ranged(0, 0)  # prior draws, tables and sampler seeds; same seed, same numbers
    plots: bool = True  # PIT-ECDF and rank-histogram figures
    workers: int = ranged(1, 1)  # tables fitted side by side in this many processes (chains on sampler.cores / workers)
    model: ModelConfig = field(default_factory=ModelConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)
