"""The gap over time, per posterior draw: each group's frontier by release date, the lag in months, the change and
closing speed of the frontier gap, and whether the score scale's saturation explains a shrinking score gap.

The functionals are those of :mod:`benchgap.frontier`, applied to every draw of a fit (and, in ``benchgap simulate``,
to the world's true capabilities, so truth and estimate are the same functional). Dates are decimal years in and
out; lags are in months. The lag is **signed**: positive when group ``b`` trails (the months since ``a`` first
reached ``b``'s frontier), negative when ``b`` leads (minus the months ``a`` trails). It is computed on the latent
scale, which gives the capability score's lag too: the expected composite rises with capability, so both scales
have the same frontier models.
"""

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np

from benchgap.config import GapConfig, TrendConfig
from benchgap.errors import InputError
from benchgap.frontier import frontier, lag, slope_per_month
from benchgap.summaries import DrawSummary, credible_interval, direction_words, prob_toward_zero, shown_down
from benchgap.table import ScoreTable

SCALES = ("latent", "score", "suite")  # latent capability; capability composite; suite composite
MONTHS = 12.0


@dataclass(frozen=True)
class Band:
    """A series over the window's dates: posterior mean and interval per date."""

    mean: tuple[float, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]

    @classmethod
    def of(cls, draws: np.ndarray, gap: GapConfig) -> "Band":
        flat = draws.reshape(-1, draws.shape[-1])
        bounds = credible_interval(flat, gap.interval_prob, gap.interval, axis=0)
        return cls(_plain(flat.mean(axis=0)), _plain(bounds[:, 0]), _plain(bounds[:, 1]))


@dataclass(frozen=True)
class Era:
    """Two consecutive release years and the benchmarks that models of both were scored on."""

    first: int
    second: int
    shared_benchmarks: int


@dataclass(frozen=True)
class TrendEstimate:
    """The gap over time between groups ``a`` and ``b`` (``summary.json``'s ``trend`` block)."""

    a: str
    b: str
    window: tuple[float, float]  # decimal years
    dates: tuple[float, ...]  # the evaluation dates, decimal years
    frontiers: dict[str, dict[str, Band]]  # scale -> group -> its frontier over the dates
    gaps: dict[str, Band]  # scale -> a's frontier minus b's
    lag: Band  # months b trails a, per date (negative: b leads)
    lag_mean: DrawSummary  # time-averaged lag over the window (Epoch's estimand), months
    lag_min: DrawSummary  # the smallest lag over the window, per draw
    lag_max: DrawSummary  # the largest lag over the window, per draw
    lag_latest: DrawSummary  # the lag at the window's end
    lag_slope: DrawSummary  # months of lag gained per year (negative: closing)
    gap_change: dict[str, DrawSummary]  # scale -> the frontier gap at the end minus at the start
    gap_slope: dict[str, DrawSummary]  # scale -> least-squares slope of the frontier gap, per year
    prob_closing: dict[str, float]  # "lag" and each scale: P(the slope runs toward b catching up)
    saturation_share: float | None  # share of the score gap's relative shrinkage the latent gap does not show
    eras: tuple[Era, ...]  # consecutive release years and their shared benchmarks
    weakest_link: int | None  # the fewest shared benchmarks between consecutive eras
    warnings: tuple[str, ...]
    verdict: str


def default_window(table: ScoreTable, gap: GapConfig) -> tuple[float, float] | None:
    """From the later of the two groups' first dated releases to the table's last dated release; None when a group
    has no dated model."""
    release = table.known_covariates.model_release
    groups = np.asarray(table.groups)
    firsts = []
    for name in (gap.a, gap.b):
        dated = release[(groups == name) & np.isfinite(release)]
        if not dated.size:
            return None
        firsts.append(dated.min())
    return float(max(firsts)), float(np.nanmax(release))


def evaluation_dates(window: tuple[float, float], step_months: float) -> np.ndarray:
    """Dates from the window's start to its end, ``step_months`` apart (the end always included), decimal years."""
    start, end = window
    steps = int(np.floor((end - start) * MONTHS / step_months + 1e-9))
    dates = start + np.arange(steps + 1) * step_months / MONTHS
    return dates if np.isclose(dates[-1], end) else np.append(dates, end)


def check_window(table: ScoreTable, gap: GapConfig, trend: TrendConfig) -> tuple[float, float] | None:
    """The window the trend estimands use, or None when a compared group has no dated model; a given window must
    be ordered and start once both groups have a model out."""
    default = default_window(table, gap)
    if trend.window is None:
        return default
    start, end = trend.window if len(trend.window) == 2 else (np.nan, np.nan)
    if not start < end:
        raise InputError(f"trend.window={list(trend.window)} is not [from, to] with from < to; e.g. [2023.0, 2025.9]")
    if default is None:
        raise InputError(
            f"trend.window is set, but {table.source} has no dated model of '{gap.a}' or of '{gap.b}': give release "
            "dates (a model_release_date column or data.models) or unset trend.window"
        )
    if start < default[0]:
        raise InputError(
            f"trend.window starts at {start:g}, before both groups have a dated model ({default[0]:.2f}); "
            f"start it at {default[0]:.2f} or later"
        )
    return float(start), float(end)


