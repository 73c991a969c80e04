"""The gap per capability dimension (``model.dimensions=categories``): per benchmark category, the best-vs-best,
top-k and group-mean gaps on its latent capability and on its benchmarks' composite score (equal weights within the
category), P(a ahead), a verdict with the words of the headline gap, each group's profile, and the posterior
correlation between dimensions."""

from dataclasses import dataclass

import numpy as np
from xarray import DataTree

from benchgap.compared import ComparedGroups
from benchgap.config import GapConfig
from benchgap.posterior import composite_draws, posterior_array
from benchgap.summaries import DrawSummary, Rope, direction_words, shown_down, verdict
from benchgap.table import ScoreTable


@dataclass(frozen=True)
class DimensionGap:
    """One capability dimension: its gaps (a minus b, per draw summarised) and its verdict."""

    dimension: str  # the benchmark category
    benchmarks: int  # benchmarks loading on it
    latent: DrawSummary  # best vs best by the dimension's capability (sd of the table's models on it)
    score: DrawSummary  # best vs best by the expected composite of the category's benchmarks, equal weights
    top_k: DrawSummary  # mean of each group's k best capabilities on it
    group_mean: DrawSummary  # mean capability of a's models minus b's on it
    best_a: str  # the likeliest best model of each group on this dimension
    best_b: str
    profile: dict[str, float]  # per group: posterior mean of its models' mean capability on the dimension
    verdict: str


@dataclass(frozen=True)
class DimensionEstimate:
    """Every dimension's gap, the correlation between dimensions, and one sentence on how far they agree."""

    gaps: tuple[DimensionGap, ...]
    correlation: list[list[float]]  # posterior mean of the dimensions' correlation (raw capabilities)
    summary: str


def category_weights(table: ScoreTable) -> dict[str, np.ndarray]:
    """Per category, equal weights on its benchmarks (summing to 1) and none elsewhere."""
    return {
        name: (table.category_idx == k) / (table.category_idx == k).sum() for k, name in enumerate(table.category_names)
    }


def category_score_gaps(posterior: DataTree, table: ScoreTable, gap: GapConfig) -> dict[str, np.ndarray]:
    """Per category, the best-vs-best gap in expected mean score over its benchmarks, per (chain, draw). Any fit has
    it: a one-dimensional one predicts every category from its one capability."""
    compared = ComparedGroups.of(table, gap)
    return {name: compared.best(composite_draws(posterior, table, w)) for name, w in category_weights(table).items()}


def estimate_dimensions(
    posterior: DataTree, table: ScoreTable, *, gap: GapConfig, compared: ComparedGroups
) -> tuple[DimensionEstimate, dict[str, np.ndarray]] | None:
    """The dimension block and its draws (``gap_latent_<dimension>`` and ``gap_score_<dimension>``, for the
    convergence check and ``posterior.nc``); None for a one-dimensional fit."""
    if "theta_dim" not in posterior["posterior"]:
        return None
    theta_dim = posterior_array(posterior, "theta_dim")  # (chain, draw, model, dimension)
    gaps: list[DimensionGap] = []
    draws: dict[str, np.ndarray] = {}
    for d, (name, score) in enumerate(category_score_gaps(posterior, table, gap).items()):
        theta = theta_dim[..., d]
        latent = compared.best(theta)
        draws |= {f"gap_latent_{name}": latent, f"gap_score_{name}": score}
        gaps.append(_dimension_gap(name, theta, latent, score, table, gap, compared))
    correlation = posterior_array(posterior, "dimension_corr").mean(axis=(0, 1))
    estimate = DimensionEstimate(tuple(gaps), correlation.round(4).tolist(), _summary(gaps, gap))
    return estimate, draws


def _dimension_gap(
    name: str,
    theta: np.ndarray,
    latent: np.ndarray,
    score: np.ndarray,
    table: ScoreTable,
    gap: GapConfig,
    compared: ComparedGroups,
) -> DimensionGap:
    prob, kind = gap.interval_prob, gap.interval
    score_summary = DrawSummary.of(score, prob, kind)
    best = {}
    for group, members in ((gap.a, compared.in_a), (gap.b, compared.in_b)):
        index = np.flatnonzero(members)
        winners = np.bincount(theta[..., index].reshape(-1, index.size).argmax(axis=1), minlength=index.size)
        best[group] = table.models[index[winners.argmax()]]
    groups = np.asarray(table.groups)
    return DimensionGap(
        dimension=name,
        benchmarks=int((np.asarray(table.categories) == name).sum()),
        latent=DrawSummary.of(latent, prob, kind),
        score=score_summary,
        top_k=DrawSummary.of(compared.top_k(theta), prob, kind),
        group_mean=DrawSummary.of(compared.mean(theta), prob, kind),
        best_a=best[gap.a],
        best_b=best[gap.b],
        profile={g: float(theta[..., groups == g].mean()) for g in table.group_names},
        verdict=verdict(score_summary, Rope.of(score, gap.rope), gap=gap, measured_in=f"{name} score"),
    )


def _summary(gaps: list[DimensionGap], gap: GapConfig) -> str:
    """Which dimensions favour which group, in the headline's words (``gap.ahead``, ``gap.likely``), each with the
    probability that its leader is ahead at all, shown rounded down."""
    words = (f"{gap.a} ahead", f"{gap.a} likely ahead", f"{gap.b} ahead", f"{gap.b} likely ahead", "not settled")
    found: dict[str, list[str]] = {}
    for g in gaps:
        p = g.score.prob_a_ahead
        lead, p_lead = (gap.a, p) if p >= 0.5 else (gap.b, 1 - p)
        found.setdefault(direction_words(p, gap, words), []).append(
            f"{g.dimension} (P({lead} ahead) = {shown_down(p_lead)})"
        )
    parts = [f"{who} in {', '.join(names)}" for who, names in found.items()]
    return "Per capability dimension (best vs best on each category's composite score): " + "; ".join(parts) + "."
