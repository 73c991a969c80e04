"""How much each swept parameter moves a sweep's outputs: Sobol indices, grid variance shares, breakdown points.

Plain tables in, plain tables out: a row per sweep job with the swept parameters as columns. Nothing here reads
files or knows how a job was run (``benchgap.jobs.report`` reads the sweep folder and writes the report); the one
file it knows is a Saltelli design's ``design.json``.

Two designs, two estimators of the same quantities, the first-order index ``S_i = Var(E[Y | x_i]) / Var(Y)``
and the total index ``T_i = E[Var(Y | x_~i)] / Var(Y)`` (Saltelli et al. 2008, *Global Sensitivity Analysis*):

- a Saltelli design (``benchgap simulate -m experiment=sobol``): SALib's estimators (first order: Saltelli et
  al. 2010; total: Jansen 1999) with bootstrap confidence intervals;
- a full grid (Hydra's basic sweeper): the same ratios computed exactly over the grid, each grid value equally
  likely (a one-way ANOVA R^2 for ``S_i``; one minus the R^2 of all other parameters' cells for ``T_i``), with
  confidence intervals from resampling each job's replicate worlds. Categorical parameters (``weighting``,
  ``contamination.group``) need no coding. These ratios need the full grid (``complete_grid``). Morris
  screening needs its own trajectory design, which a grid is not, so grids get this regression measure.

Both describe the job-level output over the sweep's worlds: every job of a sweep draws the same worlds (one job
seed), so an index says how the output moves across settings for those worlds.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.records.files import read_json, write_json_atomic

DESIGN = "design.json"  # a Saltelli design, beside the sweep's jobs
BINS = 5  # a Saltelli design's parameter is cut into this many quantile bins for main effects (figures)
FLIP, ESTIMATE, TRUTH = "sign_error_rate", "mean_estimate", "mean_truth"  # job-level columns breakdowns read


@dataclass(frozen=True)
class Design:
    """A Saltelli design over ``[low, high]`` ranges: ``points`` has ``base_samples * (len(names) + 2)`` rows."""

    names: list[str]
    bounds: list[tuple[float, float]]
    base_samples: int
    seed: int
    points: np.ndarray  # (runs, parameters), in SALib's order (A, AB_1 .. AB_D, B per base sample)

    def problem(self) -> dict[str, object]:
        """SALib's description of the parameters."""
        return {"num_vars": len(self.names), "names": self.names, "bounds": [list(b) for b in self.bounds]}


def write_design(design: Design, path: Path) -> None:
    """``design.json`` beside the sweep's jobs: what ``benchgap report`` needs to compute Sobol indices."""
    write_json_atomic(
        path,
        {
            "kind": "saltelli",
            "names": design.names,
            "bounds": [list(b) for b in design.bounds],
            "base_samples": design.base_samples,
            "seed": design.seed,
            "points": design.points.tolist(),
        },
    )


def read_design(path: Path) -> Design | None:
    """The design ``write_design`` wrote, or None when the sweep has none (a grid)."""
    if not path.exists():
        return None
    saved = read_json(path)
    return Design(
        names=saved["names"],
        bounds=[tuple(b) for b in saved["bounds"]],
        base_samples=saved["base_samples"],
        seed=saved["seed"],
        points=np.asarray(saved["points"], float),
    )


def saltelli_design(ranges: dict[str, tuple[float, float]], *, base_samples: int, seed: int) -> Design:
    """Sobol' sequence points in Saltelli's arrangement (SALib ``sample.sobol``, first and total order only).

    ``base_samples`` (N) must be a power of 2 for the Sobol' sequence's balance; values are rounded to six
    significant digits, so a job's override and the design agree exactly.
    """
    from SALib.sample import sobol

    if len(ranges) < 2:
        raise ValueError(f"a Sobol design needs at least 2 parameters with ranges; got {list(ranges) or 'none'}")
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise ValueError(f"base_samples must be a power of 2 (2, 4, 8, 16, ...); got {base_samples}")
    for name, (low, high) in ranges.items():
        if not low < high:
            raise ValueError(f"range of '{name}' must be [low, high] with low < high; got [{low}, {high}]")
    design = Design(
        names=list(ranges),
        bounds=[(float(low), float(high)) for low, high in ranges.values()],
        base_samples=base_samples,
        seed=seed,
        points=np.empty((0, len(ranges))),
    )
    points = sobol.sample(design.problem(), base_samples, calc_second_order=False, seed=seed)
    rounded = np.array([[float(f"{v:.6g}") for v in row] for row in points])
    return Design(design.names, design.bounds, base_samples, seed, rounded)


