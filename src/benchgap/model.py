"""The hierarchical item-response model of benchmark scores: the PyMC graph and its data (``benchgap.sampling``
compiles and samples it).

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
- Trend (``model.trend=linear`` or ``random_walk``; :mod:`benchgap.trend_model`): the group mean moves with release
  date, ``theta_raw_m ~ Normal(mu_g + s_g y_m [+ walk_g(y_m)], 1)`` (or Student-t), ``y_m`` the model's release in
  years from the table's mean release date. A group's new frontier model is then compared with its contemporaries
  rather than pulled toward its old, small ones. An undated model has ``y_m = 0``: its group's level at the mean
  date, its own scores placing it from there.

Measurement (each observed cell contributes; missing cells contribute nothing):

- item count n known: beta-binomial, ``k ~ BetaBinomial(n, kappa_b p, kappa_b (1 - p))``;
- standard error s given: ``score ~ Normal(p, sqrt(s^2 + p (1 - p) / (kappa_b + 1)))``;
- otherwise: ``score ~ Beta(kappa_b p, kappa_b (1 - p))``, clipped to ``[score_floor, 1 - score_floor]``; with
  ``model.plain_censoring=true`` a score at or beyond the clip is censored there instead (its probability the
  beta's tail, ``betainc``), since a reported 0 means "at most this". Not the default: on Epoch it left R-hat 1.012
  and a divergent transition; in SBC it is what keeps plain proportions calibrated (README, Calibrate).

``kappa_b`` (concentration, one per benchmark) absorbs what the 2PL curve does not explain: prompt and
run variation and model-specific strengths. Its residual variance ``p (1 - p) / (kappa_b + 1)`` is the same
in all three measurement models, so mixed tables are consistent.

Contamination-aware model (``model.kind=contamination_aware``): each observed cell c = (m, b) is inflated
(``z_c = 1``) with prior probability ``pi_c = logistic(alpha + beta . x_c)`` and then scores
``p_c + (1 - p_c) s_c``: a share ``s_c = logistic(mu_s + sd_s u_c)`` of the items it would miss is answered from
memory (the mechanism ``benchgap simulate`` uses for leaks), so inflation is non-negative and never passes 1.
``x_c`` holds the centred covariates (exposure ``1 - exp(-age / timescale)``, with ``age`` the years from the
benchmark's release to the model's, and the benchmark's optimised-for flag); a benchmark released after the
model, or held out, blocks the cell (``pi_c ~ 0``). ``z_c`` is summed out (a two-component mixture per cell), so
NUTS samples only continuous parameters; the cell's posterior probability of inflation is the mean over draws of
its mixture responsibility. Capabilities, and so every gap, are those of the clean scores: inflation removed.
The prior is sparse (``pi`` near 0.05): a whole group's scores rising together reads as capability, and only
inflation that the other benchmarks contradict is found.

Speed (``benchmarks/RESULTS.md``): the log densities are written out without their data-only constants;
every per-cell index, score, group and chance floor is a data container, so one compilation serves every
table of a shape (``benchgap.sampling.ModelCache``); the mass-matrix adaptation follows the number of parameters.
"""

from collections.abc import Callable

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from benchgap.capability_prior import capabilities, dimension_coords, dimension_data
from benchgap.config import (
    ConcentrationPooling,
    GroupPrior,
    ModelConfig,
    ModelKind,
    Parametrization,
    PlainLikelihood,
    ScaleIdentification,
)
from benchgap.contamination_prior import COVARIATES, Inflation, inflation_covariates, inflation_prior
from benchgap.rating_link import add_rating_likelihood, rating_data
from benchgap.table import CellSplit, ScoreTable
from benchgap.trend_model import trend_coords, trend_data

EPS = 1e-9


