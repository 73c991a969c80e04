"""Speed and memory of benchgap's fit, measured in one run on this machine; writes benchmarks/RESULTS.md.

    uv run python benchmarks/run.py                 # everything: about an hour on 2 cores
    uv run python benchmarks/run.py --skip-large    # without the 1,000 x 60 table: about 15 minutes
    uv run --extra jax python benchmarks/run.py     # also compares the JAX backends

What it measures (issue 3):
1. time to a converged fit (R-hat <= 1.01 and bulk ESS >= 400 on the gap estimands), cold (a fresh process,
   so import + build + compile + sample) and warm (the compiled model reused in the same process);
2. ESS per second of the gap against a reference: the same likelihood written with PyMC's distributions,
   rebuilt per fit and sampled with ``pm.sample()``'s defaults (``benchmarks/reference.py``);
3. replicates per minute of a simulate-style loop on 40 x 12 tables: compile once vs rebuild per replicate;
4. warm fit time against observed cells (log-log slope), and peak memory of a replicate loop.
Every ratio compares two runs of the same command on the same machine; timings are wall-clock seconds.
"""

import argparse
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("BENCHGAP_DATA", HERE.parent.parent / "shared" / "data"))
GAPS = ("gap_score", "gap_latent")
MEANS = {"US": 0.5, "China": 0.2, "Other": -0.3}


