"""The simulate job end to end with the Bayesian model (tiny chains): its files, a resume after a stop that gives
the same numbers, a finished job skipped, and (slow) the model's interval coverage over 100 undistorted worlds.
"""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import benchgap.jobs.simulate.run as job
from benchgap.config import SimulateConfig
from benchgap.estimators import LEVELS, estimators, level_tag
from benchgap.jobs.simulate.resume import rows_per_replicate
from tests.conftest import TINY, simulate_settings, tiny_simulate


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[SimulateConfig, dict, pd.DataFrame]:
    cfg = tiny_simulate("contamination=uniform", "contamination.rate=0.1", "contamination.group=China")
    out = tmp_path_factory.mktemp("job")
    result = job.run_simulate(cfg, out_dir=out, overrides=["contamination.rate=0.1"]).to_json()
    return cfg, result, pd.read_csv(out / "replicates.csv")


def test_job_writes_rows_result_and_figure(finished, tmp_path):
    cfg, result, rows = finished
    assert set(rows["estimator"]) == {"composite", "mean_win_rate", "bayes", "bayes_suite", "bayes_latent"}
    assert len(rows) == 5 * cfg.replicates
    assert result["status"] == "complete" and result["overrides"] == ["contamination.rate=0.1"]
    assert result["parameters"]["contamination"]["rate"] == 0.1
    bayes = result["estimators"]["bayes"]
    for level in LEVELS:
        assert 0 <= bayes[f"coverage_{level_tag(level)}"] <= 1
    assert bayes["converged_share"] is not None and "max_rhat" in bayes
    assert result["estimators"]["mean_win_rate"]["coverage_90"] is None
    # The aggregates are those of the rows.
    composite = rows[rows["estimator"] == "composite"]
    assert result["estimators"]["composite"]["bias"] == pytest.approx(
        (composite["estimate"] - composite["truth"]).mean()
    )
    assert result["truth"]["score_gap_mean"] == pytest.approx(composite["truth"].mean())
    # Every estimator on the score scale is scored against the suite truth too; the latent one is not.
    suite = rows[rows["estimator"] == "bayes_suite"]
    assert result["truth"]["suite_gap_mean"] == pytest.approx(suite["suite_truth"].mean())
    assert result["estimators"]["bayes_suite"]["suite"]["bias"] == pytest.approx(
        (suite["estimate"] - suite["suite_truth"]).mean()
    )
    assert result["estimators"]["bayes_latent"]["suite"] is None
    assert rows.loc[rows["estimator"] == "bayes_latent", "suite_covered_90"].isna().all()
    suite_flips = suite["suite_flip_distance"]
    assert suite_flips.dropna().between(0, 1).all()
    # The reweighting that reverses the model's posterior-mean gap, per replicate and its median over worlds.
    model_flips = rows.loc[rows["estimator"] == "bayes", "model_flip_distance"]
    assert model_flips.dropna().between(0, 1).all()
    median = model_flips.fillna(np.inf).median()
    expected = pytest.approx(median) if np.isfinite(median) else None
    assert result["weighting"]["model_flip_distance"]["median"] == expected


def test_resume_counts_one_row_per_estimator(finished):
    """A finished replicate has one row per estimator the job scores: the count comes from that one list."""
    cfg, _, rows = finished
    assert rows.groupby("replicate").size().eq(rows_per_replicate(cfg)).all()
    assert rows_per_replicate(cfg) == len(estimators(bayes=True)) == len(set(rows["estimator"]))
    assert rows_per_replicate(dataclasses.replace(cfg, bayes=False)) == len(estimators(bayes=False)) == 2


def test_resumed_job_gives_the_same_numbers(finished, tmp_path, monkeypatch):
    cfg, result, rows = finished
    real = job.score_replicate

    def stop_at_third(rep, *args, **kwargs):
        if rep.index == 2:
            raise KeyboardInterrupt  # the user pressed Ctrl-C during replicate 2
        return real(rep, *args, **kwargs)

    monkeypatch.setattr(job, "score_replicate", stop_at_third)
    with pytest.raises(KeyboardInterrupt):
        job.run_simulate(cfg, out_dir=tmp_path)
    assert not (tmp_path / "result.json").exists()
    monkeypatch.setattr(job, "score_replicate", real)
    resumed = job.run_simulate(cfg, out_dir=tmp_path).to_json()
    again = pd.read_csv(tmp_path / "replicates.csv")
    pd.testing.assert_frame_equal(again.drop(columns="fit_seconds"), rows.drop(columns="fit_seconds"))
    assert resumed["estimators"]["bayes"]["coverage_90"] == result["estimators"]["bayes"]["coverage_90"]
    assert not list(tmp_path.glob(".replicates.partial.csv.*"))


def test_finished_job_is_skipped_and_changed_settings_rerun(tmp_path, monkeypatch):
    cfg = simulate_settings(replicates=2)
    first = job.run_simulate(cfg, out_dir=tmp_path).to_json()
    stamp = (tmp_path / "result.json").stat().st_mtime_ns
    monkeypatch.setattr(job, "score_replicate", lambda *a, **k: pytest.fail("a finished job was run again"))
    assert job.run_simulate(cfg, out_dir=tmp_path).to_json() == first
    assert (tmp_path / "result.json").stat().st_mtime_ns == stamp
    monkeypatch.undo()
    changed = job.run_simulate(simulate_settings("seed=1", replicates=2), out_dir=tmp_path)
    assert changed.settings_key != first["settings_key"]
    assert json.loads((tmp_path / "result.json").read_text())["parameters"]["seed"] == 1


