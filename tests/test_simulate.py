"""Simulated worlds and their distortions, without fitting: each distortion moves the apparent gap in the
expected direction and by the configured amount, weightings give the weights they promise, and the
adversarial flip distance is the true minimum.

Worlds come from the shipped configs (composed by Hydra, as the CLI does), so the defaults are tested too.
"""

import dataclasses

import numpy as np
import pytest

from benchgap.config import SimulateConfig, WeightScheme
from benchgap.errors import InputError
from benchgap.jobs.simulate.checks import check_simulate
from benchgap.presets import world_preset
from benchgap.scoring import draw_replicate, score_replicate
from benchgap.weighting import best_vs_best, flip_distance, scheme_weights
from benchgap.world import distorted_scores, draw_world, leaked_share
from tests.conftest import simulate_settings as settings

REPLICATES = 60


def naive_rows(cfg: SimulateConfig) -> dict[str, np.ndarray]:
    """Per replicate: the naive composite's gap and truth, and the true best composites of each group."""
    rows = [score_replicate(draw_replicate(cfg, r), cfg, None)[0] for r in range(cfg.replicates)]
    return {key: np.array([row[key] for row in rows]) for key in ("estimate", "truth", "true_best_b_score")}


@pytest.fixture(scope="module")
def clean() -> dict[str, np.ndarray]:
    return naive_rows(settings())


def test_default_world_mirrors_the_headline():
    """ai_index_2026: best models' true composites near 0.89 (US) and 0.87 (China), a gap near 2 points."""
    cfg = settings()
    reps = [draw_replicate(cfg, r) for r in range(cfg.replicates)]
    best = {
        g: np.mean(
            [(rep.world.truth.expected_score @ rep.weights)[np.asarray(rep.world.groups) == g].max() for rep in reps]
        )
        for g in ("US", "China")
    }
    assert abs(best["US"] - 0.89) < 0.015, best
    assert abs(best["China"] - 0.87) < 0.015, best
    assert {rep.table.n_models for rep in reps} == {14} and {rep.table.n_benchmarks for rep in reps} == {12}


def test_without_distortion_the_naive_gap_is_unbiased(clean):
    error = clean["estimate"] - clean["truth"]
    assert abs(error.mean()) < 0.003, error.mean()  # finite items and run noise only
    assert np.sqrt(np.mean(error**2)) < 0.012


def test_contamination_of_group_b_shrinks_the_gap_by_its_inflation(clean):
    """Uniform leaks in China's models only: the gap shrinks by rate * recall * (1 - China's best score)."""
    rate, recall = 0.2, 1.0
    leaked = naive_rows(
        settings(
            "contamination=uniform",
            f"contamination.rate={rate}",
            f"contamination.recall={recall}",
            "contamination.group=China",
        )
    )
    shift = leaked["estimate"] - clean["estimate"]
    inflation = rate * recall * (1 - clean["true_best_b_score"])
    assert shift.mean() < 0
    assert shift.mean() == pytest.approx(-inflation.mean(), rel=0.1), (shift.mean(), inflation.mean())
    np.testing.assert_array_equal(leaked["truth"], clean["truth"])  # the truth is the undistorted world


def test_contamination_of_group_a_widens_the_gap(clean):
    leaked = naive_rows(settings("contamination=uniform", "contamination.rate=0.2", "contamination.group=US"))
    shift = leaked["estimate"] - clean["estimate"]
    assert 0.015 < shift.mean() < 0.03, shift.mean()  # 0.2 * (1 - 0.89) = 0.022


def test_exposure_leaks_grow_with_benchmark_age():
    cfg = settings("contamination=exposure", "contamination.rate=0.4", "contamination.timescale=2")
    world = draw_replicate(cfg, 0).world
    share = leaked_share(world, cfg.contamination)
    age = np.clip(world.model_release[:, None] - world.benchmark_release[None, :], 0, None)
    np.testing.assert_allclose(share, 0.4 * (1 - np.exp(-age / 2)))
    newest, oldest = np.argmax(world.benchmark_release), np.argmin(world.benchmark_release)
    assert (share[:, oldest] > share[:, newest]).all()
    only_china = leaked_share(world, dataclasses.replace(cfg.contamination, group="China"))
    assert (only_china[np.asarray(world.groups) != "China"] == 0).all()


def test_exposure_in_group_b_shrinks_the_gap_by_its_inflation(clean):
    """Exposure leaks in China's models: the gap shrinks by the configured inflation of China's best composite."""
    cfg = settings("contamination=exposure", "contamination.group=China")
    leaked = naive_rows(cfg)
    shift = leaked["estimate"] - clean["estimate"]
    configured = configured_shift(cfg, "China")
    assert configured.mean() > 0.01
    assert shift.mean() == pytest.approx(-configured.mean(), rel=0.1), (shift.mean(), configured.mean())
    assert (shift < 0).mean() > 0.9


