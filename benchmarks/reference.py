"""The reference: the benchmark-level 2PL as a user would write it in PyMC, sampled with PyMC's defaults.

Same likelihood as benchgap's model (beta-binomial with item counts, normal with a standard error, beta
otherwise; chance floor; one concentration per benchmark), written with PyMC's distributions, identified by
its priors alone (capabilities ~ Normal(group mean, 1)), and rebuilt and recompiled for every fit. Its
variables carry benchgap's names so that the same estimands and diagnostics apply to both.
"""

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from xarray import DataTree

from benchgap.table import CellSplit, ScoreTable


def build_reference(table: ScoreTable) -> pm.Model:
    coords = {"model": list(table.models), "benchmark": list(table.benchmarks), "group": list(table.group_names)}
    split = CellSplit.of(table)
    with pm.Model(coords=coords) as model:
        mu_group = pm.Normal("mu_group", 0.0, 1.0, dims="group")
        theta = pm.Normal("theta", mu_group[table.group_idx], 1.0, dims="model")
        log_a = pm.Normal("log_discrimination", 0.0, 1.0, dims="benchmark")
        intercept = pm.Normal("intercept", 0.0, 2.0, dims="benchmark")
        log_kappa = pm.Normal("log_kappa", 4.0, 1.0, dims="benchmark")
        kappa = pm.Deterministic("kappa", pt.exp(log_kappa), dims="benchmark")
        m, b = table.model_idx, table.bench_idx
        p = table.chance[b] + (1 - table.chance[b]) * pm.math.sigmoid(pt.exp(log_a)[b] * theta[m] + intercept[b])
        p = pt.clip(p, 1e-9, 1 - 1e-9)
        k = kappa[b]
        if split.counts.size:
            i = split.counts
            n = table.n_items[i].astype(int)
            pm.BetaBinomial(
                "obs_counts", n=n, alpha=k[i] * p[i], beta=k[i] * (1 - p[i]), observed=np.round(table.score[i] * n)
            )
        if split.stderr.size:
            i = split.stderr
            sd = pt.sqrt(table.stderr[i] ** 2 + p[i] * (1 - p[i]) / (k[i] + 1))
            pm.Normal("obs_stderr", mu=p[i], sigma=sd, observed=table.score[i])
        if split.plain.size:
            i = split.plain
            y = np.clip(table.score[i], 1e-3, 1 - 1e-3)
            pm.Beta("obs_plain", alpha=k[i] * p[i], beta=k[i] * (1 - p[i]), observed=y)
    return model


def sample_reference(table: ScoreTable, seed: int) -> DataTree:
    """Build, compile and sample the reference with ``pm.sample``'s defaults (PyMC's NUTS, 1,000 + 1,000)."""
    with build_reference(table):
        return pm.sample(random_seed=seed, progressbar=False, compute_convergence_checks=False)
