"""Simulated Arena votes with known strengths, and how well a fit recovered them.

A world: per group ``n`` models with true strengths ``Normal(mean_group, spread)`` (points); ``pairs`` slots, each a
random pair of distinct models, each receiving ``votes_per_pair`` votes drawn from the Davidson model the fit uses
(``benchgap.arena_model``) with the tie parameter set by ``tie_share`` (the share of ties between equals). Slots are
kept as they are drawn (a pair drawn twice has two slots), so every world of one setting has the same data shape and
the compiled model is reused.

Scored per world: the rank correlation (Spearman) between posterior-mean and true strengths, and whether the
interval of the best-vs-best win probability holds the true one (a's strongest model against b's).
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from benchgap.arena_data import ELO_POINTS, ArenaVotes, win_probability
from benchgap.arena_gaps import best_draws
from benchgap.arena_settings import ArenaGapConfig, VoteWorldConfig
from benchgap.errors import InputError
from benchgap.summaries import credible_interval


@dataclass(frozen=True)
class VoteWorld:
    votes: ArenaVotes
    strength: np.ndarray  # true strength per model, points


@dataclass(frozen=True)
class WorldScore:
    """One world's recovery: rank correlation, the best-vs-best win probability and whether its interval held it."""

    rank_correlation: float  # Spearman, posterior-mean vs true strengths over every model
    true_win: float  # the true best-vs-best win probability (a's strongest vs b's strongest)
    estimated_win: float  # posterior mean
    interval: tuple[float, float]
    covered: bool
    converged: bool


def check_world(world: VoteWorldConfig, gap: ArenaGapConfig) -> None:
    """Groups with means, the compared groups among them, and pairs that can be drawn."""
    if set(world.means) != set(world.groups):
        raise InputError(
            f"world.means names {sorted(world.means)} and world.groups {sorted(world.groups)}; give "
            "every group a mean strength (points) and a model count"
        )
    for key, name in (("gap.a", gap.a), ("gap.b", gap.b)):
        if name not in world.groups:
            raise InputError(f"{key}='{name}' is not a group of world.groups ({', '.join(world.groups)})")
    if sum(world.groups.values()) < 2:
        raise InputError("world.groups must hold at least two models in all")


def draw_world(world: VoteWorldConfig, rng: np.random.Generator) -> VoteWorld:
    """One world's true strengths and votes."""
    groups = tuple(g for g, n in world.groups.items() for _ in range(n))
    models = tuple(f"{g}-{i + 1}" for g, n in world.groups.items() for i in range(n))
    means = np.array([world.means[g] for g in groups])
    strength = means + world.spread * rng.standard_normal(len(models))
    a = rng.integers(len(models), size=world.pairs)
    b = (a + rng.integers(1, len(models), size=world.pairs)) % len(models)  # a distinct second model
    half = (strength[a] - strength[b]) / ELO_POINTS / 2
    nu = 2 * world.tie_share / (1 - world.tie_share)
    weights = np.stack([np.exp(half), np.exp(-half), np.full_like(half, nu)], axis=1)
    counts = np.array([rng.multinomial(world.votes_per_pair, w / w.sum()) for w in weights])
    votes = ArenaVotes(
        models=models,
        groups=groups,
        pair_a=a.astype(np.int64),
        pair_b=b.astype(np.int64),
        wins_a=counts[:, 0],
        wins_b=counts[:, 1],
        ties=counts[:, 2],
        source="simulated votes",
    )
    return VoteWorld(votes, strength)


def score_world(world: VoteWorld, strength_draws: np.ndarray, *, gap: ArenaGapConfig, converged: bool) -> WorldScore:
    """Recovery of one world from its posterior strength draws (draws, models)."""
    group = np.asarray(world.votes.groups)
    rows_a, rows_b = np.flatnonzero(group == gap.a), np.flatnonzero(group == gap.b)
    true_win = float(win_probability(world.strength[rows_a].max() - world.strength[rows_b].max()))
    win = win_probability(best_draws(strength_draws, rows_a)[0] - best_draws(strength_draws, rows_b)[0])
    low, high = credible_interval(win, gap.interval_prob, gap.interval)
    rho = spearmanr(strength_draws.mean(axis=0), world.strength).statistic
    return WorldScore(
        rank_correlation=float(rho),
        true_win=true_win,
        estimated_win=float(win.mean()),
        interval=(float(low), float(high)),
        covered=bool(low <= true_win <= high),
        converged=converged,
    )
