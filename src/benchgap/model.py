"""The hierarchical item-response model of benchmark scores, and its NUTS fit.

Model (benchmark-level 2PL with a chance floor; Lord 1980, Birnbaum 1968; for leaderboards cf.
Polo et al. 2024 "tinyBenchmarks", Ruan et al. 2024 "Observational scaling laws"):

    p[m, b] = c_b + (1 - c_b) * logistic(a_b * (theta_m - d_b))

- ``theta_m``: latent capability of model m, ``theta_raw_m ~ Normal(mu_group[g_m], 1)``, standardised over the
  table (``theta = (theta_raw - mean) / sd``); group means are free parameters (summing to zero), so the data,
  not the prior, decide how far groups sit apart.
- ``a_b = exp(log_a_b)``: discrimination, ``d_b``: difficulty. The model is sampled in slope-intercept form,
  ``eta = a_b theta_m + beta_b`` with ``beta_b = -a_b d_b``: a weakly discriminating benchmark (a_b near 0)
  leaves d_b nearly free but beta_b well determined, so this form mixes where the difficulty form did not
  (HELM Lite: R-hat 1.19 and bulk ESS 15 in difficulty form). ``log a_b`` and ``beta_b`` are pooled across
  benchmarks (normal with an estimated mean; the intercepts' spread estimated too).
- Identification (``identify_scale=capability``, the default): theta has mean 0 and sd 1 over the table's
  models, so a latent gap reads in sds of the table's capabilities. Standardising what the likelihood sees
  leaves the collective shift and stretch of the raw capabilities to their prior alone. The first version
  pinned origin and unit on the benchmarks instead (``identify_scale=discrimination``: zero-sum intercepts and
  log-discriminations, estimated within-group sd); on the sparse Epoch table, where most benchmarks are
  measured on few models, it mixed slowly (R-hat 1.07, bulk ESS 40).
- ``c_b``: chance floor from metadata (0.25 for four-way multiple choice; 0 by default).

Measurement (each observed cell contributes; missing cells contribute nothing):

- item count n known: beta-binomial, ``k ~ BetaBinomial(n, kappa_b p, kappa_b (1 - p))``;
- standard error s given: ``score ~ Normal(p, sqrt(s^2 + p (1 - p) / (kappa_b + 1)))``;
- otherwise: ``score ~ Beta(kappa_b p, kappa_b (1 - p))`` (clipped away from 0 and 1).

``kappa_b`` (concentration, one per benchmark) absorbs what the 2PL curve does not explain: prompt and
run variation and model-specific strengths. Its residual variance ``p (1 - p) / (kappa_b + 1)`` is the same
in all three measurement models, so mixed tables are consistent.
"""

import logging

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from xarray import DataTree

from benchgap.config import ModelConfig, Parametrization, PlainLikelihood, SamplerConfig, ScaleIdentification
from benchgap.data import CellSplit, ScoreTable

EPS = 1e-9


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
        sigma_intercept = pm.HalfNormal("sigma_intercept", spec.difficulty_sd_scale)
        if spec.identify_scale is ScaleIdentification.capability:
            # Origin and unit: the mean and sd of the table's capabilities, imposed by standardising what
            # the likelihood sees. The collective shift and stretch of all capabilities then meet only their
            # prior (sd ~ 1/sqrt(models)) instead of ridges against all intercepts and discriminations,
            # which mixed slowly on the sparse Epoch table (R-hat 1.04, bulk ESS 64).
            mu_group = pm.ZeroSumNormal("mu_group", sigma=spec.group_mean_sd, dims="group")
            theta_raw = pm.Normal("theta_raw", mu_group[group], 1.0, dims="model")  # no funnel: sd is fixed
            centred = theta_raw - theta_raw.mean()
            theta = pm.Deterministic("theta", centred / pt.sqrt(pt.mean(centred**2)), dims="model")
            log_a_mean = pm.Normal("log_discrimination_mean", 0.0, 1.0)
            log_discrimination = pm.Normal("log_discrimination", log_a_mean, spec.discrimination_sd, dims="benchmark")
            intercept_mean = pm.Normal("intercept_mean", 0.0, spec.difficulty_sd_scale)
            intercept = pm.Normal("intercept", intercept_mean, sigma_intercept, dims="benchmark")
        else:
            # Location and unit from the benchmarks: sum of intercepts and of log-discriminations zero.
            mu_group = pm.Normal("mu_group", 0.0, spec.group_mean_sd, dims="group")
            sigma_group = pm.HalfNormal("sigma_group", spec.group_sd_scale)
            theta = _capabilities(table, spec, mu_group[group], sigma_group)
            log_discrimination = pm.ZeroSumNormal("log_discrimination", sigma=spec.discrimination_sd, dims="benchmark")
            intercept = pm.ZeroSumNormal("intercept", sigma=sigma_intercept, dims="benchmark")
        discrimination = pt.exp(log_discrimination)
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
            y = pm.Data("score_plain", _plain_scores(table, spec))
            if spec.plain_likelihood is PlainLikelihood.beta:
                alpha, beta = concentration[idx] * p[idx], concentration[idx] * (1.0 - p[idx])
                pm.Beta("obs_plain", alpha=alpha, beta=beta, observed=y)
            else:
                sd = pt.sqrt(spec.score_floor**2 + p[idx] * (1.0 - p[idx]) / (concentration[idx] + 1.0))
                pm.Normal("obs_plain", mu=p[idx], sigma=sd, observed=y)
    return model


