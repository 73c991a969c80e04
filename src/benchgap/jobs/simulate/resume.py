"""Resuming a simulate job: which settings a stored result or a partial file belongs to, and the rows of the
replicates a stopped run finished."""

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from benchgap import __version__
from benchgap.config import ContaminationKind, ModelKind, SimulateConfig
from benchgap.estimators import estimators
from benchgap.records.files import RESULT, read_json, to_plain
from benchgap.records.simulate_result import SimulateResult

PARTIAL = ".replicates.partial.csv"  # rows of finished replicates while the job runs (resume point)
RUN_ONLY_SAMPLER_KEYS = ("cores", "progress")  # sampler settings that change how a fit runs, not its draws


def settings_key(cfg: SimulateConfig, *, rows_only: bool = False) -> str:
    """A short hash of every setting that can change a number, and of benchgap's version.

    A stored result counts only for the same key. Cores and the progress bar are left out, so a sweep started with
    one launcher can be resumed with another (joblib runs chains on one core). ``rows_only``: the key of the
    per-replicate rows, which do not depend on which replicates run (``only``) or on ``plots``.
    """
    settings = to_plain(cfg) | {"benchgap_version": __version__}
    for name in RUN_ONLY_SAMPLER_KEYS:
        settings["sampler"].pop(name)
    settings.pop("workers")  # where a replicate ran changes none of its numbers
    _drop_unused(settings)
    if rows_only:
        settings.pop("only")
        settings.pop("plots")
    text = json.dumps(settings, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _drop_unused(settings: dict[str, Any]) -> None:
    """Leave settings out of a key where they cannot change a number: the inflation prior of the plain model and
    the points of contamination other than ``cells`` (so adding them kept finished jobs' keys valid)."""
    if settings["model"]["kind"] == ModelKind.irt.value:
        settings["model"].pop("inflation")
        settings["model"].pop("kind")
    if settings["contamination"]["kind"] != ContaminationKind.cells.value:
        settings["contamination"].pop("points")
    if settings["contamination"]["kind"] == ContaminationKind.none.value:
        settings["contamination"] = {"kind": ContaminationKind.none.value}  # nothing else can change a number


def completed_result(out_dir: Path, key: str) -> SimulateResult | None:
    """The job folder's ``result.json`` if it is complete and was made with the same settings."""
    try:
        stored = read_json(out_dir / RESULT)
    except (OSError, ValueError):
        return None
    if stored.get("status") != "complete" or stored.get("settings_key") != key:
        return None
    return SimulateResult.from_json(stored)


def rows_per_replicate(cfg: SimulateConfig) -> int:
    """How many rows a finished replicate has: one per estimator the job scores (per category for the per-category
    ones)."""
    chosen = estimators(
        bayes=cfg.bayes, trend=cfg.trend.score, dimensions=cfg.world.dimensions.active, loo=cfg.bayes and cfg.loo
    )
    return sum(len(cfg.world.suite.categories) if e.per_dimension else 1 for e in chosen)


def finished_rows(partial: Path, *, per_replicate: int) -> pd.DataFrame:
    """Rows of the replicates a stopped run finished: complete ones only. A replicate whose rows a kill cut short
    (a last line without its newline, or fewer rows than estimators) is dropped and the file rewritten without it,
    so later appends stay aligned."""
    try:
        text = partial.read_text()
        text = text[: text.rfind("\n") + 1]  # a line without its newline was cut short
        rows = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], on_bad_lines="skip")
    except (FileNotFoundError, pd.errors.EmptyDataError, pd.errors.ParserError):
        partial.unlink(missing_ok=True)
        return pd.DataFrame()
    if not {"replicate", "estimate"} <= set(rows.columns):
        partial.unlink()
        return pd.DataFrame()
    estimate = pd.to_numeric(rows["estimate"], errors="coerce")
    whole = rows.assign(_ok=estimate.notna()).groupby("replicate")["_ok"].agg(["size", "all"])
    keep = whole.index[(whole["size"] == per_replicate) & whole["all"]]
    rows = rows[rows["replicate"].isin(keep)].reset_index(drop=True)
    if len(rows):
        temporary = partial.with_name(partial.name + ".tmp")
        rows.to_csv(temporary, index=False)
        os.replace(temporary, partial)
    else:
        partial.unlink()
    return rows
