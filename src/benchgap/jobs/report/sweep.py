"""A sweep folder of ``benchgap simulate -m ...``, read back: which jobs finished, failed or never ran, what each
swept, and every finished job's numbers as one table. Never fits or simulates; the one file it writes is a
Saltelli design's ``design.json`` (for the sweeper, before the jobs run).
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from benchgap.errors import InputError
from benchgap.estimators import Estimator
from benchgap.records.files import FAILED, RESULT, read_json
from benchgap.records.simulate_result import SimulateResult
from benchgap.sensitivity import DESIGN, Design, read_design

REPLICATES = "replicates.csv"
FINISHED, FAILED_STATUS, UNFINISHED, NOT_STARTED = "finished", "failed", "unfinished", "not started"
NOT_IN_DESIGN = "not in design"  # a finished job left from an earlier design in the same folder: not analysed
REPORT_DIR = "report"


@dataclass(frozen=True)
class Job:
    """One job of the sweep, as its folder tells it (``not started`` jobs have no folder)."""

    name: str  # folder name relative to the sweep (Hydra's job number by default)
    status: str  # finished | failed | unfinished | not started | not in design
    overrides: dict[str, str]  # the job's command-line overrides, key -> value as typed
    error: str | None = None  # failed: the error; unfinished: what is missing
    result: SimulateResult | None = None  # finished: result.json
    replicates: pd.DataFrame | None = None  # finished: replicates.csv


@dataclass(frozen=True)
class Sweep:
    path: Path
    jobs: list[Job]
    swept: list[str]  # override keys whose value differs between jobs (or the design's parameters)
    fixed: dict[str, str]  # overrides every job shares
    design: Design | None  # a Saltelli design (``experiment=sobol``), else None: a grid
    point_jobs: list[Job | None]  # with a design: the job (with a folder) that ran each design point

    def finished(self) -> list[Job]:
        return [j for j in self.jobs if j.status == FINISHED]

    def problems(self) -> list[Job]:
        return [j for j in self.jobs if j.status != FINISHED]


def read_sweep(sweep_dir: Path, *, expected: list[list[str]] | None = None) -> Sweep:
    """Every job folder under ``sweep_dir`` (a folder holding ``.hydra/overrides.yaml``), with its status.

    ``expected``: the override lists of every job the sweep's command launches (``benchgap.cli`` derives them
    from ``multirun.yaml``); jobs without a folder are then listed as ``not started``.
    """
    if not sweep_dir.is_dir():
        raise InputError(f"sweep_dir '{sweep_dir}' is not a folder; give the folder of a `benchgap simulate -m` run")
    marks = sweep_dir.rglob(".hydra/overrides.yaml")
    folders = sorted((m.parent.parent for m in marks if m.relative_to(sweep_dir).parts[0] != REPORT_DIR), key=_natural)
    if sweep_dir in folders:
        raise InputError(
            f"'{sweep_dir}' is a single run, not a sweep; report on the folder of a `benchgap simulate -m ...` run"
        )
    if not folders:
        raise InputError(
            f"no sweep jobs in '{sweep_dir}': expected job folders holding .hydra/overrides.yaml; give the folder "
            "that `benchgap simulate -m ...` printed (its hydra.sweep.dir)"
        )
    jobs = [_read_job(folder, sweep_dir) for folder in folders]
    design = read_design(sweep_dir / DESIGN)
    point_jobs = _point_jobs(jobs, design) if design is not None else []
    if design is not None:
        ran = {id(job) for job in point_jobs if job is not None}
        jobs = [
            job
            if id(job) in ran or job.status != FINISHED
            else dataclasses.replace(job, status=NOT_IN_DESIGN, error="its values are no point of design.json")
            for job in jobs
        ]
        for k, job in enumerate(point_jobs):
            if job is None:
                values = {n: repr(float(v)) for n, v in zip(design.names, design.points[k], strict=True)}
                jobs.append(Job(name=f"#{k}", status=NOT_STARTED, overrides=values, error="no job folder"))
    elif expected is not None:
        present = {frozenset(_pairs(j.overrides)) for j in jobs}
        for i, overrides in enumerate(expected):
            parsed = _parse_overrides(overrides)
            if frozenset(_pairs(parsed)) not in present:
                jobs.append(Job(name=f"#{i}", status=NOT_STARTED, overrides=parsed, error="no job folder"))
    if not any((f / name).exists() for f in folders for name in (RESULT, FAILED, "simulate.log")):
        raise InputError(
            f"'{sweep_dir}' holds no `benchgap simulate` jobs (no result.json, failed.json or simulate.log in them)"
        )
    keys = list(dict.fromkeys(k for j in jobs for k in j.overrides))
    varying = [k for k in keys if len({j.overrides.get(k) for j in jobs}) > 1]
    swept = design.names if design is not None else varying
    fixed = {k: jobs[0].overrides[k] for k in keys if k not in varying and k in jobs[0].overrides}
    return Sweep(path=sweep_dir, jobs=jobs, swept=swept, fixed=fixed, design=design, point_jobs=point_jobs)


def _point_jobs(jobs: list[Job], design: Design) -> list[Job | None]:
    """The job that ran each design point: its overrides hold the point's values (written with ``repr``, so they
    read back as the same floats)."""
    by_values = {}
    for job in jobs:
        values = tuple(parameter_value(job.overrides.get(name)) for name in design.names)
        if all(isinstance(v, float) for v in values):
            by_values[values] = job
    return [by_values.get(tuple(float(v) for v in point)) for point in design.points]


def _natural(path: Path) -> tuple[int, str]:
    """Job folders in numeric order (2 before 10)."""
    return (int(path.name), "") if path.name.isdigit() else (1 << 30, path.name)


def _read_job(folder: Path, sweep_dir: Path) -> Job:
    name = folder.relative_to(sweep_dir).as_posix()
    overrides = _parse_overrides(yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text()) or [])
    if (folder / RESULT).exists():
        try:
            result = SimulateResult.from_json(read_json(folder / RESULT))
            replicates = pd.read_csv(folder / REPLICATES)
        except (OSError, ValueError, KeyError, TypeError) as err:
            return Job(name, UNFINISHED, overrides, error=f"unreadable result: {err}")
        return Job(name, FINISHED, overrides, result=result, replicates=replicates)
    if (folder / FAILED).exists():
        try:
            error = read_json(folder / FAILED).get("error", "unknown error")
        except ValueError:
            error = "failed.json unreadable"
        return Job(name, FAILED_STATUS, overrides, error=error)
    return Job(name, UNFINISHED, overrides, error="no result.json or failed.json: still running, or stopped")


def _parse_overrides(overrides: list[str]) -> dict[str, str]:
    """``['+a.b=1', 'c=x']`` as ``{'a.b': '1', 'c': 'x'}``."""
    out = {}
    for text in overrides:
        key, _, value = str(text).partition("=")
        out[key.lstrip("+~")] = value
    return out


def _pairs(overrides: dict[str, str]) -> list[str]:
    return [f"{k}={v}" for k, v in overrides.items()]


def parameter_value(text: str | None) -> Any:
    """An override's value as a number when it is one; anything else (names, booleans) as text."""
    if text is None:
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else text


