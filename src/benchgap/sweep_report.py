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
from benchgap.metrics import LEVELS
from benchgap.sensitivity import (
    SURROGATE_WHERE,
    breakdown,
    complete_grid,
    design_breakdown,
    grid_indices,
    sobol_indices,
    surrogate_terms,
    swing,
)
from benchgap.sweep import FINISHED, REPORT_DIR, Sweep, parameter_value, read_sweep, replicate_values, results_table

OUTPUTS = (  # sensitivity outputs: name, estimator, per-replicate column whose job mean is the output
    ("apparent gap", "composite", "estimate"),
    ("naive error", "composite", "error"),
    ("naive wrong-sign share", "composite", "sign_error"),
    ("model error", "bayes", "error"),
)
WHO = {"composite": "the naive headline", "bayes": "the Bayesian estimate"}
WEIGHT_CHANGE = "weight change (total variation)"
DRAW_SIGNS = (
    "No reweighting of the benchmarks can reverse the sign of any posterior draw of the model's gap: its expected "
    "scores rank the models the same way on every benchmark (one latent capability), so P(a ahead) does not "
    "depend on the weights. Only its size moves, and with it the posterior mean, whose weight change is given."
)
LEVEL_CHOICES = tuple(round(level * 100) for level in LEVELS)


@dataclass(frozen=True)
class SweepAnalysis:
    """Everything the report says, computed once from the sweep's files."""

    sweep: Sweep
    results: pd.DataFrame  # one row per finished job x estimator
    sensitivity: pd.DataFrame  # one row per output x parameter
    breakdowns: pd.DataFrame  # one row per parameter x estimator x setting of the other parameters (or job)
    notes: list[str]  # analyses that could not run, or ran on part of the sweep, and why


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
        f"{len(sweep.problems())} failed, missing or outside the design"
    )
    analysis = analyse(sweep, flip_share=cfg.flip_share, bootstrap=cfg.bootstrap, seed=cfg.seed)
    final = sweep_dir / REPORT_DIR
    scratch = Path(tempfile.mkdtemp(prefix=".report-", dir=sweep_dir))
    try:
        _write(analysis, cfg=cfg, out=scratch)
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
    if results.empty:
        notes.append("No job finished: no indices or breakdown points.")
        return SweepAnalysis(sweep, results, pd.DataFrame(), pd.DataFrame(), notes)
    sensitivity = _sensitivity(sweep, results, notes, bootstrap=bootstrap, seed=seed)
    breakdowns = _breakdowns(sweep, results, notes, flip_share=flip_share)
    return SweepAnalysis(sweep, results, sensitivity, breakdowns, notes)


def _varying(sweep: Sweep, results: pd.DataFrame) -> list[str]:
    """Swept parameters that take more than one value among the finished jobs."""
    return [p for p in sweep.swept if p in results and results[p].nunique() > 1]


def _sensitivity(sweep: Sweep, results: pd.DataFrame, notes: list[str], *, bootstrap: int, seed: int) -> pd.DataFrame:
    params = _varying(sweep, results)
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
    params = _varying(sweep, results)
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
                    "where": [_where(row, params) for _, row in weights.iterrows()],
                    "breakdown": weights["flip_distance_median"].to_numpy(float),
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
    results = analysis.results
    if results.empty:
        return ["No job finished, so there is nothing to judge yet; see the failed and missing jobs below."]
    params = _varying(analysis.sweep, results)
    found = _flip_sentences(analysis, params, flip_share=flip_share)
    found += _weight_sentences(analysis)
    found += _calibration_sentences(results, params, level=level)
    found += _inflation_sentences(results, params)
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


def _inflation_sentences(results: pd.DataFrame, params: list[str]) -> list[str]:
    """Jobs fitted with ``model=contamination_aware``: how well it found the injected inflation, and false alarms."""
    if "inflation_false_positive_rate" not in results:
        return []
    rows = results[(results["estimator"] == "bayes") & results["inflation_false_positive_rate"].notna()]
    out = []
    for _, row in rows.iterrows():
        auc = row["inflation_auc_mean"]
        found = (
            "no inflated cells to find"
            if pd.isna(auc)
            else f"inflation AUC {auc:.2f} (worst world {row['inflation_auc_min']:.2f})"
        )
        out.append(
            f"Contamination-aware model where {_where(row, params)}: {found}; "
            f"{row['inflation_false_positive_rate']:.1%} of clean cells flagged."
        )
    return out


