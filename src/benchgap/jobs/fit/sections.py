"""Sections of the fit report about what may move the gap besides the data: contamination and the priors; and the
number formats every section of the report uses."""

from benchgap.dimension_gaps import DimensionEstimate
from benchgap.document import Block, Heading, Paragraph, Table
from benchgap.estimands import GapEstimate
from benchgap.group_race import GroupLead, GroupRace, PairGap
from benchgap.loo import LooComparison
from benchgap.prior_sensitivity import THRESHOLD
from benchgap.rating_link import ArenaLink
from benchgap.records.fit_summary import ContaminationSummary, FitSummary, GapBrief
from benchgap.residuals import ResidualCheck
from benchgap.snapshots import SnapshotChange
from benchgap.summaries import shown_down
from benchgap.trend import TrendEstimate

ESTIMAND_ROWS = (
    ("score", "best vs best, composite score"),
    ("latent", "best vs best, latent"),
    ("group_mean", "group mean, latent"),
)


def interval_label(gap: GapEstimate) -> str:
    """``90% interval`` (equal-tailed) or ``90% HDI``."""
    return f"{gap.interval_prob:.0%} {'HDI' if gap.interval_kind == 'hdi' else 'interval'}"


def number(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None or x != x else f"{x:.{digits}f}"


def pair_text(pair: tuple[float, float], digits: int = 3) -> str:
    return f"[{number(pair[0], digits)}, {number(pair[1], digits)}]"


SENSITIVITY_LABELS = {
    "gap_score": "best vs best, composite score (capability)",
    "gap_suite": "best vs best, suite score",
    "gap_latent": "best vs best, latent",
    "gap_top_k": "top-k mean, latent",
    "gap_group_mean": "group mean, latent",
}


def sensitivity_blocks(s: FitSummary) -> list[Block]:
    """Power-scaling sensitivity of the gaps to the prior and to the likelihood."""
    if not s.prior_sensitivity:
        return []
    rows = [
        [SENSITIVITY_LABELS.get(name, name), f"{v.prior:.3f}", f"{v.likelihood:.3f}", v.diagnosis]
        for name, v in s.prior_sensitivity.items()
    ]
    flagged = [SENSITIVITY_LABELS.get(n, n) for n, v in s.prior_sensitivity.items() if v.prior >= THRESHOLD]
    words = (
        "No gap is prior-sensitive: the data, not the priors, set them."
        if not flagged
        else f"Prior-sensitive (above {THRESHOLD:g}): {', '.join(flagged)}; read them with the priors in mind "
        "(model.* sets them)."
    )
    return [
        Heading("Prior sensitivity"),
        Table(["gap", "prior sensitivity", "likelihood sensitivity", "diagnosis"], rows),
        Paragraph(
            "How far each gap's posterior moves when the prior (or the likelihood) is raised to a power near 1 "
            "(power-scaling, Kallioinen et al. 2024; cumulative Jensen-Shannon distance, importance-reweighted draws, "
            f"no refit). Above {THRESHOLD:g} a gap is sensitive; sensitive to both, prior and data disagree. " + words
        ),
    ]


def contamination_blocks(c: ContaminationSummary, a: str, b: str, interval_text: str) -> list[Block]:
    """``model=contamination_aware``: the gap with inflation removed beside the plain model's; what is flagged."""
    rows = []
    for name, label in ESTIMAND_ROWS:
        plain, deflated = getattr(c.plain_gap, name), getattr(c.deflated_gap, name)
        assert isinstance(plain, GapBrief) and isinstance(deflated, GapBrief)
        rows.append(
            [
                label,
                number(plain.mean),
                pair_text(plain.interval),
                number(deflated.mean),
                pair_text(deflated.interval),
                number(c.shift[name]),
            ]
        )
    blocks: list[Block] = [
        Heading("Contamination"),
        Paragraph(
            f"The contamination-aware model flags {c.flagged_cells} of {c.cells} scores as inflated (posterior "
            f"probability of inflation at least the flag threshold); the probabilities sum to "
            f"{c.expected_inflated_cells:.1f} expected inflated scores. The gap with inflation removed, beside "
            f"the plain model's on the same table ({a} minus {b}):"
        ),
        Table(
            [
                "estimand",
                "plain model",
                f"plain {interval_text}",
                "inflation removed",
                f"removed {interval_text}",
                "shift",
            ],
            rows,
        ),
    ]
    fits = (("plain", c.plain_gap), ("contamination-aware", c.deflated_gap))
    unconverged = [name for name, gaps in fits if not gaps.converged]
    if unconverged:
        blocks.append(
            Paragraph(
                f"NOT CONVERGED: the {' and the '.join(unconverged)} fit; its gap above is unreliable. Sample longer "
                "(sampler.draws, sampler.tune) or raise sampler.target_accept.",
                warning=True,
            )
        )
    return blocks + _flagged_blocks(c)


def _flagged_blocks(c: ContaminationSummary) -> list[Block]:
    blocks: list[Block] = []
    if c.flagged:
        blocks += [
            Paragraph("Flagged scores, most probable first (all cells are in inflation_cells.csv):"),
            Table(
                ["model", "group", "benchmark", "score", "P(inflated)", "points if inflated"],
                [
                    [
                        x["model"],
                        x["group"],
                        x["benchmark"],
                        number(x["score"]),
                        number(x["probability"], 2),
                        number(x["points_if_inflated"]),
                    ]
                    for x in c.flagged
                ],
            ),
        ]
    rows = [
        [
            m["model"],
            m["group"],
            str(m["scores"]),
            str(m["flagged"]),
            number(m["total_points"]),
            number(m["mean_points"]),
        ]
        for m in c.models[:10]
    ]
    return [
        *blocks,
        Paragraph("Models with the most inflation (posterior mean score points summed over their scores):"),
        Table(["model", "group", "scores", "flagged", "total points", "mean points"], rows),
    ]


TREND_ROWS = (
    ("lag_mean", "lag, averaged over the window (months)"),
    ("lag_min", "lag, smallest over the window (months)"),
    ("lag_max", "lag, largest over the window (months)"),
    ("lag_latest", "lag at the window's end (months)"),
    ("lag_slope", "lag's slope (months per year)"),
)


def trend_blocks(trend: TrendEstimate, interval: str) -> list[Block]:
    """The gap over time: the lag's summaries, the frontier gap's change per scale, and the link between eras."""
    start, end = trend.window
    rows = [
        [label, number(getattr(trend, key).mean, 1), pair_text(getattr(trend, key).interval, 1)]
        for key, label in TREND_ROWS
    ]
    for scale in trend.gap_change:
        change, slope = trend.gap_change[scale], trend.gap_slope[scale]
        rows.append([f"{scale} frontier gap, end minus start", number(change.mean), pair_text(change.interval)])
        rows.append([f"{scale} frontier gap, slope per year", number(slope.mean), pair_text(slope.interval)])
    closing = ", ".join(f"{name} {p:.2f}" for name, p in trend.prob_closing.items())
    blocks: list[Block] = [
        Heading("The gap over time"),
        Paragraph(
            f"Window {start:.2f} to {end:.2f} ({len(trend.dates)} dates). A group's frontier at a date is its best "
            f"model released by then. The lag is the months since {trend.a} first reached {trend.b}'s frontier "
            f"(negative: {trend.b} leads, and it is minus the months {trend.a} trails); it is the same on the latent "
            "and the capability-score scale, which rise together. Every number is a posterior over draws. "
            f"P(closing) (the slope runs toward zero): {closing}."
        ),
        Table(["estimand", "mean", interval], rows),
    ]
    eras = "; ".join(f"{e.first}-{e.second}: {e.shared_benchmarks}" for e in trend.eras) or "one release year only"
    blocks.append(Paragraph(f"Benchmarks shared by models of consecutive release years: {eras}."))
    blocks += [Paragraph(text, warning=True) for text in trend.warnings]
    return blocks


def dimension_blocks(dims: DimensionEstimate, a: str, b: str, interval: str) -> list[Block]:
    """The gap per capability dimension, each group's profile, and the correlation between dimensions."""
    rows = [
        [
            g.dimension,
            str(g.benchmarks),
            f"{g.best_a} / {g.best_b}",
            number(g.score.mean),
            pair_text(g.score.interval),
            number(g.latent.mean, 2),
            pair_text(g.latent.interval, 2),
            number(g.group_mean.mean, 2),
            f"{g.score.prob_a_ahead:.2f}",
        ]
        for g in dims.gaps
    ]
    groups = list(dims.gaps[0].profile)
    profile_rows = [[g.dimension, *(number(g.profile[name], 2) for name in groups)] for g in dims.gaps]
    names = [g.dimension for g in dims.gaps]
    correlation_rows = [[name, *(number(r, 2) for r in row)] for name, row in zip(names, dims.correlation, strict=True)]
    return [
        Heading("The gap per capability dimension"),
        Paragraph(dims.summary, strong=True),
        Paragraph(
            f"Each benchmark category has its own capability (model.dimensions=categories), on which only its own "
            f"benchmarks load; each is standardised over the table's models. Score gap: best {a} minus best {b} in "
            "the expected mean score over the category's benchmarks; latent: on the category's capability (sd of "
            f"the table's models); group mean: {a}'s mean capability minus {b}'s. P({a} ahead): of the score gap."
        ),
        Table(
            [
                "dimension",
                "benchmarks",
                f"best {a} / {b}",
                "score gap",
                interval,
                "latent",
                interval,
                "group mean",
                f"P({a} ahead)",
            ],
            rows,
        ),
        Paragraph("Group profiles: each group's mean capability per dimension (posterior mean, sd units):"),
        Table(["dimension", *groups], profile_rows),
        Paragraph("Correlation between dimensions (posterior mean; of the capabilities around their group means):"),
        Table(["", *names], correlation_rows),
    ]


def loo_blocks(comparison: LooComparison) -> list[Block]:
    """One number or several: the PSIS-LOO of the one- and the per-category fit, and which is preferred."""
    rows = [[f.model, number(f.elpd, 1), number(f.se, 1), number(f.p_loo, 1), str(f.high_k)] for f in comparison.fits]
    return [
        Heading("One number or several? (PSIS-LOO)"),
        Paragraph(comparison.verdict, strong=True),
        Paragraph(
            "The table fitted with one capability per model and with one per benchmark category, each scored by the "
            "expected log density of every score left out in turn (PSIS-LOO; higher is better). Clearly better: a "
            "difference over 4 and over twice its standard error. Pareto k > 0.7: cells whose left-out estimate is "
            "unreliable. The configured fit's pointwise log-likelihood is in posterior.nc (group log_likelihood)."
        ),
        Table(["model", "ELPD", "se", "p_loo", "cells with k > 0.7"], rows),
    ]


def residual_blocks(check: ResidualCheck, shown: int = 10) -> list[Block]:
    """Benchmark by benchmark: the posterior predictive check of each, worst first, and the residual correlation."""
    rows = [
        [
            f.benchmark,
            f.category,
            str(f.scores),
            number(f.residual_spread, 2),
            f"{number(f.largest_residual, 1)} ({f.largest_model})",
            number(f.coverage_90, 2),
        ]
        for f in check.benchmarks[:shown]
    ]
    more = len(check.benchmarks) - len(rows)
    return [
        Heading("Benchmark by benchmark: posterior predictive checks"),
        Paragraph(check.verdict, strong=True),
        Paragraph(
            "Each score's standardised residual: observed minus the mean of its posterior predictive scores, over "
            "their sd. Residual spread: their root mean square over a benchmark's scores (about 1 when the model "
            "fits it; larger: the benchmark varies more than the model says). Coverage: the share of its scores "
            "inside their 90% predictive interval. Residual correlation: of two benchmarks' residuals over the "
            "models scored on both (five or more), averaged over pairs in the same and in different categories, "
            "against random relabellings of the categories."
            + (f" The {shown} worst-fitted benchmarks of {len(check.benchmarks)} are shown." if more > 0 else "")
        ),
        Table(["benchmark", "category", "scores", "residual spread", "largest residual", "90% coverage"], rows),
    ]


def snapshot_blocks(change: SnapshotChange, interval: str) -> list[Block]:
    """The gap in each snapshot, its change, and the change split into the suite's part and the models' part."""
    rows = [
        [
            f"snapshot '{g.snapshot}'",
            ", ".join(f"{k} {n}" for k, n in g.models.items()),
            number(g.score.mean),
            pair_text(g.score.interval),
            number(g.latent.mean),
            pair_text(g.latent.interval),
        ]
        for g in change.gaps
    ]
    rows.append(
        [
            "change, last minus first",
            "",
            number(change.change_score.mean),
            pair_text(change.change_score.interval),
            number(change.change_latent.mean),
            pair_text(change.change_latent.interval),
        ]
    )
    rows.append(
        ["of it: the suite's change", "", number(change.suite_part.mean), pair_text(change.suite_part.interval), "", ""]
    )
    rows.append(
        [
            "of it: the models' change",
            "",
            number(change.models_part.mean),
            pair_text(change.models_part.interval),
            "",
            "",
        ]
    )
    return [
        Heading("Snapshots"),
        Paragraph(
            "The snapshots are fitted jointly: a model listed in several has one capability, and every snapshot keeps "
            "its own benchmark parameters. Each snapshot's gap is best vs best among the models it lists, on its own "
            "benchmarks (equal weights). The suite's part of the change is the last snapshot's models on the last "
            "suite minus the same models on the first suite; the models' part is the rest."
        ),
        Table(["", "models", "score gap", interval, "latent gap", interval], rows),
    ]


def arena_blocks(link: ArenaLink) -> list[Block]:
    """``data.arena``: the rating link, the gap on the Arena's scale, and every match and non-match."""
    unmatched = ", ".join(link.arena_only) if link.arena_only else "none"
    return [
        Heading("Arena ratings and benchmarks together"),
        Paragraph(link.verdict),
        Table(
            ["Arena name", "table name"],
            [[arena, table] for arena, table in link.pairs],
        ),
        Paragraph(f"Rated models matching no model of the table (not fitted; see data.aliases): {unmatched}."),
    ]


def race_blocks(race: GroupRace, interval: str) -> list[Block]:
    """``gap.groups``: P(each group leads), and every pair's best-vs-best gap with its verdict."""
    return [
        Heading(f"{len(race.groups)} groups: who leads, and every pairwise gap"),
        Paragraph(
            "A group leads in a posterior draw when its best model is the best of all the listed groups' models; "
            "P(leads) is the share of draws in which it does (they sum to 1; shown rounded down). The likeliest best "
            "model is the group's best in the most draws."
        ),
        Table(
            ["group", "models", "P(leads), composite", "P(leads), latent", "likeliest best", "P(it is the best)"],
            [_lead_row(g) for g in race.leads],
        ),
        Table(
            ["a minus b", "score gap", interval, "P(a ahead)", "P(within rope)", "latent gap", interval],
            [_pair_row(p) for p in race.pairs],
        ),
        *(Paragraph(p.verdict) for p in race.pairs),
    ]


def _lead_row(lead: GroupLead) -> list[str]:
    return [
        lead.group,
        str(lead.models),
        shown_down(lead.prob_leads),
        shown_down(lead.prob_leads_latent),
        lead.likeliest_best,
        shown_down(lead.prob_likeliest_best),
    ]


def _pair_row(pair: PairGap) -> list[str]:
    return [
        f"{pair.a} - {pair.b}",
        f"{pair.score.mean:+.3f}",
        pair_text(pair.score.interval),
        shown_down(pair.score.prob_a_ahead),
        shown_down(pair.rope.prob_inside),
        f"{pair.latent.mean:+.2f}",
        pair_text(pair.latent.interval, 2),
    ]
