"""What ``model=contamination_aware`` says about score inflation: per cell, per model, and against a known truth.

Each posterior draw carries, per observed cell, the probability that the cell is inflated given that draw's
parameters (the mixture's responsibility, ``inflation_probability``) and the points it would add if it were
(``inflation_points``). Averaging the first over draws gives the cell's posterior probability of inflation;
averaging their product gives its posterior mean inflation (Rao-Blackwellised: no indicator is sampled).
"""

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from xarray import DataTree

from benchgap.table import ScoreTable

PER_CELL_DRAWS = ("inflation_probability", "inflation_points", "inflation_size_z")  # draws per cell, per parameter
INFLATED_POINTS = 0.05  # a simulated cell counts as inflated when contamination added at least this many points
CLEAN_POINTS = 0.005  # and as clean when it added less than this (cells in between count as neither)


def cell_draws(posterior: DataTree) -> tuple[np.ndarray, np.ndarray]:
    """Per draw (rows) and cell (columns): the probability of inflation and the points it would add."""
    probability, points = (
        posterior["posterior"][name].transpose("chain", "draw", "cell").to_numpy()
        for name in ("inflation_probability", "inflation_points")
    )
    return probability.reshape(-1, probability.shape[-1]), points.reshape(-1, points.shape[-1])


def cell_inflation(posterior: DataTree, table: ScoreTable, *, flag_probability: float) -> pd.DataFrame:
    """One row per observed cell: its posterior probability of inflation, mean inflation and size if inflated."""
    probability, points = cell_draws(posterior)
    mean_probability = probability.mean(axis=0)
    mean_points = (probability * points).mean(axis=0)
    return pd.DataFrame(
        {
            "model": np.asarray(table.models)[table.model_idx],
            "group": np.asarray(table.groups)[table.model_idx],
            "benchmark": np.asarray(table.benchmarks)[table.bench_idx],
            "score": table.score,
            "probability": mean_probability,
            "points": mean_points,  # posterior mean of the inflation (0 where the cell is clean)
            "points_if_inflated": np.where(mean_probability > 0, mean_points / np.maximum(mean_probability, 1e-300), 0),
            "flagged": mean_probability >= flag_probability,
        }
    )


def model_inflation(cells: pd.DataFrame) -> pd.DataFrame:
    """Per model: flagged cells, total and mean inflation over its scores (points), most inflated first."""
    per_model = cells.groupby(["model", "group"], sort=False).agg(
        scores=("points", "size"),
        flagged=("flagged", "sum"),
        total_points=("points", "sum"),
        mean_points=("points", "mean"),
        max_probability=("probability", "max"),
    )
    return per_model.reset_index().sort_values("total_points", ascending=False, kind="stable")


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random negative (ties half).

    NaN when either class is empty.
    """
    positive = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def detection(probability: np.ndarray, true_points: np.ndarray, *, flag_probability: float) -> dict[str, float]:
    """How well per-cell probabilities find the truly inflated cells of a simulated table.

    Cells with at least ``INFLATED_POINTS`` of true inflation are positives, those with less than ``CLEAN_POINTS``
    negatives (the few in between are left out of the AUC). The false-positive rate is the share of clean cells
    flagged; the detection rate the share of inflated cells flagged.
    """
    inflated, clean = true_points >= INFLATED_POINTS, true_points < CLEAN_POINTS
    scored = inflated | clean
    flagged = probability >= flag_probability
    return {
        "inflation_auc": auc(probability[scored], inflated[scored]),
        "inflated_cells": float(inflated.sum()),
        "clean_cells": float(clean.sum()),
        "flagged_cells": float(flagged.sum()),
        "false_positive_rate": float(flagged[clean].mean()) if clean.any() else float("nan"),
        "detection_rate": float(flagged[inflated].mean()) if inflated.any() else float("nan"),
        "max_clean_probability": float(probability[clean].max()) if clean.any() else float("nan"),
    }
