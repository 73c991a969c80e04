"""``benchgap report``: what a simulate sweep found, as ``results.csv``, ``sensitivity.csv``, ``breakdown.csv``,
figures, ``report.md`` and a self-contained ``report.html`` in ``SWEEP_DIR/report/``.

Reads the finished jobs' files only (``benchgap.sweep``); never fits. Usable without Hydra:
``run_report(ReportConfig(sweep_dir="outputs/multirun/contamination_sweep"))``.
"""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.config import ReportConfig
from benchgap.document import Block, Figure, Heading, Paragraph, Table, to_html, to_markdown
from benchgap.errors import InputError
from benchgap.sensitivity import breakdown, design_breakdown, grid_indices, sobol_indices, swing
from benchgap.sweep import (
    FINISHED,
    REPORT_DIR,
    Sweep,
    parameter_value,
    read_sweep,
    replicate_values,
    results_table,
)

OUTPUTS = (  # sensitivity outputs: name, estimator, per-replicate column whose job mean is the output
    ("apparent gap", "composite", "estimate"),
    ("naive error", "composite", "error"),
    ("model error", "bayes", "error"),
)
WHO = {"composite": "the naive headline", "bayes": "the Bayesian estimate"}
WEIGHT_CHANGE = "weight change (total variation)"
MODEL_WEIGHTS = (
    "No reweighting of the benchmarks can reverse the sign of the model's gap in any posterior draw: the "
    "model's expected scores rank the models the same way on every benchmark (one latent capability), so the "
    "weights change the size of its gap, not its direction."
)
LEVEL_CHOICES = (50, 80, 90, 95)


@dataclass(frozen=True)
class SweepAnalysis:
    """Everything the report says, computed once from the sweep's files."""

    sweep: Sweep
    results: pd.DataFrame  # one row per finished job x estimator
    sensitivity: pd.DataFrame  # one row per output x parameter
    breakdowns: pd.DataFrame  # one row per parameter x estimator x slice of the other parameters
    notes: list[str]  # analyses that could not run, and why


def run_report(cfg: ReportConfig, *, expected: list[list[str]] | None = None) -> Path:
    """Analyse the sweep in ``cfg.sweep_dir`` and write ``SWEEP_DIR/report/`` whole (or not at all)."""
    if not cfg.sweep_dir:
        raise InputError("sweep_dir is required: benchgap report sweep_dir=outputs/multirun/NAME")
    if cfg.level not in LEVEL_CHOICES:
        raise InputError(f"level must be one of {', '.join(map(str, LEVEL_CHOICES))}; got {cfg.level}")
    if not 0 < cfg.flip_share <= 1:
        raise InputError(f"flip_share must be in (0, 1]; got {cfg.flip_share}")
    if cfg.bootstrap < 0:
        raise InputError(f"bootstrap must be 0 or more resamples; got {cfg.bootstrap}")
    sweep_dir = Path(cfg.sweep_dir)
    sweep = read_sweep(sweep_dir, expected=expected)
    print(
        f"benchgap report: {len(sweep.jobs)} jobs in {sweep_dir}: {len(sweep.finished())} finished, "
        f"{len(sweep.problems())} failed or missing"
    )
    analysis = analyse(sweep, flip_share=cfg.flip_share, bootstrap=cfg.bootstrap, seed=cfg.seed)
    final = sweep_dir / REPORT_DIR
    scratch = Path(tempfile.mkdtemp(prefix=".report-", dir=sweep_dir))
    try:
        _write(analysis, cfg, scratch)
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=".report-old-", dir=sweep_dir))
            final.rename(old / REPORT_DIR)
            scratch.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            scratch.rename(final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def analyse(sweep: Sweep, *, flip_share: float, bootstrap: int, seed: int) -> SweepAnalysis:
    """Results table, sensitivity indices and breakdown points of a sweep."""
    results = results_table(sweep)
    notes: list[str] = []
    sensitivity = _sensitivity(sweep, results, notes, bootstrap=bootstrap, seed=seed)
    breakdowns = _breakdowns(sweep, results, flip_share=flip_share)
    return SweepAnalysis(sweep, results, sensitivity, breakdowns, notes)


def _varying(sweep: Sweep, results: pd.DataFrame) -> list[str]:
    """Swept parameters that take more than one value among the finished jobs."""
    return [p for p in sweep.swept if p in results and results[p].nunique() > 1]


def _sensitivity(sweep: Sweep, results: pd.DataFrame, notes: list[str], *, bootstrap: int, seed: int) -> pd.DataFrame:
    params = _varying(sweep, results)
    if results.empty or not params:
        notes.append("Sensitivity indices need finished jobs that differ in at least one swept parameter.")
        return pd.DataFrame()
    frames = []
    for output, estimator, column in OUTPUTS:
        rows = results[results["estimator"] == estimator]
        if rows.empty:
            continue
        if sweep.design is not None:
            frame = _sobol(sweep, output, estimator, column, notes, seed=seed)
            method = "Sobol (SALib, Saltelli design)"
        else:
            values = replicate_values(sweep, estimator=estimator, column=column)
            keep = [i for i, v in enumerate(values) if v.size]
            frame = grid_indices(
                rows.reset_index(drop=True), params, [values[i] for i in keep], bootstrap=bootstrap, seed=seed
            )
            method = "variance shares over the grid (ANOVA R^2)"
        if frame is None:
            continue
        frames.append(frame.assign(output=output, method=method, jobs=len(rows)))
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["output", "parameter", *[c for c in table if c not in ("output", "parameter")]]]


