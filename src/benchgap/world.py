"""Simulated worlds: tables drawn from the item-response model with known truth, then distorted.

A world is groups of models with true capabilities and a benchmark suite. Each cell's persistent score departs
from the capability curve by a model x benchmark strength (``noise.interaction_sd``), drawn once per world; each
measurement then adds run-to-run variation (``noise.run_sd``, redrawn at every run) and finite test items
(binomial). Two truths follow: the **capability** scores (the curve: what a model would score on a fresh suite
like this one) and the **suite** scores (the persistent cell scores: what it would score on these benchmarks with
infinite items and re-runs). Distortions act on the persistent scores before they are measured: overfitting
(gains on targeted benchmarks that do not transfer) and contamination (leaked test items answered from memory).
The fit never knows a table was simulated.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from benchgap.config import (
    ContaminationConfig,
    ContaminationKind,
    NoiseConfig,
    OverfittingConfig,
    WorldConfig,
)
from benchgap.errors import InputError
from benchgap.ranges import check_pair, check_ranges
from benchgap.table import Covariates, ScoreTable
from benchgap.world_dimensions import check_dimension_world, dimension_capabilities

SCORE_CAP = 0.999  # overfitting cannot push an expected score past this


@dataclass(frozen=True)
class Truth:
    """The parameters behind a simulated table."""

    theta: np.ndarray  # per model
    difficulty: np.ndarray  # per benchmark
    discrimination: np.ndarray  # per benchmark
    expected_score: np.ndarray  # models x benchmarks: the capability curve (the capability truth)
    suite_score: np.ndarray  # models x benchmarks: the persistent cell scores, curve plus strengths (the suite truth)
    theta_dim: np.ndarray | None = None  # models x categories (world.categories' order): per-dimension capability,
    # standardised per category (None: one capability; theta is then every benchmark's)


@dataclass(frozen=True)
class World:
    """One drawn world: its models and benchmark suite, and the truth behind every score."""

    models: tuple[str, ...]
    groups: tuple[str, ...]  # one per model
    benchmarks: tuple[str, ...]
    categories: tuple[str, ...]  # one per benchmark
    chance: np.ndarray  # chance floor per benchmark
    n_items: np.ndarray  # test items per benchmark
    model_release: np.ndarray  # decimal years, per model
    benchmark_release: np.ndarray  # decimal years, per benchmark
    truth: Truth  # on the model's scale: capabilities standardised over the world's models
    noise_scale: np.ndarray  # per benchmark: factor on the strength and run sds (noise.spread; 1 when it is 0)
    public_after_release: bool = False  # a model is scored only on benchmarks released before it
    specialty: np.ndarray | None = None  # models x benchmarks: a specialist model's cells of its strong category

    @property
    def scorable(self) -> np.ndarray:
        """Models x benchmarks: the cells a leaderboard can report (all, or those of benchmarks out before the
        model when ``public_after_release``)."""
        if not self.public_after_release:
            return np.ones((len(self.models), len(self.benchmarks)), dtype=bool)
        return self.model_release[:, None] >= self.benchmark_release[None, :]


def check_world(cfg: WorldConfig, *, key: str = "world") -> None:
    """What a world's schema cannot check: two different compared groups that exist, and ``[low, high]`` pairs."""
    listed = table_groups(cfg)
    groups = ", ".join(listed) or "none"
    if len(listed) < 2:
        raise InputError(f"{key}.groups needs at least two groups (has: {groups}); add groups in the world config")
    for side, compared in (("a", cfg.a), ("b", cfg.b)):
        if compared not in listed:
            raise InputError(f"{key}.{side}='{compared}' is not a group of world '{cfg.name}'; groups: {groups}")
    if cfg.a == cfg.b:
        raise InputError(f"{key}.a and {key}.b are both '{cfg.a}'; compare two different groups: {groups}")
    if cfg.true_gap is not None and not {cfg.a, cfg.b} <= set(cfg.groups):
        raise InputError(
            f"{key}.true_gap needs world groups named '{cfg.a}' and '{cfg.b}' (it sets one's mean from the other's); "
            f"world '{cfg.name}' lists them through several groups: set true_gap=null and the groups' means"
        )
    for name, group in cfg.groups.items():
        check_pair(f"{key}.groups.{name}.release", group.release)
    suite = cfg.suite
    if not suite.categories:
        raise InputError(f"{key}.suite.categories is empty; name at least one category")
    check_pair(f"{key}.suite.items", suite.items)
    check_pair(f"{key}.suite.release", suite.release)
    for category in suite.chance:
        if category not in suite.categories:
            raise InputError(f"{key}.suite.chance.{category}: no such category; categories: {suite.categories}")
    check_dimension_world(cfg, key=key)


