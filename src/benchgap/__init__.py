"""benchgap: is a benchmark gap between AI models real?

The few names a notebook needs, each typed and documented where it is defined::

    import benchgap

    table = benchgap.read_table(benchgap.DataConfig(path="scores.csv"))   # long or wide leaderboard file
    result = benchgap.fit(table, gap=benchgap.GapConfig(a="US", b="China"))
    print(result.estimates.gap.verdict, result.diagnostics.converged)
    table, world = benchgap.draw_world(benchgap.world_preset("ai_index_2026"), seed=0)  # known truth

- :func:`read_table`: a score file (CSV, TSV, Parquet; long or wide) as the :class:`ScoreTable` the model reads.
- :func:`fit`: the hierarchical item-response model, sampled with NUTS, with every estimand and diagnostic
  (:class:`FitResult`); pass one :class:`ModelCache` to a series of fits to compile once per table shape.
- :func:`estimate`: the gaps, ranks and lenses of a posterior under given composite weights.
- :func:`draw_world` and :func:`world_preset`: a simulated world with its truth, as ``benchgap simulate`` draws them.

Settings are the dataclasses of :mod:`benchgap.config` (``DataConfig``, ``ModelConfig``, ``SamplerConfig``,
``GapConfig``, ``ConvergenceConfig``, ``WorldConfig``). Names load on first use, so importing benchgap is quick.
"""

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "read_table": "benchgap.table",
    "ScoreTable": "benchgap.table",
    "fit": "benchgap.fitting",
    "FitResult": "benchgap.fitting",
    "estimate": "benchgap.estimands",
    "ModelCache": "benchgap.sampling",
    "draw_world": "benchgap.world",
    "world_preset": "benchgap.presets",
    "DataConfig": "benchgap.config",
    "ModelConfig": "benchgap.config",
    "SamplerConfig": "benchgap.config",
    "GapConfig": "benchgap.config",
    "ConvergenceConfig": "benchgap.config",
    "WorldConfig": "benchgap.config",
}
__all__ = [  # noqa: RUF022  (in the order of the docstring)
    "__version__",
    "read_table",
    "ScoreTable",
    "fit",
    "FitResult",
    "estimate",
    "ModelCache",
    "draw_world",
    "world_preset",
    "DataConfig",
    "ModelConfig",
    "SamplerConfig",
    "GapConfig",
    "ConvergenceConfig",
    "WorldConfig",
]

if TYPE_CHECKING:
    from benchgap.config import ConvergenceConfig, DataConfig, GapConfig, ModelConfig, SamplerConfig, WorldConfig
    from benchgap.estimands import estimate
    from benchgap.fitting import FitResult, fit
    from benchgap.presets import world_preset
    from benchgap.sampling import ModelCache
    from benchgap.table import ScoreTable, read_table
    from benchgap.world import draw_world


def __getattr__(name: str) -> Any:
    """Load an exported name on first use (PEP 562): ``import benchgap`` does not import PyMC."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'benchgap' has no attribute '{name}'")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
