"""Arena data: published leaderboard ratings (one row per model and snapshot) and raw pairwise votes, validated.

An Arena rating is a Bradley-Terry strength on an Elo-like scale: 400 points are odds of 10 to 1, so a gap of ``d``
points means the higher model wins a head-to-head vote with probability ``1 / (1 + 10^(-d / 400))``. The scale's
zero is arbitrary (LMArena pins one model, Mixtral-8x7B, at 1114), so differences mean something and ratios do not.

A published rating with its 95% interval is read as a noisy measurement of the model's strength: its standard error
is the interval's half-width over 1.96, plus the rounding of the published integer (sd ``1 / sqrt(12)`` points), so
the anchor model's interval of zero width is a measurement with rounding error only. Votes (``model_a, model_b,
winner`` as in LMArena's public battle files) are counted per pair of models: wins of each side and ties.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.errors import InputError
from benchgap.table.metadata import MISSING_MARKERS
from benchgap.table.read import read_frame, row_name
from benchgap.table.score_table import UNKNOWN_GROUP

ELO_POINTS = 400 / np.log(10)  # rating points per unit of log-odds
ROUNDING_SD = 1 / np.sqrt(12)  # sd of a rating rounded to a whole point
Z95 = 1.959964  # half-width of a 95% normal interval in sds
RATING_COLUMNS = ("arena_score", "rating", "elo", "score")  # the rating column, first found
OUTCOMES = {"model_a": 0, "model_b": 1, "tie": 2, "tie (bothbad)": 2}  # LMArena's `winner` values


def comparison_steps(n_snapshots: int) -> list[tuple[int, int]]:
    """The snapshot pairs compared: each with the next, then (with more than two) the first with the last."""
    steps = [(t - 1, t) for t in range(1, n_snapshots)]
    return [*steps, (0, n_snapshots - 1)] if n_snapshots > 2 else steps


def win_probability(points: np.ndarray | float) -> np.ndarray:
    """P(the higher-rated model wins a head-to-head vote) for a rating gap in points: ``1 / (1 + 10^(-d / 400))``
    (with ties, the probability of winning a vote that is not a tie)."""
    return 1.0 / (1.0 + 10.0 ** (-np.asarray(points, dtype=float) / 400.0))


@dataclass(frozen=True)
class ArenaRatings:
    """Published Arena ratings, one row per (snapshot, model); snapshots in date order."""

    snapshots: tuple[str, ...]  # the snapshots (leaderboard dates), oldest first
    snapshot_idx: np.ndarray  # per row: index into ``snapshots``
    model: tuple[str, ...]  # per row
    group: tuple[str, ...]  # per row: the developer's country (or any grouping), ``Unknown`` where none is given
    organization: tuple[str, ...]  # per row, "" where not given
    rating: np.ndarray  # per row, points
    stderr: np.ndarray  # per row, points: the published 95% interval / 2 / 1.96, and the rating's rounding
    votes: np.ndarray  # per row, NaN where not given
    source: str

    @property
    def n_rows(self) -> int:
        return len(self.model)

    def rows_of(self, snapshot: int) -> np.ndarray:
        """The row indices of snapshot ``snapshot``."""
        return np.flatnonzero(self.snapshot_idx == snapshot)


@dataclass(frozen=True)
class ArenaVotes:
    """Pairwise votes counted per pair of models (``pair_a < pair_b``, indices into ``models``)."""

    models: tuple[str, ...]
    groups: tuple[str, ...]  # per model
    pair_a: np.ndarray  # per pair
    pair_b: np.ndarray
    wins_a: np.ndarray  # per pair: votes won by ``models[pair_a]``
    wins_b: np.ndarray
    ties: np.ndarray
    source: str

    @property
    def n_votes(self) -> int:
        return int(self.wins_a.sum() + self.wins_b.sum() + self.ties.sum())

    @property
    def group_names(self) -> tuple[str, ...]:
        """Groups in order of first appearance."""
        return tuple(dict.fromkeys(self.groups))


def read_ratings(
    path: str, *, models_file: str | None = None, key: str = "arena.ratings", by: str = "group"
) -> ArenaRatings:
    """Read a leaderboard of ratings: columns ``model``, a rating (``arena_score``, ``rating``, ``elo`` or ``score``),
    its 95% interval (``ci_plus`` and ``ci_minus``, or ``ci_lower`` and ``ci_upper``), optionally ``snapshot``,
    ``group``, ``organization``, ``license``, ``votes``; ``models_file`` (columns ``model, group``) sets or overrides
    groups. ``by`` (``gap.by``): what a group is, ``group``, ``weights`` (from ``license``) or another column."""
    frame, where = read_frame(Path(path), key)
    frame.columns = [c.lower() for c in frame.columns]
    if "model" not in frame.columns:
        raise InputError(f"{key}: '{path}' has no 'model' column; columns are {list(frame.columns)}")
    rating_col = next((c for c in RATING_COLUMNS if c in frame.columns), None)
    if rating_col is None:
        raise InputError(
            f"{key}: '{path}' has no rating column; name it one of {', '.join(RATING_COLUMNS)} (columns are "
            f"{list(frame.columns)})"
        )
    rating = _numbers(frame, rating_col, path, where, key)
    stderr = _rating_stderr(frame, rating, path, where, key)
    snapshot = frame["snapshot"] if "snapshot" in frame.columns else pd.Series(Path(path).stem, index=frame.index)
    _no_repeats(frame.assign(snapshot=snapshot), ["snapshot", "model"], path, where, key)
    snapshots = _in_date_order(tuple(dict.fromkeys(snapshot)))
    groups = _groups(frame, models_file) if by == "group" else _column_groups(frame, by, path)
    votes = _numbers(frame, "votes", path, where, key, allow_missing=True) if "votes" in frame.columns else None
    return ArenaRatings(
        snapshots=snapshots,
        snapshot_idx=snapshot.map({s: i for i, s in enumerate(snapshots)}).to_numpy(np.int64),
        model=tuple(frame["model"]),
        group=tuple(groups[m] for m in frame["model"]),
        organization=tuple(frame["organization"]) if "organization" in frame.columns else ("",) * len(frame),
        rating=rating,
        stderr=stderr,
        votes=votes if votes is not None else np.full(len(frame), np.nan),
        source=str(path),
    )


def _numbers(
    frame: pd.DataFrame, column: str, path: str, where: str, key: str, *, allow_missing: bool = False
) -> np.ndarray:
    """A column as floats; a missing or non-numeric value is an error naming its line (unless ``allow_missing``)."""
    text = frame[column].astype(str)
    missing = text.str.lower().isin(MISSING_MARKERS)
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = values.isna() & (~missing | (not allow_missing))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{key}: '{path}' {row_name(where, int(frame.index[i]))} (model '{frame['model'].iloc[i]}'): {column} "
            f"'{text.iloc[i]}' is not a number; give a number" + (" or leave it empty" if allow_missing else "")
        )
    return values.to_numpy(dtype=float)


def _rating_stderr(frame: pd.DataFrame, rating: np.ndarray, path: str, where: str, key: str) -> np.ndarray:
    """Each rating's standard error in points, from its published 95% interval, with the rating's rounding."""
    if {"ci_plus", "ci_minus"} <= set(frame.columns):
        plus, minus = (_numbers(frame, c, path, where, key) for c in ("ci_plus", "ci_minus"))
    elif {"ci_lower", "ci_upper"} <= set(frame.columns):
        lower, upper = (_numbers(frame, c, path, where, key) for c in ("ci_lower", "ci_upper"))
        plus, minus = upper - rating, rating - lower
    else:
        raise InputError(
            f"{key}: '{path}' has no 95% interval columns; give ci_plus and ci_minus (points above and below the "
            "rating) or ci_lower and ci_upper (the interval's bounds)"
        )
    negative = (plus < 0) | (minus < 0)
    if negative.any():
        i = int(negative.nonzero()[0][0])
        raise InputError(
            f"{key}: '{path}' {row_name(where, int(frame.index[i]))} (model '{frame['model'].iloc[i]}'): the 95% "
            f"interval ({rating[i] - minus[i]:g} to {rating[i] + plus[i]:g}) does not hold the rating {rating[i]:g}; "
            "ci_plus and ci_minus are distances from the rating and cannot be negative"
        )
    return np.sqrt(((plus + minus) / (2 * Z95)) ** 2 + ROUNDING_SD**2)


def _no_repeats(frame: pd.DataFrame, columns: list[str], path: str, where: str, key: str) -> None:
    repeated = frame.duplicated(subset=columns, keep=False)
    if repeated.any():
        first, second = repeated.to_numpy().nonzero()[0][:2]
        names = ", ".join(f"{c} '{frame[c].iloc[first]}'" for c in columns)
        raise InputError(
            f"{key}: '{path}' {row_name(where, int(frame.index[first]))} and "
            f"{row_name(where, int(frame.index[second]))} both rate {names}; keep one row per {' and '.join(columns)}"
        )


def _in_date_order(snapshots: tuple[str, ...]) -> tuple[str, ...]:
    """Snapshots sorted by date when every name is a date, else in the file's order."""
    dates = pd.to_datetime(pd.Series(snapshots), errors="coerce", format="ISO8601")
    if dates.isna().any():
        return snapshots
    return tuple(str(s) for s in np.asarray(snapshots)[np.argsort(dates.to_numpy(), kind="stable")])


