"""The written-out likelihood equals PyMC's distributions, and compiled models are reused across tables."""

import dataclasses
import importlib.util

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import stats
from scipy.special import expit

from benchgap.config import Adaptation, Backend, GroupPrior, ModelConfig, PlainLikelihood, SamplerConfig
from benchgap.errors import InputError
from benchgap.model import build_model, shape_key
from benchgap.presets import demo_world_with
from benchgap.sampling import LOW_RANK_MAX_PARAMETERS, ModelCache, _adaptation, compile_model
from benchgap.table import ScoreTable
from benchgap.world import draw_world

SIZES = {"US": 5, "China": 4}
MEANS = {"US": 0.3, "China": -0.3}


def mixed_table(seed: int) -> ScoreTable:
    """A world whose cells use all three measurement models: item counts, standard errors and plain scores."""
    table, _ = draw_world(demo_world_with(SIZES, MEANS, missing_rate=0.1), seed=seed)
    kind = np.arange(table.n_cells) % 3
    n_items = np.where(kind == 0, table.n_items, np.nan)
    stderr = np.where(kind == 1, 0.02, np.nan)
    score = np.where(kind == 2, np.clip(table.score, 0.01, 0.99), table.score)
    return dataclasses.replace(
        table, n_items=n_items, stderr=stderr, score=score, chance=np.full(12, 0.1)[: table.n_benchmarks]
    )


def scipy_log_likelihood(table: ScoreTable, point: dict[str, np.ndarray], spec: ModelConfig) -> float:
    """The same likelihood from scipy's distributions, with all their constants."""
    raw = point["theta_raw"]
    theta = (raw - raw.mean()) / np.sqrt(np.mean((raw - raw.mean()) ** 2))
    m, b = table.model_idx, table.bench_idx
    eta = np.exp(point["log_discrimination"])[b] * theta[m] + point["intercept"][b]
    p = table.chance[b] + (1 - table.chance[b]) * expit(eta)
    kappa = np.exp(point["log_kappa"])[b]
    counts, se = np.isfinite(table.n_items), np.isfinite(table.stderr)
    plain = ~counts & ~se
    n = table.n_items[counts]
    k = np.round(table.score[counts] * n)
    total = stats.betabinom.logpmf(k, n, kappa[counts] * p[counts], kappa[counts] * (1 - p[counts])).sum()
    sd = np.sqrt(table.stderr[se] ** 2 + p[se] * (1 - p[se]) / (kappa[se] + 1))
    total += stats.norm.logpdf(table.score[se], p[se], sd).sum()
    y, floor = table.score[plain], spec.score_floor
    alpha, beta = kappa[plain] * p[plain], kappa[plain] * (1 - p[plain])
    low, high = (y <= floor) & spec.plain_censoring, (y >= 1 - floor) & spec.plain_censoring  # censored at the clip
    inside = ~low & ~high
    y = np.clip(y, floor, 1 - floor)
    total += stats.beta.logpdf(y[inside], alpha[inside], beta[inside]).sum()
    total += stats.beta.logcdf(floor, alpha[low], beta[low]).sum()
    total += stats.beta.logsf(1 - floor, alpha[high], beta[high]).sum()
    return float(total)


@pytest.mark.parametrize("censored", [False, True])
def test_written_out_likelihood_matches_scipy_up_to_a_constant(censored):
    """Differences of log likelihood between parameter points agree with scipy's beta-binomial, normal and beta; with
    ``plain_censoring`` a plain score at or beyond the clip (0.005) is censored there, its probability the beta's
    tail."""
    table, spec = mixed_table(1), ModelConfig(plain_censoring=censored)
    if censored:
        plain = np.flatnonzero(~np.isfinite(table.n_items) & ~np.isfinite(table.stderr))
        score = table.score.copy()
        score[plain[:3]], score[plain[3:5]] = 0.0, 1.0
        table = dataclasses.replace(table, score=score)
    model = build_model(table, spec=spec)
    assert {p.name for p in model.potentials} == {"loglik_counts", "loglik_stderr", "loglik_plain"}
    inputs = model.value_vars
    (total,) = model.replace_rvs_by_values([pt.sum([pt.sum(p) for p in model.potentials])])
    function = pytensor.function(inputs, total, on_unused_input="ignore")
    rng = np.random.default_rng(0)
    names = ("theta_raw", "log_discrimination", "intercept", "log_kappa")
    start = model.initial_point()
    values = []
    for _ in range(4):
        point = dict(start) | {
            name: rng.normal(0.0, 0.5, size=start[name].shape) + (4.0 if name == "log_kappa" else 0.0) for name in names
        }
        values.append((function(*(point[v.name] for v in inputs)), scipy_log_likelihood(table, point, spec)))
    ours, reference = np.array(values).T
    np.testing.assert_allclose(ours - ours[0], reference - reference[0], rtol=1e-9, atol=1e-6)
    assert np.ptp(reference) > 1.0  # the points differ enough for the check to mean something