@pytest.mark.slow
def test_model_intervals_cover_the_true_gap_in_undistorted_worlds(tmp_path):
    """100 ai_index_2026 worlds (persistent strengths and run noise), no distortion: the model's 90% intervals of the
    capability gap cover the capability truth, and those of the suite gap the suite truth, 83-97% of the time (about
    2 binomial sds around 0.9 at n = 100); the naive binomial interval misses the capability truth far more often.
    Sampled with ``sampler=fast`` (0.7 times the simulate preset's time): on 200 such worlds its coverage of each
    truth equalled the simulate preset's within the binomial interval, every fit converged (benchmarks/RESULTS.md,
    section 10)."""
    cfg = simulate_settings("bayes=true", "plots=false", "sampler=fast", "workers=2", replicates=100)
    result = job.run_simulate(cfg, out_dir=tmp_path)
    est = result.estimators
    bayes, suite, latent, naive = (est[e] for e in ("bayes", "bayes_suite", "bayes_latent", "composite"))
    assert suite.suite is not None and naive.suite is not None
    print(
        f"capability gap: 90% coverage {bayes.coverage_at(90):.2f}, 50% {bayes.coverage_at(50):.2f}, "
        f"95% {bayes.coverage_at(95):.2f}; suite gap of the suite truth 90% {suite.suite.coverage_at(90):.2f}; "
        f"latent 90% {latent.coverage_at(90):.2f}; naive 90% of the capability truth {naive.coverage_at(90):.2f}, "
        f"of the suite truth {naive.suite.coverage_at(90):.2f}; converged {bayes.fit.converged_share:.2f}"
    )
    assert 0.83 <= bayes.coverage_at(90) <= 0.97, bayes.coverage_at(90)
    assert 0.83 <= suite.suite.coverage_at(90) <= 0.97, suite.suite.coverage_at(90)
    assert 0.83 <= latent.coverage_at(90) <= 0.97, latent.coverage_at(90)
    assert naive.coverage_at(90) < 0.75, naive.coverage_at(90)
    assert bayes.fit.converged_share >= 0.95
    assert abs(bayes.bias) < 0.003 and bayes.rmse < 0.01
    assert abs(suite.suite.bias) < 0.003 and suite.suite.rmse < bayes.rmse  # the suite truth is nearer the data


def test_cores_change_neither_the_numbers_nor_the_settings_key():
    """A sweep may be resumed under another launcher (joblib runs chains on one core): same draws, same key."""
    from benchgap.sampling import ModelCache

    one, two = tiny_simulate(replicates=1), tiny_simulate(replicates=1)
    one.sampler = dataclasses.replace(TINY, cores=1)
    two.sampler = dataclasses.replace(TINY, cores=2)
    assert job.settings_key(one) == job.settings_key(two)
    cache = ModelCache(one.model, one.sampler.backend)
    rows = [pd.DataFrame(job.score_replicate(job.draw_replicate(c, 0), c, cache)) for c in (one, two)]
    pd.testing.assert_frame_equal(rows[0].drop(columns="fit_seconds"), rows[1].drop(columns="fit_seconds"))


def test_workers_side_by_side_give_the_numbers_of_one_process(tmp_path):
    """``workers=2``: replicates scored in two spawned processes, rows identical to one process's, in order."""
    alone = job.run_simulate(simulate_settings("plots=false", replicates=5), out_dir=tmp_path / "one")
    pair = job.run_simulate(simulate_settings("plots=false", "workers=2", replicates=5), out_dir=tmp_path / "two")
    assert pair.settings_key == alone.settings_key and pair.estimators == alone.estimators
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "two" / "replicates.csv"), pd.read_csv(tmp_path / "one" / "replicates.csv")
    )


def test_a_write_cut_short_is_dropped_on_resume(tmp_path):
    """A kill in the middle of appending a replicate's rows: that replicate is run again, the others are kept."""
    cfg = simulate_settings(replicates=3)
    reference = job.run_simulate(cfg, out_dir=tmp_path / "reference")
    rows = pd.read_csv(tmp_path / "reference" / "replicates.csv")
    out = tmp_path / "stopped"
    out.mkdir()
    partial = out / f"{job.PARTIAL}.{job.settings_key(cfg, rows_only=True)}"
    text = rows[rows["replicate"] < 2].to_csv(index=False)
    partial.write_text(text[: len(text) - 40])  # replicate 1's last row cut short
    resumed = job.run_simulate(cfg, out_dir=out)
    assert resumed.estimators == reference.estimators
    pd.testing.assert_frame_equal(pd.read_csv(out / "replicates.csv"), rows)


def test_rerunning_some_replicates_never_overwrites_a_finished_job(tmp_path):
    cfg = simulate_settings(replicates=3)
    job.run_simulate(cfg, out_dir=tmp_path)
    with pytest.raises(job.InputError, match="holds a finished job with other settings"):
        job.run_simulate(simulate_settings("only=[1]", replicates=3), out_dir=tmp_path)
    alone = job.run_simulate(simulate_settings("only=[1]", replicates=3), out_dir=tmp_path / "one")
    full = pd.read_csv(tmp_path / "replicates.csv")
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "one" / "replicates.csv"), full[full["replicate"] == 1].reset_index(drop=True)
    )
    assert alone.replicates == 1


def test_result_json_is_strict_json(tmp_path):
    cfg = simulate_settings("weighting=dirichlet", replicates=2)
    job.run_simulate(cfg, out_dir=tmp_path)

    def reject(constant: str) -> None:
        raise AssertionError(f"result.json holds {constant}")

    json.loads((tmp_path / "result.json").read_text(), parse_constant=reject)
