"""What the fit is for: posterior gaps between two groups, ranks and tie groups, beside the published lenses.

All estimands are computed per posterior draw, so their uncertainty carries every source the model knows
(finite items, run variation, benchmark difficulty and discrimination, which model is best).
"""

from dataclasses import dataclass

import numpy as np
from arviz_stats.base import array_stats
from xarray import DataTree

from benchgap.config import GapConfig, IntervalKind
from benchgap.lenses import LensGap, lens_gap, mean_score, mean_win_rate
from benchgap.posterior import composite_draws, posterior_array
from benchgap.table import ScoreTable


def credible_interval(draws: np.ndarray, prob: float, kind: IntervalKind, *, axis: int | None = None) -> np.ndarray:
    """The posterior interval of mass ``prob``: equal-tailed (the ``(1 - prob) / 2`` and ``(1 + prob) / 2``
    quantiles) or highest-density (ArviZ). Shape ``(2,)``, or ``(n, 2)`` along ``axis=0`` of a 2-d array."""
    if kind is IntervalKind.hdi:
        return np.asarray(array_stats.hdi(draws, prob) if axis is None else array_stats.hdi(draws, prob, axis=axis))
    bounds = np.quantile(draws, [(1 - prob) / 2, (1 + prob) / 2], axis=axis)
    return bounds if axis is None else np.moveaxis(bounds, 0, -1)


@dataclass(frozen=True)
class DrawSummary:
    """Posterior mean, sd, interval (equal-tailed by default, ``gap.interval``) and P(> 0) of one scalar estimand."""

    mean: float
    sd: float
    interval: tuple[float, float]
    prob_a_ahead: float  # P(estimand > 0): group a ahead

    @classmethod
    def of(cls, draws: np.ndarray, prob: float, kind: IntervalKind = IntervalKind.eti) -> "DrawSummary":
        flat = np.asarray(draws).ravel()
        lo, hi = credible_interval(flat, prob, kind)
        return cls(float(flat.mean()), float(flat.std(ddof=1)), (float(lo), float(hi)), float((flat > 0).mean()))


@dataclass(frozen=True)
class ModelEstimate:
    model: str
    group: str
    theta_mean: float  # latent capability (mean 0, sd 1 over the table's models)
    theta_sd: float
    theta_interval: tuple[float, float]
    rank_mean: float  # 1 = best of all models in the table
    rank_interval: tuple[float, float]
    composite_mean: float  # expected weighted composite score over the whole suite
    composite_interval: tuple[float, float]
    prob_best_in_group: float
    mean_score: float  # lens: plain mean of observed scores
    mean_win_rate: float  # lens: HELM's mean win rate
    n_scores: int  # observed cells


@dataclass(frozen=True)
class ScoreGapSummary(DrawSummary):
    """The best-vs-best composite-score gap, and relative to group b's best composite (the "x% behind")."""

    relative_mean: float
    relative_interval: tuple[float, float]


@dataclass(frozen=True)
class TopKSummary(DrawSummary):
    """The gap between the means of each group's ``k`` best capabilities."""

    k: int


@dataclass(frozen=True)
class Rope:
    """Region of practical equivalence of the composite-score gap, and the three-way split of its posterior."""

    half_width: float
    prob_inside: float  # P(|score gap| < half_width): practically equivalent
    prob_a_beyond: float = float("nan")  # P(score gap >= half_width): a ahead by more than the rope
    prob_b_beyond: float = float("nan")  # P(score gap <= -half_width): b ahead by more than the rope

    @classmethod
    def of(cls, draws: np.ndarray, half_width: float) -> "Rope":
        flat = np.asarray(draws).ravel()
        return cls(
            half_width=half_width,
            prob_inside=float((np.abs(flat) < half_width).mean()),
            prob_a_beyond=float((flat >= half_width).mean()),
            prob_b_beyond=float((flat <= -half_width).mean()),
        )