def _groups(frame: pd.DataFrame, models_file: str | None, key: str = "arena.models") -> dict[str, str]:
    """Each model's group: the file's ``group`` column, overridden by ``models_file``; ``Unknown`` where neither."""
    groups = {m: UNKNOWN_GROUP for m in frame["model"]}
    if "group" in frame.columns:
        groups |= {m: g or UNKNOWN_GROUP for m, g in zip(frame["model"], frame["group"], strict=True)}
    if models_file:
        meta, _ = read_frame(Path(models_file), key)
        meta.columns = [c.lower() for c in meta.columns]
        if not {"model", "group"} <= set(meta.columns):
            raise InputError(f"{key}: '{models_file}' needs the columns model and group; it has {list(meta.columns)}")
        groups |= {m: g for m, g in zip(meta["model"], meta["group"], strict=True) if m in groups and g}
    return groups


def weights_of(license_text: str) -> str:
    """Open or closed weights from LMArena's ``license`` column: ``Proprietary`` (and its misspelling) is closed,
    any other named licence (Apache 2.0, Llama 3.1, CC-BY-NC-4.0, ...) open, none unknown."""
    text = license_text.strip().lower()
    if not text:
        return UNKNOWN_GROUP
    return "closed" if text.startswith(("propr", "propre")) else "open"


