"""``benchgap fit``'s one validation place: every setting a schema cannot check, and what the table must hold."""

from benchgap.capability_prior import check_dimensions
from benchgap.config import FIT_SCHEMES, FitConfig
from benchgap.errors import InputError
from benchgap.fitting import check_gap, check_table, check_trend
from benchgap.ranges import check_ranges
from benchgap.table import ScoreTable
from benchgap.weighting import table_weights


def check_fit(cfg: FitConfig, table: ScoreTable) -> None:
    """Ranges of every numeric setting, the composite weighting, and a table the model can fit and compare; one line
    naming the key, its allowed values and the fix. Runs before anything is compiled or written."""
    check_ranges(cfg)
    if cfg.gap.weighting not in FIT_SCHEMES:
        choices = " | ".join(s.value for s in FIT_SCHEMES)
        raise InputError(
            f"gap.weighting={cfg.gap.weighting.value} is a scheme of `benchgap simulate`; a fit weighs benchmarks "
            f"by {choices}"
        )
    check_gap(cfg.gap)
    check_table(table, cfg.gap)
    check_trend(table, model=cfg.model, gap=cfg.gap, trend=cfg.trend)
    check_dimensions(table, cfg.model)
    table_weights(table, cfg.gap.weighting)  # custom: every benchmark needs a listed weight
