"""Arena ratings and benchmark scores in one fit: a rating measures the same latent capability as the benchmarks.

For a rated model ``m`` (``data.arena``; matching in ``benchgap.table.ratings``):
``rating_m ~ Normal(offset + scale * theta_m, sqrt(stderr_m^2 + residual^2))``, with ``theta`` the model's one
latent capability (standardised over the table), ``offset`` the Arena scale's arbitrary zero, ``scale > 0`` rating
points per sd of capability, and ``residual`` what the Arena rewards beyond capability (style, chat polish, a
model's own strengths): the per-source scale and offset the issue asks for. Priors are weak and centred on the
ratings' own mean and spread (``offset ~ Normal(mean, 2 sd)``, ``log scale ~ Normal(log sd, 1)``, ``residual ~
HalfNormal(sd)``); the benchmarks then pin ``theta`` and the ratings inform it in proportion to how well they fit.

The summary gives the matched and unmatched counts, the link's scale and residual, how much of the rated models'
rating spread the capability explains, and the fit's best-vs-best capability gap read in Arena points and as a
head-to-head win probability (``scale * gap_latent``).
"""

from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from xarray import DataTree

from benchgap.arena_data import win_probability
from benchgap.config import Dimensions, GapConfig, ModelConfig
from benchgap.errors import InputError
from benchgap.posterior import posterior_array
from benchgap.summaries import DrawSummary, shown_down
from benchgap.table import ScoreTable


def check_ratings(table: ScoreTable, model: ModelConfig) -> None:
    """The rating link reads one capability per model."""
    if table.ratings is not None and model.dimensions is not Dimensions.one:
        raise InputError(
            "data.arena links a rating to one capability per model; with model.dimensions=categories it would need a "
            "weighting of the categories: set model.dimensions=one, or drop data.arena"
        )


def rating_data(table: ScoreTable) -> dict[str, np.ndarray]:
    """The rating link's data containers (none without ratings)."""
    if table.ratings is None:
        return {}
    r = table.ratings
    return {
        "rating_model": r.model_idx.astype(np.int64),
        "rating": r.rating.astype(float),
        "rating_se": r.stderr.astype(float),
        "rating_centre": np.asarray(r.rating.mean()),
        "rating_spread": np.asarray(max(float(r.rating.std()), 10.0)),
    }


def add_rating_likelihood(data: dict[str, pt.TensorVariable], theta: pt.TensorVariable) -> None:
    """The ratings' likelihood on the model's capabilities ``theta`` (see the module docstring)."""
    centre, spread = data["rating_centre"], data["rating_spread"]
    offset = pm.Normal("rating_offset", 0.0, 2.0) * spread + centre  # non-centred on the ratings' own scale
    log_scale = pm.Normal("rating_log_scale", 0.0, 1.0) + pt.log(spread)
    residual = pm.HalfNormal("rating_residual", 1.0) * spread
    pm.Deterministic("rating_scale", pt.exp(log_scale))
    pm.Deterministic("rating_residual_sd", residual)
    mu = offset + pt.exp(log_scale) * theta[data["rating_model"]]
    sd = pt.sqrt(pt.square(data["rating_se"]) + pt.square(residual))
    pm.Potential("loglik_rating", pt.sum(-0.5 * pt.square((data["rating"] - mu) / sd) - pt.log(sd)))


@dataclass(frozen=True)
class ArenaLink:
    """What a joint fit of Arena ratings and benchmark scores says (``summary.json`` ``arena``)."""

    source: str
    snapshot: str
    matched: int  # rated models fitted (matched to a table model)
    arena_only: list[str]  # rated models that matched no table model: not fitted
    table_only: int  # table models without a rating
    pairs: list[tuple[str, str]]  # (Arena name, table name) of every match
    points_per_sd: DrawSummary  # rating points per sd of latent capability
    residual_sd: DrawSummary  # points: the spread of ratings that capability does not explain (beyond stderr)
    explained: DrawSummary  # share of the rated models' rating variance explained by capability
    gap_points: DrawSummary  # the best-vs-best capability gap in rating points
    win: DrawSummary  # ... as a head-to-head win probability
    verdict: str


def arena_link(posterior: DataTree, table: ScoreTable, gap_latent: np.ndarray, *, gap: GapConfig) -> ArenaLink:
    """The joint fit's rating link and its capability gap on the Arena's scale."""
    ratings = table.ratings
    assert ratings is not None
    scale = posterior_array(posterior, "rating_scale").ravel()
    residual = posterior_array(posterior, "rating_residual_sd").ravel()
    theta = posterior_array(posterior, "theta").reshape(scale.size, -1)[:, ratings.model_idx]
    signal = np.square(scale) * theta.var(axis=1)
    points = scale * np.asarray(gap_latent).ravel()
    prob, kind = gap.interval_prob, gap.interval
    per_sd, beyond = DrawSummary.of(scale, prob, kind), DrawSummary.of(residual, prob, kind)
    explained = DrawSummary.of(signal / (signal + np.square(residual)), prob, kind)
    gap_points, win = DrawSummary.of(points, prob, kind), DrawSummary.of(win_probability(points), prob, kind)
    lo, hi = win.interval
    verdict = (
        f"With {len(ratings.matched)} models matched to Arena ratings ({ratings.snapshot}; {len(ratings.arena_only)} "
        f"rated models matched none and were not fitted, {len(ratings.table_only)} table models have no rating): "
        f"capability explains {explained.mean:.0%} of the rated models' rating spread ({per_sd.mean:.0f} points per "
        f"sd of capability, {beyond.mean:.0f} points beyond it). Read on the Arena's scale, the best-vs-best "
        f"capability gap is {gap_points.mean:+.0f} points: {gap.a}'s best would beat {gap.b}'s in "
        f"{win.mean:.1%} of votes ({gap.interval_prob:.0%} interval {lo:.1%} to {hi:.1%}), "
        f"P({gap.a} ahead) = {shown_down(gap_points.prob_a_ahead)}."
    )
    return ArenaLink(
        source=ratings.source,
        snapshot=ratings.snapshot,
        matched=len(ratings.matched),
        arena_only=list(ratings.arena_only),
        table_only=len(ratings.table_only),
        pairs=[tuple(p) for p in ratings.matched],  # type: ignore[misc]
        points_per_sd=per_sd,
        residual_sd=beyond,
        explained=explained,
        gap_points=gap_points,
        win=win,
        verdict=verdict,
    )
