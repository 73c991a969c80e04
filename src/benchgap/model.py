"""The hierarchical item-response model of benchmark scores, and its NUTS fit.

Model (benchmark-level 2PL with a chance floor; Lord 1980, Birnbaum 1968; for leaderboards cf.
Polo et al. 2024 "tinyBenchmarks", Ruan et al. 2024 "Observational scaling laws"):

    p[m, b] = c_b + (1 - c_b) * logistic(a_b * (theta_m - d_b))

- ``theta_m``: latent capability of model m (logit units), ``theta_m ~ Normal(mu_group[g_m], sigma_group)``;
  group means are free parameters, so the data (not the prior) decide how far groups sit apart.
- ``d_b``: difficulty, ``a_b = exp(log_a_b)``: discrimination, both pooled across benchmarks (and difficulty
  within category). Location and scale are identified explicitly: ``sum_b d_b = 0`` and ``sum_b log a_b = 0``
  (zero-sum constraints), so ``theta`` is measured against the average benchmark, in units of the
  average discrimination.
- ``c_b``: chance floor from metadata (0.25 for four-way multiple choice; 0 by default).

Measurement (each observed cell contributes; missing cells contribute nothing):

- item count n known: beta-binomial, ``k ~ BetaBinomial(n, kappa_b p, kappa_b (1 - p))``;
- standard error s given: ``score ~ Normal(p, sqrt(s^2 + p (1 - p) / (kappa_b + 1)))``;
- otherwise: ``score ~ Beta(kappa_b p, kappa_b (1 - p))`` (clipped away from 0 and 1).

``kappa_b`` (concentration, pooled on the log scale) absorbs what the 2PL curve does not explain: prompt and
run variation and model-specific strengths. Its residual variance ``p (1 - p) / (kappa_b + 1)`` is the same
in all three measurement models, so mixed tables are consistent.
"""

import logging
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from xarray import DataTree

from benchgap.config import ModelConfig, Parametrization, SamplerConfig
from benchgap.data import ScoreTable

EPS = 1e-9


@dataclass(frozen=True)
class CellSplit:
    """Observed cells split by measurement model (index arrays into the table's cells)."""

    counts: np.ndarray  # n_items known, no stderr
    stderr: np.ndarray  # stderr given
    plain: np.ndarray  # neither

    @classmethod
    def of(cls, table: ScoreTable) -> "CellSplit":
        has_se = np.isfinite(table.stderr)
        has_n = np.isfinite(table.n_items) & ~has_se
        return cls(
            counts=np.flatnonzero(has_n),
            stderr=np.flatnonzero(has_se),
            plain=np.flatnonzero(~has_se & ~has_n),
        )


def build_model(table: ScoreTable, *, spec: ModelConfig) -> pm.Model:
    """The PyMC model of ``table`` (see the module docstring for the equations)."""
    coords = {
        "model": list(table.models),
        "benchmark": list(table.benchmarks),
        "group": list(table.group_names),
        "category": list(table.category_names),
    }
    group = table.group_idx
    split = CellSplit.of(table)
    with pm.Model(coords=coords) as model:
        mu_group = pm.Normal("mu_group", 0.0, spec.group_mean_sd, dims="group")
        sigma_group = pm.HalfNormal("sigma_group", spec.group_sd_scale)
        if spec.parametrization is Parametrization.centered:
            theta = pm.Normal("theta", mu_group[group], sigma_group, dims="model")
        else:
            theta_z = pm.Normal("theta_z", 0.0, 1.0, dims="model")
            theta = pm.Deterministic("theta", mu_group[group] + sigma_group * theta_z, dims="model")

        sigma_discrimination = pm.HalfNormal("sigma_discrimination", spec.discrimination_sd_scale)
        log_discrimination = pm.ZeroSumNormal("log_discrimination", sigma=sigma_discrimination, dims="benchmark")
        discrimination = pt.exp(log_discrimination)

        sigma_intercept = pm.HalfNormal("sigma_intercept", spec.difficulty_sd_scale)
        intercept = pm.ZeroSumNormal("intercept", sigma=sigma_intercept, dims="benchmark")
        pm.Deterministic("difficulty", -intercept / discrimination, dims="benchmark")

        # Independent per benchmark: a pooled scale made a funnel wherever kappa >> n leaves kappa unidentified.
        log_kappa = pm.Normal("log_kappa", spec.concentration_mean, spec.concentration_sd, dims="benchmark")
        kappa = pm.Deterministic("kappa", pt.exp(log_kappa), dims="benchmark")

        m = pm.Data("cell_model", table.model_idx)
        b = pm.Data("cell_benchmark", table.bench_idx)
        chance = pm.Data("chance", table.chance)
        eta = discrimination[b] * theta[m] + intercept[b]
        p = chance[b] + (1.0 - chance[b]) * pt.sigmoid(eta)
        p = pt.clip(p, EPS, 1.0 - EPS)
        concentration = kappa[b]

        if split.counts.size:
            idx = split.counts
            n = table.n_items[idx].astype(np.int64)
            k = np.round(table.score[idx] * n).astype(np.int64)
            pm.BetaBinomial(
                "obs_counts",
                n=pm.Data("n_items", n),
                alpha=concentration[idx] * p[idx],
                beta=concentration[idx] * (1.0 - p[idx]),
                observed=pm.Data("correct", k),
            )
        if split.stderr.size:
            idx = split.stderr
            se = pm.Data("stderr", table.stderr[idx])
            sd = pt.sqrt(se**2 + p[idx] * (1.0 - p[idx]) / (concentration[idx] + 1.0))
            pm.Normal("obs_stderr", mu=p[idx], sigma=sd, observed=pm.Data("score_se", table.score[idx]))
        if split.plain.size:
            idx = split.plain
            y = np.clip(table.score[idx], spec.score_floor, 1.0 - spec.score_floor)
            pm.Beta(
                "obs_plain",
                alpha=concentration[idx] * p[idx],
                beta=concentration[idx] * (1.0 - p[idx]),
                observed=pm.Data("score_plain", y),
            )
    return model


def sample(model: pm.Model, *, sampler: SamplerConfig) -> DataTree:
    """Compile ``model`` with nutpie (numba backend) and draw ``sampler.chains`` NUTS chains."""
    import nutpie

    for name in ("pytensor", "numba", "nutpie"):
        logging.getLogger(name).setLevel(logging.WARNING)
    compiled = nutpie.compile_pymc_model(model)
    return nutpie.sample(
        compiled,
        draws=sampler.draws,
        tune=sampler.tune,
        chains=sampler.chains,
        cores=sampler.cores,
        seed=sampler.seed,
        target_accept=sampler.target_accept,
        adaptation=sampler.adaptation.value,
        progress_bar=sampler.progress,
        save_warmup=False,
    )
