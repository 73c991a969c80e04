"""Figures: of a fit (capability forest, gap posterior, convergence rank plots, posterior predictive check) and
of a simulate job (apparent vs true gap per estimator)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from benchgap.data import ScoreTable
from benchgap.estimands import FitEstimates
from benchgap.predict import predictive_intervals

A_COLOR, B_COLOR, OTHER_COLOR = "#1f5fa8", "#c8402a", "#9a9a9a"
MAX_FOREST_ROWS = 45


def forest(estimates: FitEstimates, path: Path) -> None:
    """Latent capability of each model with its HDI, best first, coloured by group."""
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
        ax.plot(m.theta_hdi, [yi, yi], color=c, lw=2)
        ax.plot(m.theta_mean, yi, "o", color=c, ms=4)
    ax.set_yticks(y, [f"{m.model} ({m.group})" for m in shown], fontsize=7)
    ax.set_xlabel(f"latent capability (logit scale; {gap.hdi_prob:.0%} HDI)")
    title = "Capability by model"
    if len(shown) < len(rows):
        title += f" (top {len(shown)} of {len(rows)})"
    ax.set_title(title)
    handles = [plt.Line2D([], [], color=c, lw=2, label=g) for g, c in colors.items()]
    handles.append(plt.Line2D([], [], color=OTHER_COLOR, lw=2, label="other groups"))
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    _save(fig, path)


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
        lo, hi = summary.hdi
        ax.axvspan(lo, hi, color="#1f5fa8", alpha=0.12, label=f"{gap.hdi_prob:.0%} HDI [{lo:.3f}, {hi:.3f}]")
        ax.axvline(0, color="black", lw=1)
        ax.axvline(summary.mean, color="#1f5fa8", lw=1.5, label=f"posterior mean {summary.mean:.3f}")
        if lens is not None:
            ax.axvline(lens, color=B_COLOR, ls="--", lw=1.5, label=f"naive mean-score gap {lens:.3f}")
        ax.set_xlabel(f"{label}; > 0: {gap.a} ahead")
        ax.set_yticks([])
        ax.set_title(f"best {gap.a} vs best {gap.b}: P({gap.a} ahead) = {summary.prob_a_ahead:.2f}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    _save(fig, path)


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
    _save(fig, path)


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
    _save(fig, path)


SIMULATED_PANELS = (
    ("score", "composite-score gap (fraction of items)", ("composite", "bayes")),
    ("win_rate", "HELM mean-win-rate gap", ("mean_win_rate",)),
    ("latent", "latent capability gap (sd of capability)", ("bayes_latent",)),
)
ESTIMATOR_STYLE = {
    "composite": ("naive weighted composite (binomial 90% CI)", "#c8402a", "o"),
    "bayes": ("Bayesian model (90% HDI)", "#1f5fa8", "s"),
    "mean_win_rate": ("HELM mean win rate", "#7a4fa0", "^"),
    "bayes_latent": ("Bayesian model (90% HDI)", "#1f5fa8", "s"),
}


def simulated_gaps(rows: pd.DataFrame, path: Path) -> None:
    """Apparent (estimated) vs true best-vs-best gap, one point per replicate, per scale and estimator."""
    panels = [p for p in SIMULATED_PANELS if rows["estimator"].isin(p[2]).any()]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.0), squeeze=False)
    for ax, (_, label, estimators) in zip(axes[0], panels, strict=True):
        shown = rows[rows["estimator"].isin(estimators)]
        low, high = (
            np.nanmin(shown[["truth", "estimate"]].to_numpy()),
            np.nanmax(shown[["truth", "estimate"]].to_numpy()),
        )
        pad = 0.05 * (high - low or 1.0)
        ax.plot(
            [low - pad, high + pad], [low - pad, high + pad], color="#555555", lw=0.8, ls="--", label="estimate = truth"
        )
        ax.axhline(0, color="#bbbbbb", lw=0.6)
        ax.axvline(0, color="#bbbbbb", lw=0.6)
        for name in estimators:
            part = shown[shown["estimator"] == name]
            if part.empty:
                continue
            text, color, marker = ESTIMATOR_STYLE[name]
            has_interval = part["lo_90"].notna().all()
            yerr = (
                np.vstack([part["estimate"] - part["lo_90"], part["hi_90"] - part["estimate"]])
                if has_interval
                else None
            )
            ax.errorbar(
                part["truth"],
                part["estimate"],
                yerr=yerr,
                fmt=marker,
                ms=4,
                color=color,
                alpha=0.75,
                elinewidth=0.7,
                label=text,
            )
        ax.set_xlabel(f"true {label}")
        ax.set_ylabel(f"estimated {label}")
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Apparent vs true gap (a - b) over replicate worlds", fontsize=10)
    _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ecdf_pit_figure(ranks: pd.DataFrame, path: Path, *, draws_kept: int) -> None:
    """PIT-ECDF minus the uniform CDF per variable, ArviZ's pot_c test marking points outside its 99% simultaneous
    region (Säilynoja et al. 2022; Tesso et al. 2026)."""
    import arviz_plots as azp
    from arviz_base import from_dict

    variables = list(dict.fromkeys(ranks["variable"]))
    table = ranks.pivot(index="simulation", columns="variable", values="rank")[variables]
    pit = (table.to_numpy(float) + 0.5) / (draws_kept + 1)  # (simulation, variable)
    tree = from_dict(
        {"prior_sbc": {"pit": pit[None, :, :]}}, dims={"pit": ["variable"]}, coords={"variable": variables}
    )
    # method "envelope" fails in arviz_plots 1.x (it passes a DataArray to np.linspace); "pot_c", the recommended
    # test, marks the points outside its 99% simultaneous region and prints the p-value in each panel.
    pc = azp.plot_ecdf_pit(tree, method="pot_c", envelope_prob=0.99, backend="matplotlib")
    pc.savefig(path, dpi=90)
    plt.close("all")


def rank_histograms(ranks: pd.DataFrame, path: Path, *, draws_kept: int, bins: int) -> None:
    """Rank histograms with the 99% band of a uniform histogram, one panel per variable."""
    from scipy.stats import binom

    variables = list(dict.fromkeys(ranks["variable"]))
    fig, axes = plt.subplots(1, len(variables), figsize=(3.6 * len(variables), 3.0), squeeze=False)
    edges = np.linspace(-0.5, draws_kept + 0.5, bins + 1)
    for ax, variable in zip(axes[0], variables, strict=True):
        r = ranks.loc[ranks["variable"] == variable, "rank"].to_numpy()
        expected = binom(r.size, 1 / bins)
        ax.axhspan(expected.ppf(0.005), expected.isf(0.005), color="grey", alpha=0.2, label="99% band per bin")
        ax.hist(r, bins=edges, color="#7a9cc6", edgecolor="white")
        ax.axhline(r.size / bins, color="black", lw=0.8)
        ax.set_title(variable, fontsize=9)
        ax.set_xlabel(f"rank of the truth among {draws_kept} draws")
    axes[0][0].set_ylabel("simulations")
    axes[0][0].legend(fontsize=7)
    _save(fig, path)
