"""Typed settings of a simulated world (``conf/world/``): its groups of models, benchmark suite and measurement
noise. Read by ``benchgap simulate`` and by the built-in demo table of ``benchgap fit``; re-exported by
``benchgap.config``."""

from dataclasses import dataclass, field

from benchgap.ranges import YEAR, ranged


@dataclass
class GroupWorld:
    """One group of models in a simulated world."""

    models: int = ranged(5, 1)  # number of models in the group
    group: str | None = None  # the table group its models are listed under (default: this key); several world
    # groups may share one, e.g. US_frontier and US_small both as US
    mean: float = ranged(0.0)  # mean latent capability (logit units, before standardising over the table)
    sd: float = ranged(0.5, 0.0)  # spread of latent capability within the group (logit units)
    release: list[float] = ranged([2025.0, 2026.0], within=YEAR)  # release dates: uniform in [from, to]
    slope: float = ranged(0.0)  # capability gained per year of release date (logit units); `mean` is the
    # capability at world.origin
    bend: float = ranged(0.0)  # slope added after world.origin (logit units per year): a group that speeds up
    # (or, negative, stalls) from then on


@dataclass
class SuiteConfig:
    """The benchmark suite of a simulated world."""

    categories: list[str] = field(default_factory=lambda: ["language", "math", "coding", "commonsense"])
    benchmarks_per_category: int = ranged(3, 1)  # benchmarks in each category
    items: list[int] = ranged([200, 2000], 1)  # test items per benchmark: uniform in [min, max]
    chance: dict[str, float] = ranged({}, 0.0, 1.0, open_high=True)  # chance floor per category (missing: 0)
    difficulty_mean: float = ranged(0.0)  # mean benchmark difficulty (logit units)
    difficulty_sd: float = ranged(1.0, 0.0)  # spread of benchmark difficulty (logit units)
    log_discrimination_mean: float = ranged(0.0)  # mean log-discrimination (a = 1 at 0)
    log_discrimination_sd: float = ranged(0.3, 0.0)  # spread of log-discrimination
    release: list[float] = ranged([2019.0, 2025.5], within=YEAR)  # release dates: uniform in [from, to]
    difficulty_slope: float = ranged(0.0)  # difficulty added per year of release date after world.origin (logit units):
    # newer benchmarks are harder
    public_after_release: bool = False  # a model is scored only on benchmarks released before it (true of real
    # leaderboards over time; every model keeps one score)


@dataclass
class NoiseConfig:
    """Per-cell variation of a simulated world beyond its capability curve: a persistent model x benchmark strength
    (part of what the model is, so part of its suite score), then at every measurement run-to-run noise and item
    sampling (part of no truth)."""

    interaction_sd: float = ranged(0.0, 0.0, 0.5, open_high=True)  # persistent cell deviation: sd at a score of 0.5
    run_sd: float = ranged(0.03, 0.0, 0.5, open_high=True)  # transient run and prompt noise: sd at a score of 0.5
    spread: float = ranged(0.0, 0.0, 2.0)  # per benchmark, both sds times exp(spread z), z ~ N(0, 1): heterogeneous
    # concentrations (0: every benchmark alike)
    missing_rate: float = ranged(0.0, 0.0, 1.0, open_high=True)  # share of (model, benchmark) cells left unreported


@dataclass
class DimensionWorld:
    """Capabilities per benchmark category (issue "the gap per capability"): each model's capability on a category is
    its general capability's deviation shrunk to correlation ``correlation`` plus an independent part, plus its
    group's offset on that category, plus a specialist's boost. At correlation 1 with no offsets or specialists every
    category reads one capability."""

    correlation: float = ranged(1.0, 0.0, 1.0)  # within a group, between any two categories' capabilities
    profiles: dict[str, dict[str, float]] = field(default_factory=dict)  # group -> category -> offset (logit
    # units), e.g. {China: {math: 0.3, coding: -0.3}}
    specialists: int = ranged(0, 0)  # models, drawn at random, with an extra capability on one category: genuine
    # specialists (a math-distilled model), whose high scores there are not contamination
    specialist_category: str = "math"  # the category the specialists are strong in
    specialist_boost: float = ranged(1.0, 0.0)  # logit units added to a specialist's capability on that category

    @property
    def active(self) -> bool:
        """Whether the categories' capabilities differ (correlation below 1, a group offset, or specialists)."""
        return self.correlation < 1.0 or bool(self.profiles) or self.specialists > 0


@dataclass
class WorldConfig:
    """A simulated world (``conf/world/``): groups of models, a benchmark suite and measurement noise."""

    name: str = "world"  # label in outputs
    groups: dict[str, GroupWorld] = field(default_factory=dict)  # group name -> its models
    a: str = "US"  # first group of the compared pair (gaps are a - b)
    b: str = "China"  # second group
    true_gap: float | None = ranged(
        None
    )  # if set, b's mean capability is a's minus this (logit units; not best vs best)
    suite: SuiteConfig = field(default_factory=SuiteConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    dimensions: DimensionWorld = field(default_factory=DimensionWorld)  # capabilities per category
    origin: float = ranged(2025.0, within=YEAR)  # the date (decimal year) at which group means and benchmark
    # difficulties hold; slopes act on the years since
