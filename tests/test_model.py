"""The model recovers known truth from simulated tables: capabilities, their ranking, and the score gap.

One 40 x 12 fit is shared by the module. The coverage of the gap's intervals over 100 worlds is tested through the
simulate job (``tests/test_simulate_job.py``), which scores the same fit against both truths.
"""

import numpy as np
import pytest
from scipy.stats import spearmanr

from benchgap.config import ConvergenceConfig, GapConfig, ModelConfig, SamplerConfig
from benchgap.fitting import FitResult, finish_fit
from benchgap.presets import demo_world_with
from benchgap.sampling import ModelCache
from benchgap.table import ScoreTable
from benchgap.weighting import table_weights
from benchgap.world import Truth, draw_world

GAP = GapConfig(a="US", b="China")
MEANS = {"US": 0.6, "China": 0.4, "Other": -0.2}


def true_score_gap(truth: Truth, table: ScoreTable) -> float:
    """Noise-free best-vs-best composite-score gap: the estimand ``gap.score`` targets."""
    composite = truth.expected_score @ table_weights(table, GAP.weighting)
    groups = np.asarray(table.groups)
    return float(composite[groups == GAP.a].max() - composite[groups == GAP.b].max())


def fit_table(cache: ModelCache, table: ScoreTable, sampler: SamplerConfig) -> FitResult:
    posterior = cache.sample(table, sampler=sampler)
    return finish_fit(table, posterior, gap=GAP, convergence=ConvergenceConfig(), seconds=0.0)


@pytest.fixture(scope="module")
def recovery() -> tuple[ScoreTable, Truth, FitResult]:
    world = demo_world_with({"US": 16, "China": 14, "Other": 10}, MEANS, missing_rate=0.15)
    table, drawn = draw_world(world, seed=7)
    truth = drawn.truth
    result = fit_table(ModelCache(ModelConfig()), table, SamplerConfig(progress=False, seed=1))
    return table, truth, result


def test_recovery_table_has_the_promised_shape(recovery):
    table, _, _ = recovery
    assert (table.n_models, table.n_benchmarks) == (40, 12)
    assert table.n_missing > 0


def test_fit_mixes(recovery):
    """Chains agree and draws are plenty, with margins that hold on any machine (not one seed's R-hat under 1.01)."""
    _, _, result = recovery
    diag = result.diagnostics
    assert diag.max_rhat < 1.02, diag.problems
    assert diag.min_ess_bulk >= 300, diag.problems
    assert diag.divergences == 0


def test_capability_ranking_is_recovered(recovery):
    _, truth, result = recovery
    estimated = np.array([m.theta_mean for m in result.estimates.models])
    rho = spearmanr(estimated, truth.theta).statistic
    assert rho >= 0.9, rho
    error = np.sqrt(np.mean((estimated - truth.theta) ** 2))
    assert error < 0.3, error  # capabilities spread with sd 1 within groups


def test_capability_intervals_cover_the_truth(recovery):
    _, truth, result = recovery
    inside = [
        lo <= t <= hi
        for m, t in zip(result.estimates.models, truth.theta, strict=True)
        for lo, hi in [m.theta_interval]
    ]
    assert 0.75 <= np.mean(inside) <= 1.0, np.mean(inside)


def test_discrimination_and_intercepts_are_recovered(recovery):
    _, truth, result = recovery
    log_a = result.posterior["posterior"]["log_discrimination"].mean(("chain", "draw")).to_numpy()
    intercept = result.posterior["posterior"]["intercept"].mean(("chain", "draw")).to_numpy()
    true_intercept = -truth.discrimination * truth.difficulty
    assert np.corrcoef(log_a, np.log(truth.discrimination))[0, 1] > 0.8
    assert np.abs(intercept - true_intercept).max() < 0.3


def test_score_gap_interval_holds_the_truth(recovery):
    table, truth, result = recovery
    lo, hi = result.estimates.gap.score.interval
    assert lo <= true_score_gap(truth, table) <= hi


def test_same_seed_same_numbers():
    table, _ = draw_world(demo_world_with({"US": 4, "China": 4}, MEANS), seed=3)
    cache = ModelCache(ModelConfig())
    sampler = SamplerConfig(chains=2, draws=50, tune=50, seed=11, progress=False)
    first, second = (cache.sample(table, sampler=sampler)["posterior"]["theta"].to_numpy() for _ in range(2))
    np.testing.assert_array_equal(first, second)
    other = cache.sample(table, sampler=SamplerConfig(chains=2, draws=50, tune=50, seed=12, progress=False))
    assert not np.array_equal(first, other["posterior"]["theta"].to_numpy())