@dataclass(frozen=True)
class RelativeGaps:
    """The best-vs-best composite gap as the shares headlines quote, each a posterior summary (per draw).

    "x% behind" depends on its base: the same gap is a larger share of the trailer's score than of the leader's. Near
    a benchmark's chance floor a score difference says little, and near 1 every gap shrinks (saturation) while the
    errors still differ by a factor; so the chance-corrected share and the error ratio stand beside the plain ones.
    """

    of_b: DrawSummary  # gap / b's best composite (the "x% behind" of headlines)
    of_a: DrawSummary  # gap / a's best composite
    chance_corrected: DrawSummary  # the same on (p - c) / (1 - c), c the composite's chance floor: share of b's best
    error_ratio: DrawSummary  # (1 - b's best) / (1 - a's best): how many times a's share of missed items b misses


@dataclass(frozen=True)
class GapEstimate:
    """Posterior gaps between groups ``a`` and ``b`` (positive: ``a`` ahead), with the lenses beside them."""

    a: str
    b: str
    interval_prob: float
    interval_kind: str  # eti (equal-tailed) | hdi (highest-density)
    latent: DrawSummary  # best vs best by latent capability
    score: ScoreGapSummary  # best vs best by expected composite score
    group_mean: DrawSummary  # mean capability of a's models minus b's (the listed models)
    top_k: TopKSummary  # mean of each group's k best capabilities
    rope: Rope
    lenses: dict[str, LensGap]
    verdict: str
    relative: RelativeGaps | None = None


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
    prob, kind = gap.interval_prob, gap.interval
    summaries = {name: DrawSummary.of(values, prob, kind) for name, values in draws.items()}
    relative = relative_gaps(composite[..., in_a].max(axis=-1), best_b_score, chance=table.chance @ weights, gap=gap)
    score = ScoreGapSummary(
        **vars(summaries["gap_score"]), relative_mean=relative.of_b.mean, relative_interval=relative.of_b.interval
    )
    lens_values = {"mean_score": mean_score(table), "mean_win_rate": mean_win_rate(table)}
    rope = Rope.of(score_gap, gap.rope)
    models = _model_estimates(theta, composite, table, lens_values, prob, kind)
    ties = tie_groups(theta, table, decisive=gap.decisive)
    estimate_ = GapEstimate(
        a=gap.a,
        b=gap.b,
        interval_prob=prob,
        interval_kind=kind.value,
        latent=summaries["gap_latent"],
        score=score,
        group_mean=summaries["gap_group_mean"],
        top_k=TopKSummary(**vars(summaries["gap_top_k"]), k=k),
        rope=rope,
        lenses={name: lens_gap(values, table, a=gap.a, b=gap.b) for name, values in lens_values.items()},
        verdict=verdict(score, rope, gap=gap, tied=_tied_leaders(models, ties, gap)),
        relative=relative,
    )
    return FitEstimates(
        gap=estimate_,
        models=models,
        tie_groups=ties,
        weights=weights,
        draws=draws,
    )


def relative_gaps(best_a: np.ndarray, best_b: np.ndarray, *, chance: float, gap: GapConfig) -> RelativeGaps:
    """The shares of :class:`RelativeGaps` from each draw's best composite of either group."""
    difference = best_a - best_b
    corrected_a, corrected_b = (best_a - chance) / (1 - chance), (best_b - chance) / (1 - chance)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = {
            "of_b": difference / best_b,
            "of_a": difference / best_a,
            "chance_corrected": (corrected_a - corrected_b) / corrected_b,
            "error_ratio": (1 - best_b) / (1 - best_a),
        }
    return RelativeGaps(
        **{name: DrawSummary.of(values, gap.interval_prob, gap.interval) for name, values in shares.items()}
    )


