"""``model=contamination_aware``: covariates read from tables, the prior's blocked cells, the AUC, and (one compile
each) detection of injected inflation in simulated worlds and the fit job's outputs on a small table.
"""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import benchgap.jobs.simulate.run as job
from benchgap.config import DataConfig, FitConfig, InflationPrior, ModelConfig, ModelKind, SamplerConfig
from benchgap.errors import InputError
from benchgap.inflation import auc, detection
from benchgap.jobs.fit.run import run_fit
from benchgap.model import inflation_covariates
from benchgap.table import read_table
from tests.conftest import simulate_settings, write

AWARE = ModelConfig(kind=ModelKind.contamination_aware)


LONG = (
    "model,group,model_release_date,benchmark,score,benchmark_release_date,optimized_for\n"
    "A,US,2024-07-01,Old,0.8,2020-01-01,True\n"
    "A,US,2024-07-01,New,0.5,2025-01-01,False\n"
    "B,China,2025-07-02,Old,0.7,2020/01/01,True\n"
    "B,China,2025-07-02,New,0.4,2025/01/01,\n"
    "B,China,2025-07-02,Private,0.3,2019.5,False\n"
)


def test_release_dates_and_flags_are_read_from_a_long_table(tmp_path):
    table = read_table(DataConfig(path=str(write(tmp_path, "long.csv", LONG)), held_out=["Private"]))
    cov = table.covariates
    assert cov.model_release == pytest.approx([2024.497, 2025.499], abs=0.002)
    assert cov.benchmark_release == pytest.approx([2020.0, 2025.0, 2019.5])
    assert cov.optimized_for[:2].tolist() == [1.0, 0.0]
    assert cov.held_out.tolist() == [False, False, True]
    blocked = inflation_covariates(table, InflationPrior())["cell_blocked"]
    # A's New benchmark came out after A (blocked); B saw both; Private is held out.
    assert blocked.tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]


def test_exposure_is_centred_and_unknown_covariates_add_nothing(tmp_path):
    table = read_table(DataConfig(path=str(write(tmp_path, "long.csv", LONG))))
    x = inflation_covariates(table, InflationPrior(timescale=2.0))
    age = np.array([4.497, 0.0, 5.499, 0.499, 6.0])
    exposure = 1 - np.exp(-age / 2.0)
    assert x["cell_exposure"] == pytest.approx(exposure - exposure.mean(), abs=2e-3)
    # One flag per benchmark (B's empty cell on New takes New's flag from A's row), centred over the cells.
    assert x["cell_optimized"] == pytest.approx([0.6, -0.4, 0.6, -0.4, -0.4])
    unknown = read_table(DataConfig(path=str(write(tmp_path, "plain.csv", "model,MMLU,GSM8K\nA,0.5,0.6\nB,0.4,0.7\n"))))
    plain = inflation_covariates(unknown, InflationPrior())
    assert not plain["cell_exposure"].any() and not plain["cell_optimized"].any() and not plain["cell_blocked"].any()


@pytest.mark.parametrize(
    ("text", "held_out", "message"),
    [
        (LONG.replace("2020-01-01", "last spring"), [], "release date 'last spring' is not a date"),
        (LONG.replace(",True\n", ",maybe\n", 1), [], "optimized_for must be true or false, got 'maybe'"),
        (LONG, ["Nope"], "data.held_out: 'Nope' is not a benchmark"),
    ],
)
def test_bad_covariates_fail_with_one_line_naming_the_place(tmp_path, text, held_out, message):
    with pytest.raises(InputError, match=message) as err:
        read_table(DataConfig(path=str(write(tmp_path, "long.csv", text)), held_out=held_out))
    assert "\n" not in str(err.value)


def test_auc_known_answers():
    assert auc(np.array([0.9, 0.8, 0.1, 0.2]), np.array([1, 1, 0, 0])) == 1.0
    assert auc(np.array([0.1, 0.2, 0.9, 0.8]), np.array([1, 1, 0, 0])) == 0.0
    assert auc(np.array([0.5, 0.5, 0.5]), np.array([1, 0, 0])) == 0.5  # ties count half
    assert auc(np.array([0.3, 0.1, 0.2, 0.4]), np.array([1, 0, 1, 0])) == 0.5
    assert np.isnan(auc(np.array([0.3, 0.1]), np.array([0, 0])))
    found = detection(np.array([0.9, 0.2, 0.6, 0.1]), np.array([0.1, 0.0, 0.0, 0.02]), flag_probability=0.5)
    assert found["inflation_auc"] == 1.0  # the 0.02-point cell is neither inflated nor clean: left out
    assert found["false_positive_rate"] == 0.5 and found["detection_rate"] == 1.0


MIXED = (
    "model,group,benchmark,score,n_items,stderr\n"
    "A,US,counted,0.61,400,\nB,China,counted,0.52,400,\nC,US,counted,0.33,400,\n"
    "A,US,with_se,0.71,,0.02\nB,China,with_se,0.64,,0.03\nC,US,with_se,0.41,,0.02\n"
    "A,US,plain,0.55,,\nB,China,plain,0.47,,\nC,US,plain,0.22,,\n"
)