def build_model(table: ScoreTable, *, spec: ModelConfig, pointwise: bool = False) -> pm.Model:
    """The PyMC model of ``table`` (see the module docstring for the equations). ``pointwise``: also record each
    cell's log-likelihood (``log_likelihood_cell``; for LOO after sampling, not for sampling)."""
    coords: dict[str, list] = (
        {
            "model": list(table.models),
            "benchmark": list(table.benchmarks),
            "group": list(table.group_names),
            "category": list(table.category_names),
        }
        | trend_coords(spec)
        | dimension_coords(table, spec)
    )
    aware = spec.kind is ModelKind.contamination_aware
    if aware:
        coords |= {"cell": list(range(table.n_cells)), "covariate": list(COVARIATES)}
    with pm.Model(coords=coords) as model:
        data = {name: pm.Data(name, values) for name, values in cell_data(table, spec=spec).items()}
        group = data.get("model_group")  # absent with the exchangeable prior, which has no group term
        sigma_intercept = pm.HalfNormal("sigma_intercept", spec.difficulty_sd_scale)
        if spec.identify_scale is ScaleIdentification.capability:
            # Origin and unit: the mean and sd of the table's capabilities, imposed by standardising what
            # the likelihood sees. The collective shift and stretch of all capabilities then meet only their
            # prior (sd ~ 1/sqrt(models)) instead of ridges against all intercepts and discriminations,
            # which mixed slowly on the sparse Epoch table (R-hat 1.04, bulk ESS 64).
            # The raw scale is a redundant working parameter (benchgap.capability_prior): it and mu_group_raw mix
            # slowly under a diagonal mass matrix (Epoch preset: R-hat 1.017 for the group means on theta's scale)
            # and enter no reported number. The group-mean gap is checked instead.
            theta = capabilities(spec, data, n_dimensions=len(table.category_names))
            log_a_mean = pm.Normal("log_discrimination_mean", 0.0, spec.discrimination_mean_sd)
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

        kappa = pm.Deterministic("kappa", pt.exp(_log_concentrations(spec)), dims="benchmark")

        if table.ratings is not None:
            add_rating_likelihood(data, theta)  # Arena ratings of the same capability (benchgap.rating_link)
        _add_likelihood(
            data,
            theta=theta,
            discrimination=discrimination,
            intercept=intercept,
            kappa=kappa,
            spec=spec,
            inflation=inflation_prior(data, spec.inflation) if aware else None,
            split=CellSplit.of(table) if pointwise else None,
        )
    return model


def _log_concentrations(spec: ModelConfig) -> pt.TensorVariable:
    """``log kappa_b`` by ``model.concentration_pooling``. Independent (none): a pooled scale made a funnel wherever
    kappa >> n leaves kappa unidentified. ``mean`` learns the table's typical concentration (no funnel: the spread
    is fixed); ``full`` also its spread, non-centred, with a zero-avoiding Gamma(2, .) prior on it."""
    if spec.concentration_pooling is ConcentrationPooling.none:
        return pm.Normal("log_kappa", spec.concentration_mean, spec.concentration_sd, dims="benchmark")
    mu = pm.Normal("log_kappa_mean", spec.concentration_mean, 1.0)
    if spec.concentration_pooling is ConcentrationPooling.mean:
        return pm.Normal("log_kappa", mu, spec.concentration_sd, dims="benchmark")
    sigma = pm.Gamma("log_kappa_sd", alpha=2.0, beta=2.0 / spec.concentration_sd)
    z = pm.Normal("log_kappa_z", 0.0, 1.0, dims="benchmark")
    return pm.Deterministic("log_kappa", mu + sigma * z, dims="benchmark")


KINDS = ("counts", "stderr", "plain")  # measurement models, in CellSplit's order


