"""Score tables: reading leaderboard files (long or wide), validating them, and the table the model fits.

Everything that can be wrong with a user's file is caught here, in one place, as an :class:`InputError`
whose one-line message names the file, the line or column, and the fix.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.config import DataConfig
from benchgap.errors import InputError

MISSING_MARKERS = frozenset({"", "-", "--", "na", "n/a", "nan", "none", "null", "?"})
MODEL_METADATA = frozenset(
    {
        "group",
        "organization",
        "organisation",
        "org",
        "country",
        "developer",
        "release_date",
        "model_release_date",
        "eci",
        "source",
        "notes",
    }
)  # wide tables: text columns that describe models rather than hold scores
AGGREGATE_NAMES = frozenset({"helm_lite", "mean_win_rate", "mean win rate", "average", "avg", "mean", "overall"})
UNKNOWN_GROUP = "Unknown"


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
    custom_weight: np.ndarray  # per benchmark, NaN when not given
    model_idx: np.ndarray  # per cell
    bench_idx: np.ndarray  # per cell
    score: np.ndarray  # per cell
    n_items: np.ndarray  # per cell, NaN when unknown
    stderr: np.ndarray  # per cell, NaN when unknown
    source: str = "table"
    published: dict[str, float] = field(default_factory=dict)  # a published aggregate per model, if any
    covariates: Covariates | None = None  # release dates, optimised-for and held-out flags; None: none known

    @property
    def known_covariates(self) -> Covariates:
        """The table's covariates, all unknown when it has none."""
        return self.covariates or Covariates.unknown(self.n_models, self.n_benchmarks)

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
        lookup = {g: i for i, g in enumerate(self.group_names)}
        return np.array([lookup[g] for g in self.groups], dtype=np.int64)

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.categories))

    @property
    def category_idx(self) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.category_names)}
        return np.array([lookup[c] for c in self.categories], dtype=np.int64)

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
            custom_weight=self.custom_weight[benchmarks],
            model_idx=model_pos[self.model_idx[keep]],
            bench_idx=bench_pos[self.bench_idx[keep]],
            score=self.score[keep],
            n_items=self.n_items[keep],
            stderr=self.stderr[keep],
            source=self.source,
            published={name: value for name, value in self.published.items() if name in names},
            covariates=None if self.covariates is None else self.covariates.select(models, benchmarks),
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


def read_table(cfg: DataConfig) -> ScoreTable:
    """Read, validate and assemble the score table described by ``cfg`` (the ``data`` config group)."""
    path = Path(cfg.path) if cfg.path else None
    if path is None:
        raise InputError("data.path is not set; give a score file (data.path=FILE) or use the built-in demo")
    if cfg.scale <= 0:
        raise InputError(f"data.scale must be positive, got {cfg.scale}; use 1 for fractions, 100 for percentages")
    frame, where = _read_frame(path, "data.path")
    frame = frame.drop(columns=[c for c in frame.columns if c in set(cfg.drop)])
    long, published = _to_long(frame, path, where, cfg)
    models_meta = _read_metadata(cfg.models, "data.models", id_column="model") if cfg.models else None
    bench_meta = _read_metadata(cfg.benchmarks, "data.benchmarks", id_column="benchmark") if cfg.benchmarks else None
    return _assemble(long, path, where, cfg, models_meta, bench_meta, published)


