"""More than two groups on the Arena (``gap.groups=[US,China,Other]``), per snapshot: P(each group's best model is
the strongest of all the listed groups'), and every pair's best-vs-best gap in points and as a win probability.

Per draw, as in :mod:`benchgap.arena_gaps`: each group's best is its strongest model in that draw.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from benchgap.arena_data import win_probability
from benchgap.arena_gaps import best_draws, likeliest
from benchgap.config import GapConfig
from benchgap.group_race import race_verdict
from benchgap.summaries import DrawSummary


@dataclass(frozen=True)
class ArenaLead:
    group: str
    models: int  # rated in the snapshot
    prob_leads: float  # P(its best model is the strongest of all the listed groups')
    likeliest_best: str
    prob_best: float  # share of draws in which that model is the group's best


@dataclass(frozen=True)
class ArenaPair:
    a: str
    b: str
    gap: DrawSummary  # points, a's best minus b's best
    win: DrawSummary  # P(a's best wins a vote against b's best)


@dataclass(frozen=True)
class ArenaRace:
    snapshot: str
    leads: tuple[ArenaLead, ...]  # in the order of gap.groups
    pairs: tuple[ArenaPair, ...]
    verdict: str


def arena_races(
    strength: np.ndarray,
    *,
    models: tuple[str, ...],
    groups: tuple[str, ...],
    snapshot_rows: dict[str, np.ndarray],
    listed: list[str],
    gap: GapConfig,
) -> tuple[list[ArenaRace], list[str]]:
    """The race per snapshot in which every listed group has a rated model; and the snapshots left out (one of the
    listed groups has none). ``strength`` is (draws, rows) in points."""
    group = np.asarray(groups)
    races, skipped = [], []
    for snapshot, rows in snapshot_rows.items():
        members = [rows[group[rows] == name] for name in listed]
        if any(len(m) == 0 for m in members):
            skipped.append(snapshot)
            continue
        best = [best_draws(strength, m) for m in members]
        top = np.argmax(np.stack([b[0] for b in best], axis=1), axis=1)
        leads = tuple(
            ArenaLead(name, len(m), float((top == i).mean()), *likeliest(which, models))
            for i, (name, m, (_, which)) in enumerate(zip(listed, members, best, strict=True))
        )
        pairs = tuple(
            ArenaPair(
                a=listed[i],
                b=listed[j],
                gap=DrawSummary.of(best[i][0] - best[j][0], gap.interval_prob, gap.interval),
                win=DrawSummary.of(win_probability(best[i][0] - best[j][0]), gap.interval_prob, gap.interval),
            )
            for i, j in itertools.combinations(range(len(listed)), 2)
        )
        odds = [(lead.group, lead.prob_leads) for lead in leads]
        verdict = f"{snapshot}: " + race_verdict(odds, gap, by="strength")
        races.append(ArenaRace(snapshot, leads, pairs, verdict))
    return races, skipped
