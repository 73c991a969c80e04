"""The fit report: ``report.md`` and a self-contained ``report.html``, built from the fit's summary."""

from pathlib import Path

from benchgap.diagnostics import thresholds
from benchgap.document import Block, Figure, Heading, Paragraph, Table, to_html, to_markdown
from benchgap.estimands import GapEstimate, ModelEstimate
from benchgap.jobs.fit.sections import (
    arena_blocks,
    contamination_blocks,
    dimension_blocks,
    interval_label,
    loo_blocks,
    number,
    pair_text,
    race_blocks,
    residual_blocks,
    sensitivity_blocks,
    snapshot_blocks,
    trend_blocks,
)
from benchgap.records.fit_summary import FitSummary, TableCounts
from benchgap.summaries import DrawSummary, Rope

TOP_MODELS = 15
FIGURE_CAPTIONS = {
    "gap": "Posterior of the best-vs-best gap; the dashed line is the naive mean-score gap.",
    "forest": "Latent capability by model with highest-density intervals.",
    "convergence": "Rank plots of the gap estimands (flat = chains agree).",
    "ppc": "Posterior predictive check: observed scores against predictive intervals.",
    "frontiers": "Frontier over time: each group's best model released so far, on three scales, with bands.",
    "lag": "Lag in months of group b's frontier behind group a's over the window, with its band.",
}
CAPABILITY = "capability: what the models would score on a fresh suite like this one"
SUITE = "suite score: on these benchmarks, with infinite items and re-runs"


def fit_report_blocks(s: FitSummary, figures: dict[str, Path]) -> list[Block]:
    """The fit report, from the summary and the figure files."""
    gap, diag = s.gap, s.diagnostics
    blocks: list[Block] = [Heading(f"benchgap fit: {gap.a} vs {gap.b}", 1)]
    if not diag.converged:
        blocks.append(
            Paragraph(
                "NOT CONVERGED: " + "; ".join(diag.problems) + ". Treat every number below as unreliable; "
                "sample longer (sampler.draws, sampler.tune) or raise sampler.target_accept.",
                warning=True,
            )
        )
    blocks.append(Paragraph(f"Verdict ({CAPABILITY}): " + gap.verdict, strong=True))
    if gap.suite is not None:
        blocks.append(Paragraph(f"On these benchmarks ({SUITE}): " + gap.suite.verdict))
    if s.snapshots is not None:
        blocks.append(Paragraph("Between snapshots: " + s.snapshots.verdict, strong=True))
    if s.trend is not None:
        blocks.append(Paragraph("Over time: " + s.trend.verdict, strong=True))
    if s.dimensions is not None:
        blocks.append(Paragraph(s.dimensions.summary, strong=True))
    if s.groups is not None:
        blocks.append(Paragraph(s.groups.verdict, strong=True))
    blocks += [*_data_blocks(s), *_gap_blocks(s)]
    if s.snapshots is not None:
        blocks += snapshot_blocks(s.snapshots, interval_label(gap))
    if s.trend is not None:
        blocks += trend_blocks(s.trend, interval_label(gap))
    if s.dimensions is not None:
        blocks += dimension_blocks(s.dimensions, gap.a, gap.b, interval_label(gap))
    if s.groups is not None:
        blocks += race_blocks(s.groups, interval_label(gap))
    if s.loo is not None:
        blocks += loo_blocks(s.loo)
    if s.residuals is not None:
        blocks += residual_blocks(s.residuals)
    if s.arena is not None:
        blocks += arena_blocks(s.arena)
    if s.contamination is not None:
        blocks += contamination_blocks(s.contamination, gap.a, gap.b, interval_label(gap))
    blocks += [*_model_blocks(s), *_tie_blocks(s), *_diagnostic_blocks(s)]
    if figures:
        blocks.append(Heading("Figures"))
        blocks += [Figure(path, FIGURE_CAPTIONS[name]) for name, path in figures.items()]
    return blocks


def _data_blocks(s: FitSummary) -> list[Block]:
    data = s.data
    return [
        Heading("Data"),
        Paragraph(
            f"Source: {s.source}. {data.n_models} models x {data.n_benchmarks} benchmarks, "
            f"{data.n_cells} observed scores, {data.n_missing} missing cells (they add no likelihood). "
            "Groups: " + ", ".join(f"{g} ({n})" for g, n in data.groups.items()) + ". "
            f"Measurement: {data.measurement.beta_binomial_cells} cells with item counts (beta-binomial), "
            f"{data.measurement.normal_stderr_cells} with standard errors (normal), "
            f"{data.measurement.beta_cells} plain proportions (beta)." + _chance_text(data) + _not_shares_text(data)
        ),
    ]


