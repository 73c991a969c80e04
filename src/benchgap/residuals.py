"""Does the fit describe every benchmark, and does one capability per model miss something the categories share?

Per benchmark, a posterior predictive check of its observed scores: each cell's standardised residual (observed minus
the mean of its posterior predictive scores, over their sd), whose spread over the benchmark's cells is about 1 when
the model fits it, with its largest residual and the share of its scores inside their 90% predictive interval.

Across benchmarks, the residual-correlation check: the residuals of two benchmarks, correlated over the models scored
on both. When each model has one capability but categories differ, a model strong in math beats the curve on every
math benchmark, so residuals correlate within a category more than between categories. The difference of the
mean within- and between-category correlations is compared with its distribution under random relabellings of the
benchmarks' categories (a permutation test, same category sizes).
"""

from dataclasses import dataclass

import numpy as np

from benchgap.table import ScoreTable

MIN_SHARED = 5  # models scored on both benchmarks for their residuals' correlation to count
PERMUTATIONS = 2000  # random relabellings of the categories
SPREAD_FLAG = 1.5  # a benchmark whose residual spread exceeds this is fitted worse than its noise allows
CORRELATION_ALPHA = 0.05  # the permutation p-value below which the check reports a category structure


@dataclass(frozen=True)
class BenchmarkFit:
    """One benchmark's posterior predictive check."""

    benchmark: str
    category: str
    scores: int  # observed cells
    residual_spread: float  # root mean square of the standardised residuals (about 1 when the model fits)
    largest_residual: float  # the standardised residual largest in size (signed)
    largest_model: str  # the model of that residual
    coverage_90: float  # share of the scores inside their 90% predictive interval


@dataclass(frozen=True)
class ResidualCorrelation:
    """Mean residual correlation of benchmark pairs in the same and in different categories."""

    within: float
    between: float
    pairs_within: int
    pairs_between: int
    p_value: float  # share of random relabellings with a within-minus-between difference at least as large


@dataclass(frozen=True)
class ResidualCheck:
    benchmarks: tuple[BenchmarkFit, ...]  # worst fitted (largest residual spread) first
    correlation: ResidualCorrelation | None  # None: fewer than two categories, or too few shared models
    verdict: str


def residual_check(replicates: np.ndarray, table: ScoreTable, *, seed: int) -> ResidualCheck:
    """Both checks from the posterior predictive scores ``replicates`` (draws, cells) of ``table``'s cells."""
    centre, spread = replicates.mean(axis=0), replicates.std(axis=0)
    z = (table.score - centre) / np.maximum(spread, 1e-9)
    lo, hi = np.quantile(replicates, [0.05, 0.95], axis=0)
    inside = (table.score >= lo) & (table.score <= hi)
    fits = []
    for b, name in enumerate(table.benchmarks):
        cells = np.flatnonzero(table.bench_idx == b)
        worst = cells[np.argmax(np.abs(z[cells]))]
        fits.append(
            BenchmarkFit(
                benchmark=name,
                category=table.category_names[table.category_idx[b]],
                scores=cells.size,
                residual_spread=float(np.sqrt(np.mean(z[cells] ** 2))),
                largest_residual=float(z[worst]),
                largest_model=table.models[table.model_idx[worst]],
                coverage_90=float(inside[cells].mean()),
            )
        )
    fits.sort(key=lambda f: -f.residual_spread)
    matrix = np.full((table.n_models, table.n_benchmarks), np.nan)
    matrix[table.model_idx, table.bench_idx] = z
    correlation = residual_correlation(matrix, table.category_idx, rng=np.random.default_rng(seed))
    return ResidualCheck(tuple(fits), correlation, _verdict(fits, correlation))


def residual_correlation(
    residuals: np.ndarray, category: np.ndarray, *, rng: np.random.Generator, permutations: int = PERMUTATIONS
) -> ResidualCorrelation | None:
    """Within- against between-category mean correlation of the residual columns (models x benchmarks, NaN where
    unobserved), with the permutation p-value of their difference."""
    if np.unique(category).size < 2:
        return None
    r = _pairwise_correlation(residuals)
    upper = np.triu(np.isfinite(r), k=1)
    i, j = np.nonzero(upper)
    values = r[i, j]

    def difference(labels: np.ndarray) -> tuple[float, float, int, int]:
        same = labels[i] == labels[j]
        if not same.any() or same.all():
            return np.nan, np.nan, int(same.sum()), int((~same).sum())
        return float(values[same].mean()), float(values[~same].mean()), int(same.sum()), int((~same).sum())

    within, between, n_within, n_between = difference(category)
    if not (n_within and n_between):
        return None
    observed = within - between
    shuffled = np.array([np.subtract(*difference(rng.permutation(category))[:2]) for _ in range(permutations)])
    shuffled = shuffled[np.isfinite(shuffled)]
    p_value = float((1 + np.sum(shuffled >= observed)) / (1 + shuffled.size))
    return ResidualCorrelation(within, between, n_within, n_between, p_value)


def _pairwise_correlation(residuals: np.ndarray) -> np.ndarray:
    """Benchmarks x benchmarks: Pearson correlation over the models scored on both (NaN below MIN_SHARED)."""
    observed = np.isfinite(residuals)
    filled = np.where(observed, residuals, 0.0)
    n = observed.T.astype(float) @ observed
    sums = filled.T @ observed  # [a, b]: sum of a's residuals over models observed on both
    squares = (filled**2).T @ observed
    products = filled.T @ filled
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a, mean_b = sums / n, sums.T / n
        cov = products / n - mean_a * mean_b
        var_a, var_b = squares / n - mean_a**2, squares.T / n - mean_b**2
        r = cov / np.sqrt(var_a * var_b)
    r[n < MIN_SHARED] = np.nan
    return r


def _verdict(fits: list[BenchmarkFit], correlation: ResidualCorrelation | None) -> str:
    """One plain paragraph: the worst-fitted benchmarks, then what the residual correlation says."""
    flagged = [f for f in fits if f.residual_spread > SPREAD_FLAG]
    if flagged:
        names = ", ".join(f"{f.benchmark} ({f.residual_spread:.1f})" for f in flagged[:5])
        text = (
            f"{len(flagged)} of {len(fits)} benchmarks are fitted worse than their noise allows (residual spread over "
            f"{SPREAD_FLAG:g}; 1 is a fit within noise): {names}."
        )
    else:
        text = f"Every benchmark's residual spread is at most {SPREAD_FLAG:g} (1 is a fit within noise)."
    if correlation is None:
        return text + " The residual-correlation check needs two categories with shared models; it was not run."
    numbers = (
        f"residuals correlate {correlation.within:+.2f} on average within a category and {correlation.between:+.2f} "
        f"between categories (permutation p = {correlation.p_value:.3f})"
    )
    if correlation.p_value < CORRELATION_ALPHA:
        return (
            text + f" The {numbers}: the categories share something the fit's capabilities miss; one capability per "
            "category (model.dimensions=categories) may describe the table better."
        )
    return text + f" The {numbers}: no sign that the fit misses a category structure."
