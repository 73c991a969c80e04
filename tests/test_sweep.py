"""Sweeps through Hydra's multirun, in a subprocess as users run them: the README's 12-job joblib sweep, a rerun
that skips finished jobs, a failing job that does not lose the others, and the submitit launcher locally.

The naive estimators only (``bayes=false``) keep these fast; the fit inside jobs is covered by
``test_simulate_job.py``.
"""

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli

FAST = ("bayes=false", "replicates=3")


def benchgap(*args: str, timeout: int = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, timeout=timeout, env=env)


def job_dirs(sweep: Path) -> list[Path]:
    return sorted((p for p in sweep.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def test_readme_weighting_sweep_runs_twelve_jobs_in_parallel_and_resumes(tmp_path):
    sweep = tmp_path / "sweep"
    command = (
        "simulate",
        "-m",
        "experiment=weighting_sweep",
        "hydra/launcher=joblib",
        *FAST,
        f"hydra.sweep.dir={sweep}",
    )
    first = benchgap(*command)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Joblib.Parallel" in first.stdout + first.stderr
    jobs = job_dirs(sweep)
    assert len(jobs) == 12
    results = [json.loads((j / "result.json").read_text()) for j in jobs]
    grid = {(r["parameters"]["weighting"]["kind"], r["parameters"]["overfitting"]["gain"]) for r in results}
    assert len(grid) == 12
    assert all((j / "replicates.csv").exists() and (j / "gaps.png").exists() for j in jobs)
    stamps = [(j / "result.json").stat().st_mtime_ns for j in jobs]

    again = benchgap(*command)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (again.stdout + again.stderr).count("complete (result.json has these settings); skipped") == 12
    assert [(j / "result.json").stat().st_mtime_ns for j in jobs] == stamps

    report = benchgap("report", f"sweep_dir={sweep}", "bootstrap=50")  # categorical parameters on both axes
    assert report.returncode == 0, report.stderr[-2000:]
    folder = sweep / "report"
    sensitivity = pd.read_csv(folder / "sensitivity.csv")
    assert set(sensitivity["parameter"]) == {"weighting", "overfitting"}
    assert sensitivity[["first_order", "total"]].stack().between(0, 1).all()
    assert (folder / "heatmap_sign_flip__weighting__overfitting.png").exists()
    naive = pd.read_csv(folder / "results.csv").query("estimator == 'composite'")
    assert len(naive) == 12
    by_overfitting = naive.groupby("overfitting")["mean_estimate"].mean()
    assert by_overfitting["targeted"] < by_overfitting["none"] - 0.005  # China's math gains shrink the apparent gap


def test_failing_job_leaves_a_marker_and_the_others_finish(tmp_path):
    sweep = tmp_path / "sweep"
    result = benchgap(
        "simulate", "-m", "overfitting=targeted", "overfitting.group=Mars,China", *FAST, f"hydra.sweep.dir={sweep}"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "benchgap simulate: job 0 failed: overfitting.group='Mars' is not a group of world 'ai_index_2026'; "
        "groups: US, China, Other"
    )
    assert lines[-1].startswith("benchgap: 1 job(s) failed (0); see")
    failed = json.loads((sweep / "0" / "failed.json").read_text())
    assert "overfitting.group=Mars" in failed["overrides"]
    assert not (sweep / "0" / "result.json").exists()
    assert json.loads((sweep / "1" / "result.json").read_text())["status"] == "complete"


def test_submitit_local_launcher(tmp_path):
    sweep = tmp_path / "sweep"
    result = benchgap(
        "simulate",
        "-m",
        "hydra/launcher=submitit_local",
        "contamination=uniform",
        "contamination.rate=0,0.2",
        *FAST,
        f"hydra.sweep.dir={sweep}",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rates = sorted(
        json.loads((j / "result.json").read_text())["parameters"]["contamination"]["rate"] for j in job_dirs(sweep)
    )
    assert rates == [0.0, 0.2]


@pytest.mark.parametrize(
    ("override", "expected", "code"),
    [
        ("contamination.rat=0.1", "no setting 'contamination.rat': 'rat' is not a key of contamination", 2),
        ("overfitting.gain=lots", "Value 'lots' of type 'str' could not be converted to Float", 1),
        ("weighting=heavy", "Could not find 'weighting/heavy'", 1),
    ],
)
def test_typos_and_wrong_types_fail_at_composition(tmp_path, override, expected, code):
    run_dir = tmp_path / "run"
    result = benchgap("simulate", override, f"hydra.run.dir={run_dir}")
    assert result.returncode == code
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert not run_dir.exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["world.b=Mars"], "benchgap simulate: error: world.b='Mars' is not a group of world 'ai_index_2026'"),
        (["+world.typo=1"], "benchgap simulate: error: unknown config key 'world.typo'"),
    ],
)
def test_bad_simulate_input_is_one_line_exit_2(tmp_path, overrides, expected):
    run_dir = tmp_path / "run"
    result = benchgap("simulate", *overrides, f"hydra.run.dir={run_dir}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(expected)
    assert not run_dir.exists()


def test_ray_launcher_on_a_local_ray_instance(tmp_path):
    """``hydra/launcher=ray`` (the optional ``ray`` extra) starts a local Ray head and runs the jobs on it.

    Without the dashboard (fewer processes to start) and with a longer worker registration timeout: on a loaded
    2-core machine Ray's workers once took over its default 60 s to register, and the sweep hung.
    """
    pytest.importorskip(
        "hydra_plugins.hydra_ray_launcher", reason="the ray extra is not installed (uv sync --extra ray)"
    )
    sweep = tmp_path / "sweep"  # absolute, as Ray workers need
    result = benchgap(
        "simulate",
        "-m",
        "hydra/launcher=ray",
        "+hydra.launcher.ray.init.include_dashboard=false",
        "contamination=uniform",
        "contamination.rate=0,0.2",
        *FAST,
        f"hydra.sweep.dir={sweep}",
        env={"RAY_worker_register_timeout_seconds": "240"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Ray Launcher is launching 2 jobs" in result.stdout + result.stderr
    rates = sorted(
        json.loads((j / "result.json").read_text())["parameters"]["contamination"]["rate"] for j in job_dirs(sweep)
    )
    assert rates == [0.0, 0.2]
