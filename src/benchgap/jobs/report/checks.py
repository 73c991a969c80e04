"""``benchgap report``'s one validation place: every setting a schema cannot check, before the sweep is read."""

from benchgap.config import ReportConfig
from benchgap.errors import InputError
from benchgap.estimators import LEVEL_TAGS
from benchgap.ranges import check_ranges


def check_report(cfg: ReportConfig) -> None:
    """The sweep folder given, the judged interval level one that simulate measures, and ranges; one line each."""
    if not cfg.sweep_dir:
        raise InputError("sweep_dir is required: benchgap report sweep_dir=outputs/multirun/NAME")
    check_ranges(cfg)
    if cfg.level not in LEVEL_TAGS:
        raise InputError(f"level must be one of {', '.join(map(str, LEVEL_TAGS))}; got {cfg.level}")