def _plain_scores(table: ScoreTable, spec: ModelConfig) -> np.ndarray:
    """Scores of cells with neither item count nor standard error, as their likelihood takes them."""
    y = table.score[CellSplit.of(table).plain]
    return np.clip(y, spec.score_floor, 1.0 - spec.score_floor) if spec.plain_likelihood is PlainLikelihood.beta else y


def _capabilities(
    table: ScoreTable, spec: ModelConfig, mean: pt.TensorVariable, sd: pt.TensorVariable
) -> pt.TensorVariable:
    """``theta ~ Normal(mean, sd)``, centred where a model's scores inform it and non-centred where they do not.

    Centred parameters sample well when the likelihood dominates (several scores, hundreds of items);
    non-centred ones when the prior does (one or two scores), which avoids the funnel with ``sd``
    (Betancourt & Girolami 2015; Papaspiliopoulos et al. 2007).
    """
    n_scores = np.bincount(table.model_idx, minlength=table.n_models)
    if spec.parametrization is Parametrization.centered:
        centred = np.ones(table.n_models, dtype=bool)
    elif spec.parametrization is Parametrization.noncentered:
        centred = np.zeros(table.n_models, dtype=bool)
    else:
        centred = n_scores >= spec.centered_min_scores
    if centred.all():
        return pm.Normal("theta", mean, sd, dims="model")
    if not centred.any():
        z = pm.Normal("theta_z", 0.0, 1.0, dims="model")
        return pm.Deterministic("theta", mean + sd * z, dims="model")
    c_idx, z_idx = np.flatnonzero(centred), np.flatnonzero(~centred)
    theta_c = pm.Normal("theta_centred", mean[c_idx], sd, shape=c_idx.size)
    theta_z = pm.Normal("theta_z", 0.0, 1.0, shape=z_idx.size)
    theta = pt.zeros(table.n_models)
    theta = pt.set_subtensor(theta[c_idx], theta_c)
    theta = pt.set_subtensor(theta[z_idx], mean[z_idx] + sd * theta_z)
    return pm.Deterministic("theta", theta, dims="model")


def compile_model(model: pm.Model) -> "nutpie.CompiledModel":  # type: ignore[name-defined]  # noqa: F821
    """Compile ``model`` once with nutpie's numba backend; swap tables of the same design with :func:`table_data`."""
    import nutpie

    for name in ("pytensor", "numba", "nutpie"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return nutpie.compile_pymc_model(model)


def table_data(table: ScoreTable, *, design: ScoreTable, spec: ModelConfig) -> dict[str, np.ndarray]:
    """The data containers of ``table``, to pass to ``compiled.with_data(**...)`` without recompiling.

    ``table`` must share ``design``'s shape: the same observed cells with the same measurement model.
    """
    same = (
        table.n_models == design.n_models
        and table.n_benchmarks == design.n_benchmarks
        and np.array_equal(table.model_idx, design.model_idx)
        and np.array_equal(table.bench_idx, design.bench_idx)
        and all(
            np.array_equal(x, y)
            for x, y in zip(vars(CellSplit.of(table)).values(), vars(CellSplit.of(design)).values(), strict=True)
        )
    )
    if not same:
        raise ValueError("table_data: the table's design (observed cells, measurement) differs from the compiled one")
    split = CellSplit.of(table)
    data: dict[str, np.ndarray] = {"chance": table.chance}
    if split.counts.size:
        n = table.n_items[split.counts].astype(np.int64)
        data |= {"n_items": n, "correct": np.round(table.score[split.counts] * n).astype(np.int64)}
    if split.stderr.size:
        data |= {"stderr": table.stderr[split.stderr], "score_se": table.score[split.stderr]}
    if split.plain.size:
        data["score_plain"] = _plain_scores(table, spec)
    return data


def sample(compiled: "nutpie.CompiledModel", *, sampler: SamplerConfig) -> DataTree:  # type: ignore[name-defined]  # noqa: F821
    """Draw ``sampler.chains`` NUTS chains from a compiled model."""
    import nutpie

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
