"""Typed settings for every job. Plain dataclasses: the CLI registers them with Hydra, the library only reads them.

Each dataclass backs one YAML group under ``conf/``; a typo or a wrong type in an override fails at
composition with Hydra's own message.
"""

from dataclasses import dataclass, field
from enum import Enum


class Parametrization(Enum):
    """How latent capabilities are written in the model."""

    centered = "centered"  # theta ~ Normal(mu_group, sigma_group): best when every model has several scores
    noncentered = "noncentered"  # theta = mu_group + sigma_group * z: best when most models have one or two
    auto = "auto"  # centred for models with at least `centered_min_scores` scores, non-centred for the rest


class ScaleIdentification(Enum):
    """What fixes the unit of the latent capability scale."""

    capability = "capability"  # capabilities standardised over the table: gaps read in sds of capability
    discrimination = "discrimination"  # sum of log-discriminations = 0: unit of the average benchmark's slope


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


class Weighting(Enum):
    """How benchmarks are weighted in the composite score (the scale headlines use)."""

    uniform = "uniform"  # every benchmark counts the same
    category = "category"  # every category counts the same, split evenly over its benchmarks
    custom = "custom"  # the `weight` column of data.benchmarks


@dataclass
class DemoConfig:
    """The built-in synthetic table used when ``data.path`` is not set."""

    seed: int = 2026  # seed of the demo world
    models_per_group: dict[str, int] = field(default_factory=lambda: {"US": 8, "China": 6, "Other": 6})
    benchmarks_per_category: int = 3  # benchmarks in each of the four categories
    items_min: int = 150  # fewest test items of a demo benchmark
    items_max: int = 1200  # most test items of a demo benchmark
    true_gap: float = 0.25  # latent gap between the two first groups' means (logit units)


@dataclass
class DataConfig:
    path: str | None = None  # score table: CSV, TSV or Parquet, long or wide; unset = built-in demo
    models: str | None = None  # optional model metadata file (model, group, ...)
    benchmarks: str | None = None  # optional benchmark metadata (benchmark, n_items, category, chance, ...)
    scale: float = 1.0  # divide scores (and stderr) by this: 100 when the file holds percentages
    model_column: str | None = None  # wide tables: the model column (default: `model`, else the first text column)
    aggregate_column: str | None = None  # wide tables: a published aggregate column kept aside as a reference
    drop: list[str] = field(default_factory=list)  # columns to ignore (not benchmarks, not metadata)
    min_scores_per_model: int = 1  # models with fewer observed scores are left out (with a log line)
    held_out: list[str] = field(default_factory=list)  # benchmarks with private or fresh test sets: cannot have leaked
    demo: DemoConfig = field(default_factory=DemoConfig)


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

    share_mean: float = 0.05  # prior median of the share of inflated cells (at average covariates)
    share_logit_sd: float = 1.0  # prior sd of that share on the logit scale
    covariate_sd: float = 1.5  # prior sd of the covariates' coefficients (logit of pi per unit of the covariate)
    size_logit_mean: float = -0.5  # prior mean of logit s (s = 0.38: 10 points on a model scoring 0.74)
    size_logit_sd: float = 1.5  # prior sd of logit s (95%: s from 0.03 to 0.92)
    timescale: float = 2.0  # years after a benchmark's release until its exposure 1 - exp(-age / timescale) is 0.63
    flag_probability: float = 0.5  # outputs flag a cell whose posterior probability of inflation reaches this


@dataclass
class ModelConfig:
    """Priors and form of the hierarchical item-response model (see ``benchgap.model``)."""

    kind: ModelKind = ModelKind.irt  # irt | contamination_aware (adds a sparse inflation per cell)

    parametrization: Parametrization = Parametrization.auto  # identify_scale=discrimination: capability sampling
    centered_min_scores: int = 3  # auto: models with at least this many scores are sampled centred
    group_mean_sd: float = 2.0  # prior sd of each group's mean capability (logit units)
    identify_scale: ScaleIdentification = ScaleIdentification.capability  # what fixes the capability unit
    group_sd_scale: float = 1.5  # identify_scale=discrimination: half-normal scale of the within-group spread
    difficulty_sd_scale: float = 2.0  # half-normal scale of benchmark difficulty spread
    discrimination_sd: float = 1.0  # prior sd of log-discrimination (95%: a from 0.14 to 7)
    concentration_mean: float = 4.0  # prior mean of each benchmark's log concentration kappa (e^4 ~ 55)
    concentration_sd: float = 1.0  # prior sd of log kappa (95%: kappa from 8 to 400)
    plain_likelihood: PlainLikelihood = PlainLikelihood.beta  # scores without item counts or standard errors
    score_floor: float = 0.005  # beta: clip scores to [floor, 1 - floor]; normal: sd floor (rounding)
    inflation: InflationPrior = field(default_factory=InflationPrior)  # kind=contamination_aware only


