"""The sweep report's section on the gap per capability (jobs on worlds with ``world.dimensions``): per job, estimator
and category the true gap, the bias with its standard error, RMSE and 90% coverage; each estimator's coverage pooled
over every job and category with its exact binomial interval; and with ``loo=true`` how often PSIS-LOO preferred the
right dimensionality."""

import numpy as np
import pandas as pd

from benchgap.document import Block, Heading, Paragraph, Table
from benchgap.estimators import Estimator
from benchgap.jobs.report.analysis import value_text
from benchgap.jobs.report.sweep import Sweep
from benchgap.metrics import binomial_interval, coverage_text

PER_CATEGORY = (Estimator.composite_dimension, Estimator.bayes_dimension, Estimator.bayes_dimension_other)


def dimension_blocks(sweep: Sweep, params: list[str]) -> list[Block]:
    """The section, or nothing when no finished job had per-category rows."""
    frames = [
        job.replicates.assign(job=job.name, **{p: value_text(job.overrides.get(p, "(default)")) for p in params})
        for job in sweep.finished()
        if job.replicates is not None and "dimension" in job.replicates
    ]
    if not frames:
        return []
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["estimator"].isin([e.value for e in PER_CATEGORY])]
    models = _fitted_dimensionality(sweep)
    pooled = [
        _pooled_row(rows, estimator, models) for estimator in PER_CATEGORY if estimator.value in set(rows["estimator"])
    ]
    blocks: list[Block] = [
        Heading("The gap per capability"),
        Paragraph(
            "Each category's best-vs-best gap in mean score over its benchmarks, scored against the same functional "
            "of each world's expected scores (the capability truth). Naive: the observed category means with their "
            "binomial interval. Model: the configured fit, and with loo=true the fit with the other model.dimensions "
            "on the same worlds. Bias: mean error with its standard error, in score points x 100."
        ),
        Table(["estimator", "(job, category) pairs", "bias (se)", "RMSE", "90% coverage, pooled"], pooled),
        Table(
            ["job", *params, "estimator", "category", "worlds", "true mean", "bias (se)", "RMSE", "90% cov."],
            _job_rows(rows, params, models),
        ),
    ]
    loo = _dimensionality_rows(sweep, params)
    if loo:
        blocks += [
            Paragraph(
                "One number or several: in each world PSIS-LOO compared the one-dimensional and the per-category fit; "
                "clearly preferred means an ELPD difference over 4 and over twice its standard error, else neither. "
                "Right: the per-category fit in worlds whose categories differ."
            ),
            Table(
                [
                    "job",
                    *params,
                    "worlds",
                    "per-category",
                    "one-dimensional",
                    "neither",
                    "right (95% CI)",
                    "mean ELPD difference",
                ],
                loo,
            ),
        ]
    return blocks


def _fitted_dimensionality(sweep: Sweep) -> dict[str, tuple[str, str]]:
    """Per job: the model.dimensions of the configured fit and of the other (loo=true) fit."""
    out = {}
    for job in sweep.finished():
        assert job.result is not None
        mine = job.result.parameters["model"]["dimensions"]
        out[job.name] = (mine, "one" if mine == "categories" else "categories")
    return out


def _label(estimator: str, job: str, models: dict[str, tuple[str, str]]) -> str:
    if estimator == Estimator.composite_dimension.value:
        return "naive composite"
    mine, other = models[job]
    return f"model, dimensions={mine if estimator == Estimator.bayes_dimension.value else other}"


def _pooled_row(rows: pd.DataFrame, estimator: Estimator, models: dict[str, tuple[str, str]]) -> list[str]:
    mine = rows[rows["estimator"] == estimator.value]
    labels = sorted({_label(estimator.value, job, models) for job in mine["job"]})
    errors = mine["error"].to_numpy(float) * 100
    covered = mine["covered_90"].astype(float)
    return [
        " / ".join(labels),
        str(mine.groupby(["job", "dimension"]).ngroups),
        f"{errors.mean():+.2f} ({errors.std(ddof=1) / np.sqrt(errors.size):.2f})",
        f"{np.sqrt(np.mean(errors**2)):.2f}",
        coverage_text(float(covered.mean()), len(covered)).replace("worlds", "world-categories"),
    ]


def _job_rows(rows: pd.DataFrame, params: list[str], models: dict[str, tuple[str, str]]) -> list[list[str]]:
    out = []
    for (job, estimator, category), part in rows.groupby(["job", "estimator", "dimension"], sort=False):
        errors = part["error"].to_numpy(float) * 100
        out.append(
            [
                str(job),
                *[str(part[p].iloc[0]) for p in params],
                _label(str(estimator), str(job), models),
                str(category),
                str(len(part)),
                f"{part['truth'].mean() * 100:+.2f}",
                f"{errors.mean():+.2f} ({errors.std(ddof=1) / np.sqrt(errors.size):.2f})",
                f"{np.sqrt(np.mean(errors**2)):.2f}",
                f"{part['covered_90'].astype(float).mean():.2f}",
            ]
        )
    return out


def _dimensionality_rows(sweep: Sweep, params: list[str]) -> list[list[str]]:
    out = []
    for job in sweep.finished():
        assert job.result is not None
        found = job.result.dimensionality
        if found is None:
            continue
        low, high = binomial_interval(found.right_share, found.worlds)
        out.append(
            [
                job.name,
                *[value_text(job.overrides.get(p, "(default)")) for p in params],
                str(found.worlds),
                *(f"{found.preferred.get(k, 0.0):.2f}" for k in ("per-category", "one-dimensional", "neither")),
                f"{found.right_share:.2f} ({low:.2f} to {high:.2f})",
                f"{found.difference_mean:+.1f}",
            ]
        )
    return out
