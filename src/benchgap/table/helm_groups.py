"""HELM release files (``benchmark_output/releases/<version>/groups/<group>.json``, e.g. ``core_scenarios.json``) as
the long frame :func:`benchgap.table.read.read_table` assembles.

The file is a JSON list of the tables HELM's website shows (``summarize.py``'s ``Table``: ``title``, ``name``,
``header``, ``rows``), one per metric group (Accuracy, Efficiency, General information). A header cell names its
column (``value``), its direction (``lower_is_better``, absent when the column has none) and, for a metric column, the
scenario and metric (``metadata.run_group``, ``metadata.metric``). A row is one model: its display name, HELM's mean
win rate, then one cell per column, whose ``value`` is the mean over the runs merged into it and whose ``description``
ends with the count of those runs, ``(N)``. HELM drops every null field when writing, so a cell without runs has no
``value`` at all.
"""

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from benchgap.errors import InputError

log = logging.getLogger("benchgap")

MODEL_HEADERS = ("Model", "Model/adapter")  # HELM >= 0.5.5 writes "Model"; earlier releases "Model/adapter"
WIN_RATE_HEADER = "Mean win rate"
NOT_SHARES = re.compile(r"F1|BLEU|ROUGE|METEOR|BERTScore", re.IGNORECASE)  # metrics that are not shares of items
RUN_COUNT = re.compile(r"\((\d+)\)\s*$")


def is_helm_groups(data: Any) -> bool:
    """A parsed JSON value shaped like a HELM groups file: a list of tables with ``header`` and ``rows``."""
    tables = isinstance(data, list) and bool(data)
    return tables and all(isinstance(t, dict) and {"header", "rows"} <= t.keys() for t in data)


def helm_long(data: list[dict], path: Path, table: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """The cells of the table named ``table`` (``data.helm_table``; its ``name`` or ``title``, case ignored) as a long
    frame (model, benchmark, score and the benchmark's metric, direction and share flag), and HELM's mean win rate
    per model (the published aggregate benchgap checks its own against)."""
    chosen = _choose(data, path, table)
    header, rows = chosen["header"], chosen["rows"]
    title = chosen.get("title") or chosen.get("name") or table
    first = _field(header[0], "value") if header else None
    if first not in MODEL_HEADERS:
        raise InputError(
            f"{path}: table '{title}' starts with the column {first!r}, not one of {list(MODEL_HEADERS)}; "
            "give a HELM groups file as the website serves it (releases/<version>/groups/<group>.json)"
        )
    columns = _metric_columns(header, path, title)
    win_rate = next((i for i, h in enumerate(header) if _field(h, "value") == WIN_RATE_HEADER), None)
    records: list[dict[str, Any]] = []
    published: dict[str, float] = {}
    for r, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(header):
            size = len(row) if isinstance(row, list) else type(row).__name__
            raise InputError(
                f"{path}: table '{title}' row {r + 1} has {size} cells and the header {len(header)}; "
                "every row needs one cell per column"
            )
        model = str(_field(row[0], "value") or "")
        if win_rate is not None and isinstance(_field(row[win_rate], "value"), int | float):
            published[model] = float(_field(row[win_rate], "value"))
        for i, benchmark, meta in columns:
            cell = _cell(row[i], path, title, r)
            records.append({"model": model, "benchmark": benchmark, "_row": r, **meta, **cell})
    long = pd.DataFrame.from_records(records)
    _warn_partial_runs(long, path, title)
    return long.drop(columns=["runs"]), published


def _choose(data: list[dict], path: Path, table: str) -> dict:
    names = [str(t.get("name") or t.get("title") or "") for t in data]
    for t in data:
        if table.lower() in {str(t.get("name", "")).lower(), str(t.get("title", "")).lower()}:
            return t
    raise InputError(
        f"{path}: no table named '{table}' (data.helm_table); its tables are {names}: set data.helm_table to one"
    )


def _metric_columns(header: list, path: Path, title: str) -> list[tuple[int, str, dict[str, str]]]:
    """(position, benchmark name, benchmark metadata) of each column with a direction; the scenario's name when it
    has one metric in the table, else the header's ``"<scenario> - <metric>"``."""
    columns, skipped = [], []
    for i, cell in enumerate(header[1:], start=1):
        value, meta = str(_field(cell, "value")), _field(cell, "metadata") or {}
        if value == WIN_RATE_HEADER:
            continue
        if not isinstance(meta, dict) or "lower_is_better" not in cell:
            skipped.append(value)
            continue
        metric = str(meta.get("metric", ""))
        columns.append((i, str(meta.get("run_group") or value), value, metric, bool(cell["lower_is_better"])))
    if skipped:
        log.info("%s: table '%s': skipped the columns without a direction (not scores): %s", path, title, skipped)
    if not columns:
        raise InputError(
            f"{path}: table '{title}' has no score column (none states lower_is_better); read the table of "
            "accuracies, e.g. data.helm_table=accuracy"
        )
    scenarios = [c[1] for c in columns]
    return [
        (
            i,
            scenario if scenarios.count(scenario) == 1 else value,
            {
                "metric": metric,
                "higher_is_better": "false" if lower else "true",
                "proportion": "false" if NOT_SHARES.search(metric) else "",
            },
        )
        for i, scenario, value, metric, lower in columns
    ]


def _cell(cell: Any, path: Path, title: str, r: int) -> dict[str, str]:
    """A score cell as text: its value (empty when HELM had no runs) and its run count (empty when not stated)."""
    value = _field(cell, "value")
    if value is not None and not isinstance(value, int | float):
        raise InputError(
            f"{path}: table '{title}' row {r + 1}: the cell value {value!r} is not a number; HELM writes numbers "
            "or leaves the value out"
        )
    runs = RUN_COUNT.search(str(_field(cell, "description") or ""))
    return {"score": "" if value is None else repr(float(value)), "runs": runs.group(1) if runs else ""}


def _warn_partial_runs(long: pd.DataFrame, path: Path, title: str) -> None:
    """Cells whose mean merges fewer runs than most of their column's: HELM's value is then the mean over a subset
    (e.g. some of MMLU's subjects), not comparable with the others'."""
    runs = pd.to_numeric(long["runs"], errors="coerce")
    usual = runs.groupby(long["benchmark"]).transform(lambda r: r.mode().max() if r.notna().any() else float("nan"))
    partial = long[(runs < usual) & (long["score"] != "")]
    if not partial.empty:
        cells = [f"{m} on {b}" for m, b in zip(partial["model"], partial["benchmark"], strict=True)]
        log.warning(
            "%s: table '%s': %d cells average fewer runs than most of their column (a subset of the scenario): %s",
            path,
            title,
            len(cells),
            ", ".join(cells[:5]) + (" ..." if len(cells) > 5 else ""),
        )


def _field(cell: Any, key: str) -> Any:
    return cell.get(key) if isinstance(cell, dict) else None