def _sobol(
    sweep: Sweep, output: str, estimator: str, column: str, notes: list[str], *, seed: int
) -> pd.DataFrame | None:
    design = sweep.design
    assert design is not None
    values = np.full(len(design.points), np.nan)
    for k, job in enumerate(sweep.point_jobs):
        if job is not None and job.status == FINISHED and job.replicates is not None:
            part = job.replicates.loc[job.replicates["estimator"] == estimator, column]
            values[k] = part.mean() if len(part) else np.nan
    missing = int(np.isnan(values).sum())
    if missing:
        notes.append(
            f"Sobol indices of the {output} need every one of the design's {len(values)} points; {missing} have no "
            "result. Run the sweep's command again: finished jobs are skipped and the rest run."
        )
        return None
    return sobol_indices(design, values, seed=seed)


def _breakdowns(sweep: Sweep, results: pd.DataFrame, *, flip_share: float) -> pd.DataFrame:
    """Per numeric swept parameter and estimator, where the sign flips in ``flip_share`` of the worlds; and per
    job the median weight change that flips the naive headline (half the worlds flip within it)."""
    frames = []
    params = _varying(sweep, results)
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(results[p])]
    for estimator in WHO:
        rows = results[results["estimator"] == estimator]
        if rows.empty:
            continue
        d = len(sweep.design.names) if sweep.design is not None else 0
        if sweep.design is not None and len(rows) > 3 + d + d * (d - 1) // 2:  # more jobs than surrogate terms
            bounds = dict(zip(sweep.design.names, sweep.design.bounds, strict=True))
            frames.append(design_breakdown(rows, bounds, share=flip_share).assign(estimator=estimator))
            continue
        for param in numeric:
            others = [p for p in params if p != param]
            found = breakdown(rows, param, others, share=flip_share, continuous=sweep.design is not None)
            frames.append(found.assign(estimator=estimator))
    rows = results[results["estimator"] == "composite"].dropna(subset=["flip_distance_median"])
    if not rows.empty:  # the naive composite only: MODEL_WEIGHTS says why
        frames.append(
            pd.DataFrame(
                {
                    "parameter": WEIGHT_CHANGE,
                    "job": rows["job"].to_numpy(),
                    "where": [_where(row, params) for _, row in rows.iterrows()],
                    "breakdown": rows["flip_distance_median"].to_numpy(float),
                    "interpolated": rows["flip_distance_median"].to_numpy(float),
                    "max_flip": np.nan,
                    "mean_gap_flips_at": np.nan,
                    "swept_from": np.nan,
                    "swept_to": np.nan,
                    "estimator": "composite",
                }
            )
        )
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["parameter", "estimator", *[c for c in table if c not in ("parameter", "estimator")]]]


def _where(row: pd.Series, params: list[str]) -> str:
    return ", ".join(f"{p}={_value(row[p])}" for p in params) or "all jobs"