def verdict(score: DrawSummary, rope: Rope, *, gap: GapConfig, tied: tuple[str, str] | None = None) -> str:
    """One plain sentence on the best-vs-best composite-score gap, its words tied to stated probabilities.

    The posterior splits three ways around the region of practical equivalence (``gap.rope``): a ahead by more
    than the rope, inside it, b ahead by more than it. "X is ahead" needs P(X beyond the rope) >= ``gap.ahead``
    (0.99), "X is likely ahead" >= ``gap.likely`` (0.9); "practically equivalent" needs P(inside) above
    ``gap.equivalent`` (0.5: the rope holds most of the mass); anything else is "not settled". Probabilities are
    shown rounded down, so the words are never stronger than the numbers printed beside them. ``tied``: the two
    groups' likeliest best models, when one tie group holds both.
    """
    a_first = rope.prob_a_beyond >= rope.prob_b_beyond
    lead, trail = (gap.a, gap.b) if a_first else (gap.b, gap.a)
    p_lead, p_trail = (rope.prob_a_beyond, rope.prob_b_beyond) if a_first else (rope.prob_b_beyond, rope.prob_a_beyond)
    if p_lead >= gap.ahead:
        words = f"{lead} is ahead of {trail}"
    elif p_lead >= gap.likely:
        words = f"{lead} is likely ahead of {trail}"
    elif rope.prob_inside > gap.equivalent:
        words = f"{gap.a} and {gap.b} are practically equivalent"
    else:
        words = f"the gap between {gap.a} and {gap.b} is not settled"
    width, (lo, hi) = f"{rope.half_width:g}", score.interval
    text = (
        f"{words[0].upper()}{words[1:]}: P({lead} ahead by more than {width}) = {_down(p_lead)}, "
        f"P(within +-{width}) = {_down(rope.prob_inside)}, P({trail} ahead by more than {width}) = {_down(p_trail)} "
        f"(P({lead} ahead at all) = {_down(_ahead(score, lead, gap))}); "
        f"best vs best, {gap.a} minus {gap.b}: {score.mean:+.3f} in composite score, {gap.interval_prob:.0%} interval "
        f"{lo:+.3f} to {hi:+.3f}."
    )
    if tied is not None:
        text += f" Their likeliest best models, {tied[0]} and {tied[1]}, are in one tie group: not separated."
    return text


def _ahead(score: DrawSummary, group: str, gap: GapConfig) -> float:
    """P(``group``'s best is ahead at all): the direction of the gap, whatever its size."""
    return score.prob_a_ahead if group == gap.a else 1.0 - score.prob_a_ahead


def _down(probability: float) -> str:
    """A probability rounded down to two decimals (0.899 -> 0.89): never shown stronger than it is."""
    return f"{np.floor(probability * 100 + 1e-9) / 100:.2f}"


def _tied_leaders(models: list[ModelEstimate], ties: list[list[str]], gap: GapConfig) -> tuple[str, str] | None:
    """The likeliest best model of each compared group, when one tie group holds both."""
    best = [max((m for m in models if m.group == g), key=lambda m: m.prob_best_in_group).model for g in (gap.a, gap.b)]
    together = any(best[0] in group and best[1] in group for group in ties)
    return (best[0], best[1]) if together else None


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
    prob: float,
    kind: IntervalKind,
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
    theta_interval = credible_interval(flat_theta, prob, kind, axis=0)
    rank_interval = credible_interval(ranks.astype(float), prob, kind, axis=0)
    comp_interval = credible_interval(flat_comp, prob, kind, axis=0)
    n_scores = np.bincount(table.model_idx, minlength=table.n_models)
    return [
        ModelEstimate(
            model=m,
            group=table.groups[i],
            theta_mean=float(flat_theta[:, i].mean()),
            theta_sd=float(flat_theta[:, i].std(ddof=1)),
            theta_interval=(float(theta_interval[i, 0]), float(theta_interval[i, 1])),
            rank_mean=float(ranks[:, i].mean()),
            rank_interval=(float(rank_interval[i, 0]), float(rank_interval[i, 1])),
            composite_mean=float(flat_comp[:, i].mean()),
            composite_interval=(float(comp_interval[i, 0]), float(comp_interval[i, 1])),
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
