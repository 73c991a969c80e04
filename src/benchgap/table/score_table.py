"""The score table the model reads: observed (model, benchmark) cells with what is known about each.

Every source (long or wide files, simulated worlds) becomes one :class:`ScoreTable`; release dates, categories and
groups are fields of it, not separate paths through the code.
"""

from dataclasses import dataclass, field

import numpy as np

UNKNOWN_GROUP = "Unknown"  # the group of a model that no column or metadata file names


@dataclass(frozen=True)
class Covariates:
    """What a table says about contamination risk (``model=contamination_aware`` reads it); NaN where unknown.

    A benchmark released after a model cannot be in its training data, and a held-out benchmark (private test
    set) cannot leak; older and optimised-for benchmarks are likelier to have leaked.
    """

    model_release: np.ndarray  # per model, decimal years
    benchmark_release: np.ndarray  # per benchmark, decimal years
    optimized_for: np.ndarray  # per benchmark: 1 when developers optimise for it (Epoch's flag), 0 when not
    held_out: np.ndarray  # per benchmark, bool: a private or fresh test set that cannot have leaked

    @classmethod
    def unknown(cls, n_models: int, n_benchmarks: int) -> "Covariates":
        return cls(
            model_release=np.full(n_models, np.nan),
            benchmark_release=np.full(n_benchmarks, np.nan),
            optimized_for=np.full(n_benchmarks, np.nan),
            held_out=np.zeros(n_benchmarks, dtype=bool),
        )

    def select(self, models: np.ndarray, benchmarks: np.ndarray) -> "Covariates":
        return Covariates(
            model_release=self.model_release[models],
            benchmark_release=self.benchmark_release[benchmarks],
            optimized_for=self.optimized_for[benchmarks],
            held_out=self.held_out[benchmarks],
        )


@dataclass(frozen=True)
class RatingCells:
    """Arena ratings of the table's models (one leaderboard snapshot, ``data.arena``): a second measurement of the
    same capability, linked to it by a per-source offset and scale (``benchgap.rating_link``)."""

    source: str  # the ratings file
    snapshot: str  # the snapshot used
    model_idx: np.ndarray  # per rating: the table's model it measures
    rating: np.ndarray  # points
    stderr: np.ndarray  # points (the published 95% interval's half-width / 1.96, and the rating's rounding)
    matched: tuple[tuple[str, str], ...]  # (name on the Arena, name in the table), by alias file or by equal names
    arena_only: tuple[str, ...]  # rated models that match no model of the table: not fitted, listed
    table_only: tuple[str, ...]  # models of the table with no rating in the snapshot

    def select(self, model_pos: np.ndarray) -> "RatingCells":
        """The ratings of the kept models, ``model_pos`` mapping each old model index to its new one (-1: dropped)."""
        keep = model_pos[self.model_idx] >= 0
        return RatingCells(
            self.source,
            self.snapshot,
            model_pos[self.model_idx[keep]],
            self.rating[keep],
            self.stderr[keep],
            self.matched,
            self.arena_only,
            self.table_only,
        )


