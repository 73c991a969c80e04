"""What a sweep found, computed once from its files: the results table, sensitivity indices and breakdown points.

Reads the finished jobs' files only (``benchgap.jobs.report.sweep``); never fits.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchgap.estimators import Estimator
from benchgap.jobs.report.sweep import FINISHED, Sweep, replicate_values, results_table
from benchgap.sensitivity import (
    breakdown,
    complete_grid,
    design_breakdown,
    grid_indices,
    sobol_indices,
    surrogate_terms,
)

OUTPUTS = (  # sensitivity outputs: name, estimator, per-replicate column whose job mean is the output
    ("apparent gap", Estimator.composite.value, "estimate"),
    ("naive error", Estimator.composite.value, "error"),
    ("naive wrong-sign share", Estimator.composite.value, "sign_error"),
    ("model error", Estimator.bayes.value, "error"),
)
WHO = {Estimator.composite.value: "the naive headline", Estimator.bayes.value: "the Bayesian estimate"}
WEIGHT_CHANGE = "weight change (total variation)"


@dataclass(frozen=True)
class SweepAnalysis:
    """Everything the report says, computed once from the sweep's files."""

    sweep: Sweep
    results: pd.DataFrame  # one row per finished job x estimator
    sensitivity: pd.DataFrame  # one row per output x parameter
    breakdowns: pd.DataFrame  # one row per parameter x estimator x setting of the other parameters (or job)
    notes: list[str]  # analyses that could not run, or ran on part of the sweep, and why


def analyse(sweep: Sweep, *, flip_share: float, bootstrap: int, seed: int) -> SweepAnalysis:
    """Results table, sensitivity indices and breakdown points of a sweep."""
    results = results_table(sweep)
    notes: list[str] = []
    if results.empty:
        notes.append("No job finished: no indices or breakdown points.")
        return SweepAnalysis(sweep, results, pd.DataFrame(), pd.DataFrame(), notes)
    sensitivity = _sensitivity(sweep, results, notes, bootstrap=bootstrap, seed=seed)
    breakdowns = _breakdowns(sweep, results, notes, flip_share=flip_share)
    return SweepAnalysis(sweep, results, sensitivity, breakdowns, notes)


def varying(sweep: Sweep, results: pd.DataFrame) -> list[str]:
    """Swept parameters that take more than one value among the finished jobs."""
    return [p for p in sweep.swept if p in results and results[p].nunique() > 1]


def _sensitivity(sweep: Sweep, results: pd.DataFrame, notes: list[str], *, bootstrap: int, seed: int) -> pd.DataFrame:
    params = varying(sweep, results)
    if not params:
        notes.append("Sensitivity indices need finished jobs that differ in at least one swept parameter.")
        return pd.DataFrame()
    frames = []
    for output, estimator, column in OUTPUTS:
        rows = results[results["estimator"] == estimator].reset_index(drop=True)
        if rows.empty:
            continue
        if sweep.design is not None:
            frame = _sobol(sweep, output, estimator, column, notes, bootstrap=bootstrap, seed=seed)
            method = "Sobol (SALib, Saltelli design)"
        else:
            frame = _grid(sweep, rows, params, output, estimator, column, notes, bootstrap=bootstrap, seed=seed)
            method = "variance shares over the grid (ANOVA R^2)"
        if frame is not None:
            frames.append(frame.assign(output=output, method=method))
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["output", "parameter", *[c for c in table if c not in ("output", "parameter")]]]


def _grid(
    sweep: Sweep,
    rows: pd.DataFrame,
    params: list[str],
    output: str,
    estimator: str,
    column: str,
    notes: list[str],
    *,
    bootstrap: int,
    seed: int,
) -> pd.DataFrame | None:
    """Variance shares on the largest complete sub-grid (they need every combination of the swept values)."""
    keep, dropped = complete_grid(rows, params)
    part = rows[keep]
    varying = [p for p in params if part[p].nunique() > 1]
    if dropped:
        notes.append(
            f"Indices of the {output} use the complete part of the grid, without "
            f"{', '.join(dropped)}: variance shares need every combination of the swept values, and "
            f"{len(rows) - len(part)} finished job(s) fell outside it."
        )
    if not varying:
        notes.append(f"No complete grid of finished jobs is left for the {output}: no indices.")
        return None
    by_job = replicate_values(sweep, estimator=estimator, column=column)
    values = [by_job[job] for job in part["job"]]
    frame = grid_indices(part, params=varying, replicate_values=values, bootstrap=bootstrap, seed=seed)
    return frame.assign(jobs=len(part))


def _sobol(
    sweep: Sweep, output: str, estimator: str, column: str, notes: list[str], *, bootstrap: int, seed: int
) -> pd.DataFrame | None:
    design = sweep.design
    assert design is not None
    by_job = replicate_values(sweep, estimator=estimator, column=column)
    values = np.array(
        [
            by_job[job.name].mean() if job is not None and job.status == FINISHED and by_job[job.name].size else np.nan
            for job in sweep.point_jobs
        ]
    )
    missing = int(np.isnan(values).sum())
    if not missing and np.ptp(values) == 0:
        notes.append(f"The {output} is the same at every design point: no Sobol indices.")
        return None
    if missing:
        notes.append(
            f"Sobol indices of the {output} need all {len(values)} points of the design; {missing} have no result. "
            "Run the sweep's command again: finished jobs are skipped and the rest run."
        )
        return None
    return sobol_indices(design, values, resamples=bootstrap, seed=seed).assign(jobs=len(values))


def _breakdowns(sweep: Sweep, results: pd.DataFrame, notes: list[str], *, flip_share: float) -> pd.DataFrame:
    """Per numeric swept parameter and estimator, where the sign flips in ``flip_share`` of the worlds; and per
    job the median weight change that reverses the estimate (half the worlds reverse within it)."""
    frames = []
    params = varying(sweep, results)
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(results[p])]
    for estimator in WHO:
        rows = results[results["estimator"] == estimator]
        if rows.empty:
            continue
        if sweep.design is not None:
            if len(rows) < surrogate_terms(len(sweep.design.names)) + 3:
                notes.append(f"Too few finished design points for the breakdown surrogate of {WHO[estimator]}.")
                continue
            bounds = dict(zip(sweep.design.names, sweep.design.bounds, strict=True))
            frames.append(design_breakdown(rows, bounds=bounds, share=flip_share).assign(estimator=estimator))
            continue
        for param in numeric:
            others = [p for p in params if p != param]
            found = breakdown(rows, param=param, others=others, share=flip_share)
            frames.append(found.assign(estimator=estimator))
    weights = results[results["estimator"].isin(list(WHO))].dropna(subset=["flip_distance_median"])
    if not weights.empty:
        frames.append(
            pd.DataFrame(
                {
                    "parameter": WEIGHT_CHANGE,
                    "estimator": weights["estimator"].to_numpy(),
                    "job": weights["job"].to_numpy(),
                    "where": [setting_text(row, params) for _, row in weights.iterrows()],
                    "breakdown": weights["flip_distance_median"].to_numpy(float),
                }
            )
        )
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["parameter", "estimator", *[c for c in table if c not in ("parameter", "estimator")]]]


def setting_text(row: pd.Series, params: list[str]) -> str:
    return ", ".join(f"{p}={value_text(row[p])}" for p in params) or "all jobs"


def value_text(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