def _read_frame(path: Path, key: str) -> tuple[pd.DataFrame, str]:
    """Read a CSV, TSV or Parquet file as text columns. Returns the frame and how rows are named."""
    if not path.exists():
        raise InputError(
            f"{key}: file '{path}' not found; check the path (relative paths start where you ran benchgap)"
        )
    if path.is_dir():
        raise InputError(f"{key}: '{path}' is a folder; give a CSV, TSV or Parquet file")
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".tsv", ".tab", ".txt"}:
            sep = "," if suffix == ".csv" else "\t"
            frame = pd.read_csv(
                path, sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False
            )
            first = pd.read_csv(path, sep=sep, dtype=str, header=None, nrows=1, keep_default_na=False)
            header = [str(c).strip() for c in first.iloc[0]]
            repeated = [c for i, c in enumerate(header) if c in header[:i]]
            if repeated:
                raise InputError(
                    f"{key}: '{path}' has the column '{repeated[0]}' twice; give every column its own name"
                )
            where = "line"
        elif suffix in {".parquet", ".pq"}:
            frame = pd.read_parquet(path).astype(object).where(lambda f: f.notna(), "").astype(str)
            where = "row"
        else:
            raise InputError(f"{key}: '{path}' has an unknown extension '{suffix}'; use .csv, .tsv or .parquet")
    except InputError:
        raise
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{key}: cannot read '{path}' as {suffix[1:].upper()} ({reason}); check the format") from None
    except Exception as err:  # pyarrow raises its own types for corrupt files
        raise InputError(f"{key}: cannot read '{path}' ({type(err).__name__}); check the format") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    frame = frame[frame.ne("").any(axis=1)]  # drop blank lines, keep the index as the file position
    if frame.empty:
        raise InputError(f"{key}: '{path}' holds no rows; it needs a header line and one row per model or score")
    return frame, where


def _row_name(where: str, index: int) -> str:
    """File position of data row ``index``: CSV line numbers count the header as line 1."""
    return f"line {index + 2}" if where == "line" else f"row {index + 1}"


def _lower_map(frame: pd.DataFrame) -> dict[str, str]:
    return {c.lower(): c for c in frame.columns}


def _to_long(frame: pd.DataFrame, path: Path, where: str, cfg: DataConfig) -> tuple[pd.DataFrame, dict[str, float]]:
    """Long frame with columns model, benchmark, score (text) and optional extras; plus a published aggregate."""
    cols = _lower_map(frame)
    if {"model", "benchmark", "score"} <= cols.keys():
        long = frame.rename(columns={v: k for k, v in cols.items()})
        long["_row"] = frame.index.to_numpy()
        return long, {}
    return _wide_to_long(frame, path, where, cfg)


def _wide_to_long(
    frame: pd.DataFrame, path: Path, where: str, cfg: DataConfig
) -> tuple[pd.DataFrame, dict[str, float]]:
    cols = _lower_map(frame)
    if cfg.model_column:
        if cfg.model_column not in frame.columns:
            raise InputError(
                f"{path}: data.model_column '{cfg.model_column}' is not a column; columns are {list(frame.columns)}"
            )
        model_col = cfg.model_column
    elif "model" in cols:
        model_col = cols["model"]
    else:
        text_cols = [c for c in frame.columns if not _numeric_like(frame[c])]
        if not text_cols:
            raise InputError(
                f"{path}: no model column; name it 'model' or set data.model_column=NAME "
                "(a long table needs columns model, benchmark, score)"
            )
        model_col = text_cols[0]
    aggregate = cfg.aggregate_column
    if aggregate is None:
        aggregate = next((c for c in frame.columns if c.lower() in AGGREGATE_NAMES), None)
    elif aggregate not in frame.columns:
        raise InputError(
            f"{path}: data.aggregate_column '{aggregate}' is not a column; columns are {list(frame.columns)}"
        )
    meta_cols = [c for c in frame.columns if c.lower() in MODEL_METADATA]
    bench_cols = [c for c in frame.columns if c not in {model_col, aggregate, *meta_cols}]
    if not bench_cols:
        raise InputError(
            f"{path}: no benchmark columns besides '{model_col}'; a wide table needs one numeric column per "
            "benchmark, a long table the columns model, benchmark, score"
        )
    published: dict[str, float] = {}
    if aggregate is not None:
        values = pd.to_numeric(frame[aggregate], errors="coerce")
        published = {m: float(v) for m, v in zip(frame[model_col], values, strict=True) if np.isfinite(v)}
    long = frame[[model_col, *meta_cols, *bench_cols]].copy()
    long["_row"] = frame.index.to_numpy()
    long = long.melt(id_vars=[model_col, *meta_cols, "_row"], var_name="benchmark", value_name="score")
    long = long.rename(columns={model_col: "model", **{c: c.lower() for c in meta_cols}})
    return long, published


