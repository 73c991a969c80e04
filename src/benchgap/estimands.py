"""What the fit is for: posterior gaps between two groups, ranks and tie groups, beside the published lenses.

All estimands are computed per posterior draw, so their uncertainty carries every source the model knows
(finite items, run variation, benchmark difficulty and discrimination, which model is best).
"""

from dataclasses import dataclass

import numpy as np
from xarray import DataTree

from benchgap.compared import ComparedGroups
from benchgap.config import GapConfig, TrendConfig
from benchgap.dimension_gaps import DimensionEstimate, estimate_dimensions
from benchgap.group_race import GroupRace, race
from benchgap.lenses import LensGap, lens_gap, mean_score, mean_win_rate
from benchgap.posterior import composite_draws, posterior_array, suite_scores
from benchgap.snapshots import SnapshotChange, estimate_snapshots
from benchgap.summaries import (
    DrawSummary,
    RelativeGaps,
    Rope,
    ScoreGapSummary,
    TopKSummary,
    credible_interval,
    relative_gaps,
    verdict,
)
from benchgap.table import ScoreTable
from benchgap.trend import TrendEstimate, estimate_trend


@dataclass(frozen=True)
class ModelEstimate:
    model: str
    group: str
    theta_mean: float  # latent capability (mean 0, sd 1 over the table's models)
    theta_sd: float
    theta_interval: tuple[float, float]
    rank_mean: float  # 1 = best of all models in the table
    rank_interval: tuple[float, float]
    composite_mean: float  # expected weighted composite score over the whole suite (the capability estimand)
    composite_interval: tuple[float, float]
    suite_mean: float  # weighted composite of the persistent cell scores (the suite estimand)
    suite_interval: tuple[float, float]
    prob_best_in_group: float
    mean_score: float  # lens: plain mean of observed scores
    mean_win_rate: float  # lens: HELM's mean win rate
    n_scores: int  # observed cells


@dataclass(frozen=True)
class SuiteGap:
    """The suite estimand: what the models would score on these benchmarks with infinite items and re-runs (each
    cell's persistent score given its data, :func:`benchgap.posterior.suite_scores`), as composite-score gaps."""

    score: ScoreGapSummary  # best vs best by suite composite
    top_k: TopKSummary  # mean of each group's k best suite composites
    group_mean: DrawSummary  # mean suite composite of a's models minus b's
    rope: Rope
    relative: RelativeGaps
    verdict: str


@dataclass(frozen=True)
class GapEstimate:
    """Posterior gaps between groups ``a`` and ``b`` (positive: ``a`` ahead), with the lenses beside them.

    Two estimands on the composite-score scale: the **capability** gap (``score``, ``score_top_k``,
    ``score_group_mean``: the model's curve, what the models would score on a fresh suite like this one; the
    headline ``verdict``) and the **suite** gap (``suite``: on these benchmarks, with infinite items and re-runs).
    """

    a: str
    b: str
    interval_prob: float
    interval_kind: str  # eti (equal-tailed) | hdi (highest-density)
    latent: DrawSummary  # best vs best by latent capability
    score: ScoreGapSummary  # best vs best by expected composite score (capability)
    group_mean: DrawSummary  # mean capability of a's models minus b's (the listed models)
    top_k: TopKSummary  # mean of each group's k best capabilities
    rope: Rope
    lenses: dict[str, LensGap]
    verdict: str
    relative: RelativeGaps | None = None
    score_top_k: TopKSummary | None = None  # mean of each group's k best expected composites (capability)
    score_group_mean: DrawSummary | None = None  # mean expected composite of a's models minus b's (capability)
    suite: SuiteGap | None = None


@dataclass(frozen=True)
class FitEstimates:
    gap: GapEstimate
    models: list[ModelEstimate]
    tie_groups: list[list[str]]  # models whose latent order is not settled, best first
    weights: np.ndarray
    draws: dict[str, np.ndarray]  # gap draws (chain, draw) by name, for plots and diagnostics
    suite_scores_mean: np.ndarray | None = None  # (model, benchmark): posterior mean persistent scores
    trend: TrendEstimate | None = None  # the gap over time, when both compared groups have dated models
    snapshots: SnapshotChange | None = None  # the gap per snapshot and its change (data.snapshots)
    dimensions: DimensionEstimate | None = None  # the gap per capability dimension (model.dimensions=categories)
    groups: GroupRace | None = None  # every pairwise gap and P(each leads) among gap.groups