@pytest.mark.parametrize("plain_likelihood", ["beta", "normal"])
def test_with_no_prior_inflation_the_likelihood_is_the_plain_models(tmp_path, plain_likelihood):
    """Every measurement kind (beta-binomial, normal with stderr, beta or normal plain scores): with a prior share of
    inflated cells of 1e-30 the mixture's log-likelihood equals the plain model's at the same parameters."""
    from benchgap.config import PlainLikelihood
    from benchgap.model import build_model

    table = read_table(DataConfig(path=str(write(tmp_path, "mixed.csv", MIXED))))
    plain_spec = ModelConfig(plain_likelihood=PlainLikelihood(plain_likelihood))
    aware_spec = dataclasses.replace(
        plain_spec, kind=ModelKind.contamination_aware, inflation=InflationPrior(share_mean=1e-30)
    )
    totals = []
    for spec in (plain_spec, aware_spec):
        model = build_model(table, spec=spec)
        loglik = model.compile_logp(vars=model.potentials)
        point = model.initial_point() | {"theta_raw": np.array([0.5, -0.3, 0.1])}  # standardisable: sd > 0
        totals.append(float(loglik(point)))
        assert len(model.potentials) == 3
    assert totals[1] == pytest.approx(totals[0], rel=1e-9, abs=1e-6)


@pytest.fixture(scope="module")
def injected(tmp_path_factory) -> tuple[dict, dict]:
    """The issue's test: 10% of all cells of the default world inflated by 10 points, 4 worlds; and 4 clean ones.
    Both jobs share one compiled model (same table shape)."""
    sampler = SamplerConfig(chains=2, draws=300, tune=300, progress=False)

    def run(*overrides: str) -> dict:
        cfg = simulate_settings(
            "bayes=true", "model=contamination_aware", "contamination=cells", *overrides, replicates=4
        )
        cfg.sampler = sampler
        return job.run_simulate(cfg, out_dir=tmp_path_factory.mktemp("aware")).to_json()

    return run("contamination.rate=0.1", "contamination.points=0.1"), run("contamination.rate=0")


@pytest.mark.slow
def test_injected_inflation_is_detected(injected):
    found = injected[0]["inflation"]
    assert found["inflated_cells_mean"] == pytest.approx(0.1 * 14 * 12, rel=0.35)
    assert found["auc_mean"] >= 0.8, found
    assert found["auc_min"] >= 0.7, found
    assert found["false_positive_rate"] <= 0.02, found


@pytest.mark.slow
def test_a_clean_world_is_not_flagged(injected):
    found = injected[1]["inflation"]
    assert found["auc_mean"] is None  # nothing inflated: no positives to rank
    assert found["false_positive_rate"] <= 0.01, found
    assert found["flagged_cells_mean"] <= 1.0, found


@pytest.mark.slow
def test_fit_flags_the_inflated_cell_and_reports_both_gaps(tmp_path):
    """Eight models on five benchmarks with item counts; China-7's score on Old is 25 points above what its other
    scores imply (0.5 -> 0.75). The fit flags that cell first, lists the plain model's gap beside the deflated one,
    and writes the per-cell and per-model files."""
    rng = np.random.default_rng(3)
    theta = np.array([1.2, 0.8, 0.3, -0.2, 1.0, 0.5, 0.0, -0.6])
    groups = ["US"] * 4 + ["China"] * 4
    benches = {
        "Old": (2019.5, 0.0),
        "Mid": (2022.0, 0.3),
        "Hard": (2023.0, 1.0),
        "Easy": (2021.0, -1.0),
        "New": (2026.5, 0.2),
    }
    rows = []
    for m, (t, g) in enumerate(zip(theta, groups, strict=True)):
        for b, (release, difficulty) in benches.items():
            p = 1 / (1 + np.exp(-(t - difficulty) * 1.5))
            if m == 6 and b == "Old":
                p += 0.25
            n = 1000
            rows.append([f"{g}-{m + 1}", g, "2025-06-01", b, rng.binomial(n, p) / n, release, n])
    frame = pd.DataFrame(
        rows,
        columns=["model", "group", "model_release_date", "benchmark", "score", "benchmark_release_date", "n_items"],
    )
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    cfg = FitConfig(
        data=DataConfig(path=str(path)),
        model=AWARE,
        sampler=SamplerConfig(chains=2, draws=400, tune=400, progress=False),
        plots=False,
    )
    out = tmp_path / "run"
    summary = run_fit(cfg, out_dir=out).to_json()
    contamination = summary["contamination"]
    assert contamination["flagged"][0]["model"] == "China-7" and contamination["flagged"][0]["benchmark"] == "Old"
    assert contamination["flagged"][0]["points_if_inflated"] == pytest.approx(0.25, abs=0.1)
    cells = pd.read_csv(out / "inflation_cells.csv")
    new = cells[cells["benchmark"] == "New"]
    assert (new["probability"] < 1e-6).all()  # released after every model: cannot be inflated
    models = pd.read_csv(out / "inflation_models.csv")
    assert models["model"].iloc[0] == "China-7"
    for name in ("score", "latent", "group_mean"):  # both gaps, and the shift between them, for every estimand
        deflated, plain = contamination["deflated_gap"][name], contamination["plain_gap"][name]
        assert (
            deflated["interval"][0] < deflated["mean"] < deflated["interval"][1]
            and plain["interval"][0] < plain["mean"]
        )
        assert contamination["shift"][name] == pytest.approx(deflated["mean"] - plain["mean"])
    assert json.loads((out / "summary.json").read_text())["contamination"]["cells"] == 40
    report = (out / "report.md").read_text()
    assert "## Contamination" in report and "inflation removed" in report
