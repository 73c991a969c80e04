"""A negative result kept runnable: lgamma and digamma as numba-inlined series in the model's graph (issue 18).

    uv run python benchmarks/series_kernel.py        # about a minute

``benchmarks/kernels.py`` found a hand-written kernel with inlined series 1.4x-1.8x cheaper than the library calls
pytensor's numba backend makes (C's ``lgamma``, scipy's compiled ``psi``). This script tries the transfer into the
real model: ``SeriesGammaLn``/``SeriesPsi`` subclass pytensor's ops with numba lowerings to the series below
(recurrence to x >= 10, then Stirling's series; within 8e-15 of scipy relative to max(1, |value|) over 1e-8..1e7),
the model is built with them in place of ``pt.gammaln``, and both builds sample the same 40 x 12 world, 4 chains
x (500 + 1000) on one core (nutpie's diagonal mass matrix, so that a step is mostly its gradient), three times
in turn. benchmarks/RESULTS.md section 11 has what it printed.
"""

import math
import sys
import time
from pathlib import Path

import numba
from pytensor.link.numba.dispatch import basic as numba_basic
from pytensor.link.numba.dispatch.scalar import register_scalar_funcify, scalar_op_cache_key
from pytensor.scalar.basic import upgrade_to_float
from pytensor.scalar.math import GammaLn, Psi
from pytensor.tensor.elemwise import Elemwise
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/run.py's tables

SHIFT_TO = 10.0  # both series start here: their first omitted terms are below 1e-16
HALF_LOG_TWO_PI = 0.9189385332046727418


@numba.njit(inline="always", cache=True)
def series_lgamma(x: float) -> float:
    if not (0.0 < x < math.inf):
        return math.lgamma(x)
    product = 1.0
    while x < SHIFT_TO:
        product *= x
        x += 1.0
    inverse = 1.0 / x
    square = inverse * inverse
    tail = inverse * (
        1.0 / 12
        - square
        * (1.0 / 360 - square * (1.0 / 1260 - square * (1.0 / 1680 - square * (1.0 / 1188 - square * 691.0 / 360360))))
    )
    return (x - 0.5) * math.log(x) - x + HALF_LOG_TWO_PI + tail - math.log(product)


@numba.njit(inline="always", cache=True)
def series_digamma(x: float) -> float:
    if 0.0 < x < math.inf:
        return _positive_digamma(x)
    if math.isnan(x) or x == -math.inf or (x == math.floor(x) and x < 0):
        return math.nan
    if x == math.inf:
        return math.inf
    if x == 0.0:
        return -math.inf
    return _positive_digamma(1.0 - x) - math.pi / math.tan(math.pi * x)  # reflection


@numba.njit(inline="always", cache=True)
def _positive_digamma(x: float) -> float:
    shift = 0.0
    while x < SHIFT_TO:
        shift -= 1.0 / x
        x += 1.0
    inverse = 1.0 / x
    square = inverse * inverse
    tail = square * (
        1.0 / 12
        - square
        * (
            1.0 / 120
            - square
            * (1.0 / 252 - square * (1.0 / 240 - square * (1.0 / 132 - square * (691.0 / 32760 - square / 12))))
        )
    )
    return shift + math.log(x) - 0.5 * inverse - tail


class SeriesPsi(Psi):
    """``digamma``, lowered to :func:`series_digamma` by the numba backend."""

    def impl(self, x: float) -> float:
        return float(special.psi(x))


class SeriesGammaLn(GammaLn):
    """``lgamma``, lowered to :func:`series_lgamma` by the numba backend; its gradient is :class:`SeriesPsi`."""

    def pullback(self, inputs, outputs, grads):  # type: ignore[no-untyped-def]
        (x,) = inputs
        (gz,) = grads
        return [gz * scalar_psi(x)]


scalar_psi = SeriesPsi(upgrade_to_float, name="series_psi")
scalar_gammaln = SeriesGammaLn(upgrade_to_float, name="series_gammaln")
psi = Elemwise(scalar_psi)
gammaln = Elemwise(scalar_gammaln)


def _lowering(series):  # type: ignore[no-untyped-def]
    """A numba lowering of a unary scalar op to ``series``."""

    def lower(op, node, **kwargs):  # type: ignore[no-untyped-def]
        @numba_basic.numba_njit
        def scalar(x):  # type: ignore[no-untyped-def]
            return series(x)

        return scalar, scalar_op_cache_key(op, cache_version=1)

    return lower


register_scalar_funcify(SeriesGammaLn)(_lowering(series_lgamma))
register_scalar_funcify(SeriesPsi)(_lowering(series_digamma))


def build(table, *, series: bool):  # type: ignore[no-untyped-def]
    """The compiled nutpie model of ``table``, with the series functions or pytensor's own."""
    import pytensor.tensor as pt

    from benchgap.config import ModelConfig
    from benchgap.sampling import ModelCache

    library = pt.gammaln
    pt.gammaln = gammaln if series else library  # benchgap.model calls pt.gammaln while it builds the graph
    try:
        return ModelCache(ModelConfig()).compiled(table).nutpie_model
    finally:
        pt.gammaln = library


def main() -> None:
    import numpy as np
    import nutpie
    from run import synthetic

    table = synthetic(40, 12, seed=3, missing=0.15)
    models = {"library": build(table, series=False), "series": build(table, series=True)}
    point = np.random.default_rng(1).normal(0, 0.7, models["library"].n_dim)
    (logp_a, grad_a), (logp_b, grad_b) = (models[name].logp_func(point) for name in models)
    print(
        f"at a random point: log density differs by {logp_a - logp_b:.1e}, "
        f"gradient by {np.abs(grad_a - grad_b).max():.1e}"
    )
    print("| run | build | seconds | leapfrog steps | microseconds per step |")
    print("|---:|---|---:|---:|---:|")
    for run in range(1, 4):
        for name, compiled in models.items():
            began = time.perf_counter()
            trace = nutpie.sample(
                compiled, draws=1000, tune=500, chains=4, cores=1, seed=1, target_accept=0.8, progress_bar=False
            )
            seconds = time.perf_counter() - began
            steps = int(trace["warmup_sample_stats"]["n_steps"].sum() + trace["sample_stats"]["n_steps"].sum())
            print(f"| {run} | {name} | {seconds:.2f} | {steps:,} | {seconds / steps * 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    main()
