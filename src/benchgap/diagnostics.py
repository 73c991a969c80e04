"""Convergence diagnostics as data: R-hat, bulk ESS, divergences, tree depth and step size of a NUTS fit.

Thresholds follow Vehtari et al. (2021), "Rank-normalization, folding, and localization": R-hat <= 1.01, and
bulk and tail ESS >= 400 (100 per chain for 4 chains), over every parameter the reported numbers rest on
(hyperparameters included) and the gap estimands themselves.
"""

from dataclasses import dataclass

import numpy as np
from xarray import DataTree

from benchgap.config import ConvergenceConfig
from benchgap.mixing import rhat_and_ess
from benchgap.posterior import posterior_array

CHECKED = (  # the parameters every reported number rests on, hyperparameters included
    "theta",
    "mu_group",
    "sigma_group",
    "intercept",
    "log_discrimination",
    "kappa",
    "log_kappa_mean",  # model.concentration_pooling=mean | full
    "log_kappa_sd",
    "log_discrimination_mean",
    "intercept_mean",
    "sigma_intercept",
    "inflation_share_logit",  # model=contamination_aware
    "inflation_slopes",
)


@dataclass(frozen=True)
class Diagnostics:
    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    converged: bool
    worst: str  # variable with the largest R-hat
    mean_tree_depth: float
    max_tree_depth_hits: int  # draws that hit the maximum tree depth
    step_size: float  # mean adapted step size over chains
    chains: int
    draws: int
    problems: list[str]  # plain-language reasons the fit is flagged; empty when converged


def checked_arrays(posterior: DataTree, extra: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the diagnostics cover, each as (chain, draw, scalar): the model's main parameters and the derived
    estimands in ``extra``; a derived estimand with one value in every draw (a lag set by release dates alone) has
    nothing to mix and is left out."""
    varying = {name: values for name, values in extra.items() if np.ptp(values) > 0}
    arrays = {name: posterior_array(posterior, name) for name in CHECKED if name in posterior["posterior"]} | varying
    return {name: values.reshape(values.shape[0], values.shape[1], -1) for name, values in arrays.items()}


def diagnose(posterior: DataTree, extra: dict[str, np.ndarray], *, limits: ConvergenceConfig) -> Diagnostics:
    """Diagnostics over :func:`checked_arrays`: the worst R-hat and ESS of each variable, and the sampler's stats."""
    arrays = checked_arrays(posterior, extra)
    ends = np.cumsum([values.shape[2] for values in arrays.values()])[:-1]
    per_scalar = rhat_and_ess(np.concatenate(list(arrays.values()), axis=2))  # every scalar at once
    rhat, ess_bulk, ess_tail = (
        dict(zip(arrays, (float(reduce(part)) for part in np.split(values, ends)), strict=True))
        for values, reduce in zip(per_scalar, (np.nanmax, np.nanmin, np.nanmin), strict=True)
    )
    stats = posterior["sample_stats"]
    divergences = int(stats["diverging"].sum()) if "diverging" in stats else 0
    worst = max(rhat, key=lambda n: rhat[n])
    max_rhat, min_ess = rhat[worst], min(ess_bulk.values())
    problems = []
    if max_rhat > limits.max_rhat:
        problems.append(f"R-hat {max_rhat:.3f} > {limits.max_rhat} ({worst})")
    if min_ess < limits.min_ess_bulk:
        low = min(ess_bulk, key=lambda n: ess_bulk[n])
        problems.append(f"bulk ESS {min_ess:.0f} < {limits.min_ess_bulk:.0f} ({low})")
    tail_low = min(ess_tail, key=lambda n: ess_tail[n])
    if ess_tail[tail_low] < limits.min_ess_tail:
        problems.append(f"tail ESS {ess_tail[tail_low]:.0f} < {limits.min_ess_tail:.0f} ({tail_low})")
    if divergences > limits.max_divergences:
        problems.append(f"{divergences} divergent transitions (raise sampler.target_accept)")
    depth = stats["depth"].to_numpy() if "depth" in stats else np.array([np.nan])
    hits = int(stats["maxdepth_reached"].sum()) if "maxdepth_reached" in stats else 0
    chains, draws = posterior["posterior"].sizes["chain"], posterior["posterior"].sizes["draw"]
    return Diagnostics(
        max_rhat=max_rhat,
        min_ess_bulk=min_ess,
        min_ess_tail=min(ess_tail.values()),
        divergences=divergences,
        converged=not problems,
        worst=worst,
        mean_tree_depth=float(np.mean(depth)),
        max_tree_depth_hits=hits,
        step_size=float(stats["step_size"].mean()) if "step_size" in stats else float("nan"),
        chains=int(chains),
        draws=int(draws),
        problems=problems,
    )


def thresholds(limits: ConvergenceConfig) -> str:
    """The convergence thresholds in words, as the run's settings (``convergence.*``) set them."""
    divergences = "no divergences" if limits.max_divergences == 0 else f"at most {limits.max_divergences} divergences"
    return (
        f"R-hat <= {limits.max_rhat:g}, bulk ESS >= {limits.min_ess_bulk:g}, tail ESS >= {limits.min_ess_tail:g}, "
        f"{divergences}"
    )