@dataclass
class SamplerConfig:
    backend: Backend = Backend.nutpie  # NUTS implementation: nutpie | nutpie_jax | numpyro | pymc
    chains: int = 4  # independent NUTS chains
    draws: int = 1000  # kept draws per chain
    tune: int = 1000  # warm-up draws per chain (adaptation; discarded)
    target_accept: float = 0.9  # NUTS target acceptance rate; raise toward 0.95 on divergences
    adaptation: Adaptation = Adaptation.auto  # mass matrix: low_rank on small models, diag on large (cost per step)
    seed: int = 0  # sampler seed; same seed, same numbers
    cores: int = 2  # chains run in parallel on this many cores (1 inside parallel sweep jobs)
    progress: bool = True  # show the sampler's progress bar


@dataclass
class GapConfig:
    a: str = "US"  # first group of the comparison (a value of the group column)
    b: str = "China"  # second group
    hdi_prob: float = 0.9  # probability mass of the reported highest-density intervals
    rope: float = 0.01  # region of practical equivalence on the composite-score scale (+- this)
    top_k: int = 3  # top-k gap: mean of each group's k best models
    weighting: Weighting = Weighting.uniform  # benchmark weights of the composite score
    decisive: float = 0.95  # P(a ahead) at or beyond which (or 1 - it) the sign is called settled


@dataclass
class ConvergenceConfig:
    max_rhat: float = 1.01  # flag the fit when any R-hat exceeds this
    min_ess_bulk: float = 400.0  # flag the fit when any bulk ESS falls below this
    max_divergences: int = 0  # flag the fit when divergent transitions exceed this


@dataclass
class FitConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    gap: GapConfig = field(default_factory=GapConfig)
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)
    plots: bool = True  # write the PNG figures (and embed them in report.html)


# ---- benchgap simulate -----------------------------------------------------------------------------------------


class WeightingKind(Enum):
    """How the headline aggregate weighs benchmarks (``conf/weighting/``)."""

    uniform = "uniform"  # every benchmark counts the same
    category = "category"  # every category counts the same, split evenly over its benchmarks
    custom = "custom"  # named weights per benchmark or per category (`weighting.weights`)
    mean_win_rate = "mean_win_rate"  # HELM's rank aggregate is the headline; composites use uniform weights
    dirichlet = "dirichlet"  # random weights per replicate; the apparent gap's spread over weight draws is reported
    adversarial = "adversarial"  # uniform weights; the headline is the smallest reweighting that flips its sign


class ContaminationKind(Enum):
    """How the share of leaked test items is set (``conf/contamination/``)."""

    uniform = "uniform"  # every targeted (model, benchmark) cell leaks the same share `rate`
    exposure = "exposure"  # the share grows with the benchmark's age at the model's release, toward `rate`
    cells = "cells"  # a random share `rate` of the targeted cells gains `points` score points; the others none


@dataclass
class GroupWorld:
    """One group of models in a simulated world."""

    models: int = 5  # number of models in the group
    mean: float = 0.0  # mean latent capability (logit units, before standardising over the table)
    sd: float = 0.5  # spread of latent capability within the group (logit units)
    release: list[float] = field(default_factory=lambda: [2025.0, 2026.0])  # release dates: uniform in [from, to]


@dataclass
class SuiteConfig:
    """The benchmark suite of a simulated world."""

    categories: list[str] = field(default_factory=lambda: ["language", "math", "coding", "commonsense"])
    benchmarks_per_category: int = 3  # benchmarks in each category
    items: list[int] = field(default_factory=lambda: [200, 2000])  # test items per benchmark: uniform in [min, max]
    chance: dict[str, float] = field(default_factory=dict)  # chance floor per category (missing: 0, free response)
    difficulty_mean: float = 0.0  # mean benchmark difficulty (logit units)
    difficulty_sd: float = 1.0  # spread of benchmark difficulty (logit units)
    log_discrimination_mean: float = 0.0  # mean log-discrimination (a = 1 at 0)
    log_discrimination_sd: float = 0.3  # spread of log-discrimination
    release: list[float] = field(default_factory=lambda: [2019.0, 2025.5])  # release dates: uniform in [from, to]


@dataclass
class NoiseConfig:
    """Measurement noise of a simulated world: binomial item sampling plus run-to-run variation."""

    run_sd: float = 0.03  # per-cell sd at a score of 0.5 beyond item sampling: run/prompt variation, model strengths
    missing_rate: float = 0.0  # share of (model, benchmark) cells left unreported


