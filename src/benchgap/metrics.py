"""Truth against estimate: how well an estimator of a gap did, per replicate and over many.

Plain numbers in, plain numbers out: nothing here knows how the world was simulated or how the estimate was
made (``benchgap.scoring`` brings the two together).
"""

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest, kendalltau

from benchgap.estimators import LEVELS, coverage_name, level_tag


def interval_columns(intervals: dict[float, tuple[float, float]], truth: float) -> dict[str, float | bool]:
    """``lo_90``, ``hi_90``, ``covered_90`` ... for each level; NaN bounds (no interval) give NaN coverage."""
    out: dict[str, float | bool] = {}
    for level in LEVELS:
        lo, hi = intervals.get(level, (np.nan, np.nan))
        tag = level_tag(level)
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


def binomial_interval(share: float, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval of a proportion observed as ``share`` of ``n`` trials (exact; never too narrow)."""
    interval = binomtest(round(share * n), n).proportion_ci(confidence_level=level, method="exact")
    return float(interval.low), float(interval.high)


def coverage_text(share: float | None, n: int) -> str:
    """A coverage figure with what it rests on: ``0.90 (18 of 20 worlds; 95% CI 0.68 to 0.99)``."""
    if share is None or not np.isfinite(share) or n <= 0:
        return "n/a"
    low, high = binomial_interval(share, n)
    return f"{share:.2f} ({round(share * n)} of {n} worlds; 95% CI {low:.2f} to {high:.2f})"


def point_columns(estimate: float, truth: float) -> dict[str, float]:
    """Error, and whether the estimate's sign is wrong (a true gap of exactly 0 has no wrong sign)."""
    return {
        "estimate": estimate,
        "truth": truth,
        "error": estimate - truth,
        "sign_error": float(np.sign(estimate) != np.sign(truth) and truth != 0),
    }


def truth_columns(
    estimate: float, intervals: dict[float, tuple[float, float]], truth: float, suite_truth: float | None
) -> dict[str, Any]:
    """Error and interval coverage against the capability truth, then the same against the suite truth (``suite_``
    columns; NaN where there is none)."""

    def scored(against: float) -> dict[str, Any]:
        return point_columns(estimate, against) | interval_columns(intervals, against)

    out = scored(truth)
    suite = {name: np.nan for name in out} if suite_truth is None else scored(suite_truth)
    return out | {f"suite_{name}": value for name, value in suite.items() if name != "estimate"}


@dataclass(frozen=True)
class FitConvergence:
    """Over an estimator's fitted replicates: how many converged, and the worst diagnostics."""

    coverage_90_converged: float | None  # 90% coverage over converged fits only
    converged_share: float
    max_rhat: float
    min_ess_bulk: float
    divergences: int


@dataclass(frozen=True)
class SuiteScoring:
    """An estimator against the suite truth (the world's persistent cell scores), over its replicates."""

    mean_truth: float
    bias: float
    rmse: float
    sign_error_rate: float
    coverage: dict[str, float | None]  # by level tag ("90")

    def coverage_at(self, level: int) -> float | None:
        return self.coverage[str(level)]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in ("mean_truth", "bias", "rmse", "sign_error_rate")}
        return out | {coverage_name(int(tag)): value for tag, value in self.coverage.items()}

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "SuiteScoring":
        return cls(
            **{k: values[k] for k in ("mean_truth", "bias", "rmse", "sign_error_rate")},
            coverage={level_tag(level): values[coverage_name(level)] for level in LEVELS},
        )


@dataclass(frozen=True)
class EstimatorSummary:
    """One estimator over a job's replicate worlds (an entry of ``result.json``'s ``estimators``)."""

    replicates: int
    mean_estimate: float
    mean_truth: float
    bias: float
    rmse: float
    sign_error_rate: float
    kendall_tau: float
    top1_rate: float
    coverage: dict[str, float | None]  # by level tag ("90"): share of replicates whose interval holds the truth
    mean_width_90: float | None
    fit: FitConvergence | None = None  # estimators with a Bayesian fit
    suite: SuiteScoring | None = None  # the same estimator against the suite truth (not on the latent scale)

    def coverage_at(self, level: int) -> float | None:
        """Coverage of the ``level``% intervals (None: the estimator has no intervals)."""
        return self.coverage[str(level)]

    def to_json(self) -> dict[str, Any]:
        """The flat JSON entry: ``coverage_50`` ... beside the other numbers, as ``result.json`` has always had."""
        out: dict[str, Any] = {k: getattr(self, k) for k in POINT_KEYS}
        out |= {coverage_name(int(tag)): value for tag, value in self.coverage.items()}
        out["mean_width_90"] = self.mean_width_90
        if self.fit is not None:
            out |= vars(self.fit)
        out["suite"] = None if self.suite is None else self.suite.to_json()
        return out

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "EstimatorSummary":
        fit = None
        if "converged_share" in values:
            fit = FitConvergence(**{k: values[k] for k in FitConvergence.__dataclass_fields__})
        return cls(
            **{k: values[k] for k in POINT_KEYS},
            coverage={level_tag(level): values[coverage_name(level)] for level in LEVELS},
            mean_width_90=values["mean_width_90"],
            fit=fit,
            suite=SuiteScoring.from_json(values["suite"]) if values.get("suite") else None,
        )