def _column_groups(frame: pd.DataFrame, by: str, path: str) -> dict[str, str]:
    """``gap.by``: each model's group from a column of the ratings file (``weights`` from ``license``)."""
    column = "license" if by == "weights" else by.lower()
    if column not in frame.columns:
        raise InputError(
            f"gap.by={by}: '{path}' has no '{column}' column (columns are {list(frame.columns)}); use gap.by=group "
            "or a column the file has"
        )
    values = frame[column].astype(str).map(weights_of) if by == "weights" else frame[column].astype(str)
    return {m: v or UNKNOWN_GROUP for m, v in zip(frame["model"], values, strict=True)}


def read_votes(
    path: str, *, models_file: str | None = None, anonymous_only: bool = True, key: str = "arena.votes"
) -> ArenaVotes:
    """Read pairwise votes in the shape of LMArena's battle files (JSON list, JSON lines, CSV or Parquet): columns
    ``model_a``, ``model_b`` and ``winner`` (model_a | model_b | tie | tie (bothbad)), or the one-hot
    ``winner_model_a``, ``winner_model_b``, ``winner_tie`` of the arena-human-preference sets. With an ``anony``
    column and ``anonymous_only``, only anonymous battles count (as on LMArena's leaderboard). Groups come from
    ``models_file`` (columns ``model, group``) or ``group_a``/``group_b`` columns."""
    frame, where = _read_battles(Path(path), key)
    frame.columns = [c.lower() for c in frame.columns]
    missing = {"model_a", "model_b"} - set(frame.columns)
    if missing:
        raise InputError(
            f"{key}: '{path}' has no column {sorted(missing)[0]}; a battle file needs model_a, model_b and winner "
            f"(columns are {list(frame.columns)})"
        )
    if anonymous_only and "anony" in frame.columns:
        frame = frame[frame["anony"].astype(str).str.lower().isin({"true", "1"})]
    outcome = _outcomes(frame, path, where, key)
    same = (frame["model_a"] == frame["model_b"]).to_numpy()
    if same.any():
        i = int(same.nonzero()[0][0])
        raise InputError(
            f"{key}: '{path}' {row_name(where, int(frame.index[i]))}: model '{frame['model_a'].iloc[i]}' is voted "
            "against itself; remove the row (a self-battle carries no information about strength)"
        )
    groups = _battle_groups(frame, models_file)
    return count_votes(frame["model_a"].to_numpy(), frame["model_b"].to_numpy(), outcome, groups, source=str(path))


def _read_battles(path: Path, key: str) -> tuple[pd.DataFrame, str]:
    if path.suffix.lower() not in {".json", ".jsonl"}:
        return read_frame(path, key)
    if not path.is_file():
        raise InputError(f"{key}: file '{path}' not found; check the path (relative to where you ran benchgap)")
    try:
        text = path.read_text()
        records = (
            [json.loads(line) for line in text.splitlines() if line.strip()]
            if path.suffix.lower() == ".jsonl"
            else json.loads(text)
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        reason = str(err).splitlines()[0]
        raise InputError(f"{key}: cannot read '{path}' as JSON ({reason}); check the format") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records) or not records:
        raise InputError(f"{key}: '{path}' is not a list of battle records ({{model_a, model_b, winner}} objects)")
    return pd.DataFrame.from_records(records).astype(str), "row"


