"""Figures of a calibration run: PIT-ECDFs of the ranks and rank histograms with their uniform bands."""

from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.calibration import HISTOGRAM_BINS
from benchgap.plotting import plt, save_figure


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
    save_figure(fig, path)


def draw_figures(ranks: pd.DataFrame, folder: Path, *, draws_kept: int) -> list[tuple[Path, str]]:
    """Every figure of a calibration run, written into ``folder``; returns (path, caption) pairs in report order."""
    figures = []
    for family in dict.fromkeys(ranks["family"]):
        path = folder / f"ecdf_pit_{family}.png"
        ecdf_pit_figure(ranks[ranks["family"] == family], path, draws_kept=draws_kept)
        caption = f"PIT-ECDF minus the uniform CDF of the {family} ranks (pot_c marks points outside its region)."
        figures.append((path, caption))
    path = folder / "rank_histograms.png"
    rank_histograms(ranks[ranks["family"] == "gap"], path, draws_kept=draws_kept, bins=HISTOGRAM_BINS)
    figures.append((path, "Rank histograms of the gap estimands (uniform if calibrated)."))
    return figures
