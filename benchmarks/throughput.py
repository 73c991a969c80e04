"""Fitted worlds per minute by sampler setting, side by side in one process (issue 18's first measurement).

    uv run python benchmarks/throughput.py              # 7 settings x 12 worlds of 40 x 12: about 11 minutes
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

from benchgap.config import Adaptation, GapConfig, ModelConfig, SamplerConfig
from benchgap.fitting import fit
from benchgap.sampling import ModelCache

SWEEP = SamplerConfig(cores=1, progress=False, tune=500, draws=500)
SETTINGS = {
    "sweep preset: 4 chains x (500 + 500), 1 core": SWEEP,
    "the same on 2 cores": dataclasses.replace(SWEEP, cores=2),
    "4 chains x (300 + 250), 2 cores": dataclasses.replace(SWEEP, cores=2, tune=300, draws=250),
    "2 chains x (300 + 500), 2 cores": dataclasses.replace(SWEEP, cores=2, chains=2, tune=300, draws=500),
    "simulate preset: 4 chains x (500 + 1000), 2 cores": dataclasses.replace(SWEEP, cores=2, draws=1000),
    "fast preset: the same at target_accept 0.8": dataclasses.replace(SWEEP, cores=2, draws=1000, target_accept=0.8),
    "fast preset, diagonal mass matrix": dataclasses.replace(
        SWEEP, cores=2, draws=1000, target_accept=0.8, adaptation=Adaptation.diag
    ),
}


def run_setting(sampler: SamplerConfig, tables: list, posteriors: list | None = None) -> dict[str, float]:
    """Fit ``tables[1:]`` after compiling on ``tables[0]``; the posteriors with their gap draws go to ``posteriors``."""
    cache = ModelCache(ModelConfig())
    fit(tables[0], gap=GapConfig(), sampler=sampler, cache=cache)  # compile once, as a sweep job does
    start, sampling, converged, gap_ess = time.perf_counter(), 0.0, 0, []
    for table in tables[1:]:
        result = fit(table, gap=GapConfig(), sampler=sampler, cache=cache)
        sampling += result.seconds
        converged += result.diagnostics.converged
        gap_ess.append(result.diagnostics.min_ess_bulk)
        if posteriors is not None:
            posteriors.append(result)
    elapsed = time.perf_counter() - start
    n = len(tables) - 1
    return {
        "per_minute": 60 * n / elapsed,
        "sampling_share": sampling / elapsed,
        "converged": converged / n,
        "min_ess_bulk_median": float(np.median(gap_ess)),
    }


def diagnostics_seconds(results: list) -> dict[str, float]:
    """Seconds per world of the convergence statistics over every checked scalar: arviz_stats called once per scalar
    (benchgap's diagnostics before benchmarks/RESULTS.md section 10) against ``benchgap.mixing`` on all at once."""
    from arviz_stats.base import array_stats

    from benchgap.diagnostics import checked_arrays
    from benchgap.mixing import rhat_and_ess

    def per_scalar(values: np.ndarray) -> None:
        array_stats.rhat(values, chain_axis=0, draw_axis=1)
        array_stats.ess(values, chain_axis=0, draw_axis=1, method="bulk")
        array_stats.ess(values, chain_axis=0, draw_axis=1, method="tail", prob=(0.05, 0.95))

    stacks = [
        np.concatenate(list(checked_arrays(result.posterior, result.estimates.draws).values()), axis=2)
        for result in results
    ]
    seconds = {}
    for name, statistic in (("arviz_stats per scalar", per_scalar), ("benchgap.mixing", rhat_and_ess)):
        start = time.perf_counter()
        for stack in stacks:
            statistic(stack)
        seconds[name] = (time.perf_counter() - start) / len(stacks)
    return seconds | {"scalars": stacks[0].shape[2]}


def leapfrog_steps(table, cache: ModelCache) -> list[str]:
    """Where one 40 x 12 world's leapfrog steps go: warm-up (its first 100 draws apart) and kept draws, 4 chains x
    (500 + 500) at the two acceptance targets."""
    import nutpie

    compiled = cache.compiled(table).nutpie_model
    rows = []
    for target in (0.9, 0.8):
        trace = nutpie.sample(
            compiled,
            draws=500,
            tune=500,
            chains=4,
            cores=1,
            seed=1,
            progress_bar=False,
            target_accept=target,
            adaptation="low_rank",
        )
        warmup = trace["warmup_sample_stats"]["n_steps"].to_numpy()
        kept = trace["sample_stats"]["n_steps"].to_numpy()
        rows.append(
            f"| {target:g} | {warmup.sum():,} | {warmup[:, :100].sum():,} | {kept.sum():,} | {kept.mean():.1f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=12, help="fitted worlds per setting (after one to compile)")
    args = parser.parse_args()
    tables = [synthetic(40, 12, seed=500 + i, missing=0.15) for i in range(args.worlds + 1)]
    results, fitted = {}, []  # fitted: the first setting's fits, for the diagnostics' timing
    for i, (name, sampler) in enumerate(SETTINGS.items()):
        results[name] = run_setting(sampler, tables, fitted if i == 0 else None)
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
    print("\n## Leapfrog steps of one world, 4 chains x (500 + 500), low-rank mass matrix\n")
    print("| target_accept | warm-up steps | of which in the first 100 draws | kept-draw steps | per kept draw |")
    print("|---:|---:|---:|---:|---:|")
    print("\n".join(leapfrog_steps(tables[0], ModelCache(ModelConfig()))))
    seconds = diagnostics_seconds(fitted)
    base = seconds["arviz_stats per scalar"]
    print(f"\n## R-hat, bulk and tail ESS of {seconds.pop('scalars'):.0f} scalars per world (first setting's fits)\n")
    print("| computed by | seconds per world | ratio |")
    print("|---|---:|---:|")
    for name, value in seconds.items():
        print(f"| {name} | {value:.3f} | {base / value:.1f}x |")


if __name__ == "__main__":
    main()
