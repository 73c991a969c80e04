"""Does the prior decide the answer? Power-scaling sensitivity of a fit's gap estimands (Kallioinen et al. 2024,
"Detecting and diagnosing prior and likelihood sensitivity with power-scaling", Stat Comput 34:57).

The prior, or the likelihood, is raised to a power near 1 and the posterior reweighted by Pareto-smoothed
importance sampling (``arviz_stats.psense``; no refit). A gap whose posterior moves more than ``THRESHOLD``
(cumulative Jensen-Shannon distance per unit of log2 power) when the prior is scaled is prior-sensitive: with a
likelihood that moves it too, prior and data disagree; with a weak likelihood, the prior speaks for the data.
Both need each draw's log prior and log likelihood, which the sampler does not keep: they are evaluated here on
the model's graph (its value transforms removed, so the draws enter as they are stored).
"""

from dataclasses import dataclass

import numpy as np
import pymc as pm
import xarray as xr
from pymc.model.transform.conditioning import remove_value_transforms
from xarray import DataTree

from benchgap.config import ModelConfig
from benchgap.model import build_model
from benchgap.table import ScoreTable

THRESHOLD = 0.05  # the paper's: above it, a power-scaled prior moves the posterior noticeably


@dataclass(frozen=True)
class Sensitivity:
    """One estimand's power-scaling sensitivity to the prior and to the likelihood, and what they mean together."""

    prior: float
    likelihood: float
    diagnosis: str  # "not prior-sensitive" | "prior-data conflict" | "prior dominates a weak likelihood"


def sensitivity(
    posterior: DataTree, table: ScoreTable, *, spec: ModelConfig, names: tuple[str, ...]
) -> dict[str, Sensitivity]:
    """Power-scaling sensitivity of the posterior draws ``names`` (gap estimands in the posterior group)."""
    from arviz_stats import psense

    log_prior, log_likelihood = log_densities(posterior, table, spec=spec)
    data = posterior.copy()
    data["log_prior"] = xr.Dataset({"prior": (("chain", "draw"), log_prior)})
    data["log_likelihood"] = xr.Dataset({"likelihood": (("chain", "draw"), log_likelihood)})
    values = {group: psense(data, var_names=list(names), group=group) for group in ("prior", "likelihood")}
    out = {}
    for name in names:
        prior, likelihood = (float(values[group][name]) for group in ("prior", "likelihood"))
        out[name] = Sensitivity(prior, likelihood, _diagnosis(prior, likelihood))
    return out


def _diagnosis(prior: float, likelihood: float) -> str:
    if prior < THRESHOLD:
        return "not prior-sensitive"
    return "prior-data conflict" if likelihood >= THRESHOLD else "prior dominates a weak likelihood"


def log_densities(posterior: DataTree, table: ScoreTable, *, spec: ModelConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per draw (chain, draw): the joint log prior of the free parameters and the log likelihood of the table, both
    without their data-only constants (which power-scaling does not see)."""
    model = remove_value_transforms(build_model(table, spec=spec))
    inputs = [model.rvs_to_values[rv] for rv in model.free_RVs]
    log_prior = model.logp(vars=model.free_RVs, jacobian=False, sum=True)
    log_likelihood = model.replace_rvs_by_values([sum(model.potentials)])[0]
    function = pm.pytensorf.compile(inputs, [log_prior, log_likelihood], mode="NUMBA", on_unused_input="ignore")
    draws = [posterior["posterior"][rv.name].transpose("chain", "draw", ...).to_numpy() for rv in model.free_RVs]
    chains, per_chain = draws[0].shape[:2]
    out = np.empty((2, chains, per_chain))
    for c in range(chains):
        for d in range(per_chain):
            out[:, c, d] = function(*(values[c, d] for values in draws))
    return out[0], out[1]
