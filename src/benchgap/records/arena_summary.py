"""What ``benchgap arena`` writes: ``summary.json`` of a fitted Arena file, or of a simulated-votes recovery study."""

from dataclasses import dataclass
from typing import Any

from benchgap.arena_data import RatingDrift
from benchgap.arena_gaps import ArenaLens
from benchgap.arena_race import ArenaRace
from benchgap.diagnostics import Diagnostics


@dataclass(frozen=True)
class ArenaSummary:
    """A fitted Arena file: the lens per snapshot and the fit's diagnostics."""

    version: str
    source: str
    kind: str  # ratings (published leaderboard) | votes (battles, Bradley-Terry-Davidson)
    rows: int  # rated (snapshot, model) rows, or models with votes
    votes: int | None  # battles counted (votes only)
    tie_share_equal: float | None  # votes: the fitted share of ties between two equal models
    lens: ArenaLens
    drift: list[RatingDrift]  # ratings: how much models rated in two snapshots moved, against their stated noise
    diagnostics: Diagnostics
    inference: str
    seconds: float
    settings: dict[str, Any]
    races: list[ArenaRace] | None = None  # gap.groups: P(each group leads) and every pair, per snapshot
    races_skipped: list[str] | None = None  # snapshots in which a listed group has no rated model


@dataclass(frozen=True)
class ArenaStudy:
    """Recovery on simulated votes: rank correlation of strengths and the best-vs-best win probability's coverage.

    Truth: each world's true strengths, and the win probability of group a's strongest model against group b's."""

    version: str
    worlds: int
    models: int  # per world
    votes: int  # per world
    interval_prob: float  # level of the intervals whose coverage is scored
    rank_correlation_mean: float  # Spearman, posterior-mean vs true strengths, mean over worlds
    rank_correlation_min: float
    covered: int  # worlds whose interval of the win probability held the truth
    coverage: float
    coverage_interval: tuple[float, float]  # exact binomial (Clopper-Pearson) 95% interval over the worlds
    mean_abs_error: float  # of the posterior-mean win probability
    converged: int  # worlds whose fit met the convergence thresholds
    inference: str
    seconds: float
    settings: dict[str, Any]
