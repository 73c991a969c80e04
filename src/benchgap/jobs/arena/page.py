"""The Arena reports: ``report.md`` and a self-contained ``report.html`` for a fitted file or a simulated study."""

from pathlib import Path

import numpy as np

from benchgap.arena_gaps import ArenaLens
from benchgap.config import ConvergenceConfig
from benchgap.diagnostics import thresholds
from benchgap.document import Block, Figure, Heading, Paragraph, Table, to_html, to_markdown
from benchgap.metrics import coverage_text
from benchgap.records.arena_summary import ArenaStudy, ArenaSummary
from benchgap.summaries import shown_down

METHOD = (
    "An Arena rating is a Bradley-Terry strength on an Elo-like scale: a gap of d points means the higher model wins "
    "a head-to-head vote (ties aside) with probability 1 / (1 + 10^(-d/400)). The scale's zero is arbitrary (LMArena "
    "pins one model's rating), so a ratio of two ratings, the 'x% behind' of a headline, changes when every rating "
    "is shifted by the same amount, while gaps and win probabilities do not. "
)
RATINGS_METHOD = (
    "Each published rating is read as a noisy measurement of the model's strength (standard error: the published 95% "
    "interval's half-width over 1.96, plus the rounding of a whole-point rating); strengths are pooled by group "
    "within each snapshot, so a model with few votes is pulled toward its group. Per posterior draw each group's best "
    "model is the strongest in that draw. Snapshots are separate leaderboards (LMArena re-fits and re-anchors each "
    "release), so a change between snapshots combines both snapshots' uncertainty; ratings' errors are taken as "
    "independent, which if anything widens the intervals (two ratings share their anchor's error)."
)
VOTES_METHOD = (
    "Votes are fitted by a Bradley-Terry likelihood with ties (Davidson 1970), strengths pooled by group; per "
    "posterior draw each group's best model is the strongest in that draw."
)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.2%}"


def _snapshot_rows(lens: ArenaLens) -> list[list[str]]:
    rows = []
    for g in lens.gaps:
        pub = g.published
        rows.append(
            [
                g.snapshot,
                f"{g.models_a} / {g.models_b}",
                f"{pub.best_a} ({pub.rating_a:.0f})" if pub else "",
                f"{pub.best_b} ({pub.rating_b:.0f})" if pub else "",
                f"{pub.gap:+.0f}" if pub else "",
                _pct(pub.ratio if pub else None),
                _pct(pub.ratio_shifted if pub else None),
                f"{g.gap.mean:+.0f} ({g.gap.interval[0]:+.0f} to {g.gap.interval[1]:+.0f})",
                f"{g.win.mean:.3f} ({g.win.interval[0]:.3f} to {g.win.interval[1]:.3f})",
                shown_down(g.gap.prob_a_ahead),
                f"{g.likeliest_best_a} ({g.prob_best_a:.2f}); {g.likeliest_best_b} ({g.prob_best_b:.2f})",
            ]
        )
    return rows


def _change_rows(lens: ArenaLens) -> list[list[str]]:
    return [
        [
            f"{c.before} to {c.after}",
            "" if c.published_gap is None else f"{c.published_gap:+.0f}",
            "" if c.published_ratio is None else f"{c.published_ratio * 100:+.2f}",
            f"{c.gap.mean:+.0f} ({c.gap.interval[0]:+.0f} to {c.gap.interval[1]:+.0f})",
            f"{c.win.mean:+.3f}",
            shown_down(1 - c.gap.prob_a_ahead),
            c.words,
        ]
        for c in lens.changes
    ]


def drift_text(summary: ArenaSummary) -> str:
    """One sentence: how far established models' ratings moved between snapshots, against their stated noise."""
    steps = summary.drift[:-1] if len(summary.drift) > 2 else summary.drift
    if not steps:
        return ""
    moved = np.median([d.rms_change for d in steps])
    stated = np.median([d.rms_stated for d in steps])
    text = (
        f"Models rated in consecutive snapshots moved by {moved:.1f} points (root mean square, median over "
        f"{len(steps)} steps, after the common shift) where their stated intervals allow {stated:.1f}: the snapshots "
        "share their errors (the votes accumulate), so change intervals that treat them as independent are cautious"
    )
    if len(summary.drift) > 2:
        whole = summary.drift[-1]
        text += (
            f"; from {whole.before} to {whole.after}, {whole.models} models moved by {whole.rms_change:.1f} points "
            f"(stated {whole.rms_stated:.1f})"
        )
    return text + "."


def drift_blocks(summary: ArenaSummary) -> list[Block]:
    rows = [
        [f"{d.before} to {d.after}", str(d.models), f"{d.rms_change:.1f}", f"{d.rms_stated:.1f}"] for d in summary.drift
    ]
    return [
        Heading("How much the same models' ratings moved"),
        Paragraph(drift_text(summary)),
        Table(["snapshots", "models in both", "rms change, points", "stated noise, points"], rows),
    ]