def sobol_indices(design: Design, outputs: np.ndarray, *, resamples: int, seed: int) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% bootstrap intervals (``resamples`` draws), one row per
    parameter. ``outputs`` holds one value per design point, in the design's order; every point is needed."""
    from SALib.analyze import sobol

    result = sobol.analyze(
        design.problem(),
        np.asarray(outputs, float),
        calc_second_order=False,
        num_resamples=max(resamples, 2),
        conf_level=0.95,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": design.names,
            "first_order": result["S1"],
            "first_order_low": result["S1"] - result["S1_conf"],
            "first_order_high": result["S1"] + result["S1_conf"],
            "total": result["ST"],
            "total_low": result["ST"] - result["ST_conf"],
            "total_high": result["ST"] + result["ST_conf"],
        }
    )


def complete_grid(jobs: pd.DataFrame, params: list[str]) -> tuple[pd.Series, list[str]]:
    """The largest full factorial sub-grid of ``jobs``: a mask of the jobs in it and the dropped values.

    Variance shares assume every combination of the swept values is present. While cells are missing, the value
    whose removal loses the fewest jobs (ties: the one with the most missing cells) is dropped.
    """
    keep = pd.Series(True, index=jobs.index)
    dropped: list[str] = []
    while True:
        part = jobs[keep]
        values = {p: part[p].unique() for p in params}
        cells = int(np.prod([len(v) for v in values.values()]))
        if len(part.drop_duplicates(params)) == cells or part.empty:
            return keep, dropped
        best: tuple[int, int, str, object] | None = None
        for p in params:
            if len(values[p]) < 2:
                continue
            for value in values[p]:
                lost = int((part[p] == value).sum())
                present = len(part[part[p] == value].drop_duplicates(params))
                missing = cells // len(values[p]) - present
                if missing == 0:
                    continue  # dropping a complete value cannot complete the grid
                candidate = (lost, -missing, p, value)
                if best is None or candidate[:2] < best[:2]:
                    best = candidate
        if best is None:
            return keep, dropped
        _, _, param, value = best
        keep &= jobs[param] != value
        dropped.append(f"{param}={value}")


def grid_indices(
    jobs: pd.DataFrame, *, params: list[str], replicate_values: list[np.ndarray], bootstrap: int, seed: int
) -> pd.DataFrame:
    """First-order and total variance shares of a job-level output over a full grid, with 95% bootstrap intervals.

    ``jobs`` has one row per job with the swept ``params`` as columns; ``replicate_values[j]`` holds job j's
    per-replicate values, whose mean is the output. The intervals resample each job's replicates (the
    sampling noise of finitely many worlds), not the grid, which is fixed by design. When every job has the same
    number of replicates, replicate r of every job is the same world before distortion (one job seed), so the
    same replicate indices are drawn for every job: common random numbers, as in the sweep itself.
    """
    codes = np.column_stack([pd.factorize(jobs[p].astype(str))[0] for p in params])
    point = _variance_shares(np.array([v.mean() for v in replicate_values]), codes)
    rng = np.random.default_rng(seed)
    paired = len({v.size for v in replicate_values}) == 1

    def resample() -> np.ndarray:
        if paired:
            n = replicate_values[0].size
            index = rng.integers(0, n, n)
            return np.array([v[index].mean() for v in replicate_values])
        return np.array([rng.choice(v, size=v.size).mean() for v in replicate_values])

    draws = np.array([_variance_shares(resample(), codes) for _ in range(bootstrap)])  # (bootstrap, 2, params)
    low, high = np.nanquantile(draws, [0.025, 0.975], axis=0) if bootstrap else (np.full_like(point, np.nan),) * 2
    return pd.DataFrame(
        {
            "parameter": params,
            "first_order": point[0],
            "first_order_low": low[0],
            "first_order_high": high[0],
            "total": point[1],
            "total_low": low[1],
            "total_high": high[1],
        }
    )


