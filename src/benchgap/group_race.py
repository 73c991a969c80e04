"""More than two groups (``gap.groups=[US,China,France]``): every pairwise best-vs-best gap, and P(each group leads).

A group leads in a draw when its best model is the best of all the listed groups' models; P(leads) is the share of
draws in which it does, so the probabilities over the listed groups sum to 1. Each pair's gap is best vs best, on the
latent scale and in composite score, with the rope split and the verdict sentence of the headline gap.
"""

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from benchgap.config import GapConfig
from benchgap.errors import InputError
from benchgap.summaries import DrawSummary, Rope, shown_down, verdict
from benchgap.table import ScoreTable


@dataclass(frozen=True)
class GroupLead:
    """One listed group: how often its best model is the best of all the listed groups' models."""

    group: str
    models: int
    prob_leads: float  # by expected composite score (capability)
    prob_leads_latent: float  # by latent capability (the same with one capability dimension)
    likeliest_best: str  # the group's model that is its best in the most draws (by composite score)
    prob_likeliest_best: float


@dataclass(frozen=True)
class PairGap:
    """Best vs best between two listed groups, ``a`` minus ``b`` (the order of ``gap.groups``)."""

    a: str
    b: str
    latent: DrawSummary
    score: DrawSummary  # expected composite score (capability)
    rope: Rope
    verdict: str


@dataclass(frozen=True)
class GroupRace:
    groups: tuple[str, ...]
    leads: tuple[GroupLead, ...]  # in the order of gap.groups
    pairs: tuple[PairGap, ...]  # every pair, in the order of gap.groups
    verdict: str  # which group leads, in words no stronger than P(leads)


def check_groups(table: ScoreTable, gap: GapConfig) -> None:
    """``gap.groups``: two or more different groups, each with models in the table."""
    hint = "groups come from the 'group' column, data.models, data.organizations or gap.by"
    check_listed(gap.groups, table.group_counts(), source=table.source, hint=hint)


def check_listed(listed: list[str] | None, counts: Mapping[str, int], *, source: str, hint: str) -> None:
    """A race's groups (``gap.groups``; none: no race): two or more different ones, each with models in ``counts``
    (models or rows per group of ``source``). ``hint`` says where the groups come from."""
    if listed is None:
        return
    present = ", ".join(f"{g} ({n})" for g, n in counts.items())
    if len(listed) < 2 or len(set(listed)) < len(listed):
        raise InputError(
            f"gap.groups={list(listed)} needs two or more different groups; groups with models in {source}: "
            f"{present}. Set e.g. gap.groups=[US,China,France], or null for the one pair gap.a, gap.b"
        )
    for name in listed:
        if name not in counts:
            raise InputError(
                f"gap.groups lists '{name}', which is not a group of {source}; groups with models: {present}. "
                f"List only these ({hint})"
            )


def race(theta: np.ndarray, composite: np.ndarray, table: ScoreTable, gap: GapConfig) -> GroupRace | None:
    """The race between ``gap.groups`` from per-draw latent capabilities and composites ``(chain, draw, model)``;
    None without ``gap.groups``."""
    if gap.groups is None:
        return None
    groups = np.asarray(table.groups)
    members = [np.flatnonzero(groups == name) for name in gap.groups]
    flat = {"score": composite.reshape(-1, composite.shape[-1]), "latent": theta.reshape(-1, theta.shape[-1])}
    best = {scale: np.stack([v[:, m].max(axis=1) for m in members], axis=1) for scale, v in flat.items()}
    leader = {scale: np.argmax(b, axis=1) for scale, b in best.items()}  # per draw, which listed group leads
    leads = tuple(
        _lead(name, [table.models[k] for k in m], flat["score"][:, m], leader, i)
        for i, (name, m) in enumerate(zip(gap.groups, members, strict=True))
    )
    pairs = tuple(
        _pair(gap, gap.groups[i], gap.groups[j], {scale: b[:, i] - b[:, j] for scale, b in best.items()})
        for i, j in itertools.combinations(range(len(gap.groups)), 2)
    )
    odds = [(lead.group, lead.prob_leads) for lead in leads]
    return GroupRace(tuple(gap.groups), leads, pairs, race_verdict(odds, gap, by="composite score"))


def _lead(name: str, models: list[str], scores: np.ndarray, leader: dict[str, np.ndarray], i: int) -> GroupLead:
    """Group ``i`` of the race; ``scores``: its models' composites per draw, ``leader``: per draw the leading group."""
    top = np.bincount(np.argmax(scores, axis=1), minlength=len(models)) / scores.shape[0]
    return GroupLead(
        group=name,
        models=len(models),
        prob_leads=float((leader["score"] == i).mean()),
        prob_leads_latent=float((leader["latent"] == i).mean()),
        likeliest_best=models[int(np.argmax(top))],
        prob_likeliest_best=float(top.max()),
    )


def _pair(gap: GapConfig, a: str, b: str, differences: dict[str, np.ndarray]) -> PairGap:
    pair_gap = dataclasses.replace(gap, a=a, b=b)
    score = DrawSummary.of(differences["score"], gap.interval_prob, gap.interval)
    rope = Rope.of(differences["score"], gap.rope)
    return PairGap(
        a=a,
        b=b,
        latent=DrawSummary.of(differences["latent"], gap.interval_prob, gap.interval),
        score=score,
        rope=rope,
        verdict=verdict(score, rope, gap=pair_gap),
    )


def race_verdict(odds: list[tuple[str, float]], gap: GapConfig, *, by: str) -> str:
    """The words "X leads" at P(leads) >= ``gap.ahead``, "X likely leads" at >= ``gap.likely``, else not settled;
    every group's P(leads) beside it, rounded down. ``odds``: (group, P(leads)); ``by``: the scale of the best."""
    ranked = sorted(odds, key=lambda pair: -pair[1])
    first, p_first = ranked[0]
    if p_first >= gap.ahead:
        words = f"{first} leads the {len(odds)} groups"
    elif p_first >= gap.likely:
        words = f"{first} likely leads the {len(odds)} groups"
    else:
        words = f"Which of the {len(odds)} groups leads is not settled"
    shown = ", ".join(f"{group} {shown_down(p)}" for group, p in ranked)
    return f"{words}: P(its best model is the best of all of them, by {by}) = {shown}."
