"""The ``benchgap`` command. The only module that imports Hydra.

``benchgap JOB [hydra arguments]``: the first word picks the job (its primary config ``conf/JOB.yaml``);
the rest of the line goes to Hydra unchanged (overrides, ``-m``, ``--cfg job``, ``--help``).
"""

import dataclasses
import logging
import os
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from benchgap.arena_settings import ArenaConfig
from benchgap.config import CalibrateConfig, FitConfig, ReportConfig, SimulateConfig
from benchgap.errors import InputError
from benchgap.presets import config_dir
from benchgap.processes import quiet_libraries
from benchgap.records.files import FAILED

JOBS: dict[str, str] = {
    "fit": "fit the hierarchical model to a score table and report the gap between two groups",
    "simulate": "draw worlds with known truth, distort them, and score every estimator of the gap",
    "report": "sensitivity analysis, breakdown points and a verdict for a finished simulate sweep (never fits)",
    "calibrate": "simulation-based calibration: tables from the model's priors, fitted, truths ranked",
    "arena": "Arena ratings or votes: best vs best as a head-to-head win probability, beside the rating ratio",
}
SCHEMAS: dict[str, type] = {
    "fit": FitConfig,
    "simulate": SimulateConfig,
    "report": ReportConfig,
    "calibrate": CalibrateConfig,
    "arena": ArenaConfig,
}


def usage() -> str:
    jobs = "\n".join(f"  {name:<9} {text}" for name, text in JOBS.items())
    return (
        "usage: benchgap JOB [overrides...] [-m] [--cfg job] [--help]\n\njobs:\n"
        f"{jobs}\n\nexamples:\n  benchgap fit\n  benchgap fit data.path=scores.csv gap.a=US gap.b=China\n"
        "  benchgap simulate contamination=exposure contamination.group=China\n"
        "  benchgap simulate -m experiment=weighting_sweep hydra/launcher=joblib\n"
        "  benchgap report sweep_dir=outputs/multirun/weighting_sweep\n"
        "  benchgap calibrate simulations=200\n"
        "  benchgap arena          (LMArena's monthly leaderboard: win probability vs rating ratio)\n"
        "  benchgap fit --help     (every option of a job)"
    )


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        sys.exit(0 if args else 2)
    job, rest = args[0], args[1:]
    # Ray (hydra/launcher=ray) started under `uv run` re-creates the environment with uv in a copy of the working
    # directory for each worker; its workers then died during start here. Workers use this interpreter instead.
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    if job not in JOBS:
        print(f"benchgap: unknown job '{job}'; choose one of: {', '.join(JOBS)}", file=sys.stderr)
        sys.exit(2)
    unknown = next((line for line in (_unknown_override(job, arg) for arg in rest) if line), None)
    if unknown:
        print(f"benchgap {job}: {unknown}", file=sys.stderr)
        sys.exit(2)
    import hydra
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=f"{job}_schema", node=SCHEMAS[job])
    register_resolvers()
    sys.argv = [f"benchgap-{job}", *rest]
    hydra.main(config_path=str(config_dir()), config_name=job, version_base="1.3")(_TASKS[job])()


def _unknown_override(job: str, arg: str) -> str | None:
    """One line when ``arg`` (``key=value``) sets a key the job's settings do not have, else None.

    Hydra's own message for it is several lines long and suggests ``+key=...``, which the settings would then
    reject. Config group options (``world=overdispersed``, ``experiment=...``), Hydra's keys, additions (``+``),
    deletions (``~``) and flags pass through to Hydra; a dotted key into a group the job does not read
    (``world.groups.US.models=3`` on ``fit``) is one line too."""
    key = arg.split("=", 1)[0]
    if "=" not in arg or key.startswith(("+", "~", "-", "hydra")) or "/" in key:
        return None
    groups = {p.name for p in config_dir().iterdir() if p.is_dir()}
    node: Any = SCHEMAS[job]
    parts = key.split(".")
    for depth, part in enumerate(parts):
        if not dataclasses.is_dataclass(node):
            return None  # inside a mapping (world.groups.X) any key may stand
        fields = {f.name for f in dataclasses.fields(node)}
        if part not in fields:
            if depth == 0 and part in groups:
                if len(parts) == 1:
                    return None  # a group option (world=overdispersed): Hydra checks it
                readers = [
                    f"benchgap {j}" for j, s in SCHEMAS.items() if part in {f.name for f in dataclasses.fields(s)}
                ]
                return (
                    f"no setting '{key}': '{part}' is a config group that benchgap {job} does not read (the {job} "
                    f"settings' keys: {', '.join(sorted(fields))}); drop the override"
                    + (f", or set it on {' or '.join(readers)}" if readers else "")
                )
            where = ".".join(parts[:depth]) or f"the {job} settings"
            return (
                f"no setting '{key}': '{part}' is not a key of {where} (keys: {', '.join(sorted(fields))}); "
                f"fix its spelling (`benchgap {job} --cfg job` shows every setting)"
            )
        node = typing.get_type_hints(node).get(part)
    return None