def _variance_shares(y: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(2, params): the between-level share of variance of each parameter, and the within-cell share over the
    other parameters' cells (NaN when the output does not vary)."""
    total = ((y - y.mean()) ** 2).sum()
    out = np.full((2, codes.shape[1]), np.nan)
    if total <= 1e-15 * max(1.0, float((y**2).sum())):
        return out
    for i in range(codes.shape[1]):
        out[0, i] = _between(y, codes[:, i]) / total
        others = np.delete(codes, i, axis=1)
        cells = np.unique(others, axis=0, return_inverse=True)[1].ravel() if others.shape[1] else np.zeros(len(y))
        out[1, i] = 1.0 - _between(y, cells.astype(int)) / total
    return out


def _between(y: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squares of the level means around the grand mean, weighted by level size."""
    counts = np.bincount(labels)
    means = np.bincount(labels, weights=y)[counts > 0] / counts[counts > 0]
    return float((counts[counts > 0] * (means - y.mean()) ** 2).sum())


def levels(values: pd.Series, *, continuous: bool = False) -> pd.Series:
    """The value each job counts under in a figure: itself, or for a ``continuous`` parameter (a Saltelli
    design's, one value per job) the midpoint of its quantile bin. Non-numbers stay text."""
    numeric = pd.to_numeric(values, errors="coerce")
    if not numeric.notna().all():
        return values.astype(str)
    if continuous:
        return pd.qcut(numeric, BINS, duplicates="drop").map(lambda interval: float(interval.mid)).astype(float)
    return numeric


def swing(jobs: pd.DataFrame, *, params: list[str], output: str, continuous: bool = False) -> pd.DataFrame:
    """Tornado data: per parameter, how far the output moves along it, widest first.

    On a grid, along the parameter within each setting of the other parameters, in the setting where it moves
    most (``where``), so interactions are not averaged away; in a design (``continuous``), along its quantile
    bins averaged over the others. Columns: ``low``, ``low_at``, ``high``, ``high_at``, ``swing``, ``where``.
    """
    rows = []
    for param in params:
        others = [] if continuous else [p for p in params if p != param]
        frame = jobs.assign(_level=levels(jobs[param], continuous=continuous)).dropna(subset=[output])
        slices = frame.groupby(others, sort=True) if others else [((), frame)]
        best = None
        for key, part in slices:
            curve = part.groupby("_level", sort=True)[output].mean()
            if curve.empty:
                continue
            low, high = int(np.argmin(curve.to_numpy())), int(np.argmax(curve.to_numpy()))
            row = {
                "parameter": param,
                "low": float(curve.iloc[low]),
                "low_at": curve.index[low],
                "high": float(curve.iloc[high]),
                "high_at": curve.index[high],
                "swing": float(curve.iloc[high] - curve.iloc[low]),
                "where": _where(others, key) if others else ("bins; others averaged" if continuous else "all jobs"),
            }
            if best is None or row["swing"] > best["swing"]:
                best = row
        if best is not None:
            rows.append(best)
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True) if rows else pd.DataFrame()


def _where(keys: list[str], values: object) -> str:
    values = values if isinstance(values, tuple) else (values,)
    return ", ".join(f"{k}={_text(v)}" for k, v in zip(keys, values, strict=True))


def _text(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def breakdown(jobs: pd.DataFrame, *, param: str, others: list[str], share: float) -> pd.DataFrame:
    """The smallest value of ``param`` at which the flip share reaches ``share``, per setting of the ``others``.

    The flip share (``sign_error_rate``) is the share of a job's worlds in which the estimate's sign is wrong.
    In each slice (one value of every other parameter) the jobs are ordered by ``param``; ``breakdown`` is the
    first swept value at or above ``share`` and ``interpolated`` the linear crossing between it and the value
    before. A slice that never reaches ``share`` has NaN there and its ``max_flip`` says how close it came.
    Worlds differ in their true gap, and a distortion cannot flip a world whose truth already points its way,
    so ``mean_gap_flips_at`` adds where the mean estimate over worlds crosses zero, away from the sign of the
    mean truth (linear interpolation; NaN if it never does).
    """
    frame = jobs.dropna(subset=[FLIP])
    keys = [o for o in others if o in frame]
    slices = frame.groupby(keys, sort=True, dropna=False) if keys else [((), frame)]
    rows = []
    for key, part in slices:
        curve = part.groupby(param, sort=True)[[FLIP, ESTIMATE]].mean()
        values, shares = curve.index.to_numpy(float), curve[FLIP].to_numpy(float)
        hit = np.flatnonzero(shares >= share)
        first = float(values[hit[0]]) if hit.size else np.nan
        crossing = first
        if hit.size and hit[0] > 0:
            v0, v1, s0, s1 = values[hit[0] - 1], values[hit[0]], shares[hit[0] - 1], shares[hit[0]]
            crossing = float(v0 + (share - s0) * (v1 - v0) / (s1 - s0))
        sign = np.sign(part[TRUTH].mean()) or 1.0
        rows.append(
            {
                "parameter": param,
                "where": _where(keys, key) if keys else "all jobs",
                "breakdown": first,
                "interpolated": crossing,
                "max_flip": float(shares.max()),
                "mean_gap_flips_at": _zero_crossing(values, curve[ESTIMATE].to_numpy(float) * sign),
                "swept_from": float(values.min()),
                "swept_to": float(values.max()),
            }
        )
    return pd.DataFrame(rows)


SURROGATE_WHERE = "the others at their lowest; regression over the design"


def surrogate_terms(parameters: int) -> int:
    """Coefficients of the breakdown surrogate: intercept, each parameter, each pairwise product."""
    return 1 + parameters + parameters * (parameters - 1) // 2


def design_breakdown(
    jobs: pd.DataFrame, *, bounds: dict[str, tuple[float, float]], share: float, steps: int = 401
) -> pd.DataFrame:
    """Breakdown points from a design that moves every parameter at once (a Saltelli design).

    Such a design has no slice with the other parameters held fixed, so a regression surrogate stands in: the
    flip share and the mean estimate (signed so that the truth's side is positive) are fitted by least squares
    on each parameter scaled to [0, 1] and all pairwise products, then walked along each parameter with the
    others at the low end of their ranges (the least distorted setting the design covers). ``where`` gives the
    two fits' R^2; read the points as the surrogate's, not as measured values. ``jobs_past_share`` counts the
    design's jobs whose measured flip share reaches ``share``, and ``smallest_past_share`` the smallest value of
    the parameter among them. Other columns as in ``breakdown``.
    """
    names = list(bounds)
    low = np.array([bounds[n][0] for n in names])
    span = np.array([bounds[n][1] - bounds[n][0] for n in names])
    scaled = (jobs[names].to_numpy(float) - low) / span
    sign = np.sign(jobs[TRUTH].mean()) or 1.0
    targets = {"flip": jobs[FLIP].to_numpy(float), "mean": jobs[ESTIMATE].to_numpy(float) * sign}
    coefficients, r2 = {}, {}
    features = _interaction_features(scaled)
    for key, y in targets.items():
        coefficients[key] = np.linalg.lstsq(features, y, rcond=None)[0]
        residual = y - features @ coefficients[key]
        spread = float(((y - y.mean()) ** 2).sum())
        r2[key] = 1 - float(residual @ residual) / spread if spread > 0 else float("nan")
    past = jobs[FLIP].to_numpy(float) >= share
    rows = []
    walk = np.linspace(0.0, 1.0, steps)
    for i, name in enumerate(names):
        path = np.zeros((steps, len(names)))
        path[:, i] = walk
        walked = _interaction_features(path)
        shares, means = walked @ coefficients["flip"], walked @ coefficients["mean"]
        values = low[i] + walk * span[i]
        hit = np.flatnonzero(shares >= share)
        first = float(values[hit[0]]) if hit.size else np.nan
        rows.append(
            {
                "parameter": name,
                "where": f"{SURROGATE_WHERE}, R^2 {r2['flip']:.2f} for the flip share and {r2['mean']:.2f} for "
                "the mean gap",
                "breakdown": first,
                "interpolated": first,
                "max_flip": float(np.clip(shares, 0, 1).max()),
                "mean_gap_flips_at": _zero_crossing(values, means),
                "swept_from": float(values[0]),
                "swept_to": float(values[-1]),
                "jobs_past_share": int(past.sum()),
                "smallest_past_share": float(jobs.loc[past, name].min()) if past.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _interaction_features(scaled: np.ndarray) -> np.ndarray:
    """Intercept, each column, and every pairwise product."""
    n, d = scaled.shape
    pairs = [scaled[:, i] * scaled[:, j] for i in range(d) for j in range(i + 1, d)]
    return np.column_stack([np.ones(n), scaled, *pairs])


def _zero_crossing(values: np.ndarray, signed: np.ndarray) -> float:
    """The first ``x`` at which ``signed`` (positive: the truth's side) falls to zero or below, interpolated."""
    below = np.flatnonzero(signed <= 0)
    if not below.size:
        return float("nan")
    i = below[0]
    if i == 0:
        return float(values[0])
    v0, v1, y0, y1 = values[i - 1], values[i], signed[i - 1], signed[i]
    return float(v0 + y0 * (v1 - v0) / (y0 - y1))
