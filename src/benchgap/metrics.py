"""Truth against estimate: how well an estimator of a gap did, per replicate and over many.

Plain numbers in, plain numbers out: nothing here knows how the world was simulated or how the estimate was
made (``benchgap.simulate_job`` brings the two together).
"""

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

LEVELS = (0.5, 0.8, 0.9, 0.95)  # interval levels whose coverage is measured


def interval_columns(intervals: dict[float, tuple[float, float]], truth: float) -> dict[str, float | bool]:
    """``lo_90``, ``hi_90``, ``covered_90`` ... for each level; NaN bounds (no interval) give NaN coverage."""
    out: dict[str, float | bool] = {}
    for level in LEVELS:
        lo, hi = intervals.get(level, (np.nan, np.nan))
        tag = f"{round(level * 100)}"
        out[f"lo_{tag}"], out[f"hi_{tag}"] = lo, hi
        out[f"covered_{tag}"] = float(lo <= truth <= hi) if np.isfinite(lo) and np.isfinite(hi) else np.nan
    return out


def ranking_columns(estimated: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """Kendall's tau-b between the estimated and the true per-model values (1: the same order; 0: unrelated),
    and whether the estimator's top model is the true top model."""
    return {
        "kendall_tau": float(kendalltau(estimated, true).statistic),
        "top1_correct": float(np.argmax(estimated) == np.argmax(true)),
    }


def point_columns(estimate: float, truth: float) -> dict[str, float]:
    """Error, and whether the estimate's sign is wrong (a true gap of exactly 0 has no wrong sign)."""
    return {
        "estimate": estimate,
        "truth": truth,
        "error": estimate - truth,
        "sign_error": float(np.sign(estimate) != np.sign(truth) and truth != 0),
    }


def aggregate(rows: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Per estimator over replicates: bias, RMSE, coverage per level, sign-error rate, Kendall tau, top-1 rate.

    Coverage is the share of replicates whose interval holds the truth (``None`` for an estimator without
    intervals); its binomial standard error is ``sqrt(c (1 - c) / n)``, about 0.03 at n = 100 and c = 0.9.
    An estimator with convergence columns also gets ``coverage_90_converged``, over converged fits only, so a
    coverage figure never silently rests on fits that did not converge.
    """
    out: dict[str, dict[str, float | None]] = {}
    for name, group in rows.groupby("estimator", sort=False):
        summary: dict[str, float | None] = {
            "replicates": len(group),
            "mean_estimate": float(group["estimate"].mean()),
            "mean_truth": float(group["truth"].mean()),
            "bias": float(group["error"].mean()),
            "rmse": float(np.sqrt((group["error"] ** 2).mean())),
            "sign_error_rate": float(group["sign_error"].mean()),
            "kendall_tau": float(group["kendall_tau"].mean()),
            "top1_rate": float(group["top1_correct"].mean()),
        }
        for level in LEVELS:
            tag = f"{round(level * 100)}"
            covered = group[f"covered_{tag}"].dropna()
            summary[f"coverage_{tag}"] = float(covered.mean()) if len(covered) else None
        width = (group["hi_90"] - group["lo_90"]).dropna()
        summary["mean_width_90"] = float(width.mean()) if len(width) else None
        if "converged" in group and group["converged"].notna().any():
            converged = group[group["converged"] == 1]["covered_90"].dropna()
            summary |= {
                "coverage_90_converged": float(converged.mean()) if len(converged) else None,
                "converged_share": float(group["converged"].mean()),
                "max_rhat": float(group["max_rhat"].max()),
                "min_ess_bulk": float(group["min_ess_bulk"].min()),
                "divergences": int(group["divergences"].sum()),
            }
        out[str(name)] = summary
    return out
