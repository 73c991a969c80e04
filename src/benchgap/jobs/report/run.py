"""``benchgap report``: what a simulate sweep found, as ``results.csv``, ``sensitivity.csv``, ``breakdown.csv``,
figures, ``report.md`` and a self-contained ``report.html`` in ``SWEEP_DIR/report/``.

Reads the finished jobs' files only (``benchgap.jobs.report.sweep``); never fits. Usable without Hydra:
``run_report(ReportConfig(sweep_dir="outputs/multirun/contamination_sweep"))``.
"""

import shutil
import tempfile
from pathlib import Path

from benchgap.config import ReportConfig
from benchgap.document import to_html, to_markdown
from benchgap.jobs.report.analysis import SweepAnalysis, analyse
from benchgap.jobs.report.checks import check_report
from benchgap.jobs.report.figures import draw_figures
from benchgap.jobs.report.page import report_blocks
from benchgap.jobs.report.sweep import REPORT_DIR, read_sweep


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
    figures = draw_figures(analysis, out=out, level=cfg.level) if cfg.plots and not analysis.results.empty else []
    blocks = report_blocks(analysis, figures=figures, flip_share=cfg.flip_share, level=cfg.level)
    (out / "report.md").write_text(to_markdown(blocks, relative_to=out))
    (out / "report.html").write_text(to_html(blocks, title=f"benchgap report: {analysis.sweep.path.name}"))