def synthetic(models: int, benchmarks: int, seed: int = 0, missing: float = 0.1):
    """A simulated table of ``models`` x ``benchmarks`` (three groups, item counts known)."""
    from benchgap.presets import demo_world_with
    from benchgap.world import draw_world

    sizes = {"US": models * 2 // 5, "China": models * 2 // 5}
    sizes["Other"] = models - sum(sizes.values())
    world = demo_world_with(sizes, MEANS, benchmarks_per_category=-(-benchmarks // 4), missing_rate=missing)
    table, _ = draw_world(world, seed=seed)
    return table.select(np.arange(models), np.arange(benchmarks))


def helm():
    from benchgap.config import DataConfig
    from benchgap.table import read_table

    return read_table(
        DataConfig(
            path=str(DATA / "helm_lite_240829.csv"),
            models=str(DATA / "helm_lite_240829_models.csv"),
            aggregate_column="helm_lite",
        )
    )


def epoch_200x40():
    """The 200 models of Epoch's hub with the most scores (at least two each), over its 40 benchmarks."""
    from benchgap.config import DataConfig
    from benchgap.table import read_table

    table = read_table(DataConfig(path=str(DATA / "epoch_long.csv"), min_scores_per_model=2))
    counts = np.bincount(table.model_idx, minlength=table.n_models)
    keep = np.sort(np.argsort(-counts, kind="stable")[:200])
    return table.select(keep, np.arange(table.n_benchmarks))


TABLES = {
    "synthetic 20x10": lambda: synthetic(20, 10),
    "HELM Lite 72x10": helm,
    "Epoch 200x40 sparse": epoch_200x40,
    "synthetic 1000x60": lambda: synthetic(1000, 60),
}
SCALING = {"synthetic 100x20": lambda: synthetic(100, 20), "synthetic 300x40": lambda: synthetic(300, 40)}


@dataclass
class Run:
    """One fit: its wall time and how well it sampled the gap."""

    seconds: float
    ess: float  # smallest bulk ESS over the gap estimands
    rhat: float  # largest R-hat over the gap estimands
    depth: float  # mean tree depth
    steps: float  # leapfrog steps per draw
    step_size: float
    divergences: int
    all_converged: bool  # every model parameter too (benchgap's own check), not the gap alone

    @property
    def converged(self) -> bool:
        return self.rhat <= 1.01 and self.ess >= 400

    @property
    def ess_per_second(self) -> float:
        return self.ess / self.seconds


def measure(table, posterior, start: float) -> Run:
    """The estimands of ``posterior`` (timed from ``start``, a ``perf_counter`` reading) and their sampling."""
    from arviz_stats.base import array_stats

    from benchgap.config import ConvergenceConfig, GapConfig
    from benchgap.fitting import finish_fit

    result = finish_fit(table, posterior, gap=GapConfig(), convergence=ConvergenceConfig(), seconds=0.0)
    seconds = time.perf_counter() - start
    draws = [result.estimates.draws[name] for name in GAPS]
    stats = posterior["sample_stats"]
    return Run(
        seconds=seconds,
        ess=min(float(array_stats.ess(d, chain_axis=0, draw_axis=1, method="bulk")) for d in draws),
        rhat=max(float(array_stats.rhat(d, chain_axis=0, draw_axis=1)) for d in draws),
        depth=float(stats["depth"].mean()) if "depth" in stats else float("nan"),
        steps=float(stats["n_steps"].mean()) if "n_steps" in stats else float("nan"),
        step_size=float(stats["step_size"].mean()),
        divergences=int(stats["diverging"].sum()),
        all_converged=result.diagnostics.converged,
    )


def fit_once(cache, table, sampler) -> Run:
    start = time.perf_counter()
    return measure(table, cache.sample(table, sampler=sampler), start)


def child(name: str) -> None:
    """Cold: this fresh process imports, loads, builds, compiles and samples; prints its Run as JSON.

    The parent times the whole process (interpreter start included) and keeps that as the Run's seconds.
    """
    from benchgap.config import ModelConfig, SamplerConfig
    from benchgap.sampling import ModelCache

    table = (TABLES | SCALING)[name]()
    run = fit_once(ModelCache(ModelConfig()), table, SamplerConfig(progress=False))
    print(json.dumps(vars(run) | {"peak_mb": peak_mb()}))


def cold(name: str, *, empty_cache: bool = False) -> tuple[Run, float]:
    """A fresh process fitting ``name``; with ``empty_cache``, pytensor's compile cache starts empty too."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as scratch:
        if empty_cache:
            env["PYTENSOR_FLAGS"] = f"base_compiledir={scratch}"
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", name], env=env, capture_output=True, text=True, check=True
        )
        wall = time.perf_counter() - start
    values = json.loads(out.stdout.strip().splitlines()[-1])
    peak = values.pop("peak_mb")
    values["seconds"] = wall
    return Run(**values), peak


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replicate_loop(replicates: int, *, rebuild: bool) -> tuple[float, float]:
    """Replicates per minute of fitting fresh 40 x 12 worlds, sweep settings (chains one after another)."""
    from benchgap.config import ModelConfig, SamplerConfig
    from benchgap.sampling import ModelCache

    sampler = SamplerConfig(cores=1, progress=False, tune=500, draws=500)  # conf/sampler/sweep.yaml
    tables = [synthetic(40, 12, seed=100 + i, missing=0.15) for i in range(replicates + 1)]
    cache = ModelCache(ModelConfig())
    cache.sample(tables[0], sampler=sampler)  # a sweep job compiles once, before its loop
    start = time.perf_counter()
    for table in tables[1:]:
        (ModelCache(ModelConfig()) if rebuild else cache).sample(table, sampler=sampler)
    return replicates / (time.perf_counter() - start) * 60, peak_mb()


def replicate_child(replicates: int, rebuild: bool) -> None:
    rate, peak = replicate_loop(replicates, rebuild=rebuild)
    print(json.dumps({"per_minute": rate, "peak_mb": peak}))


def replicates_in_fresh_process(replicates: int, *, rebuild: bool) -> dict:
    args = [sys.executable, __file__, "--replicates", str(replicates)] + (["--rebuild"] if rebuild else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def backend_runs(table) -> dict[str, Run | str]:
    """HELM Lite on each installed backend: compile + sample in this process (nutpie already warm)."""
    from benchgap.config import Backend, ModelConfig, SamplerConfig
    from benchgap.errors import InputError
    from benchgap.sampling import ModelCache

    runs: dict[str, Run | str] = {}
    for backend in Backend:
        sampler = SamplerConfig(backend=backend, progress=False)
        start = time.perf_counter()
        try:
            posterior = ModelCache(ModelConfig(), backend).sample(table, sampler=sampler)
        except InputError:  # the backend's packages are not installed
            runs[backend.value] = "not installed (uv run --extra jax)"
            continue
        runs[backend.value] = measure(table, posterior, start)
        print(f"  backend {backend.value}: {runs[backend.value].seconds:.1f} s", flush=True)
    return runs


def gradient_microseconds(cache, table, evaluations: int = 300) -> float:
    """One log density + gradient evaluation of ``table``'s compiled model (numba), called from Python, averaged
    over ``evaluations`` random points (sd 0.7 around the unconstrained origin). At the origin itself it costs about
    half as much (27.7 against 54-56 us on 40 x 12, benchmarks/workers.py): RESULTS.md's gradient figures up to
    section 10, measured there, understate what a sampled step's gradient costs."""
    compiled = cache.compiled(table).nutpie_model  # compiled on this table: its logp_func holds its data
    function = compiled.logp_func
    points = np.random.default_rng(0).normal(0.0, 0.7, (evaluations, compiled.n_dim))
    function(points[0])
    start = time.perf_counter()
    for point in points:
        function(point)
    return (time.perf_counter() - start) / evaluations * 1e6


def slope(cells: list[int], seconds: list[float]) -> float:
    return float(np.polyfit(np.log(cells), np.log(seconds), 1)[0])


def main(skip_large: bool, replicates: int) -> None:
    from reference import sample_reference

    from benchgap.config import ModelConfig, SamplerConfig
    from benchgap.sampling import ModelCache

    names = [n for n in TABLES if not (skip_large and "1000" in n)]
    tables = {name: TABLES[name]() for name in names} | {name: load() for name, load in SCALING.items()}
    lines = [
        "# benchgap speed and memory",
        "",
        f"Measured by `benchmarks/run.py` on {time.strftime('%Y-%m-%d')}: {platform.processor() or platform.machine()},"
        f" {os.cpu_count()} cores, Python {platform.python_version()}. Default sampler settings (4 chains x"
        " (1,000 warm-up + 1,000 draws), nutpie numba backend, mass matrix `auto`) unless said otherwise.",
        "Converged means R-hat <= 1.01 and bulk ESS >= 400 on the best-vs-best gap (score and latent scale).",
        "",
    ]

    print("1. cold and warm fits", flush=True)
    compile_seconds, warm, colds, empty = {}, {}, {}, {}
    for name in names:
        table = tables[name]
        colds[name] = cold(name)
        print(f"  {name}: cold {colds[name][0].seconds:.1f} s", flush=True)
        cache = ModelCache(ModelConfig())
        start = time.perf_counter()
        cache.compiled(table)
        compile_seconds[name] = time.perf_counter() - start
        warm[name] = fit_once(cache, table, SamplerConfig(progress=False, seed=1))
        print(f"  {name}: compile {compile_seconds[name]:.1f} s, warm {warm[name].seconds:.1f} s", flush=True)
    empty["HELM Lite 72x10"] = cold("HELM Lite 72x10", empty_cache=True)
    print(f"  HELM cold, empty cache: {empty['HELM Lite 72x10'][0].seconds:.1f} s", flush=True)

    lines += [
        "## 1. Time to a converged fit",
        "",
        "Cold: a fresh process (imports, reads the table, builds, compiles, samples, computes the estimands),"
        " pytensor's on-disk cache as a previous run left it. Compile: building and compiling in a running"
        " process. Warm: sampling and estimands with the compiled model (a sweep job's case). Seconds are"
        " wall-clock; ESS and R-hat are the gap's.",
        "",
        "| table | cells | cold s | compile s | warm s | gap converged (cold / warm) | all parameters converged"
        " (warm) | gap R-hat | gap bulk ESS | tree depth | leapfrog steps | step size | divergences"
        " | peak memory MB (cold) |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        c, peak = colds[name]
        w = warm[name]
        lines.append(
            f"| {name} | {tables[name].n_cells} | {c.seconds:.1f} | {compile_seconds[name]:.1f} | {w.seconds:.1f}"
            f" | {c.converged} / {w.converged} | {w.all_converged} | {w.rhat:.3f} | {w.ess:.0f} | {w.depth:.1f}"
            f" | {w.steps:.0f} | {w.step_size:.3f} | {w.divergences} | {peak:.0f} |"
        )
    e, _ = empty["HELM Lite 72x10"]
    lines += [
        "",
        f"HELM Lite cold with an empty pytensor cache (`PYTENSOR_FLAGS=base_compiledir=<new folder>`, as on a new"
        f" machine's first fit): {e.seconds:.1f} s, converged {e.converged}.",
        "",
    ]

    print("2. reference", flush=True)
    lines += [
        "## 2. Against the reference",
        "",
        "Reference: `benchmarks/reference.py`, the same likelihood with PyMC's distributions, priors-only"
        " identification, rebuilt per fit and sampled by `pm.sample()` with its defaults (in PyMC 6 that is nutpie"
        " with a diagonal mass matrix, 2 chains on 2 cores, 1,000 + 1,000)."
        " Its seconds include build and compile, like benchgap's first in-process fit"
        " (column 'benchgap incl. compile'); 'warm' reuses the compiled model. ESS/s = smallest bulk ESS of the"
        " gap estimands per second.",
        "",
        "| table | reference s | reference gap ESS | reference R-hat | reference ESS/s | benchgap incl. compile ESS/s"
        " | ratio | benchgap warm ESS/s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in [n for n in names if "1000" not in n]:
        table = tables[name]
        start = time.perf_counter()
        ref = measure(table, sample_reference(table, seed=0), start)
        ours_warm = warm[name]
        ours = dataclasses.replace(ours_warm, seconds=ours_warm.seconds + compile_seconds[name])
        print(f"  {name}: reference {ref.seconds:.1f} s, ESS {ref.ess:.0f}", flush=True)
        lines.append(
            f"| {name} | {ref.seconds:.1f} | {ref.ess:.0f} | {ref.rhat:.3f} | {ref.ess_per_second:.1f}"
            f" | {ours.ess_per_second:.1f} | {ours.ess_per_second / ref.ess_per_second:.1f}x"
            f" | {ours_warm.ess_per_second:.1f} | {ours_warm.ess_per_second / ref.ess_per_second:.1f}x |"
        )

    print("3. replicates per minute", flush=True)
    once = replicates_in_fresh_process(replicates, rebuild=False)
    again = replicates_in_fresh_process(max(2, replicates // 3), rebuild=True)
    lines += [
        "",
        "## 3. Replicates per minute (40 x 12 worlds, 15% missing, `sampler=sweep`: 4 chains one after another,"
        " 500 + 500 draws)",
        "",
        "Each loop runs in a fresh process after one compilation (a sweep job's start); compile-once swaps each"
        " new world's data into the compiled model (`ModelCache`), rebuild builds and compiles every replicate.",
        "",
        "| loop | replicates per minute | peak memory MB |",
        "|---|---:|---:|",
        f"| compile once | {once['per_minute']:.1f} | {once['peak_mb']:.0f} |",
        f"| rebuild per replicate | {again['per_minute']:.1f} | {again['peak_mb']:.0f} |",
        f"| ratio | {once['per_minute'] / again['per_minute']:.1f}x | |",
        "",
    ]

    print("4. scaling", flush=True)
    scaled = [n for n in tables if n.startswith("synthetic")]
    cache = ModelCache(ModelConfig())
    for name in SCALING:
        warm[name] = fit_once(cache, tables[name], SamplerConfig(progress=False, seed=1))
    scaled.sort(key=lambda n: tables[n].n_cells)
    cells = [tables[n].n_cells for n in scaled]
    seconds = [warm[n].seconds for n in scaled]
    per_step = [gradient_microseconds(cache, tables[n]) for n in scaled]
    lines += [
        "## 4. Cost against observed cells (synthetic tables, warm)",
        "",
        "| table | cells | warm fit s | leapfrog steps per draw | microseconds per gradient |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n} | {c} | {s:.1f} | {warm[n].steps:.0f} | {g:.0f} |"
        for n, c, s, g in zip(scaled, cells, seconds, per_step, strict=True)
    ]
    lines += [
        "",
        f"Log-log slope of warm fit time against cells: {slope(cells, seconds):.2f};"
        f" of time per gradient: {slope(cells, per_step):.2f} (1 = linear).",
        "",
    ]

    print("5. backends", flush=True)
    runs = backend_runs(tables["HELM Lite 72x10"])
    lines += [
        "## 5. Sampler backends on HELM Lite (`sampler.backend`, compile + sample in one process)",
        "",
        "| backend | seconds | gap bulk ESS | gap ESS/s | R-hat |",
        "|---|---:|---:|---:|---:|",
    ]
    for backend, run in runs.items():
        if isinstance(run, str):
            lines.append(f"| {backend} | {run} | | | |")
        else:
            lines.append(
                f"| {backend} | {run.seconds:.1f} | {run.ess:.0f} | {run.ess_per_second:.1f} | {run.rhat:.3f} |"
            )
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-large", action="store_true", help="leave out the 1,000 x 60 table")
    parser.add_argument("--replicates-per-loop", type=int, default=12, help="replicates in the compile-once loop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--replicates", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
    elif args.replicates:
        replicate_child(args.replicates, args.rebuild)
    else:
        main(args.skip_large, args.replicates_per_loop)