def _outcomes(frame: pd.DataFrame, path: str, where: str, key: str) -> np.ndarray:
    """Per battle: 0 model_a won, 1 model_b won, 2 tie."""
    if "winner" in frame.columns:
        outcome = frame["winner"].astype(str).str.strip().str.lower().map(OUTCOMES)
        if outcome.isna().any():
            i = int(outcome.isna().to_numpy().nonzero()[0][0])
            raise InputError(
                f"{key}: '{path}' {row_name(where, int(frame.index[i]))}: winner '{frame['winner'].iloc[i]}' is not "
                f"one of {', '.join(OUTCOMES)}; fix the row or remove it"
            )
        return outcome.to_numpy(np.int64)
    one_hot = ["winner_model_a", "winner_model_b", "winner_tie"]
    if not set(one_hot) <= set(frame.columns):
        raise InputError(f"{key}: '{path}' has no winner column (or winner_model_a, winner_model_b, winner_tie)")
    flags = frame[one_hot].apply(pd.to_numeric, errors="coerce").to_numpy()
    bad = ~np.isin(flags, (0, 1)).all(axis=1) | (np.nan_to_num(flags).sum(axis=1) != 1)
    if bad.any():
        i = int(bad.nonzero()[0][0])
        raise InputError(
            f"{key}: '{path}' {row_name(where, int(frame.index[i]))}: exactly one of {', '.join(one_hot)} must be 1"
        )
    return flags.argmax(axis=1).astype(np.int64)


def _battle_groups(frame: pd.DataFrame, models_file: str | None) -> dict[str, str]:
    names = pd.concat([frame["model_a"], frame["model_b"]], ignore_index=True)
    per_model = pd.DataFrame({"model": names})
    if {"group_a", "group_b"} <= set(frame.columns):
        per_model["group"] = pd.concat([frame["group_a"], frame["group_b"]], ignore_index=True)
    return _groups(per_model.drop_duplicates("model"), models_file)


def count_votes(
    model_a: np.ndarray, model_b: np.ndarray, outcome: np.ndarray, groups: dict[str, str], *, source: str
) -> ArenaVotes:
    """Battles (names of both sides, outcome 0 a won / 1 b won / 2 tie) counted per unordered pair of models."""
    models = tuple(sorted(set(model_a) | set(model_b)))
    index = {m: i for i, m in enumerate(models)}
    a, b = np.array([index[m] for m in model_a]), np.array([index[m] for m in model_b])
    low, high = np.minimum(a, b), np.maximum(a, b)
    low_won = ((outcome == 0) & (a == low)) | ((outcome == 1) & (b == low))
    high_won = (outcome != 2) & ~low_won
    pairs, which = np.unique(low * len(models) + high, return_inverse=True)
    n = len(pairs)
    return ArenaVotes(
        models=models,
        groups=tuple(groups.get(m, UNKNOWN_GROUP) for m in models),
        pair_a=(pairs // len(models)).astype(np.int64),
        pair_b=(pairs % len(models)).astype(np.int64),
        wins_a=np.bincount(which, low_won, n).astype(np.int64),
        wins_b=np.bincount(which, high_won, n).astype(np.int64),
        ties=np.bincount(which, outcome == 2, n).astype(np.int64),
        source=source,
    )


@dataclass(frozen=True)
class RatingDrift:
    """How much the ratings of models rated in two snapshots moved between them, against their stated noise."""

    before: str
    after: str
    models: int  # models rated in both (names compared without case)
    rms_change: float  # points: root mean square change of their ratings, after removing the median (common) shift
    rms_stated: float  # points: what independent errors of the stated intervals would give, sqrt(mean(se1^2 + se2^2))


def rating_drift(ratings: ArenaRatings) -> list[RatingDrift]:
    """Consecutive snapshots, then (with more than two) the first against the last. An established model's rating
    moving far less than its interval allows means the snapshots share their errors (the votes are cumulative), so
    treating them as independent overstates the noise of a change: the change intervals are cautious."""
    out = []
    for old, new in comparison_steps(len(ratings.snapshots)):
        before = {ratings.model[i].lower(): i for i in ratings.rows_of(old)}
        after = {ratings.model[i].lower(): i for i in ratings.rows_of(new)}
        both = [(before[m], after[m]) for m in before if m in after]
        if len(both) < 2:
            continue
        first, second = (np.array(side) for side in zip(*both, strict=True))
        change = ratings.rating[second] - ratings.rating[first]
        change -= np.median(change)
        stated = np.square(ratings.stderr[first]) + np.square(ratings.stderr[second])
        out.append(
            RatingDrift(
                before=ratings.snapshots[old],
                after=ratings.snapshots[new],
                models=len(both),
                rms_change=float(np.sqrt(np.mean(np.square(change)))),
                rms_stated=float(np.sqrt(np.mean(stated))),
            )
        )
    return out
