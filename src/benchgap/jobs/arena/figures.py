"""The Arena figure: each group's frontier by snapshot, and the win probability beside the headline ratio."""

from pathlib import Path

import numpy as np

from benchgap.arena_gaps import ArenaLens
from benchgap.plotting import A_COLOR, B_COLOR, plt, save_figure


def gap_by_snapshot(lens: ArenaLens, out_dir: Path) -> list[tuple[Path, str]]:
    """Top: each group's best strength per snapshot with its interval (published best ratings as crosses). Bottom:
    the best-vs-best win probability with its interval, and the ratio of ratings a headline would quote."""
    if not lens.gaps:
        return []
    x = np.arange(len(lens.gaps))
    labels = [g.snapshot for g in lens.gaps]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for offset, color, name, pick in (
        (-0.08, A_COLOR, lens.a, lambda g: (g.frontier_a, g.published.rating_a if g.published else None)),
        (0.08, B_COLOR, lens.b, lambda g: (g.frontier_b, g.published.rating_b if g.published else None)),
    ):
        frontier = [pick(g)[0] for g in lens.gaps]
        lo = [f.mean - f.interval[0] for f in frontier]
        hi = [f.interval[1] - f.mean for f in frontier]
        top.errorbar(x + offset, [f.mean for f in frontier], yerr=[lo, hi], fmt="o", color=color, label=f"best {name}")
        published = [pick(g)[1] for g in lens.gaps]
        if all(p is not None for p in published):
            top.plot(x + offset, published, "x", color=color, alpha=0.6)
    top.set_ylabel("strength of the best model (rating points)")
    top.set_title(f"Frontier by snapshot ({lens.interval_prob:.0%} intervals; crosses: published ratings)")
    top.legend(fontsize=8)
    top.grid(alpha=0.3)
    win = [g.win for g in lens.gaps]
    bottom.errorbar(
        x,
        [w.mean for w in win],
        yerr=[[w.mean - w.interval[0] for w in win], [w.interval[1] - w.mean for w in win]],
        fmt="o-",
        color=A_COLOR,
        label=f"P(best {lens.a} beats best {lens.b})",
    )
    bottom.axhline(0.5, color="black", lw=1)
    bottom.set_ylabel("head-to-head win probability")
    bottom.grid(alpha=0.3)
    if all(g.published is not None for g in lens.gaps):
        ratio = bottom.twinx()
        ratio.plot(x, [g.published.ratio * 100 for g in lens.gaps], "s--", color="#777", label="headline ratio (%)")  # type: ignore[union-attr]
        ratio.plot(
            x,
            [g.published.ratio_shifted * 100 for g in lens.gaps],  # type: ignore[union-attr]
            "^:",
            color="#bbb",
            label=f"same gaps, +{lens.shift:,.0f} points (%)",
        )
        ratio.set_ylabel("gap as % of the best rating")
        ratio.legend(fontsize=8, loc="upper right")
    bottom.legend(fontsize=8, loc="upper left")
    bottom.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    path = out_dir / "arena_gap.png"
    save_figure(fig, path)
    return [(path, "Each group's best model by snapshot, and the head-to-head win probability beside the ratio")]
