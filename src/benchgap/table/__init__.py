"""Score tables: the one structure the model reads, and the readers that build it from leaderboard files."""

from benchgap.table.read import read_table
from benchgap.table.score_table import UNKNOWN_GROUP, CellSplit, Covariates, ScoreTable
from benchgap.table.snapshots import read_snapshots

__all__ = ["UNKNOWN_GROUP", "CellSplit", "Covariates", "ScoreTable", "read_snapshots", "read_table"]