def estimate(
    posterior: DataTree,
    table: ScoreTable,
    *,
    gap: GapConfig,
    weights: np.ndarray,
    seed: int = 0,
    plain_normal_floor: float | None = None,
    trend: TrendConfig | None = None,
) -> FitEstimates:
    """All estimands of a fit: the gaps, per-model capabilities and ranks, tie groups, and the lenses.

    ``weights``: the benchmark weights of the composite score (summing to 1; ``benchgap.weighting``). ``seed``
    and ``plain_normal_floor`` (the fit's ``model.score_floor`` when it used ``plain_likelihood=normal``) go to
    the suite estimand's draws (:func:`benchgap.posterior.suite_scores`). ``trend``: the window and steps of the
    gap over time (:mod:`benchgap.trend`), computed when it is given and both compared groups have dated models.
    """
    theta = posterior_array(posterior, "theta")  # (chain, draw, model)
    composite = composite_draws(posterior, table, weights)
    suite, suite_means = _suite_composites(posterior, table, gap, weights, seed, plain_normal_floor)
    compared = ComparedGroups.of(table, gap)
    draws = compared.gap_draws(theta, composite, suite)
    lens_values = {"mean_score": mean_score(table), "mean_win_rate": mean_win_rate(table)}
    models = _model_estimates(theta, composite, suite, table, lens_values, gap)
    ties = tie_groups(theta, table, decisive=gap.decisive)
    lenses = {name: lens_gap(values, table, a=gap.a, b=gap.b) for name, values in lens_values.items()}
    summary = _gap_estimate(
        draws,
        {"score": composite, "suite": suite},
        table,
        compared,
        gap=gap,
        weights=weights,
        tied=_tied_leaders(models, ties, gap),
        lenses=lenses,
    )
    over_time = None
    if trend is not None:
        over_time = estimate_trend({"latent": theta, "score": composite, "suite": suite}, table, gap=gap, trend=trend)
    if over_time is not None:
        draws |= over_time[1]
    change = estimate_snapshots(posterior, table, gap=gap)
    if change is not None:
        draws |= change[1]
    per_dimension = estimate_dimensions(posterior, table, gap=gap, compared=compared)
    if per_dimension is not None:
        draws |= per_dimension[1]
    return FitEstimates(
        gap=summary,
        models=models,
        tie_groups=ties,
        weights=weights,
        draws=draws,
        suite_scores_mean=suite_means,
        trend=None if over_time is None else over_time[0],
        snapshots=None if change is None else change[0],
        dimensions=None if per_dimension is None else per_dimension[0],
        groups=race(theta, composite, table, gap),
    )


def _suite_composites(
    posterior: DataTree,
    table: ScoreTable,
    gap: GapConfig,
    weights: np.ndarray,
    seed: int,
    plain_normal_floor: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The suite composite per (chain, draw, model), and the posterior-mean persistent score per (model, benchmark);
    one chain's persistent scores at a time, which bounds memory."""
    composites, means = [], []
    for chain in range(posterior["posterior"].sizes["chain"]):
        q = suite_scores(
            posterior,
            table,
            chain=chain,
            seed=seed,
            run_share=gap.run_share,
            plain_normal_floor=plain_normal_floor,
        )
        composites.append(q @ weights)
        means.append(q.mean(axis=0))
    return np.stack(composites), np.mean(means, axis=0)


def _gap_estimate(
    draws: dict[str, np.ndarray],
    scores: dict[str, np.ndarray],
    table: ScoreTable,
    compared: ComparedGroups,
    *,
    gap: GapConfig,
    weights: np.ndarray,
    tied: tuple[str, str] | None,
    lenses: dict[str, LensGap],
) -> GapEstimate:
    """Every gap summarised; each score estimand (``scores``: per-draw composites of ``score`` and ``suite``) with
    its relative gaps, rope split and verdict."""
    prob, kind = gap.interval_prob, gap.interval
    summaries = {name: DrawSummary.of(values, prob, kind) for name, values in draws.items()}

    def top_k(name: str) -> TopKSummary:
        return TopKSummary(**vars(summaries[name]), k=compared.k)

    def best_vs_best(name: str) -> tuple[ScoreGapSummary, Rope, RelativeGaps, str]:
        values = scores[name]
        best_a, best_b = values[..., compared.in_a].max(axis=-1), values[..., compared.in_b].max(axis=-1)
        relative = relative_gaps(best_a, best_b, chance=table.chance @ weights, gap=gap)
        of_b = relative.of_b
        score = ScoreGapSummary(
            **vars(summaries[f"gap_{name}"]), relative_mean=of_b.mean, relative_interval=of_b.interval
        )
        rope = Rope.of(draws[f"gap_{name}"], gap.rope)
        return score, rope, relative, verdict(score, rope, gap=gap, tied=tied, measured_in=MEASURED_IN[name])

    score, rope, relative, capability_verdict = best_vs_best("score")
    suite_score, suite_rope, suite_relative, suite_verdict = best_vs_best("suite")
    suite = SuiteGap(
        score=suite_score,
        top_k=top_k("gap_suite_top_k"),
        group_mean=summaries["gap_suite_group_mean"],
        rope=suite_rope,
        relative=suite_relative,
        verdict=suite_verdict,
    )
    return GapEstimate(
        a=gap.a,
        b=gap.b,
        interval_prob=prob,
        interval_kind=kind.value,
        latent=summaries["gap_latent"],
        score=score,
        group_mean=summaries["gap_group_mean"],
        top_k=top_k("gap_top_k"),
        rope=rope,
        lenses=lenses,
        verdict=capability_verdict,
        relative=relative,
        score_top_k=top_k("gap_score_top_k"),
        score_group_mean=summaries["gap_score_group_mean"],
        suite=suite,
    )


MEASURED_IN = {"score": "composite score", "suite": "suite score (these benchmarks, infinite items and re-runs)"}


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
    suite: np.ndarray,
    table: ScoreTable,
    lens_values: dict[str, np.ndarray],
    gap: GapConfig,
) -> list[ModelEstimate]:
    prob, kind = gap.interval_prob, gap.interval
    flat_theta = theta.reshape(-1, theta.shape[-1])
    flat_comp = composite.reshape(-1, composite.shape[-1])
    flat_suite = suite.reshape(-1, suite.shape[-1])
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
    suite_interval = credible_interval(flat_suite, prob, kind, axis=0)
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
            suite_mean=float(flat_suite[:, i].mean()),
            suite_interval=(float(suite_interval[i, 0]), float(suite_interval[i, 1])),
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
