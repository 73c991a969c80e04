"""``benchgap report``: sensitivity indices against known answers, breakdown points, failed and missing jobs, and
the Saltelli sweeper. Sweeps run the naive estimators only (``bayes=false``), in a subprocess as users run them.
"""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from benchgap.config import ReportConfig
from benchgap.errors import InputError
from benchgap.jobs.report.analysis import analyse
from benchgap.jobs.report.run import run_report
from benchgap.jobs.report.sweep import read_sweep
from benchgap.sensitivity import design_breakdown, grid_indices, saltelli_design, sobol_indices
from tests.conftest import run_cli as benchgap


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    """contamination.rate x plots: 6 jobs, of which the two with rate 2 fail (a rate is a share). ``plots`` changes
    no number, so every output depends on the rate alone: the known answer of the sensitivity test."""
    sweep = tmp_path_factory.mktemp("grid") / "sweep"
    run = benchgap(
        "simulate",
        "-m",
        "bayes=false",
        "replicates=8",
        "contamination=uniform",
        "contamination.recall=1.0",
        "contamination.group=China",
        "contamination.rate=0,0.3,2",
        "plots=true,false",
        f"hydra.sweep.dir={sweep}",
    )
    assert run.returncode == 1, run.stderr[-2000:]  # two jobs failed, the others finished
    return sweep