def draw_world(cfg: WorldConfig, *, seed: int, key: str = "world") -> tuple[ScoreTable, World]:
    """One world drawn from ``cfg`` and measured once, without distortions: its score table and its truth.

    The built-in demo table of ``benchgap fit`` is this draw of the ``demo`` world preset (``conf/world/demo.yaml``);
    ``benchgap simulate`` draws its replicates with the same functions (:func:`sample_world`, :func:`observe`).
    ``key`` names the settings in messages (``data.demo`` for the demo).
    """
    check_ranges(cfg, prefix=f"{key}.")
    check_world(cfg, key=key)
    rng = np.random.default_rng(seed)
    world = sample_world(cfg, rng)
    table = observe(world, world.truth.suite_score, noise=cfg.noise, rng=rng)
    return dataclasses.replace(table, source=f"simulated world '{cfg.name}' (seed {seed})"), world


def table_groups(world: WorldConfig) -> tuple[str, ...]:
    """The groups a world's table lists, in order: each world group's ``group`` (default: its key)."""
    return tuple(dict.fromkeys(spec.group or name for name, spec in world.groups.items()))


def model_names(world: WorldConfig) -> tuple[str, ...]:
    return tuple(f"{g}-{i + 1}" for g, spec in world.groups.items() for i in range(spec.models))


def benchmark_names(world: WorldConfig) -> tuple[str, ...]:
    n = world.suite.benchmarks_per_category
    return tuple(f"{c}-{i + 1}" for c in world.suite.categories for i in range(n))


def sample_world(cfg: WorldConfig, rng: np.random.Generator) -> World:
    """Draw one world from its config: capabilities, benchmark parameters and release dates.

    ``theta_m ~ Normal(mean_g + slope_g t_m + bend_g max(t_m, 0), sd_g)`` with ``t_m = release_m - origin`` (group
    b's mean is a's minus ``true_gap`` when that is set), benchmark difficulty ``d_b ~ Normal(difficulty_mean +
    difficulty_slope (release_b - origin), difficulty_sd)``, ``log a_b ~ Normal(mu, sd)``; the expected score
    is ``c_b + (1 - c_b) logistic(a_b (theta_m - d_b))``. The truth is then expressed on the model's scale
    (capabilities standardised over the world's models), which leaves every expected score unchanged. A cell's
    persistent (suite) score is ``Beta(kappa p, kappa (1 - p))`` around its expected score ``p``, with
    ``kappa = 1 / (4 interaction_sd^2) - 1``; it is ``p`` when ``interaction_sd`` is 0.
    """
    means = {g: spec.mean for g, spec in cfg.groups.items()}
    if cfg.true_gap is not None:
        means[cfg.b] = means[cfg.a] - cfg.true_gap
    keys = [g for g, spec in cfg.groups.items() for _ in range(spec.models)]
    specs = [cfg.groups[g] for g in keys]
    groups = tuple(spec.group or key for key, spec in zip(keys, specs, strict=True))
    deviation = np.array([s.sd for s in specs]) * rng.standard_normal(len(keys))
    model_release = rng.uniform([s.release[0] for s in specs], [s.release[1] for s in specs])
    since = model_release - cfg.origin
    slope, bend = np.array([s.slope for s in specs]), np.array([s.bend for s in specs])
    trend = slope * since + bend * np.maximum(since, 0.0)
    theta = np.array([means[g] for g in keys]) + deviation + trend  # summed in this order since the first worlds
    centre = np.array([means[g] for g in keys]) + trend
    suite = cfg.suite
    categories = tuple(c for c in suite.categories for _ in range(suite.benchmarks_per_category))
    n_bench = len(categories)
    difficulty = suite.difficulty_mean + suite.difficulty_sd * rng.standard_normal(n_bench)
    discrimination = np.exp(suite.log_discrimination_mean + suite.log_discrimination_sd * rng.standard_normal(n_bench))
    n_items = rng.integers(suite.items[0], suite.items[1] + 1, size=n_bench)
    benchmark_release = rng.uniform(suite.release[0], suite.release[1], size=n_bench)
    difficulty = difficulty + suite.difficulty_slope * (benchmark_release - cfg.origin)
    chance = np.array([suite.chance.get(c, 0.0) for c in categories])
    theta_dim, specialist = dimension_capabilities(cfg, keys, centre, deviation, specs, rng)
    category = np.array([list(suite.categories).index(c) for c in categories])  # each benchmark's column of theta_dim
    truth = _standardised_truth(theta, -discrimination * difficulty, discrimination, chance, theta_dim, category)
    # Drawn last, and only when set, so a world without them draws what it always drew.
    noise_scale = np.exp(cfg.noise.spread * rng.standard_normal(n_bench)) if cfg.noise.spread > 0 else np.ones(n_bench)
    if cfg.noise.interaction_sd > 0:
        strengths = _beta_around(truth.expected_score, cfg.noise.interaction_sd * noise_scale, rng)
        truth = dataclasses.replace(truth, suite_score=strengths)
    return World(
        models=model_names(cfg),
        groups=groups,
        benchmarks=benchmark_names(cfg),
        categories=categories,
        chance=chance,
        n_items=n_items,
        model_release=model_release,
        benchmark_release=benchmark_release,
        truth=truth,
        noise_scale=noise_scale,
        public_after_release=suite.public_after_release,
        specialty=(
            None
            if specialist is None
            else specialist[:, None] & (np.array(categories) == cfg.dimensions.specialist_category)[None, :]
        ),
    )