def cell_data(table: ScoreTable, *, spec: ModelConfig) -> dict[str, np.ndarray]:
    """The values of every data container of ``table``'s model: what differs between tables of one shape.

    Per measurement kind: the cells' model and benchmark indices and what the likelihood reads. Log scores
    are computed here once rather than per gradient; constants such as binomial coefficients are left out.
    """
    split = CellSplit.of(table)
    data: dict[str, np.ndarray] = {"chance": table.chance}
    exchangeable = spec.group_prior is GroupPrior.exchangeable and spec.identify_scale is ScaleIdentification.capability
    if not exchangeable:  # a data container the graph does not use cannot be swapped
        data["model_group"] = table.group_idx
    data |= trend_data(table, spec) | dimension_data(table, spec) | rating_data(table)
    aware = spec.kind is ModelKind.contamination_aware
    for kind, idx in zip(KINDS, vars(split).values(), strict=True):
        if idx.size:
            data |= {f"{kind}_model": table.model_idx[idx], f"{kind}_benchmark": table.bench_idx[idx]}
            if aware:
                data[f"{kind}_cell"] = idx.astype(np.int64)
    if aware:
        data |= inflation_covariates(table, spec.inflation)
    if split.counts.size:
        n = table.n_items[split.counts]
        data |= {"n_items": n, "correct": np.round(table.score[split.counts] * n)}
        # lgamma(kappa_b) - lgamma(n + kappa_b) depends on the cell only through (n, b): once per distinct pair.
        pairs, cells = np.unique(np.column_stack([table.bench_idx[split.counts], n]), axis=0, return_counts=True)
        data |= {"pair_benchmark": pairs[:, 0].astype(np.int64), "pair_items": pairs[:, 1], "pair_cells": cells * 1.0}
    if split.stderr.size:
        data |= {"stderr": table.stderr[split.stderr], "score_se": table.score[split.stderr]}
    if split.plain.size:
        y = table.score[split.plain]
        if spec.plain_likelihood is PlainLikelihood.beta:
            censor = spec.plain_censoring  # a score at or beyond the clip is censored there, or read as at the clip
            low, high = (y <= spec.score_floor) & censor, (y >= 1.0 - spec.score_floor) & censor
            y = np.clip(y, spec.score_floor, 1.0 - spec.score_floor)
            uncensored = np.bincount(table.bench_idx[split.plain][~low & ~high], minlength=table.n_benchmarks)
            data |= {
                "log_score": np.log(y),
                "log1m_score": np.log1p(-y),
                "plain_cells": uncensored.astype(float),  # a censored cell's probability needs no normaliser
                "plain_low": np.flatnonzero(low).astype(np.int64),
                "plain_high": np.flatnonzero(high).astype(np.int64),
            }
        else:
            data["score_plain"] = y
    return data


def shape_key(table: ScoreTable, spec: ModelConfig) -> tuple:
    """Tables with equal keys share one compiled model (their data are swapped in, see :class:`ModelCache`).

    The key holds what the graph is built from: the priors, the numbers of models, benchmarks and groups, and
    which measurement kinds occur. Observed cells, scores, groups of models and chance floors are data. The
    ``discrimination`` identification also fixes which capabilities are sampled centred.
    """
    split = CellSplit.of(table)
    key: tuple = (repr(spec), table.n_models, table.n_benchmarks, len(table.group_names), len(table.category_names))
    key += tuple(idx.size > 0 for idx in vars(split).values())
    key += (0 if table.ratings is None else table.ratings.rating.size,)
    if spec.identify_scale is ScaleIdentification.discrimination:
        key += (np.bincount(table.model_idx, minlength=table.n_models).tobytes(),)
    if spec.kind is ModelKind.contamination_aware:
        # One inflation size per cell: tables with other numbers of observed cells compile anew (a simulate job
        # on a world with missing cells compiles per replicate, about a minute each).
        key += tuple(idx.size for idx in vars(split).values())
    return key


