"""Simulated worlds: tables drawn from the item-response model with known truth.

A world is groups of models with true capabilities and a benchmark suite; scores are drawn with finite test
items (binomial) and run-to-run variation (a beta draw around the model's true expected score). The fit never
knows a table was simulated.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from benchgap.config import DemoConfig
from benchgap.data import ScoreTable

CATEGORIES = ("language", "math", "coding", "commonsense")
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
    # Express the truth on the model's scale (capabilities standardised over the table); scores are unchanged.
    centre, spread = theta.mean(), theta.std()
    intercept = intercept + discrimination * centre
    discrimination = discrimination * spread
    theta = (theta - centre) / spread
    difficulty = -intercept / discrimination
    chance = np.array([CHANCE_BY_CATEGORY[c] for c in categories])
    expected = chance + (1 - chance) * expit(discrimination * theta[:, None] + intercept)
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
    return table, Truth(theta=theta, difficulty=difficulty, discrimination=discrimination, expected_score=expected)


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
