"""The gap in each leaderboard snapshot and its change, per posterior draw (``data.snapshots``).

A snapshot's gap is best vs best among the models it lists, on the latent scale and as the expected composite over
its own benchmarks (equal weights). The change from the first snapshot to the last splits in two, per draw: the
**suite part** (the last snapshot's models on the last suite minus the same models on the first suite: what
changing the benchmarks did) and the **models part** (the last snapshot's models minus the first's, both on the
first suite: what new models did).
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
from xarray import DataTree

from benchgap.config import GapConfig
from benchgap.errors import InputError
from benchgap.posterior import composite_draws, posterior_array
from benchgap.summaries import DrawSummary, direction_words, prob_toward_zero, shown_down
from benchgap.table import ScoreTable
from benchgap.weighting import best_vs_best


@dataclass(frozen=True)
class SnapshotGap:
    """One snapshot's best-vs-best gap."""

    snapshot: str
    models: dict[str, int]  # listed models of each compared group
    latent: DrawSummary
    score: DrawSummary  # expected composite over the snapshot's own benchmarks


@dataclass(frozen=True)
class SnapshotChange:
    """The gap per snapshot and its change from the first to the last (``summary.json``'s ``snapshots``)."""

    gaps: tuple[SnapshotGap, ...]
    change_latent: DrawSummary  # last minus first, latent
    change_score: DrawSummary  # last minus first, composite score
    suite_part: DrawSummary  # of the score change: the benchmarks' change (same models, last suite minus first)
    models_part: DrawSummary  # of the score change: the models' change (first suite, last models minus first)
    prob_shrank: float  # P(the score gap moved toward zero from the first snapshot's side)
    prob_shrank_latent: float
    suite_share: float | None  # suite part over the change, of their posterior means (None: no change)
    verdict: str


def check_snapshots(table: ScoreTable, gap: GapConfig) -> None:
    """Every snapshot lists models of both compared groups."""
    groups = np.asarray(table.groups)
    for name in table.snapshot_names:
        listed = table.in_snapshot(name)
        for group in (gap.a, gap.b):
            if not (listed & (groups == group)).any():
                raise InputError(
                    f"snapshot '{name}' lists no model of '{group}', so it has no gap to compare; add one or drop "
                    "the snapshot from data.snapshots"
                )


def estimate_snapshots(
    posterior: DataTree, table: ScoreTable, *, gap: GapConfig
) -> tuple[SnapshotChange, dict[str, np.ndarray]] | None:
    """The snapshot block and its draws (``snapshot_change_*``, for the convergence check); None for one table."""
    names = table.snapshot_names
    if len(names) < 2:
        return None
    theta = posterior_array(posterior, "theta")
    groups = np.asarray(table.groups)
    suites = {name: _suite_composite(posterior, table, name) for name in names}
    members = {name: table.in_snapshot(name) for name in names}

    def best(values: np.ndarray, listed: np.ndarray) -> np.ndarray:
        return best_vs_best(values, (groups == gap.a) & listed, (groups == gap.b) & listed)

    prob, kind = gap.interval_prob, gap.interval
    latent = {name: best(theta, members[name]) for name in names}
    score = {name: best(suites[name], members[name]) for name in names}
    first, last = names[0], names[-1]
    cross = best(suites[first], members[last])  # the last snapshot's models on the first snapshot's suite
    draws = {
        "snapshot_change_latent": latent[last] - latent[first],
        "snapshot_change_score": score[last] - score[first],
        "snapshot_suite_part": score[last] - cross,
        "snapshot_models_part": cross - score[first],
    }
    summary = {key: DrawSummary.of(values, prob, kind) for key, values in draws.items()}
    change = summary["snapshot_change_score"].mean
    estimate = SnapshotChange(
        gaps=tuple(
            SnapshotGap(
                snapshot=name,
                models={g: int((members[name] & (groups == g)).sum()) for g in (gap.a, gap.b)},
                latent=DrawSummary.of(latent[name], prob, kind),
                score=DrawSummary.of(score[name], prob, kind),
            )
            for name in names
        ),
        change_latent=summary["snapshot_change_latent"],
        change_score=summary["snapshot_change_score"],
        suite_part=summary["snapshot_suite_part"],
        models_part=summary["snapshot_models_part"],
        prob_shrank=prob_toward_zero(score[last] - score[first], score[first]),
        prob_shrank_latent=prob_toward_zero(latent[last] - latent[first], latent[first]),
        suite_share=float(summary["snapshot_suite_part"].mean / change) if abs(change) > 1e-12 else None,
        verdict="",
    )
    return dataclasses.replace(estimate, verdict=snapshot_verdict(estimate, gap)), draws


def _suite_composite(posterior: DataTree, table: ScoreTable, name: str) -> np.ndarray:
    """Per draw and model, the expected composite over snapshot ``name``'s benchmarks (equal weights)."""
    own = (np.asarray(table.snapshot) == name).astype(float)
    return composite_draws(posterior, table, own / own.sum())


SHRANK_WORDS = ("shrank", "likely shrank", "grew", "likely grew", "changed by an amount not told apart from noise")


def snapshot_verdict(estimate: SnapshotChange, gap: GapConfig) -> str:
    """One plain sentence on the change of the score gap, its words no stronger than P(shrank)."""
    first, last = estimate.gaps[0], estimate.gaps[-1]
    p = estimate.prob_shrank
    words = direction_words(p, gap, SHRANK_WORDS)
    lo, hi = estimate.change_score.interval
    text = (
        f"From snapshot '{first.snapshot}' to '{last.snapshot}' the best-vs-best score gap ({gap.a} minus {gap.b}) "
        f"{words}: {first.score.mean:+.3f} to {last.score.mean:+.3f}, change {estimate.change_score.mean:+.3f} "
        f"({gap.interval_prob:.0%} interval {lo:+.3f} to {hi:+.3f}), P(shrank) = {shown_down(p)}; on the latent scale "
        f"P(shrank) = {shown_down(estimate.prob_shrank_latent)}."
    )
    if estimate.suite_share is not None:
        text += (
            f" The suite change accounts for {estimate.suite_part.mean:+.3f} of it ({estimate.suite_share:.0%}; the "
            "last snapshot's models on the first snapshot's benchmarks would show "
            f"{first.score.mean + estimate.models_part.mean:+.3f})."
        )
    return text
