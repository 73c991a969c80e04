"""The prior of the capabilities under ``identify_scale=capability``, and their standardisation: the part of
:mod:`benchgap.model` that says where each model's capability comes from.

- ``model.group_prior``: raw capabilities pooled toward free group means (normal, or Student-t so that a group's
  frontier model is not pulled toward its many small ones), or exchangeable.
- ``model.trend``: the group means move with release date (:mod:`benchgap.trend_model`).
- ``model.dimensions=categories``: one capability per benchmark category, correlated across categories
  (``theta_raw[m] ~ MvNormal(mu[g_m], R)``, ``R ~ LKJ(dimension_eta)`` with unit sds on the raw scale, group means per
  category). Each benchmark loads on its own category's capability (confirmatory: its slope and intercept as in the
  one-dimensional model, its discrimination positive). Each category's capabilities are standardised over the table
  (mean 0, sd 1), which identifies every dimension's origin and unit; a category needs three or more benchmarks.
  The general capability ``theta`` is the benchmark-share-weighted mean of the dimensions, standardised again: what a
  composite of every benchmark ranks by. Trend slopes are shared by a group's dimensions.

The raw scale is a redundant working parameter (parameter expansion; Liu & Wu 1999): only its standardised image
enters the likelihood and the estimands.
"""

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from benchgap.config import Dimensions, GroupPrior, ModelConfig, ScaleIdentification
from benchgap.errors import InputError
from benchgap.table import ScoreTable
from benchgap.trend_model import group_centre

MIN_DIMENSION_BENCHMARKS = 3  # a category's capability is identified by its benchmarks' slopes: at least three


def check_dimensions(table: ScoreTable, spec: ModelConfig) -> None:
    """``model.dimensions=categories`` needs three benchmarks per category and the normal or exchangeable prior."""
    if spec.dimensions is Dimensions.one:
        return
    counts = np.bincount(table.category_idx, minlength=len(table.category_names))
    names = table.category_names
    thin = [f"{name} ({n})" for name, n in zip(names, counts, strict=True) if n < MIN_DIMENSION_BENCHMARKS]
    if thin:
        raise InputError(
            f"model.dimensions=categories needs at least {MIN_DIMENSION_BENCHMARKS} benchmarks per category, and "
            f"{table.source} has fewer in: {', '.join(thin)}; merge those categories (the category column or "
            "data.benchmarks) or set model.dimensions=one"
        )
    if len(counts) < 2:
        raise InputError(
            f"model.dimensions=categories needs two or more benchmark categories, and {table.source} has one "
            f"({table.category_names[0]}): give a category column (or data.benchmarks) or set model.dimensions=one"
        )
    if spec.group_prior is GroupPrior.student_t or spec.identify_scale is not ScaleIdentification.capability:
        raise InputError(
            "model.dimensions=categories takes model.group_prior=normal or exchangeable and "
            "model.identify_scale=capability (or set model.dimensions=one)"
        )


def dimension_coords(table: ScoreTable, spec: ModelConfig) -> dict[str, list]:
    """The dimension coordinate (the category names), for ``dimensions=categories`` only."""
    return {"dimension": list(table.category_names)} if spec.dimensions is Dimensions.categories else {}


def dimension_data(table: ScoreTable, spec: ModelConfig) -> dict[str, np.ndarray]:
    """Per benchmark its dimension, and each dimension's share of the benchmarks (the general capability's weights)."""
    if spec.dimensions is Dimensions.one:
        return {}
    idx = table.category_idx
    share = np.bincount(idx, minlength=len(table.category_names)) / table.n_benchmarks
    return {"benchmark_dimension": idx.astype(np.int64), "dimension_share": share}


def capabilities(spec: ModelConfig, data: dict[str, pt.TensorVariable], *, n_dimensions: int) -> pt.TensorVariable:
    """The standardised capabilities the likelihood reads: ``theta`` (model) with one dimension, ``theta_dim``
    (model, dimension) with several; both are recorded, ``theta`` always being the general capability."""
    theta_raw = _raw_capabilities(spec, data, n_dimensions)
    standard = _standardised(theta_raw)
    if spec.dimensions is Dimensions.one:
        return pm.Deterministic("theta", standard, dims="model")
    theta_dim = pm.Deterministic("theta_dim", standard, dims=("model", "dimension"))
    pm.Deterministic("theta", _standardised(theta_dim @ data["dimension_share"]), dims="model")
    return theta_dim


def _standardised(raw: pt.TensorVariable) -> pt.TensorVariable:
    """Each column (or the vector) at mean 0 and sd 1 over the models."""
    centre = raw.mean(axis=0)
    return (raw - centre) / pt.sqrt(pt.mean(pt.square(raw - centre), axis=0))


def _raw_capabilities(spec: ModelConfig, data: dict[str, pt.TensorVariable], n_dimensions: int) -> pt.TensorVariable:
    """``theta_raw`` before standardising, by ``model.group_prior``, ``model.trend`` and ``model.dimensions``."""
    several = spec.dimensions is Dimensions.categories
    if spec.group_prior is GroupPrior.exchangeable:
        centre = pt.zeros(n_dimensions) if several else pt.as_tensor(0.0)
    else:
        # zero-sum over the groups (per dimension): the data, not the prior, decide how far groups sit apart
        mu_raw = pm.ZeroSumNormal("mu_group_raw", sigma=spec.group_mean_sd, dims=("dimension", "group")[not several :])
        centre = group_centre(mu_raw.T if several else mu_raw, data["model_group"], spec, data)
    if several:
        chol = pm.LKJCorr("dimension_corr_chol", n=n_dimensions, eta=spec.dimension_eta)
        pm.Deterministic("dimension_corr", chol @ chol.T)
        # unit sds, so centred sampling has no funnel; the standardisation sets each dimension's unit. A sparse
        # table (a model with few or no scores in a category) leaves its capabilities there to the correlation:
        # non-centred sampling follows that geometry better.
        if spec.dimension_centred:
            return pm.MvNormal("theta_raw", mu=centre, chol=chol, dims=("model", "dimension"))
        z = pm.Normal("theta_z", 0.0, 1.0, dims=("model", "dimension"))
        return pm.Deterministic("theta_raw", centre + z @ chol.T, dims=("model", "dimension"))
    if spec.group_prior is GroupPrior.student_t:
        return pm.StudentT("theta_raw", nu=spec.group_prior_nu, mu=centre, sigma=1.0, dims="model")
    return pm.Normal("theta_raw", centre, 1.0, dims="model")  # no funnel: sd is fixed