def _standardised_truth(
    theta: np.ndarray,
    intercept: np.ndarray,
    discrimination: np.ndarray,
    chance: np.ndarray,
    theta_dim: np.ndarray | None = None,
    category: np.ndarray | None = None,
) -> Truth:
    """The truth on the model's scale: capabilities with mean 0 and sd 1 over the models (per category with
    ``theta_dim``, whose share-weighted mean, standardised, is then the general ``theta``); scores unchanged."""
    if theta_dim is None:
        centre, spread = theta.mean(), theta.std()
        intercept = intercept + discrimination * centre
        discrimination = discrimination * spread
        theta = (theta - centre) / spread
        reads = theta[:, None]
    else:
        assert category is not None  # per benchmark, its column of theta_dim
        centres, spreads = theta_dim.mean(axis=0), theta_dim.std(axis=0)
        intercept = intercept + discrimination * centres[category]
        discrimination = discrimination * spreads[category]
        theta_dim = (theta_dim - centres) / spreads
        general = theta_dim.mean(axis=1)  # every category has benchmarks_per_category benchmarks: equal shares
        theta = (general - general.mean()) / general.std()
        reads = theta_dim[:, category]
    expected = chance + (1 - chance) * expit(discrimination * reads + intercept)
    return Truth(
        theta=theta,
        difficulty=-intercept / discrimination,
        discrimination=discrimination,
        expected_score=expected,
        suite_score=expected,
        theta_dim=theta_dim,
    )