@dataclass(frozen=True)
class ScoreTable:
    """Observed benchmark scores of models, one entry per observed (model, benchmark) cell.

    Scores are proportions in [0, 1] where higher is better (lower-is-better benchmarks are flipped on
    reading). Missing cells are simply absent. ``n_items`` and ``stderr`` are NaN where unknown.
    """

    models: tuple[str, ...]
    groups: tuple[str, ...]  # one per model
    benchmarks: tuple[str, ...]
    categories: tuple[str, ...]  # one per benchmark
    chance: np.ndarray  # chance floor per benchmark (0 = free response)
    listed_weight: np.ndarray  # per benchmark: the `weight` column of data.benchmarks, NaN when not given
    model_idx: np.ndarray  # per cell
    bench_idx: np.ndarray  # per cell
    score: np.ndarray  # per cell
    n_items: np.ndarray  # per cell, NaN when unknown
    stderr: np.ndarray  # per cell, NaN when unknown
    source: str = "table"
    published: dict[str, float] = field(default_factory=dict)  # a published aggregate per model, if any
    covariates: Covariates | None = None  # release dates, optimised-for and held-out flags; None: none known
    metric: tuple[str, ...] = ()  # per benchmark: what its score is (e.g. "F1", "BLEU-4"); empty: not given
    proportion: np.ndarray | None = None  # per benchmark: whether its score is a share of items; None: all are
    snapshot: tuple[str, ...] = ()  # per benchmark: the snapshot (leaderboard release) it belongs to; empty: one table
    ratings: RatingCells | None = None  # Arena ratings of some of the models (data.arena); None: none

    @property
    def snapshot_names(self) -> tuple[str, ...]:
        """The snapshots in order of first appearance (empty for a single table)."""
        return tuple(dict.fromkeys(self.snapshot))

    def in_snapshot(self, name: str) -> np.ndarray:
        """Per model, whether it has a score on a benchmark of snapshot ``name``."""
        benches = np.asarray(self.snapshot) == name
        return np.bincount(self.model_idx[benches[self.bench_idx]], minlength=self.n_models) > 0

    @property
    def not_shares(self) -> dict[str, str]:
        """The benchmarks whose scores are not shares of items (F1, BLEU...), with their metric."""
        if self.proportion is None:
            return {}
        metrics = self.metric or ("",) * self.n_benchmarks
        pairs = zip(self.benchmarks, metrics, self.proportion, strict=True)
        return {b: m or "not a share of items" for b, m, share in pairs if not share}

    @property
    def known_covariates(self) -> Covariates:
        """The table's covariates, all unknown when it has none."""
        return self.covariates or Covariates.unknown(self.n_models, self.n_benchmarks)

    @property
    def centred_release_years(self) -> np.ndarray:
        """Per model, its release in years from the mean over the dated models; 0 where a model has no date."""
        release = self.known_covariates.model_release
        dated = np.isfinite(release)
        return np.where(dated, release - release[dated].mean(), 0.0) if dated.any() else np.zeros(self.n_models)

    @property
    def n_models(self) -> int:
        return len(self.models)

    @property
    def n_benchmarks(self) -> int:
        return len(self.benchmarks)

    @property
    def n_cells(self) -> int:
        return int(self.score.size)

    @property
    def n_missing(self) -> int:
        return self.n_models * self.n_benchmarks - self.n_cells

    @property
    def group_names(self) -> tuple[str, ...]:
        """Groups in order of first appearance."""
        return tuple(dict.fromkeys(self.groups))

    @property
    def group_idx(self) -> np.ndarray:
        """Per model, its group's position in ``group_names``."""
        return _positions(self.groups)

    @property
    def category_names(self) -> tuple[str, ...]:
        """Categories in order of first appearance."""
        return tuple(dict.fromkeys(self.categories))

    @property
    def category_idx(self) -> np.ndarray:
        """Per benchmark, its category's position in ``category_names``."""
        return _positions(self.categories)

    def matrix(self, values: np.ndarray | None = None) -> np.ndarray:
        """Models x benchmarks array of ``values`` (default: scores), NaN where missing."""
        out = np.full((self.n_models, self.n_benchmarks), np.nan)
        out[self.model_idx, self.bench_idx] = self.score if values is None else values
        return out

    def select(self, models: np.ndarray, benchmarks: np.ndarray) -> "ScoreTable":
        """The sub-table of the given model and benchmark indices (in that order), with their observed cells."""
        models, benchmarks = np.asarray(models), np.asarray(benchmarks)
        model_pos = np.full(self.n_models, -1)
        model_pos[models] = np.arange(models.size)
        bench_pos = np.full(self.n_benchmarks, -1)
        bench_pos[benchmarks] = np.arange(benchmarks.size)
        keep = (model_pos[self.model_idx] >= 0) & (bench_pos[self.bench_idx] >= 0)
        names = tuple(self.models[i] for i in models)
        return ScoreTable(
            models=names,
            groups=tuple(self.groups[i] for i in models),
            benchmarks=tuple(self.benchmarks[j] for j in benchmarks),
            categories=tuple(self.categories[j] for j in benchmarks),
            chance=self.chance[benchmarks],
            listed_weight=self.listed_weight[benchmarks],
            model_idx=model_pos[self.model_idx[keep]],
            bench_idx=bench_pos[self.bench_idx[keep]],
            score=self.score[keep],
            n_items=self.n_items[keep],
            stderr=self.stderr[keep],
            source=self.source,
            published={name: value for name, value in self.published.items() if name in names},
            covariates=None if self.covariates is None else self.covariates.select(models, benchmarks),
            metric=tuple(self.metric[j] for j in benchmarks) if self.metric else (),
            proportion=None if self.proportion is None else self.proportion[benchmarks],
            snapshot=tuple(self.snapshot[j] for j in benchmarks) if self.snapshot else (),
            ratings=None if self.ratings is None else self.ratings.select(model_pos),
        )

    def group_counts(self) -> dict[str, int]:
        return {g: self.groups.count(g) for g in self.group_names}


@dataclass(frozen=True)
class CellSplit:
    """Observed cells split by measurement model (index arrays into the table's cells)."""

    counts: np.ndarray  # n_items known, no stderr
    stderr: np.ndarray  # stderr given
    plain: np.ndarray  # neither

    @classmethod
    def of(cls, table: ScoreTable) -> "CellSplit":
        has_se = np.isfinite(table.stderr)
        has_n = np.isfinite(table.n_items) & ~has_se
        return cls(
            counts=np.flatnonzero(has_n),
            stderr=np.flatnonzero(has_se),
            plain=np.flatnonzero(~has_se & ~has_n),
        )


def _positions(labels: tuple[str, ...]) -> np.ndarray:
    """Each label's position among the distinct labels in order of first appearance."""
    lookup = {label: i for i, label in enumerate(dict.fromkeys(labels))}
    return np.array([lookup[label] for label in labels], dtype=np.int64)
