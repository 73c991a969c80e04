"""What the fit is for: posterior gaps between two groups, ranks and tie groups, beside the published lenses.

All estimands are computed per posterior draw, so their uncertainty carries every source the model knows
(finite items, run variation, benchmark difficulty and discrimination, which model is best).
"""

from dataclasses import dataclass

import numpy as np
from arviz_stats.base import array_stats
from xarray import DataTree

from benchgap.config import GapConfig
from benchgap.lenses import LensGap, lens_gap, mean_score, mean_win_rate
from benchgap.posterior import composite_draws, posterior_array
from benchgap.table import ScoreTable


@dataclass(frozen=True)
class DrawSummary:
    """Posterior mean, sd, highest-density interval and P(> 0) of one scalar estimand."""

    mean: float
    sd: float
    hdi: tuple[float, float]
    prob_a_ahead: float  # P(estimand > 0): group a ahead

    @classmethod
    def of(cls, draws: np.ndarray, hdi_prob: float) -> "DrawSummary":
        flat = np.asarray(draws).ravel()
        lo, hi = array_stats.hdi(flat, hdi_prob)
        return cls(float(flat.mean()), float(flat.std(ddof=1)), (float(lo), float(hi)), float((flat > 0).mean()))


@dataclass(frozen=True)
class ModelEstimate:
    model: str
    group: str
    theta_mean: float  # latent capability (mean 0, sd 1 over the table's models)
    theta_sd: float
    theta_hdi: tuple[float, float]
    rank_mean: float  # 1 = best of all models in the table
    rank_hdi: tuple[float, float]
    composite_mean: float  # expected weighted composite score over the whole suite
    composite_hdi: tuple[float, float]
    prob_best_in_group: float
    mean_score: float  # lens: plain mean of observed scores
    mean_win_rate: float  # lens: HELM's mean win rate
    n_scores: int  # observed cells


@dataclass(frozen=True)
class ScoreGapSummary(DrawSummary):
    """The best-vs-best composite-score gap, and relative to group b's best composite (the "x% behind")."""

    relative_mean: float
    relative_hdi: tuple[float, float]


@dataclass(frozen=True)
class TopKSummary(DrawSummary):
    """The gap between the means of each group's ``k`` best capabilities."""

    k: int


@dataclass(frozen=True)
class Rope:
    """Region of practical equivalence of the composite-score gap."""

    half_width: float
    prob_inside: float  # P(|score gap| < half_width): practically equivalent


@dataclass(frozen=True)
class GapEstimate:
    """Posterior gaps between groups ``a`` and ``b`` (positive: ``a`` ahead), with the lenses beside them."""

    a: str
    b: str
    hdi_prob: float
    latent: DrawSummary  # best vs best by latent capability
    score: ScoreGapSummary  # best vs best by expected composite score
    group_mean: DrawSummary  # mean capability of a's models minus b's (the listed models)
    top_k: TopKSummary  # mean of each group's k best capabilities
    rope: Rope
    lenses: dict[str, LensGap]
    verdict: str


@dataclass(frozen=True)
class FitEstimates:
    gap: GapEstimate
    models: list[ModelEstimate]
    tie_groups: list[list[str]]  # models whose latent order is not settled, best first
    weights: np.ndarray
    draws: dict[str, np.ndarray]  # gap draws (chain, draw) by name, for plots and diagnostics


def estimate(posterior: DataTree, table: ScoreTable, *, gap: GapConfig, weights: np.ndarray) -> FitEstimates:
    """All estimands of a fit: the gaps, per-model capabilities and ranks, tie groups, and the lenses.

    ``weights``: the benchmark weights of the composite score (summing to 1; ``benchgap.weighting``).
    """
    theta = posterior_array(posterior, "theta")  # (chain, draw, model)
    composite = composite_draws(posterior, table, weights)
    groups = np.asarray(table.groups)
    in_a, in_b = groups == gap.a, groups == gap.b
    k = max(1, min(gap.top_k, int(in_a.sum()), int(in_b.sum())))

    def top_mean(values: np.ndarray, members: np.ndarray) -> np.ndarray:
        return np.sort(values[..., members], axis=-1)[..., -k:].mean(axis=-1)

    best_b_score = composite[..., in_b].max(axis=-1)
    score_gap = composite[..., in_a].max(axis=-1) - best_b_score
    draws = {
        "gap_latent": theta[..., in_a].max(axis=-1) - theta[..., in_b].max(axis=-1),
        "gap_score": score_gap,
        "gap_relative": score_gap / best_b_score,
        "gap_group_mean": theta[..., in_a].mean(axis=-1) - theta[..., in_b].mean(axis=-1),
        "gap_top_k": top_mean(theta, in_a) - top_mean(theta, in_b),
    }
    hdi = gap.hdi_prob
    summaries = {name: DrawSummary.of(values, hdi) for name, values in draws.items()}
    relative = summaries["gap_relative"]
    score = ScoreGapSummary(**vars(summaries["gap_score"]), relative_mean=relative.mean, relative_hdi=relative.hdi)
    lens_values = {"mean_score": mean_score(table), "mean_win_rate": mean_win_rate(table)}
    rope = Rope(half_width=gap.rope, prob_inside=float((np.abs(score_gap) < gap.rope).mean()))
    estimate_ = GapEstimate(
        a=gap.a,
        b=gap.b,
        hdi_prob=hdi,
        latent=summaries["gap_latent"],
        score=score,
        group_mean=summaries["gap_group_mean"],
        top_k=TopKSummary(**vars(summaries["gap_top_k"]), k=k),
        rope=rope,
        lenses={name: lens_gap(values, table, a=gap.a, b=gap.b) for name, values in lens_values.items()},
        verdict=verdict(score, a=gap.a, b=gap.b, hdi_prob=hdi, rope=rope, decisive=gap.decisive),
    )
    models = _model_estimates(theta, composite, table, lens_values, hdi)
    return FitEstimates(
        gap=estimate_,
        models=models,
        tie_groups=tie_groups(theta, table, decisive=gap.decisive),
        weights=weights,
        draws=draws,
    )


