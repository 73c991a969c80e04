"""``benchgap calibrate``'s one validation place: every setting a schema cannot check, before anything is drawn."""

from benchgap.config import CalibrateConfig, ModelKind
from benchgap.errors import InputError
from benchgap.ranges import check_ranges


def check_calibrate(cfg: CalibrateConfig) -> None:
    """Ranges of every numeric setting, the compared groups, the item range and the kept draws; one line naming the
    key and the fix."""
    check_ranges(cfg)
    if cfg.a not in cfg.groups or cfg.b not in cfg.groups or cfg.a == cfg.b:
        raise InputError(f"a='{cfg.a}' and b='{cfg.b}' must be two different keys of groups ({', '.join(cfg.groups)})")
    if not (len(cfg.items) == 2 and cfg.items[0] <= cfg.items[1]):
        raise InputError(f"items must be [min, max] item counts with 1 <= min <= max; got {cfg.items}")
    if cfg.stderr_share + cfg.plain_share > 1:
        raise InputError(
            f"stderr_share={cfg.stderr_share:g} and plain_share={cfg.plain_share:g} add up to more than 1; they are "
            "shares of the benchmarks (the rest report item counts)"
        )
    if cfg.model.kind is not ModelKind.irt:
        raise InputError(
            f"model={cfg.model.kind.value}: calibrate draws tables from the plain model's priors, which hold no "
            "inflation; use model=irt"
        )
    if cfg.draws_kept > cfg.sampler.chains * cfg.sampler.draws:
        raise InputError(
            f"draws_kept={cfg.draws_kept} exceeds the {cfg.sampler.chains * cfg.sampler.draws} posterior draws; "
            "lower it or raise sampler.draws"
        )
