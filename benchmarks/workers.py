"""Worlds side by side in processes against chains side by side in threads, and where a leapfrog step's time goes.

    uv run python benchmarks/workers.py              # 12 worlds of 40 x 12 per layout: about 6 minutes
    uv run python benchmarks/workers.py --worlds 24

Worlds per minute: the same fresh 40 x 12 worlds (15% missing) fitted with ``benchgap.fitting.fit`` at
``sampler=fast`` (4 chains x (500 + 1000), target_accept 0.8), split between P spawned processes that each compile
the model first, then start together; the clock runs from that start to the last fit. This is what ``benchgap
simulate workers=P`` does once its workers are up (they also cost an import and a compile each, seconds in a study of
hundreds of worlds). The first layout, one process with its chains on both cores, is the baseline.

Cost of a leapfrog step: nutpie on an 81-dimensional standard normal (the sampler's own cost per step, its gradient
trivial) against the 40 x 12 model (81 parameters), 4 chains one after another, warm-up included, diagonal mass
matrix; and the model's log density + gradient called from Python at the unconstrained origin and at random points
(sd 0.7) around it.
"""

import argparse
import multiprocessing
import os
import platform
import time

import numpy as np
from run import synthetic

LAYOUTS = ((1, 2), (2, 1), (1, 1))  # (processes, cores per process)


def worker(seeds: list[int], cores: int, start, out) -> None:  # type: ignore[no-untyped-def]
    from benchgap.config import GapConfig, ModelConfig, SamplerConfig
    from benchgap.fitting import fit
    from benchgap.sampling import ModelCache

    sampler = SamplerConfig(cores=cores, progress=False, tune=500, draws=1000, target_accept=0.8)
    cache = ModelCache(ModelConfig())
    tables = [synthetic(40, 12, seed=seed, missing=0.15) for seed in seeds]
    fit(synthetic(40, 12, seed=999, missing=0.15), gap=GapConfig(), sampler=sampler, cache=cache)  # compile
    start.wait()
    began, converged = time.perf_counter(), 0
    for table in tables:
        converged += fit(table, gap=GapConfig(), sampler=sampler, cache=cache).diagnostics.converged
    out.put((time.perf_counter() - began, converged))


def layout_rate(processes: int, cores: int, seeds: list[int]) -> tuple[float, int]:
    """Worlds per minute and converged fits of ``seeds`` split over ``processes`` with ``cores`` each."""
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(processes + 1), context.Queue()
    workers = [context.Process(target=worker, args=(seeds[i::processes], cores, start, out)) for i in range(processes)]
    for process in workers:
        process.start()
    start.wait()
    began = time.perf_counter()
    results = [out.get() for _ in workers]
    elapsed = time.perf_counter() - began
    for process in workers:
        process.join()
    return 60 * len(seeds) / elapsed, sum(r[1] for r in results)


def step_costs() -> list[str]:
    """Microseconds per leapfrog step and per gradient, as table rows."""
    import nutpie
    import pymc as pm

    from benchgap.config import ModelConfig
    from benchgap.sampling import ModelCache

    with pm.Model() as normal:
        pm.Normal("x", 0, 1, shape=81)
    table = synthetic(40, 12, seed=3, missing=0.15)
    models = {
        "81-dimensional standard normal": nutpie.compile_pymc_model(normal),
        "40 x 12 model": ModelCache(ModelConfig()).compiled(table).nutpie_model,
    }
    rows = []
    for name, compiled in models.items():
        began = time.perf_counter()
        trace = nutpie.sample(
            compiled, draws=1000, tune=500, chains=4, cores=1, seed=1, target_accept=0.8, progress_bar=False
        )
        steps = int(trace["warmup_sample_stats"]["n_steps"].sum() + trace["sample_stats"]["n_steps"].sum())
        rows.append(f"| {name}: leapfrog step in nutpie | {(time.perf_counter() - began) / steps * 1e6:.1f} |")
    function = models["40 x 12 model"].logp_func
    rng = np.random.default_rng(0)
    for label, points in (("origin", np.zeros((1000, 81))), ("random points", rng.normal(0, 0.7, (1000, 81)))):
        function(points[0])
        began = time.perf_counter()
        for point in points:
            function(point)
        rows.append(f"| 40 x 12 model: gradient from Python, {label} | {(time.perf_counter() - began) * 1e3:.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=12, help="fitted worlds per layout")
    args = parser.parse_args()
    seeds = list(range(501, 501 + args.worlds))
    rates = {}
    for processes, cores in LAYOUTS:
        rates[processes, cores] = layout_rate(processes, cores, seeds)
        print(f"  {processes} process(es) x {cores} core(s): {rates[processes, cores][0]:.1f} per minute", flush=True)
    base = rates[LAYOUTS[0]][0]
    where = f"{platform.machine()}, {os.cpu_count()} cores, {args.worlds} worlds, sampler=fast"
    print(f"\n## Fitted 40 x 12 worlds per minute by layout ({where})\n")
    print("| layout | worlds per minute | ratio | converged |")
    print("|---|---:|---:|---:|")
    for (processes, cores), (rate, converged) in rates.items():
        print(
            f"| {processes} process(es), chains on {cores} core(s) each | {rate:.1f} | {rate / base:.2f}x | "
            f"{converged}/{args.worlds} |"
        )
    print("\n## Cost of one leapfrog step and of one gradient (microseconds)\n")
    print("| what | microseconds |")
    print("|---|---:|")
    print("\n".join(step_costs()))


if __name__ == "__main__":
    main()