def test_tables_of_one_shape_share_a_compilation_and_give_what_a_fresh_fit_gives():
    spec, sampler = ModelConfig(), SamplerConfig(chains=2, draws=100, tune=100, seed=5, progress=False)
    first, second = mixed_table(1), mixed_table(2)
    assert first.n_cells != second.n_cells  # other missing cells: still one shape
    assert shape_key(first, spec) == shape_key(second, spec)
    cache = ModelCache(spec)
    cache.sample(first, sampler=sampler)
    swapped = cache.sample(second, sampler=sampler)
    assert len(cache._compiled) == 1
    fresh = ModelCache(spec).sample(second, sampler=sampler)
    for name in ("theta", "intercept", "kappa"):
        np.testing.assert_allclose(
            swapped["posterior"][name].to_numpy(), fresh["posterior"][name].to_numpy(), rtol=1e-10
        )
    assert list(swapped["posterior"]["model"].to_numpy()) == list(second.models)


@pytest.mark.parametrize(
    "change",
    [
        {"plain_likelihood": PlainLikelihood.normal},
        {"group_mean_sd": 1.0},
    ],
)
def test_other_priors_or_likelihoods_compile_anew(change):
    table = mixed_table(1)
    assert shape_key(table, ModelConfig()) != shape_key(table, ModelConfig(**change))


def test_auto_adaptation_is_low_rank_for_small_models_and_diagonal_for_large():
    assert _adaptation(Adaptation.auto, 111) == "low_rank"  # HELM Lite
    assert _adaptation(Adaptation.auto, LOW_RANK_MAX_PARAMETERS + 1) == "diag"
    assert _adaptation(Adaptation.low_rank, 1000) == "low_rank"
    assert _adaptation(Adaptation.diag, 10) == "diag"


def test_pymc_backend_swaps_data_and_says_how_it_sampled():
    spec, sampler = ModelConfig(), SamplerConfig(backend=Backend.pymc, chains=2, draws=100, tune=100, progress=False)
    cache = ModelCache(spec, Backend.pymc)
    first = cache.sample(mixed_table(1), sampler=sampler)
    second_table = mixed_table(2)
    second = cache.sample(second_table, sampler=sampler)
    assert second.attrs["inference"] == (
        "NUTS (pymc through PyMC), 2 chains x (100 warm-up + 100 draws), target_accept 0.9"
    )
    assert list(second["posterior"]["model"].to_numpy()) == list(second_table.models)
    means = [p["posterior"]["theta"].mean(("chain", "draw")).to_numpy() for p in (first, second)]
    assert np.abs(means[0] - means[1]).max() > 0.05  # the second table's data were fitted, not the first's


@pytest.mark.skipif(importlib.util.find_spec("jax") is not None, reason="jax is installed")
def test_jax_backends_without_jax_name_the_extra():
    model = build_model(mixed_table(1), spec=ModelConfig())
    for backend in (Backend.nutpie_jax, Backend.numpyro):
        with pytest.raises(InputError, match=r"pip install 'benchgap\[jax\]'"):
            compile_model(model, backend)


def test_fit_refuses_a_cache_made_for_another_spec():
    from benchgap.config import ConvergenceConfig, GapConfig
    from benchgap.fitting import fit

    cache = ModelCache(ModelConfig(group_mean_sd=1.0))
    with pytest.raises(ValueError, match="another model spec"):
        fit(
            mixed_table(1),
            model=ModelConfig(),
            sampler=SamplerConfig(),
            gap=GapConfig(),
            convergence=ConvergenceConfig(),
            cache=cache,
        )


def test_the_group_priors_build_and_the_exchangeable_one_swaps_tables_into_one_compilation():
    """The exchangeable prior has no group term, so its graph reads no group data (a container the graph does not
    use could not be swapped); the heavy-tailed one keeps the group means."""
    heavy = build_model(mixed_table(1), spec=ModelConfig(group_prior=GroupPrior.student_t))
    assert "mu_group_raw" in heavy.named_vars and type(heavy["theta_raw"].owner.op).__name__.startswith("StudentT")
    spec, sampler = (
        ModelConfig(group_prior=GroupPrior.exchangeable),
        SamplerConfig(chains=2, draws=100, tune=100, seed=5, progress=False),
    )
    assert "mu_group_raw" not in build_model(mixed_table(1), spec=spec).named_vars
    cache = ModelCache(spec)
    for seed in (1, 2):
        posterior = cache.sample(mixed_table(seed), sampler=sampler)
        assert np.isfinite(posterior["posterior"]["theta"].to_numpy()).all()
    assert len(cache._compiled) == 1