def configured_shift(cfg: SimulateConfig, group: str) -> np.ndarray:
    """Per replicate, how much the distortions raise ``group``'s best noise-free composite score."""
    shifts = []
    for r in range(cfg.replicates):
        rep = draw_replicate(cfg, r)
        members = np.asarray(rep.world.groups) == group
        distorted = distorted_scores(rep.world, overfitting=cfg.overfitting, contamination=cfg.contamination)
        before, after = rep.world.truth.expected_score @ rep.weights, distorted @ rep.weights
        shifts.append(after[members].max() - before[members].max())
    return np.array(shifts)


def test_targeted_overfitting_moves_the_gap_by_the_configured_gain(clean):
    """China gains 10 points on the 3 math benchmarks of 12: at most 0.1 * 3/12 = 0.025 on its composites, less
    where a score would pass the cap (a model at 0.95 can gain 0.049)."""
    cfg = settings("overfitting=targeted", "overfitting.gain=0.1", "overfitting.group=China")
    overfit = naive_rows(cfg)
    shift = overfit["estimate"] - clean["estimate"]
    configured = configured_shift(cfg, "China")
    assert 0.015 < configured.mean() <= 0.025
    assert shift.mean() == pytest.approx(-configured.mean(), rel=0.1), (shift.mean(), configured.mean())
    np.testing.assert_array_equal(overfit["truth"], clean["truth"])
    # A custom weighting that ignores math sees none of it.
    ignore_math = "weighting.weights.math=0"
    custom = naive_rows(settings("overfitting=targeted", "weighting=custom", ignore_math))
    custom_clean = naive_rows(settings("weighting=custom", ignore_math))
    assert abs(np.mean(custom["estimate"] - custom_clean["estimate"])) < 0.002


def test_overfitting_flips_the_headline_often(clean):
    """The seed headline's gap (about 2 points) is within reach of a 10-point gain on math alone."""
    overfit = naive_rows(settings("overfitting=targeted"))
    wrong = np.mean(np.sign(overfit["estimate"]) != np.sign(overfit["truth"]))
    right = np.mean(np.sign(clean["estimate"]) != np.sign(clean["truth"]))
    assert wrong > right + 0.1, (wrong, right)  # measured: 0.17 against 0.03 over 60 replicates


def test_true_gap_sets_group_b_mean():
    wide, none = settings("world.true_gap=1.0"), settings("world.true_gap=0.0")
    gaps = {
        name: np.mean([score_replicate(draw_replicate(c, r), c, None)[0]["true_score_gap"] for r in range(30)])
        for name, c in (("wide", wide), ("none", none))
    }
    assert gaps["wide"] > 0.05 and abs(gaps["none"]) < 0.01, gaps


def test_scheme_weights():
    benchmarks = ("language-1", "math-1", "math-2", "coding-1")
    categories = ("language", "math", "math", "coding")
    uniform = scheme_weights(settings().weighting.kind, benchmarks, categories)
    np.testing.assert_allclose(uniform, 0.25)
    category = scheme_weights(WeightScheme.category, benchmarks, categories)
    np.testing.assert_allclose(category, [1 / 3, 1 / 6, 1 / 6, 1 / 3])
    custom = {"math": 2.0, "coding-1": 2.0}
    np.testing.assert_allclose(
        scheme_weights(WeightScheme.custom, benchmarks, categories, custom=custom), [0, 0.25, 0.25, 0.5]
    )
    with pytest.raises(InputError, match=r"weighting\.weights\.physics: no benchmark or category"):
        scheme_weights(WeightScheme.custom, benchmarks, categories, custom={"physics": 1.0})


def test_flip_distance_of_a_worked_example():
    """A: (0.9, 0.5), B: (0.6, 0.7), equal weights: A leads by 0.05 and falls behind once w_1 <= 0.4: TV 0.1."""
    scores = np.array([[0.9, 0.5], [0.6, 0.7]])
    in_a, in_b = np.array([True, False]), np.array([False, True])
    assert flip_distance(scores, np.array([0.5, 0.5]), in_a=in_a, in_b=in_b) == pytest.approx(0.1, abs=1e-9)
    dominant = np.array([[0.9, 0.8], [0.6, 0.7]])
    assert np.isnan(flip_distance(dominant, np.array([0.5, 0.5]), in_a=in_a, in_b=in_b))


