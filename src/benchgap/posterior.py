"""Predictions from posterior draws, in numpy: expected scores, composite scores, replicated tables.

Kept apart from ``benchgap.model`` so that nothing downstream of the fit needs PyMC.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from xarray import DataTree

from benchgap.inflation import cell_draws
from benchgap.table import CellSplit, ScoreTable


def posterior_array(posterior: DataTree, name: str) -> np.ndarray:
    """A posterior variable as a (chain, draw, ...) numpy array."""
    return posterior["posterior"][name].transpose("chain", "draw", ...).to_numpy()


def benchmark_capability(posterior: DataTree, table: ScoreTable, chain: int) -> np.ndarray:
    """Per draw of ``chain``, the capability each benchmark's curve reads: shape (draw, model, 1) with one dimension
    (every benchmark reads ``theta``), (draw, model, benchmark) with ``model.dimensions=categories`` (its
    category's)."""
    if "theta_dim" in posterior["posterior"]:
        return posterior_array(posterior, "theta_dim")[chain][..., table.category_idx]
    return posterior_array(posterior, "theta")[chain][..., None]


def expected_scores_mean(posterior: DataTree, table: ScoreTable) -> np.ndarray:
    """Models x benchmarks: the posterior mean of each model's expected score on each benchmark (its curve)."""
    intercept, log_a = posterior_array(posterior, "intercept"), posterior_array(posterior, "log_discrimination")
    total = sum(
        expected_scores(benchmark_capability(posterior, table, c), intercept[c], log_a[c], table.chance).mean(axis=0)
        for c in range(intercept.shape[0])
    )
    return np.asarray(total) / intercept.shape[0]


def expected_scores(theta: np.ndarray, intercept: np.ndarray, log_a: np.ndarray, chance: np.ndarray) -> np.ndarray:
    """``p[..., m, b] = c_b + (1 - c_b) logistic(a_b theta_mb + beta_b)`` for matching leading (draw) axes;
    ``theta[..., m, b]`` is each benchmark's capability (:func:`benchmark_capability`; a last axis of 1: one for
    every benchmark)."""
    eta = np.exp(log_a)[..., None, :] * theta + intercept[..., None, :]
    return chance + (1.0 - chance) * expit(eta)


def composite_draws(posterior: DataTree, table: ScoreTable, weights: np.ndarray) -> np.ndarray:
    """Expected weighted composite score per (chain, draw, model): ``sum_b w_b p[m, b]``.

    The composite is over every benchmark of the table, observed or not: the model predicts the missing
    cells, so all models are compared on the same suite. Computed one chain at a time to bound memory.
    """
    intercept = posterior_array(posterior, "intercept")
    log_a = posterior_array(posterior, "log_discrimination")
    return np.stack(
        [
            expected_scores(benchmark_capability(posterior, table, c), intercept[c], log_a[c], table.chance) @ weights
            for c in range(intercept.shape[0])
        ]
    )


def suite_scores(
    posterior: DataTree,
    table: ScoreTable,
    *,
    chain: int,
    seed: int,
    run_share: Sequence[float] = (0.0, 0.0),  # [low, high], as the settings hold it
    plain_normal_floor: float | None = None,
) -> np.ndarray:
    """Per draw of one chain, each cell's persistent score given its data: shape (draw, model, benchmark).

    The suite estimand is what a model would score on these benchmarks with infinite items and re-runs. A cell
    departs from the curve ``p`` with residual variance ``tau^2 = p (1 - p) / (kappa_b + 1)``; a share ``r`` of it
    is run-to-run noise and the rest a persistent strength. One run per cell cannot tell the two apart, so ``r`` is
    drawn per draw, uniform in ``run_share``. The persistent score then has prior ``Beta(kappa' p, kappa' (1 - p))``
    with ``kappa' + 1 = (kappa + 1) / (1 - r)``, and each draw updates it with the cell's own data:

    - item counts: as ``n'`` items with the observed share correct, ``1 / n' = 1 / n + r / (kappa + 1)`` (run noise
      costs items), ``q ~ Beta(kappa' p + y n', kappa' (1 - p) + (1 - y) n')``; with ``r = 0`` exactly
      ``q | k ~ Beta(kappa p + k, kappa (1 - p) + n - k)``;
    - a standard error ``s``, or a plain proportion (``s`` = 0; with ``model.plain_likelihood=normal`` the score
      floor): the normal update of prior variance ``(1 - r) tau^2`` by a score of variance ``s^2 + r tau^2``, clipped
      to [0, 1] (with ``r = 0`` and ``s = 0`` the score itself);
    - missing cells, and cells a contamination-aware draw finds inflated: ``q`` drawn from its prior.

    ``r = 1`` leaves nothing persistent: ``q = p``. Draws are seeded per chain: the same seed, the same draws.
    """
    rng = np.random.default_rng([seed, chain])
    intercept, log_a, kappa = (
        posterior_array(posterior, name)[chain] for name in ("intercept", "log_discrimination", "kappa")
    )
    theta = benchmark_capability(posterior, table, chain)
    p = np.clip(expected_scores(theta, intercept, log_a, table.chance), 1e-9, 1 - 1e-9)  # (draw, model, benchmark)
    share = np.minimum(rng.uniform(run_share[0], run_share[1], size=theta.shape[0]), 1 - 1e-9)[:, None]
    persistent = (kappa + 1) / (1 - share) - 1  # kappa' per draw and benchmark
    q = rng.beta(persistent[:, None, :] * p, persistent[:, None, :] * (1 - p))  # every cell from its prior
    model, bench = table.model_idx, table.bench_idx
    cell = _CellPrior(p[:, model, bench], kappa[:, bench], persistent[:, bench], share)
    updated = q[:, model, bench]
    split = CellSplit.of(table)
    if split.counts.size:
        updated[:, split.counts] = cell.given_counts(split.counts, table, rng)
    floor = 0.0 if plain_normal_floor is None else plain_normal_floor
    for cells, se in ((split.stderr, table.stderr[split.stderr]), (split.plain, np.full(split.plain.size, floor))):
        if cells.size:
            updated[:, cells] = cell.given_score(cells, table.score[cells], se, rng)
    if "inflation_probability" in posterior["posterior"]:
        inflated = rng.random(updated.shape) < posterior_array(posterior, "inflation_probability")[chain]
        updated = np.where(inflated, q[:, model, bench], updated)  # an inflated score says nothing of the clean one
    q[:, model, bench] = updated
    return q


@dataclass(frozen=True)
class _CellPrior:
    """Per draw and observed cell: the curve ``p``, the fitted ``kappa``, the persistent ``kappa'`` and the run share
    (one per draw, shape (draw, 1))."""

    p: np.ndarray
    kappa: np.ndarray
    persistent: np.ndarray
    share: np.ndarray

    def given_counts(self, cells: np.ndarray, table: ScoreTable, rng: np.random.Generator) -> np.ndarray:
        n, y = table.n_items[cells], table.score[cells]
        items = 1.0 / (1.0 / n + self.share / (self.kappa[:, cells] + 1))
        p, persistent = self.p[:, cells], self.persistent[:, cells]
        return rng.beta(persistent * p + y * items, persistent * (1 - p) + (1 - y) * items)

    def given_score(self, cells: np.ndarray, y: np.ndarray, se: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = self.p[:, cells]
        residual = p * (1 - p) / (self.kappa[:, cells] + 1)
        prior, noise = (1 - self.share) * residual, se**2 + self.share * residual
        weight = prior / (prior + noise)
        sd = np.sqrt(prior * noise / (prior + noise))
        return np.clip(p + weight * (y - p) + sd * rng.standard_normal(p.shape), 0.0, 1.0)


def leader_score_differences(
    posterior: DataTree, table: ScoreTable, *, in_a: np.ndarray, in_b: np.ndarray
) -> np.ndarray:
    """Per benchmark, the posterior mean of ``p[best a, b] - p[best b, b]``, the best of each group taken per draw.

    Expected scores rise with capability on every benchmark, so each draw's best model of a group (by capability,
    equally by composite under any weights) does not depend on the weights. The posterior mean of the
    best-vs-best composite gap under weights ``w`` is therefore linear in them: ``w @ leader_score_differences``.
    """
    theta = posterior_array(posterior, "theta")
    intercept = posterior_array(posterior, "intercept")
    log_a = posterior_array(posterior, "log_discrimination")
    a_members, b_members = np.flatnonzero(in_a), np.flatnonzero(in_b)
    total = np.zeros(table.n_benchmarks)
    for c in range(theta.shape[0]):
        capability = benchmark_capability(posterior, table, c)
        scores = expected_scores(capability, intercept[c], log_a[c], table.chance)  # (draw, model, benchmark)
        draws = np.arange(theta.shape[1])
        best_a = a_members[np.argmax(theta[c][:, a_members], axis=1)]
        best_b = b_members[np.argmax(theta[c][:, b_members], axis=1)]
        total += (scores[draws, best_a] - scores[draws, best_b]).sum(axis=0)
    return total / (theta.shape[0] * theta.shape[1])


def replicate_scores(
    posterior: DataTree,
    table: ScoreTable,
    *,
    n_draws: int,
    rng: np.random.Generator,
    plain_normal_floor: float | None = None,
) -> np.ndarray:
    """Posterior predictive scores of every observed cell, shape (n_draws, n_cells).

    Each replicate draws a posterior sample, then the cell's score from the measurement model used in the
    fit: beta-binomial with item counts, normal with a standard error, and for the other cells beta, or
    normal with sd floor ``plain_normal_floor`` when the fit used ``model.plain_likelihood=normal``.
    A contamination-aware posterior first inflates each cell with its probability in that draw.
    """
    flat = {
        name: (values := posterior_array(posterior, name)).reshape(-1, *values.shape[2:])
        for name in ("theta", "intercept", "log_discrimination", "kappa")
        + (("theta_dim",) if "theta_dim" in posterior["posterior"] else ())
    }
    pick = rng.choice(flat["theta"].shape[0], size=min(n_draws, flat["theta"].shape[0]), replace=False)
    m, b = table.model_idx, table.bench_idx
    a = np.exp(flat["log_discrimination"][pick])[:, b]
    theta = flat["theta_dim"][pick][:, m, table.category_idx[b]] if "theta_dim" in flat else flat["theta"][pick][:, m]
    eta = a * theta + flat["intercept"][pick][:, b]
    p = np.clip(table.chance[b] + (1 - table.chance[b]) * expit(eta), 1e-9, 1 - 1e-9)
    if "inflation_probability" in posterior["posterior"]:
        probability, points = (draws[pick] for draws in cell_draws(posterior))
        p = np.clip(p + (rng.random(p.shape) < probability) * points, 1e-9, 1 - 1e-9)
    kappa = flat["kappa"][pick][:, b]
    q = rng.beta(kappa * p, kappa * (1 - p))
    has_se = np.isfinite(table.stderr)
    has_n = np.isfinite(table.n_items) & ~has_se
    out = q.copy()
    n = np.where(has_n, table.n_items, 1).astype(np.int64)
    out[:, has_n] = rng.binomial(n[has_n], q[:, has_n]) / n[has_n]
    se = np.sqrt(table.stderr[has_se] ** 2 + p[:, has_se] * (1 - p[:, has_se]) / (kappa[:, has_se] + 1))
    out[:, has_se] = p[:, has_se] + se * rng.standard_normal(se.shape)
    if plain_normal_floor is not None:
        plain = ~has_se & ~has_n
        sd = np.sqrt(plain_normal_floor**2 + p[:, plain] * (1 - p[:, plain]) / (kappa[:, plain] + 1))
        out[:, plain] = p[:, plain] + sd * rng.standard_normal(sd.shape)
    return out


def predictive_intervals(replicates: np.ndarray, *, prob: float) -> tuple[np.ndarray, np.ndarray]:
    """Central ``prob`` posterior predictive interval of every cell."""
    lo, hi = np.quantile(replicates, [(1 - prob) / 2, (1 + prob) / 2], axis=0)
    return lo, hi


def predictive_coverage(replicates: np.ndarray, observed: np.ndarray, *, prob: float) -> float:
    """Share of observed scores inside their central ``prob`` predictive interval (about ``prob`` if calibrated)."""
    lo, hi = predictive_intervals(replicates, prob=prob)
    return float(((observed >= lo) & (observed <= hi)).mean())
