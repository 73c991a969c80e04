"""The Arena lens: best vs best in rating points and as a head-to-head win probability, per snapshot, beside the
ratio of ratings that headlines quote, and the change from one snapshot to the next.

Per posterior draw, each group's best model is the one with the highest strength in that draw (so uncertainty about
which model is best is carried along), the gap is ``best_a - best_b`` in points, and the win probability is
``1 / (1 + 10^(-gap / 400))``: how often a's best would win a vote against b's best (ties aside). The ratio
``gap / rating of a's best`` (the "x% behind") depends on where the scale's zero sits: adding a constant to every
rating changes it, and leaves every gap and win probability as they were. The lens prints the ratio with 1,000
points added (``gap.shift``) to show it.

A change between snapshots is the difference of the two snapshots' gap draws; the snapshots are fitted as separate
leaderboards, so the draws are independent and the change's interval is the combination of both gaps' uncertainty.
"""

from dataclasses import dataclass

import numpy as np

from benchgap.arena_data import comparison_steps, win_probability
from benchgap.config import GapConfig
from benchgap.summaries import DrawSummary, direction_words, shown_down

CHANGE_WORDS = ("fell", "likely fell", "rose", "likely rose", "did not move beyond its noise")


@dataclass(frozen=True)
class PublishedGap:
    """What a reader computes by hand from the published ratings of one snapshot."""

    best_a: str  # the group's highest-rated model
    rating_a: float
    best_b: str
    rating_b: float
    gap: float  # points
    ratio: float  # gap / rating_a: the "x% behind" a headline quotes
    ratio_shifted: float  # the same gap over (rating_a + shift): what the ratio would be on a scale shifted by `shift`
    win_probability: float  # of the published gap


@dataclass(frozen=True)
class ArenaGap:
    """Best vs best of groups a and b in one snapshot (points and win probability), and each group's frontier."""

    snapshot: str
    models_a: int  # models of group a rated in the snapshot
    models_b: int
    gap: DrawSummary  # points, a minus b; prob_a_ahead = P(a's best is stronger)
    win: DrawSummary  # P(a's best wins a vote against b's best); its prob_a_ahead is P(win > 0), always 1
    frontier_a: DrawSummary  # strength of group a's best model, points
    frontier_b: DrawSummary
    likeliest_best_a: str  # the model that is a's best in most draws
    prob_best_a: float  # share of draws in which it is
    likeliest_best_b: str
    prob_best_b: float
    published: PublishedGap | None  # None for votes (no published ratings)


@dataclass(frozen=True)
class ArenaChange:
    """The best-vs-best gap's change from one snapshot to the next."""

    before: str
    after: str
    gap: DrawSummary  # points, after minus before; prob_a_ahead = P(the gap rose)
    win: DrawSummary  # change in win probability
    published_gap: float | None  # the change a reader computes by hand, points
    published_ratio: float | None  # ... in the ratio (fraction; 0.01 = one percentage point)
    words: str  # fell | likely fell | rose | likely rose | did not move beyond its noise


@dataclass(frozen=True)
class ArenaLens:
    a: str
    b: str
    interval_prob: float
    shift: float  # points added to every rating for the ratio_shifted figures
    gaps: list[ArenaGap]
    changes: list[ArenaChange]  # consecutive snapshots, then (when more than two) the first against the last
    skipped: list[str]  # snapshots without a model of both groups
    verdict: str  # the latest snapshot in one sentence, and why the ratio is not a measure
    change_verdict: str  # how many month-to-month changes rose above their noise ("" with one snapshot)


