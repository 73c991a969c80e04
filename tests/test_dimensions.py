"""Capabilities per benchmark category (``model.dimensions=categories``): the worlds that have them, the checks, the
per-dimension gaps recovered from simulated worlds, and the fit job's outputs."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from benchgap.capability_prior import check_dimensions
from benchgap.config import Dimensions, GapConfig, GroupPrior, ModelConfig, SamplerConfig
from benchgap.errors import InputError
from benchgap.fitting import fit
from benchgap.jobs.simulate.run import run_simulate
from benchgap.posterior import replicate_scores
from benchgap.residuals import residual_check, residual_correlation
from benchgap.sampling import process_cache
from benchgap.weighting import best_vs_best
from benchgap.world import draw_world
from tests.conftest import composed, run_cli, simulate_settings

DIMENSIONS = ModelConfig(dimensions=Dimensions.categories)


def test_one_dimensional_worlds_draw_what_they_drew():
    """Without correlation below 1 or profiles a world has no per-category capability and draws nothing more."""
    base = composed("simulate").world
    _, world = draw_world(base, seed=4)
    assert world.truth.theta_dim is None
    tilted = dataclasses.replace(
        base, dimensions=dataclasses.replace(base.dimensions, profiles={"China": {"math": 0.5}})
    )
    _, moved = draw_world(tilted, seed=4)
    np.testing.assert_array_equal(world.model_release, moved.model_release)
    np.testing.assert_array_equal(world.n_items, moved.n_items)
    assert moved.truth.theta_dim is not None


def test_dimension_worlds_correlate_as_set_and_tilt_the_profiles():
    """Over many models: two categories' capabilities correlate at the set value within a group, and China's math
    offset raises its math capability against its coding one."""
    cfg = composed("simulate", "world=dimensions", "world.groups.China.models=600", "world.dimensions.correlation=0.5")
    _, world = draw_world(cfg.world, seed=1)
    china = np.asarray(world.groups) == "China"
    dims = world.truth.theta_dim[china]
    r = np.corrcoef(dims[:, 0], dims[:, 3])[0, 1]  # language, commonsense: no offsets
    assert r == pytest.approx(0.5, abs=0.1)
    math, coding = (list(cfg.world.suite.categories).index(c) for c in ("math", "coding"))
    others = ~china
    tilt = (dims[:, math].mean() - world.truth.theta_dim[others, math].mean()) - (
        dims[:, coding].mean() - world.truth.theta_dim[others, coding].mean()
    )
    assert tilt > 0.3  # +0.3 and -0.3 logits, in sd units of each category


def test_a_dimension_needs_three_benchmarks():
    table, _ = draw_world(composed("simulate", "world.suite.benchmarks_per_category=2").world, seed=0)
    with pytest.raises(InputError, match=r"at least 3 benchmarks per category.*language \(2\)"):
        check_dimensions(table, DIMENSIONS)
    check_dimensions(table, ModelConfig())  # one dimension: nothing to check
    table, _ = draw_world(composed("simulate").world, seed=0)
    check_dimensions(table, DIMENSIONS)
    with pytest.raises(InputError, match="group_prior=normal or exchangeable"):
        check_dimensions(table, dataclasses.replace(DIMENSIONS, group_prior=GroupPrior.student_t))


def test_per_dimension_gaps_are_recovered():
    """Four worlds of the `dimensions` preset (China +0.3 in math, -0.3 in coding): each category's best-vs-best score
    gap is estimated with a small error against its truth (the category's expected mean score), and its 90% interval
    holds it in most of the 16 (world, category) pairs (a calibrated model fails ">= 12 of 16" with probability
    0.017). The README's study has 300 worlds."""
    cfg = composed("simulate", "world=dimensions")
    sampler = SamplerConfig(chains=2, draws=500, tune=500, progress=False)
    cache = process_cache(DIMENSIONS, sampler.backend)
    category = np.repeat(np.arange(4), cfg.world.suite.benchmarks_per_category)
    errors, covered = [], 0
    for seed in range(4):
        table, world = draw_world(cfg.world, seed=seed)
        groups = np.asarray(world.groups)
        result = fit(table, gap=GapConfig(), model=DIMENSIONS, sampler=sampler, cache=cache)
        for k, found in enumerate(result.estimates.dimensions.gaps):
            truth = best_vs_best(
                world.truth.expected_score[:, category == k].mean(axis=1), groups == "US", groups == "China"
            )
            errors.append(found.score.mean - truth)
            covered += found.score.interval[0] <= truth <= found.score.interval[1]
    errors = np.array(errors)
    assert np.sqrt(np.mean(errors**2)) < 0.03, errors
    assert covered >= 12, (covered, errors)


def test_fit_job_reports_the_gap_per_dimension(tmp_path):
    """The demo table fitted per category with fit.loo=true: the dimension block, the LOO comparison with the
    one-dimensional fit (in summary.json, the report and the CLI) and the pointwise log-likelihood in posterior.nc."""
    import xarray as xr

    run = run_cli("fit", "model=dimensions", "sampler=quick", "loo=true", f"hydra.run.dir={tmp_path}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Per capability dimension (best vs best on each category's composite score):" in run.stdout
    loo = json.loads((tmp_path / "summary.json").read_text())["loo"]
    assert {f["model"] for f in loo["fits"]} == {"one-dimensional", "per-category"}
    assert loo["elpd_difference"] >= 0 and "One number or several? " + loo["verdict"] in run.stdout
    with xr.open_datatree(tmp_path / "posterior.nc") as tree:
        assert (
            tree["log_likelihood"]["score"].shape[-1]
            == json.loads((tmp_path / "summary.json").read_text())["data"]["n_cells"]
        )
    dims = json.loads((tmp_path / "summary.json").read_text())["dimensions"]
    assert [g["dimension"] for g in dims["gaps"]] == ["language", "math", "coding", "commonsense"]
    assert all(g["score"]["interval"][0] <= g["score"]["mean"] <= g["score"]["interval"][1] for g in dims["gaps"])
    assert np.allclose(np.diag(dims["correlation"]), 1.0)
    summary = json.loads((tmp_path / "summary.json").read_text())
    spread = summary["capability_weighting"]  # per-category capabilities: the best model changes with the weights
    assert spread["gap_quantiles"][0] <= spread["gap_quantiles"][1] <= spread["gap_quantiles"][2]
    assert 0 <= spread["sign_flip_share"] <= 1
    report = (tmp_path / "report.md").read_text()
    assert "The capability gap's best models change with the weights" in report
    assert "Benchmark by benchmark: posterior predictive checks" in report and summary["residuals"]["verdict"] in report
    report = (tmp_path / "report.md").read_text()
    assert "## The gap per capability dimension" in report and dims["summary"] in report
    assert "## One number or several? (PSIS-LOO)" in report


def test_simulate_scores_each_category_in_worlds_with_dimensions(tmp_path):
    """A world with dimensions gets one naive row per category and replicate, scored against that category's truth,
    and result.json's dimensions block per category; a resumed job counts those rows as complete."""
    cfg = simulate_settings("world=dimensions", replicates=5)
    result = run_simulate(cfg, out_dir=tmp_path)
    rows = pd.read_csv(tmp_path / "replicates.csv")
    naive = rows[rows["estimator"] == "composite_dimension"]
    assert len(naive) == 5 * 4 and set(naive["dimension"]) == {"language", "math", "coding", "commonsense"}
    found = result.dimensions["composite_dimension"]
    assert {name: part.worlds for name, part in found.items()} == dict.fromkeys(found, 5)
    math = naive[naive["dimension"] == "math"]
    assert found["math"].bias == pytest.approx((math["estimate"] - math["truth"]).mean())
    again = run_simulate(cfg, out_dir=tmp_path)  # resumes: every replicate's rows are there
    assert again.estimators["composite_dimension"].bias == pytest.approx(result.estimators["composite_dimension"].bias)


def test_flag_columns_name_the_categories(tmp_path):
    """A table without a category column takes each benchmark's category from its first true is_<category> flag
    (Epoch's is_math and is_coding), and 'other' where none is true; on Epoch: math, coding and other."""
    from benchgap.config import DataConfig
    from benchgap.table import read_table
    from tests.conftest import write

    rows = "model,group,benchmark,score,is_math,is_coding\n"
    for model, group in (("A", "US"), ("B", "China")):
        rows += f"{model},{group},MATH,0.5,True,False\n{model},{group},HumanEval,0.4,False,True\n"
        rows += f"{model},{group},MMLU,0.6,False,False\n"
    table = read_table(DataConfig(path=str(write(tmp_path, "flags.csv", rows))))
    assert dict(zip(table.benchmarks, table.categories, strict=True)) == {
        "MATH": "math",
        "HumanEval": "coding",
        "MMLU": "other",
    }
    epoch = read_table(composed("fit", "data=epoch").data)
    assert set(epoch.categories) == {"math", "coding", "other"}


def test_residual_correlation_check_holds_its_level_and_finds_categories():
    """The permutation test of within- against between-category residual correlation: on residuals without structure
    (30 models x 16 benchmarks in 4 categories, a tenth missing) it reports a category structure (p < 0.05) in about
    5% of 200 tables (a calibrated test lands in 1-22 with probability 0.999); with a shared category factor of
    loading 0.5 in at least 45 of 50."""
    rng = np.random.default_rng(0)
    category = np.repeat(np.arange(4), 4)

    def p_value(loading: float) -> float:
        z = rng.standard_normal((30, 16)) + loading * rng.standard_normal((30, 4))[:, category]
        z[rng.random(z.shape) < 0.1] = np.nan
        found = residual_correlation(z, category, rng=rng, permutations=200)
        assert found is not None
        return found.p_value

    false_alarms = sum(p_value(0.0) < 0.05 for _ in range(200))
    assert 1 <= false_alarms <= 22, false_alarms
    assert sum(p_value(0.5) < 0.05 for _ in range(50)) >= 45


def test_simulate_compares_the_two_dimensionalities_by_loo(tmp_path):
    """`benchgap simulate loo=true` in worlds whose categories correlate 0.5: each world is also fitted with one
    capability, LOO prefers the per-category fit clearly (an ELPD difference of about 350, se about 20, on these
    worlds), and the one-dimensional fit's per-category rows are scored on the same worlds."""
    cfg = composed(
        "simulate",
        "world=dimensions",
        "world.dimensions.correlation=0.5",
        "model=dimensions",
        "loo=true",
        "replicates=2",
        "plots=false",
        "sampler=quick",
    )
    result = run_simulate(cfg, out_dir=tmp_path)
    assert result.dimensionality is not None and result.dimensionality.worlds == 2
    assert result.dimensionality.right_share == 1.0, result.dimensionality
    assert result.dimensionality.difference_mean > 50
    rows = pd.read_csv(tmp_path / "replicates.csv")
    other = rows[rows["estimator"] == "bayes_dimension_other"]
    assert sorted(other["dimension"].unique()) == sorted(cfg.world.suite.categories) and len(other) == 8
    assert set(result.dimensions) >= {"bayes_dimension", "bayes_dimension_other", "composite_dimension"}


def test_residual_check_finds_the_categories_one_capability_misses():
    """One capability fitted to a world whose categories correlate 0.5: the posterior predictive residuals of
    benchmarks in one category correlate more than those of different categories (permutation p < 0.05), and the
    check says so; every benchmark has its row."""
    cfg = composed("simulate", "world=dimensions", "world.dimensions.correlation=0.5")
    table, _ = draw_world(cfg.world, seed=1)
    result = fit(table, gap=GapConfig(), sampler=SamplerConfig(chains=2, draws=300, tune=300, progress=False))
    replicates = replicate_scores(result.posterior, table, n_draws=400, rng=np.random.default_rng(0))
    check = residual_check(replicates, table, seed=0)
    assert check.correlation is not None and check.correlation.p_value < 0.05, check.correlation
    assert check.correlation.within > check.correlation.between
    assert "model.dimensions=categories" in check.verdict
    assert sorted(f.benchmark for f in check.benchmarks) == sorted(table.benchmarks)


def test_specialist_worlds_mark_their_strong_cells():
    """`world=specialists`: three models per world, drawn at random, sit about specialist_boost (1.5 logits, before
    standardising) higher in math than in their other categories beyond what the correlation gives; their math
    cells are the world's specialty cells; bad settings name the key and the choices."""
    cfg = composed("simulate", "world=specialists")
    lifts = []
    for seed in range(20):
        _, world = draw_world(cfg.world, seed=seed)
        assert world.specialty is not None and world.specialty.sum() == 3 * cfg.world.suite.benchmarks_per_category
        specialist = world.specialty.any(axis=1)
        assert set(np.asarray(world.categories)[world.specialty.any(axis=0)]) == {"math"}
        math = cfg.world.suite.categories.index("math")
        others = np.delete(world.truth.theta_dim, math, axis=1).mean(axis=1)
        lift = world.truth.theta_dim[:, math] - others
        lifts.append(lift[specialist].mean() - lift[~specialist].mean())
    assert np.mean(lifts) > 0.8, lifts  # standardised units: about 1.5 logits over a spread of about 1.4
    for override, message in (
        ("world.dimensions.specialist_category=vision", "specialist_category='vision' is not a category"),
        ("world.dimensions.specialists=99", "exceeds the world's 30 models"),
        ("+world.dimensions.profiles.Europe.math=0.3", "profiles.Europe: no such world group"),
    ):
        run = run_cli("simulate", "world=specialists", "bayes=false", "replicates=1", override)
        assert run.returncode != 0 and message in run.stderr and "Traceback" not in run.stderr, run.stderr[-500:]
    run = run_cli("simulate", "loo=true", "bayes=false", "replicates=1")
    assert run.returncode != 0 and "set bayes=true" in run.stderr and "Traceback" not in run.stderr


def test_aware_model_per_category_does_not_take_specialists_for_contamination(tmp_path):
    """The contamination-aware model on top of per-category capabilities, in two worlds with three math
    specialists (1.5 logits) and a tenth of China's cells inflated by 10 points: at most one of the specialists'
    24 clean math cells and at most 1% of all clean cells flagged. (The README's study: 0 of 470 and 2 of 18,553
    over 40 worlds, against 129 of 470 and 1.1% for the one-dimensional aware model.)"""
    cfg = composed(
        "simulate",
        "world=specialists",
        "model=contamination_aware",
        "model.dimensions=categories",
        "contamination=cells",
        "contamination.group=China",
        "contamination.rate=0.1",
        "contamination.points=0.1",
        "replicates=2",
        "plots=false",
        "sampler=quick",
    )
    run_simulate(cfg, out_dir=tmp_path)
    rows = pd.read_csv(tmp_path / "replicates.csv")
    fits = rows[rows["estimator"] == "bayes"]
    specialist_flags = (fits["specialist_false_positive_rate"] * fits["specialist_cells"]).sum()
    assert fits["specialist_cells"].sum() >= 20 and specialist_flags <= 1, fits
    assert (fits["false_positive_rate"] * fits["clean_cells"]).sum() <= 0.01 * fits["clean_cells"].sum()
