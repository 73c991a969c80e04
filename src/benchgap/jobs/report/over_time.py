"""The sweep report's section on the gap over time (jobs run with ``trend.score=true``): per job and estimand, the
truth, the estimate's bias with its standard error, RMSE and 90% coverage (inclusive and with ties split), and the
reliability of P(closing) pooled over the jobs."""

import numpy as np
import pandas as pd

from benchgap.document import Block, Heading, Paragraph, Table
from benchgap.estimators import Estimator, Scale
from benchgap.jobs.report.analysis import value_text
from benchgap.jobs.report.sweep import Job, Sweep
from benchgap.metrics import reliability_rows

UNITS = {Scale.months: "months", Scale.latent_change: "sd", Scale.score_change: "points"}


def trend_blocks(sweep: Sweep, params: list[str]) -> list[Block]:
    """The section, or nothing when no finished job scored the gap over time."""
    rows = [row for job in sweep.finished() for row in _job_rows(job, params)]
    if not rows:
        return []
    a, b = (sweep.finished()[0].result.parameters["world"][k] for k in ("a", "b"))  # type: ignore[union-attr]
    header = ["job", *params, "estimand", "worlds", "true mean", "bias (se)", "RMSE", "90% cov.", "ties split", "conv."]
    blocks: list[Block] = [Heading("The gap over time"), Paragraph(_verdict(rows, b), strong=True)]
    blocks.append(
        Paragraph(
            f"Each estimand is scored against the same functional of each world's true capabilities over the window "
            f"the fit uses: the lag is the months since {a} first reached {b}'s frontier, averaged over the window "
            "(Epoch's estimand) or at its end; the gap change is the frontier gap at the end minus the start. Naive: "
            "the frontiers of the observed weighted composites (no interval). Bias: mean error over worlds with its "
            "standard error. 90% cov.: the share of worlds whose 90% interval holds the truth, a truth at an end "
            "counted inside (a lag takes few values); ties split: the same with such ties split at random (the "
            "randomized PIT), the figure to hold against 0.90. Score changes are in composite-score points x 100."
        )
    )
    blocks.append(Table(header, [row["cells"] for row in rows]))
    reliability = _pooled_reliability(sweep)
    if reliability:
        blocks += [
            Paragraph(
                f"P(closing) against what happened, pooled over the jobs: worlds binned by the model's probability "
                f"that {b}'s lag shrinks over the window, each bin's mean probability against the share of worlds "
                "whose true lag shrank, with its exact binomial 95% interval. Calibrated: the mean probability inside "
                "the interval."
            ),
            Table(["P(closing) bin", "worlds", "mean P(closing)", "share closed (95% CI)"], reliability),
        ]
    return blocks


def _job_rows(job: Job, params: list[str]) -> list[dict]:
    """One row per trend estimand of a finished job: its cells and the numbers the verdict reads."""
    assert job.result is not None and job.replicates is not None
    rows = []
    pit = {} if job.result.trend is None else job.result.trend.pit_coverage_90
    for estimator in (e for e in Estimator if e.over_time):
        summary = job.result.estimators.get(estimator.value)
        if summary is None:
            continue
        errors = job.replicates.loc[job.replicates["estimator"] == estimator.value, "error"].to_numpy(float)
        scale = 100.0 if estimator.scale is Scale.score_change else 1.0
        se = errors.std(ddof=1) / np.sqrt(len(errors)) if len(errors) > 1 else np.nan
        coverage = summary.coverage_at(90)
        fit = summary.fit
        rows.append(
            {
                "estimator": estimator,
                "bias": summary.bias,
                "se": se,
                "coverage": pit.get(estimator.value, coverage),
                "cells": [
                    job.name,
                    *[value_text(job.overrides.get(p, "(default)")) for p in params],
                    estimator.label,
                    str(summary.replicates),
                    f"{summary.mean_truth * scale:+.2f} {UNITS[estimator.scale]}",
                    f"{summary.bias * scale:+.2f} ({se * scale:.2f})",
                    f"{summary.rmse * scale:.2f}",
                    _share(coverage),
                    _share(pit.get(estimator.value)),
                    "n/a" if fit is None else f"{fit.converged_share:.0%}",
                ],
            }
        )
    return rows


def _share(value: float | None) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.2f}"


def _verdict(rows: list[dict], b: str) -> str:
    """One sentence on the model's time-averaged lag against the naive one: the largest bias and the coverage range."""
    model = [r for r in rows if r["estimator"] is Estimator.bayes_lag]
    naive = [r for r in rows if r["estimator"] is Estimator.composite_lag]
    text = ""
    if naive:
        worst = max(naive, key=lambda r: abs(r["bias"]))
        text += (
            f"The naive composites' time-averaged lag of {b} has a bias (mean error over a job's worlds) of up to "
            f"{worst['bias']:+.1f} months"
        )
    if model:
        worst = max(model, key=lambda r: abs(r["bias"]))
        covered = [r["coverage"] for r in model if r["coverage"] is not None and np.isfinite(r["coverage"])]
        text += ("; the" if text else "The") + f" model's of up to {worst['bias']:+.1f} months (se {worst['se']:.2f})"
        if covered:
            low, high = min(covered), max(covered)
            share = f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f} to {high:.2f}"
            text += f", its 90% intervals (ties split) holding the truth in {share} of worlds per job"
    return text + "."


def _pooled_reliability(sweep: Sweep) -> list[list[str]]:
    """The P(closing) reliability rows of the lag, over every finished job's worlds."""
    frames = [
        job.replicates[job.replicates["estimator"] == Estimator.bayes_lag.value]
        for job in sweep.finished()
        if job.replicates is not None and "prob_closing" in job.replicates
    ]
    pooled = pd.concat(frames) if frames else pd.DataFrame()
    if pooled.empty:
        return []
    out = []
    for row in reliability_rows(pooled["prob_closing"], pooled["true_closing"]):
        out.append(
            [
                f"{row['low']:.1f} to {row['high']:.1f}",
                str(row["worlds"]),
                f"{row['mean_probability']:.2f}",
                f"{row['event_share']:.2f} ({row['event_share_lo']:.2f} to {row['event_share_hi']:.2f})",
            ]
        )
    return out