def verdict(score: DrawSummary, *, a: str, b: str, hdi_prob: float, rope: Rope, decisive: float) -> str:
    """One plain sentence on the best-vs-best composite-score gap."""
    lo, hi = score.hdi
    leader, trailer, p, mean = (a, b, score.prob_a_ahead, score.mean)
    if mean < 0:
        leader, trailer, p, mean = b, a, 1 - score.prob_a_ahead, -mean
        lo, hi = -hi, -lo
    if p >= decisive:
        call = "the lead is settled"
    elif rope.prob_inside >= decisive:
        call = f"practically equivalent (P = {rope.prob_inside:.2f} that the gap is within +-{rope.half_width:g})"
    else:
        call = "not decisive"
    return (
        f"{leader} leads {trailer} by {mean:.3f} in composite score, {hdi_prob:.0%} interval {lo:.3f} to "
        f"{hi:.3f}, P = {p:.2f}: {call}."
    )


def _ranks(theta: np.ndarray) -> np.ndarray:
    """Rank of every model in every draw, 1 = highest capability."""
    order = np.argsort(-theta, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, theta.shape[-1] + 1), axis=-1)
    return ranks


def _model_estimates(
    theta: np.ndarray,
    composite: np.ndarray,
    table: ScoreTable,
    lens_values: dict[str, np.ndarray],
    hdi: float,
) -> list[ModelEstimate]:
    flat_theta = theta.reshape(-1, theta.shape[-1])
    flat_comp = composite.reshape(-1, composite.shape[-1])
    ranks = _ranks(flat_theta)
    groups = np.asarray(table.groups)
    best_in_group = np.zeros(table.n_models)
    for g in table.group_names:
        members = np.flatnonzero(groups == g)
        winners = members[np.argmax(flat_theta[:, members], axis=1)]
        best_in_group[members] = np.bincount(winners, minlength=table.n_models)[members] / flat_theta.shape[0]
    theta_hdi = array_stats.hdi(flat_theta, hdi, axis=0)
    rank_hdi = array_stats.hdi(ranks.astype(float), hdi, axis=0)
    comp_hdi = array_stats.hdi(flat_comp, hdi, axis=0)
    n_scores = np.bincount(table.model_idx, minlength=table.n_models)
    return [
        ModelEstimate(
            model=m,
            group=table.groups[i],
            theta_mean=float(flat_theta[:, i].mean()),
            theta_sd=float(flat_theta[:, i].std(ddof=1)),
            theta_hdi=(float(theta_hdi[i, 0]), float(theta_hdi[i, 1])),
            rank_mean=float(ranks[:, i].mean()),
            rank_hdi=(float(rank_hdi[i, 0]), float(rank_hdi[i, 1])),
            composite_mean=float(flat_comp[:, i].mean()),
            composite_hdi=(float(comp_hdi[i, 0]), float(comp_hdi[i, 1])),
            prob_best_in_group=float(best_in_group[i]),
            mean_score=float(lens_values["mean_score"][i]),
            mean_win_rate=float(lens_values["mean_win_rate"][i]),
            n_scores=int(n_scores[i]),
        )
        for i, m in enumerate(table.models)
    ]


def tie_groups(theta: np.ndarray, table: ScoreTable, *, decisive: float) -> list[list[str]]:
    """Models whose order is not settled, best first.

    Walking down the posterior-mean order, a group's leader ties with every following model it does not beat
    with probability ``decisive``; the first model it does beat starts the next group.
    """
    flat = theta.reshape(-1, theta.shape[-1])
    order = np.argsort(-flat.mean(axis=0))
    out: list[list[str]] = []
    start = 0
    while start < order.size:
        leader = order[start]
        end = start + 1
        while end < order.size and (flat[:, leader] > flat[:, order[end]]).mean() < decisive:
            end += 1
        out.append([table.models[i] for i in order[start:end]])
        start = end
    return out
