"""Is one number defensible? PSIS-LOO (Vehtari, Gelman & Gabry 2017; ``arviz_stats.loo``) of fits to the same table,
from each cell's pointwise log-likelihood, and their comparison: the expected log predictive density of a left-out
score under each model, its difference with the standard error of the difference, and the Pareto-k check.

The pointwise log-likelihood comes from the fit's own graph (``build_model(pointwise=True)``: the same densities the
sampler used, each cell's normaliser included), evaluated at every posterior draw; the data-only constants the
sampler leaves out (the binomial coefficient, ``log 2 pi / 2``) are added here, so an ELPD is a real log density.
"""

import dataclasses
import warnings
from dataclasses import dataclass

import arviz_base
import arviz_stats
import numpy as np
from scipy.special import gammaln
from xarray import DataTree

from benchgap.config import Dimensions, ModelConfig
from benchgap.table import CellSplit, ScoreTable

RECORDED = "log_likelihood_cell"  # build_model(pointwise=True)'s per-cell record, without data-only constants
HIGH_K = 0.7  # Pareto k above this: that cell's importance-sampling estimate is unreliable


DIMENSION_LABELS = {Dimensions.one: "one-dimensional", Dimensions.categories: "per-category"}
NEITHER = "neither"  # the comparison's preference when LOO does not tell the two apart


def other_dimensionality(spec: ModelConfig) -> ModelConfig:
    """The same model with the other ``model.dimensions`` (one <-> categories): the fit LOO compares it with."""
    other = Dimensions.one if spec.dimensions is Dimensions.categories else Dimensions.categories
    return dataclasses.replace(spec, dimensions=other)


@dataclass(frozen=True)
class LooFit:
    """One model's PSIS-LOO over the table's observed cells."""

    model: str  # a label, e.g. "one dimension"
    elpd: float  # sum over cells of the log predictive density of each left-out score
    se: float
    p_loo: float  # effective number of parameters
    high_k: int  # cells with Pareto k > 0.7


@dataclass(frozen=True)
class LooComparison:
    """Two or more fits of one table, best first, with the verdict on whether one is clearly better."""

    fits: tuple[LooFit, ...]  # best (highest ELPD) first
    elpd_difference: float  # best minus the runner-up (>= 0)
    difference_se: float  # the standard error of that difference, from the pointwise differences
    verdict: str
    preferred: str  # the best fit's label when it is clearly better, else NEITHER


def pointwise_log_likelihood(posterior: DataTree, table: ScoreTable, spec: ModelConfig) -> np.ndarray:
    """Each observed cell's log-likelihood at each draw, shape (chain, draw, cell), in the table's cell order.

    Evaluated after sampling rather than recorded while sampling: a record is laid out by the table's observed
    cells, so a compiled model would no longer serve every table of a shape (about a second per fit here, against
    half a minute's compilation per world with missing cells)."""
    import pymc as pm

    from benchgap.model import build_model

    model = build_model(table, spec=spec, pointwise=True)
    dataset = posterior["posterior"].to_dataset()
    free = [rv.name for rv in model.free_RVs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = pm.compute_deterministics(dataset[free], model=model, var_names=[RECORDED], progressbar=False)
    loglik = values[RECORDED].transpose("chain", "draw", ...).to_numpy()
    return loglik + _constants(table)


def _constants(table: ScoreTable) -> np.ndarray:
    """Per cell, the data-only constant the sampler's densities leave out."""
    split = CellSplit.of(table)
    out = np.zeros(table.n_cells)
    n = table.n_items[split.counts]
    k = np.round(table.score[split.counts] * n)
    out[split.counts] = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    out[split.stderr] = -0.5 * np.log(2 * np.pi)
    return out


def loo_fit(label: str, posterior: DataTree, loglik: np.ndarray) -> tuple[LooFit, np.ndarray]:
    """PSIS-LOO of one fit from its pointwise log-likelihood; also its pointwise ELPD (for the comparison)."""
    tree = arviz_base.from_dict(
        {"posterior": {"theta": posterior["posterior"]["theta"].to_numpy()}, "log_likelihood": {"y": loglik}},
        dims={"y": ["cell"]},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Pareto-k warning: counted in high_k instead
        result = arviz_stats.loo(tree, pointwise=True, var_name="y")
    k = np.asarray(result.pareto_k)
    found = LooFit(label, float(result.elpd), float(result.se), float(result.p), int((k > HIGH_K).sum()))
    return found, np.asarray(result.elpd_i)


def compare_loo(fits: dict[str, tuple[DataTree, np.ndarray]]) -> LooComparison:
    """LOO of each labelled fit (its posterior and pointwise log-likelihood) and the comparison of the best two.

    "Clearly better": the ELPD difference is over 4 and over twice its standard error (Sivula, Magnusson, Matamoros &
    Vehtari 2022: below that, the normal approximation of the difference is not to be trusted); the Pareto-k count
    is stated whenever a cell is over 0.7, since those cells' contributions are then unreliable.
    """
    scored = {label: loo_fit(label, posterior, loglik) for label, (posterior, loglik) in fits.items()}
    ranked = sorted(scored.values(), key=lambda pair: -pair[0].elpd)
    (best, best_i), (second, second_i) = ranked[0], ranked[1]
    pointwise = best_i - second_i
    difference, se = float(pointwise.sum()), float(np.sqrt(pointwise.size * pointwise.var()))
    clear = difference > 4 and difference > 2 * se
    if clear:
        words = f"LOO prefers the {best.model} model clearly"
    else:
        words = f"LOO does not tell the {best.model} and the {second.model} models apart"
    text = f"{words}: ELPD difference {difference:.1f} (se {se:.1f}) over {pointwise.size} scores."
    flagged = [f"{fit.model}: {fit.high_k}" for fit, _ in ranked if fit.high_k]
    if flagged:
        text += f" Cells with Pareto k > {HIGH_K} (unreliable left-out estimates): " + ", ".join(flagged) + "."
    preferred = best.model if clear else NEITHER
    return LooComparison(tuple(fit for fit, _ in ranked), difference, se, text, preferred)
