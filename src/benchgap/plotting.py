"""What every job's figures share: the headless matplotlib backend, the group colours, and saving a figure."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

A_COLOR, B_COLOR, OTHER_COLOR = "#1f5fa8", "#c8402a", "#9a9a9a"  # group a, group b, every other group


def save_figure(fig: plt.Figure, path: Path) -> None:
    """Lay ``fig`` out, write it as a PNG and free it."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
