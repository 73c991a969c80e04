"""The fit job end to end: `benchgap fit` on the demo and on HELM Lite writes every promised output.

The CLI runs in a subprocess, as users run it; HELM Lite is fitted once in-process for the module.
"""

import dataclasses
import json
import subprocess
from pathlib import Path

import arviz as az
import pytest

from benchgap.config import ConvergenceConfig, DataConfig, FitConfig, GapConfig, SamplerConfig
from benchgap.jobs.fit.page import write_fit_report
from benchgap.jobs.fit.run import run_fit
from benchgap.records.files import finite_or_none
from benchgap.records.fit_summary import FitSummary
from tests.conftest import DATA, run_cli

SHARED = DATA
OUTPUTS = (
    "summary.json",
    "summary.csv",
    "posterior.nc",
    "report.md",
    "report.html",
    "forest.png",
    "gap.png",
    "convergence.png",
    "ppc.png",
    "frontiers.png",
    "lag.png",
)


def benchgap(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, timeout=600)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    run_dir = tmp_path_factory.mktemp("demo") / "run"
    return benchgap("fit", "sampler.progress=false", f"hydra.run.dir={run_dir}"), run_dir


def test_demo_fit_writes_every_output(demo_run):
    proc, run_dir = demo_run
    assert proc.returncode == 0, proc.stderr
    for name in OUTPUTS:
        assert (run_dir / name).stat().st_size > 0, name
    assert not list(run_dir.glob(".partial-*"))
    assert "ahead by more than 0.01" in proc.stdout and "report.html" in proc.stdout


def test_demo_summary_has_the_promised_keys_and_sane_numbers(demo_run):
    _, run_dir = demo_run
    s = json.loads((run_dir / "summary.json").read_text())
    data = s["data"]
    assert (data["n_models"], data["n_benchmarks"]) == (20, 12)
    assert data["n_cells"] + data["n_missing"] == 240 and 0 < data["n_missing"] < 48
    gap = s["gap"]
    for key in ("latent", "score", "group_mean"):
        lo, hi = gap[key]["interval"]
        assert lo < gap[key]["mean"] < hi and gap[key]["sd"] > 0 and 0 <= gap[key]["prob_a_ahead"] <= 1
    assert gap["score"]["relative_mean"] == pytest.approx(gap["score"]["mean"] / 0.8, rel=0.5)
    assert set(gap["lenses"]) == {"mean_score", "mean_win_rate"}
    assert set(gap["lenses"]["mean_win_rate"]) == {"a_model", "b_model", "a", "b", "gap", "relative"}
    model_keys = {
        "model",
        "group",
        "theta_mean",
        "theta_sd",
        "theta_interval",
        "rank_mean",
        "rank_interval",
        "mean_score",
        "mean_win_rate",
    }
    assert all(model_keys <= m.keys() for m in s["models"]) and len(s["models"]) == 20
    diag = s["diagnostics"]
    assert diag["converged"] and diag["max_rhat"] <= 1.01 and diag["min_ess_bulk"] >= 400
    assert diag["divergences"] == 0
    assert (
        s["inference"] == "NUTS (nutpie, numba backend, low_rank mass matrix), 4 chains x (1000 warm-up + 1000 draws), "
        "target_accept 0.9"
    )
    # The demo's first group leads by construction (0.25 logit in group means).
    assert gap["score"]["prob_a_ahead"] > 0.9
    # The shares headlines quote: of b's best as before; of a's best smaller; b misses more items than a.
    relative = gap["relative"]
    assert relative["of_b"]["mean"] == pytest.approx(gap["score"]["relative_mean"])
    assert 0 < relative["of_a"]["mean"] < relative["of_b"]["mean"] and relative["error_ratio"]["mean"] > 1
    # The demo's models are dated, so the gap over time is reported: a window, frontiers and a signed lag per date.
    trend = s["trend"]
    start, end = trend["window"]
    assert start < end and trend["dates"][0] == start and trend["dates"][-1] == pytest.approx(end)
    assert len(trend["lag"]["mean"]) == len(trend["dates"]) == len(trend["frontiers"]["score"]["US"]["mean"])
    assert trend["lag_min"]["mean"] <= trend["lag_mean"]["mean"] <= trend["lag_max"]["mean"]
    assert set(trend["prob_closing"]) == {"lag", "latent", "score", "suite"}


def test_summary_json_is_strict_and_reads_back_as_its_record(demo_run):
    _, run_dir = demo_run

    def reject(constant: str) -> None:
        raise AssertionError(f"summary.json holds {constant}")

    stored = json.loads((run_dir / "summary.json").read_text(), parse_constant=reject)
    summary = FitSummary.from_json(stored)
    assert finite_or_none(summary.to_json()) == stored  # NaN is null in the file, NaN again in the record
    assert summary.gap.score.interval[0] < summary.gap.score.mean and summary.config.sampler.chains == 4


