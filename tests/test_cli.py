"""The ``benchgap`` command in a subprocess, on input that fails before any model is fitted.

Covers bad input (missing file, score out of range, unknown group, duplicate rows, unknown config key):
exit code 2, exactly one line on stderr and no traceback, and no run folder left behind; the job
dispatcher (no arguments, unknown job); Hydra's own type check of an override; and ``--cfg job``.
"""

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli


def benchgap(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, "sampler.progress=false", timeout=60)  # the timeout stops a fit started by mistake


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].strip()
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def scores(tmp_path):
    def write(text: str) -> Path:
        path = tmp_path / "scores.csv"
        path.write_text(text)
        return path

    return write


OUT_OF_RANGE = "model,MMLU\nA,0.5\nB,74.2\n"
DUPLICATES = "model,benchmark,score\nA,MMLU,0.5\nA,MMLU,0.6\n"
SINGLE_BENCHMARK = "model,group,MMLU\nA,US,0.5\nB,China,0.6\nC,US,0.7\n"
UNDATED = "model,group,MMLU,GSM8k\nA,US,0.5,0.5\nB,China,0.6,0.5\nC,US,0.7,0.5\n"


@pytest.mark.parametrize(
    ("table", "overrides", "expected"),
    [
        (None, ["data.path=nope.csv"], ["data.path: file 'nope.csv' not found; check the path"]),
        (
            OUT_OF_RANGE,
            [],
            [
                "scores.csv: line 3 (model 'B', benchmark 'MMLU'): score 74.2 is outside [0, 1]",
                "data.scale=100",
            ],
        ),
        (
            None,
            ["data=helm_lite", "gap.a=Mars"],
            ["gap.a='Mars' is not a group of", "helm_lite_240829.csv", "US (41), China (10)", "Set gap.a to"],
        ),
        (
            None,
            ["data=helm_lite", "gap.groups=[US,China,Mars]"],
            ["gap.groups lists 'Mars', which is not a group of", "France (9)", "List only these"],
        ),
        (
            DUPLICATES,
            [],
            ["scores.csv: line 2 and line 3 both score (model 'A', benchmark 'MMLU')", "keep one"],
        ),
        (None, ["+data.typo=1"], ["unknown config key 'data.typo'"]),
        (None, ["sampler.draws=-5"], ["sampler.draws must be a whole number >= 1, got -5"]),
        (None, ["gap.interval_prob=1.5"], ["gap.interval_prob must be a number in (0, 1), got 1.5"]),
        (None, ["gap.weighting=dirichlet"], ["gap.weighting=dirichlet is a scheme of `benchgap simulate`"]),
        (None, ["data.demo.groups.US.models=0"], ["data.demo.groups.US.models must be a whole number >= 1, got 0"]),
        (
            SINGLE_BENCHMARK,
            [],
            ["has a single benchmark ('MMLU')", "cannot separate capability from difficulty with one benchmark"],
        ),
        (
            UNDATED,
            ["model=trend"],
            ["model.trend=linear needs release dates", "scores.csv has none", "set model.trend=none"],
        ),
        (None, ["trend.window=[2025.5,2025.0]"], ["trend.window=[2025.5, 2025.0] is not [from, to] with from < to"]),
    ],
    ids=[
        "missing_file",
        "out_of_range",
        "unknown_group",
        "unknown_race_group",
        "duplicate_rows",
        "unknown_key",
        "negative_draws",
        "interval_above_1",
        "simulate_weighting",
        "empty_demo_group",
        "single_benchmark",
        "trend_without_dates",
        "trend_window_reversed",
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_run_folder(tmp_path, scores, table, overrides, expected):
    run_dir = tmp_path / "run"
    if table is not None:
        overrides = [f"data.path={scores(table)}", *overrides]
    result = benchgap("fit", *overrides, f"hydra.run.dir={run_dir}")
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith("benchgap fit: error: ")
    for part in expected:
        assert part in line
    assert not run_dir.exists()


def test_no_arguments_prints_usage():
    result = run_cli(timeout=60)  # truly no arguments: a lone `sampler.progress=false` would be read as the job name
    assert result.returncode == 2
    assert "usage: benchgap JOB" in result.stdout + result.stderr
    assert "fit" in result.stdout + result.stderr


def test_unknown_job():
    result = benchgap("nosuchjob")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "unknown job 'nosuchjob'" in line and "fit" in line


def test_wrong_type_fails_at_composition(tmp_path):
    run_dir = tmp_path / "run"
    result = benchgap("fit", "sampler.draws=abc", f"hydra.run.dir={run_dir}")
    assert result.returncode != 0
    assert "sampler.draws" in result.stderr
    assert "Traceback" not in result.stderr
    assert not run_dir.exists()


def test_cfg_job_prints_composed_config():
    result = benchgap("fit", "--cfg", "job", "gap.a=China", "gap.b=US")
    assert result.returncode == 0, result.stderr
    assert "gap:" in result.stdout
    assert "  a: China" in result.stdout and "  b: US" in result.stdout
    assert "progress: false" in result.stdout
    assert "data:" in result.stdout and "sampler:" in result.stdout


@pytest.mark.parametrize(
    ("job", "overrides", "expected"),
    [
        ("simulate", ["replicates=0"], "replicates must be a whole number >= 1, got 0"),
        ("simulate", ["contamination.rate=0.1"], "leaks nothing with contamination=none"),
        ("calibrate", ["alpha=2"], "alpha must be a number in (0, 1), got 2.0"),
        ("report", ["sweep_dir=outputs", "bootstrap=-1"], "bootstrap must be a whole number >= 0, got -1"),
    ],
)
def test_every_job_range_checks_its_settings(tmp_path, job, overrides, expected):
    run_dir = tmp_path / "run"
    result = benchgap(job, *overrides, f"hydra.run.dir={run_dir}") if job != "report" else run_cli(job, *overrides)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith(f"benchgap {job}: error: ") and expected in line
    assert not run_dir.exists()


def test_a_metadata_file_naming_an_unknown_benchmark_is_rejected(tmp_path, scores):
    meta = tmp_path / "benchmarks.csv"
    meta.write_text("benchmark,chance\nMMLU-Pro,0.25\nGSM8K,0\n")
    table = scores("model,group,MMLU-pro,GSM8K\nA,US,0.5,0.6\nB,China,0.6,0.4\n")
    result = benchgap("fit", f"data.path={table}", f"data.benchmarks={meta}", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert "names benchmark 'MMLU-Pro', which the score table does not have" in line
    assert "closest: 'MMLU-pro'" in line


@pytest.mark.parametrize(
    ("job", "override", "expected"),
    [
        ("fit", "fit.prior_sensitivity=false", "no setting 'fit.prior_sensitivity': 'fit' is not a key of the fit"),
        ("simulate", "world.noise.sprd=1", "'sprd' is not a key of world.noise (keys: interaction_sd, missing_rate,"),
        (
            "fit",
            "world.groups.US.models=3",
            "'world' is a config group that benchgap fit does not read (the fit settings' keys:",
        ),
    ],
)
def test_a_misspelt_setting_is_one_line_naming_the_key_and_the_keys_there(job, override, expected):
    result = benchgap(job, override, "--cfg", "job")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert expected in line and ("--cfg job" in line or "drop the override" in line)
