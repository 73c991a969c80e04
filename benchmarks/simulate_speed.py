"""Wall time of `benchgap simulate`: the default job, and a 12-job sweep run side by side vs one after another.

    uv run python benchmarks/simulate_speed.py            # about 6 minutes on 2 cores; prints a Markdown section

1. the default job (`benchgap simulate`: 20 replicates of ai_index_2026, each fitted) in a fresh process, with the
   compile cache warm and with it empty (a new machine's first run); the target is under 2 minutes;
2. the README's 12-job sweep (`experiment=weighting_sweep`, 3 replicates per job, every replicate fitted) with
   Hydra's basic launcher (jobs one after another in one process, chains on 2 cores) against
   `hydra/launcher=joblib` (2 jobs at a time, chains on 1 core each): the ratio is the parallel speed-up.
Every number is the wall time of one command, measured here and now.
"""

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchgap.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        warm = timed(["simulate", f"hydra.run.dir={tmp / 'warm'}"])
        cold = timed(
            ["simulate", f"hydra.run.dir={tmp / 'cold'}"],
            env={"PYTENSOR_FLAGS": f"base_compiledir={tmp / 'pytensor'}"},
        )
        sweep = ["simulate", "-m", "experiment=weighting_sweep", "replicates=3"]
        basic = timed([*sweep, f"hydra.sweep.dir={tmp / 'basic'}"])
        joblib = timed([*sweep, "hydra/launcher=joblib", f"hydra.sweep.dir={tmp / 'joblib'}"])
    print(f"## `benchgap simulate` wall time ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)\n")
    print("| command | seconds |\n|---|---:|")
    print(f"| `benchgap simulate` (default: 20 replicates, each fitted), warm compile cache | {warm:.1f} |")
    print(f"| the same, empty compile cache (a new machine's first run) | {cold:.1f} |")
    print(f"| `-m experiment=weighting_sweep replicates=3` (12 jobs), basic launcher | {basic:.1f} |")
    print(f"| the same, `hydra/launcher=joblib` | {joblib:.1f} |")
    print(f"\nParallel speed-up of the sweep: {basic / joblib:.2f}x.")


if __name__ == "__main__":
    main()
