"""Reading leaderboard files (long or wide) into the one :class:`ScoreTable` the model reads, validated.

Everything that can be wrong with a user's file is caught here, in one place, as an :class:`InputError`
whose one-line message names the file, the line or column, and the fix.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.table.exports import read_export
from benchgap.table.metadata import MISSING_MARKERS, benchmark_info, model_groups, model_release
from benchgap.table.score_table import Covariates, ScoreTable

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


def read_table(cfg: DataConfig, *, group_by: str = "group") -> ScoreTable:
    """Read, validate and assemble the score table described by ``cfg`` (the ``data`` config group); ``group_by``
    (``gap.by``) names the column whose values are the groups compared."""
    path = Path(cfg.path) if cfg.path else None
    if path is None:
        raise InputError("data.path is not set; give a score file (data.path=FILE) or use the built-in demo")
    if cfg.scale <= 0:
        raise InputError(f"data.scale must be positive, got {cfg.scale}; use 1 for fractions, 100 for percentages")
    if path.suffix.lower() == ".json" or path.is_dir():
        long, published, where = read_export(path, cfg)
    else:
        frame, where = read_frame(path, "data.path")
        frame = _keep_rows(frame, cfg.rows, path)
        frame = frame.drop(columns=[c for c in frame.columns if c in set(cfg.drop)])
        long, published = _to_long(frame, path, where, cfg)
    models_meta = _model_metadata(cfg)
    bench_meta = _read_metadata(cfg.benchmarks, "data.benchmarks", id_column="benchmark") if cfg.benchmarks else None
    organizations = read_organizations(cfg.organizations) if cfg.organizations else None
    return _assemble(long, path, where, cfg, models_meta, bench_meta, published, (organizations, group_by))


def read_frame(path: Path, key: str) -> tuple[pd.DataFrame, str]:
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


def _keep_rows(frame: pd.DataFrame, rows: dict[str, str], path: Path) -> pd.DataFrame:
    """``data.rows``: only the rows whose column holds the given value (case ignored), without those columns."""
    for column, value in rows.items():
        if column not in frame.columns:
            raise InputError(
                f"data.rows: '{column}' is not a column of {path}; columns are {list(frame.columns)}; fix the key"
            )
        keep = frame[column].str.lower() == str(value).lower()
        if not keep.any():
            seen = sorted(set(frame[column]))[:5]
            raise InputError(f"data.rows: no row of {path} has {column}={value}; its values include {seen}")
        frame = frame[keep].drop(columns=[column])
    return frame


def read_organizations(path: str) -> dict[str, str]:
    """``data.organizations``: organization (matched without case) -> group."""
    frame, _ = read_frame(Path(path), "data.organizations")
    frame.columns = [c.lower() for c in frame.columns]
    if not {"organization", "group"} <= set(frame.columns):
        raise InputError(
            f"data.organizations: '{path}' needs the columns organization and group; it has {list(frame.columns)}"
        )
    return {o.lower(): g for o, g in zip(frame["organization"], frame["group"], strict=True) if g}


def row_name(where: str, index: int) -> str:
    """File position of data row ``index``: CSV line numbers count the header as line 1; otherwise ``where``
    (row, result) numbered from 1."""
    return f"line {index + 2}" if where == "line" else f"{where} {index + 1}"


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
    return f"{path}: {row_name(where, int(rows.iloc[i]))} ({_cell(frame, i)})"


def _model_metadata(cfg: DataConfig) -> pd.DataFrame | None:
    """``data.models`` and ``data.more_models`` merged by model: a later file's non-empty values win."""
    files = [("data.models", cfg.models)] if cfg.models else []
    files += [(f"data.more_models[{i}]", file) for i, file in enumerate(cfg.more_models)]
    merged = None
    for key, file in files:
        frame = _read_metadata(file, key, id_column="model").replace("", np.nan)
        merged = frame if merged is None else frame.combine_first(merged)
    return None if merged is None else merged.fillna("").astype(str)