@pytest.fixture(scope="module")
def grid_report(grid_sweep):
    run = benchgap("report", f"sweep_dir={grid_sweep}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"results: {grid_sweep}/report/report.html" in run.stdout
    return grid_sweep / "report"


def test_grid_sensitivity_finds_the_one_parameter_that_matters(grid_report):
    table = pd.read_csv(grid_report / "sensitivity.csv").set_index(["output", "parameter"])
    for output in ("apparent gap", "naive error", "naive wrong-sign share"):
        rate, plots = table.loc[(output, "contamination.rate")], table.loc[(output, "plots")]
        assert rate["first_order"] == pytest.approx(1.0, abs=1e-9)
        assert rate["total"] == pytest.approx(1.0, abs=1e-9)
        assert plots["first_order"] == pytest.approx(0.0, abs=1e-9)
        assert plots["total"] == pytest.approx(0.0, abs=1e-9)
        # replicate r is the same world in every job, so the paired bootstrap keeps plots' share at exactly 0
        assert plots["total_high"] == pytest.approx(0.0, abs=1e-9)
        assert rate["total_low"] > 0.9
    assert set(table["method"]) == {"variance shares over the grid (ANOVA R^2)"}


def test_breakdown_of_china_contamination(grid_report):
    results = pd.read_csv(grid_report / "results.csv")
    naive = results[results["estimator"] == "composite"]
    assert len(naive) == 4 and set(naive["contamination.rate"]) == {0.0, 0.3}
    flips = naive.groupby("contamination.rate")["sign_error_rate"].mean()
    assert flips[0.0] < 0.2 and flips[0.3] >= 0.5  # 30% of China's test items leaked reverses a 0.02 lead
    table = pd.read_csv(grid_report / "breakdown.csv")
    rate = table[(table["parameter"] == "contamination.rate") & (table["estimator"] == "composite")]
    assert len(rate) == 2  # one per value of plots
    assert (rate["breakdown"] == 0.3).all()
    assert ((rate["interpolated"] > 0) & (rate["interpolated"] <= 0.3)).all()
    expected = 0.3 * (0.5 - flips[0.0]) / (flips[0.3] - flips[0.0])  # the linear crossing of 50%
    assert rate["interpolated"].to_numpy() == pytest.approx(expected)
    weights = table[table["parameter"] == "weight change (total variation)"]
    assert len(weights) == 4 and set(weights["estimator"]) == {"composite"}  # bayes=false
    # the median over worlds of the per-world flip distance, a world that cannot flip counting as infinite
    for _, row in weights.iterrows():
        worlds = pd.read_csv(grid_report.parent / str(int(row["job"])) / "replicates.csv")
        worlds = worlds[worlds["estimator"] == "composite"]
        assert row["breakdown"] == pytest.approx(worlds["flip_distance"].fillna(np.inf).median())


def test_report_names_failed_jobs_and_is_self_contained(grid_sweep, grid_report):
    markdown = (grid_report / "report.md").read_text()
    assert "2 of 6 jobs have no result" in markdown
    for job in ("4", "5"):
        assert f"| {job} | failed |" in markdown
    assert "contamination.rate must be a number in [0, 1], got 2.0" in markdown
    assert "Along contamination.rate, the naive headline has the wrong sign in 50% of the worlds from 0.3" in markdown
    page = (grid_report / "report.html").read_text()
    assert page.count("data:image/png;base64,") == sum(1 for _ in grid_report.glob("*.png")) >= 6
    assert "src='" not in page.replace("src='data:", "")  # no link to a file beside it
    assert not list(grid_sweep.glob(".report-*"))  # the scratch folder is gone


def test_report_lists_unfinished_and_never_started_jobs(grid_sweep, tmp_path):
    copy = tmp_path / "sweep"
    shutil.copytree(grid_sweep, copy, ignore=shutil.ignore_patterns("report"))
    (copy / "1" / "result.json").unlink()  # stopped before the end
    shutil.rmtree(copy / "3")  # never started
    run = benchgap("report", f"sweep_dir={copy}", "plots=false")
    assert run.returncode == 0, run.stderr[-2000:]
    markdown = (copy / "report" / "report.md").read_text()
    assert "4 of 6 jobs have no result" in markdown
    assert "| 1 | unfinished |" in markdown
    assert (
        "| #3 | not started | bayes=False replicates=8 contamination=uniform contamination.recall=1.0 "
        "contamination.group=China contamination.rate=0.3 plots=False" in (markdown)
    )
    assert not list((copy / "report").glob("*.png"))


def test_report_bad_input_is_one_line_and_writes_nothing(tmp_path):
    for args, message in (((), "sweep_dir is required"), ((f"sweep_dir={tmp_path}",), "no sweep jobs in")):
        run = benchgap("report", *args)
        assert run.returncode == 2, args
        assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
        assert "Traceback" not in run.stderr
    for settings, message in (
        (ReportConfig(sweep_dir=str(tmp_path / "nowhere")), "is not a folder"),
        (ReportConfig(sweep_dir=str(tmp_path), level=85), "level must be one of 50, 80, 90, 95"),
        (ReportConfig(sweep_dir=str(tmp_path), flip_share=0), "flip_share must be a number in (0, 1], got 0"),
    ):
        with pytest.raises(InputError, match=re.escape(message)):
            run_report(settings)
    assert not list(tmp_path.iterdir())


def test_sobol_indices_of_known_functions():
    """SALib's estimators on the Saltelli design: an output of one parameter only, and the Ishigami function,
    whose indices are known in closed form (Ishigami and Homma 1990; a = 7, b = 0.1)."""
    pi = float(np.pi)
    design = saltelli_design({"x1": (-pi, pi), "x2": (-pi, pi), "x3": (-pi, pi)}, base_samples=1024, seed=1)
    assert design.points.shape == (1024 * 5, 3)
    x1, x2, x3 = design.points.T
    one = sobol_indices(design, np.sin(x1) + 0.3 * x1, resamples=100, seed=0).set_index("parameter")
    assert one.loc["x1", "total"] == pytest.approx(1.0, abs=0.05)
    assert one.loc["x1", "first_order"] == pytest.approx(1.0, abs=0.05)
    assert one.loc[["x2", "x3"], "total"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-12)
    ishigami = sobol_indices(design, np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1), resamples=100, seed=0)
    ishigami = ishigami.set_index("parameter")
    assert ishigami["first_order"].to_numpy() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert ishigami["total"].to_numpy() == pytest.approx([0.558, 0.442, 0.244], abs=0.05)
    assert (ishigami["total_low"] <= ishigami["total"]).all() and (ishigami["total"] <= ishigami["total_high"]).all()


def test_grid_indices_of_an_additive_output():
    """y = a_i + b_j over a 3 x 2 grid: first order = total = each term's share of the variance."""
    jobs = pd.DataFrame([(i, j) for i in range(3) for j in range(2)], columns=["p", "q"])
    a, b = np.array([0.0, 1.0, 2.0]), np.array([0.0, 3.0])
    values = [np.full(4, a[i] + b[j]) for i, j in zip(jobs["p"], jobs["q"], strict=True)]
    table = grid_indices(jobs, params=["p", "q"], replicate_values=values, bootstrap=20, seed=0)
    table = table.set_index("parameter")
    share_a = np.var(a) / (np.var(a) + np.var(b))
    assert table.loc["p", "first_order"] == pytest.approx(share_a)
    assert table.loc["p", "total"] == pytest.approx(share_a)
    assert table.loc["q", "first_order"] == pytest.approx(1 - share_a)


