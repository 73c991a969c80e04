"""Figures of a simulate job: the apparent against the true gap, one point per replicate world, per scale.

Each estimator is drawn against its own truth: the suite gap against the suite truth, the others against the
capability truth."""

from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.estimators import SCALE_LABELS, Estimator, Scale
from benchgap.plotting import A_COLOR, B_COLOR, plt, save_figure

STYLE = {  # colour and marker per estimator
    Estimator.composite: (B_COLOR, "o"),
    Estimator.bayes: (A_COLOR, "s"),
    Estimator.bayes_suite: ("#2a9d8f", "D"),
    Estimator.mean_win_rate: ("#7a4fa0", "^"),
    Estimator.bayes_latent: (A_COLOR, "s"),
    Estimator.composite_lag: (B_COLOR, "o"),
    Estimator.bayes_lag: (A_COLOR, "s"),
    Estimator.bayes_lag_latest: ("#2a9d8f", "D"),
    Estimator.composite_gap_change: (B_COLOR, "o"),
    Estimator.bayes_gap_change: (A_COLOR, "s"),
    Estimator.bayes_gap_change_score: (A_COLOR, "s"),
}


def simulated_gaps(rows: pd.DataFrame, path: Path) -> None:
    """Apparent (estimated) vs true best-vs-best gap, one point per replicate, per scale and estimator (the
    per-category gaps, one per category and replicate, are left to ``result.json``)."""
    present = [e for e in Estimator if (rows["estimator"] == e.value).any() and not e.per_dimension]
    scales = [s for s in Scale if any(e.scale is s for e in present)]
    fig, axes = plt.subplots(1, len(scales), figsize=(4.2 * len(scales), 4.0), squeeze=False)
    for ax, scale in zip(axes[0], scales, strict=True):
        mine = [e for e in present if e.scale is scale]
        shown = rows[rows["estimator"].isin([e.value for e in mine])].copy()
        shown["own_truth"] = np.where(
            shown["estimator"] == Estimator.bayes_suite.value, shown["suite_truth"], shown["truth"]
        )
        values = shown[["own_truth", "estimate"]].to_numpy()
        low, high = np.nanmin(values), np.nanmax(values)
        pad = 0.05 * (high - low or 1.0)
        ax.plot(
            [low - pad, high + pad], [low - pad, high + pad], color="#555555", lw=0.8, ls="--", label="estimate = truth"
        )
        ax.axhline(0, color="#bbbbbb", lw=0.6)
        ax.axvline(0, color="#bbbbbb", lw=0.6)
        for estimator in mine:
            _points(ax, shown[shown["estimator"] == estimator.value], estimator)
        ax.set_xlabel(f"true {SCALE_LABELS[scale]}")
        ax.set_ylabel(f"estimated {SCALE_LABELS[scale]}")
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Apparent vs true gap (a - b) over replicate worlds", fontsize=10)
    save_figure(fig, path)


def _points(ax: plt.Axes, part: pd.DataFrame, estimator: Estimator) -> None:
    """One estimator's replicates, with their 90% intervals where it has them."""
    color, marker = STYLE[estimator]
    has_interval = part["lo_90"].notna().all()
    yerr = np.vstack([part["estimate"] - part["lo_90"], part["hi_90"] - part["estimate"]]) if has_interval else None
    label = estimator.label.replace("interval", "90% interval")
    ax.errorbar(
        part["own_truth"],
        part["estimate"],
        yerr=yerr,
        fmt=marker,
        ms=4,
        color=color,
        alpha=0.75,
        elinewidth=0.7,
        label=label,
    )
