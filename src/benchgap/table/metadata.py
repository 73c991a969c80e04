"""What a table says about its models and benchmarks beyond the scores: groups, categories, chance floors,
directions, weights, item counts, release dates and the contamination flags.

Values come from the score table's own columns or from the metadata files (``data.models``, ``data.benchmarks``),
the files winning; every bad value is an :class:`InputError` naming the file, the benchmark or model, and the fix.
"""

import difflib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.table.score_table import UNKNOWN_GROUP

MISSING_MARKERS = frozenset({"", "-", "--", "na", "n/a", "nan", "none", "null", "?"})
BENCHMARK_COLUMNS = (
    *("category", "chance", "n_items", "higher_is_better", "weight", "optimized_for", "held_out"),
    *("metric", "proportion"),
)
BENCHMARK_RELEASE_COLUMNS = ("benchmark_release_date",)
MODEL_RELEASE_COLUMNS = ("model_release_date", "release_date")  # the first one present names a model's release
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


def first_per_key(long: pd.DataFrame, key: str, column: str) -> dict[str, str]:
    """First non-empty value of ``column`` for each ``key`` value in a long frame."""
    present = long[long[column].astype(str).str.len() > 0]
    return dict(present.groupby(key, sort=False)[column].first())


def model_groups(
    long: pd.DataFrame,
    models: Sequence[str],
    models_meta: pd.DataFrame | None,
    models_file: str | None,
    *,
    organizations: dict[str, str] | None = None,
    by: str = "group",
) -> tuple[str, ...]:
    """Each model's group: the table's ``group`` column, overridden by ``data.models``; for a model neither names,
    its organization's group in ``organizations`` (``data.organizations``, keys lower-cased); else ``Unknown``.
    ``by`` (``gap.by``) other than ``group``: that column of the table or of ``data.models`` instead."""
    if by != "group":
        return _column_groups(long, models, models_meta, by)
    if models_meta is not None and "group" not in models_meta.columns and not organizations:
        raise InputError(
            f"data.models: '{models_file}' has no 'group' column; add one (e.g. US, China) to compare groups"
        )
    groups = column_values(long, models, models_meta, "group")
    if organizations:
        orgs = column_values(long, models, models_meta, "organization")
        for m in models:
            if not groups.get(m) and orgs.get(m, "").lower() in organizations:
                groups[m] = organizations[orgs[m].lower()]
    return tuple(groups.get(m, UNKNOWN_GROUP) or UNKNOWN_GROUP for m in models)


def column_values(
    long: pd.DataFrame, models: Sequence[str], models_meta: pd.DataFrame | None, column: str
) -> dict[str, str]:
    """Per model the first non-empty value of ``column`` in the table, overridden by ``data.models``'s."""
    values = first_per_key(long, "model", column) if column in long.columns else {}
    if models_meta is not None and column in models_meta.columns:
        known = set(models)
        values |= {m: v for m, v in models_meta[column].astype(str).items() if m in known and v}
    return values


def _column_groups(
    long: pd.DataFrame, models: Sequence[str], models_meta: pd.DataFrame | None, by: str
) -> tuple[str, ...]:
    if by not in long.columns and (models_meta is None or by not in models_meta.columns):
        raise InputError(
            f"gap.by={by}: neither the score table nor data.models has a '{by}' column; add one, or use gap.by=group"
        )
    values = column_values(long, models, models_meta, by)
    return tuple(values.get(m, UNKNOWN_GROUP) or UNKNOWN_GROUP for m in models)


def flag_categories(long: pd.DataFrame, benchmarks: tuple[str, ...]) -> dict[str, str]:
    """Categories from flag columns ``is_<category>`` (Epoch's ``is_math``, ``is_coding``) when the table has no
    ``category`` column: a benchmark's first true flag names its category, and one with none is ``other``."""
    flags = [c for c in long.columns if c.startswith("is_") and len(c) > 3]
    if not flags or "category" in long.columns:
        return {}
    values = {c: first_per_key(long, "benchmark", c) for c in flags}
    out = {}
    for b in benchmarks:
        true = [c[3:] for c in flags if str(values[c].get(b, "")).strip().lower() in ("true", "1", "yes")]
        out[b] = true[0] if true else "other"
    return out


