"""Settings of ``benchgap arena`` (``conf/arena.yaml``): the Arena file, the gap compared, and the simulated
vote worlds of its recovery check."""

from dataclasses import dataclass, field

from benchgap.config import ConvergenceConfig, IntervalKind, SamplerConfig
from benchgap.ranges import ABOVE_HALF, POSITIVE, PROBABILITY, ranged


@dataclass
class ArenaGapConfig:
    a: str = "US"  # first group (a value of the group column)
    b: str = "China"  # second group
    by: str = "group"  # ratings files: what a group is, group (country) | weights (open | closed, from the license
    # column) | organization | any other column
    groups: list[str] | None = None  # more than two groups, e.g. [US,China,Other]: per snapshot P(each group's best is
    # the strongest of them all) and every pair's gap and win probability, beside the headline a vs b
    interval: IntervalKind = IntervalKind.eti  # reported intervals: eti (equal-tailed) | hdi
    interval_prob: float = ranged(0.9, within=PROBABILITY)  # probability mass of the reported intervals
    ahead: float = ranged(0.99, within=ABOVE_HALF)  # "X's best is ahead" (or a change "fell"): at least this sure
    likely: float = ranged(0.9, within=ABOVE_HALF)  # "likely ahead" ("likely fell"): at least this, below `ahead`
    shift: float = ranged(1000.0, 0.0)  # points added to every rating to show that the headline ratio moves


@dataclass
class VoteWorldConfig:
    """Simulated votes (``worlds > 0``): models with true strengths, random pairs, Davidson outcomes."""

    groups: dict[str, int] = ranged({"US": 100, "China": 60, "Other": 40}, 1)  # models per group
    means: dict[str, float] = field(default_factory=lambda: {"US": 0.0, "China": -30.0, "Other": -60.0})  # points
    spread: float = ranged(80.0, within=POSITIVE)  # sd of true strengths within a group, points
    pairs: int = ranged(2000, 1)  # pair slots: each a random pair of distinct models
    votes_per_pair: int = ranged(50, 1)  # votes cast in each slot
    tie_share: float = ranged(0.3, 0.0, 1.0, open_high=True)  # share of ties between two equal models


@dataclass
class ArenaConfig:
    """``benchgap arena``: Arena ratings or votes, the best-vs-best gap as a win probability, the rating ratio."""

    ratings: str | None = None  # a leaderboard of ratings with 95% intervals, one row per model (and snapshot)
    votes: str | None = None  # or a battle file (model_a, model_b, winner): fitted by Bradley-Terry with ties
    models: str | None = None  # optional model -> group file (columns model, group), overriding the file's groups
    anonymous_only: bool = True  # votes: with an `anony` column, count anonymous battles only (as LMArena does)
    gap: ArenaGapConfig = field(default_factory=ArenaGapConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)
    worlds: int = ranged(0, 0)  # > 0: instead of a file, draw this many simulated vote worlds, fit each, and score
    world: VoteWorldConfig = field(default_factory=VoteWorldConfig)
    seed: int = ranged(0, 0)  # seed of the simulated worlds (world r uses SeedSequence(seed).spawn(worlds)[r])
    plots: bool = True  # write the PNG figures and embed them in report.html