def test_flip_distance_is_the_minimum_over_random_weightings():
    """No random weighting flips the gap closer than the linear programme says, and the closest come near it."""
    rng = np.random.default_rng(5)
    scores = rng.uniform(0.6, 0.95, size=(6, 5))
    in_a = np.array([True, True, True, False, False, False])
    w0 = np.full(5, 0.2)
    base = best_vs_best(scores @ w0, in_a, ~in_a)
    distance = flip_distance(scores, w0, in_a=in_a, in_b=~in_a)
    weights = rng.dirichlet(np.ones(5), size=200_000)
    flipped = np.sign(best_vs_best(weights @ scores.T, in_a, ~in_a)) != np.sign(base)
    tv = 0.5 * np.abs(weights - w0).sum(axis=1)
    assert flipped.any()
    assert tv[flipped].min() >= distance - 1e-9
    assert tv[flipped].min() < distance + 0.05


def test_dirichlet_reports_the_spread_of_the_apparent_gap():
    cfg = settings("weighting=dirichlet", "replicates=5")
    row = score_replicate(draw_replicate(cfg, 0), cfg, None)[0]
    assert row["apparent_q05"] < row["apparent_q50"] < row["apparent_q95"]
    rep = draw_replicate(cfg, 0)
    np.testing.assert_allclose(rep.weight_draws.sum(axis=1), 1.0)
    np.testing.assert_array_equal(rep.weights, rep.weight_draws[0])


def test_mean_win_rate_rows_use_the_rank_scale():
    cfg = settings("weighting=mean_win_rate", "replicates=3")
    rows = score_replicate(draw_replicate(cfg, 0), cfg, None)
    helm = next(r for r in rows if r["estimator"] == "mean_win_rate")
    assert helm["scale"] == "win_rate" and -1 <= helm["estimate"] <= 1 and np.isnan(helm["covered_90"])


def test_a_replicate_is_the_same_when_drawn_alone():
    cfg = settings("weighting=dirichlet")
    first, again = draw_replicate(cfg, 7), draw_replicate(dataclasses.replace(cfg, only=[7]), 7)
    np.testing.assert_array_equal(first.table.score, again.table.score)
    np.testing.assert_array_equal(first.weights, again.weights)
    assert first.sampler_seed == again.sampler_seed
    assert not np.array_equal(first.table.score, draw_replicate(cfg, 8).table.score)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["world.a=Mars"], "world.a='Mars' is not a group of world 'ai_index_2026'"),
        (["overfitting.group=Mars"], "overfitting.group='Mars' is not a group"),
        (["overfitting.categories=[physics]"], "overfitting.categories: no category 'physics'"),
        (["contamination=uniform", "contamination.rate=1.5"], "contamination.rate must be a number in [0, 1], got 1.5"),
        (["contamination.rate=0.1"], "contamination.rate=0.1 leaks nothing with contamination=none"),
        (["world.noise.run_sd=0.7"], "world.noise.run_sd must be a number in [0, 0.5), got 0.7"),
        (["sampler.draws=-5"], "sampler.draws must be a whole number >= 1, got -5"),
        (["world.groups.US.models=0"], "world.groups.US.models must be a whole number >= 1, got 0"),
        (["world.suite.items=[0,10]"], "world.suite.items[0] must be a whole number >= 1, got 0"),
        (["only=[99]"], "only: replicate 99 does not exist"),
    ],
)
def test_bad_settings_name_the_key(overrides, message):
    with pytest.raises(InputError) as err:
        check_simulate(settings(*overrides))
    assert message in str(err.value)


@pytest.mark.parametrize("weighting", ["uniform", "category", "custom", "mean_win_rate", "dirichlet", "adversarial"])
def test_every_option_composes_with_every_other(weighting):
    for overfitting in ("none", "targeted"):
        for contamination in ("none", "uniform", "exposure"):
            cfg = settings(
                f"weighting={weighting}", f"overfitting={overfitting}", f"contamination={contamination}", "replicates=1"
            )
            check_simulate(cfg)
            rows = score_replicate(draw_replicate(cfg, 0), cfg, None)
            assert [r["estimator"] for r in rows] == ["composite", "mean_win_rate"]
            assert all(np.isfinite(r["estimate"]) and np.isfinite(r["truth"]) for r in rows)


def test_world_groups_can_share_a_table_group():
    """mixed_groups lists the US through a frontier cluster and a tail: one table group, models named by cluster."""
    cfg = world_preset("mixed_groups")
    table, world = draw_world(cfg, seed=0)
    assert table.group_counts() == {"US": 11, "China": 6, "Other": 4}
    assert table.models[0] == "US_frontier-1" and world.groups[0] == "US"
    frontier = world.truth.theta[[m.startswith("US_frontier") for m in world.models]]
    small = world.truth.theta[[m.startswith("US_small") for m in world.models]]
    assert frontier.min() > small.mean()
    with pytest.raises(InputError, match="true_gap needs world groups named 'US' and 'China'"):
        draw_world(dataclasses.replace(cfg, true_gap=0.2), seed=0)