def race_blocks(summary: ArenaSummary, level: str) -> list[Block]:
    """``gap.groups``: P(each group leads) per snapshot, and the latest snapshot's pairs."""
    races = summary.races or []
    latest = races[-1]
    names = [lead.group for lead in latest.leads]
    blocks: list[Block] = [
        Heading(f"{len(names)} groups: who leads"),
        Paragraph(
            latest.verdict + " A group leads in a posterior draw when its strongest model is the strongest of all "
            "the listed groups' in that draw (probabilities rounded down)."
        ),
        Table(
            ["snapshot", *(f"P({name} leads)" for name in names), "likeliest best of each"],
            [
                [
                    race.snapshot,
                    *(shown_down(lead.prob_leads) for lead in race.leads),
                    "; ".join(f"{lead.likeliest_best} ({lead.prob_best:.2f})" for lead in race.leads),
                ]
                for race in races
            ],
        ),
        Paragraph(f"Every pair in {latest.snapshot}, best vs best:"),
        Table(
            ["a vs b", f"gap, points ({level})", f"P(a's best wins a vote) ({level})", "P(a ahead)"],
            [
                [
                    f"{pair.a} vs {pair.b}",
                    f"{pair.gap.mean:+.0f} ({pair.gap.interval[0]:+.0f} to {pair.gap.interval[1]:+.0f})",
                    f"{pair.win.mean:.3f} ({pair.win.interval[0]:.3f} to {pair.win.interval[1]:.3f})",
                    shown_down(pair.gap.prob_a_ahead),
                ]
                for pair in latest.pairs
            ],
        ),
    ]
    if summary.races_skipped:
        blocks.append(
            Paragraph(f"Snapshots in which a listed group has no rated model: {', '.join(summary.races_skipped)}.")
        )
    return blocks


def report_blocks(summary: ArenaSummary, figures: list[tuple[Path, str]], *, limits: ConvergenceConfig) -> list[Block]:
    lens, diag = summary.lens, summary.diagnostics
    level = f"{lens.interval_prob:.0%}"
    blocks: list[Block] = [
        Heading(f"benchgap arena: {lens.a} vs {lens.b} on {Path(summary.source).name}", 1),
        Paragraph(lens.verdict, strong=True),
    ]
    if lens.change_verdict:
        blocks.append(Paragraph(lens.change_verdict))
    if not diag.converged:
        blocks.append(Paragraph("The fit did not converge: " + "; ".join(diag.problems), warning=True))
    if lens.skipped:
        blocks.append(Paragraph(f"Snapshots without models of both groups, left out: {', '.join(lens.skipped)}."))
    blocks += [
        Heading("Best vs best, snapshot by snapshot"),
        Table(
            [
                *("snapshot", f"models {lens.a} / {lens.b}", f"best {lens.a} (rating)", f"best {lens.b} (rating)"),
                *("gap, points", "ratio (headline)", f"ratio, +{lens.shift:,.0f} points"),
                *(f"gap, posterior ({level})", f"win probability ({level})", f"P({lens.a} ahead)"),
                "likeliest best models (share of draws)",
            ],
            _snapshot_rows(lens),
        ),
    ]
    if lens.changes:
        blocks += [
            Heading("How much the gap moved"),
            Table(
                [
                    *("change", "by hand: gap, points", "by hand: ratio, percentage points"),
                    *(f"posterior: gap, points ({level})", "win probability", "P(fell)", "in words"),
                ],
                _change_rows(lens),
            ),
        ]
    if summary.races:
        blocks += race_blocks(summary, level)
    if summary.drift:
        blocks += drift_blocks(summary)
    blocks += [Figure(path, caption) for path, caption in figures]
    method = RATINGS_METHOD if summary.kind == "ratings" else VOTES_METHOD
    blocks += [
        Heading("Method"),
        Paragraph(METHOD + method),
        Paragraph(
            f"{summary.inference}; {summary.seconds:.0f} s. Convergence ({thresholds(limits)}): max R-hat "
            f"{diag.max_rhat:.3f}, min bulk ESS {diag.min_ess_bulk:.0f}, {diag.divergences} divergences."
        ),
    ]
    return blocks


def write_report(
    summary: ArenaSummary, figures: list[tuple[Path, str]], *, limits: ConvergenceConfig, out_dir: Path
) -> None:
    blocks = report_blocks(summary, figures, limits=limits)
    (out_dir / "report.md").write_text(to_markdown(blocks, relative_to=out_dir))
    (out_dir / "report.html").write_text(to_html(blocks, title="benchgap arena"))


def study_verdict(study: ArenaStudy) -> str:
    """One line: rank recovery and the coverage of the best-vs-best win probability's intervals."""
    return (
        f"{study.worlds} simulated vote worlds ({study.models} models, {study.votes:,} votes each): strengths "
        f"recovered with rank correlation {study.rank_correlation_mean:.3f} on average (lowest "
        f"{study.rank_correlation_min:.3f}); "
        f"the {study.interval_prob:.0%} intervals of the best-vs-best win probability covered the truth in "
        f"{coverage_text(study.coverage, study.worlds)}; mean absolute error {study.mean_abs_error:.3f}; "
        f"{study.converged} of {study.worlds} fits converged."
    )


def write_study_report(study: ArenaStudy, *, out_dir: Path) -> None:
    blocks: list[Block] = [
        Heading("benchgap arena: recovery on simulated votes", 1),
        Paragraph(study_verdict(study), strong=True),
        Paragraph(
            "Truth: each world's true strengths (rank correlation with the posterior means, every model) and the win "
            "probability of group a's strongest model against group b's (interval coverage). Votes are drawn from the "
            f"fitted model's own likelihood (Davidson ties). {study.inference}; {study.seconds:.0f} s."
        ),
    ]
    (out_dir / "report.md").write_text(to_markdown(blocks, relative_to=out_dir))
    (out_dir / "report.html").write_text(to_html(blocks, title="benchgap arena study"))
