"""Figures of a sweep report: gap and coverage against each swept parameter, heatmaps over two-parameter
grids, a tornado chart of parameter influence, and Sobol indices. All read ``results.csv``-shaped tables."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from benchgap.document import Figure
from benchgap.estimators import Estimator, coverage_name
from benchgap.jobs.report.analysis import OUTPUTS, SweepAnalysis, varying
from benchgap.plotting import plt, save_figure
from benchgap.sensitivity import levels, swing

SHOWN = {
    Estimator.composite.value: "naive weighted composite",
    Estimator.bayes.value: "Bayesian model",
}  # score-scale estimators, figures
MAX_LINES = 6  # more combinations of the other parameters than this are averaged into one line
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def gap_vs_parameter(
    results: pd.DataFrame, *, param: str, others: list[str], path: Path, gap: str, continuous: bool = False
) -> None:
    """Mean estimated gap against ``param``, one panel per estimator and one line per combination of the other
    swept parameters; the band spans the 5-95% range over replicate worlds; dashed lines are the true gap."""

    def draw(ax: plt.Axes, part: pd.DataFrame, x: np.ndarray, color: str, label: str, numeric: bool) -> None:
        ax.plot(x, part["mean_truth"], color=color, ls="--", lw=1)
        _line(ax, x, part["mean_estimate"], color, label, numeric, band=(part["estimate_q05"], part["estimate_q95"]))

    ylabel = f"best-vs-best composite-score gap ({gap})"
    fig = _panels(results, param, others, draw, ylabel=ylabel, continuous=continuous)
    for ax in fig.axes:
        ax.axhline(0, color="black", lw=0.8)
    fig.suptitle(
        f"Estimated gap vs {param}\nband: 5-95% of replicate worlds; dashed: true gap; below 0: sign flipped",
        fontsize=9,
    )
    save_figure(fig, path)


def coverage_vs_parameter(
    results: pd.DataFrame, *, param: str, others: list[str], path: Path, level: int, continuous: bool = False
) -> None:
    """Share of replicate worlds whose interval holds the true gap, against ``param``; the grey band is where a
    calibrated interval's coverage falls with 95% probability given the replicates per job."""
    column = coverage_name(level)
    nominal = level / 100

    def draw(ax: plt.Axes, part: pd.DataFrame, x: np.ndarray, color: str, label: str, numeric: bool) -> None:
        _line(ax, x, part[column], color, label, numeric)

    ylabel = f"{level}% interval coverage of the true gap"
    fig = _panels(results, param, others, draw, ylabel=ylabel, continuous=continuous)
    n = float(results["replicates"].median())
    half = 1.96 * np.sqrt(nominal * (1 - nominal) / n)
    for ax in fig.axes:
        ax.axhline(nominal, color="black", lw=1, label=f"nominal {nominal:.0%}")
        ax.axhspan(nominal - half, min(1.0, nominal + half), color="grey", alpha=0.15)
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle(
        f"Interval coverage vs {param}\nblack line: nominal {nominal:.0%}; grey: where a calibrated interval's "
        f"coverage falls for {n:.0f} worlds per job",
        fontsize=9,
    )
    save_figure(fig, path)


def _panels(
    results: pd.DataFrame,
    param: str,
    others: list[str],
    draw: Callable[..., None],
    *,
    ylabel: str,
    continuous: bool,
) -> plt.Figure:
    """One panel per score-scale estimator; in each, ``draw`` one line per combination of the ``others``
    (a continuous design averages over them and bins ``param``)."""
    estimators = [e for e in SHOWN if (results["estimator"] == e).any()]
    width = max(7.0, 5.2 * len(estimators))
    fig, axes = plt.subplots(1, len(estimators), figsize=(width, 4.2), squeeze=False, sharey=True)
    x_levels = levels(results[param], continuous=continuous)
    numeric = pd.api.types.is_numeric_dtype(x_levels)
    categories = sorted(x_levels.unique(), key=str)
    frame = results.assign(_x=x_levels)
    split = [] if continuous else [o for o in others if 1 < frame[o].nunique() <= MAX_LINES]
    if split and frame.groupby(split).ngroups > MAX_LINES:
        split = []  # too many lines to read: average over the other parameters
    for ax, estimator in zip(axes[0], estimators, strict=True):
        rows = frame[frame["estimator"] == estimator]
        groups = list(rows.groupby(split, sort=True)) if split else [((), rows)]
        for i, (key, part) in enumerate(groups):
            mean = part.groupby("_x", sort=True).mean(numeric_only=True).reset_index()
            if numeric:
                x = mean["_x"].to_numpy(float)
            else:  # side by side, so equal values do not hide each other
                shift = (i - (len(groups) - 1) / 2) * 0.08
                x = np.array([categories.index(v) + shift for v in mean["_x"]], float)
            key = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{k}={v}" for k, v in zip(split, key, strict=True)) or "all jobs"
            draw(ax, mean, x, COLORS[i % len(COLORS)], label, numeric)
        if not numeric:
            ax.set_xticks(range(len(categories)), [str(c) for c in categories], rotation=20, fontsize=8)
        ax.set_title(SHOWN[estimator], fontsize=10)
        ax.set_xlabel(param)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    axes[0][0].set_ylabel(ylabel)
    return fig


