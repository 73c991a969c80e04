"""``benchgap simulate``'s one validation place: every setting a schema cannot check, before any world is drawn."""

from benchgap.config import ContaminationKind, SimulateConfig
from benchgap.errors import InputError
from benchgap.ranges import check_pair, check_ranges
from benchgap.world import benchmark_names, check_world, model_names, table_groups


def check_simulate(cfg: SimulateConfig) -> None:
    """Ranges of every numeric setting, names that must exist, and settings that would be silently ignored; one
    line naming the key and the fix."""
    check_ranges(cfg)
    world = cfg.world
    check_world(world)
    check_pair("run_share", cfg.run_share)
    listed = table_groups(world)
    for key, group in (("overfitting", cfg.overfitting.group), ("contamination", cfg.contamination.group)):
        if group is not None and group not in listed:
            raise InputError(
                f"{key}.group='{group}' is not a group of world '{world.name}'; groups: {', '.join(listed)}"
            )
    names, benchmarks = model_names(world), benchmark_names(world)
    for model in cfg.overfitting.models:
        if model not in names:
            raise InputError(f"overfitting.models: no model '{model}' in world '{world.name}'; e.g. {names[0]}")
    for category in cfg.overfitting.categories:
        if category not in world.suite.categories:
            raise InputError(f"overfitting.categories: no category '{category}'; categories: {world.suite.categories}")
    for bench in cfg.overfitting.benchmarks:
        if bench not in benchmarks:
            raise InputError(f"overfitting.benchmarks: no benchmark '{bench}'; e.g. {benchmarks[0]}")
    contamination = cfg.contamination
    if contamination.kind is ContaminationKind.none and contamination.rate > 0:
        raise InputError(
            f"contamination.rate={contamination.rate:g} leaks nothing with contamination=none; choose how leaks "
            "happen: contamination=uniform (or exposure, cells)"
        )
    if cfg.loo and not cfg.bayes:
        raise InputError("loo=true compares two fits of each world, but bayes=false fits none; set bayes=true")
    for index in cfg.only:
        if index >= cfg.replicates:
            raise InputError(f"only: replicate {index} does not exist; replicates are 0 to {cfg.replicates - 1}")