def register_resolvers() -> None:
    """``${benchgap_conf:data/FILE}``: a file shipped in ``conf/`` (the presets' metadata files), by its full path."""
    from omegaconf import OmegaConf

    OmegaConf.register_new_resolver("benchgap_conf", lambda name: str(config_dir() / name), replace=True)


def _settings(cfg: Any, schema: type) -> Any:
    """The composed config as its typed dataclass; keys that the schema does not know are an error."""
    from omegaconf import OmegaConf

    _reject_unknown(OmegaConf.to_container(cfg, resolve=True), schema, prefix="")
    return OmegaConf.to_object(cfg)


def _reject_unknown(values: Any, schema: type, *, prefix: str) -> None:
    """Hydra drops ``+key=...`` additions to a structured config silently; name them instead."""
    fields = {f.name: f for f in dataclasses.fields(schema)}
    for key, value in values.items():
        if key not in fields:
            raise InputError(
                f"unknown config key '{prefix}{key}'; known keys here: {', '.join(fields)} "
                f"(see `benchgap ... --cfg job`)"
            )
        kind = fields[key].type
        if dataclasses.is_dataclass(kind) and isinstance(value, dict):
            _reject_unknown(value, kind, prefix=f"{prefix}{key}.")  # type: ignore[arg-type]


def _run_job(job: str, body: Callable[[Path], None]) -> None:
    """Run ``body(run_dir)``; bad input becomes one line on stderr, exit code 2, and no run folder left.

    Inside a sweep (``-m``) a failing job must not stop the others: it leaves ``failed.json`` (the error and
    its overrides) in its folder for ``benchgap report``, says so in one line (an unexpected error also logs
    its traceback to the job's log), and returns; ``SweepFailures`` sets the exit code once all jobs ran.
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    quiet_libraries()
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    sweep = hydra_cfg.mode is RunMode.MULTIRUN
    try:
        body(run_dir)
    except Exception as err:
        if sweep:
            _mark_failed(run_dir, err, list(hydra_cfg.overrides.task))
            where = ""
            if not isinstance(err, InputError):
                logging.getLogger("benchgap").exception("job %s failed", hydra_cfg.job.num)
                where = f" ({type(err).__name__}; traceback in {run_dir / (job + '.log')})"
            print(f"benchgap {job}: job {hydra_cfg.job.num} failed: {err}{where}", file=sys.stderr)
            return
        if not isinstance(err, InputError):
            raise
        print(f"benchgap {job}: error: {err}", file=sys.stderr)
        _remove_if_empty(run_dir, job)
        sys.exit(2)
    (run_dir / FAILED).unlink(missing_ok=True)


def _mark_failed(run_dir: Path, err: Exception, overrides: list[str]) -> None:
    from benchgap.records.files import write_json_atomic

    run_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(run_dir / FAILED, {"error": f"{type(err).__name__}: {err}", "overrides": overrides})


class SweepFailures(Callback):
    """Sweep progress after each job, and at the end the jobs that left ``failed.json``, with exit code 1
    (``hydra.callbacks`` in ``conf/simulate.yaml``)."""

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        from hydra.types import RunMode

        if config.hydra.mode is not RunMode.MULTIRUN:
            return
        sweep_dir = Path(config.hydra.sweep.dir)
        finished = len(list(sweep_dir.glob("*/result.json")))
        failed = len(list(sweep_dir.glob(f"*/{FAILED}")))
        print(f"sweep {sweep_dir}: job {config.hydra.job.num} done; {finished} finished, {failed} failed so far")

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        failed = sorted(sweep_dir.glob(f"*/{FAILED}"), key=lambda p: p.parent.name)
        if failed:
            names = ", ".join(p.parent.name for p in failed)
            print(f"benchgap: {len(failed)} job(s) failed ({names}); see {sweep_dir}/JOB/{FAILED}", file=sys.stderr)
            sys.exit(1)


def _remove_if_empty(run_dir: Path, job: str) -> None:
    """Delete a run folder that holds nothing but Hydra's own bookkeeping, so no empty run looks like a result."""
    import shutil

    bookkeeping = {".hydra", f"{job}.log"}
    if run_dir.is_dir() and {p.name for p in run_dir.iterdir()} <= bookkeeping:
        logging.shutdown()
        shutil.rmtree(run_dir, ignore_errors=True)


