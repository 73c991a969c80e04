"""Arena ratings joined to a score table (``data.arena``): which rated model is which model of the table.

A rated model matches a table model when an alias file (``data.aliases``, columns ``alias, model``) says so, or
when their names are equal once case, spaces and punctuation (but not ``+``) are ignored. Every rated model that
matches nothing is listed in the fit's summary (``arena_only``), as is every table model without a rating; none is
dropped silently.
"""

import dataclasses
import re
from pathlib import Path

import numpy as np

from benchgap.arena_data import read_ratings
from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.table.read import read_frame, row_name
from benchgap.table.score_table import RatingCells, ScoreTable

MIN_MATCHED = 5  # the link has an offset, a scale and a residual spread: a handful of matched models at the least


def plain_name(name: str) -> str:
    """A model name without case, spaces or punctuation: ``Claude 3 Opus`` and ``claude-3-opus`` agree. A plus
    stays: ``Command R+`` is another model than ``Command R``."""
    return re.sub(r"[^a-z0-9+]", "", name.lower())


def read_aliases(path: str, table: ScoreTable) -> dict[str, str]:
    """``data.aliases``: Arena name -> table model; each ``model`` must be a model of the table."""
    frame, where = read_frame(Path(path), "data.aliases")
    frame.columns = [c.lower() for c in frame.columns]
    if not {"alias", "model"} <= set(frame.columns):
        raise InputError(f"data.aliases: '{path}' needs the columns alias and model; it has {list(frame.columns)}")
    known = set(table.models)
    for i, (alias, model) in enumerate(zip(frame["alias"], frame["model"], strict=True)):
        if model not in known:
            raise InputError(
                f"data.aliases: '{path}' {row_name(where, int(frame.index[i]))}: model '{model}' (alias '{alias}') is "
                f"not a model of {table.source}; use the table's exact name (e.g. '{table.models[0]}') or drop the row"
            )
    repeated = frame["alias"].duplicated()
    if repeated.any():
        raise InputError(f"data.aliases: '{path}': alias '{frame['alias'][repeated].iloc[0]}' appears twice")
    return dict(zip(frame["alias"], frame["model"], strict=True))


def attach_ratings(table: ScoreTable, cfg: DataConfig) -> ScoreTable:
    """``table`` with the ratings of ``cfg.arena``'s snapshot ``cfg.arena_snapshot`` (the latest when unset)."""
    ratings = read_ratings(str(cfg.arena), key="data.arena")
    snapshot = cfg.arena_snapshot or ratings.snapshots[-1]
    if snapshot not in ratings.snapshots:
        raise InputError(
            f"data.arena_snapshot='{snapshot}' is not a snapshot of {cfg.arena}; its snapshots are "
            f"{', '.join(ratings.snapshots)}"
        )
    rows = ratings.rows_of(ratings.snapshots.index(snapshot))
    aliases = read_aliases(cfg.aliases, table) if cfg.aliases else {}
    by_plain = {plain_name(m): i for i, m in enumerate(table.models)}
    index = {m: i for i, m in enumerate(table.models)}
    matched, arena_only, model_idx, kept = [], [], [], []
    for row in rows:
        name = ratings.model[row]
        target = index.get(aliases[name]) if name in aliases else by_plain.get(plain_name(name))
        if target is None:
            arena_only.append(name)
            continue
        matched.append((name, table.models[target]))
        model_idx.append(target)
        kept.append(row)
    if len(set(model_idx)) != len(model_idx):
        twice = next(table.models[i] for i in model_idx if model_idx.count(i) > 1)
        names = [a for a, m in matched if m == twice]
        raise InputError(
            f"data.arena: the table's model '{twice}' is matched by two rated models ({', '.join(names)}); keep one "
            "alias per table model in data.aliases"
        )
    if len(matched) < MIN_MATCHED:
        raise InputError(
            f"data.arena: only {len(matched)} of the {len(rows)} models rated in snapshot {snapshot} match a model of "
            f"{table.source}; the rating link needs at least {MIN_MATCHED}: give data.aliases=FILE (columns alias, "
            "model) naming each rated model's name in the table"
        )
    kept_rows = np.asarray(kept)
    cells = RatingCells(
        source=str(cfg.arena),
        snapshot=snapshot,
        model_idx=np.asarray(model_idx, dtype=np.int64),
        rating=ratings.rating[kept_rows],
        stderr=ratings.stderr[kept_rows],
        matched=tuple(matched),
        arena_only=tuple(arena_only),
        table_only=tuple(m for i, m in enumerate(table.models) if i not in set(model_idx)),
    )
    return dataclasses.replace(table, ratings=cells)
