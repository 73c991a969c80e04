"""The Arena models (PyMC): published ratings as noisy measurements of strength, and raw votes through a
Bradley-Terry likelihood with ties (Davidson 1970).

Both put each model's strength ``s`` (rating points) under a hierarchy by group: ``s ~ Normal(mu_group, sigma)``,
so a model with few votes is pulled toward its group and the best of many noisy ratings is not taken at face value
(the winner's curse). Strengths are centred (the data pin each strength far more tightly than the hierarchy does).

Ratings: each snapshot is its own leaderboard (LMArena re-fits and re-anchors every release), so each has its own
``mu`` and ``sigma``; ``rating ~ Normal(s, stderr)``, the published rating's standard error (``benchgap.arena_data``).
Errors are taken as independent; they are not (a rating's interval is relative to the anchor, so two ratings share
part of their error), which makes the gap's interval somewhat wider than the votes would give: a cautious direction.

Votes, per pair of models ``i, j`` with ``x = (s_i - s_j) / (400 / ln 10)`` in log-odds:
``P(i wins) = e^(x/2) / Z``, ``P(j wins) = e^(-x/2) / Z``, ``P(tie) = nu / Z``, ``Z = e^(x/2) + e^(-x/2) + nu``.
Given that a vote is not a tie, ``P(i wins) = 1 / (1 + 10^(-(s_i - s_j) / 400))``, the Elo formula; ``nu`` sets
the tie rate (``nu / (2 + nu)`` between equals). The group means sum to zero (the scale's zero is arbitrary; this
identifies the location), and strengths are reported relative to the mean model.
"""

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from benchgap.arena_data import ELO_POINTS, ArenaRatings, ArenaVotes

SPREAD_PRIOR = 150.0  # points: half-normal scale of the spread of strengths within a group, and of group means
TIE_PRIOR = (-0.5, 1.0)  # log nu ~ Normal: about 23% ties between equals at the prior's centre


def ratings_model(ratings: ArenaRatings) -> pm.Model:
    """Strength of every (snapshot, model) row from its published rating; per snapshot and group a mean, per
    snapshot one spread. Locations are relative to each snapshot's mean rating (the scale's zero is arbitrary)."""
    centre = np.array([ratings.rating[ratings.rows_of(s)].mean() for s in range(len(ratings.snapshots))])
    cells = [f"{s}|{g}" for s, g in zip(ratings.snapshot_idx, ratings.group, strict=True)]
    cell_names = tuple(dict.fromkeys(cells))
    cell_idx = np.array([cell_names.index(c) for c in cells])
    coords = {"row": np.arange(ratings.n_rows), "snapshot_group": list(cell_names), "snapshot": list(ratings.snapshots)}
    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu_group", 0.0, SPREAD_PRIOR, dims="snapshot_group")
        sigma = pm.HalfNormal("sigma_group", SPREAD_PRIOR, dims="snapshot")
        relative = pm.Normal(
            "strength_relative", mu[cell_idx], sigma[ratings.snapshot_idx], dims="row"
        )  # centred: a rating's stderr (2-10 points) is far below the spread (about 100)
        pm.Deterministic("strength", relative + centre[ratings.snapshot_idx], dims="row")
        pm.Normal(
            "rating",
            relative,
            ratings.stderr,
            observed=ratings.rating - centre[ratings.snapshot_idx],
            dims="row",
        )
    return model


def votes_model(votes: ArenaVotes) -> pm.Model:
    """Bradley-Terry-Davidson strengths of ``votes``' models (points), with pair counts as swappable data
    (``votes_data``): a series of vote tables of one shape compiles once."""
    coords = {"model": list(votes.models), "group": list(votes.group_names)}
    with pm.Model(coords=coords) as model:
        data = {name: pm.Data(name, value) for name, value in votes_data(votes).items()}
        mu = pm.ZeroSumNormal("mu_group_zero_sum", SPREAD_PRIOR / ELO_POINTS, dims="group")
        sigma = pm.HalfNormal("sigma_group", SPREAD_PRIOR / ELO_POINTS)
        beta = pm.Normal("beta", mu[data["group_idx"]], sigma, dims="model")  # log-odds units
        # Votes say nothing about a common shift of every strength. With the first group's mean fixed at 0 instead of
        # the group means summing to zero, the prior alone pinned that shift and it mixed slowly (bulk ESS 220-330
        # of 4,000 draws on the 200-model worlds; 960-1,840 now). Strengths are reported relative to the mean model.
        pm.Deterministic("strength", (beta - beta.mean()) * ELO_POINTS, dims="model")
        pm.Deterministic("group_mean", mu * ELO_POINTS, dims="group")
        log_nu = pm.Normal("log_nu", *TIE_PRIOR)
        half = (beta[data["pair_a"]] - beta[data["pair_b"]]) / 2
        size = pt.abs(half)  # log(e^h + e^-h + nu), stable for any h
        log_z = size + pt.log1p(pt.exp(-2 * size) + pt.exp(log_nu - size))
        wins = data["wins_a"] * (half - log_z) + data["wins_b"] * (-half - log_z)
        pm.Potential("votes", pt.sum(wins + data["ties"] * (log_nu - log_z)))
        pm.Deterministic("tie_share_equal", pt.exp(log_nu) / (2 + pt.exp(log_nu)))
    return model


def votes_data(votes: ArenaVotes) -> dict[str, np.ndarray]:
    """The data a compiled votes model swaps in: pair indices and counts, and each model's group."""
    group_names = votes.group_names
    return {
        "pair_a": votes.pair_a.astype(np.int64),
        "pair_b": votes.pair_b.astype(np.int64),
        "wins_a": votes.wins_a.astype(float),
        "wins_b": votes.wins_b.astype(float),
        "ties": votes.ties.astype(float),
        "group_idx": np.array([group_names.index(g) for g in votes.groups], dtype=np.int64),
    }
