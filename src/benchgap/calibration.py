"""Simulation-based calibration, the statistics: the rank of a true value among posterior draws, central-interval
coverage, and the uniformity checks of the ranks over simulations (Talts et al. 2018; Säilynoja, Bürkner and
Vehtari 2022). Plain arrays and tables in and out; ``benchgap calibrate`` draws the tables and fits them.
"""

from functools import cache

import numpy as np
import pandas as pd
from scipy.stats import binom, norm

from benchgap.estimators import LEVELS, level_tag

HISTOGRAM_BINS = 20
SPREAD_LEVELS = (0.5, 0.9)  # central-interval levels of the pooled spread check
FAMILY_SHARE = 0.5  # share of the run's false-alarm rate given to the pooled per-family checks
FORMAL_CHECKS = 2  # per variable: pot_c and the rank histogram's band
ENVELOPE_PROB = 0.99  # the PIT-ECDF envelope shown (and reported) beside the formal checks; as in the figures
ENVELOPE_SIMULATIONS = 5000  # resolves a 0.01 level to about a tenth
ENVELOPE_SEED = 214


def randomised_pit(ranks: np.ndarray, *, draws_kept: int, rng: np.random.Generator) -> np.ndarray:
    """``(rank + U) / (draws_kept + 1)`` with ``U ~ Uniform(0, 1)``: exactly uniform when the posterior is
    calibrated (the rank alone is discrete; its midpoint ``rank + 0.5`` is not uniform on [0, 1])."""
    return (np.asarray(ranks, float) + rng.random(np.shape(ranks))) / (draws_kept + 1)


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
    """Per variable: the ``pot_c`` uniformity p-value of its randomised PIT values (Tesso and Vehtari's pointwise
    test of the PIT-ECDF, with an exact level), and whether its rank histogram leaves a simultaneous binomial band
    (exact, Bonferroni over the bins). These two are the formal checks; they share ``(1 - FAMILY_SHARE) * alpha``
    (Bonferroni over two per variable; the pooled :func:`spread_checks` get the rest), so a calibrated model fails
    the whole run with probability at most ``alpha``. The PIT-ECDF's simultaneous envelope at
    ``ENVELOPE_PROB`` is reported beside them (``ecdf_outside_envelope``) as what the figure shows, not as a check:
    a simulated envelope cannot resolve the per-variable level of about 1e-5 a run of dozens of variables needs
    (1,000 simulations resolve 1e-3, and at that level a calibrated run of 40 variables would fail 4% of the time).
    Alone these checks are weak against a posterior a little too narrow: with 200 simulations they pass one 10% too
    narrow nearly always (``tests/test_calibrate.py``)."""
    import xarray as xr

    rng = np.random.default_rng(seed)
    out = []
    level = (1 - FAMILY_SHARE) * alpha / (FORMAL_CHECKS * ranks["variable"].nunique())
    edges = np.linspace(-0.5, draws_kept + 0.5, HISTOGRAM_BINS + 1)
    for (family, variable), part in ranks.groupby(["family", "variable"], sort=False):
        r = part["rank"].to_numpy()
        pit = randomised_pit(r, draws_kept=draws_kept, rng=rng)
        dataset = xr.Dataset({"pit": (("chain", "draw"), pit[None, :])})
        p_value = float(dataset.azstats.uniformity_test(dim=["chain", "draw"], method="pot_c")[0]["pit"])
        counts = np.histogram(r, bins=edges)[0]
        expected = binom(r.size, np.diff(edges) / (draws_kept + 1))  # a bin's count when ranks are uniform
        lo, hi = expected.ppf(level / HISTOGRAM_BINS / 2), expected.isf(level / HISTOGRAM_BINS / 2)
        outside_histogram = bool(((counts < lo) | (counts > hi)).any())
        passed = bool(p_value >= level and not outside_histogram)
        out.append(
            {"family": family, "variable": variable, "simulations": r.size, "p_value": p_value}
            | {"ecdf_outside_envelope": _outside_envelope(pit), "histogram_outside_band": outside_histogram}
            | {"passed": passed}
        )
    return pd.DataFrame(out)


def _outside_envelope(pit: np.ndarray) -> bool:
    """Whether the PIT-ECDF leaves its simultaneous ``ENVELOPE_PROB`` envelope (Säilynoja et al. 2022)."""
    eval_points, lower, upper = _envelope(pit.size)
    ecdf = np.searchsorted(np.sort(pit), eval_points, side="right") / pit.size
    return bool(((ecdf < lower) | (ecdf > upper)).any())


@cache
def _envelope(simulations: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The simultaneous envelope for ``simulations`` uniform values, with the points it is evaluated at: it depends
    only on their count, so it is simulated once per count (``ENVELOPE_SIMULATIONS`` times, seeded)."""
    from arviz_stats.ecdf_utils import get_pointwise_confidence_band, simulate_confidence_bands

    eval_points = np.arange(1, simulations) / simulations
    rng = np.random.default_rng(ENVELOPE_SEED)
    pointwise = simulate_confidence_bands(simulations, 1, eval_points, ENVELOPE_PROB, ENVELOPE_SIMULATIONS, rng)
    return (eval_points, *get_pointwise_confidence_band(pointwise, simulations, eval_points))


def spread_checks(ranks: pd.DataFrame, *, draws_kept: int, alpha: float, seed: int) -> pd.DataFrame:
    """Per family of variables: is the posterior as wide as it should be? Pooled over the family's variables.

    For each level in ``SPREAD_LEVELS``, each simulation's share of the family's variables whose central interval
    (from the randomised PIT) holds the truth; calibrated, its expectation is exactly the level. The mean over
    simulations is compared with the level by a z-test whose standard error comes from the spread of the
    per-simulation shares (simulations are independent; variables within one are not). A posterior too narrow
    covers too rarely at every level. The checks share ``FAMILY_SHARE * alpha`` (Bonferroni).
    """
    rng = np.random.default_rng([seed, 1])
    level = FAMILY_SHARE * alpha / (len(SPREAD_LEVELS) * ranks["family"].nunique())
    out = []
    for family, part in ranks.groupby("family", sort=False):
        pit = randomised_pit(part["rank"].to_numpy(), draws_kept=draws_kept, rng=rng)
        row: dict = {
            "family": family,
            "simulations": part["simulation"].nunique(),
            "variables": part["variable"].nunique(),
        }
        passed = True
        for interval in SPREAD_LEVELS:
            inside = pd.Series(np.abs(pit - 0.5) < interval / 2, index=part.index)
            shares = inside.groupby(part["simulation"]).mean()
            se = shares.std(ddof=1) / np.sqrt(shares.size) if shares.size > 1 else np.nan
            p_value = _z_test(shares.mean() - interval, se)
            tag = level_tag(interval)
            row |= {f"coverage_{tag}": float(shares.mean()), f"coverage_{tag}_se": float(se), f"p_value_{tag}": p_value}
            passed &= not p_value < level  # NaN (a single simulation): no evidence either way
        out.append(row | {"passed": bool(passed)})
    return pd.DataFrame(out)


def _z_test(difference: float, se: float) -> float:
    """Two-sided p-value of ``difference`` with standard error ``se`` (0 when a non-zero difference has none)."""
    if not np.isfinite(se):
        return float("nan")
    if se == 0:
        return 1.0 if difference == 0 else 0.0
    return float(2 * norm.sf(abs(difference) / se))
