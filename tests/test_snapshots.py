"""Two leaderboard snapshots fitted jointly: the reader's joins and bad inputs, and a known change between two
simulated snapshots recovered end to end."""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchgap.config import DataConfig, GapConfig, SamplerConfig
from benchgap.errors import InputError
from benchgap.fitting import fit
from benchgap.table import read_snapshots
from benchgap.weighting import best_vs_best
from benchgap.world import World, draw_world
from tests.conftest import composed, write

EARLY = "model,group,model_release_date,benchmark,score\nA,US,2024-01-01,MMLU,0.7\nB,China,2024-02-01,MMLU,0.6\n"
EARLY += "A,US,2024-01-01,GSM8k,0.5\nB,China,2024-02-01,GSM8k,0.4\n"
LATE = "model,group,model_release_date,benchmark,score\nA,US,2024-01-01,GPQA,0.3\nC,China,2025-01-01,GPQA,0.5\n"
LATE += "A,US,2024-01-01,MATH,0.4\nC,China,2025-01-01,MATH,0.6\n"


def test_snapshots_join_models_by_name_and_keep_benchmarks_apart(tmp_path):
    cfg = DataConfig(snapshots=[str(write(tmp_path, "early.csv", EARLY)), str(write(tmp_path, "late.csv", LATE))])
    table = read_snapshots(cfg)
    assert table.models == ("A", "B", "C") and table.groups == ("US", "China", "China")
    assert table.benchmarks == ("MMLU @ early", "GSM8k @ early", "GPQA @ late", "MATH @ late")
    assert table.snapshot_names == ("early", "late")
    np.testing.assert_array_equal(table.in_snapshot("late"), [True, False, True])
    assert table.n_cells == 8 and table.known_covariates.model_release[2] == pytest.approx(2025.0)


@pytest.mark.parametrize(
    ("late", "extra", "message"),
    [
        (LATE.replace("A,US", "D,US"), {}, "early.csv shares no model with the other snapshots"),
        (
            LATE.replace("A,US", "A,China"),
            {},
            "model 'A' is in group 'US' in an earlier snapshot and 'China' in 'late'",
        ),
        (LATE, {"snapshot_dates": ["2024-06-30", "2024-06-30"]}, "model 'C' is dated 2025.00, after its snapshot"),
        (LATE, {"path": "x.csv"}, "data.path and data.snapshots are both set"),
    ],
    ids=["no_shared_model", "group_conflict", "dated_after_snapshot", "path_and_snapshots"],
)
def test_bad_snapshots_are_one_line_errors(tmp_path, late, extra, message):
    files = [str(write(tmp_path, "early.csv", EARLY)), str(write(tmp_path, "late.csv", late))]
    with pytest.raises(InputError, match=re.escape(message)) as error:
        read_snapshots(DataConfig(snapshots=files, **extra))
    assert "\n" not in str(error.value)


def _snapshot_file(folder: Path, name: str, world: World, table, models: np.ndarray, benches: np.ndarray) -> str:
    """The observed cells of ``models`` x ``benches`` as a long file with item counts and release dates."""
    keep = np.isin(table.model_idx, models) & np.isin(table.bench_idx, benches)
    frame = pd.DataFrame(
        {
            "model": [table.models[i] for i in table.model_idx[keep]],
            "group": [table.groups[i] for i in table.model_idx[keep]],
            "model_release_date": world.model_release[table.model_idx[keep]],
            "benchmark": [table.benchmarks[j] for j in table.bench_idx[keep]],
            "score": table.score[keep],
            "n_items": table.n_items[keep],
        }
    )
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_a_known_change_between_two_simulated_snapshots_is_recovered(tmp_path):
    """Four worlds of the `closing` preset, each published twice: "early" lists the models out by 2024.9 on half of the
    benchmarks, "late" every model on the other half, so only the shared early models link the two scales. The
    truth is the same functional on the true capabilities. The change's 90% interval holds it in most worlds (a
    calibrated model fails ">= 2 of 4" with probability 0.004) and its score error is small."""
    world_cfg = composed("simulate", "world=closing", "world.suite.public_after_release=false").world
    sampler = SamplerConfig(chains=2, draws=400, tune=400, cores=2, progress=False)
    gap = GapConfig(a="US", b="China")
    covered, score_errors = 0, []
    for seed in range(4):
        table, world = draw_world(world_cfg, seed=seed)
        early_models = np.flatnonzero(world.model_release <= 2024.9)
        half = table.n_benchmarks // 2
        files = [
            _snapshot_file(tmp_path, f"early{seed}", world, table, early_models, np.arange(half)),
            _snapshot_file(
                tmp_path, f"late{seed}", world, table, np.arange(table.n_models), np.arange(half, table.n_benchmarks)
            ),
        ]
        joined = read_snapshots(DataConfig(snapshots=files))
        result = fit(joined, gap=gap, sampler=sampler)
        change = result.estimates.snapshots
        assert change is not None and [g.snapshot for g in change.gaps] == [f"early{seed}", f"late{seed}"]
        groups = np.asarray(world.groups)
        in_a, in_b = groups == "US", groups == "China"
        early = np.isin(np.arange(table.n_models), early_models)
        true_latent = best_vs_best(world.truth.theta, in_a, in_b) - best_vs_best(
            world.truth.theta, in_a & early, in_b & early
        )
        scores = world.truth.expected_score
        true_score = best_vs_best(scores[:, half:].mean(axis=1), in_a, in_b) - best_vs_best(
            scores[:, :half].mean(axis=1), in_a & early, in_b & early
        )
        lo, hi = change.change_latent.interval
        covered += lo <= true_latent <= hi
        score_errors.append(change.change_score.mean - true_score)
    assert covered >= 2, score_errors
    assert np.abs(score_errors).mean() < 0.03, score_errors


def test_snapshot_change_is_reported_by_the_fit_job(tmp_path):
    """The fit job on two snapshots: summary.json's snapshots block and the report's section (a short run)."""
    from benchgap.jobs.fit.run import run_fit

    files = [str(write(tmp_path, "early.csv", EARLY)), str(write(tmp_path, "late.csv", LATE))]
    cfg = composed("fit", f"data.snapshots=[{files[0]},{files[1]}]", "sampler=quick", "plots=false")
    cfg.sampler = dataclasses.replace(cfg.sampler, progress=False)
    cfg.prior_sensitivity = False
    summary = run_fit(cfg, out_dir=tmp_path / "run")
    assert summary.snapshots is not None and "From snapshot 'early' to 'late'" in summary.snapshots.verdict
    assert "Snapshots" in (tmp_path / "run" / "report.md").read_text()