def _numeric_like(col: pd.Series) -> bool:
    present = col[~col.str.lower().isin(MISSING_MARKERS)]
    return bool(len(present)) and bool(pd.to_numeric(present, errors="coerce").notna().all())


def _parse_numbers(
    values: pd.Series, rows: pd.Series, frame: pd.DataFrame, path: Path, where: str, what: str, fix: str
) -> np.ndarray:
    """Parse text to floats; missing markers become NaN; anything else is an error naming the row."""
    text = values.astype(str)
    missing = text.str.lower().isin(MISSING_MARKERS)
    parsed = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = parsed.isna() & ~missing
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise InputError(f"{_locate(path, where, rows, frame, i)}: {what} '{text.iloc[i]}' is not a number; {fix}")
    return parsed.to_numpy(dtype=float)


def _cell(frame: pd.DataFrame, i: int) -> str:
    return f"model '{frame['model'].iloc[i]}', benchmark '{frame['benchmark'].iloc[i]}'"


def _locate(path: Path, where: str, rows: pd.Series, frame: pd.DataFrame, i: int) -> str:
    """Where cell ``i`` of a long frame sits: ``file: line N (model 'X', benchmark 'Y')``."""
    return f"{path}: {_row_name(where, int(rows.iloc[i]))} ({_cell(frame, i)})"


def _read_metadata(file: str, key: str, *, id_column: str) -> pd.DataFrame:
    """A metadata file (models or benchmarks): one row per ``id_column`` value, lower-cased column names."""
    path = Path(file)
    frame, where = _read_frame(path, key)
    frame.columns = [c.lower() for c in frame.columns]
    if id_column not in frame.columns:
        raise InputError(f"{key}: '{path}' has no '{id_column}' column; columns are {list(frame.columns)}")
    dup = frame[id_column].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{key}: '{path}' {_row_name(where, int(frame.index[i]))}: {id_column} '{frame[id_column].iloc[i]}' "
            f"appears twice; keep one row per {id_column}"
        )
    return frame.set_index(id_column)


