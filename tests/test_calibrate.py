"""``benchgap calibrate``: simulation-based calibration. The checks themselves on ranks with a known answer, the
prior draws, and a small end-to-end run; the 200-table study of the default model is in the README."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from benchgap.calibration import spread_checks, uniformity_checks
from benchgap.config import CalibrateConfig, ConvergenceConfig
from benchgap.errors import InputError
from benchgap.jobs.calibrate.checks import check_calibrate
from benchgap.jobs.calibrate.run import prior_draws, run_calibrate, simulate_table, template_table
from tests.conftest import TINY, composed


def ranks_of(values: np.ndarray, family: str = "gap", variable: str = "x") -> pd.DataFrame:
    return pd.DataFrame({"simulation": np.arange(values.size), "family": family, "variable": variable, "rank": values})


def test_uniformity_checks_pass_uniform_ranks_and_catch_overconfident_posteriors():
    """Ranks of a truth among L = 99 draws: uniform when calibrated; from a posterior half as wide as it should be
    the truth falls outside most draws too often (a smile), which every check must catch."""
    rng = np.random.default_rng(0)
    draws_kept, simulations = 99, 400
    uniform = rng.integers(0, draws_kept + 1, simulations)
    truth = rng.normal(size=simulations)
    narrow = (rng.normal(scale=0.5, size=(simulations, draws_kept)) < truth[:, None]).sum(axis=1)
    checks = uniformity_checks(
        pd.concat([ranks_of(uniform, variable="calibrated"), ranks_of(narrow, variable="overconfident")]),
        draws_kept=draws_kept,
        alpha=0.01,
        seed=0,
    ).set_index("variable")
    assert checks.loc["calibrated", "passed"] and checks.loc["calibrated", "p_value"] > 0.01
    assert not checks.loc["overconfident", "passed"]
    assert (
        checks.loc["overconfident", "ecdf_outside_envelope"] and checks.loc["overconfident", "histogram_outside_band"]
    )
    assert checks.loc["overconfident", "p_value"] < 1e-6


def conjugate_ranks(width: float, rng: np.random.Generator, *, simulations=200, variables=10, draws_kept=99):
    """SBC ranks of a normal-normal model solved exactly: theta ~ N(0, 1), y ~ N(theta, 1), so the posterior is
    N(y / 2, 1 / 2). Draws come from a posterior ``width`` times as wide as the true one; ``variables`` independent
    parameters per simulation, like the capabilities of one table."""
    theta = rng.normal(size=(simulations, variables))
    y = theta + rng.normal(size=theta.shape)
    draws = y[..., None] / 2 + width * np.sqrt(0.5) * rng.normal(size=(*theta.shape, draws_kept))
    rank = (draws < theta[..., None]).sum(axis=-1)
    return pd.DataFrame(
        {
            "simulation": np.repeat(np.arange(simulations), variables),
            "family": "capability",
            "variable": np.tile([f"theta[{i}]" for i in range(variables)], simulations),
            "rank": rank.ravel(),
        }
    )


def test_the_per_variable_checks_keep_their_level_at_a_run_of_many_variables():
    """A run of 50 variables at alpha = 0.01 tests each at 0.01 / 2 / (2 x 50) = 5e-5. Over 2,000 calibrated
    variables (40 runs of 50, exactly solved normal model) the formal checks may then reject about 0.2 times; at
    most one rejection is allowed (P about 0.98 for checks at their level). The old third check, the PIT-ECDF
    envelope at 1 - 3.3e-5 simulated 1,000 times (it cannot resolve that level), rejected 2 of the same 2,000: a
    level near 1e-3. Its 99% envelope is now only reported; it is left by 1.5% of calibrated variables."""
    checks = pd.concat(
        uniformity_checks(
            conjugate_ranks(1.0, np.random.default_rng([11, r]), variables=50), draws_kept=99, alpha=0.01, seed=r
        )
        for r in range(40)
    )
    print(
        f"rejected {(~checks['passed']).sum()} of {len(checks)}; outside the 99% envelope "
        f"{checks['ecdf_outside_envelope'].mean():.3f}"
    )
    assert len(checks) == 2000 and (~checks["passed"]).sum() <= 1
    assert 0.003 <= checks["ecdf_outside_envelope"].mean() <= 0.025


def test_the_checks_catch_posteriors_10_and_20_percent_too_narrow():
    """Power, on 200 simulations of 10 parameters (the calibrate job's default run size), 20 runs per width: the
    pooled spread check fails a posterior 10% too narrow in at least 18 of 20 runs and one 20% too narrow in all
    20, while a calibrated posterior fails at most 2 of 20 (the run-wise false-alarm rate is 0.01). The
    per-variable uniformity checks alone pass the 10% too narrow posterior in most of 10 runs."""
    spread_failed = {
        width: sum(
            not spread_checks(conjugate_ranks(width, np.random.default_rng([7, r])), draws_kept=99, alpha=0.01, seed=r)[
                "passed"
            ].all()
            for r in range(20)
        )
        for width in (1.0, 0.9, 0.8)
    }
    uniform_failed = sum(
        not uniformity_checks(conjugate_ranks(0.9, np.random.default_rng([7, r])), draws_kept=99, alpha=0.01, seed=r)[
            "passed"
        ].all()
        for r in range(10)
    )
    print(
        f"runs failed by the spread check of 20, by width: {spread_failed}; by the uniformity checks at 0.9: "
        f"{uniform_failed} of 10"
    )
    assert spread_failed[1.0] <= 2
    assert spread_failed[0.9] >= 18 and spread_failed[0.8] == 20
    assert uniform_failed <= 8  # the weakness the spread check is for


def test_the_spread_check_passes_wide_enough_posteriors_and_names_its_coverage():
    checks = spread_checks(conjugate_ranks(1.0, np.random.default_rng(3)), draws_kept=99, alpha=0.01, seed=0)
    row = checks.iloc[0]
    assert row["passed"] and row["simulations"] == 200 and row["variables"] == 10
    assert abs(row["coverage_90"] - 0.9) < 4 * row["coverage_90_se"]
    narrow = spread_checks(conjugate_ranks(0.8, np.random.default_rng(3)), draws_kept=99, alpha=0.01, seed=0)
    assert narrow.iloc[0]["coverage_90"] < 0.85 and not narrow.iloc[0]["passed"]


def test_prior_draws_are_standardised_and_seeded():
    cfg = CalibrateConfig(simulations=5, sampler=TINY)
    template = template_table(cfg)
    truths, again = prior_draws(cfg, template), prior_draws(cfg, template)
    for truth, same in zip(truths, again, strict=True):
        assert truth.theta.mean() == pytest.approx(0, abs=1e-9) and truth.theta.std() == pytest.approx(1, abs=1e-9)
        assert np.array_equal(truth.theta, same.theta) and truth.gaps == same.gaps
        table, persistent = simulate_table(truth, template, cfg, np.random.default_rng(1))
        assert table.n_cells == template.n_models * template.n_benchmarks
        assert persistent.shape == (template.n_models, template.n_benchmarks)
        assert ((table.score >= 0) & (table.score <= 1)).all()
        assert table.n_items.min() >= cfg.items[0] and table.n_items.max() <= cfg.items[1]
    assert len({t.gaps["gap_latent"] for t in truths}) == 5


def test_tables_mix_counts_standard_errors_plain_proportions_and_missing_cells():
    cfg = CalibrateConfig(
        benchmarks=8, stderr_share=0.25, plain_share=0.25, missing_rate=0.3, simulations=3, sampler=TINY
    )
    template = template_table(cfg)
    truth = prior_draws(cfg, template)[0]
    table, persistent = simulate_table(truth, template, cfg, np.random.default_rng(2))
    per_benchmark = (
        pd.DataFrame({"bench": table.bench_idx, "counts": np.isfinite(table.n_items), "se": np.isfinite(table.stderr)})
        .groupby("bench")[["counts", "se"]]
        .all()
    )
    assert per_benchmark["counts"].sum() == 4 and per_benchmark["se"].sum() == 2  # the other two: plain
    plain = ~np.isfinite(table.n_items) & ~np.isfinite(table.stderr)
    assert np.allclose(table.score[plain], persistent[table.model_idx[plain], table.bench_idx[plain]])
    assert 0.55 * template.n_cells < table.n_cells < 0.85 * template.n_cells
    assert set(table.model_idx) == set(range(table.n_models)) and set(table.bench_idx) == set(range(8))


def test_bad_settings_are_one_clear_error():
    with pytest.raises(InputError, match="two different keys of groups"):
        check_calibrate(CalibrateConfig(a="EU"))
    with pytest.raises(InputError, match="exceeds the 300 posterior draws"):
        check_calibrate(CalibrateConfig(draws_kept=400, sampler=TINY))
    with pytest.raises(InputError, match="benchmarks must be a whole number >= 2, got 1"):
        check_calibrate(CalibrateConfig(benchmarks=1))
    with pytest.raises(InputError, match="add up to more than 1"):
        check_calibrate(CalibrateConfig(stderr_share=0.6, plain_share=0.6))


def test_calibrate_writes_ranks_checks_figures_and_report(tmp_path):
    limits = ConvergenceConfig(max_rhat=1.2, min_ess_bulk=50, min_ess_tail=40, max_divergences=3)
    cfg = CalibrateConfig(
        groups={"US": 3, "China": 3}, benchmarks=5, simulations=8, draws_kept=49, sampler=TINY, convergence=limits
    )
    summary = run_calibrate(cfg, out_dir=tmp_path).to_json()
    ranks = pd.read_csv(tmp_path / "ranks.csv")
    assert set(ranks["family"]) == {"capability", "intercept", "log_discrimination", "log_concentration", "gap"}
    assert len(ranks) == 8 * (6 + 3 * 5 + 4)
    assert ranks["rank"].between(0, 49).all()
    assert json.loads((tmp_path / "summary.json").read_text())["simulations"] == 8
    assert set(summary["gap_coverage"]) == {"gap_score", "gap_suite", "gap_latent", "gap_group_mean"}
    assert 0 <= summary["gap_coverage"]["gap_score"]["coverage_90"] <= 1
    markdown = (tmp_path / "report.md").read_text()
    assert ("PASS." in markdown) != ("FAIL." in markdown)
    # The thresholds are the run's own (convergence.*), not fixed ones.
    assert "(R-hat <= 1.2, bulk ESS >= 50, tail ESS >= 40, at most 3 divergences)" in markdown
    assert "R-hat above 1.2 in" in markdown and "bulk ESS below 50 in" in markdown and "above 1.01" not in markdown
    assert summary["convergence"] == {"max_rhat": 1.2, "min_ess_bulk": 50, "min_ess_tail": 40, "max_divergences": 3}
    assert (tmp_path / "ecdf_pit_gap.png").exists() and (tmp_path / "rank_histograms.png").exists()
    # workers=2: the tables fitted in two processes, the same ranks and checks.
    run_calibrate(dataclasses.replace(cfg, workers=2, plots=False), out_dir=tmp_path / "two")
    for name in ("ranks.csv", "gap_coverage.csv", "checks.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "two" / name), pd.read_csv(tmp_path / name))
    spread = pd.read_csv(tmp_path / "spread_checks.csv").set_index("family")
    assert set(spread.index) == set(ranks["family"]) and spread["simulations"].eq(8).all()
    for family, check in summary["families"].items():
        assert check["coverage_90"] == pytest.approx(spread.loc[family, "coverage_90"])
        assert check["passed"] <= check["spread_passed"]  # a family whose spread check fails does not pass
    assert (tmp_path / "report.html").read_text().count("data:image/png;base64,") == 6


@pytest.mark.slow
def test_default_model_passes_simulation_based_calibration(tmp_path):
    """60 tables from the default model's priors with the calibrate sampler, a quarter of the benchmarks reporting
    standard errors, the rest item counts, and a tenth of the cells missing: no rank or spread check fails at the
    run-wise level 0.01, and the gaps' 90% intervals cover within three binomial standard errors of 0.9 (0.78 to
    1). Plain proportions are left out: beyond the beta likelihood's clip at 0.005 and 0.995 (22% of such scores
    drawn from the prior) they are miscalibrated, which the README states. The 200-table study is in the README."""
    cfg = composed("calibrate", "simulations=60", "plots=false", "stderr_share=0.25", "missing_rate=0.1", "workers=2")
    summary = run_calibrate(cfg, out_dir=tmp_path).to_json()
    assert summary["passed"], summary["families"]
    for estimand in ("gap_score", "gap_suite", "gap_latent", "gap_group_mean"):
        assert 0.78 <= summary["gap_coverage"][estimand]["coverage_90"] <= 1.0
