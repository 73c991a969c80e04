"""The calibration report: the verdict line, ``report.md`` and a self-contained ``report.html``."""

from pathlib import Path

import pandas as pd

from benchgap.diagnostics import thresholds
from benchgap.document import Block, Figure, Heading, Paragraph, Table, to_html, to_markdown
from benchgap.estimators import LEVELS, coverage_name, level_tag
from benchgap.metrics import coverage_text
from benchgap.records.calibrate_summary import CalibrateSummary, FamilyCheck

FAMILY_COLUMNS = (
    *("family", "variables", "result", "min p-value", "outside the 99% ECDF envelope", "histogram band violations"),
    *("pooled 50% coverage", "pooled 90% coverage", "spread p-value"),
)


def verdict(summary: CalibrateSummary) -> str:
    """One plain line: calibrated or not, and where not."""
    failed = [f"{name} ({_failure(f)})" for name, f in summary.families.items() if not f.passed]
    gap90 = summary.gap_coverage["gap_score"][coverage_name(0.9)]
    head = f"{summary.simulations} tables from the prior: "
    if not failed:
        return (
            head + "every rank is consistent with uniform (no pot_c uniformity test rejected, no rank-histogram band "
            "violation, and every family's pooled interval coverage matched its level; run-wise "
            f"level {summary.alpha:g}); the score gap's 90% intervals covered {gap90:.0%}."
        )
    return head + f"NOT calibrated in {'; '.join(failed)}; the score gap's 90% intervals covered {gap90:.0%}."


def _failure(family: FamilyCheck) -> str:
    """What failed in a family: its variables, and whether its intervals were too narrow or too wide."""
    parts = list(family.failed_variables[:3])
    if not family.spread_passed and family.coverage_90 is not None:
        side = "too narrow" if family.coverage_90 < 0.9 else "too wide"
        parts.append(f"intervals {side}: pooled 90% coverage {family.coverage_90:.2f}")
    return ", ".join(parts)


def report_blocks(summary: CalibrateSummary, checks: pd.DataFrame, figures: list[Figure]) -> list[Block]:
    blocks: list[Block] = [
        Heading("benchgap calibrate: simulation-based calibration of the fit model", 1),
        Paragraph(
            ("PASS. " if summary.passed else "FAIL. ") + verdict(summary),
            strong=summary.passed,
            warning=not summary.passed,
        ),
        _method_paragraph(summary),
        Heading("Families"),
        Table(
            list(FAMILY_COLUMNS),
            [
                [
                    name,
                    str(f.variables),
                    "pass" if f.passed else "FAIL: " + _failure(f),
                    f"{f.min_p_value:.3f}",
                    str(f.ecdf_envelope_exits),
                    str(f.histogram_band_violations),
                    "n/a" if f.coverage_50 is None else f"{f.coverage_50:.3f}",
                    "n/a" if f.coverage_90 is None else f"{f.coverage_90:.3f}",
                    "n/a" if f.spread_p_value is None else f"{f.spread_p_value:.3g}",
                ]
                for name, f in summary.families.items()
            ],
        ),
        *_coverage_blocks(summary),
        Heading("Gap estimands, per variable"),
        Table(
            ["variable", "p-value", "outside the 99% ECDF envelope", "histogram outside band"],
            [
                [
                    r["variable"],
                    f"{r['p_value']:.3f}",
                    str(r["ecdf_outside_envelope"]),
                    str(r["histogram_outside_band"]),
                ]
                for _, r in checks[checks["family"] == "gap"].iterrows()
            ],
        ),
    ]
    if figures:
        blocks += [Heading("Figures"), *figures]
    return blocks


def _method_paragraph(summary: CalibrateSummary) -> Paragraph:
    """What was checked and how, and how many fits converged."""
    limits = summary.convergence
    return Paragraph(
        "Each simulation draws the model's parameters from its priors, draws a score table from its measurement "
        "model, fits it, and ranks every true value among the posterior draws (Talts et al. 2018). Calibrated "
        "posteriors give uniform ranks. Checks per variable: the pot_c uniformity test of its randomised PIT "
        "(pointwise tests of the PIT-ECDF, combined) and the rank histogram inside a simultaneous binomial band; "
        "the PIT-ECDF's 99% simultaneous envelope is counted beside them as the figures show it, not as a check "
        "(a simulated envelope cannot resolve the per-variable level the run needs). Per family, pooled over its "
        "variables: do the 50% and 90% central intervals cover as often as they say (a z-test over simulations; "
        "this catches a posterior 10% too narrow, which the per-variable checks alone mostly pass). A calibrated "
        f"model fails the run with probability at most {summary.alpha:g} (Bonferroni over all checks). "
        f"Inference: {summary.inference}. Fits that met every convergence threshold "
        f"({thresholds(limits)}): {summary.converged_share:.0%} (R-hat above {limits.max_rhat:g} in "
        f"{summary.rhat_above_limit_share:.0%}, max {summary.max_rhat:.3f}; bulk ESS below "
        f"{limits.min_ess_bulk:g} in {summary.ess_below_limit_share:.0%}; too many divergences in "
        f"{summary.divergent_share:.0%}). Every fit is ranked: dropping the unconverged ones would bias the ranks "
        "(Talts et al. 2018)."
    )


def _coverage_blocks(summary: CalibrateSummary) -> list[Block]:
    tags = [level_tag(level) for level in LEVELS]
    return [
        Heading("Interval coverage of the gap estimands"),
        Table(
            ["estimand", *[f"{tag}%" for tag in tags]],
            [
                [name, *[f"{c[coverage_name(level)]:.2f}" for level in LEVELS]]
                for name, c in summary.gap_coverage.items()
            ],
        ),
        Paragraph(
            f"Central posterior intervals over {summary.simulations} simulations, each against the gap of its own "
            "prior draw. The 90% coverage with its exact binomial interval: "
            + "; ".join(
                f"{name} {coverage_text(c[coverage_name(0.9)], summary.simulations).replace('worlds', 'tables')}"
                for name, c in summary.gap_coverage.items()
            )
            + "."
        ),
    ]


def write_report(
    summary: CalibrateSummary, checks: pd.DataFrame, figures: list[tuple[Path, str]], *, out_dir: Path
) -> None:
    blocks = report_blocks(summary, checks, [Figure(path, caption) for path, caption in figures])
    (out_dir / "report.md").write_text(to_markdown(blocks, relative_to=out_dir))
    (out_dir / "report.html").write_text(to_html(blocks, title="benchgap calibrate"))