def _assemble(
    long: pd.DataFrame,
    path: Path,
    where: str,
    cfg: DataConfig,
    models_meta: pd.DataFrame | None,
    bench_meta: pd.DataFrame | None,
    published: dict[str, float],
) -> ScoreTable:
    long = long.reset_index(drop=True)
    rows = long["_row"]
    empty_model = long["model"].astype(str).str.len() == 0
    if empty_model.any():
        i = int(empty_model.to_numpy().nonzero()[0][0])
        raise InputError(f"{path}: {_row_name(where, int(rows.iloc[i]))}: the model name is empty; name every model")
    score = _parse_numbers(
        long["score"],
        rows,
        long,
        path,
        where,
        "score",
        "scores must be numbers; mark a missing cell with '-' or leave it empty",
    )
    keep = ~np.isnan(score)
    long, score, rows = long[keep].reset_index(drop=True), score[keep], rows[keep].reset_index(drop=True)
    if long.empty:
        raise InputError(f"{path}: the table has no scores (every cell is missing); check the file and data.drop")
    dup = long.duplicated(subset=["model", "benchmark"], keep=False)
    if dup.any():
        first, second = dup.to_numpy().nonzero()[0][:2]
        raise InputError(
            f"{path}: {_row_name(where, int(rows.iloc[first]))} and {_row_name(where, int(rows.iloc[second]))} "
            f"both score ({_cell(long, int(first))}); keep one row per model and benchmark"
        )
    score = score / cfg.scale
    out_of_range = (score < 0) | (score > 1)
    if out_of_range.any():
        i = int(out_of_range.nonzero()[0][0])
        hint = (
            "if the file holds percentages, set data.scale=100"
            if cfg.scale == 1 and score[i] > 1 and score.max() <= 100
            else "scores must be fractions in [0, 1] after dividing by data.scale"
        )
        raise InputError(
            f"{_locate(path, where, rows, long, i)}: score {score[i] * cfg.scale:g} "
            f"is outside [0, 1] (data.scale={cfg.scale:g}); {hint}"
        )

    benchmarks = tuple(dict.fromkeys(long["benchmark"]))
    unknown = [b for b in cfg.held_out if b not in benchmarks]
    if unknown:
        raise InputError(
            f"data.held_out: '{unknown[0]}' is not a benchmark of {path}; check its spelling against the file's "
            f"benchmarks (e.g. '{benchmarks[0]}') or remove it"
        )
    bench_info = _benchmark_info(long, rows, path, where, benchmarks, bench_meta, cfg)
    n_items = _cell_items(long, rows, path, where, bench_info)
    stderr = np.full(len(long), np.nan)
    if "stderr" in long.columns:
        stderr = (
            _parse_numbers(long["stderr"], rows, long, path, where, "stderr", "give a number or leave it empty")
            / cfg.scale
        )
        bad = stderr <= 0
        if bad.any():
            i = int(bad.nonzero()[0][0])
            raise InputError(f"{_locate(path, where, rows, long, i)}: stderr must be positive")
    flip = long["benchmark"].map(dict(zip(benchmarks, bench_info["lower_is_better"], strict=True))).to_numpy(bool)
    score = np.where(flip, 1.0 - score, score)

    models = tuple(dict.fromkeys(long["model"].to_numpy()[np.argsort(rows.to_numpy(), kind="stable")]))
    groups = _model_groups(long, models, models_meta, cfg.models)
    counts = long["model"].value_counts()
    too_few = [m for m in models if counts[m] < cfg.min_scores_per_model]
    if too_few:
        keep_rows = ~long["model"].isin(too_few).to_numpy()
        long, score, n_items, stderr = (
            long[keep_rows],
            score[keep_rows],
            n_items[keep_rows],
            stderr[keep_rows],
        )
        groups = tuple(g for m, g in zip(models, groups, strict=True) if m not in too_few)
        models = tuple(m for m in models if m not in too_few)
        if not models:
            raise InputError(
                f"{path}: no model has data.min_scores_per_model={cfg.min_scores_per_model} scores; lower it"
            )
    model_lookup = {m: i for i, m in enumerate(models)}
    bench_lookup = {b: i for i, b in enumerate(benchmarks)}
    return ScoreTable(
        models=models,
        groups=groups,
        benchmarks=benchmarks,
        categories=tuple(bench_info["category"]),
        chance=np.asarray(bench_info["chance"], dtype=float),
        custom_weight=np.asarray(bench_info["weight"], dtype=float),
        model_idx=long["model"].map(model_lookup).to_numpy(np.int64),
        bench_idx=long["benchmark"].map(bench_lookup).to_numpy(np.int64),
        score=score,
        n_items=n_items,
        stderr=stderr,
        source=str(path),
        published={m: v for m, v in published.items() if m in model_lookup},
        covariates=Covariates(
            model_release=_model_release(long, models, models_meta, path, cfg.models),
            benchmark_release=np.asarray(bench_info["release"], dtype=float),
            optimized_for=np.asarray(bench_info["optimized_for"], dtype=float),
            held_out=np.asarray(bench_info["held_out"], dtype=bool) | np.isin(benchmarks, cfg.held_out),
        ),
    )


def _first_per_key(long: pd.DataFrame, key: str, column: str) -> dict[str, str]:
    """First non-empty value of ``column`` for each ``key`` value in a long frame."""
    present = long[long[column].astype(str).str.len() > 0]
    return dict(present.groupby(key, sort=False)[column].first())


