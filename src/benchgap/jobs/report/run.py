"""``benchgap report``: what a simulate sweep found, as ``results.csv``, ``sensitivity.csv``, ``breakdown.csv``,
figures, ``report.md`` and a self-contained ``report.html`` in ``SWEEP_DIR/report/``.

Reads the finished jobs' files only (``benchgap.jobs.report.sweep``); never fits. Usable without Hydra:
``run_report(ReportConfig(sweep_dir="outputs/multirun/contamination_sweep"))``.
"""

import shutil
import tempfile
from pathlib import Path

from benchgap.config import ReportConfig
from benchgap.document import Figure, to_html, to_markdown
from benchgap.jobs.report.analysis import OUTPUTS, SweepAnalysis, analyse, varying
from benchgap.jobs.report.checks import check_report
from benchgap.jobs.report.page import report_blocks
from benchgap.jobs.report.sweep import REPORT_DIR, read_sweep
from benchgap.sensitivity import swing


def run_report(cfg: ReportConfig, *, expected: list[list[str]] | None = None) -> Path:
    """Analyse the sweep in ``cfg.sweep_dir`` and write ``SWEEP_DIR/report/`` whole (or not at all)."""
    check_report(cfg)
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


def _write(analysis: SweepAnalysis, *, cfg: ReportConfig, out: Path) -> None:
    analysis.results.to_csv(out / "results.csv", index=False)
    analysis.sensitivity.to_csv(out / "sensitivity.csv", index=False)
    analysis.breakdowns.to_csv(out / "breakdown.csv", index=False)
    figures = _figures(analysis, out=out, level=cfg.level) if cfg.plots and not analysis.results.empty else []
    blocks = report_blocks(analysis, figures=figures, flip_share=cfg.flip_share, level=cfg.level)
    (out / "report.md").write_text(to_markdown(blocks, relative_to=out))
    (out / "report.html").write_text(to_html(blocks, title=f"benchgap report: {analysis.sweep.path.name}"))


def _figures(analysis: SweepAnalysis, *, out: Path, level: int) -> list[Figure]:
    from benchgap.jobs.report import figures as draw

    results, sweep = analysis.results, analysis.sweep
    params = varying(sweep, results)
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