def _line(
    ax: plt.Axes,
    x: np.ndarray,
    y: pd.Series,
    color: str,
    label: str,
    numeric: bool,
    *,
    band: tuple[pd.Series, pd.Series] | None = None,
) -> None:
    if numeric:
        ax.plot(x, y, "o-", color=color, ms=4, label=label)
        if band is not None:
            ax.fill_between(x, band[0], band[1], color=color, alpha=0.15)
        return
    yerr = None if band is None else np.vstack([y - band[0], band[1] - y])
    ax.errorbar(x, y, yerr=yerr, fmt="o", color=color, ms=5, capsize=3, label=label)


def heatmap(
    results: pd.DataFrame, *, rows: str, columns: str, value: str, path: Path, title: str, diverging: bool = False
) -> None:
    """``value`` over a two-parameter grid, one panel per estimator, averaged over any other parameter."""
    estimators = [e for e in SHOWN if (results["estimator"] == e).any()]
    fig, axes = plt.subplots(1, len(estimators), figsize=(max(6.5, 5.0 * len(estimators)), 4.2), squeeze=False)
    tables = {
        e: results[results["estimator"] == e].pivot_table(index=rows, columns=columns, values=value, aggfunc="mean")
        for e in estimators
    }
    bound = max(float(np.nanmax(np.abs(t.to_numpy()))) for t in tables.values()) or 1.0
    for ax, (estimator, table) in zip(axes[0], tables.items(), strict=True):
        values = table.to_numpy(float)
        if diverging:
            image = ax.imshow(values, cmap="RdBu_r", vmin=-bound, vmax=bound, aspect="auto", origin="lower")
        else:
            image = ax.imshow(values, cmap="Reds", vmin=0, vmax=1, aspect="auto", origin="lower")
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}" if not diverging else f"{v:+.3f}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(table.shape[1]), [_short(c) for c in table.columns], fontsize=8, rotation=20)
        ax.set_yticks(range(table.shape[0]), [_short(r) for r in table.index], fontsize=8)
        ax.set_xlabel(columns)
        ax.set_ylabel(rows)
        ax.set_title(SHOWN[estimator], fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.85)
    fig.suptitle(title, fontsize=10)
    save_figure(fig, path)


def tornado(
    swings: dict[str, pd.DataFrame], *, baselines: dict[str, float], path: Path, continuous: bool = False
) -> None:
    """Per output, each parameter's bar spans the lowest to the highest output along it (``sensitivity.swing``:
    on a grid in the setting of the others where it moves most, in a design along its bins), widest first; the
    line is the mean over all jobs."""
    shown = {name: s for name, s in swings.items() if not s.empty}
    height = 1.6 + 0.5 * max(len(s) for s in shown.values())
    fig, axes = plt.subplots(1, len(shown), figsize=(max(7.0, 5.0 * len(shown)), height), squeeze=False)
    for ax, (name, table) in zip(axes[0], shown.items(), strict=True):
        y = np.arange(len(table))[::-1]
        ax.barh(y, table["high"] - table["low"], left=table["low"], color="#7a9cc6", height=0.6)
        ends = zip(y, table["low"], table["high"], table["low_at"], table["high_at"], strict=True)
        for yi, low_value, high_value, low_at, high_at in ends:
            if high_value <= low_value:
                ax.text(high_value, yi, " no effect", ha="left", va="center", fontsize=7)
                continue
            ax.text(low_value, yi, f"{_short(low_at)} ", ha="right", va="center", fontsize=7)
            ax.text(high_value, yi, f" {_short(high_at)}", ha="left", va="center", fontsize=7)
        ax.axvline(baselines[name], color="black", lw=0.8)
        ax.set_yticks(y, table["parameter"], fontsize=8)
        ax.set_xlabel(f"{name} ({'bin means, others averaged' if continuous else 'where the parameter moves it most'})")
        low, high = float(table["low"].min()), float(table["high"].max())
        pad = 0.3 * (high - low) or 0.01
        ax.set_xlim(low - pad, high + pad)
        ax.grid(axis="x", alpha=0.3)
    title = "How far each swept parameter moves each output (labels: the parameter's value at each end)"
    fig.suptitle(title, fontsize=9)
    save_figure(fig, path)