def trend_draws(
    values: dict[str, np.ndarray], release: np.ndarray, in_a: np.ndarray, in_b: np.ndarray, dates: np.ndarray
) -> dict[str, np.ndarray]:
    """Per draw (``values[scale][..., model]``): frontiers, gaps and the signed lag at ``dates`` (decimal years).

    Keys: ``frontier_{scale}_a``, ``frontier_{scale}_b``, ``gap_{scale}`` (``[..., dates]``) and ``lag``
    (months, ``[..., dates]``).
    """
    months, at = release * MONTHS, dates * MONTHS
    out: dict[str, np.ndarray] = {}
    for scale, v in values.items():
        out[f"frontier_{scale}_a"] = frontier(v, release=months, in_group=in_a, at=at)
        out[f"frontier_{scale}_b"] = frontier(v, release=months, in_group=in_b, at=at)
        out[f"gap_{scale}"] = out[f"frontier_{scale}_a"] - out[f"frontier_{scale}_b"]
    latent = values["latent"]
    b_trails = lag(latent, release=months, in_a=in_a, in_b=in_b, at=at)
    a_trails = lag(latent, release=months, in_a=in_b, in_b=in_a, at=at)
    out["lag"] = np.where(out["gap_latent"] >= 0, b_trails, -a_trails)
    return out


def trend_scalars(series: dict[str, np.ndarray], dates: np.ndarray) -> dict[str, np.ndarray]:
    """The scalar functionals per draw: the lag's mean, range, latest value and slope per year; each scale's gap
    change (end minus start) and slope per year."""
    at = dates * MONTHS
    lags = series["lag"]
    out = {
        "lag_mean": lags.mean(axis=-1),
        "lag_min": lags.min(axis=-1),
        "lag_max": lags.max(axis=-1),
        "lag_latest": lags[..., -1],
        "lag_slope": slope_per_month(lags, at=at) * MONTHS,
    }
    for scale in SCALES:
        gaps = series.get(f"gap_{scale}")
        if gaps is not None:
            out[f"gap_change_{scale}"] = gaps[..., -1] - gaps[..., 0]
            out[f"gap_slope_{scale}"] = slope_per_month(gaps, at=at) * MONTHS
    return out


def estimate_trend(
    values: dict[str, np.ndarray], table: ScoreTable, *, gap: GapConfig, trend: TrendConfig
) -> tuple[TrendEstimate, dict[str, np.ndarray]] | None:
    """The trend block of a fit from the posterior ``values`` per scale (``(chain, draw, model)``), and its scalar
    draws (``trend_*``, for the convergence check); None when a compared group has no dated model."""
    window = check_window(table, gap, trend)
    if window is None:
        return None
    release = table.known_covariates.model_release
    groups = np.asarray(table.groups)
    in_a, in_b = groups == gap.a, groups == gap.b
    dates = evaluation_dates(window, trend.step_months)
    series = trend_draws(values, release, in_a, in_b, dates)
    scalars = trend_scalars(series, dates)
    summary = {name: DrawSummary.of(draws, gap.interval_prob, gap.interval) for name, draws in scalars.items()}
    closing = _prob_closing(series, scalars)
    eras, weakest = overlap_by_era(table)
    warnings = []
    if weakest is not None and weakest < trend.min_shared:
        thin = ", ".join(
            f"{e.first}-{e.second}: {e.shared_benchmarks}" for e in eras if e.shared_benchmarks < trend.min_shared
        )
        warnings.append(
            f"consecutive release years share fewer than {trend.min_shared} benchmarks ({thin}): the scale that "
            "links old and new models rests on few benchmarks, so the trend is fragile"
        )
    estimate = TrendEstimate(
        a=gap.a,
        b=gap.b,
        window=window,
        dates=_plain(dates),
        frontiers={
            scale: {
                name: Band.of(series[f"frontier_{scale}_{side}"], gap) for side, name in (("a", gap.a), ("b", gap.b))
            }
            for scale in values
        },
        gaps={scale: Band.of(series[f"gap_{scale}"], gap) for scale in values},
        lag=Band.of(series["lag"], gap),
        lag_mean=summary["lag_mean"],
        lag_min=summary["lag_min"],
        lag_max=summary["lag_max"],
        lag_latest=summary["lag_latest"],
        lag_slope=summary["lag_slope"],
        gap_change={scale: summary[f"gap_change_{scale}"] for scale in values},
        gap_slope={scale: summary[f"gap_slope_{scale}"] for scale in values},
        prob_closing=closing,
        saturation_share=saturation_share(series),
        eras=eras,
        weakest_link=weakest,
        warnings=tuple(warnings),
        verdict="",
    )
    estimate = dataclasses.replace(estimate, verdict=trend_verdict(estimate, gap))
    return estimate, {f"trend_{name}": draws for name, draws in scalars.items() if name in DIAGNOSED}


