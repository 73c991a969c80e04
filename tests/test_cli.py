"""The ``benchgap`` command in a subprocess, on input that fails before any model is fitted.

Covers bad input (missing file, score out of range, unknown group, duplicate rows, unknown config key):
exit code 2, exactly one line on stderr and no traceback, and no run folder left behind; the job
dispatcher (no arguments, unknown job); Hydra's own type check of an override; and ``--cfg job``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parents[2] / "shared" / "data"


def run(argv: list[str]) -> subprocess.CompletedProcess:
    """``python -m benchgap.cli ARGV`` from the repo root; the timeout stops a fit started by mistake."""
    env = {**os.environ, "BENCHGAP_DATA": str(DATA), "HYDRA_FULL_ERROR": "0"}
    return subprocess.run(
        [sys.executable, "-m", "benchgap.cli", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def benchgap(*args: str) -> subprocess.CompletedProcess:
    return run([*args, "sampler.progress=false"])


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
            DUPLICATES,
            [],
            ["scores.csv: line 2 and line 3 both score (model 'A', benchmark 'MMLU')", "keep one"],
        ),
        (None, ["+data.typo=1"], ["unknown config key 'data.typo'"]),
    ],
    ids=["missing_file", "out_of_range", "unknown_group", "duplicate_rows", "unknown_key"],
)
def test_bad_input_is_one_line_exit_2_and_no_run_folder(tmp_path, scores, table, overrides, expected):
    run_dir = tmp_path / "run"
    if table is not None:
        overrides = [f"data.path={scores(table)}"]
    result = benchgap("fit", *overrides, f"hydra.run.dir={run_dir}")
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith("benchgap fit: error: ")
    for part in expected:
        assert part in line
    assert not run_dir.exists()


def test_no_arguments_prints_usage():
    result = run([])  # truly no arguments: a lone `sampler.progress=false` would be read as the job name
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