def sobol_bars(indices: pd.DataFrame, *, path: Path) -> None:
    """First-order and total indices with their 95% intervals, one panel per output."""
    outputs = list(dict.fromkeys(indices["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(max(7.0, 4.6 * len(outputs)), 3.8), squeeze=False, sharey=True)
    for ax, output in zip(axes[0], outputs, strict=True):
        part = indices[indices["output"] == output]
        x = np.arange(len(part))
        for offset, kind, color in ((-0.18, "first_order", "#1f5fa8"), (0.18, "total", "#c8402a")):
            value = part[kind].to_numpy(float)
            err = np.vstack([value - part[f"{kind}_low"], part[f"{kind}_high"] - value])
            ax.bar(x + offset, value, width=0.34, color=color, label=kind.replace("_", " "))
            ax.errorbar(x + offset, value, yerr=np.clip(err, 0, None), fmt="none", ecolor="black", capsize=3, lw=0.8)
        ax.set_xticks(x, part["parameter"], rotation=20, fontsize=8)
        ax.set_title(output, fontsize=10)
        ax.axhline(0, color="black", lw=0.6)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("share of output variance (95% interval)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Sensitivity indices: first order = the parameter alone; total = with its interactions", fontsize=9)
    save_figure(fig, path)


def _short(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def draw_figures(analysis: SweepAnalysis, *, out: Path, level: int) -> list[Figure]:
    """Every figure of the report, written into ``out``; returns them with their captions, in report order."""
    results, sweep = analysis.results, analysis.sweep
    params = varying(sweep, results)
    continuous = sweep.design is not None
    gap = f"{results['a'].iloc[0]} - {results['b'].iloc[0]}"
    figures = []
    for param in params:
        others = [p for p in params if p != param]
        slug = param.replace(".", "_")
        path = out / f"gap_vs_{slug}.png"
        gap_vs_parameter(results, param=param, others=others, path=path, gap=gap, continuous=continuous)
        figures.append(Figure(path, f"Estimated vs true gap as {param} varies (band: 5-95% of replicate worlds)."))
        path = out / f"coverage_vs_{slug}.png"
        coverage_vs_parameter(results, param=param, others=others, path=path, level=level, continuous=continuous)
        figures.append(Figure(path, f"{level}% interval coverage of the true gap as {param} varies."))
    pairs = [] if continuous else [(a, b) for i, a in enumerate(params) for b in params[i + 1 :]][:3]
    for rows, columns in pairs:
        tag = f"{rows.replace('.', '_')}__{columns.replace('.', '_')}"
        path = out / f"heatmap_sign_flip__{tag}.png"
        title = "Share of worlds with the wrong sign"
        heatmap(results, rows=rows, columns=columns, value="sign_error_rate", path=path, title=title)
        figures.append(Figure(path, f"Sign-flip probability over {rows} x {columns}."))
        path = out / f"heatmap_bias__{tag}.png"
        title = f"Bias: mean estimate minus true gap ({gap})"
        heatmap(results, rows=rows, columns=columns, value="bias", path=path, title=title, diverging=True)
        figures.append(Figure(path, f"Bias of the estimated gap over {rows} x {columns} (score points)."))
    if params:
        swings, baselines = {}, {}
        for output, estimator, _ in OUTPUTS:
            rows_ = results[results["estimator"] == estimator]
            column = {"apparent gap": "mean_estimate", "naive wrong-sign share": "sign_error_rate"}.get(output, "bias")
            if rows_.empty or output == "naive error":  # with the truth fixed across jobs it mirrors the gap
                continue
            swings[output] = swing(rows_, params=params, output=column, continuous=continuous)
            baselines[output] = float(rows_[column].mean())
        path = out / "tornado.png"
        tornado(swings, baselines=baselines, path=path, continuous=continuous)
        caption = "Tornado chart: how far each parameter moves each output, " + (
            "along its bins, the others averaged."
            if continuous
            else "in the setting of the others where it moves it most."
        )
        figures.append(Figure(path, caption))
    if not analysis.sensitivity.empty:
        path = out / "sensitivity.png"
        sobol_bars(analysis.sensitivity, path=path)
        figures.append(Figure(path, "Sensitivity indices with 95% intervals."))
    return figures
