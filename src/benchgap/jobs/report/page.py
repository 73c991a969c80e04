"""The sweep report's blocks: verdict, what was swept, results per job, breakdown points, sensitivity indices,
figures and the jobs without a result (``benchgap.document`` renders them to Markdown and HTML)."""

from collections.abc import Callable

import numpy as np
import pandas as pd

from benchgap.document import Block, Figure, Heading, Paragraph, Table
from benchgap.estimators import Estimator, coverage_name
from benchgap.jobs.report.analysis import WEIGHT_CHANGE, SweepAnalysis, value_text, varying
from benchgap.jobs.report.over_time import trend_blocks
from benchgap.jobs.report.per_dimension import dimension_blocks
from benchgap.jobs.report.sweep import Sweep, parameter_value
from benchgap.jobs.report.verdict import DRAW_SIGNS, opening, verdict


def report_blocks(analysis: SweepAnalysis, *, figures: list[Figure], flip_share: float, level: int) -> list[Block]:
    """The report as document blocks (``benchgap.document`` renders them to Markdown and HTML)."""
    sweep = analysis.sweep
    problems = sweep.problems()
    blocks: list[Block] = [Heading(f"benchgap report: {sweep.path.name}", 1)]
    if problems:
        blocks.append(
            Paragraph(
                f"{len(problems)} of {len(sweep.jobs)} jobs have no result in this analysis ("
                + ", ".join(f"{j.name}: {j.status}" for j in problems[:8])
                + (", ..." if len(problems) > 8 else "")
                + "). Every number below rests on the finished jobs only; the list is at the end.",
                warning=True,
            )
        )
    brief, headline = opening(analysis, flip_share=flip_share, level=level)
    blocks += [Heading("In brief"), *(Paragraph(text, strong=True) for text in brief)]
    shown = [f for f in figures if headline is not None and f.path.name == f"gap_vs_{headline.replace('.', '_')}.png"]
    blocks += shown[:1]
    findings = verdict(analysis, flip_share=flip_share, level=level)
    blocks += [Heading("Verdict in detail"), *(Paragraph(text) for text in findings)]
    blocks += [Heading("What was swept"), _swept_table(sweep)]
    if sweep.fixed:
        blocks.append(Paragraph("Every job also had: " + ", ".join(f"{k}={v}" for k, v in sweep.fixed.items()) + "."))
    blocks += _result_blocks(analysis, flip_share=flip_share, level=level)
    params = varying(sweep, analysis.results) if not analysis.results.empty else []
    blocks += trend_blocks(sweep, params)
    blocks += dimension_blocks(sweep, params)
    blocks += [Paragraph(note, warning=True) for note in analysis.notes]
    if figures:
        blocks += [Heading("Figures"), *[f for f in figures if f not in shown]]
    if problems:
        rows = [
            [j.name, j.status, " ".join(f"{k}={v}" for k, v in j.overrides.items()), j.error or ""] for j in problems
        ]
        blocks += [
            Heading("Failed, missing and other jobs without a result"),
            Table(["job", "status", "overrides", "error"], rows),
        ]
    return blocks


def _result_blocks(analysis: SweepAnalysis, *, flip_share: float, level: int) -> list[Block]:
    """Results per job, breakdown points and sensitivity indices, each with what its numbers mean."""
    results = analysis.results
    blocks: list[Block] = []
    if not results.empty:
        a, b = results["a"].iloc[0], results["b"].iloc[0]
        blocks += [Heading("Results per job"), _results_table(results, varying(analysis.sweep, results), level=level)]
        blocks.append(
            Paragraph(
                f"Gaps are best {a} minus best {b} in composite score. Naive: the weighted composite as leaderboards "
                "publish it, with its binomial interval. Model: benchgap's Bayesian estimate of the same gap "
                "(posterior mean). True gap: the mean over the job's worlds of each world's undistorted, noise-free "
                f"gap; worlds differ, and '{a} ahead' is the share of worlds whose true gap favours {a}. Wrong sign: "
                "the share of worlds whose estimate has the opposite sign to that world's truth. Every estimator's "
                "rows are in results.csv."
            )
        )
    if not analysis.breakdowns.empty:
        blocks += [
            Heading("Breakdown points"),
            Paragraph(
                f"The smallest swept value at which the estimate's sign is wrong in at least {flip_share:.0%} of the "
                "replicate worlds (interpolated: the linear crossing between it and the value before), per setting "
                "of the other parameters, and where the estimate averaged over worlds crosses zero. A distortion "
                "cannot flip a world whose truth already points its way. For the weights: per job, the median over "
                "worlds of the smallest total-variation change of the benchmark weights that reverses the estimate's "
                "sign, chosen per world by a linear programme ('never': more than half of the worlds cannot be "
                "reversed). " + DRAW_SIGNS
            ),
            _breakdown_table(analysis.breakdowns),
        ]
    blocks.append(Heading("Sensitivity indices"))
    if not analysis.sensitivity.empty:
        blocks.append(
            Paragraph(
                "Share of an output's variance over the jobs due to each parameter alone (first order) and with "
                "its interactions (total), with 95% intervals. Outputs, each a job's mean over its worlds: the "
                "apparent (naive) gap, the naive estimate's error (which mirrors the gap when the truth is the same "
                "in every job), the share of worlds in which the naive sign is wrong, and the model's error. "
                "Method: " + "; ".join(dict.fromkeys(analysis.sensitivity["method"])) + "."
            )
        )
        blocks.append(_sensitivity_table(analysis.sensitivity))
    return blocks