def _beta_around(p: np.ndarray, sd: float | np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``Beta(kappa p, kappa (1 - p))`` draws with ``kappa = 1 / (4 sd^2) - 1``: mean ``p``, sd ``sd`` at p = 0.5
    (``sd`` per benchmark or one for all; capped at 0.45, where kappa is about 0.2)."""
    kappa = 1.0 / (4.0 * np.minimum(sd, 0.45) ** 2) - 1.0
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return rng.beta(kappa * p, kappa * (1 - p))


def overfitting_gain(world: World, cfg: OverfittingConfig) -> np.ndarray:
    """Score points added to each (model, benchmark) cell by overfitting, before the cap at ``SCORE_CAP``.

    Targeted models (``cfg.models``, else ``cfg.group``, else all) gain ``cfg.gain`` on targeted benchmarks (those
    named or in the named categories; all when neither is given). The capability does not change, so the gain
    does not transfer to other benchmarks: the pattern GSM1k found (drops of 8-13 points on a fresh variant of
    GSM8k; Zhang et al. 2024, "A Careful Examination of Large Language Model Performance on Grade School
    Arithmetic").
    """
    if cfg.models:
        models = np.isin(world.models, cfg.models)
    else:
        models = np.ones(len(world.models), bool) if cfg.group is None else np.asarray(world.groups) == cfg.group
    if cfg.categories or cfg.benchmarks:
        benches = np.isin(world.categories, cfg.categories) | np.isin(world.benchmarks, cfg.benchmarks)
    else:
        benches = np.ones(len(world.benchmarks), bool)
    return cfg.gain * np.outer(models, benches)


def leaked_share(world: World, cfg: ContaminationConfig) -> np.ndarray:
    """Share of each benchmark's test items in each model's training data, per (model, benchmark) cell.

    ``uniform``: ``rate`` everywhere. ``none`` and ``cells``: none (see :func:`inflated_cells`). ``exposure``:
    ``rate * (1 - exp(-age / timescale))`` with ``age`` the years between the benchmark's release and the
    model's (0 for a benchmark released after the model): older
    benchmarks have had longer to leak into web-scraped training data (retro-holdout studies found 10-16
    points of inflation; Haimes et al. 2024, "Benchmark Inflation"). Only ``cfg.group``'s models when set.
    """
    if cfg.kind in (ContaminationKind.none, ContaminationKind.cells):
        return np.zeros((len(world.models), len(world.benchmarks)))
    if cfg.kind is ContaminationKind.uniform:
        share = np.full((len(world.models), len(world.benchmarks)), cfg.rate)
    else:
        age = np.clip(world.model_release[:, None] - world.benchmark_release[None, :], 0.0, None)
        share = cfg.rate * (1.0 - np.exp(-age / cfg.timescale))
    if cfg.group is not None:
        share = share * (np.asarray(world.groups) == cfg.group)[:, None]
    return share


def inflated_cells(world: World, cfg: ContaminationConfig, rng: np.random.Generator) -> np.ndarray:
    """``contamination=cells``: the (model, benchmark) cells that gain ``cfg.points``; none for other kinds.

    A random share ``cfg.rate`` of the targeted group's cells (or of all), among those whose benchmark was
    public when the model came out: a test set released later cannot have leaked into it.
    """
    shape = (len(world.models), len(world.benchmarks))
    if cfg.kind is not ContaminationKind.cells:
        return np.zeros(shape, dtype=bool)
    hit = (rng.random(shape) < cfg.rate) & (world.model_release[:, None] >= world.benchmark_release[None, :])
    return hit if cfg.group is None else hit & (np.asarray(world.groups) == cfg.group)[:, None]


def distorted_scores(
    world: World,
    *,
    overfitting: OverfittingConfig,
    contamination: ContaminationConfig,
    inflated: np.ndarray | None = None,
) -> np.ndarray:
    """Persistent scores (models x benchmarks) after overfitting and contamination.

    Contamination: a leaked item is answered from memory with probability ``recall`` and otherwise as the model
    would, so ``p' = p + share * recall * (1 - p)``; ``inflated`` cells gain ``points``. Overfitting then adds its
    gain; both are capped at ``SCORE_CAP``.
    """
    p = world.truth.suite_score
    p = p + leaked_share(world, contamination) * contamination.recall * (1.0 - p)
    gain = overfitting_gain(world, overfitting)
    if inflated is not None:
        gain = gain + contamination.points * inflated
    return np.minimum(p + gain, np.maximum(p, SCORE_CAP))


def observe(world: World, persistent: np.ndarray, *, noise: NoiseConfig, rng: np.random.Generator) -> ScoreTable:
    """Measure ``persistent`` scores: one evaluation run per cell with ``n_items`` items.

    A run's true score is ``q ~ Beta(kappa p, kappa (1 - p))`` with ``kappa = 1 / (4 run_sd^2) - 1`` (sd
    ``run_sd`` at p = 0.5; ``q = p`` when ``run_sd`` is 0); the reported score is ``Binomial(n, q) / n``.
    ``noise.missing_rate`` of the cells go unreported, and with ``suite.public_after_release`` every cell of a
    benchmark released after its model; every model keeps at least one score (the oldest benchmark, when the one
    drawn to keep came out after it).
    """
    p = np.clip(persistent, 1e-9, 1 - 1e-9)
    if noise.run_sd > 0:
        p = _beta_around(p, noise.run_sd * world.noise_scale, rng)
    correct = rng.binomial(world.n_items, p)
    scorable = world.scorable
    observed = (rng.random(p.shape) >= noise.missing_rate) & scorable
    n_models, n_bench = p.shape
    kept = rng.integers(0, n_bench, n_models)
    # With public_after_release, a model whose drawn kept benchmark came out after it keeps the oldest benchmark
    kept = np.where(scorable[np.arange(n_models), kept], kept, np.argmin(world.benchmark_release))
    observed[np.arange(n_models), kept] = True
    model_idx, bench_idx = np.nonzero(observed)
    score = correct[model_idx, bench_idx] / world.n_items[bench_idx]
    return _world_table(world, model_idx, bench_idx, score, world.n_items[bench_idx].astype(float), "simulated")


def noise_free_table(world: World, scores: np.ndarray) -> ScoreTable:
    """Undistorted true ``scores`` (the world's capability or suite scores) as a complete table with infinite items."""
    n_models, n_bench = scores.shape
    model_idx, bench_idx = np.divmod(np.arange(n_models * n_bench), n_bench)
    infinite = np.full(model_idx.size, np.inf)
    return _world_table(world, model_idx, bench_idx, scores.ravel(), infinite, "noise-free truth")


def _world_table(
    world: World, model_idx: np.ndarray, bench_idx: np.ndarray, score: np.ndarray, n_items: np.ndarray, source: str
) -> ScoreTable:
    return ScoreTable(
        models=world.models,
        groups=world.groups,
        benchmarks=world.benchmarks,
        categories=world.categories,
        chance=world.chance,
        listed_weight=np.full(len(world.benchmarks), np.nan),
        model_idx=model_idx,
        bench_idx=bench_idx,
        score=score,
        n_items=n_items,
        stderr=np.full(model_idx.size, np.nan),
        source=source,
        covariates=Covariates(
            model_release=world.model_release,
            benchmark_release=world.benchmark_release,
            optimized_for=np.full(len(world.benchmarks), np.nan),
            held_out=np.zeros(len(world.benchmarks), dtype=bool),
        ),
    )
