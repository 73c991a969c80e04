"""Figures of a fit: capability forest, gap posterior, convergence rank plots, posterior predictive check."""

from pathlib import Path

import numpy as np

from benchgap.estimands import FitEstimates
from benchgap.fitting import FitResult
from benchgap.plotting import A_COLOR, B_COLOR, OTHER_COLOR, plt, save_figure
from benchgap.posterior import predictive_intervals
from benchgap.table import ScoreTable
from benchgap.trend import TrendEstimate

MAX_FOREST_ROWS = 45


def forest(estimates: FitEstimates, path: Path) -> None:
    """Latent capability of each model with its interval, best first, coloured by group."""
    gap = estimates.gap
    rows = sorted(estimates.models, key=lambda m: -m.theta_mean)
    shown = rows[:MAX_FOREST_ROWS]
    for group in (gap.a, gap.b):  # keep each compared group's leaders visible on big tables
        shown += [m for m in rows if m.group == group and m not in shown][
            : max(0, 5 - sum(s.group == group for s in shown))
        ]
    shown = sorted(shown, key=lambda m: -m.theta_mean)
    colors = {gap.a: A_COLOR, gap.b: B_COLOR}
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.24 * len(shown)))
    y = np.arange(len(shown))[::-1]
    for yi, m in zip(y, shown, strict=True):
        c = colors.get(m.group, OTHER_COLOR)
        ax.plot(m.theta_interval, [yi, yi], color=c, lw=2)
        ax.plot(m.theta_mean, yi, "o", color=c, ms=4)
    ax.set_yticks(y, [f"{m.model} ({m.group})" for m in shown], fontsize=7)
    ax.set_xlabel(f"latent capability (logit scale; {gap.interval_prob:.0%} {_kind(gap.interval_kind)})")
    title = "Capability by model"
    if len(shown) < len(rows):
        title += f" (top {len(shown)} of {len(rows)})"
    ax.set_title(title)
    handles = [plt.Line2D([], [], color=c, lw=2, label=g) for g, c in colors.items()]
    handles.append(plt.Line2D([], [], color=OTHER_COLOR, lw=2, label="other groups"))
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    save_figure(fig, path)