@dataclass
class WorldConfig:
    """A simulated world (``conf/world/``): groups of models, a benchmark suite and measurement noise."""

    name: str = "world"  # label in outputs
    groups: dict[str, GroupWorld] = field(default_factory=dict)  # group name -> its models
    a: str = "US"  # first group of the compared pair (gaps are a - b)
    b: str = "China"  # second group
    true_gap: float | None = None  # if set, b's mean capability is a's minus this (logit units; not best vs best)
    suite: SuiteConfig = field(default_factory=SuiteConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)


@dataclass
class WeightingConfig:
    """How the headline composite weighs benchmarks (``conf/weighting/``; see ``benchgap.weighting``)."""

    kind: WeightingKind = WeightingKind.uniform  # uniform | category | custom | mean_win_rate | dirichlet | adversarial
    weights: dict[str, float] = field(default_factory=dict)  # custom: weight per benchmark or category name
    concentration: float = 1.0  # dirichlet: alpha per benchmark (1 = flat over all weightings; larger = nearer equal)
    draws: int = 200  # dirichlet: weight vectors drawn per replicate


@dataclass
class OverfittingConfig:
    """Gains on targeted benchmarks that do not transfer: the score rises, the capability does not."""

    gain: float = 0.0  # score points added on targeted cells (fraction of items; a score is capped at 0.999)
    group: str | None = None  # the group whose models overfit (null: every group)
    models: list[str] = field(default_factory=list)  # or these models (e.g. China-1); overrides `group`
    categories: list[str] = field(default_factory=list)  # targeted categories
    benchmarks: list[str] = field(default_factory=list)  # and targeted benchmarks (e.g. math-2); both empty: all


@dataclass
class ContaminationConfig:
    """Test items leaked into training data and answered from memory."""

    kind: ContaminationKind = ContaminationKind.uniform  # uniform | exposure | cells
    rate: float = 0.0  # share of a benchmark's test items leaked (exposure: the share after long exposure)
    recall: float = 1.0  # probability that a leaked item is answered correctly from memory
    group: str | None = None  # only this group's models saw leaks (null: every group)
    timescale: float = 2.0  # exposure: years after a benchmark's release for the leak to reach 63% of `rate`
    points: float = 0.1  # cells: score points added to each inflated cell (capped at a score of 0.999)


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
    replicates: int = 20  # worlds drawn and fitted
    seed: int = 0  # job seed: replicate r uses SeedSequence(seed).spawn(replicates)[r]
    only: list[int] = field(default_factory=list)  # re-run just these replicate indices (empty: all)
    bayes: bool = True  # fit the Bayesian model to every replicate (false: naive estimators only, seconds)
    plots: bool = True  # write the apparent-vs-true gap figure


@dataclass
class ReportConfig:
    """``benchgap report``: sensitivity analysis and verdict of a finished (or partly finished) simulate sweep."""

    sweep_dir: str = ""  # the folder of a `benchgap simulate -m ...` run (its hydra.sweep.dir)
    flip_share: float = 0.5  # a distortion flips the headline when the sign is wrong in at least this share of worlds
    level: int = 90  # interval level whose coverage the report judges: 50 | 80 | 90 | 95
    bootstrap: int = 500  # resamples of each job's replicate worlds for the grid indices' intervals
    seed: int = 0  # seed of the bootstrap and of SALib's resampling
    plots: bool = True  # write the PNG figures and embed them in report.html


@dataclass
class CalibrateConfig:
    """``benchgap calibrate``: simulation-based calibration of the fit model on tables drawn from its priors."""

    groups: dict[str, int] = field(default_factory=lambda: {"US": 4, "China": 4, "Other": 2})  # models per group
    a: str = "US"  # first group of the gap estimands
    b: str = "China"  # second group
    benchmarks: int = 8  # benchmarks per table (every cell observed)
    items: list[int] = field(default_factory=lambda: [200, 2000])  # items per benchmark: uniform in [min, max]
    chance_share: float = 0.5  # share of benchmarks with a 0.25 chance floor (four-way multiple choice)
    simulations: int = 200  # tables drawn, fitted and ranked
    draws_kept: int = 99  # posterior draws each truth is ranked among (thinned evenly): ranks 0..draws_kept
    alpha: float = 0.01  # false-alarm rate of the whole run's uniformity checks (Bonferroni over all of them)
    seed: int = 0  # prior draws, tables and sampler seeds; same seed, same numbers
    plots: bool = True  # PIT-ECDF and rank-histogram figures
    model: ModelConfig = field(default_factory=ModelConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)
