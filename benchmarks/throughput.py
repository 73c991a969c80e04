"""Fitted worlds per minute by sampler setting, side by side in one process (issue 18's first measurement).

    uv run python benchmarks/throughput.py              # 4 settings x 12 worlds of 40 x 12: about 6 minutes
    uv run python benchmarks/throughput.py --worlds 30

Each setting fits the same fresh 40 x 12 worlds (15% missing, three groups) with ``benchgap.fitting.fit`` (sampling,
every estimand and diagnostic), compiled once before its loop; worlds per minute and the share of fits meeting the
convergence thresholds are printed with the time split between nutpie's sampling and the rest. The first setting is
the sweep preset's (``conf/sampler/sweep.yaml``), the baseline the ratios are against. Coverage is not measured here:
a setting is only a candidate until a 200-world coverage study of the default world agrees with the baseline's.
"""

import argparse
import dataclasses
import os
import platform
import time

import numpy as np
from run import synthetic

from benchgap.config import GapConfig, ModelConfig, SamplerConfig
from benchgap.fitting import fit
from benchgap.sampling import ModelCache

SWEEP = SamplerConfig(cores=1, progress=False, tune=500, draws=500)
SETTINGS = {
    "sweep preset: 4 chains x (500 + 500), 1 core": SWEEP,
    "the same on 2 cores": dataclasses.replace(SWEEP, cores=2),
    "4 chains x (300 + 250), 2 cores": dataclasses.replace(SWEEP, cores=2, tune=300, draws=250),
    "2 chains x (300 + 500), 2 cores": dataclasses.replace(SWEEP, cores=2, chains=2, tune=300, draws=500),
}


def run_setting(sampler: SamplerConfig, tables: list) -> dict[str, float]:
    cache = ModelCache(ModelConfig())
    fit(tables[0], gap=GapConfig(), sampler=sampler, cache=cache)  # compile once, as a sweep job does
    start, sampling, converged, gap_ess = time.perf_counter(), 0.0, 0, []
    for table in tables[1:]:
        result = fit(table, gap=GapConfig(), sampler=sampler, cache=cache)
        sampling += result.seconds
        converged += result.diagnostics.converged
        gap_ess.append(result.diagnostics.min_ess_bulk)
    elapsed = time.perf_counter() - start
    n = len(tables) - 1
    return {
        "per_minute": 60 * n / elapsed,
        "sampling_share": sampling / elapsed,
        "converged": converged / n,
        "min_ess_bulk_median": float(np.median(gap_ess)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=12, help="fitted worlds per setting (after one to compile)")
    args = parser.parse_args()
    tables = [synthetic(40, 12, seed=500 + i, missing=0.15) for i in range(args.worlds + 1)]
    results = {}
    for name, sampler in SETTINGS.items():
        results[name] = run_setting(sampler, tables)
        print(f"  {name}: {results[name]['per_minute']:.1f} per minute", flush=True)
    base = next(iter(results.values()))["per_minute"]
    where = f"{platform.machine()}, {os.cpu_count()} cores, {args.worlds} worlds"
    print(f"\n## Fitted 40 x 12 worlds per minute ({where})\n")
    print("| sampler | worlds per minute | ratio | share in sampling | converged | median of min bulk ESS |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['per_minute']:.1f} | {r['per_minute'] / base:.2f}x | {r['sampling_share']:.0%} | "
            f"{r['converged']:.0%} | {r['min_ess_bulk_median']:.0f} |"
        )


if __name__ == "__main__":
    main()
