"""Helpers every test module shares: the CLI in a subprocess, composed configs as the jobs receive them, tiny
sampler settings, and small files written for a test. Test modules import these from here, never from each other."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from benchgap.cli import SCHEMAS, config_dir, register_resolvers
from benchgap.config import SamplerConfig

ROOT = Path(__file__).parents[1]  # the repository: the CLI runs from here, as the README's commands do
DATA = ROOT.parent / "shared" / "data"  # the shared public leaderboards
TINY = SamplerConfig(chains=2, draws=150, tune=150, progress=False)  # plumbing tests: too short to trust


def run_cli(*args: str, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m benchgap.cli ARGS`` from the repository root, with the shared data at ``$BENCHGAP_DATA``; the
    timeout stops a run that hangs."""
    return subprocess.run(
        [sys.executable, "-m", "benchgap.cli", *args],
        cwd=ROOT,
        env={**os.environ, "BENCHGAP_DATA": str(DATA), "HYDRA_FULL_ERROR": "0", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def composed(job: str, *overrides: str) -> Any:
    """The composed config of ``job`` (``conf/JOB.yaml``) with ``overrides``, as the typed dataclass it receives."""
    ConfigStore.instance().store(name=f"{job}_schema", node=SCHEMAS[job])
    register_resolvers()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(job, overrides=list(overrides))
    return OmegaConf.to_object(cfg)


def simulate_settings(*overrides: str, replicates: int = 60) -> Any:
    """``benchgap simulate``'s settings: naive estimators only (``bayes=false``) unless an override says otherwise."""
    return composed("simulate", f"replicates={replicates}", "bayes=false", *overrides)


def tiny_simulate(*overrides: str, replicates: int = 3) -> Any:
    """A simulate job with the Bayesian fit and the tiny sampler."""
    cfg = simulate_settings("bayes=true", *overrides, replicates=replicates)
    cfg.sampler = TINY
    return cfg


def write(folder: Path, name: str, text: str) -> Path:
    """A small input file for a test."""
    path = folder / name
    path.write_text(text)
    return path