def test_saltelli_sweep_runs_its_design_and_reports_sobol_indices(tmp_path):
    sweep = tmp_path / "sobol"
    run = benchgap(
        "simulate",
        "-m",
        "experiment=sobol",
        "bayes=false",
        "replicates=3",
        "plots=false",
        "hydra.sweeper.base_samples=2",
        f"hydra.sweep.dir={sweep}",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    design = json.loads((sweep / "design.json").read_text())
    assert design["names"] == ["contamination.rate", "overfitting.gain", "world.noise.run_sd"]
    assert len(design["points"]) == 2 * (3 + 2)
    for number, point in enumerate(design["points"]):
        parameters = json.loads((sweep / str(number) / "result.json").read_text())["parameters"]
        ran = [
            parameters["contamination"]["rate"],
            parameters["overfitting"]["gain"],
            parameters["world"]["noise"]["run_sd"],
        ]
        assert ran == pytest.approx(point)
    report = benchgap("report", f"sweep_dir={sweep}", "plots=false")
    assert report.returncode == 0, report.stderr[-2000:]
    table = pd.read_csv(sweep / "report" / "sensitivity.csv")
    assert set(table["method"]) == {"Sobol (SALib, Saltelli design)"}
    gap = table[table["output"] == "apparent gap"]
    assert list(gap["parameter"]) == design["names"]
    assert np.isfinite(gap[["first_order", "total", "total_low", "total_high"]].to_numpy()).all()

    # A job left from an earlier design in the same folder is named and left out; a missing point stops Sobol.
    shutil.copytree(sweep / "0", sweep / "99")
    overrides = sweep / "99" / ".hydra" / "overrides.yaml"
    rate = "contamination.rate="
    moved = [f"{rate}0.0123" if o.startswith(rate) else o for o in yaml_list(overrides)]
    overrides.write_text("".join(f"- {o}\n" for o in moved))
    (sweep / "4" / "result.json").unlink()
    partial = benchgap("report", f"sweep_dir={sweep}", "plots=false")
    assert partial.returncode == 0, partial.stderr[-2000:]
    markdown = (sweep / "report" / "report.md").read_text()
    assert "need all 10 points of the design; 1 have no result" in markdown
    assert "| 4 | unfinished |" in markdown
    assert "| 99 | not in design |" in markdown
    assert len(pd.read_csv(sweep / "report" / "results.csv").query("estimator == 'composite'")) == 9


def yaml_list(path):
    import yaml

    return yaml.safe_load(path.read_text())


def test_saltelli_sweeper_rejects_a_comma_sweep(tmp_path):
    run = benchgap("simulate", "-m", "experiment=sobol", "bayes=false", "seed=1,2", f"hydra.sweep.dir={tmp_path / 's'}")
    assert run.returncode != 0
    assert "seed=1,2' is a sweep of its own" in run.stderr
    assert "Traceback" not in run.stderr


def test_reweighting_moves_the_models_mean_gap_linearly_but_never_a_draws_sign():
    """With expected scores monotone in capability on every benchmark, each draw's best-vs-best composite gap has
    the sign of its capability gap under any weights; the posterior mean gap is ``w @ leader_score_differences``,
    so its flip distance is one linear programme, and it can flip where draws disagree."""
    from types import SimpleNamespace

    from arviz_base import from_dict

    from benchgap.posterior import expected_scores, leader_score_differences
    from benchgap.weighting import best_vs_best, flip_distance

    rng = np.random.default_rng(3)
    chains, draws, models, benchmarks = 2, 200, 10, 12
    theta = rng.normal(size=(chains, draws, models))
    intercept = rng.normal(size=(chains, draws, benchmarks))
    log_a = rng.normal(0, 0.8, size=(chains, draws, benchmarks))
    chance = rng.choice([0.0, 0.25], size=benchmarks)
    posterior = from_dict({"posterior": {"theta": theta, "intercept": intercept, "log_discrimination": log_a}})
    table = SimpleNamespace(n_benchmarks=benchmarks, chance=chance)
    in_a, in_b = np.arange(models) < 5, np.arange(models) >= 5
    scores = expected_scores(theta[..., None], intercept, log_a, chance)  # (chain, draw, model, benchmark)
    differences = leader_score_differences(posterior, table, in_a=in_a, in_b=in_b)
    latent = best_vs_best(theta, in_a, in_b)
    for weights in rng.dirichlet(np.full(benchmarks, 0.3), size=30):
        composite = best_vs_best(scores @ weights, in_a, in_b)  # (chain, draw)
        assert (np.sign(composite) == np.sign(latent)).all()
        assert composite.mean() == pytest.approx(weights @ differences, abs=1e-12)
    # The mean flips: the smallest reweighting found by the linear programme reverses it, and no smaller one does.
    uniform = np.full(benchmarks, 1 / benchmarks)
    two_rows = np.vstack([differences, np.zeros(benchmarks)])
    distance = flip_distance(two_rows, uniform, in_a=np.array([True, False]), in_b=np.array([False, True]))
    assert 0 < distance < 1
    tried = rng.dirichlet(np.ones(benchmarks), size=20000)
    moved = 0.5 * np.abs(tried - uniform).sum(axis=1)
    flipped = np.sign(tried @ differences) != np.sign(uniform @ differences)
    assert flipped.any() and moved[flipped].min() >= distance - 1e-9


def test_design_breakdown_walks_the_surrogate_with_the_others_at_their_lowest():
    """On a design whose flip share is x and whose mean gap is 0.2 - 0.4 x + 0.3 x y (y another parameter),
    with y at its lowest the share reaches one half at x = 0.5 and the mean gap crosses zero at x = 0.5."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=60), rng.uniform(size=60)
    jobs = pd.DataFrame(
        {"x": x, "y": y, "sign_error_rate": x, "mean_estimate": 0.2 - 0.4 * x + 0.3 * x * y, "mean_truth": 0.02}
    )
    table = design_breakdown(jobs, bounds={"x": (0.0, 1.0), "y": (0.0, 1.0)}, share=0.5).set_index("parameter")
    assert table.loc["x", "breakdown"] == pytest.approx(0.5, abs=0.003)
    assert table.loc["x", "mean_gap_flips_at"] == pytest.approx(0.5, abs=1e-9)
    assert np.isnan(table.loc["y", "breakdown"]) and np.isnan(table.loc["y", "mean_gap_flips_at"])
    assert "R^2 1.00 for the flip share and 1.00 for the mean gap" in table.loc["x", "where"]
    assert table.loc["x", "jobs_past_share"] == (x >= 0.5).sum()


def test_report_on_a_sweep_where_every_job_failed(grid_sweep, tmp_path):
    copy = tmp_path / "sweep"
    copy.mkdir()
    for job in ("4", "5"):  # the two failed jobs only
        shutil.copytree(grid_sweep / job, copy / job)
    run_report(ReportConfig(sweep_dir=str(copy)))
    markdown = (copy / "report" / "report.md").read_text()
    assert "No job finished, so there is nothing to judge yet" in markdown
    assert "| 4 | failed |" in markdown and "| 5 | failed |" in markdown


def test_grid_indices_use_the_complete_part_of_an_incomplete_grid(grid_sweep, tmp_path):
    """With job 3 (rate 0.3, plots false) gone, rate x plots has 3 of 4 cells: shares of a partial grid would be
    wrong, so the report drops a value to keep a full grid, and says which."""
    copy = tmp_path / "sweep"
    shutil.copytree(grid_sweep, copy, ignore=shutil.ignore_patterns("report", "3"))
    analysis = analyse(read_sweep(copy), flip_share=0.5, bootstrap=0, seed=0)
    assert any("without contamination.rate=0.3" in note or "without plots=False" in note for note in analysis.notes)
    assert set(analysis.sensitivity["jobs"]) == {2}


def test_report_opens_with_three_sentences_and_its_headline_figure(grid_report):
    """What moved the headline and by how much, whether it flipped, whether the model stayed honest; then the figure
    of the parameter that moved it; the qualified findings follow under their own heading."""
    markdown = (grid_report / "report.md").read_text()
    brief = markdown.split("## In brief", 1)[1].split("## Verdict in detail", 1)[0]
    sentences = [line for line in brief.splitlines() if line.startswith("**")]
    assert len(sentences) == 3, brief
    assert "The headline (naive) gap moved most with contamination.rate" in sentences[0]
    assert "Its sign was wrong" in sentences[1]
    assert "not fitted in this sweep (bayes=false)" in sentences[2]
    assert "(gap_vs_contamination_rate.png)" in brief
    assert markdown.count("(gap_vs_contamination_rate.png)") == 1  # shown once, at the top


def test_the_results_table_shows_the_model_and_its_suite_gap_beside_the_naive_estimate():
    """A fitted sweep's row per job: the naive estimate, the model's capability gap and its suite gap with the
    coverage of each one's own truth; a job without model rows reads n/a."""
    from benchgap.jobs.report.page import _results_table

    def row(job, estimator, estimate, coverage, **more):
        base = {"job": job, "estimator": estimator, "a": "US", "mean_truth": 0.02, "truth_a_ahead_share": 0.9}
        return base | {"mean_estimate": estimate, "sign_error_rate": 0.1, "coverage_90": coverage} | more

    results = pd.DataFrame(
        [
            row("0", "composite", 0.021, 0.6),
            row("0", "bayes", 0.019, 0.9, converged_share=1.0),
            row("0", "bayes_suite", 0.020, 0.7, suite_mean_truth=0.022, suite_coverage_90=0.89),
            row("1", "composite", 0.018, 0.5),
        ]
    )
    table = _results_table(results, [], level=90)
    assert table.header[-3:] == ["true suite gap", "model suite gap", "suite 90% cov."]
    assert table.rows[0][-7:] == ["+0.019", "10%", "0.90", "100%", "+0.022", "+0.020", "0.89"]
    assert table.rows[1][-7:] == ["n/a"] * 7


def _naive_sweep_section(tmp_path, heading: str, *overrides: str):
    """A two-job sweep of naive estimators only (six worlds each) and its report: the sweep folder and the report's
    text from ``## heading`` on."""
    sweep = tmp_path / "sweep"
    run = benchgap("simulate", "-m", "bayes=false", "replicates=6", *overrides, f"hydra.sweep.dir={sweep}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert benchgap("report", f"sweep_dir={sweep}").returncode == 0
    text = (sweep / "report" / "report.md").read_text()
    return sweep, text[text.index(f"## {heading}") :]


def test_report_scores_the_gap_over_time_per_job(tmp_path):
    """A sweep run with trend.score=true: the report's section on the gap over time lists each job's naive lag and
    gap change with the truth and bias that its result.json holds, and a plain sentence on the lag."""
    sweep, section = _naive_sweep_section(
        tmp_path, "The gap over time", "world=closing", "trend.score=true", "world.groups.China.slope=0.8,1.2"
    )
    assert "time-averaged lag of China has a bias (mean error over a job's worlds) of up to" in section
    for job in ("0", "1"):
        naive = json.loads((sweep / job / "result.json").read_text())["estimators"]["composite_lag"]
        row = next(line for line in section.splitlines() if line.startswith(f"| {job} |") and "time-averaged" in line)
        assert f"{naive['mean_truth']:+.2f} months" in row and f"{naive['bias']:+.2f} (" in row, row
        assert "gap, change over the window" in section


def test_report_scores_the_gap_per_capability_per_job(tmp_path):
    """A sweep on worlds with capabilities per category: the report's section on the gap per capability lists each
    job's naive per-category rows with the truth and bias of its replicates, and the naive estimator's coverage
    pooled over every (job, category) pair with its count and binomial interval."""
    sweep, section = _naive_sweep_section(
        tmp_path, "The gap per capability", "world=dimensions", "world.dimensions.correlation=0.5,0.9"
    )
    assert "of 48 world-categories; 95% CI" in section
    for job in ("0", "1"):
        rows = pd.read_csv(sweep / job / "replicates.csv")
        math = rows[(rows["estimator"] == "composite_dimension") & (rows["dimension"] == "math")]
        row = next(line for line in section.splitlines() if line.startswith(f"| {job} |") and "| math |" in line)
        assert f"{math['truth'].mean() * 100:+.2f}" in row and f"{math['error'].mean() * 100:+.2f} (" in row, row