def benchmark_info(
    long: pd.DataFrame, path: Path, benchmarks: tuple[str, ...], bench_meta: pd.DataFrame | None, cfg: DataConfig
) -> dict[str, list]:
    """Per-benchmark category, chance floor, direction, custom weight, item count, release date, optimised-for and
    held-out flags (NaN or false when unknown)."""
    table_meta = {
        c: first_per_key(long, "benchmark", c)
        for c in (*BENCHMARK_COLUMNS, *BENCHMARK_RELEASE_COLUMNS)
        if c in long.columns
    }
    if bench_meta is not None:
        check_listed("data.benchmarks", cfg.benchmarks, list(bench_meta.index), benchmarks, "benchmark")
        bench_meta = bench_meta.rename(columns={"release_date": "benchmark_release_date"})
    info: dict[str, list] = {key: [] for key in BENCHMARK_INFO}
    flagged = flag_categories(long, benchmarks)
    for b in benchmarks:

        def value(column: str, b: str = b) -> tuple[str, str]:
            """The benchmark's value in the metadata file if given there, else in the table; and where from."""
            if bench_meta is not None and column in bench_meta.columns and b in bench_meta.index:
                text = str(bench_meta.at[b, column])
                if text.lower() not in MISSING_MARKERS:
                    return text, f"data.benchmarks: '{cfg.benchmarks}'"
            return str(table_meta.get(column, {}).get(b, "")), f"{path}: column '{column}'"

        info["category"].append(value("category")[0] or flagged.get(b) or "all")
        info["chance"].append(_meta_number(*value("chance"), b, "chance", 0.0, lo=0.0, hi=0.99))
        info["weight"].append(_meta_number(*value("weight"), b, "weight", np.nan, lo=0.0, hi=np.inf))
        info["n_items"].append(_meta_number(*value("n_items"), b, "n_items", np.nan, lo=1.0, hi=np.inf, whole=True))
        direction = _flag(*value("higher_is_better"), f"benchmark '{b}'", "higher_is_better")
        info["lower_is_better"].append(direction is False)
        info["release"].append(decimal_year(*value("benchmark_release_date"), f"benchmark '{b}'"))
        optimized = _flag(*value("optimized_for"), f"benchmark '{b}'", "optimized_for")
        info["optimized_for"].append(np.nan if optimized is None else float(optimized))
        info["held_out"].append(bool(_flag(*value("held_out"), f"benchmark '{b}'", "held_out")))
        info["metric"].append(value("metric")[0])
        share = _flag(*value("proportion"), f"benchmark '{b}'", "proportion")
        info["proportion"].append(share is not False)
    return info


BENCHMARK_INFO = (
    *("category", "chance", "lower_is_better", "weight", "n_items", "release", "optimized_for", "held_out"),
    *("metric", "proportion"),
)


def check_listed(key: str, file: str | None, listed: Sequence[str], present: Sequence[str], what: str) -> None:
    """A metadata file must not name a {what} the table lacks: a typo would drop its values without a word."""
    known = set(present)
    for name in listed:
        if name not in known:
            close = difflib.get_close_matches(str(name), list(present), n=3, cutoff=0.5)
            hint = f"closest: {', '.join(repr(c) for c in close)}" if close else f"e.g. '{present[0]}'"
            raise InputError(
                f"{key}: '{file}' names {what} '{name}', which the score table does not have ({hint}); "
                f"fix its spelling or remove its row"
            )


def _flag(text: str, origin: str, owner: str, column: str) -> bool | None:
    """A true/false metadata value; None when empty."""
    word = text.strip().lower()
    if word == "" or word in MISSING_MARKERS:
        return None
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise InputError(f"{origin}: {owner}: {column} must be true or false, got '{text}'")
    return word in TRUE_WORDS


def decimal_year(text: str, origin: str, owner: str) -> float:
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


def model_release(
    long: pd.DataFrame, models: Sequence[str], models_meta: pd.DataFrame | None, path: Path, models_file: str | None
) -> np.ndarray:
    """Each model's release date (decimal years): ``data.models`` first, then the table; NaN when unknown."""
    dates: dict[str, tuple[str, str]] = {}
    column = next((c for c in MODEL_RELEASE_COLUMNS if c in long.columns), None)
    if column is not None:
        dates = {m: (d, f"{path}: column '{column}'") for m, d in first_per_key(long, "model", column).items()}
    if models_meta is not None:
        meta_column = next((c for c in MODEL_RELEASE_COLUMNS if c in models_meta.columns), None)
        if meta_column is not None:
            origin = f"data.models: '{models_file}' column '{meta_column}'"
            dates |= {str(m): (str(d), origin) for m, d in models_meta[meta_column].items() if str(d)}
    return np.array([decimal_year(*dates.get(m, ("", "")), f"model '{m}'") for m in models])


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