def _chance_text(data: TableCounts) -> str:
    if not data.chance:
        return " No chance floors: every benchmark's curve starts at 0."
    floors = ", ".join(f"{b} {c:g}" for b, c in data.chance.items())
    return f" Chance floors (the score of guessing; each curve starts there): {floors}; the others 0."


def _not_shares_text(data: TableCounts) -> str:
    if not data.not_shares:
        return ""
    listed = ", ".join(f"{b} ({metric})" for b, metric in data.not_shares.items())
    return (
        f" Scores that are not shares of items: {listed}. The model reads them as bounded scores in [0, 1] with no "
        "item noise: each benchmark's spread about the curve is learned (its concentration), and a composite that "
        "includes them mixes scales."
    )


def _gap_blocks(s: FitSummary) -> list[Block]:
    gap = s.gap
    a, b, interval_text = gap.a, gap.b, interval_label(gap)
    estimands = _estimands(gap)
    blocks: list[Block] = [
        Heading("The gap"),
        Table(
            ["estimand", "mean", "sd", interval_text, f"P({a} ahead)"],
            [
                [name, number(e.mean), number(e.sd), pair_text(e.interval), number(e.prob_a_ahead, 2)]
                for name, e in estimands
            ],
        ),
        Paragraph(
            "Two estimands on the composite-score scale. The capability gap is the model's curve: what the models "
            "would score on a fresh suite like this one; the verdict is about it. The suite gap is what they would "
            "score on these benchmarks with infinite items and re-runs: each cell's persistent score given its data. "
            "With one run per cell the model cannot tell a model's persistent strength on a benchmark from "
            "run-to-run noise, so the suite gap takes a share of each cell's departure from the curve, uniform in "
            f"{list(s.config.gap.run_share)}, as run noise; its interval is narrower, honest when the true share lies "
            "in that range, and too narrow when scores vary mostly from run to run (README, 'Two truths')."
        ),
        Paragraph(
            f"Relative score gap (as a share of {b}'s best composite score): {gap.score.relative_mean:.1%}, "
            f"{interval_text} {gap.score.relative_interval[0]:.1%} to {gap.score.relative_interval[1]:.1%}. "
            + _rope_text(gap.rope, a, b, "capability")
            + (_rope_text(gap.suite.rope, a, b, "suite score") if gap.suite is not None else "")
            + f"The verdict says 'ahead' at {s.config.gap.ahead:g} or more, 'likely ahead' at {s.config.gap.likely:g} "
            f"or more, and 'practically equivalent' when the region holds more than {s.config.gap.equivalent:g}."
        ),
        *_relative_blocks(s),
        *_weighting_blocks(s),
    ]
    return blocks + _aggregate_blocks(s)


def _weighting_blocks(s: FitSummary) -> list[Block]:
    """How far the suite gap (and with per-category capabilities the capability gap) moves when the benchmarks are
    weighted otherwise."""
    a = s.gap.a
    blocks: list[Block] = []
    for w, gap, scores in (
        (s.suite_weighting, "suite gap", "persistent scores"),
        (s.capability_weighting, "capability gap", "expected scores"),
    ):
        if w is None:
            continue
        flip = (
            "no reweighting reverses its sign"
            if w.flip_distance is None
            else f"moving {w.flip_distance:.0%} of the weight (total variation) reverses its sign"
        )
        (g05, g50, g95), (p05, p50, p95) = w.gap_quantiles, w.prob_a_ahead_quantiles
        blocks.append(
            Paragraph(
                f"Weights. The {gap}'s best models change with the weights: {flip} (of the posterior-mean {scores}). "
                f"Over {w.weightings} random weightings (Dirichlet({w.concentration:g})), its posterior mean runs "
                f"from {g05:+.3f} to {g95:+.3f} (5% to 95%; median {g50:+.3f}) and P({a} ahead) from {p05:.2f} to "
                f"{p95:.2f} (median {p50:.2f}); {w.sign_flip_share:.0%} of them reverse its sign."
            )
        )
    if blocks and s.capability_weighting is None:
        blocks.append(
            Paragraph(
                f"The capability gap's P({a} ahead) does not depend on the weights: with one capability per model, in "
                "every draw a group's best model is best on every benchmark."
            )
        )
    return blocks