def _swept_table(sweep: Sweep) -> Table:
    rows = []
    if sweep.design is not None:
        for name, (low, high) in zip(sweep.design.names, sweep.design.bounds, strict=True):
            rows.append([name, f"{low:g} to {high:g} (Saltelli design, N = {sweep.design.base_samples})"])
    else:
        for name in sweep.swept:
            values = list(dict.fromkeys(j.overrides.get(name, "(default)") for j in sweep.jobs))
            rows.append([name, ", ".join(sorted(values, key=_order))])
    finished = len(sweep.finished())
    rows.append(["jobs", f"{len(sweep.jobs)} ({finished} finished, {len(sweep.jobs) - finished} without a result)"])
    return Table(["parameter", "values"], rows)


def _order(text: str) -> tuple[bool, float, str]:
    """Numbers first and in numeric order, then names."""
    value = parameter_value(text)
    return (not isinstance(value, float), value if isinstance(value, float) else 0.0, text)


def _results_table(results: pd.DataFrame, params: list[str], *, level: int) -> Table:
    """One row per job: the true gap, the naive and the model's estimates with their coverage of the capability
    truth, and where the sweep has it, the model's suite gap with its coverage of the suite truth."""
    by = {e: results[results["estimator"] == e.value].set_index("job") for e in Estimator}
    model, suite = by[Estimator.bayes], by[Estimator.bayes_suite]
    has_suite = not suite.empty and f"suite_{coverage_name(level)}" in suite
    a = results["a"].iloc[0]
    header = ["job", *params, "true gap", f"{a} ahead", "naive", "naive wrong sign", f"naive {level}% cov."]
    if not model.empty:
        header += ["model", "model wrong sign", f"model {level}% cov.", "converged"]
    if has_suite:
        header += ["true suite gap", "model suite gap", f"suite {level}% cov."]
    model_cells: list[Callable[[pd.Series], str]] = [
        lambda m: f"{m['mean_estimate']:+.3f}",
        lambda m: f"{m['sign_error_rate']:.0%}",
        lambda m: _number(m[coverage_name(level)]),
        lambda m: f"{m['converged_share']:.0%}",
    ]
    suite_cells: list[Callable[[pd.Series], str]] = [
        lambda q: f"{q['suite_mean_truth']:+.3f}",
        lambda q: f"{q['mean_estimate']:+.3f}",
        lambda q: _number(q[f"suite_{coverage_name(level)}"]),
    ]
    rows = []
    for job, row in by[Estimator.composite].iterrows():
        cells = [str(job), *[value_text(row[p]) for p in params]]
        cells += [f"{row['mean_truth']:+.3f}", f"{row['truth_a_ahead_share']:.0%}"]
        cells += [f"{row['mean_estimate']:+.3f}", f"{row['sign_error_rate']:.0%}", _number(row[coverage_name(level)])]
        if not model.empty:
            cells += _job_cells(model, str(job), model_cells)
        if has_suite:
            cells += _job_cells(suite, str(job), suite_cells)
        rows.append(cells)
    return Table(header, rows)


def _job_cells(frame: pd.DataFrame, job: str, cells: list[Callable[[pd.Series], str]]) -> list[str]:
    """The job's row of ``frame`` shown by ``cells``, or n/a in each where the job has none."""
    if job not in frame.index:
        return ["n/a"] * len(cells)
    row = frame.loc[job]
    assert isinstance(row, pd.Series), f"job {job} has more than one row"  # the index holds one row per job
    return [cell(row) for cell in cells]


def _breakdown_table(table: pd.DataFrame) -> Table:
    rows = []
    for _, r in table.iterrows():
        weights = r["parameter"] == WEIGHT_CHANGE
        value = r["breakdown"]
        shown = "never" if not np.isfinite(value) else (f"{value:.0%}" if weights else f"{value:.3g}")
        rows.append(
            [
                r["parameter"],
                "naive" if r["estimator"] == Estimator.composite.value else "model",
                r["where"],
                shown,
                "" if weights or not np.isfinite(r["interpolated"]) else f"{r['interpolated']:.3g}",
                "" if weights else f"{r['swept_from']:g} to {r['swept_to']:g}",
                "" if weights else f"{r['max_flip']:.0%}",
                "" if weights or not np.isfinite(r["mean_gap_flips_at"]) else f"{r['mean_gap_flips_at']:.3g}",
            ]
        )
    header = ["parameter", "estimate", "where", "breakdown", "interpolated", "swept", "max wrong sign"]
    return Table([*header, "mean gap crosses 0 at"], rows)


def _sensitivity_table(table: pd.DataFrame) -> Table:
    return Table(
        ["output", "parameter", "first order", "95% interval", "total", "95% interval", "jobs"],
        [
            [
                r["output"],
                r["parameter"],
                _number(r["first_order"]),
                f"{_number(r['first_order_low'])} to {_number(r['first_order_high'])}",
                _number(r["total"]),
                f"{_number(r['total_low'])} to {_number(r['total_high'])}",
                str(r["jobs"]),
            ]
            for _, r in table.iterrows()
        ],
    )


def _number(value: object) -> str:
    number = float(value) if isinstance(value, int | float) else float("nan")
    return "n/a" if not np.isfinite(number) else f"{number:.2f}"