DIAGNOSED = ("lag_mean", "lag_latest", "gap_change_latent", "gap_change_score")  # checked for convergence


def _prob_closing(series: dict[str, np.ndarray], scalars: dict[str, np.ndarray]) -> dict[str, float]:
    """P(closing): for the lag, the share of draws whose slope runs toward zero from the side that draw's lag is on
    over the window (b trailing: the slope < 0); for each scale's gap, the same."""
    out = {"lag": prob_toward_zero(scalars["lag_slope"], series["lag"])}
    for scale in SCALES:
        if f"gap_slope_{scale}" in scalars:
            out[scale] = prob_toward_zero(scalars[f"gap_slope_{scale}"], series[f"gap_{scale}"])
    return out


def saturation_share(series: dict[str, np.ndarray]) -> float | None:
    """How much of the score gap's relative shrinkage over the window the latent gap does not share: ``(r_latent -
    r_score) / (1 - r_score)``, ``r`` each scale's posterior-mean gap at the end over that at the start, clipped to
    [0, 1]. 1: the latent gap kept its size and the score scale compressed it (saturation near 1); 0: the latent
    gap shrank as much. None when the score gap did not shrink or changed sign."""
    latent, score = (
        series[f"gap_{scale}"].reshape(-1, series["lag"].shape[-1]).mean(axis=0) for scale in ("latent", "score")
    )
    if not (score[0] * score[-1] > 0 and latent[0] * latent[-1] > 0):
        return None
    r_score, r_latent = score[-1] / score[0], latent[-1] / latent[0]
    if r_score >= 1:
        return None
    return float(np.clip((r_latent - r_score) / (1 - r_score), 0.0, 1.0))


def overlap_by_era(table: ScoreTable) -> tuple[tuple[Era, ...], int | None]:
    """Per pair of consecutive release years (of dated models): how many benchmarks have scores from models of both;
    and the fewest (None with fewer than two years)."""
    release = table.known_covariates.model_release
    year = np.where(np.isfinite(release), np.floor(release), np.nan)
    years = np.unique(year[np.isfinite(year)]).astype(int)
    cell_year = year[table.model_idx]
    scored = {y: set(np.unique(table.bench_idx[cell_year == y]).tolist()) for y in years}
    eras = tuple(Era(int(y0), int(y1), len(scored[y0] & scored[y1])) for y0, y1 in itertools.pairwise(years))
    return eras, (min(e.shared_benchmarks for e in eras) if eras else None)


def trend_verdict(estimate: TrendEstimate, gap: GapConfig) -> str:
    """Plain sentences on the lag and the closing, their words no stronger than the probabilities beside them."""
    a, b, level = estimate.a, estimate.b, f"{gap.interval_prob:.0%}"
    start, end = (_month(d) for d in estimate.window)
    latest, mean = estimate.lag_latest, estimate.lag_mean
    behind = b if latest.mean >= 0 else a
    ahead = a if behind == b else b
    sign = 1 if behind == b else -1
    lo, hi = sorted((sign * latest.interval[0], sign * latest.interval[1]))
    text = (
        f"At {end}, {behind} trails {ahead} by {sign * latest.mean:.1f} months ({level} interval {lo:.1f} to "
        f"{hi:.1f}); "
        f"averaged over {start} to {end}, {b} {'trails' if mean.mean >= 0 else 'leads'} {a} by "
        f"{abs(mean.mean):.1f} months ({level} interval of the lag {mean.interval[0]:.1f} to {mean.interval[1]:.1f}; "
        f"negative: {b} leads)."
    )
    p = estimate.prob_closing["lag"]
    slope = estimate.lag_slope.mean
    text += f" The lag {_closing_words(p, gap)}: P(closing) = {shown_down(p)}, {slope:+.1f} months per year."
    latent, score = estimate.prob_closing["latent"], estimate.prob_closing["score"]
    text += (
        f" The frontier gap in latent capability {_closing_words(latent, gap)} (P(closing) = {shown_down(latent)}), in "
        f"composite score {_closing_words(score, gap)} (P = {shown_down(score)})."
    )
    if estimate.saturation_share is not None and estimate.saturation_share >= 0.25:
        text += (
            f" About {estimate.saturation_share:.0%} of the score gap's relative shrinkage is the score scale "
            "compressing near its top (saturation): the latent gap shrank less."
        )
    return text


CLOSING_WORDS = (
    "is closing",
    "is likely closing",
    "is widening",
    "is likely widening",
    "may be closing or widening: not settled",
)


def _closing_words(p: float, gap: GapConfig) -> str:
    if not np.isfinite(p):
        return "has no direction (the groups are level)"
    return direction_words(p, gap, CLOSING_WORDS)


def _month(year: float) -> str:
    """A decimal year as YYYY-MM (2025.5 -> 2025-07)."""
    whole = int(np.floor(year + 1e-9))
    month = min(12, int(np.floor((year - whole) * MONTHS + 1e-6)) + 1)
    return f"{whole}-{month:02d}"


def _plain(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values).ravel())
