"""The suite estimand: each cell's persistent score given its data, and the two truths of a simulated world.

The persistent-score draws are checked on a posterior built by hand (every draw the same curve), so each
update can be compared with its closed form: the conjugate beta for item counts, the normal posterior for
standard errors, the score itself for plain proportions, the prior for missing cells.
"""

import dataclasses

import numpy as np
import pytest
import xarray as xr

from benchgap.posterior import suite_scores
from benchgap.presets import world_preset
from benchgap.world import draw_world, observe, sample_world

DRAWS = 20_000
KAPPA = 40.0


@pytest.fixture(scope="module")
def demo():
    return draw_world(world_preset("demo"), seed=3)


def constant_posterior(table, world) -> xr.DataTree:
    """One chain whose every draw is the world's true curve, with concentration ``KAPPA`` on every benchmark."""
    truth = world.truth

    def repeat(values: np.ndarray, dim: str) -> xr.DataArray:
        return xr.DataArray(np.broadcast_to(values, (1, DRAWS, values.size)).copy(), dims=("chain", "draw", dim))

    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(
                {
                    "theta": repeat(truth.theta, "model"),
                    "intercept": repeat(-truth.discrimination * truth.difficulty, "benchmark"),
                    "log_discrimination": repeat(np.log(truth.discrimination), "benchmark"),
                    "kappa": repeat(np.full(table.n_benchmarks, KAPPA), "benchmark"),
                }
            )
        }
    )


def cell_draws(table, world, **kwargs) -> np.ndarray:
    """(draw, cell) persistent scores of the table's observed cells."""
    q = suite_scores(constant_posterior(table, world), table, chain=0, seed=1, **kwargs)
    return q[:, table.model_idx, table.bench_idx]


def curve(table, world) -> np.ndarray:
    return world.truth.expected_score[table.model_idx, table.bench_idx]


def test_item_counts_give_the_conjugate_beta(demo):
    table, world = demo
    q = cell_draws(table, world)
    p, n = curve(table, world), table.n_items
    k = np.round(table.score * n)
    alpha, beta = KAPPA * p + k, KAPPA * (1 - p) + n - k
    mean, var = alpha / (alpha + beta), alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))
    assert np.max(np.abs(q.mean(axis=0) - mean) / np.sqrt(var / DRAWS)) < 5
    assert np.allclose(q.var(axis=0), var, rtol=0.1)


def test_all_run_noise_leaves_the_curve(demo):
    table, world = demo
    q = cell_draws(table, world, run_share=(1.0, 1.0))
    assert np.max(np.abs(q.mean(axis=0) - curve(table, world))) < 1e-3
    assert q.std(axis=0).max() < 1e-3


def test_run_noise_pulls_the_suite_score_toward_the_curve(demo):
    table, world = demo
    persistent, half = cell_draws(table, world), cell_draws(table, world, run_share=(0.5, 0.5))
    distance = [np.abs(q.mean(axis=0) - curve(table, world)).mean() for q in (persistent, half)]
    assert distance[1] < distance[0]  # half the departure is noise: the estimate sits nearer the curve


def test_missing_cells_are_drawn_from_the_curve(demo):
    table, world = demo
    q = suite_scores(constant_posterior(table, world), table, chain=0, seed=1)
    observed = np.zeros(world.truth.expected_score.shape, bool)
    observed[table.model_idx, table.bench_idx] = True
    p = world.truth.expected_score[~observed]
    mean, sd = q[:, ~observed].mean(axis=0), q[:, ~observed].std(axis=0)
    assert np.all(np.abs(mean - p) < 5 * np.sqrt(p * (1 - p) / (KAPPA + 1) / DRAWS))
    assert np.allclose(sd, np.sqrt(p * (1 - p) / (KAPPA + 1)), rtol=0.05)


def test_standard_errors_give_the_normal_posterior(demo):
    table, world = demo
    se = np.full(table.n_cells, 0.02)
    with_se = dataclasses.replace(table, stderr=se)
    q = cell_draws(with_se, world)
    p = curve(table, world)
    prior = p * (1 - p) / (KAPPA + 1)
    post_var = 1 / (1 / prior + 1 / se**2)
    post_mean = post_var * (p / prior + table.score / se**2)
    inside = (post_mean > 0.1) & (post_mean < 0.9)  # away from the clip at 0 and 1
    assert np.max(np.abs(q.mean(axis=0) - post_mean)[inside]) < 5 * np.sqrt(post_var.max() / DRAWS)
    assert np.allclose(q.std(axis=0)[inside], np.sqrt(post_var[inside]), rtol=0.05)


def test_plain_proportions_are_the_persistent_score_when_nothing_is_run_noise(demo):
    table, world = demo
    plain = dataclasses.replace(table, n_items=np.full(table.n_cells, np.nan))
    q = cell_draws(plain, world)
    assert np.allclose(q, table.score[None, :])


def test_same_seed_same_draws(demo):
    table, world = demo
    posterior = constant_posterior(table, world)
    first, again = (suite_scores(posterior, table, chain=0, seed=5, run_share=(0, 0.5)) for _ in range(2))
    assert np.array_equal(first, again)


def test_a_world_has_two_truths_and_runs_change_neither():
    """Persistent strengths of sd ``interaction_sd`` at a score of 0.5 move the suite truth off the curve; run
    noise is redrawn per measurement and moves no truth."""
    cfg = world_preset("ai_index_2026")
    cfg = dataclasses.replace(cfg, noise=dataclasses.replace(cfg.noise, interaction_sd=0.05, run_sd=0.05))
    rng = np.random.default_rng(0)
    world = sample_world(cfg, rng)
    truth = world.truth
    departure = truth.suite_score - truth.expected_score
    scale = np.sqrt(truth.expected_score * (1 - truth.expected_score) / 0.25)  # sd at p relative to p = 0.5
    assert abs(np.std(departure / scale) - 0.05) < 0.01
    first, second = (observe(world, truth.suite_score, noise=cfg.noise, rng=rng) for _ in range(2))
    assert not np.allclose(first.score, second.score)
    without = dataclasses.replace(cfg, noise=dataclasses.replace(cfg.noise, interaction_sd=0.0))
    plain = sample_world(without, np.random.default_rng(0)).truth
    assert np.array_equal(plain.suite_score, plain.expected_score)


def test_benchmarks_can_differ_in_noise():
    """``noise.spread``: each benchmark's strength sd is scaled by its own factor exp(spread z)."""
    cfg = world_preset("heterogeneous")
    world = sample_world(cfg, np.random.default_rng(1))
    truth = world.truth
    scale = np.sqrt(truth.expected_score * (1 - truth.expected_score) / 0.25)
    per_benchmark = np.std((truth.suite_score - truth.expected_score) / scale, axis=0)
    expected = np.minimum(cfg.noise.interaction_sd * world.noise_scale, 0.45)
    assert np.corrcoef(np.log(per_benchmark), np.log(expected))[0, 1] > 0.8
    assert world.noise_scale.max() / world.noise_scale.min() > 2