def _add_likelihood(
    data: dict[str, pt.TensorVariable],
    *,
    theta: pt.TensorVariable,
    discrimination: pt.TensorVariable,
    intercept: pt.TensorVariable,
    kappa: pt.TensorVariable,
    spec: ModelConfig,
    inflation: "Inflation | None" = None,
    split: CellSplit | None = None,
) -> None:
    """The measurement model of each observed cell, as log densities without their data-only constants. With the
    table's ``split`` (``build_model(pointwise=True)``), each cell's log density is also recorded, for LOO.

    Written out rather than through ``pm.BetaBinomial``/``pm.Beta``: the beta's normaliser ``lgamma(kappa)``
    is per benchmark (per distinct item count and benchmark for the beta-binomial) rather than per cell, log
    scores are data, and the binomial coefficient is dropped.
    On HELM Lite this cut one gradient from 76 to 29 microseconds (``benchmarks/``), with the same posterior.

    With ``inflation``, each cell's density is the two-component mixture of its clean and its inflated score
    (the inflation indicator summed out); the per-benchmark normalisers do not depend on p, so they stay outside.
    """
    terms = _CellTerms(data, theta=theta, discrimination=discrimination, intercept=intercept, inflation=inflation)
    pointwise = pt.zeros(sum(idx.size for idx in vars(split).values())) if split is not None else None
    for kind, (log_density, normaliser, cell_normaliser) in _densities(data, kappa, spec).items():
        cells = terms.cells(kind, log_density)
        pm.Potential(f"loglik_{kind}", pt.sum(cells) + normaliser)
        if pointwise is not None:
            pointwise = pt.set_subtensor(pointwise[getattr(split, kind)], cells + cell_normaliser)
    if pointwise is not None:  # per cell, in the table's order, up to data-only constants (benchgap.loo adds them)
        pm.Deterministic("log_likelihood_cell", pointwise)
    if inflation is not None:
        pm.Deterministic("inflation_probability", terms.probability, dims="cell")
        pm.Deterministic("inflation_points", terms.points, dims="cell")


Density = Callable[[pt.TensorVariable], pt.TensorVariable]


def _densities(
    data: dict[str, pt.TensorVariable], kappa: pt.TensorVariable, spec: ModelConfig
) -> dict[str, tuple[Density, pt.TensorVariable | float, pt.TensorVariable | float]]:
    """Per measurement kind present in the table: the per-cell log density of ``p``, the kind's normaliser, and that
    normaliser per cell (for the pointwise log-likelihood)."""
    out: dict[str, tuple[Density, pt.TensorVariable | float, pt.TensorVariable | float]] = {}
    if "counts_model" in data:
        n, k, k_kappa = data["n_items"], data["correct"], kappa[data["counts_benchmark"]]

        def beta_binomial(p: pt.TensorVariable) -> pt.TensorVariable:  # k ~ BetaBinomial(n, kappa p, kappa (1 - p))
            alpha, beta = k_kappa * p, k_kappa * (1.0 - p)
            return pt.gammaln(k + alpha) + pt.gammaln(n - k + beta) - pt.gammaln(alpha) - pt.gammaln(beta)

        pair_kappa = kappa[data["pair_benchmark"]]
        normaliser = data["pair_cells"] * (pt.gammaln(pair_kappa) - pt.gammaln(data["pair_items"] + pair_kappa))
        out["counts"] = (beta_binomial, pt.sum(normaliser), pt.gammaln(k_kappa) - pt.gammaln(n + k_kappa))
    if "stderr_model" in data:
        se_kappa = kappa[data["stderr_benchmark"]]

        def normal_stderr(p: pt.TensorVariable) -> pt.TensorVariable:
            sd = pt.sqrt(data["stderr"] ** 2 + p * (1.0 - p) / (se_kappa + 1.0))
            return _normal_log_density(data["score_se"], p, sd)

        out["stderr"] = (normal_stderr, 0.0, 0.0)
    if "plain_model" in data:
        out["plain"] = _plain_density(data, kappa, spec)
    return out