def _fit_task(cfg: Any) -> None:
    def body(run_dir: Path) -> None:
        from benchgap.jobs.fit.run import run_fit

        settings = _settings(cfg, FitConfig)
        summary = run_fit(settings, out_dir=run_dir)
        print(summary.gap.verdict)
        if summary.gap.suite is not None:
            print("On these benchmarks: " + summary.gap.suite.verdict)
        if summary.snapshots is not None:
            print("Between snapshots: " + summary.snapshots.verdict)
        if summary.trend is not None:
            print("Over time: " + summary.trend.verdict)
            print(*(f"warning: {text}" for text in summary.trend.warnings), sep="\n", end="")
        if summary.dimensions is not None:
            print(summary.dimensions.summary)
        if summary.groups is not None:
            print(summary.groups.verdict)
        if summary.loo is not None:
            print("One number or several? " + summary.loo.verdict)
        if summary.residuals is not None:
            print("Benchmark by benchmark: " + summary.residuals.verdict)
        if summary.arena is not None:
            print("Arena and benchmarks together: " + summary.arena.verdict)
        if not summary.diagnostics.converged:
            print("warning: the fit did not converge: " + "; ".join(summary.diagnostics.problems))
        print(f"results: {run_dir}/report.html")

    _run_job("fit", body)


def _simulate_task(cfg: Any) -> None:
    def body(run_dir: Path) -> None:
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        from benchgap.jobs.simulate.page import headline_sentence
        from benchgap.jobs.simulate.run import run_simulate

        settings = _settings(cfg, SimulateConfig)
        hydra_cfg = HydraConfig.get()
        sweep = hydra_cfg.mode is RunMode.MULTIRUN
        if "joblib" in str(hydra_cfg.launcher.get("_target_", "")) and settings.sampler.cores > 1:
            settings.sampler.cores = 1  # chains inside joblib workers must stay in one process (PITFALLS.md)
        label = f"job {hydra_cfg.job.num}" if sweep else "simulate"
        result = run_simulate(settings, out_dir=run_dir, overrides=list(hydra_cfg.overrides.task), label=label)
        if not sweep:
            print(headline_sentence(result))
            print(f"results: {run_dir}/result.json")

    _run_job("simulate", body)


def _report_task(cfg: Any) -> None:
    """A single run that writes only SWEEP_DIR/report/ (Hydra's own run folder and logs are switched off)."""
    from benchgap.jobs.report.run import run_report

    try:
        settings = _settings(cfg, ReportConfig)
        report_dir = run_report(settings, expected=_expected_jobs(Path(settings.sweep_dir)))
    except InputError as err:
        print(f"benchgap report: error: {err}", file=sys.stderr)
        sys.exit(2)
    print(f"results: {report_dir}/report.html")


def _expected_jobs(sweep_dir: Path) -> list[list[str]] | None:
    """The overrides of every job a basic-sweeper sweep launches, from its ``multirun.yaml`` (Hydra's own parser
    and Cartesian product), so that jobs which never started are listed; None when that cannot be told (another
    sweeper, or a ``multirun.yaml`` that does not parse)."""
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    saved = sweep_dir / "multirun.yaml"
    if not saved.is_file():
        return None
    try:  # BasicSweeper is Hydra-internal: if a Hydra release moves it, the report goes on without the list
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        hydra_cfg = OmegaConf.load(saved).hydra
        if not str(hydra_cfg.sweeper.get("_target_", "")).endswith("BasicSweeper"):
            return None
        params = [f"{k}={v}" for k, v in (hydra_cfg.sweeper.get("params") or {}).items()]
        overrides = OverridesParser.create().parse_overrides([*params, *hydra_cfg.overrides.task])
        return [job for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]
    except (ImportError, OSError, HydraException, OmegaConfBaseException):
        return None


def _calibrate_task(cfg: Any) -> None:
    def body(run_dir: Path) -> None:
        from benchgap.jobs.calibrate.page import verdict
        from benchgap.jobs.calibrate.run import run_calibrate

        summary = run_calibrate(_settings(cfg, CalibrateConfig), out_dir=run_dir)
        print(verdict(summary))
        print(f"results: {run_dir}/report.html")

    _run_job("calibrate", body)


def _arena_task(cfg: Any) -> None:
    def body(run_dir: Path) -> None:
        from benchgap.jobs.arena.page import drift_text, study_verdict
        from benchgap.jobs.arena.run import run_arena
        from benchgap.records.arena_summary import ArenaStudy

        result = run_arena(_settings(cfg, ArenaConfig), out_dir=run_dir)
        if isinstance(result, ArenaStudy):
            print(study_verdict(result))
        else:
            print(result.lens.verdict)
            if result.lens.change_verdict:
                print(result.lens.change_verdict)
            if result.drift:
                print(drift_text(result))
            if result.races:
                print(result.races[-1].verdict)
            if not result.diagnostics.converged:
                print("warning: the fit did not converge: " + "; ".join(result.diagnostics.problems))
        print(f"results: {run_dir}/report.html")

    _run_job("arena", body)


_TASKS: dict[str, Callable[[Any], None]] = {
    "fit": _fit_task,
    "simulate": _simulate_task,
    "report": _report_task,
    "calibrate": _calibrate_task,
    "arena": _arena_task,
}

if __name__ == "__main__":
    main()
