"""The two compared groups of a table (``gap.a``, ``gap.b``) and the gap functionals per posterior draw: best vs best,
the mean of each group's k best, the group means. Shared by the headline gaps and the per-dimension ones."""

from dataclasses import dataclass

import numpy as np

from benchgap.config import GapConfig
from benchgap.table import ScoreTable
from benchgap.weighting import best_vs_best


@dataclass(frozen=True)
class ComparedGroups:
    """Which models each compared group has, and the top-k size both can fill."""

    in_a: np.ndarray
    in_b: np.ndarray
    k: int

    @classmethod
    def of(cls, table: ScoreTable, gap: GapConfig) -> "ComparedGroups":
        groups = np.asarray(table.groups)
        in_a, in_b = groups == gap.a, groups == gap.b
        return cls(in_a, in_b, max(1, min(gap.top_k, int(in_a.sum()), int(in_b.sum()))))

    def best(self, values: np.ndarray) -> np.ndarray:
        """Per draw: a's best minus b's best."""
        return best_vs_best(values, self.in_a, self.in_b)

    def top_k(self, values: np.ndarray) -> np.ndarray:
        """Per draw: the mean of a's k best minus that of b's k best."""
        top = [
            np.sort(values[..., members], axis=-1)[..., -self.k :].mean(axis=-1) for members in (self.in_a, self.in_b)
        ]
        return top[0] - top[1]

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Per draw: the mean over a's models minus that over b's."""
        return values[..., self.in_a].mean(axis=-1) - values[..., self.in_b].mean(axis=-1)

    def gap_draws(self, theta: np.ndarray, composite: np.ndarray, suite: np.ndarray) -> dict[str, np.ndarray]:
        """Every gap per draw: best vs best, top-k and group mean on the latent, capability and suite scales."""
        return {
            "gap_latent": self.best(theta),
            "gap_score": self.best(composite),
            "gap_relative": self.best(composite) / composite[..., self.in_b].max(axis=-1),
            "gap_group_mean": self.mean(theta),
            "gap_top_k": self.top_k(theta),
            "gap_score_top_k": self.top_k(composite),
            "gap_score_group_mean": self.mean(composite),
            "gap_suite": self.best(suite),
            "gap_suite_top_k": self.top_k(suite),
            "gap_suite_group_mean": self.mean(suite),
        }
