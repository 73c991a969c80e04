"""Simulation-based calibration, the statistics: the rank of a true value among posterior draws, central-interval
coverage, and the uniformity checks of the ranks over simulations (Talts et al. 2018; Säilynoja, Bürkner and
Vehtari 2022). Plain arrays and tables in and out; ``benchgap calibrate`` draws the tables and fits them.
"""

import numpy as np
import pandas as pd
from scipy.stats import binom

from benchgap.estimators import LEVELS, level_tag

HISTOGRAM_BINS = 20


def rank_of(draws: np.ndarray, truth: float, *, draws_kept: int) -> dict[str, int]:
    """The truth's rank among ``cfg.draws_kept`` posterior draws thinned evenly across all chains (Talts et al.
    2018 thin to reduce autocorrelation, which would otherwise show as a false smile)."""
    flat = np.asarray(draws, float).reshape(-1)
    kept = flat[np.linspace(0, flat.size - 1, draws_kept).round().astype(int)]
    return {"rank": int((kept < truth).sum()), "draws_kept": draws_kept}


def covered(draws: np.ndarray, truth: float) -> dict[str, float]:
    """Whether the central posterior interval at each level holds the truth."""
    flat = np.asarray(draws, float).reshape(-1)
    out = {}
    for level in LEVELS:
        lo, hi = np.quantile(flat, [0.5 - level / 2, 0.5 + level / 2])
        out[f"covered_{level_tag(level)}"] = float(lo <= truth <= hi)
    return out


def uniformity_checks(ranks: pd.DataFrame, *, draws_kept: int, alpha: float, seed: int) -> pd.DataFrame:
    """Per variable: the ``pot_c`` uniformity p-value of its PIT values, and whether its PIT-ECDF leaves the
    simultaneous envelope or its rank histogram a simultaneous band. Each check runs at ``alpha`` divided by the
    number of checks in the run (three per variable; Bonferroni), so a calibrated model fails the whole run with
    probability at most ``alpha``; the histogram band is also Bonferroni-corrected over its bins."""
    import xarray as xr
    from arviz_stats.ecdf_utils import ecdf_pit

    rng = np.random.default_rng(seed)
    out = []
    level = alpha / (3 * ranks["variable"].nunique())
    edges = np.linspace(-0.5, draws_kept + 0.5, HISTOGRAM_BINS + 1)
    for (family, variable), part in ranks.groupby(["family", "variable"], sort=False):
        r = part["rank"].to_numpy()
        pit = (r + 0.5) / (draws_kept + 1)
        dataset = xr.Dataset({"pit": (("chain", "draw"), pit[None, :])})
        p_value = float(dataset.azstats.uniformity_test(dim=["chain", "draw"], method="pot_c")[0]["pit"])
        _, ecdf, lower, upper = ecdf_pit(pit, 1 - level, 1000, rng=rng)
        counts = np.histogram(r, bins=edges)[0]
        expected = binom(r.size, np.diff(edges) / (draws_kept + 1))  # a bin's count when ranks are uniform
        lo, hi = expected.ppf(level / HISTOGRAM_BINS / 2), expected.isf(level / HISTOGRAM_BINS / 2)
        outside_ecdf = bool(((ecdf < lower) | (ecdf > upper)).any())
        outside_histogram = bool(((counts < lo) | (counts > hi)).any())
        passed = bool(p_value >= level and not outside_ecdf and not outside_histogram)
        out.append(
            {"family": family, "variable": variable, "simulations": r.size, "p_value": p_value}
            | {"ecdf_outside_band": outside_ecdf, "histogram_outside_band": outside_histogram, "passed": passed}
        )
    return pd.DataFrame(out)
