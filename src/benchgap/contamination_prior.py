"""The contamination-aware model's sparse inflation prior (``model.kind=contamination_aware``) and the per-cell
covariates it reads; ``benchgap.model`` mixes each cell's clean and inflated densities with it."""

from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.special import logit

from benchgap.config import InflationPrior
from benchgap.table import ScoreTable


@dataclass(frozen=True)
class Inflation:
    """Per cell of the table (in its cell order): the log prior probability of inflation and its size ``s``."""

    log_share: pt.TensorVariable
    log1m_share: pt.TensorVariable
    size: pt.TensorVariable


BLOCKED_LOGIT = 30.0  # a cell that cannot be inflated: its prior log-odds of inflation lowered by this (pi ~ 1e-13)


def inflation_prior(data: dict[str, pt.TensorVariable], prior: InflationPrior) -> Inflation:
    """The sparse inflation prior of ``model=contamination_aware`` (see ``InflationPrior`` for the equations)."""
    share_logit = pm.Normal("inflation_share_logit", logit(prior.share_mean), prior.share_logit_sd)
    slopes = pm.Normal("inflation_slopes", 0.0, prior.covariate_sd, dims="covariate")
    covariates = pt.stack([data["cell_exposure"], data["cell_optimized"]], axis=1)
    log_odds = share_logit + covariates @ slopes - BLOCKED_LOGIT * data["cell_blocked"]
    size_z = pm.Normal("inflation_size_z", 0.0, 1.0, dims="cell")
    size = pt.sigmoid(prior.size_logit_mean + prior.size_logit_sd * size_z)
    return Inflation(log_share=-pt.softplus(-log_odds), log1m_share=-pt.softplus(log_odds), size=size)


COVARIATES = ("exposure", "optimized_for")  # of the inflation share, in cell_data's order


def inflation_covariates(table: ScoreTable, prior: InflationPrior) -> dict[str, np.ndarray]:
    """Per cell: exposure ``1 - exp(-age / timescale)`` and the optimised-for flag, both centred over the cells
    (an unknown value is the mean, so it adds nothing), and whether the cell cannot be inflated.

    ``age`` is the years from the benchmark's release to the model's. A benchmark released after the model, or
    held out, blocks the cell.
    """
    cov = table.known_covariates
    m, b = table.model_idx, table.bench_idx
    age = cov.model_release[m] - cov.benchmark_release[b]
    blocked = (age < 0) | cov.held_out[b]
    exposure = 1.0 - np.exp(-np.clip(age, 0.0, None) / prior.timescale)
    optimized = cov.optimized_for[b]
    return {
        "cell_exposure": _centred(exposure),
        "cell_optimized": _centred(optimized),
        "cell_blocked": blocked.astype(float),
    }


def _centred(values: np.ndarray) -> np.ndarray:
    """``values`` minus their mean over the known ones; unknown (NaN) values become 0.

    Blocked cells count in the mean (their exposure is 0); their covariates do not matter, as they cannot inflate.
    """
    known = np.isfinite(values)
    if not known.any():
        return np.zeros(values.size)
    return np.where(known, values - values[known].mean(), 0.0)