def _plain_density(
    data: dict[str, pt.TensorVariable], kappa: pt.TensorVariable, spec: ModelConfig
) -> tuple[Density, pt.TensorVariable | float, pt.TensorVariable | float]:
    """Scores with neither item counts nor standard errors: beta (with its per-benchmark normaliser) or normal."""
    plain_kappa = kappa[data["plain_benchmark"]]
    if spec.plain_likelihood is PlainLikelihood.beta:
        low, high, floor = data["plain_low"], data["plain_high"], spec.score_floor

        def beta_density(p: pt.TensorVariable) -> pt.TensorVariable:  # score ~ Beta(kappa p, kappa (1 - p))
            alpha, beta = plain_kappa * p, plain_kappa * (1.0 - p)
            density = (
                (alpha - 1.0) * data["log_score"]
                + (beta - 1.0) * data["log1m_score"]
                - pt.gammaln(alpha)
                - pt.gammaln(beta)
            )
            # A score at or beyond the clip is censored: P(q <= floor), or P(q >= 1 - floor) by the beta's symmetry.
            density = pt.set_subtensor(density[low], pt.log(pt.betainc(alpha[low], beta[low], floor)))
            return pt.set_subtensor(density[high], pt.log(pt.betainc(beta[high], alpha[high], floor)))

        # lgamma(alpha + beta) once per benchmark, over its uncensored cells
        per_cell = pt.set_subtensor(pt.set_subtensor(pt.gammaln(plain_kappa)[low], 0.0)[high], 0.0)
        return beta_density, pt.sum(data["plain_cells"] * pt.gammaln(kappa)), per_cell

    def normal(p: pt.TensorVariable) -> pt.TensorVariable:
        sd = pt.sqrt(spec.score_floor**2 + p * (1.0 - p) / (plain_kappa + 1.0))
        return _normal_log_density(data["score_plain"], p, sd)

    return normal, 0.0, 0.0


class _CellTerms:
    """Sums of per-cell log densities, mixed over inflation when the model has it; with inflation, it also collects
    each cell's responsibility (``probability``) and the points it would add (``points``)."""

    def __init__(
        self,
        data: dict[str, pt.TensorVariable],
        *,
        theta: pt.TensorVariable,
        discrimination: pt.TensorVariable,
        intercept: pt.TensorVariable,
        inflation: "Inflation | None",
    ) -> None:
        self.data, self.theta, self.discrimination, self.intercept = data, theta, discrimination, intercept
        self.inflation = inflation
        n_cells = data["cell_blocked"].shape[0] if inflation is not None else 0
        self.probability, self.points = pt.zeros(n_cells), pt.zeros(n_cells)

    def cells(self, kind: str, log_density: Density) -> pt.TensorVariable:
        """``log_density(p)`` of each of ``kind``'s cells (mixed over inflation when the model has it)."""
        data, inflation = self.data, self.inflation
        m, b = data[f"{kind}_model"], data[f"{kind}_benchmark"]
        theta = self.theta[m] if self.theta.ndim == 1 else self.theta[m, data["benchmark_dimension"][b]]
        eta = self.discrimination[b] * theta + self.intercept[b]
        p = pt.clip(data["chance"][b] + (1.0 - data["chance"][b]) * pt.sigmoid(eta), EPS, 1.0 - EPS)
        if inflation is None:
            return log_density(p)
        cell = data[f"{kind}_cell"]
        inflated = pt.clip(p + (1.0 - p) * inflation.size[cell], EPS, 1.0 - EPS)
        clean_term = inflation.log1m_share[cell] + log_density(p)
        inflated_term = inflation.log_share[cell] + log_density(inflated)
        mixed = pt.logaddexp(clean_term, inflated_term)
        self.probability = pt.set_subtensor(self.probability[cell], pt.exp(inflated_term - mixed))
        self.points = pt.set_subtensor(self.points[cell], inflated - p)
        return mixed


def _normal_log_density(y: pt.TensorVariable, mu: pt.TensorVariable, sd: pt.TensorVariable) -> pt.TensorVariable:
    """``log Normal(y | mu, sd)`` per cell, without the constant ``-log(2 pi) / 2``."""
    return -0.5 * pt.square((y - mu) / sd) - pt.log(sd)


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
