"""Simulated worlds: tables drawn from the item-response model with known truth, then distorted.

A world is groups of models with true capabilities and a benchmark suite; scores are drawn with finite test
items (binomial) and run-to-run variation (a beta draw around the model's true expected score). Distortions act
on the expected scores before they are measured: overfitting (gains on targeted benchmarks that do not
transfer) and contamination (leaked test items answered from memory). The fit never knows a table was simulated.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from benchgap.config import (
    ContaminationConfig,
    ContaminationKind,
    DemoConfig,
    NoiseConfig,
    OverfittingConfig,
    SimulateConfig,
    WorldConfig,
)
from benchgap.data import Covariates, ScoreTable
from benchgap.errors import InputError
from benchgap.inflation import check_prior

CATEGORIES = ("language", "math", "coding", "commonsense")
SCORE_CAP = 0.999  # overfitting cannot push an expected score past this
CHANCE_BY_CATEGORY = {"language": 0.25, "math": 0.0, "coding": 0.0, "commonsense": 0.25}


@dataclass(frozen=True)
class Truth:
    """The parameters behind a simulated table."""

    theta: np.ndarray  # per model
    difficulty: np.ndarray  # per benchmark
    discrimination: np.ndarray  # per benchmark
    expected_score: np.ndarray  # models x benchmarks, noise-free


def draw_world(
    rng: np.random.Generator,
    *,
    group_sizes: dict[str, int],
    group_means: dict[str, float],
    group_sd: float = 1.0,
    benchmarks_per_category: int = 3,
    items: tuple[int, int] = (150, 1200),
    difficulty_sd: float = 1.0,
    log_discrimination_mean: float = -0.3,
    log_discrimination_sd: float = 0.3,
    concentration: float = 300.0,
    missing_rate: float = 0.0,
) -> tuple[ScoreTable, Truth]:
    """Draw one world and its score table.

    Capabilities ``theta ~ Normal(group_means[g], group_sd)``, then expressed on the model's scale
    (``model.identify_scale=capability``): standardised to mean 0 and sd 1 over the table's models, with
    intercepts and discriminations adjusted so that expected scores are unchanged.
    Each cell's score is ``k / n`` with ``k ~ Binomial(n, q)``, ``q ~ Beta(concentration p, concentration (1-p))``.
    """
    groups = [g for g, n in group_sizes.items() for _ in range(n)]
    models = tuple(f"{g}-{i + 1}" for g, n in group_sizes.items() for i in range(n))
    theta = np.array([group_means[g] for g in groups]) + group_sd * rng.standard_normal(len(groups))
    categories = tuple(c for c in CATEGORIES for _ in range(benchmarks_per_category))
    benchmarks = tuple(f"{c}-{i + 1}" for c in CATEGORIES for i in range(benchmarks_per_category))
    n_bench = len(benchmarks)
    log_a = log_discrimination_mean + log_discrimination_sd * rng.standard_normal(n_bench)
    discrimination = np.exp(log_a)
    intercept = -discrimination * difficulty_sd * rng.standard_normal(n_bench)
    chance = np.array([CHANCE_BY_CATEGORY[c] for c in categories])
    truth = _standardised_truth(theta, intercept, discrimination, chance)
    expected = truth.expected_score
    n_items = rng.integers(items[0], items[1] + 1, size=n_bench)
    q = rng.beta(concentration * expected, concentration * (1 - expected))
    correct = rng.binomial(n_items, q)
    observed = rng.random(expected.shape) >= missing_rate
    observed[np.arange(len(models)), rng.integers(0, n_bench, len(models))] = True  # every model has a score
    model_idx, bench_idx = np.nonzero(observed)
    table = ScoreTable(
        models=models,
        groups=tuple(groups),
        benchmarks=benchmarks,
        categories=categories,
        chance=chance,
        custom_weight=np.full(n_bench, np.nan),
        model_idx=model_idx,
        bench_idx=bench_idx,
        score=correct[model_idx, bench_idx] / n_items[bench_idx],
        n_items=n_items[bench_idx].astype(float),
        stderr=np.full(model_idx.size, np.nan),
        source="simulated",
    )
    return table, truth


def demo_table(cfg: DemoConfig) -> tuple[ScoreTable, Truth]:
    """The built-in demo: a small frontier-style world where the first group leads by ``cfg.true_gap``."""
    names = list(cfg.models_per_group)
    means = {g: (0.8 if i == 0 else 0.8 - cfg.true_gap if i == 1 else 0.0) for i, g in enumerate(names)}
    table, truth = draw_world(
        np.random.default_rng(cfg.seed),
        group_sizes=dict(cfg.models_per_group),
        group_means=means,
        benchmarks_per_category=cfg.benchmarks_per_category,
        items=(cfg.items_min, cfg.items_max),
        missing_rate=0.1,
    )
    return ScoreTable(**{**table.__dict__, "source": "built-in demo (synthetic)"}), truth


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


def check_settings(cfg: SimulateConfig) -> None:
    """Values a schema cannot check (names that must exist, ranges); one line naming the key and the fix."""
    world = cfg.world
    groups = ", ".join(world.groups) or "none"
    if len(world.groups) < 2:
        raise InputError(f"world.groups needs at least two groups (has: {groups}); add groups in the world config")
    for key, name in (("world.a", world.a), ("world.b", world.b)):
        if name not in world.groups:
            raise InputError(f"{key}='{name}' is not a group of world '{world.name}'; groups: {groups}")
    if world.a == world.b:
        raise InputError(f"world.a and world.b are both '{world.a}'; compare two different groups: {groups}")
    for name, group in world.groups.items():
        if group.models < 1:
            raise InputError(f"world.groups.{name}.models must be at least 1, got {group.models}")
        if group.sd < 0:
            raise InputError(f"world.groups.{name}.sd must be >= 0, got {group.sd}")
        _check_range(f"world.groups.{name}.release", group.release)
    suite = world.suite
    if suite.benchmarks_per_category < 1 or not suite.categories:
        raise InputError("world.suite needs at least one category and world.suite.benchmarks_per_category >= 1")
    _check_range("world.suite.items", suite.items)
    if suite.items[0] < 1:
        raise InputError(f"world.suite.items must be at least 1 item, got {suite.items}")
    _check_range("world.suite.release", suite.release)
    for category, floor in suite.chance.items():
        if category not in suite.categories:
            raise InputError(f"world.suite.chance.{category}: no such category; categories: {suite.categories}")
        if not 0 <= floor < 1:
            raise InputError(f"world.suite.chance.{category} must be in [0, 1), got {floor}")
    if not 0 <= world.noise.run_sd < 0.5:
        raise InputError(f"world.noise.run_sd must be in [0, 0.5), got {world.noise.run_sd}")
    if not 0 <= world.noise.missing_rate < 1:
        raise InputError(f"world.noise.missing_rate must be in [0, 1), got {world.noise.missing_rate}")
    _check_target("overfitting", cfg.overfitting.group, world)
    _check_target("contamination", cfg.contamination.group, world)
    names = _model_names(world)
    for model in cfg.overfitting.models:
        if model not in names:
            raise InputError(f"overfitting.models: no model '{model}' in world '{world.name}'; e.g. {names[0]}")
    bench_names = _benchmark_names(world)
    for category in cfg.overfitting.categories:
        if category not in suite.categories:
            raise InputError(f"overfitting.categories: no category '{category}'; categories: {suite.categories}")
    for bench in cfg.overfitting.benchmarks:
        if bench not in bench_names:
            raise InputError(f"overfitting.benchmarks: no benchmark '{bench}'; e.g. {bench_names[0]}")
    if not 0 <= cfg.overfitting.gain < 1:
        raise InputError(f"overfitting.gain is in score points (a fraction): [0, 1), got {cfg.overfitting.gain}")
    for key in ("rate", "recall"):
        value = getattr(cfg.contamination, key)
        if not 0 <= value <= 1:
            raise InputError(f"contamination.{key} must be a share in [0, 1], got {value}")
    if not 0 <= cfg.contamination.points < 1:
        raise InputError(
            f"contamination.points is in score points (a fraction): [0, 1), got {cfg.contamination.points}; "
            "10 points is 0.1"
        )
    check_prior(cfg.model)
    if cfg.contamination.timescale <= 0:
        raise InputError(f"contamination.timescale must be positive (years), got {cfg.contamination.timescale}")
    if cfg.weighting.concentration <= 0 or cfg.weighting.draws < 1:
        raise InputError(
            f"weighting.concentration must be > 0 and weighting.draws >= 1, got {cfg.weighting.concentration} and "
            f"{cfg.weighting.draws}"
        )
    if cfg.replicates < 1:
        raise InputError(f"replicates must be at least 1, got {cfg.replicates}")
    for index in cfg.only:
        if not 0 <= index < cfg.replicates:
            raise InputError(f"only: replicate {index} does not exist; replicates are 0 to {cfg.replicates - 1}")


def _check_range(key: str, pair: list) -> None:
    if len(pair) != 2 or pair[0] > pair[1]:
        raise InputError(f"{key} must be [low, high] with low <= high, got {list(pair)}")


def _check_target(key: str, group: str | None, world: WorldConfig) -> None:
    if group is not None and group not in world.groups:
        raise InputError(
            f"{key}.group='{group}' is not a group of world '{world.name}'; groups: {', '.join(world.groups)}"
        )


def _model_names(world: WorldConfig) -> tuple[str, ...]:
    return tuple(f"{g}-{i + 1}" for g, spec in world.groups.items() for i in range(spec.models))


def _benchmark_names(world: WorldConfig) -> tuple[str, ...]:
    n = world.suite.benchmarks_per_category
    return tuple(f"{c}-{i + 1}" for c in world.suite.categories for i in range(n))


def sample_world(cfg: WorldConfig, rng: np.random.Generator) -> World:
    """Draw one world from its config: capabilities, benchmark parameters and release dates.

    ``theta_m ~ Normal(mean_g, sd_g)`` (group b's mean is a's minus ``true_gap`` when that is set), benchmark
    difficulty ``d_b ~ Normal(difficulty_mean, difficulty_sd)``, ``log a_b ~ Normal(mu, sd)``; the expected score
    is ``c_b + (1 - c_b) logistic(a_b (theta_m - d_b))``. The truth is then expressed on the model's scale
    (capabilities standardised over the world's models), which leaves every expected score unchanged.
    """
    means = {g: spec.mean for g, spec in cfg.groups.items()}
    if cfg.true_gap is not None:
        means[cfg.b] = means[cfg.a] - cfg.true_gap
    groups = tuple(g for g, spec in cfg.groups.items() for _ in range(spec.models))
    specs = [cfg.groups[g] for g in groups]
    theta = np.array([means[g] for g in groups]) + np.array([s.sd for s in specs]) * rng.standard_normal(len(groups))
    model_release = rng.uniform([s.release[0] for s in specs], [s.release[1] for s in specs])
    suite = cfg.suite
    categories = tuple(c for c in suite.categories for _ in range(suite.benchmarks_per_category))
    n_bench = len(categories)
    difficulty = suite.difficulty_mean + suite.difficulty_sd * rng.standard_normal(n_bench)
    discrimination = np.exp(suite.log_discrimination_mean + suite.log_discrimination_sd * rng.standard_normal(n_bench))
    n_items = rng.integers(suite.items[0], suite.items[1] + 1, size=n_bench)
    benchmark_release = rng.uniform(suite.release[0], suite.release[1], size=n_bench)
    chance = np.array([suite.chance.get(c, 0.0) for c in categories])
    truth = _standardised_truth(theta, -discrimination * difficulty, discrimination, chance)
    return World(
        models=_model_names(cfg),
        groups=groups,
        benchmarks=_benchmark_names(cfg),
        categories=categories,
        chance=chance,
        n_items=n_items,
        model_release=model_release,
        benchmark_release=benchmark_release,
        truth=truth,
    )


def _standardised_truth(
    theta: np.ndarray, intercept: np.ndarray, discrimination: np.ndarray, chance: np.ndarray
) -> Truth:
    """The truth on the model's scale: capabilities with mean 0 and sd 1 over the models; scores unchanged."""
    centre, spread = theta.mean(), theta.std()
    intercept = intercept + discrimination * centre
    discrimination = discrimination * spread
    theta = (theta - centre) / spread
    expected = chance + (1 - chance) * expit(discrimination * theta[:, None] + intercept)
    return Truth(
        theta=theta, difficulty=-intercept / discrimination, discrimination=discrimination, expected_score=expected
    )


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

    ``uniform``: ``rate`` everywhere. ``cells``: none (see :func:`inflated_cells`). ``exposure``:
    ``rate * (1 - exp(-age / timescale))`` with ``age`` the years between the benchmark's release and the
    model's (0 for a benchmark released after the model): older
    benchmarks have had longer to leak into web-scraped training data (retro-holdout studies found 10-16
    points of inflation; Haimes et al. 2024, "Benchmark Inflation"). Only ``cfg.group``'s models when set.
    """
    if cfg.kind is ContaminationKind.cells:
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
    """Expected scores (models x benchmarks) after overfitting and contamination.

    Contamination: a leaked item is answered from memory with probability ``recall`` and otherwise as the model
    would, so ``p' = p + share * recall * (1 - p)``; ``inflated`` cells gain ``points``. Overfitting then adds its
    gain; both are capped at ``SCORE_CAP``.
    """
    p = world.truth.expected_score
    p = p + leaked_share(world, contamination) * contamination.recall * (1.0 - p)
    gain = overfitting_gain(world, overfitting)
    if inflated is not None:
        gain = gain + contamination.points * inflated
    return np.minimum(p + gain, np.maximum(p, SCORE_CAP))


def observe(world: World, expected: np.ndarray, *, noise: NoiseConfig, rng: np.random.Generator) -> ScoreTable:
    """Measure ``expected`` scores: one evaluation run per cell with ``n_items`` items.

    A run's true score is ``q ~ Beta(kappa p, kappa (1 - p))`` with ``kappa = 1 / (4 run_sd^2) - 1`` (sd
    ``run_sd`` at p = 0.5; ``q = p`` when ``run_sd`` is 0); the reported score is ``Binomial(n, q) / n``.
    ``noise.missing_rate`` of the cells go unreported, but every model keeps at least one score.
    """
    p = np.clip(expected, 1e-9, 1 - 1e-9)
    if noise.run_sd > 0:
        kappa = 1.0 / (4.0 * noise.run_sd**2) - 1.0
        p = rng.beta(kappa * p, kappa * (1 - p))
    correct = rng.binomial(world.n_items, p)
    observed = rng.random(p.shape) >= noise.missing_rate
    n_models, n_bench = p.shape
    observed[np.arange(n_models), rng.integers(0, n_bench, n_models)] = True
    model_idx, bench_idx = np.nonzero(observed)
    score = correct[model_idx, bench_idx] / world.n_items[bench_idx]
    return _world_table(world, model_idx, bench_idx, score, world.n_items[bench_idx].astype(float), "simulated")


def noise_free_table(world: World) -> ScoreTable:
    """The undistorted world's expected scores as a complete table: what a perfect leaderboard would show."""
    n_models, n_bench = world.truth.expected_score.shape
    model_idx, bench_idx = np.divmod(np.arange(n_models * n_bench), n_bench)
    infinite = np.full(model_idx.size, np.inf)
    return _world_table(world, model_idx, bench_idx, world.truth.expected_score.ravel(), infinite, "noise-free truth")


def _world_table(
    world: World, model_idx: np.ndarray, bench_idx: np.ndarray, score: np.ndarray, n_items: np.ndarray, source: str
) -> ScoreTable:
    return ScoreTable(
        models=world.models,
        groups=world.groups,
        benchmarks=world.benchmarks,
        categories=world.categories,
        chance=world.chance,
        custom_weight=np.full(len(world.benchmarks), np.nan),
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