def _flip_sentences(analysis: SweepAnalysis, params: list[str], *, flip_share: float) -> list[str]:
    """Measured first (jobs past the flip share), then the breakdown points along each numeric parameter."""
    out = []
    share = f"{flip_share:.0%}"
    table, results = analysis.breakdowns, analysis.results
    for estimator, who in WHO.items():
        rows = results[results["estimator"] == estimator]
        if rows.empty:
            continue
        past = rows[rows["sign_error_rate"] >= flip_share].sort_values("sign_error_rate", ascending=False)
        worst = rows.iloc[int(np.argmax(rows["sign_error_rate"].to_numpy(float)))]
        if past.empty:
            out.append(
                f"In no job does {who} have the wrong sign in {share} of the worlds: at most "
                f"{worst['sign_error_rate']:.0%}, where {_where(worst, params)}."
            )
        else:
            named = "; ".join(f"{_where(r, params)} ({r['sign_error_rate']:.0%})" for _, r in past.head(3).iterrows())
            more = f"; and {len(past) - 3} more" if len(past) > 3 else ""
            out.append(
                f"{who.capitalize()} has the wrong sign in at least {share} of the worlds in {len(past)} of "
                f"{len(rows)} jobs: {named}{more}."
            )
        if table.empty:
            continue
        mine = table[(table["estimator"] == estimator) & (table["parameter"] != WEIGHT_CHANGE)]
        for param, part in mine.groupby("parameter", sort=False):
            out.append(_breakdown_sentence(str(param), part, who=who, share=share))
    return out


def _breakdown_sentence(param: str, part: pd.DataFrame, *, who: str, share: str) -> str:
    """One parameter's breakdown for one estimator, over the settings of the other parameters."""
    span = f"from {part['swept_from'].min():g} to {part['swept_to'].max():g}"
    surrogate = part["where"].str.startswith(SURROGATE_WHERE).all()
    condition = f" ({part['where'].iloc[0]})" if surrogate else ""
    flips = part[part["breakdown"].notna()]
    if flips.empty:
        text = (
            f"Along {param} {span}{condition}, {who} never has the wrong sign in {share} of the worlds "
            f"(at most {part['max_flip'].max():.0%})"
        )
    else:
        pieces = []
        for _, row in flips.sort_values("interpolated").head(3).iterrows():
            piece = f"{row['breakdown']:.3g}"
            if row["breakdown"] == row["swept_from"]:
                piece += " (already the smallest value swept)"
            elif row["interpolated"] != row["breakdown"]:
                piece += f" (interpolated {row['interpolated']:.3g})"
            if not surrogate and row["where"] != "all jobs":
                piece += f" where {row['where']}"
            pieces.append(piece)
        text = f"Along {param}{condition}, {who} has the wrong sign in {share} of the worlds from " + ", and ".join(
            pieces
        )
        if len(flips) > 3:
            text += f", and in {len(flips) - 3} more settings (breakdown.csv)"
        steady = part[part["breakdown"].isna()]
        if not steady.empty:
            never = "; ".join(steady["where"].head(3)) + ("; ..." if len(steady) > 3 else "")
            text += f"; never where {never} (up to {part['swept_to'].max():g})"
    crossing = part.dropna(subset=["mean_gap_flips_at"]).sort_values("mean_gap_flips_at")
    if not crossing.empty:
        first = crossing.iloc[0]
        where = "" if surrogate or first["where"] == "all jobs" else f" where {first['where']}"
        text += f". Its gap averaged over the worlds reaches zero at {param} = {first['mean_gap_flips_at']:.3g}{where}"
    return text + "."


