"""Compiling and sampling the model: NUTS backends, the mass-matrix choice, and the cache that compiles each table
shape once per process and swaps further tables' data in."""

import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
from xarray import DataTree

from benchgap.config import Adaptation, Backend, ModelConfig, SamplerConfig
from benchgap.errors import InputError
from benchgap.model import build_model, cell_data, shape_key
from benchgap.table import ScoreTable


@dataclass
class CompiledModel:
    """A built model and, for the nutpie backends, its compiled logp; sampled with :meth:`ModelCache.sample`."""

    model: pm.Model
    backend: Backend
    nutpie_model: Any = None  # nutpie's compiled model (nutpie backends only)


def compile_model(model: pm.Model, backend: Backend = Backend.nutpie) -> CompiledModel:
    """Compile ``model`` for ``backend``: nutpie compiles its log density and gradient (numba or JAX) once."""
    for name in ("pytensor", "numba", "nutpie", "pymc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if backend is Backend.nutpie:
        import nutpie
        from pytensor import config as pytensor_config

        # Strict IEEE arithmetic, not fastmath: with fastmath LLVM may fuse and reorder floating-point operations
        # across the numba kernels it inlines. On a cold compile cache every kernel is compiled fresh and inlined;
        # on a warm one they are loaded as object code and called, so the gradient differed in its last bits (up
        # to 32 ulp) and the same seed gave other draws on a new machine's first run. Without fastmath both agree
        # bit for bit, at the same speed (40-48 against 46-49 microseconds per leapfrog step on the demo table).
        with pytensor_config.change_flags(numba__fastmath=False):
            return CompiledModel(model, backend, nutpie.compile_pymc_model(model))
    if backend is Backend.nutpie_jax:
        import nutpie

        _require("jax", backend)
        return CompiledModel(model, backend, nutpie.compile_pymc_model(model, backend="jax", gradient_backend="jax"))
    if backend is Backend.numpyro:
        _require("numpyro", backend)
    return CompiledModel(model, backend)  # PyMC and NumPyro compile inside pm.sample


def _require(module: str, backend: Backend) -> None:
    if importlib.util.find_spec(module) is None:
        raise InputError(f"sampler.backend={backend.value} needs {module}: pip install 'benchgap[jax]', or use nutpie")


def run_lengths(sampler: SamplerConfig) -> str:
    """How long the chains ran and at what acceptance target, as outputs state it next to their numbers."""
    return (
        f"{sampler.chains} chains x ({sampler.tune} warm-up + {sampler.draws} draws), "
        f"target_accept {sampler.target_accept:g}"
    )


def sample(compiled: CompiledModel, *, sampler: SamplerConfig, data: dict[str, np.ndarray] | None = None) -> DataTree:
    """Draw ``sampler.chains`` NUTS chains from ``compiled``, with ``data`` swapped in when given.

    The posterior's ``inference`` attribute says how it was drawn (outputs carry it next to each number).
    """
    runs = run_lengths(sampler)
    if compiled.nutpie_model is not None:
        import nutpie

        nutpie_model = compiled.nutpie_model if data is None else compiled.nutpie_model.with_data(**data)
        adaptation = _adaptation(sampler.adaptation, nutpie_model.n_dim)
        posterior = nutpie.sample(
            nutpie_model,
            draws=sampler.draws,
            tune=sampler.tune,
            chains=sampler.chains,
            cores=sampler.cores,
            seed=sampler.seed,
            target_accept=sampler.target_accept,
            adaptation=adaptation,
            progress_bar=sampler.progress,
            save_warmup=False,
        )
        engine = "numba" if compiled.backend is Backend.nutpie else "JAX"
        posterior.attrs["inference"] = f"NUTS (nutpie, {engine} backend, {adaptation} mass matrix), {runs}"
        return posterior
    with compiled.model:
        if data is not None:
            pm.set_data(data)
        posterior = pm.sample(
            draws=sampler.draws,
            tune=sampler.tune,
            chains=sampler.chains,
            cores=sampler.cores,
            random_seed=sampler.seed,
            target_accept=sampler.target_accept,
            nuts_sampler=compiled.backend.value,
            progressbar=sampler.progress,
            compute_convergence_checks=False,
        )
    posterior.attrs["inference"] = f"NUTS ({compiled.backend.value} through PyMC), {runs}"
    return posterior


LOW_RANK_MAX_PARAMETERS = 125


def _adaptation(adaptation: Adaptation, n_parameters: int) -> str:
    """nutpie's mass-matrix adaptation for ``auto``: low-rank where its cost per step stays small.

    Low-rank adaptation mixes the group means where a diagonal mass matrix leaves them at R-hat 1.01-1.03
    (HELM Lite, 111 parameters), but nutpie 0.16's low-rank cost per leapfrog step jumps between 125 and 135
    parameters: 30-46 microseconds up to 125, then 413 at 135 and 1,700 at 200 (a standard normal; diag costs
    3-4). The synthetic 100 x 20 table (165 parameters) took 75 s with low-rank against 185 s for 300 x 40
    with diag; on Epoch 200 x 40 (about 290 parameters) diag reached 38 gap-ESS per second, low-rank 27.
    """
    if adaptation is Adaptation.auto:
        return "low_rank" if n_parameters <= LOW_RANK_MAX_PARAMETERS else "diag"
    return adaptation.value


class ModelCache:
    """Compiled models by table shape, so that a job compiles once and swaps each further table's data in.

    ``cache.sample(table, sampler=...)`` compiles on the first table of a shape (see :func:`shape_key`) and
    reuses that compilation for every later table of the shape: no model rebuild inside a replicate loop.
    """

    def __init__(self, spec: ModelConfig, backend: Backend = Backend.nutpie) -> None:
        self.spec, self.backend = spec, backend
        self._compiled: dict[tuple, tuple[CompiledModel, ScoreTable]] = {}

    def compiled(self, table: ScoreTable) -> CompiledModel:
        """The compiled model of ``table``'s shape (compiled now if this is the first such table)."""
        return self._entry(table)[0]

    def sample(self, table: ScoreTable, *, sampler: SamplerConfig) -> DataTree:
        """Posterior draws of ``table``'s model, labelled with ``table``'s models and benchmarks."""
        compiled, first = self._entry(table)
        if first is table:
            return sample(compiled, sampler=sampler)
        posterior = sample(compiled, sampler=sampler, data=cell_data(table, spec=self.spec))
        return _relabel(posterior, table)

    def _entry(self, table: ScoreTable) -> tuple[CompiledModel, ScoreTable]:
        """The compiled model of ``table``'s shape and the table it was compiled on."""
        key = shape_key(table, self.spec)
        entry = self._compiled.get(key)
        # nutpie's JAX backend bakes the data into its compiled function: it compiles anew for each table.
        if entry is None or (self.backend is Backend.nutpie_jax and entry[1] is not table):
            entry = self._compiled[key] = (compile_model(build_model(table, spec=self.spec), self.backend), table)
        return entry


def _relabel(posterior: DataTree, table: ScoreTable) -> DataTree:
    """Name the coordinates after ``table`` (a swapped-in table keeps the first table's names otherwise)."""
    labels = {
        "model": list(table.models),
        "benchmark": list(table.benchmarks),
        "group": list(table.group_names),
        "category": list(table.category_names),
    }
    for name, node in posterior.children.items():
        present = {dim: names for dim, names in labels.items() if dim in node.dataset.dims}
        if present:
            posterior[name] = node.dataset.assign_coords(present)
    return posterior


_PROCESS_CACHES: dict[tuple[str, Backend], ModelCache] = {}


def process_cache(spec: ModelConfig, backend: Backend) -> ModelCache:
    """The process's compiled models for this model spec and backend: jobs that run one after another in one process
    (Hydra's basic launcher, a reused joblib worker) compile each table shape once between them."""
    key = (repr(spec), backend)
    if key not in _PROCESS_CACHES:
        _PROCESS_CACHES[key] = ModelCache(spec, backend)
    return _PROCESS_CACHES[key]