def _model_groups(
    long: pd.DataFrame, models: Sequence[str], models_meta: pd.DataFrame | None, models_file: str | None
) -> tuple[str, ...]:
    """Each model's group: the table's ``group`` column, overridden by ``data.models``; else ``Unknown``."""
    groups: dict[str, str] = {}
    if "group" in long.columns:
        groups = _first_per_key(long, "model", "group")
    if models_meta is not None:
        if "group" not in models_meta.columns:
            raise InputError(
                f"data.models: '{models_file}' has no 'group' column; add one (e.g. US, China) to compare groups"
            )
        meta_groups = models_meta["group"].astype(str)
        groups |= {m: g for m, g in meta_groups.items() if m in set(models) and g}
    return tuple(groups.get(m, UNKNOWN_GROUP) or UNKNOWN_GROUP for m in models)


def _benchmark_info(
    long: pd.DataFrame,
    rows: pd.Series,
    path: Path,
    where: str,
    benchmarks: tuple[str, ...],
    bench_meta: pd.DataFrame | None,
    cfg: DataConfig,
) -> dict[str, list]:
    """Per-benchmark category, chance floor, direction, custom weight, item count, release date, optimised-for and
    held-out flags (NaN or false when unknown)."""
    table_meta = {
        c: _first_per_key(long, "benchmark", c)
        for c in (*BENCHMARK_COLUMNS, *BENCHMARK_RELEASE_COLUMNS)
        if c in long.columns
    }
    if bench_meta is not None:
        bench_meta = bench_meta.rename(columns={"release_date": "benchmark_release_date"})
    info: dict[str, list] = {
        "category": [],
        "chance": [],
        "lower_is_better": [],
        "weight": [],
        "n_items": [],
        "release": [],
        "optimized_for": [],
        "held_out": [],
    }
    for b in benchmarks:

        def value(column: str, b: str = b) -> tuple[str, str]:
            """The benchmark's value in the metadata file if given there, else in the table; and where from."""
            if bench_meta is not None and column in bench_meta.columns and b in bench_meta.index:
                text = str(bench_meta.at[b, column])
                if text.lower() not in MISSING_MARKERS:
                    return text, f"data.benchmarks: '{cfg.benchmarks}'"
            return str(table_meta.get(column, {}).get(b, "")), f"{path}: column '{column}'"

        info["category"].append(value("category")[0] or "all")
        info["chance"].append(_meta_number(*value("chance"), b, "chance", 0.0, lo=0.0, hi=0.99))
        info["weight"].append(_meta_number(*value("weight"), b, "weight", np.nan, lo=0.0, hi=np.inf))
        n_items = _meta_number(*value("n_items"), b, "n_items", np.nan, lo=1.0, hi=np.inf, whole=True)
        info["n_items"].append(n_items)
        direction, origin = value("higher_is_better")
        direction = direction.lower()
        if direction not in {"", "true", "false", "1", "0", "yes", "no"}:
            raise InputError(f"{origin}: benchmark '{b}': higher_is_better must be true or false, got '{direction}'")
        info["lower_is_better"].append(direction in {"false", "0", "no"})
        info["release"].append(_decimal_year(*value("benchmark_release_date"), f"benchmark '{b}'"))
        optimized = _flag(*value("optimized_for"), f"benchmark '{b}'", "optimized_for")
        info["optimized_for"].append(np.nan if optimized is None else float(optimized))
        info["held_out"].append(bool(_flag(*value("held_out"), f"benchmark '{b}'", "held_out")))
    return info


BENCHMARK_COLUMNS = ("category", "chance", "n_items", "higher_is_better", "weight", "optimized_for", "held_out")
BENCHMARK_RELEASE_COLUMNS = ("benchmark_release_date",)
MODEL_RELEASE_COLUMNS = ("model_release_date", "release_date")  # the first one present names a model's release
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


def _flag(text: str, origin: str, owner: str, column: str) -> bool | None:
    """A true/false metadata value; None when empty."""
    word = text.strip().lower()
    if word == "" or word in MISSING_MARKERS:
        return None
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise InputError(f"{origin}: {owner}: {column} must be true or false, got '{text}'")
    return word in TRUE_WORDS