def _weight_sentences(analysis: SweepAnalysis) -> list[str]:
    out: list[str] = []
    table = analysis.breakdowns
    if table.empty:
        return out
    weights = table[table["parameter"] == WEIGHT_CHANGE]
    for estimator, what in (("composite", "the naive apparent gap"), ("bayes", "the model's posterior-mean gap")):
        mine = weights[weights["estimator"] == estimator]
        if mine.empty:
            continue
        finite = mine[np.isfinite(mine["breakdown"].to_numpy(float))]
        text = f"Reweighting the benchmarks, adversarially per world, reverses the sign of {what} in half of the "
        text += "worlds "
        if finite.empty:
            text += "in no job: in every job more than half of the worlds cannot be reversed by any weights."
        else:
            low = finite.iloc[int(np.argmin(finite["breakdown"].to_numpy(float)))]
            low_share, high_share = f"{finite['breakdown'].min():.0%}", f"{finite['breakdown'].max():.0%}"
            span = low_share if low_share == high_share else f"{low_share} to {high_share}"
            text += f"once {span} of the weight moves (total variation, per job; smallest where {low['where']})"
            if len(finite) < len(mine):
                text += f"; in {len(mine) - len(finite)} job(s) more than half of the worlds cannot be reversed"
            text += "."
        out.append(text)
        if estimator == "bayes":
            out.append(DRAW_SIGNS)
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
                f"coverage below {nominal:.2f} minus two binomial standard errors, about 2.5% of calibrated jobs "
                f"would be too). Worst: {where}."
            )
        if estimator == "bayes" and "converged_share" in rows and (rows["converged_share"] < 1).any():
            out.append(
                f"Some model fits did not converge (lowest converged share {rows['converged_share'].min():.0%}); "
                "the 90% coverage over converged fits alone is in results.csv (coverage_90_converged)."
            )
    return out


# --- files -------------------------------------------------------------------------------------------------------


def _write(analysis: SweepAnalysis, *, cfg: ReportConfig, out: Path) -> None:
    analysis.results.to_csv(out / "results.csv", index=False)
    analysis.sensitivity.to_csv(out / "sensitivity.csv", index=False)
    analysis.breakdowns.to_csv(out / "breakdown.csv", index=False)
    figures = _figures(analysis, out=out, level=cfg.level) if cfg.plots and not analysis.results.empty else []
    blocks = report_blocks(analysis, figures=figures, flip_share=cfg.flip_share, level=cfg.level)
    (out / "report.md").write_text(to_markdown(blocks, relative_to=out))
    (out / "report.html").write_text(to_html(blocks, title=f"benchgap report: {analysis.sweep.path.name}"))


def _figures(analysis: SweepAnalysis, *, out: Path, level: int) -> list[Figure]:
    from benchgap import sweep_figures as draw

    results, sweep = analysis.results, analysis.sweep
    params = _varying(sweep, results)
    continuous = sweep.design is not None
    gap = f"{results['a'].iloc[0]} - {results['b'].iloc[0]}"
    figures = []
    for param in params:
        others = [p for p in params if p != param]
        slug = param.replace(".", "_")
        path = out / f"gap_vs_{slug}.png"
        draw.gap_vs_parameter(results, param=param, others=others, path=path, gap=gap, continuous=continuous)
        figures.append(Figure(path, f"Estimated vs true gap as {param} varies (band: 5-95% of replicate worlds)."))
        path = out / f"coverage_vs_{slug}.png"
        draw.coverage_vs_parameter(results, param=param, others=others, path=path, level=level, continuous=continuous)
        figures.append(Figure(path, f"{level}% interval coverage of the true gap as {param} varies."))
    pairs = [] if continuous else [(a, b) for i, a in enumerate(params) for b in params[i + 1 :]][:3]
    for rows, columns in pairs:
        tag = f"{rows.replace('.', '_')}__{columns.replace('.', '_')}"
        path = out / f"heatmap_sign_flip__{tag}.png"
        title = "Share of worlds with the wrong sign"
        draw.heatmap(results, rows=rows, columns=columns, value="sign_error_rate", path=path, title=title)
        figures.append(Figure(path, f"Sign-flip probability over {rows} x {columns}."))
        path = out / f"heatmap_bias__{tag}.png"
        title = f"Bias: mean estimate minus true gap ({gap})"
        draw.heatmap(results, rows=rows, columns=columns, value="bias", path=path, title=title, diverging=True)
        figures.append(Figure(path, f"Bias of the estimated gap over {rows} x {columns} (score points)."))
    if params:
        swings, baselines = {}, {}
        for output, estimator, _ in OUTPUTS:
            rows_ = results[results["estimator"] == estimator]
            column = {"apparent gap": "mean_estimate", "naive wrong-sign share": "sign_error_rate"}.get(output, "bias")
            if rows_.empty or output == "naive error":  # with the truth fixed across jobs it mirrors the gap
                continue
            swings[output] = swing(rows_, params=params, output=column, continuous=continuous)
            baselines[output] = float(rows_[column].mean())
        path = out / "tornado.png"
        draw.tornado(swings, baselines=baselines, path=path, continuous=continuous)
        caption = "Tornado chart: how far each parameter moves each output, " + (
            "along its bins, the others averaged."
            if continuous
            else "in the setting of the others where it moves it most."
        )
        figures.append(Figure(path, caption))
    if not analysis.sensitivity.empty:
        path = out / "sensitivity.png"
        draw.sobol_bars(analysis.sensitivity, path=path)
        figures.append(Figure(path, "Sensitivity indices with 95% intervals."))
    return figures