def test_the_page_states_the_configured_thresholds(demo_run, tmp_path):
    _, run_dir = demo_run
    summary = FitSummary.from_json(json.loads((run_dir / "summary.json").read_text()))
    limits = ConvergenceConfig(max_rhat=1.05, min_ess_bulk=100, min_ess_tail=80, max_divergences=2)
    changed = dataclasses.replace(summary, config=dataclasses.replace(summary.config, convergence=limits))
    write_fit_report(changed, {}, out_dir=tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    assert "Thresholds: R-hat <= 1.05, bulk ESS >= 100, tail ESS >= 80, at most 2 divergences." in markdown
    assert "R-hat <= 1.01" not in markdown


def test_posterior_loads_back_with_arviz(demo_run):
    _, run_dir = demo_run
    posterior = az.from_netcdf(run_dir / "posterior.nc")
    assert posterior["posterior"]["theta"].sizes["model"] == 20
    assert posterior["posterior"]["gap_score"].sizes == {"chain": 4, "draw": 1000}


def test_report_states_the_verdict_lenses_and_diagnostics(demo_run):
    _, run_dir = demo_run
    md = (run_dir / "report.md").read_text()
    html = (run_dir / "report.html").read_text()
    verdict = json.loads((run_dir / "summary.json").read_text())["gap"]["verdict"]
    for text in (md, html):
        assert verdict in text
        assert "mean win rate" in text and "Tie groups" in text and "Diagnostics" in text
        assert "NOT CONVERGED" not in text
    assert html.count("data:image/png;base64,") == 6
    trend = json.loads((run_dir / "summary.json").read_text())["trend"]
    for text in (md, html):
        assert "The gap over time" in text and trend["verdict"] in text
    assert "](forest.png)" in md


def test_unconverged_fit_is_flagged_everywhere(tmp_path):
    run_dir = tmp_path / "run"
    proc = benchgap(
        "fit",
        "sampler.progress=false",
        "sampler.draws=30",
        "sampler.tune=30",
        "plots=false",
        f"hydra.run.dir={run_dir}",
    )
    assert proc.returncode == 0, proc.stderr
    s = json.loads((run_dir / "summary.json").read_text())
    assert not s["diagnostics"]["converged"] and s["diagnostics"]["problems"]
    assert "did not converge" in proc.stdout
    assert "NOT CONVERGED" in (run_dir / "report.md").read_text()
    assert "NOT CONVERGED" in (run_dir / "report.html").read_text()


@pytest.fixture(scope="module")
def helm(tmp_path_factory) -> dict:
    cfg = FitConfig(
        data=DataConfig(
            path=str(SHARED / "helm_lite_240829.csv"),
            models=str(SHARED / "helm_lite_240829_models.csv"),
            aggregate_column="helm_lite",
        ),
        gap=GapConfig(groups=["US", "China", "France"]),
        sampler=SamplerConfig(progress=False),
        plots=False,
    )
    return run_fit(cfg, out_dir=tmp_path_factory.mktemp("helm")).to_json()


def test_helm_lite_reproduces_the_published_mean_win_rate(helm):
    assert helm["published_aggregate"]["n_models"] == 72
    assert helm["published_aggregate"]["max_abs_diff_vs_mean_win_rate"] < 0.005
    lens = helm["gap"]["lenses"]["mean_win_rate"]
    assert (lens["a_model"], lens["b_model"]) == ("GPT-4o (2024-05-13)", "Qwen2 Instruct (72B)")
    assert lens["a"] == pytest.approx(0.9625, abs=5e-4)


def test_helm_lite_fit_converges_and_reports_the_us_china_gap(helm):
    assert helm["diagnostics"]["converged"], helm["diagnostics"]["problems"]
    score = helm["gap"]["score"]
    assert (helm["gap"]["a"], helm["gap"]["b"]) == ("US", "China")
    # The model's composite gap sits between zero and the naive mean-score gap (0.0386), with honest width.
    assert 0 < score["mean"] < helm["gap"]["lenses"]["mean_score"]["gap"]
    assert 0.005 < score["sd"] < 0.05
    assert helm["posterior_predictive"]["coverage_90"] > 0.85


def test_three_groups_race_agrees_with_the_headline_pair(helm):
    race = helm["groups"]
    leads = {lead["group"]: lead for lead in race["leads"]}
    pairs = {(p["a"], p["b"]): p for p in race["pairs"]}
    assert list(leads) == ["US", "China", "France"]
    assert set(pairs) == {("US", "China"), ("US", "France"), ("China", "France")}
    assert sum(lead["prob_leads"] for lead in leads.values()) == pytest.approx(1.0)
    # The pair the headline compares is the same functional of the same draws.
    for scale in ("score", "latent"):
        assert pairs["US", "China"][scale]["mean"] == pytest.approx(helm["gap"][scale]["mean"], rel=1e-9)
        assert pairs["US", "China"][scale]["prob_a_ahead"] == pytest.approx(helm["gap"][scale]["prob_a_ahead"])
    # Leading all three needs beating each of the others in the same draw.
    us_beats = min(pairs["US", "China"]["score"]["prob_a_ahead"], pairs["US", "France"]["score"]["prob_a_ahead"])
    assert leads["US"]["prob_leads"] <= us_beats + 1e-12
    # With one capability the composite rises with it, so both scales name the same leader in every draw.
    for lead in leads.values():
        assert lead["prob_leads"] == pytest.approx(lead["prob_leads_latent"], abs=1e-9)
    us_best = max((m for m in helm["models"] if m["group"] == "US"), key=lambda m: m["prob_best_in_group"])
    assert leads["US"]["likeliest_best"] == us_best["model"]
    assert race["verdict"].startswith(("US leads", "US likely leads", "Which of the 3 groups"))