RESULT_COLUMNS = ["job", "estimator", "replicates", "mean_estimate", "mean_truth", "bias", "sign_error_rate"]


INFLATION_COLUMNS = (
    "auc_mean",
    "auc_min",
    "false_positive_rate",
    "detection_rate",
    "flagged_cells_mean",
    "specialist_false_positive_rate",
    "clean_cells",
)


def results_table(sweep: Sweep) -> pd.DataFrame:
    """One row per finished job x estimator: the swept parameters, the estimator's aggregates from
    ``result.json``, and from ``replicates.csv``: the spread of its estimates over replicate worlds, the share
    of worlds whose true gap favours group a, and the median over worlds of the weight change that reverses
    the estimate's sign (naive: the apparent gap; model: its posterior mean; a world that no reweighting flips
    counts as infinite, so the median is infinite when half the worlds cannot flip)."""
    rows = []
    flip_columns = {
        Estimator.composite.value: "flip_distance",
        Estimator.bayes.value: "model_flip_distance",
        Estimator.bayes_suite.value: "suite_flip_distance",
    }
    for job in sweep.finished():
        assert job.result is not None and job.replicates is not None
        params = {p: parameter_value(job.overrides.get(p)) for p in sweep.swept}
        world = job.result.parameters["world"]
        found = job.result.inflation  # model=contamination_aware: detection of the injected inflation
        detected = {} if found is None else {f"inflation_{k}": getattr(found, k) for k in INFLATION_COLUMNS}
        for estimator, summary in job.result.estimators.items():
            mine = job.replicates[job.replicates["estimator"] == estimator]
            flips = mine[flip_columns[estimator]] if flip_columns.get(estimator) in mine else None
            rows.append(
                {"job": job.name}
                | params
                | {"estimator": estimator}
                | flat_summary(summary.to_json())
                | {
                    "estimate_q05": float(mine["estimate"].quantile(0.05)),
                    "estimate_q95": float(mine["estimate"].quantile(0.95)),
                    "a": world["a"],
                    "b": world["b"],
                    "truth_a_ahead_share": float((mine["truth"] > 0).mean()),
                    "flip_distance_median": np.nan if flips is None else float(flips.fillna(np.inf).median()),
                }
                | (detected if Estimator(estimator).fitted else {})
            )
    return pd.DataFrame(rows, columns=None if rows else RESULT_COLUMNS)


def flat_summary(values: dict) -> dict:
    """An estimator's ``result.json`` entry as flat columns: its scoring against the suite truth as ``suite_*``."""
    suite = values.pop("suite", None) or {}
    return values | {f"suite_{name}": value for name, value in suite.items()}


def replicate_values(sweep: Sweep, *, estimator: str, column: str) -> dict[str, np.ndarray]:
    """Per finished job (by name), one estimator's per-replicate values of ``column``, in replicate order (empty
    when the job has no rows of that estimator)."""
    out = {}
    for job in sweep.finished():
        assert job.replicates is not None
        rows = job.replicates[job.replicates["estimator"] == estimator].sort_values("replicate")
        out[job.name] = rows[column].to_numpy(float)
    return out