def best_draws(strength: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per draw the highest strength among ``rows`` and which of them holds it; ``strength`` is (draws, rows)."""
    which = strength[:, rows].argmax(axis=1)
    return strength[np.arange(len(strength)), rows[which]], rows[which]


def arena_lens(
    strength: np.ndarray,
    *,
    models: tuple[str, ...],
    groups: tuple[str, ...],
    snapshot_rows: dict[str, np.ndarray],
    published: np.ndarray | None,
    gap: GapConfig,
    shift: float = 1000.0,
) -> ArenaLens:
    """The lens over snapshots. ``strength`` is (draws, rows) in points; ``models`` and ``groups`` name each row;
    ``snapshot_rows`` maps each snapshot, in order, to its rows; ``published`` is each row's published rating."""
    group = np.asarray(groups)
    gaps, draws, skipped = [], {}, []
    for snapshot, rows in snapshot_rows.items():
        rows_a, rows_b = rows[group[rows] == gap.a], rows[group[rows] == gap.b]
        if not len(rows_a) or not len(rows_b):
            skipped.append(snapshot)
            continue
        result, gap_draws = _snapshot_gap(
            strength, snapshot, rows_a, rows_b, models=models, published=published, gap=gap, shift=shift
        )
        gaps.append(result)
        draws[snapshot] = gap_draws
    changes = _changes(gaps, draws, gap)
    return ArenaLens(
        a=gap.a,
        b=gap.b,
        interval_prob=gap.interval_prob,
        shift=shift,
        gaps=gaps,
        changes=changes,
        skipped=skipped,
        verdict=lens_verdict(gaps[-1], gap=gap, shift=shift) if gaps else "",
        change_verdict=change_verdict(changes, gap=gap, steps=max(len(gaps) - 1, 0)),
    )


def _snapshot_gap(
    strength: np.ndarray,
    snapshot: str,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
    *,
    models: tuple[str, ...],
    published: np.ndarray | None,
    gap: GapConfig,
    shift: float,
) -> tuple[ArenaGap, np.ndarray]:
    best_a, which_a = best_draws(strength, rows_a)
    best_b, which_b = best_draws(strength, rows_b)
    difference = best_a - best_b
    (likely_a, p_a), (likely_b, p_b) = likeliest(which_a, models), likeliest(which_b, models)
    result = ArenaGap(
        snapshot=snapshot,
        models_a=len(rows_a),
        models_b=len(rows_b),
        gap=DrawSummary.of(difference, gap.interval_prob, gap.interval),
        win=DrawSummary.of(win_probability(difference), gap.interval_prob, gap.interval),
        frontier_a=DrawSummary.of(best_a, gap.interval_prob, gap.interval),
        frontier_b=DrawSummary.of(best_b, gap.interval_prob, gap.interval),
        likeliest_best_a=likely_a,
        prob_best_a=p_a,
        likeliest_best_b=likely_b,
        prob_best_b=p_b,
        published=None if published is None else _published(published, rows_a, rows_b, models, shift),
    )
    return result, difference


def likeliest(which: np.ndarray, models: tuple[str, ...]) -> tuple[str, float]:
    """The model that is best in the most draws (``which``: per draw, the best one's row), and its share."""
    rows, counts = np.unique(which, return_counts=True)
    return models[int(rows[counts.argmax()])], float(counts.max() / len(which))


def _published(
    rating: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray, models: tuple[str, ...], shift: float
) -> PublishedGap:
    top_a, top_b = rows_a[rating[rows_a].argmax()], rows_b[rating[rows_b].argmax()]
    difference = float(rating[top_a] - rating[top_b])
    return PublishedGap(
        best_a=models[int(top_a)],
        rating_a=float(rating[top_a]),
        best_b=models[int(top_b)],
        rating_b=float(rating[top_b]),
        gap=difference,
        ratio=difference / float(rating[top_a]),
        ratio_shifted=difference / float(rating[top_a] + shift),
        win_probability=float(win_probability(difference)),
    )


def _changes(gaps: list[ArenaGap], draws: dict[str, np.ndarray], gap: GapConfig) -> list[ArenaChange]:
    changes: list[ArenaChange] = []
    for before, after in ((gaps[i], gaps[j]) for i, j in comparison_steps(len(gaps))):
        rng = np.random.default_rng(len(changes))  # pair the two fits' draws at random: they are independent
        old = rng.permutation(draws[before.snapshot])
        change = draws[after.snapshot] - old
        win = win_probability(draws[after.snapshot]) - win_probability(old)
        summary = DrawSummary.of(change, gap.interval_prob, gap.interval)
        hand = before.published is not None and after.published is not None
        changes.append(
            ArenaChange(
                before=before.snapshot,
                after=after.snapshot,
                gap=summary,
                win=DrawSummary.of(win, gap.interval_prob, gap.interval),
                published_gap=after.published.gap - before.published.gap if hand else None,  # type: ignore[union-attr]
                published_ratio=after.published.ratio - before.published.ratio if hand else None,  # type: ignore[union-attr]
                words=direction_words(1.0 - summary.prob_a_ahead, gap, CHANGE_WORDS),
            )
        )
    return changes


def lens_verdict(result: ArenaGap, *, gap: GapConfig, shift: float) -> str:
    """One sentence on the latest snapshot's best vs best, and one on why the ratio of ratings is not a measure."""
    a, b = gap.a, gap.b
    p = result.gap.prob_a_ahead
    words = direction_words(
        p,
        gap,
        (
            f"{a}'s best model is ahead of {b}'s",
            f"{a}'s best model is likely ahead of {b}'s",
            f"{b}'s best model is ahead of {a}'s",
            f"{b}'s best model is likely ahead of {a}'s",
            f"whether {a}'s or {b}'s best model is ahead is not settled",
        ),
    )
    lo, hi = result.win.interval
    glo, ghi = result.gap.interval
    text = (
        f"{words[0].upper()}{words[1:]} ({result.snapshot}): P({a} ahead) = {shown_down(max(p, 0.0))}; "
        f"{result.likeliest_best_a} beats {result.likeliest_best_b} in a head-to-head vote with probability "
        f"{result.win.mean:.3f} ({gap.interval_prob:.0%} interval {lo:.3f} to {hi:.3f}), a rating gap of "
        f"{result.gap.mean:+.0f} points ({glo:+.0f} to {ghi:+.0f})."
    )
    if result.published is not None:
        pub = result.published
        text += (
            f" The headline's {pub.ratio:.2%} ({pub.gap:+.0f} points over {a}'s best rating, {pub.rating_a:.0f}) is "
            f"not a measure: the rating scale's zero is arbitrary, and with {shift:,.0f} points added to every rating "
            f"the same gap reads as {pub.ratio_shifted:.2%}, while the win probability stays {pub.win_probability:.3f}."
        )
    return text


def change_verdict(changes: list[ArenaChange], *, gap: GapConfig, steps: int) -> str:
    """How many snapshot-to-snapshot changes of the gap rose above their noise, and the whole period's change."""
    if not changes:
        return ""
    monthly = changes[:steps]
    moved = [c for c in monthly if c.words != CHANGE_WORDS[-1]]
    text = (
        f"From one snapshot to the next, the best-vs-best gap moved beyond its noise (P >= {gap.likely:g} of a rise "
        f"or a fall) in {len(moved)} of {len(monthly)} steps"
    )
    if moved:
        text += ": " + "; ".join(f"{c.before} to {c.after} {c.words} ({c.gap.mean:+.0f} points)" for c in moved)
    whole = changes[-1]
    lo, hi = whole.gap.interval
    text += (
        f". From {whole.before} to {whole.after} the gap {whole.words}: {whole.gap.mean:+.0f} points "
        f"({gap.interval_prob:.0%} interval {lo:+.0f} to {hi:+.0f}), P(fell) = {shown_down(1 - whole.gap.prob_a_ahead)}"
    )
    if whole.published_ratio is not None:
        text += f"; the headline ratio moved {whole.published_ratio * 100:+.2f} percentage points"
    return text + "."
