"""Same seed, same numbers: a fit on a cold compile cache (a new machine's first run) gives the draws of every later
run. nutpie's numba kernels used to be compiled with fastmath, so a kernel compiled fresh and the same kernel loaded
from the cache rounded differently in the last bits of the gradient, and NUTS turned that into other draws."""

import json
import os

from tests.conftest import run_cli


def test_a_cold_and_a_warm_compile_cache_give_the_same_numbers(tmp_path):
    flags = ",".join(f for f in (os.environ.get("PYTENSOR_FLAGS", ""), f"base_compiledir={tmp_path / 'cache'}") if f)
    summaries = []
    for run in ("cold", "warm"):
        result = run_cli(
            "fit",
            "sampler=quick",
            "sampler.progress=false",
            "plots=false",
            f"hydra.run.dir={tmp_path / run}",
            env={"PYTENSOR_FLAGS": flags},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        summaries.append(json.loads((tmp_path / run / "summary.json").read_text()))
    cold, warm = summaries
    assert cold["gap"] == warm["gap"]
    assert cold["models"] == warm["models"]
    assert cold["diagnostics"] == warm["diagnostics"]