def _aggregate_blocks(s: FitSummary) -> list[Block]:
    """The model's best-vs-best composites beside the aggregates leaderboards publish."""
    gap, a, b = s.gap, s.gap.a, s.gap.b
    lens_rows = [
        [
            name.replace("_", " "),
            lens.a_model,
            lens.b_model,
            number(lens.a),
            number(lens.b),
            number(lens.gap),
            f"{lens.relative:.1%}",
        ]
        for name, lens in gap.lenses.items()
    ]
    model_row = ["benchgap model: expected composite score (posterior mean)", _best(s.models, a), _best(s.models, b)]
    model_row += ["", "", number(gap.score.mean), f"{gap.score.relative_mean:.1%}"]
    model_rows = [*lens_rows, model_row]
    if gap.suite is not None:
        suite = gap.suite.score
        model_rows.append(
            [
                *("benchgap model: suite composite score (posterior mean)", _best(s.models, a, "suite_mean")),
                *(_best(s.models, b, "suite_mean"), "", "", number(suite.mean), f"{suite.relative_mean:.1%}"),
            ]
        )
    blocks: list[Block] = [
        Heading("Model estimate beside the published aggregates"),
        Table(["aggregate", f"best {a}", f"best {b}", a, b, "gap", "relative"], model_rows),
        Paragraph(
            "Mean score and mean win rate use observed cells only, as leaderboards publish them; the model's "
            "composite is the expected weighted score over the whole suite, missing cells predicted, with "
            "uncertainty. Mean win rate is on its own scale (share of pairwise wins), not in score points."
        ),
    ]
    if s.published_aggregate is not None:
        pub = s.published_aggregate
        blocks.append(
            Paragraph(
                f"The table's published aggregate column matches benchgap's recomputed mean win rate within "
                f"{pub.max_abs_diff_vs_mean_win_rate:.4f} over {pub.n_models} models."
            )
        )
    return blocks


def _estimands(gap: GapEstimate) -> list[tuple[str, DrawSummary]]:
    """Every gap the table shows: on the composite-score scale (capability, then suite), then latent."""
    k = gap.top_k.k
    estimands: list[tuple[str, DrawSummary | None]] = [
        ("best vs best, composite score (capability)", gap.score),
        (f"top-{k} mean, composite score (capability)", gap.score_top_k),
        ("group mean, composite score (capability)", gap.score_group_mean),
    ]
    if gap.suite is not None:
        estimands += [
            ("best vs best, suite score", gap.suite.score),
            (f"top-{k} mean, suite score", gap.suite.top_k),
            ("group mean, suite score", gap.suite.group_mean),
        ]
    estimands += [
        ("best vs best, latent capability", gap.latent),
        (f"top-{k} mean, latent", gap.top_k),
        ("group mean, latent", gap.group_mean),
    ]
    return [(name, e) for name, e in estimands if e is not None]


def _rope_text(rope: Rope, a: str, b: str, estimand: str) -> str:
    return (
        f"Around the region of practical equivalence (+-{rope.half_width:g}, {estimand}): "
        f"P({a} ahead by more than it) = {rope.prob_a_beyond:.3f}, P(inside) = {rope.prob_inside:.3f}, "
        f"P({b} ahead by more than it) = {rope.prob_b_beyond:.3f}. "
    )


def _relative_blocks(s: FitSummary) -> list[Block]:
    """The gap as the shares a headline may quote, with their intervals: which base, and what chance and saturation
    do to it."""
    relative, gap = s.gap.relative, s.gap
    if relative is None:
        return []
    interval = interval_label(gap)
    suite = gap.suite.relative if gap.suite is not None else None
    rows = []
    for label, name, percent in (
        (f'share of {gap.b}\'s best composite ("x% behind")', "of_b", True),
        (f"share of {gap.a}'s best composite", "of_a", True),
        (f"share of {gap.b}'s best, chance-corrected (p - c) / (1 - c)", "chance_corrected", True),
        (f"error ratio: {gap.b}'s missed items per {gap.a}'s, (1 - b) / (1 - a)", "error_ratio", False),
    ):
        row = [label]
        for shares in (relative, suite):
            if shares is not None:
                e = getattr(shares, name)
                row += [f"{e.mean:.1%}" if percent else f"{e.mean:.2f}", _share_interval(e.interval, percent)]
        rows.append(row)
    header = ["the best-vs-best gap as", "capability", interval]
    return [
        Table(header + (["suite score", interval] if suite is not None else []), rows),
        Paragraph(
            "The same gap is a larger share of the trailer's score than of the leader's; near a chance floor a score "
            "difference says little; near a score of 1 every gap shrinks while the error ratio shows how many more "
            "items one group's best still misses."
        ),
    ]


