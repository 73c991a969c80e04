"""Posterior summaries of one scalar estimand, and the verdict words they allow.

Every gap of a fit is a vector of posterior draws; here it becomes a mean, an interval, P(a ahead) and, for the
composite-score gaps, the three-way split around the region of practical equivalence and the relative shares a
headline may quote. :func:`verdict` turns a gap into one sentence whose words never outrun its probabilities.
"""

from dataclasses import dataclass

import numpy as np
from arviz_stats.base import array_stats

from benchgap.config import GapConfig, IntervalKind


def credible_interval(draws: np.ndarray, prob: float, kind: IntervalKind, *, axis: int | None = None) -> np.ndarray:
    """The posterior interval of mass ``prob``: equal-tailed (the ``(1 - prob) / 2`` and ``(1 + prob) / 2``
    quantiles) or highest-density (ArviZ). Shape ``(2,)``, or ``(n, 2)`` along ``axis=0`` of a 2-d array."""
    if kind is IntervalKind.hdi:
        return np.asarray(array_stats.hdi(draws, prob) if axis is None else array_stats.hdi(draws, prob, axis=axis))
    bounds = np.quantile(draws, [(1 - prob) / 2, (1 + prob) / 2], axis=axis)
    return bounds if axis is None else np.moveaxis(bounds, 0, -1)


def interval_pair(bounds: np.ndarray) -> tuple[float, float]:
    """An interval's two bounds as plain floats."""
    return float(bounds[0]), float(bounds[1])


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


def verdict(
    score: DrawSummary,
    rope: Rope,
    *,
    gap: GapConfig,
    tied: tuple[str, str] | None = None,
    measured_in: str = "composite score",
) -> str:
    """One plain sentence on the best-vs-best composite-score gap, its words tied to stated probabilities.

    The posterior splits three ways around the region of practical equivalence (``gap.rope``): a ahead by more
    than the rope, inside it, b ahead by more than it. "X is ahead" needs P(X beyond the rope) >= ``gap.ahead``
    (0.99), "X is likely ahead" >= ``gap.likely`` (0.9); "practically equivalent" needs P(inside) above
    ``gap.equivalent`` (0.5: the rope holds most of the mass); anything else is "not settled". Probabilities are
    shown rounded down, so the words are never stronger than the numbers printed beside them. ``tied``: the two
    groups' likeliest best models, when one tie group holds both. ``measured_in`` names the estimand's scale.
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
        f"{words[0].upper()}{words[1:]}: P({lead} ahead by more than {width}) = {shown_down(p_lead)}, "
        f"P(within +-{width}) = {shown_down(rope.prob_inside)}, "
        f"P({trail} ahead by more than {width}) = {shown_down(p_trail)} "
        f"(P({lead} ahead at all) = {shown_down(_ahead(score, lead, gap))}); "
        f"best vs best, {gap.a} minus {gap.b}: {score.mean:+.3f} in {measured_in}, {gap.interval_prob:.0%} interval "
        f"{lo:+.3f} to {hi:+.3f}."
    )
    if tied is not None:
        text += f" Their likeliest best models, {tied[0]} and {tied[1]}, are in one tie group: not separated."
    return text


def prob_toward_zero(change: np.ndarray, reference: np.ndarray) -> float:
    """P(``change`` runs toward zero from the side ``reference`` is on), the side taken per draw: a gap (or lag)
    closing. ``reference`` has ``change``'s draw axes, and may have more (a series per draw: its mean is the side).
    Per draw, so that it is the posterior probability of the functional the truth is scored by: a lag near zero
    whose sign is unsettled was miscalibrated with one side for all draws (of 81 `bending` worlds given P < 0.1, 8
    closed)."""
    side = np.sign(np.asarray(reference).reshape(*np.shape(change), -1).mean(axis=-1))
    return float((change * side < 0).mean())


def direction_words(p: float, gap: GapConfig, words: tuple[str, str, str, str, str]) -> str:
    """The words for P(toward) = ``p``: ``words`` are (toward, likely toward, away, likely away, not settled), chosen
    at ``gap.ahead`` and ``gap.likely`` as the gap verdict's are."""
    toward, likely_toward, away, likely_away, unsettled = words
    if p >= gap.ahead:
        return toward
    if p >= gap.likely:
        return likely_toward
    if 1 - p >= gap.ahead:
        return away
    if 1 - p >= gap.likely:
        return likely_away
    return unsettled


def _ahead(score: DrawSummary, group: str, gap: GapConfig) -> float:
    """P(``group``'s best is ahead at all): the direction of the gap, whatever its size."""
    return score.prob_a_ahead if group == gap.a else 1.0 - score.prob_a_ahead


def shown_down(probability: float) -> str:
    """A probability rounded down to two decimals (0.899 -> 0.89): never shown stronger than it is."""
    return f"{np.floor(probability * 100 + 1e-9) / 100:.2f}"