def _read_metadata(file: str, key: str, *, id_column: str) -> pd.DataFrame:
    """A metadata file (models or benchmarks): one row per ``id_column`` value, lower-cased column names."""
    path = Path(file)
    frame, where = read_frame(path, key)
    frame.columns = [c.lower() for c in frame.columns]
    if id_column not in frame.columns:
        raise InputError(f"{key}: '{path}' has no '{id_column}' column; columns are {list(frame.columns)}")
    dup = frame[id_column].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{key}: '{path}' {row_name(where, int(frame.index[i]))}: {id_column} '{frame[id_column].iloc[i]}' "
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
    grouping: tuple[dict[str, str] | None, str] = (None, "group"),
) -> ScoreTable:
    long = long.reset_index(drop=True)
    long, score, rows = _scores(long, path, where, cfg)
    benchmarks = tuple(dict.fromkeys(long["benchmark"]))
    unknown = [b for b in cfg.held_out if b not in benchmarks]
    if unknown:
        raise InputError(
            f"data.held_out: '{unknown[0]}' is not a benchmark of {path}; check its spelling against the file's "
            f"benchmarks (e.g. '{benchmarks[0]}') or remove it"
        )
    bench_info = benchmark_info(long, path, benchmarks, bench_meta, cfg)
    n_items = _cell_items(long, rows, path, where, bench_info)
    _items_need_shares(long, n_items, benchmarks, bench_info, path)
    stderr = _stderr(long, rows, path, where, cfg)
    flip = long["benchmark"].map(dict(zip(benchmarks, bench_info["lower_is_better"], strict=True))).to_numpy(bool)
    score = np.where(flip, 1.0 - score, score)
    models = tuple(dict.fromkeys(long["model"].to_numpy()[np.argsort(rows.to_numpy(), kind="stable")]))
    models_file = cfg.models or ", ".join(cfg.more_models)
    groups = model_groups(long, models, models_meta, models_file, organizations=grouping[0], by=grouping[1])
    keep = _enough_scores(long, models, path, cfg)
    if not keep.all():
        long, score, n_items, stderr = long[keep], score[keep], n_items[keep], stderr[keep]
        groups = tuple(g for m, g in zip(models, groups, strict=True) if m in set(long["model"]))
        models = tuple(m for m in models if m in set(long["model"]))
    model_lookup = {m: i for i, m in enumerate(models)}
    return ScoreTable(
        models=models,
        groups=groups,
        benchmarks=benchmarks,
        categories=tuple(bench_info["category"]),
        chance=np.asarray(bench_info["chance"], dtype=float),
        listed_weight=np.asarray(bench_info["weight"], dtype=float),
        model_idx=long["model"].map(model_lookup).to_numpy(np.int64),
        bench_idx=long["benchmark"].map({b: i for i, b in enumerate(benchmarks)}).to_numpy(np.int64),
        score=score,
        n_items=n_items,
        stderr=stderr,
        source=str(path),
        published={m: v for m, v in published.items() if m in model_lookup},
        covariates=Covariates(
            model_release=model_release(long, models, models_meta, path, cfg.models),
            benchmark_release=np.asarray(bench_info["release"], dtype=float),
            optimized_for=np.asarray(bench_info["optimized_for"], dtype=float),
            held_out=np.asarray(bench_info["held_out"], dtype=bool) | np.isin(benchmarks, cfg.held_out),
        ),
        metric=tuple(bench_info["metric"]),
        proportion=np.asarray(bench_info["proportion"], dtype=bool),
    )


def _scores(long: pd.DataFrame, path: Path, where: str, cfg: DataConfig) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """The observed cells (missing scores dropped), their scores as fractions, and their file positions."""
    rows = long["_row"]
    empty_model = long["model"].astype(str).str.len() == 0
    if empty_model.any():
        i = int(empty_model.to_numpy().nonzero()[0][0])
        raise InputError(f"{path}: {row_name(where, int(rows.iloc[i]))}: the model name is empty; name every model")
    fix = "scores must be numbers; mark a missing cell with '-' or leave it empty"
    score = _parse_numbers(long["score"], rows, long, path, where, "score", fix)
    keep = ~np.isnan(score)
    long, score, rows = long[keep].reset_index(drop=True), score[keep], rows[keep].reset_index(drop=True)
    if long.empty:
        raise InputError(f"{path}: the table has no scores (every cell is missing); check the file and data.drop")
    dup = long.duplicated(subset=["model", "benchmark"], keep=False)
    if dup.any():
        first, second = dup.to_numpy().nonzero()[0][:2]
        raise InputError(
            f"{path}: {row_name(where, int(rows.iloc[first]))} and {row_name(where, int(rows.iloc[second]))} "
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
    return long, score, rows


def _stderr(long: pd.DataFrame, rows: pd.Series, path: Path, where: str, cfg: DataConfig) -> np.ndarray:
    """Each cell's reported standard error as a fraction (NaN where the table has none)."""
    if "stderr" not in long.columns:
        return np.full(len(long), np.nan)
    fix = "give a number or leave it empty"
    stderr = _parse_numbers(long["stderr"], rows, long, path, where, "stderr", fix) / cfg.scale
    bad = stderr <= 0
    if bad.any():
        i = int(bad.nonzero()[0][0])
        raise InputError(f"{_locate(path, where, rows, long, i)}: stderr must be positive")
    return stderr


def _enough_scores(long: pd.DataFrame, models: tuple[str, ...], path: Path, cfg: DataConfig) -> np.ndarray:
    """Per cell, whether its model has ``data.min_scores_per_model`` scores (models with fewer are left out)."""
    counts = long["model"].value_counts()
    too_few = [m for m in models if counts[m] < cfg.min_scores_per_model]
    if len(too_few) == len(models):
        raise InputError(f"{path}: no model has data.min_scores_per_model={cfg.min_scores_per_model} scores; lower it")
    return ~long["model"].isin(too_few).to_numpy()


def _items_need_shares(
    long: pd.DataFrame, n_items: np.ndarray, benchmarks: tuple[str, ...], bench_info: dict[str, list], path: Path
) -> None:
    """Item counts make a score a share of items: a benchmark marked ``proportion=false`` (F1, BLEU) cannot have any."""
    for benchmark, share, metric in zip(benchmarks, bench_info["proportion"], bench_info["metric"], strict=True):
        if not share and np.isfinite(n_items[(long["benchmark"] == benchmark).to_numpy()]).any():
            raise InputError(
                f"{path}: benchmark '{benchmark}' is marked proportion=false ({metric or 'not a share of items'}), "
                "but has item counts, which apply to shares of items only; remove its n_items or set proportion=true"
            )


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
