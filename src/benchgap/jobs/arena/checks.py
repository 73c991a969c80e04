"""``benchgap arena``'s one validation place: the settings a schema cannot check, and the compared groups."""

from collections import Counter
from collections.abc import Sequence

from benchgap.arena_settings import ArenaConfig, ArenaGapConfig
from benchgap.arena_world import check_world
from benchgap.errors import InputError
from benchgap.group_race import check_listed
from benchgap.ranges import check_ranges


def check_arena(cfg: ArenaConfig) -> None:
    """Ranges of every numeric setting, one source (ratings or votes, unless simulating), verdict thresholds in
    order, and a simulated world that can be drawn."""
    check_ranges(cfg)
    if cfg.gap.likely > cfg.gap.ahead:
        raise InputError(
            f"gap.likely={cfg.gap.likely:g} is above gap.ahead={cfg.gap.ahead:g}; set gap.likely <= gap.ahead"
        )
    if cfg.gap.a == cfg.gap.b:
        raise InputError(f"gap.a and gap.b are both '{cfg.gap.a}'; compare two different groups")
    if cfg.worlds > 0:
        check_world(cfg.world, cfg.gap)
        return
    if cfg.votes and cfg.ratings:
        raise InputError(
            "both ratings and votes are set; fit one: ratings=FILE (a leaderboard) or votes=FILE (battles), and set "
            "the other to null"
        )
    if not cfg.votes and not cfg.ratings:
        raise InputError("neither ratings nor votes is set; give ratings=FILE, votes=FILE, or worlds=N to simulate")
    if cfg.votes and cfg.gap.by != "group":
        raise InputError(
            f"gap.by={cfg.gap.by} reads a column of a ratings file; votes take their groups from models=FILE "
            "(columns model, group): set gap.by=group and put the grouping you want in that file"
        )


def check_groups(groups: Sequence[str], gap: ArenaGapConfig, *, source: str) -> None:
    """Both compared groups, and every group of ``gap.groups``, have models in the file."""
    counts = Counter(groups)
    present = ", ".join(f"{g} ({n})" for g, n in counts.most_common())
    for key, name in (("gap.a", gap.a), ("gap.b", gap.b)):
        if name not in counts:
            raise InputError(
                f"{key}='{name}' is not a group of {source}; groups (rows): {present}. Set {key} to one of them, or "
                "give models=FILE (columns model, group)"
            )
    hint = "groups come from the file's group column, models=FILE or gap.by"
    check_listed(gap.groups, dict(counts.most_common()), source=source, hint=hint)