POINT_KEYS = (
    "replicates",
    "mean_estimate",
    "mean_truth",
    "bias",
    "rmse",
    "sign_error_rate",
    "kendall_tau",
    "top1_rate",
)


def aggregate(rows: pd.DataFrame) -> dict[str, EstimatorSummary]:
    """Per estimator over replicates: bias, RMSE, coverage per level, sign-error rate, Kendall tau, top-1 rate.

    Coverage is the share of replicates whose interval holds the truth (``None`` for an estimator without
    intervals); its binomial standard error is ``sqrt(c (1 - c) / n)``, about 0.03 at n = 100 and c = 0.9.
    An estimator with convergence columns also gets ``coverage_90_converged``, over converged fits only, so a
    coverage figure never silently rests on fits that did not converge.
    """
    out: dict[str, EstimatorSummary] = {}
    for name, group in rows.groupby("estimator", sort=False):
        coverage = _coverage(group, "")
        width = (group["hi_90"] - group["lo_90"]).dropna()
        out[str(name)] = EstimatorSummary(
            replicates=len(group),
            mean_estimate=float(group["estimate"].mean()),
            mean_truth=float(group["truth"].mean()),
            bias=float(group["error"].mean()),
            rmse=float(np.sqrt((group["error"] ** 2).mean())),
            sign_error_rate=float(group["sign_error"].mean()),
            kendall_tau=float(group["kendall_tau"].mean()),
            top1_rate=float(group["top1_correct"].mean()),
            coverage=coverage,
            mean_width_90=float(width.mean()) if len(width) else None,
            fit=_fit_convergence(group),
            suite=_suite_scoring(group),
        )
    return out


def _coverage(group: pd.DataFrame, prefix: str) -> dict[str, float | None]:
    """Per level tag: the share of replicates whose interval holds the truth (``prefix`` ``suite_``: the suite's)."""
    coverage = {}
    for level in LEVELS:
        covered = group[f"{prefix}covered_{level_tag(level)}"].dropna()
        coverage[level_tag(level)] = float(covered.mean()) if len(covered) else None
    return coverage


def _suite_scoring(group: pd.DataFrame) -> SuiteScoring | None:
    if "suite_truth" not in group or not group["suite_truth"].notna().any():
        return None
    return SuiteScoring(
        mean_truth=float(group["suite_truth"].mean()),
        bias=float(group["suite_error"].mean()),
        rmse=float(np.sqrt((group["suite_error"] ** 2).mean())),
        sign_error_rate=float(group["suite_sign_error"].mean()),
        coverage=_coverage(group, "suite_"),
    )


def _fit_convergence(group: pd.DataFrame) -> FitConvergence | None:
    if "converged" not in group or not group["converged"].notna().any():
        return None
    converged = group[group["converged"] == 1]["covered_90"].dropna()
    return FitConvergence(
        coverage_90_converged=float(converged.mean()) if len(converged) else None,
        converged_share=float(group["converged"].mean()),
        max_rhat=float(group["max_rhat"].max()),
        min_ess_bulk=float(group["min_ess_bulk"].min()),
        divergences=int(group["divergences"].sum()),
    )


def randomized_pit(draws: np.ndarray, truth: float, u: float) -> float:
    """The randomized probability integral transform of ``truth`` under the posterior ``draws``:
    ``P(X < truth) + u P(X = truth)``, ``u ~ Uniform(0, 1)``. Uniform over worlds when the posterior is calibrated,
    also for an estimand with atoms (a lag set by release dates); Czado, Gneiting & Held 2009."""
    draws = np.asarray(draws).ravel()
    return float((draws < truth).mean() + u * (draws == truth).mean())


def pit_coverage(pit: pd.Series, level: float = 0.9) -> float | None:
    """The share of worlds whose randomized PIT lies inside the central ``level`` interval: the coverage of an
    equal-tailed interval, with ties at its ends split at random instead of always counted as covered."""
    values = pit.dropna()
    if not len(values):
        return None
    tail = (1 - level) / 2
    return float(((values > tail) & (values < 1 - tail)).mean())


CLOSING_BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def reliability_rows(probability: pd.Series, outcome: pd.Series) -> list[dict[str, float | int]]:
    """A reliability table: worlds binned by their predicted probability, each bin's mean prediction against the
    share of worlds where the event happened, with its exact binomial 95% interval."""
    frame = pd.DataFrame({"p": probability, "y": outcome}).dropna()
    rows: list[dict[str, float | int]] = []
    for low, high in itertools.pairwise(CLOSING_BINS):
        inside = frame[(frame["p"] >= low) & ((frame["p"] < high) | ((high == 1.0) & (frame["p"] <= 1.0)))]
        if not len(inside):
            continue
        share = float(inside["y"].mean())
        lo, hi = binomial_interval(share, len(inside))
        rows.append(
            {
                "low": low,
                "high": high,
                "worlds": len(inside),
                "mean_probability": float(inside["p"].mean()),
                "event_share": share,
                "event_share_lo": lo,
                "event_share_hi": hi,
            }
        )
    return rows
