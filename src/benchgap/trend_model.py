"""The time structure of the capabilities' prior (``model.trend``): where each group's mean sits at a model's release
date. Used by :mod:`benchgap.model` (``identify_scale=capability`` with a group prior).

- ``linear``: ``mu_g + s_g y_m``, ``y_m`` the model's release in years from the table's mean release date and
  ``s_g ~ Normal(0, trend_slope_sd)`` free per group (how fast each group improves is the question, so the slopes are
  not pooled toward each other).
- ``random_walk``: the linear trend plus, per group, a Gaussian random walk on ``trend_knots`` knots spread evenly over
  the table's release dates, read at ``y_m`` by linear interpolation between the two nearest knots. The walk starts at
  0 at the first knot and steps ``sigma sqrt(dk) z`` (``dk`` the knots' spacing in years, ``z ~ Normal(0, 1)``,
  non-centred); ``sigma ~ HalfNormal(trend_walk_sd)`` is shared by the groups and learned, so a table whose groups
  move in a straight line shrinks the walk toward the linear trend. Only the walk's residual from its own
  least-squares line over the knots enters: level and slope stay the intercept's and the slope's (without this, the
  three traded along a ridge: divergent transitions in 44 of 100 `bending` worlds). Its shape depends on the knot
  count only, so one compiled model serves every table of a shape.

A model without a release date has ``y_m = 0``: its group's level at the table's mean release date.
"""

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from benchgap.config import ModelConfig, TrendKind
from benchgap.table import ScoreTable


def trend_coords(spec: ModelConfig) -> dict[str, list]:
    """The coordinate of the random walk's steps (none for the other trends)."""
    if spec.trend is not TrendKind.random_walk:
        return {}
    return {"knot_step": list(range(1, spec.trend_knots))}


def knot_years(years: np.ndarray, count: int) -> np.ndarray:
    """``count`` knots spread evenly from the earliest to the latest of ``years`` (half a year either side when all
    models share one date)."""
    low, high = float(years.min()), float(years.max())
    if high - low < 1e-6:
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, count)


def interpolation_weights(years: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Per model (rows) the weights of the knots (columns) that interpolate linearly at its date; rows sum to 1."""
    right = np.clip(np.searchsorted(knots, years, side="right"), 1, len(knots) - 1)
    share = np.clip((years - knots[right - 1]) / (knots[right] - knots[right - 1]), 0.0, 1.0)
    weights = np.zeros((len(years), len(knots)))
    rows = np.arange(len(years))
    weights[rows, right - 1] = 1.0 - share
    weights[rows, right] += share
    return weights


def line_residual_projection(knots: np.ndarray) -> np.ndarray:
    """The matrix that takes a path over the knots to its residual from its least-squares line: the walk keeps only
    what the group's intercept and slope cannot say, so the three do not trade along a ridge."""
    design = np.column_stack([np.ones_like(knots), knots])
    return np.eye(len(knots)) - design @ np.linalg.solve(design.T @ design, design.T)


def trend_data(table: ScoreTable, spec: ModelConfig) -> dict[str, np.ndarray]:
    """The data containers of the trend: release years (and for the walk the knots and interpolation weights)."""
    if spec.trend is TrendKind.none:
        return {}
    years = table.centred_release_years
    data = {"model_years": years}
    if spec.trend is TrendKind.random_walk:
        knots = knot_years(years, spec.trend_knots)
        data |= {
            "knot_years": knots,
            "model_knot_weights": interpolation_weights(years, knots),
            "knot_residual": line_residual_projection(knots),
        }
    return data


def group_centre(
    mu_group: pt.TensorVariable, group: pt.TensorVariable, spec: ModelConfig, data: dict[str, pt.TensorVariable]
) -> pt.TensorVariable:
    """Per model, its group's raw mean at its release date (``mu_group[group]`` without a trend). ``mu_group`` is
    (group,) or, with several capability dimensions, (group, dimension): the trend then moves every dimension alike."""
    centre = mu_group[group]
    if spec.trend is TrendKind.none:
        return centre
    slope = pm.Normal("trend_slope_raw", 0.0, spec.trend_slope_sd, dims="group")
    shift = slope[group] * data["model_years"]
    if spec.trend is TrendKind.random_walk:
        sigma = pm.HalfNormal("trend_walk_sd", spec.trend_walk_sd)
        steps = pm.Normal("trend_walk_z", 0.0, 1.0, dims=("group", "knot_step"))
        scale = pt.sqrt(pt.diff(data["knot_years"]))
        walk = pt.concatenate([pt.zeros_like(steps[:, :1]), pt.cumsum(sigma * scale * steps, axis=1)], axis=1)
        bend = walk @ data["knot_residual"]  # the walk's residual from its own line (the projection is symmetric)
        shift = shift + (data["model_knot_weights"] * bend[group]).sum(axis=1)
    return centre + (shift[:, None] if centre.ndim == 2 else shift)