def gap_posterior(estimates: FitEstimates, path: Path) -> None:
    """Posterior of the best-vs-best gap on the latent and the composite-score scale, with P(a ahead)."""
    gap = estimates.gap
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    panels = (
        ("gap_latent", gap.latent, "latent capability gap (logit scale)", None),
        ("gap_score", gap.score, "composite score gap (fraction of items)", gap.lenses["mean_score"].gap),
    )
    for ax, (name, summary, label, lens) in zip(axes, panels, strict=True):
        draws = estimates.draws[name].ravel()
        ax.hist(draws, bins=60, color="#7a9cc6", alpha=0.8, density=True)
        lo, hi = summary.interval
        ax.axvspan(
            lo,
            hi,
            color="#1f5fa8",
            alpha=0.12,
            label=f"{gap.interval_prob:.0%} {_kind(gap.interval_kind)} [{lo:.3f}, {hi:.3f}]",
        )
        ax.axvline(0, color="black", lw=1)
        ax.axvline(summary.mean, color="#1f5fa8", lw=1.5, label=f"posterior mean {summary.mean:.3f}")
        if lens is not None:
            ax.axvline(lens, color=B_COLOR, ls="--", lw=1.5, label=f"naive mean-score gap {lens:.3f}")
        ax.set_xlabel(f"{label}; > 0: {gap.a} ahead")
        ax.set_yticks([])
        ax.set_title(f"best {gap.a} vs best {gap.b}: P({gap.a} ahead) = {summary.prob_a_ahead:.2f}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    save_figure(fig, path)


def convergence(posterior_draws: dict[str, np.ndarray], path: Path) -> None:
    """Rank plots (Vehtari et al. 2021): per chain, the histogram of pooled ranks should be flat."""
    names = list(posterior_draws)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        values = posterior_draws[name]
        chains, draws = values.shape
        ranks = _pooled_ranks(values)
        bins = np.linspace(0, chains * draws, 21)
        for c in range(chains):
            counts, _ = np.histogram(ranks[c], bins=bins)
            ax.step(bins[:-1], counts + c * draws / 20 * 1.5, where="post", lw=1)
            ax.axhline(draws / 20 + c * draws / 20 * 1.5, color="grey", lw=0.5, ls=":")
        ax.set_title(name, fontsize=9)
        ax.set_yticks([])
        ax.set_xlabel("pooled rank (one line per chain)")
    fig.suptitle("Rank plots: flat lines mean the chains agree", fontsize=10)
    save_figure(fig, path)


def _pooled_ranks(values: np.ndarray) -> np.ndarray:
    flat = values.ravel()
    ranks = np.empty(flat.size)
    ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    return ranks.reshape(values.shape)


def predictive_check(table: ScoreTable, replicates: np.ndarray, path: Path, *, prob: float) -> None:
    """Observed scores against their posterior predictive intervals."""
    lo, hi = predictive_intervals(replicates, prob=prob)
    mean = replicates.mean(axis=0)
    inside = (table.score >= lo) & (table.score <= hi)
    fig, ax = plt.subplots(figsize=(5.5, 5.2))
    ax.errorbar(mean, table.score, xerr=[mean - lo, hi - mean], fmt="none", ecolor="#bbbbbb", lw=0.6)
    ax.scatter(mean[inside], table.score[inside], s=8, color="#1f5fa8", label="inside interval")
    ax.scatter(mean[~inside], table.score[~inside], s=10, color=B_COLOR, label="outside interval")
    ax.plot([0, 1], [0, 1], color="black", lw=0.8)
    ax.set_xlabel(f"predicted score (posterior predictive mean, {prob:.0%} interval)")
    ax.set_ylabel("observed score")
    ax.set_title(f"Posterior predictive check: {inside.mean():.0%} inside {prob:.0%} intervals", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    save_figure(fig, path)


TREND_PANELS = (
    ("latent", "latent capability (sd of the table's capabilities)"),
    ("score", "capability composite score"),
    ("suite", "suite composite score"),
)


def frontiers(trend: TrendEstimate, path: Path, *, interval: str) -> None:
    """Each compared group's frontier over time with its band, one panel per scale."""
    dates = np.asarray(trend.dates)
    fig, axes = plt.subplots(1, len(TREND_PANELS), figsize=(4.3 * len(TREND_PANELS), 3.6))
    for ax, (scale, label) in zip(axes, TREND_PANELS, strict=True):
        for group, color in ((trend.a, A_COLOR), (trend.b, B_COLOR)):
            band = trend.frontiers[scale][group]
            ax.fill_between(dates, band.lo, band.hi, step="post", color=color, alpha=0.18)
            ax.step(dates, band.mean, where="post", color=color, lw=1.5, label=f"{group} frontier")
        ax.set_xlabel("date (decimal year)")
        ax.set_ylabel(label, fontsize=8)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Best model released so far, per group (posterior mean, {interval} bands)", fontsize=10)
    save_figure(fig, path)


def lag_over_time(trend: TrendEstimate, path: Path, *, interval: str) -> None:
    """The lag of b behind a (months) over the window with its band; below 0, b leads."""
    dates = np.asarray(trend.dates)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.fill_between(dates, trend.lag.lo, trend.lag.hi, color=B_COLOR, alpha=0.18, label=interval)
    ax.plot(dates, trend.lag.mean, color=B_COLOR, lw=1.5, label="posterior mean")
    ax.axhline(0, color="black", lw=0.8)
    ax.axhline(trend.lag_mean.mean, color="#555555", ls="--", lw=1, label=f"mean over window {trend.lag_mean.mean:.1f}")
    ax.set_xlabel("date (decimal year)")
    ax.set_ylabel(f"months {trend.b} trails {trend.a}")
    ax.set_title(f"Lag of {trend.b}'s frontier behind {trend.a}'s (below 0: {trend.b} leads)", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    save_figure(fig, path)


def draw_figures(result: FitResult, replicates: np.ndarray, folder: Path) -> dict[str, Path]:
    """Every figure of a fit, written into ``folder``; returns their paths by name (the report's order)."""
    estimates = result.estimates
    names = ("forest", "gap", "convergence", "ppc") + (("frontiers", "lag") if estimates.trend else ())
    figures = {name: folder / f"{name}.png" for name in names}
    forest(estimates, figures["forest"])
    gap_posterior(estimates, figures["gap"])
    convergence({k: estimates.draws[k] for k in ("gap_latent", "gap_score", "gap_group_mean")}, figures["convergence"])
    predictive_check(result.table, replicates, figures["ppc"], prob=0.9)
    if estimates.trend is not None:
        interval = f"{estimates.gap.interval_prob:.0%} {_kind(estimates.gap.interval_kind)}"
        frontiers(estimates.trend, figures["frontiers"], interval=interval)
        lag_over_time(estimates.trend, figures["lag"], interval=interval)
    return figures


def _kind(kind: str) -> str:
    return "HDI" if kind == "hdi" else "interval"
