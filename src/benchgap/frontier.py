"""Frontiers over time and the lag between two groups: the estimands of "the gap over time", on plain arrays.

A group's **frontier** at date ``T`` is the best value (latent capability, or a composite score) among its models
released by ``T``: a step function that rises at the releases that beat every earlier model of the group. The
**lag** of group ``b`` behind group ``a`` at ``T`` is how many months before ``T`` group ``a`` first reached the
frontier ``b`` holds at ``T`` (Epoch AI measures the US-China gap this way: the time between a US model reaching a
capability level and a Chinese model reaching it). It is negative when ``a`` reached that level only after ``T``
(``b`` leads at ``T``), and undefined (NaN) when ``b`` has no model released by ``T`` or no listed model of ``a``
ever reaches it. The **closing speed** of a series over a window is its least-squares slope per month.

Every function takes the values of one draw or of many (``values[..., model]``), so the same code gives the truth
of a simulated world and the posterior of a fit, draw by draw. Dates are in months on any common origin.
"""

import numpy as np


def frontier(values: np.ndarray, *, release: np.ndarray, in_group: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The best of ``values`` among the group's models released by each date of ``at``.

    Parameters
    ----------
    values : array, shape (..., models)
        Each model's value, per draw.
    release : array, shape (models,)
        Each model's release date in months; a model without a date (NaN) never counts.
    in_group : bool array, shape (models,)
        Which models belong to the group.
    at : array, shape (dates,)
        The dates, in months.

    Returns
    -------
    array, shape (..., dates)
        NaN at dates before the group's first release.
    """
    values = np.asarray(values, float)
    out = np.full((*values.shape[:-1], len(at)), np.nan)
    for t, date in enumerate(np.asarray(at, float)):
        released = np.asarray(in_group, bool) & (np.asarray(release, float) <= date)
        if released.any():
            out[..., t] = values[..., released].max(axis=-1)
    return out


def lag(values: np.ndarray, *, release: np.ndarray, in_a: np.ndarray, in_b: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Months by which group ``b`` trails group ``a`` at each date of ``at``: ``T`` minus the first release date at
    which ``a``'s frontier reached ``b``'s frontier at ``T``.

    ``a``'s frontier first reaches a level ``f`` at the earliest release of an ``a`` model with a value of at least
    ``f``. Shapes as in :func:`frontier`; NaN where ``b`` has no model released by ``T`` or no ``a`` model reaches
    its frontier.
    """
    values = np.asarray(values, float)
    release = np.asarray(release, float)
    b_frontier = frontier(values, release=release, in_group=in_b, at=at)
    dated_a = np.asarray(in_a, bool) & np.isfinite(release)
    out = np.full_like(b_frontier, np.nan)
    for t, date in enumerate(np.asarray(at, float)):
        reached = dated_a & (values >= b_frontier[..., t, None])  # (..., models); False where the frontier is NaN
        first = np.where(reached, release, np.inf).min(axis=-1)
        out[..., t] = np.where(np.isfinite(first), date - first, np.nan)
    return out


def slope_per_month(series: np.ndarray, *, at: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``series[..., dates]`` against ``at`` (per month), per draw: the closing speed of a gap
    or a lag over the window ``at`` spans (negative: closing). NaN where any date of the window is NaN."""
    at = np.asarray(at, float)
    centred = at - at.mean()
    series = np.asarray(series, float)
    return ((series - series.mean(axis=-1, keepdims=True)) * centred).sum(axis=-1) / np.square(centred).sum()