def _decimal_year(text: str, origin: str, owner: str) -> float:
    """A release date as a decimal year (2024-07-01 -> 2024.5); NaN when empty.

    Accepts ISO dates (2024-07-01, 2024/07/01) and decimal years (2024.5).
    """
    if text == "" or text.lower() in MISSING_MARKERS:
        return np.nan
    try:
        if not any(c.isdigit() for c in text):  # pandas reads words such as "now" or "today" as dates
            raise ValueError(text)
        year = float(text) if text.replace(".", "", 1).isdigit() else np.nan
        return year if 1900 <= year <= 2200 else _date_year(text)
    except ValueError:
        raise InputError(
            f"{origin}: {owner}: release date '{text}' is not a date; write it as YYYY-MM-DD or a decimal year"
        ) from None


def _date_year(text: str) -> float:
    stamp = pd.Timestamp(text.replace("/", "-"))
    start = pd.Timestamp(year=stamp.year, month=1, day=1)
    days = (pd.Timestamp(year=stamp.year + 1, month=1, day=1) - start).days
    return stamp.year + (stamp - start).days / days


def _model_release(
    long: pd.DataFrame, models: Sequence[str], models_meta: pd.DataFrame | None, path: Path, models_file: str | None
) -> np.ndarray:
    """Each model's release date (decimal years): ``data.models`` first, then the table; NaN when unknown."""
    dates: dict[str, tuple[str, str]] = {}
    column = next((c for c in MODEL_RELEASE_COLUMNS if c in long.columns), None)
    if column is not None:
        dates = {m: (d, f"{path}: column '{column}'") for m, d in _first_per_key(long, "model", column).items()}
    if models_meta is not None:
        meta_column = next((c for c in MODEL_RELEASE_COLUMNS if c in models_meta.columns), None)
        if meta_column is not None:
            origin = f"data.models: '{models_file}' column '{meta_column}'"
            dates |= {str(m): (str(d), origin) for m, d in models_meta[meta_column].items() if str(d)}
    return np.array([_decimal_year(*dates.get(m, ("", "")), f"model '{m}'") for m in models])


def _meta_number(
    text: str,
    origin: str,
    benchmark: str,
    column: str,
    default: float,
    *,
    lo: float,
    hi: float,
    whole: bool = False,
) -> float:
    """A per-benchmark number; ``origin`` names the file (and key or column) it came from, for messages."""
    if text == "" or text.lower() in MISSING_MARKERS:
        return default
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"{origin}: benchmark '{benchmark}': {column} '{text}' is not a number; write a number or leave it empty"
        ) from None
    if not lo <= value <= hi or (whole and value != round(value)):
        kind = "a whole number " if whole else ""
        raise InputError(
            f"{origin}: benchmark '{benchmark}': {column} {value:g} must be {kind}in [{lo:g}, {hi:g}]; fix it there"
        )
    return value


def _cell_items(long: pd.DataFrame, rows: pd.Series, path: Path, where: str, bench_info: dict[str, list]) -> np.ndarray:
    """Item count per cell: the cell's own ``n_items`` if the table has one, else its benchmark's."""
    per_bench = dict(zip(dict.fromkeys(long["benchmark"]), bench_info["n_items"], strict=True))
    items = long["benchmark"].map(per_bench).to_numpy(dtype=float)
    if "n_items" in long.columns:
        own = _parse_numbers(long["n_items"], rows, long, path, where, "n_items", "give a whole number of test items")
        items = np.where(np.isnan(own), items, own)
    bad = ~np.isnan(items) & ((items <= 0) | (items != np.round(items)))
    if bad.any():
        i = int(bad.nonzero()[0][0])
        raise InputError(
            f"{_locate(path, where, rows, long, i)}: n_items {items[i]:g} must be a positive whole number of test items"
        )
    return items