def _share_interval(pair: tuple[float, float], percent: bool) -> str:
    return f"[{pair[0]:.1%}, {pair[1]:.1%}]" if percent else pair_text(pair, 2)


def _model_blocks(s: FitSummary) -> list[Block]:
    gap, interval_text = s.gap, interval_label(s.gap)
    ranked = sorted(s.models, key=lambda m: -m.theta_mean)
    top = ranked[:TOP_MODELS]
    shown = top + [next(m for m in ranked if m.group == g) for g in (gap.a, gap.b) if all(m.group != g for m in top)]
    header = [
        "model",
        "group",
        "capability",
        interval_text,
        "rank",
        f"rank {interval_text}",
        "composite",
        "suite",
        "P(best in group)",
    ]
    rows = [
        [
            *(m.model, m.group, number(m.theta_mean, 2), pair_text(m.theta_interval, 2), number(m.rank_mean, 1)),
            *(pair_text(m.rank_interval, 0), number(m.composite_mean), number(m.suite_mean)),
            *(number(m.prob_best_in_group, 2), number(m.mean_score)),
            *(number(m.mean_win_rate), str(m.n_scores)),
        ]
        for m in shown
    ]
    blocks: list[Block] = [Heading("Models"), Table([*header, "mean score", "mean win rate", "scores"], rows)]
    if len(shown) < len(ranked):
        blocks.append(Paragraph(f"Top {TOP_MODELS} of {len(ranked)} models shown; all are in summary.csv."))
    return blocks


def _tie_blocks(s: FitSummary) -> list[Block]:
    rows = [
        [str(i + 1), ", ".join(group[:12]) + (f" ... (+{len(group) - 12})" if len(group) > 12 else "")]
        for i, group in enumerate(s.tie_groups[:8])
    ]
    return [
        Heading("Tie groups"),
        Paragraph(
            "Models in one group are not separated: the group's leader does not beat them with probability "
            f"{s.config.gap.decisive:g}. The first tie groups from the top:"
        ),
        Table(["tie group", "models"], rows),
    ]


def _diagnostic_blocks(s: FitSummary) -> list[Block]:
    diag, limits = s.diagnostics, s.config.convergence
    header = ["converged", "max R-hat", "min bulk ESS", "min tail ESS", "divergences", "mean tree depth", "step size"]
    row = [
        "yes" if diag.converged else "NO",
        number(diag.max_rhat),
        f"{diag.min_ess_bulk:.0f}",
        f"{diag.min_ess_tail:.0f}",
    ]
    row += [
        str(diag.divergences),
        number(diag.mean_tree_depth, 1),
        number(diag.step_size),
        f"{diag.chains} x {diag.draws}",
    ]
    row += [number(s.posterior_predictive.coverage_90, 2), number(s.seconds.sampling_and_compile, 1)]
    return [
        Heading("Diagnostics"),
        Table([*header, "chains x draws", "PPC 90% coverage", "sampling s"], [row]),
        Paragraph(f"Inference: {s.inference}. Thresholds: {thresholds(limits)}."),
        *sensitivity_blocks(s),
    ]


def _best(models: tuple[ModelEstimate, ...], group: str, by: str = "prob_best_in_group") -> str:
    """The group's most probable best model (by capability), or its model with the highest ``by``."""
    member = max((m for m in models if m.group == group), key=lambda m: getattr(m, by))
    return f"{member.model} (P = {member.prob_best_in_group:.2f})" if by == "prob_best_in_group" else member.model


def write_fit_report(s: FitSummary, figures: dict[str, Path], *, out_dir: Path) -> None:
    blocks = fit_report_blocks(s, figures)
    (out_dir / "report.md").write_text(to_markdown(blocks, relative_to=out_dir))
    (out_dir / "report.html").write_text(to_html(blocks, title=f"benchgap fit: {s.gap.a} vs {s.gap.b}"))
