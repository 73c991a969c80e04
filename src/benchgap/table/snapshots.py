"""Two or more leaderboard snapshots (``data.snapshots``) as one :class:`ScoreTable`: a model listed in several is
one model with one capability (the shared models link the snapshots' scales), and each snapshot's benchmarks are its
own (``MMLU @ 2024``), with their own difficulty, discrimination and noise, since a benchmark's scoring, prompts or
item set change between releases. Every file is read and checked as ``data.path`` would be."""

import dataclasses
from pathlib import Path

import numpy as np

from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.table.metadata import decimal_year
from benchgap.table.read import read_table
from benchgap.table.score_table import Covariates, ScoreTable


def read_snapshots(cfg: DataConfig) -> ScoreTable:
    """Read every file of ``data.snapshots`` and join them; labels are the file names without their suffix."""
    if cfg.path:
        raise InputError("data.path and data.snapshots are both set; give one table (data.path) or the snapshots")
    if len(cfg.snapshots) < 2:
        raise InputError(f"data.snapshots lists {len(cfg.snapshots)} file; a change needs two or more: add another")
    labels = [Path(p).stem for p in cfg.snapshots]
    if len(set(labels)) < len(labels):
        twice = next(label for label in labels if labels.count(label) > 1)
        raise InputError(f"data.snapshots: two files are named '{twice}'; give each snapshot its own file name")
    if cfg.snapshot_dates and len(cfg.snapshot_dates) != len(labels):
        raise InputError(
            f"data.snapshot_dates has {len(cfg.snapshot_dates)} dates for {len(labels)} snapshots; give one per file"
        )
    tables = [read_table(dataclasses.replace(cfg, path=p, snapshots=[])) for p in cfg.snapshots]
    for i, (label, table) in enumerate(zip(labels, tables, strict=True)):
        others = {m for j, t in enumerate(tables) if j != i for m in t.models}
        if not others & set(table.models):
            raise InputError(
                f"data.snapshots: {cfg.snapshots[i]} shares no model with the other snapshots, so nothing links its "
                "scale to theirs; add a model scored in both (same name), or fit it alone with data.path"
            )
        if cfg.snapshot_dates:
            _released_by(table, label, cfg.snapshots[i], cfg.snapshot_dates[i])
    return join(tables, labels)


def _released_by(table: ScoreTable, label: str, path: str, date: str) -> None:
    """A snapshot cannot list a model released after it."""
    when = decimal_year(date, "data.snapshot_dates", f"snapshot '{label}'")
    release = table.known_covariates.model_release
    late = np.flatnonzero(release > when + 1e-9)
    if late.size:
        model = table.models[late[0]]
        raise InputError(
            f"{path}: model '{model}' is dated {release[late[0]]:.2f}, after its snapshot's date {date}; correct the "
            "model's release date or data.snapshot_dates"
        )


def join(tables: list[ScoreTable], labels: list[str]) -> ScoreTable:
    """One table of every snapshot: models by name (group and release date from the first table listing them),
    benchmarks per snapshot, labelled ``benchmark @ snapshot``."""
    models = tuple(dict.fromkeys(m for t in tables for m in t.models))
    lookup = {m: i for i, m in enumerate(models)}
    groups: dict[str, str] = {}
    release = np.full(len(models), np.nan)
    for table, label in zip(tables, labels, strict=True):
        dates = table.known_covariates.model_release
        for model, group, date in zip(table.models, table.groups, dates, strict=True):
            if groups.setdefault(model, group) != group:
                raise InputError(
                    f"data.snapshots: model '{model}' is in group '{groups[model]}' in an earlier snapshot and "
                    f"'{group}' in '{label}'; make its group agree (a group column or data.models)"
                )
            if np.isnan(release[lookup[model]]):
                release[lookup[model]] = date
    offsets = np.cumsum([0] + [t.n_benchmarks for t in tables])
    covariates = [t.known_covariates for t in tables]

    def joined(field: str) -> np.ndarray:
        return np.concatenate([getattr(c, field) for c in covariates])

    return ScoreTable(
        models=models,
        groups=tuple(groups[m] for m in models),
        benchmarks=tuple(f"{b} @ {label}" for t, label in zip(tables, labels, strict=True) for b in t.benchmarks),
        categories=tuple(c for t in tables for c in t.categories),
        chance=np.concatenate([t.chance for t in tables]),
        listed_weight=np.concatenate([t.listed_weight for t in tables]),
        model_idx=np.concatenate(
            [np.array([lookup[t.models[i]] for i in t.model_idx], dtype=np.int64) for t in tables]
        ),
        bench_idx=np.concatenate([t.bench_idx + offset for t, offset in zip(tables, offsets, strict=False)]),
        score=np.concatenate([t.score for t in tables]),
        n_items=np.concatenate([t.n_items for t in tables]),
        stderr=np.concatenate([t.stderr for t in tables]),
        source="snapshots " + " + ".join(t.source for t in tables),
        covariates=Covariates(
            model_release=release,
            benchmark_release=joined("benchmark_release"),
            optimized_for=joined("optimized_for"),
            held_out=joined("held_out"),
        ),
        metric=tuple(m for t in tables for m in (t.metric or ("",) * t.n_benchmarks)),
        proportion=np.concatenate(
            [t.proportion if t.proportion is not None else np.ones(t.n_benchmarks, bool) for t in tables]
        ),
        snapshot=tuple(label for t, label in zip(tables, labels, strict=True) for _ in t.benchmarks),
    )
