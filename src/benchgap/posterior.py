"""Predictions from posterior draws, in numpy: expected scores, composite scores, replicated tables.

Kept apart from ``benchgap.model`` so that nothing downstream of the fit needs PyMC.
"""

import numpy as np
from scipy.special import expit
from xarray import DataTree

from benchgap.inflation import cell_draws
from benchgap.table import ScoreTable


def posterior_array(posterior: DataTree, name: str) -> np.ndarray:
    """A posterior variable as a (chain, draw, ...) numpy array."""
    return posterior["posterior"][name].transpose("chain", "draw", ...).to_numpy()


def expected_scores(theta: np.ndarray, intercept: np.ndarray, log_a: np.ndarray, chance: np.ndarray) -> np.ndarray:
    """``p[..., m, b] = c_b + (1 - c_b) logistic(a_b theta_m + beta_b)`` for matching leading (draw) axes."""
    eta = np.exp(log_a)[..., None, :] * theta[..., :, None] + intercept[..., None, :]
    return chance + (1.0 - chance) * expit(eta)


def composite_draws(posterior: DataTree, table: ScoreTable, weights: np.ndarray) -> np.ndarray:
    """Expected weighted composite score per (chain, draw, model): ``sum_b w_b p[m, b]``.

    The composite is over every benchmark of the table, observed or not: the model predicts the missing
    cells, so all models are compared on the same suite. Computed one chain at a time to bound memory.
    """
    theta = posterior_array(posterior, "theta")
    intercept = posterior_array(posterior, "intercept")
    log_a = posterior_array(posterior, "log_discrimination")
    return np.stack(
        [expected_scores(theta[c], intercept[c], log_a[c], table.chance) @ weights for c in range(theta.shape[0])]
    )


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
        scores = expected_scores(theta[c], intercept[c], log_a[c], table.chance)  # (draw, model, benchmark)
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
    }
    pick = rng.choice(flat["theta"].shape[0], size=min(n_draws, flat["theta"].shape[0]), replace=False)
    m, b = table.model_idx, table.bench_idx
    a = np.exp(flat["log_discrimination"][pick])[:, b]
    eta = a * flat["theta"][pick][:, m] + flat["intercept"][pick][:, b]
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