def report_blocks(analysis: SweepAnalysis, *, figures: list[Figure], flip_share: float, level: int) -> list[Block]:
    """The report as document blocks (``benchgap.document`` renders them to Markdown and HTML)."""
    sweep, results = analysis.sweep, analysis.results
    params = _varying(sweep, results)
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
    findings = verdict(analysis, flip_share=flip_share, level=level)
    blocks += [Heading("Verdict"), *(Paragraph(text, strong=i == 0) for i, text in enumerate(findings))]
    blocks += [Heading("What was swept"), _swept_table(sweep)]
    if sweep.fixed:
        blocks.append(Paragraph("Every job also had: " + ", ".join(f"{k}={v}" for k, v in sweep.fixed.items()) + "."))
    if not results.empty:
        a, b = results["a"].iloc[0], results["b"].iloc[0]
        blocks += [Heading("Results per job"), _results_table(results, params, level=level)]
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
    blocks += [Paragraph(note, warning=True) for note in analysis.notes]
    if figures:
        blocks.append(Heading("Figures"))
        blocks += figures
    if problems:
        blocks += [
            Heading("Failed, missing and other jobs without a result"),
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
    rows.append(["jobs", f"{len(sweep.jobs)} ({finished} finished, {len(sweep.jobs) - finished} without a result)"])
    return Table(["parameter", "values"], rows)


def _order(text: str) -> tuple[bool, float, str]:
    """Numbers first and in numeric order, then names."""
    value = parameter_value(text)
    return (not isinstance(value, float), value if isinstance(value, float) else 0.0, text)


def _results_table(results: pd.DataFrame, params: list[str], *, level: int) -> Table:
    naive = results[results["estimator"] == "composite"].set_index("job")
    model = results[results["estimator"] == "bayes"].set_index("job")
    a = results["a"].iloc[0]
    header = ["job", *params, "true gap", f"{a} ahead", "naive", "naive wrong sign", f"naive {level}% cov."]
    if not model.empty:
        header += ["model", "model wrong sign", f"model {level}% cov.", "converged"]
    rows = []
    for job, row in naive.iterrows():
        cells = [str(job), *[_value(row[p]) for p in params]]
        cells += [f"{row['mean_truth']:+.3f}", f"{row['truth_a_ahead_share']:.0%}"]
        cells += [f"{row['mean_estimate']:+.3f}", f"{row['sign_error_rate']:.0%}", _number(row[f"coverage_{level}"])]
        if not model.empty:
            if job in model.index:
                m = model.loc[str(job)]
                cells += [
                    f"{m['mean_estimate']:+.3f}",
                    f"{m['sign_error_rate']:.0%}",
                    _number(m[f"coverage_{level}"]),
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
        value = r["breakdown"]
        shown = "never" if not np.isfinite(value) else (f"{value:.0%}" if weights else f"{value:.3g}")
        rows.append(
            [
                r["parameter"],
                "naive" if r["estimator"] == "composite" else "model",
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