def _value(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


# --- words -------------------------------------------------------------------------------------------------------


def verdict(analysis: SweepAnalysis, *, flip_share: float, level: int) -> list[str]:
    """The report's plain-words findings: what flips the headline and at what size, and calibration."""
    results, found = analysis.results, []
    if results.empty:
        return ["No job finished, so there is nothing to judge yet; see the failed and missing jobs below."]
    params = _varying(analysis.sweep, results)
    found += _flip_sentences(analysis, params, flip_share=flip_share)
    found += _calibration_sentences(results, params, level=level)
    sens = analysis.sensitivity
    for output in dict.fromkeys(sens["output"]) if not sens.empty else []:
        part = sens[sens["output"] == output].dropna(subset=["total"])
        if part.empty:
            continue
        top = part.loc[part["total"].idxmax()]
        found.append(
            f"The {output} varies most with {top['parameter']} (total index {top['total']:.2f}, 95% interval "
            f"{top['total_low']:.2f} to {top['total_high']:.2f})."
        )
    return found


def _flip_sentences(analysis: SweepAnalysis, params: list[str], *, flip_share: float) -> list[str]:
    out = []
    table, results = analysis.breakdowns, analysis.results
    share = f"{flip_share:.0%}"
    for estimator, who in WHO.items():
        if table.empty or not (table["estimator"] == estimator).any():
            continue
        mine = table[(table["estimator"] == estimator) & (table["parameter"] != WEIGHT_CHANGE)]
        for param, part in mine.groupby("parameter", sort=False):
            span = f"{part['swept_from'].min():g} to {part['swept_to'].max():g}"
            flips = part[part["breakdown"].notna()]
            mean_flips = part.dropna(subset=["mean_gap_flips_at"])
            mean_text = ""
            if not mean_flips.empty:
                first_mean = mean_flips.sort_values("mean_gap_flips_at").iloc[0]
                at = "" if first_mean["where"].startswith("all jobs") else f" where {first_mean['where']}"
                mean_text = (
                    " Its gap averaged over worlds reaches zero at "
                    f"{param} = {first_mean['mean_gap_flips_at']:.3g}{at}."
                )
            if flips.empty:
                out.append(
                    f"{param} does not flip {who} in {share} of the worlds anywhere in {span}: its sign is wrong in "
                    f"at most {part['max_flip'].max():.0%} of worlds.{mean_text}"
                )
                continue
            steady = part[part["breakdown"].isna()]
            same = steady.empty and flips[["breakdown", "interpolated"]].nunique().max() == 1 and len(flips) > 1
            pieces = []
            for _, row in flips.sort_values("interpolated").head(1 if same else 3).iterrows():
                piece = f"from {row['breakdown']:g}"
                if row["breakdown"] == row["swept_from"]:
                    piece += " (already at the smallest swept value)"
                elif row["interpolated"] != row["breakdown"]:
                    piece += f" (interpolated {row['interpolated']:.3g})"
                where = "" if same or row["where"].startswith("all jobs") else f" where {row['where']}"
                if row["where"] != "all jobs" and row["where"].startswith("all jobs"):
                    where = " (quantile-bin midpoint, the other parameters averaged)"
                pieces.append(piece + where)
            text = f"{param} flips {who} (wrong sign in at least {share} of worlds) " + ", and ".join(pieces)
            if same:
                text += ", whatever the other swept parameters"
            elif len(flips) > 3:
                text += f", and in {len(flips) - 3} more settings (breakdown.csv)"
            if not steady.empty:
                never = "; ".join(steady["where"].head(3)) + ("; ..." if len(steady) > 3 else "")
                text += f"; it never does where {never} (up to {part['swept_to'].max():g})"
            out.append(text + "." + mean_text)
        rows = results[results["estimator"] == estimator]
        for param in params:
            if pd.api.types.is_numeric_dtype(results[param]):
                continue
            flip = rows.groupby(param)["sign_error_rate"].mean()
            bad = flip[flip >= flip_share]
            if bad.empty:
                out.append(f"No value of {param} flips {who} (wrong sign in at most {flip.max():.0%} of worlds).")
            else:
                named = ", ".join(f"{param}={k} ({v:.0%})" for k, v in bad.items())
                out.append(f"{who.capitalize()} has the wrong sign in at least {share} of worlds under {named}.")
    weights = table[table["parameter"] == WEIGHT_CHANGE] if not table.empty else table
    if not weights.empty:  # naive rows only (MODEL_WEIGHTS says why)
        signs = results[results["estimator"] == "composite"].set_index("job")["sign_error_rate"]
        weights = weights[[signs.get(job, 1.0) < flip_share for job in weights["job"]]].dropna(subset=["breakdown"])
    if not weights.empty:
        low = weights.iloc[int(np.argmin(weights["breakdown"].to_numpy(float)))]
        low_share, high_share = f"{weights['breakdown'].min():.0%}", f"{weights['breakdown'].max():.0%}"
        span = low_share if low_share == high_share else f"{low_share} to {high_share}"
        out.append(
            "Where the naive headline still has the right sign, reweighting the benchmarks reverses it in half of "
            f"the worlds once {span} of the weight moves (median total-variation change per job; smallest where "
            f"{low['where']})."
        )
    if (results["estimator"] == "bayes").any():
        out.append(MODEL_WEIGHTS)
    return out


def _calibration_sentences(results: pd.DataFrame, params: list[str], *, level: int) -> list[str]:
    out = []
    column, nominal = f"coverage_{level}", level / 100
    for estimator, name in (("bayes", "Bayesian model's"), ("composite", "naive composite's binomial")):
        rows = results[(results["estimator"] == estimator)].dropna(subset=[column])
        if rows.empty:
            continue
        tolerance = 1.96 * np.sqrt(nominal * (1 - nominal) / rows["replicates"])
        lost = rows[rows[column] < nominal - tolerance]
        span = f"coverage {rows[column].min():.2f} to {rows[column].max():.2f} against nominal {nominal:.2f}"
        if lost.empty:
            out.append(f"The {name} {level}% intervals stay calibrated in every job ({span}).")
        else:
            worst = lost.sort_values(column).head(4)
            where = "; ".join(f"{_where(r, params)}: {r[column]:.2f}" for _, r in worst.iterrows())
            out.append(
                f"The {name} {level}% intervals lose calibration in {len(lost)} of {len(rows)} jobs ({span}; "
                f"coverage below {nominal:.2f} minus two binomial standard errors). Worst: {where}."
            )
        if estimator == "bayes" and "converged_share" in rows and (rows["converged_share"] < 1).any():
            out.append(
                f"Some model fits did not converge (lowest converged share {rows['converged_share'].min():.0%}); "
                "coverage over converged fits alone is in results.csv (coverage_90_converged)."
            )
    return out


# --- files -------------------------------------------------------------------------------------------------------


def _write(analysis: SweepAnalysis, cfg: ReportConfig, out: Path) -> None:
    analysis.results.to_csv(out / "results.csv", index=False)
    analysis.sensitivity.to_csv(out / "sensitivity.csv", index=False)
    analysis.breakdowns.to_csv(out / "breakdown.csv", index=False)
    figures = _figures(analysis, out, level=cfg.level) if cfg.plots and not analysis.results.empty else []
    blocks = report_blocks(analysis, figures, flip_share=cfg.flip_share, level=cfg.level)
    (out / "report.md").write_text(to_markdown(blocks, relative_to=out))
    (out / "report.html").write_text(to_html(blocks, title=f"benchgap report: {analysis.sweep.path.name}"))


def _figures(analysis: SweepAnalysis, out: Path, *, level: int) -> list[Figure]:
    from benchgap import sweep_figures as draw

    results, sweep = analysis.results, analysis.sweep
    params = _varying(sweep, results)
    figures = []
    continuous = sweep.design is not None
    for param in params:
        others = [p for p in params if p != param]
        slug = param.replace(".", "_")
        path = out / f"gap_vs_{slug}.png"
        draw.gap_vs_parameter(results, param, others, path, continuous=continuous)
        figures.append(Figure(path, f"Estimated vs true gap as {param} varies (band: 5-95% of replicate worlds)."))
        path = out / f"coverage_vs_{slug}.png"
        draw.coverage_vs_parameter(results, param, others, path, level=level, continuous=continuous)
        figures.append(Figure(path, f"{level}% interval coverage of the true gap as {param} varies."))
    grid = sweep.design is None
    pairs = [(a, b) for i, a in enumerate(params) for b in params[i + 1 :]][:3] if grid else []
    for rows, columns in pairs:
        tag = f"{rows.replace('.', '_')}__{columns.replace('.', '_')}"
        path = out / f"heatmap_sign_flip__{tag}.png"
        title = "Share of worlds with the wrong sign"
        draw.heatmap(results, rows, columns, "sign_error_rate", path, title=title, diverging=False)
        figures.append(Figure(path, f"Sign-flip probability over {rows} x {columns}."))
        path = out / f"heatmap_bias__{tag}.png"
        draw.heatmap(results, rows, columns, "bias", path, title="Bias: mean estimate minus true gap", diverging=True)
        figures.append(Figure(path, f"Bias of the estimated gap over {rows} x {columns} (score points)."))
    if params:
        swings, baselines = {}, {}
        for output, estimator, _ in OUTPUTS:
            rows_ = results[results["estimator"] == estimator]
            if rows_.empty:
                continue
            column = "mean_estimate" if output == "apparent gap" else "bias"
            swings[output] = swing(rows_, params, column, continuous=sweep.design is not None)
            baselines[output] = float(rows_[column].mean())
        path = out / "tornado.png"
        draw.tornado(swings, baselines, path)
        figures.append(Figure(path, "Tornado chart: the swing of each output across each parameter's values."))
    if not analysis.sensitivity.empty:
        path = out / "sensitivity.png"
        draw.sobol_bars(analysis.sensitivity, path)
        figures.append(Figure(path, "Sensitivity indices with 95% intervals."))
    return figures


def report_blocks(analysis: SweepAnalysis, figures: list[Figure], *, flip_share: float, level: int) -> list[Block]:
    sweep, results = analysis.sweep, analysis.results
    params = _varying(sweep, results)
    problems = sweep.problems()
    blocks: list[Block] = [Heading(f"benchgap report: {sweep.path.name}", 1)]
    if problems:
        blocks.append(
            Paragraph(
                f"{len(problems)} of {len(sweep.jobs)} jobs have no result ("
                + ", ".join(f"{j.name}: {j.status}" for j in problems[:8])
                + (", ..." if len(problems) > 8 else "")
                + "). Every number below rests on the finished jobs only; the list is at the end.",
                warning=True,
            )
        )
    findings = verdict(analysis, flip_share=flip_share, level=level)
    blocks += [Heading("Verdict"), *(Paragraph(text, strong=i == 0) for i, text in enumerate(findings))]
    blocks += [Heading("What was swept"), _swept_table(sweep)]
    if sweep.fixed:
        blocks.append(Paragraph("Every job also had: " + ", ".join(f"{k}={v}" for k, v in sweep.fixed.items()) + "."))
    if not results.empty:
        blocks += [Heading("Results per job"), _results_table(results, params, level=level)]
        blocks.append(
            Paragraph(
                "Naive: the best-vs-best weighted composite as leaderboards publish it, with its binomial interval. "
                "Model: benchgap's Bayesian estimate of the same composite gap. Truth: the gap in the undistorted, "
                "noise-free world. Wrong sign: share of replicate worlds whose estimate has the opposite sign to "
                "the truth. All rows of every estimator are in results.csv."
            )
        )
    if not analysis.breakdowns.empty:
        blocks += [
            Heading("Breakdown points"),
            Paragraph(
                f"The smallest swept value at which the estimate's sign is wrong in at least {flip_share:.0%} of the "
                "replicate worlds (interpolated: the linear crossing between it and the value before), per setting "
                "of the other parameters; and where the estimate averaged over worlds crosses zero. Worlds differ in "
                "their true gap, and a distortion cannot flip a world whose truth already points its way. For the "
                "weights: the median over worlds of the smallest total-variation "
                "change of benchmark weights that reverses the naive gap's sign, whichever it is (a linear programme "
                "per world)." + (" " + MODEL_WEIGHTS if (results["estimator"] == "bayes").any() else "")
            ),
            _breakdown_table(analysis.breakdowns),
        ]
    blocks.append(Heading("Sensitivity indices"))
    if not analysis.sensitivity.empty:
        blocks.append(
            Paragraph(
                "Share of an output's variance over the jobs due to each parameter alone (first order) and with "
                "its interactions (total), with 95% intervals. Outputs: the apparent (naive) gap, the naive "
                "estimate's error, and the model's error, each averaged over a job's worlds. Method: "
                + "; ".join(dict.fromkeys(analysis.sensitivity["method"]))
                + "."
            )
        )
        blocks.append(_sensitivity_table(analysis.sensitivity))
    blocks += [Paragraph(note, warning=True) for note in analysis.notes]
    if figures:
        blocks.append(Heading("Figures"))
        blocks += figures
    if problems:
        blocks += [
            Heading("Failed and missing jobs"),
            Table(
                ["job", "status", "overrides", "error"],
                [
                    [j.name, j.status, " ".join(f"{k}={v}" for k, v in j.overrides.items()), j.error or ""]
                    for j in problems
                ],
            ),
        ]
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
    rows.append(["jobs", f"{len(sweep.jobs)} ({finished} finished, {len(sweep.jobs) - finished} failed or missing)"])
    return Table(["parameter", "values"], rows)


def _order(text: str) -> tuple[bool, float, str]:
    """Numbers first and in numeric order, then names."""
    value = parameter_value(text)
    return (not isinstance(value, float), value if isinstance(value, float) else 0.0, text)


def _results_table(results: pd.DataFrame, params: list[str], *, level: int) -> Table:
    naive = results[results["estimator"] == "composite"].set_index("job")
    model = results[results["estimator"] == "bayes"].set_index("job")
    header = ["job", *params, "true gap", "naive", "naive wrong sign", f"naive {level}% cov."]
    if not model.empty:
        header += ["model", "model wrong sign", f"model {level}% cov.", "converged"]
    rows = []
    for job, row in naive.iterrows():
        cells = [str(job), *[_value(row[p]) for p in params]]
        cells += [f"{row['mean_truth']:+.3f}", f"{row['mean_estimate']:+.3f}", f"{row['sign_error_rate']:.0%}"]
        cells.append(_number(row[f"coverage_{level}"], 2))
        if not model.empty:
            if job in model.index:
                m = model.loc[str(job)]
                cells += [
                    f"{m['mean_estimate']:+.3f}",
                    f"{m['sign_error_rate']:.0%}",
                    _number(m[f"coverage_{level}"], 2),
                    f"{m['converged_share']:.0%}",
                ]
            else:
                cells += ["n/a"] * 4
        rows.append(cells)
    return Table(header, rows)


def _breakdown_table(table: pd.DataFrame) -> Table:
    rows = []
    for _, r in table.iterrows():
        weights = r["parameter"] == WEIGHT_CHANGE
        rows.append(
            [
                r["parameter"],
                "naive" if r["estimator"] == "composite" else "model",
                r["where"],
                _breakdown_value(r["breakdown"], weights=weights),
                "" if weights or not np.isfinite(r["interpolated"]) else f"{r['interpolated']:.3g}",
                "" if weights else f"{r['swept_from']:g} to {r['swept_to']:g}",
                "" if weights else f"{r['max_flip']:.0%}",
                "" if weights or not np.isfinite(r["mean_gap_flips_at"]) else f"{r['mean_gap_flips_at']:.3g}",
            ]
        )
    header = ["parameter", "estimate", "where", "breakdown", "interpolated", "swept", "max wrong sign"]
    return Table([*header, "mean gap crosses 0 at"], rows)


def _breakdown_value(value: float, *, weights: bool) -> str:
    if not np.isfinite(value):
        return "never"
    return f"{value:.0%}" if weights else f"{value:g}"


def _sensitivity_table(table: pd.DataFrame) -> Table:
    return Table(
        ["output", "parameter", "first order", "95% interval", "total", "95% interval"],
        [
            [
                r["output"],
                r["parameter"],
                _number(r["first_order"], 2),
                f"{_number(r['first_order_low'], 2)} to {_number(r['first_order_high'], 2)}",
                _number(r["total"], 2),
                f"{_number(r['total_low'], 2)} to {_number(r['total_high'], 2)}",
            ]
            for _, r in table.iterrows()
        ],
    )


def _number(value: object, digits: int) -> str:
    return "n/a" if value is None or not np.isfinite(float(value)) else f"{float(value):.{digits}f}"  # type: ignore[arg-type]
