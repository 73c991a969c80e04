"""The simulate job: replicate worlds -> distortions -> every estimator -> truth vs estimate -> files.

Usable without Hydra: ``run_simulate(SimulateConfig(...), out_dir=Path(...))``. Replicate ``r`` draws from
``SeedSequence(seed).spawn(replicates)[r]`` (``benchgap.scoring``), so any one replicate can be re-run alone
(``only=[r]``) and a resumed job gives the same numbers.
"""

import dataclasses
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchgap import __version__
from benchgap.config import SimulateConfig, WeightScheme
from benchgap.errors import InputError
from benchgap.estimators import Estimator
from benchgap.inflation import CLEAN_POINTS, INFLATED_POINTS
from benchgap.jobs.simulate.checks import check_simulate
from benchgap.jobs.simulate.page import headline_sentence
from benchgap.jobs.simulate.resume import PARTIAL, completed_result, finished_rows, rows_per_replicate, settings_key
from benchgap.metrics import aggregate, binomial_interval, pit_coverage, reliability_rows
from benchgap.processes import cores_per_worker, side_by_side
from benchgap.records.files import RESULT, to_plain, write_json_atomic, written_together
from benchgap.records.simulate_result import (
    CategoryScoring,
    DimensionalityFound,
    DirichletSpread,
    FlipDistances,
    Headline,
    InflationFound,
    ModelFlipDistances,
    SimulateResult,
    TrendFound,
    TruthMeans,
    WeightingSummary,
)
from benchgap.sampling import process_cache, run_lengths
from benchgap.scoring import draw_replicate, score_replicate

log = logging.getLogger("benchgap")


def run_simulate(
    cfg: SimulateConfig, *, out_dir: Path, overrides: list[str] | None = None, label: str = "simulate"
) -> SimulateResult:
    """Run the whole simulate job into ``out_dir``; returns the result (``result.json``).

    A folder that already holds a complete result with the same settings is left as it is (a resumed sweep
    skips it). Finished replicates are appended to a partial file as they come, so a stopped job resumes
    where it stopped; ``replicates.csv``, the figure and ``result.json`` (last) appear only when all are done.
    """
    check_simulate(cfg)
    key = settings_key(cfg)
    done = completed_result(out_dir, key)
    if done is not None:
        log.info("%s: complete (result.json has these settings); skipped", label)
        return done
    _clear_stale_result(out_dir, cfg)
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / f"{PARTIAL}.{settings_key(cfg, rows_only=True)}"
    indices = list(dict.fromkeys(cfg.only)) if cfg.only else list(range(cfg.replicates))
    rows = finished_rows(partial, per_replicate=rows_per_replicate(cfg))
    finished = set(rows["replicate"]) & set(indices) if len(rows) else set()
    if finished:
        log.info("%s: resuming; %d of %d replicates already done", label, len(finished), len(indices))
    progress = Progress(label, total=len(indices), done=len(finished))
    start = time.perf_counter()
    share = dataclasses.replace(cfg, sampler=cores_per_worker(cfg.sampler, cfg.workers))
    tasks = [(share, index) for index in indices if index not in finished]
    for new in side_by_side(_scored, tasks, workers=cfg.workers, label=label):
        new.to_csv(partial, mode="a", header=not partial.exists(), index=False)
        rows = pd.concat([rows, new], ignore_index=True) if len(rows) else new
        progress.step(new)
    frame = rows[rows["replicate"].isin(indices)].sort_values("replicate", kind="stable").reset_index(drop=True)
    result = summarise(frame, cfg, key=key, overrides=overrides or [], seconds=time.perf_counter() - start)
    _write_outputs(frame, result, out_dir=out_dir, plots=cfg.plots)
    if not cfg.only:  # a re-run of some replicates keeps the rows a stopped full run may still need
        for stale in out_dir.glob(f"{PARTIAL}.*"):
            stale.unlink()
    log.info("%s: %s", label, headline_sentence(result))
    return result


def _scored(cfg: SimulateConfig, index: int) -> pd.DataFrame:
    """Replicate ``index``'s rows (in a worker process too: its process cache compiles the model on its first)."""
    cache = process_cache(cfg.model, cfg.sampler.backend) if cfg.bayes else None
    return pd.DataFrame(score_replicate(draw_replicate(cfg, index), cfg, cache))


def _clear_stale_result(out_dir: Path, cfg: SimulateConfig) -> None:
    """A finished job's files with other settings: replaced by a full run, never by a re-run of a few replicates."""
    if not (out_dir / RESULT).exists():
        return
    if cfg.only:
        raise InputError(
            f"{out_dir} holds a finished job with other settings; re-run replicates {cfg.only} into a folder of "
            "their own (hydra.run.dir=DIR)"
        )
    for name in (RESULT, "replicates.csv", "gaps.png"):
        (out_dir / name).unlink(missing_ok=True)


class Progress:
    """One log line per finished replicate: where the job is, what it found, and how long is left."""

    def __init__(self, label: str, *, total: int, done: int) -> None:
        self.label, self.total, self.done = label, total, done
        self.start, self.fresh = time.perf_counter(), 0

    def step(self, rows: pd.DataFrame) -> None:
        self.done += 1
        self.fresh += 1
        elapsed = time.perf_counter() - self.start
        left = elapsed / self.fresh * (self.total - self.done)
        by = rows.set_index("estimator")
        naive, bayes = Estimator.composite.value, Estimator.bayes.value
        parts = [f"truth {by['truth'][naive]:+.3f}", f"composite {by['estimate'][naive]:+.3f}"]
        if bayes in by.index:
            parts.append(
                f"model {by['estimate'][bayes]:+.3f} [{by['lo_90'][bayes]:+.3f}, {by['hi_90'][bayes]:+.3f}]"
                + ("" if by["converged"][bayes] else " (not converged)")
            )
        log.info(
            "%s: replicate %d/%d (#%d): score gap %s; %.0f s, about %.0f s left",
            self.label,
            self.done,
            self.total,
            int(rows["replicate"].iloc[0]),
            ", ".join(parts),
            elapsed,
            left,
        )


def summarise(
    frame: pd.DataFrame, cfg: SimulateConfig, *, key: str, overrides: list[str], seconds: float
) -> SimulateResult:
    """``result.json``: what was run, the truth, and every estimator's aggregates."""
    per_replicate = frame.drop_duplicates("replicate")
    estimators = aggregate(frame)
    weighting = _weighting_summary(frame, per_replicate, cfg)
    quoted = Estimator.mean_win_rate if cfg.weighting.kind is WeightScheme.mean_win_rate else Estimator.composite
    chosen = estimators[quoted.value]
    headline = Headline(
        estimator=quoted.value,
        mean_estimate=chosen.mean_estimate,
        mean_truth=chosen.mean_truth,
        bias=chosen.bias,
        sign_error_rate=chosen.sign_error_rate,
        flip_distance_median=(
            weighting.flip_distance.median if cfg.weighting.kind is WeightScheme.adversarial else None
        ),
    )
    return SimulateResult(
        benchgap_version=__version__,
        status="complete",
        settings_key=key,
        overrides=tuple(overrides),
        parameters=to_plain(cfg),
        replicates=int(per_replicate.shape[0]),
        truth=TruthMeans(
            latent_gap_mean=float(per_replicate["true_latent_gap"].mean()),
            score_gap_mean=float(per_replicate["true_score_gap"].mean()),
            best_a_score_mean=float(per_replicate["true_best_a_score"].mean()),
            best_b_score_mean=float(per_replicate["true_best_b_score"].mean()),
            suite_gap_mean=float(per_replicate["true_suite_gap"].mean()),
            suite_best_a_score_mean=float(per_replicate["true_suite_best_a_score"].mean()),
            suite_best_b_score_mean=float(per_replicate["true_suite_best_b_score"].mean()),
        ),
        headline=headline,
        estimators=estimators,
        weighting=weighting,
        inflation=_inflation_found(frame, cfg),
        trend=_trend_found(frame),
        dimensions=_dimensions_found(frame),
        dimensionality=_dimensionality_found(frame),
        inference=_inference(cfg),
        seconds_this_run=seconds,
    )


def _weighting_summary(frame: pd.DataFrame, per_replicate: pd.DataFrame, cfg: SimulateConfig) -> WeightingSummary:
    """How far the composite weights must move to flip the apparent gap (and the model's), and for ``dirichlet``
    the apparent gap's spread over random weightings."""
    flips = per_replicate["flip_distance"].fillna(np.inf)  # NaN: no reweighting flips that world
    fits = frame[frame["estimator"] == Estimator.bayes.value]
    model_flips = _model_flips(
        fits,
        "model_flip_distance",
        "the same for the Bayesian model's posterior-mean gap (each draw's sign never flips)",
    )
    suite_flips = _model_flips(
        fits,
        "suite_flip_distance",
        "the same for the model's suite gap (plug-in: the posterior-mean persistent scores)",
    )
    dirichlet = model_suite = None
    if "apparent_q50" in per_replicate:
        dirichlet = DirichletSpread(
            note="apparent composite gap over random weightings, per replicate, averaged over replicates",
            **{q: float(per_replicate[f"apparent_{q}"].mean()) for q in ("q05", "q50", "q95")},
            sign_flip_share=float(per_replicate["apparent_sign_flip_share"].mean()),
            suite_sign_flip_share=float(per_replicate["apparent_suite_sign_flip_share"].mean()),
        )
    if "model_suite_q50" in fits:
        model_suite = DirichletSpread(
            note="the model's posterior-mean suite gap over the same weightings; wrong sign against the suite truth",
            **{q: float(fits[f"model_suite_{q}"].mean()) for q in ("q05", "q50", "q95")},
            sign_flip_share=float(fits["model_suite_sign_flip_share"].mean()),
        )
    return WeightingSummary(
        kind=cfg.weighting.kind.value,
        flip_distance=FlipDistances(
            note="smallest total-variation change of the composite weights that flips the apparent gap's sign",
            median=_finite(flips.median()),
            q10=_finite(np.quantile(flips, 0.1, method="inverted_cdf")),  # no interpolation with infinity
            q90=_finite(np.quantile(flips, 0.9, method="inverted_cdf")),
            no_flip_possible_share=float(np.isinf(flips).mean()),
        ),
        model_flip_distance=model_flips,
        dirichlet=dirichlet,
        suite_flip_distance=suite_flips,
        model_suite_dirichlet=model_suite,
    )


def _model_flips(fits: pd.DataFrame, column: str, note: str) -> ModelFlipDistances | None:
    """Over fitted replicates: the median flip distance of ``column`` (NaN: no reweighting flips that world)."""
    if column not in fits:
        return None
    return ModelFlipDistances(
        note=note,
        median=_finite(fits[column].fillna(np.inf).median()),
        no_flip_possible_share=float(fits[column].isna().mean()),
    )


def _inflation_found(frame: pd.DataFrame, cfg: SimulateConfig) -> InflationFound | None:
    """``model=contamination_aware``: how well the cells' probabilities found the injected inflation."""
    if "inflation_auc" not in frame:
        return None
    fits = frame[frame["estimator"] == Estimator.bayes.value]
    return InflationFound(
        note=(
            "model=contamination_aware against the injected truth, per replicate then averaged: AUC of the cells' "
            f"probability of inflation (inflated: at least {INFLATED_POINTS:g} points; clean: under "
            f"{CLEAN_POINTS:g}), and the shares of clean and of inflated cells flagged at probability "
            f">= {cfg.model.inflation.flag_probability:g}"
        ),
        auc_mean=_finite(fits["inflation_auc"].mean()),
        auc_min=_finite(fits["inflation_auc"].min()),
        false_positive_rate=_finite(fits["false_positive_rate"].mean()),
        specialist_false_positive_rate=(
            _finite(fits["specialist_false_positive_rate"].mean()) if "specialist_cells" in fits else None
        ),
        clean_cells=float(fits["clean_cells"].sum()) if "clean_cells" in fits else None,
        detection_rate=_finite(fits["detection_rate"].mean()),
        inflated_cells_mean=float(fits["inflated_cells"].mean()),
        flagged_cells_mean=float(fits["flagged_cells"].mean()),
    )


def _trend_found(frame: pd.DataFrame) -> TrendFound | None:
    """``trend.score=true``: the randomized-PIT coverage of each trend estimand and the reliability of P(closing)."""
    if "pit" not in frame:
        return None
    fits = frame[frame["pit"].notna()]
    closing = {"lag": Estimator.bayes_lag.value, "latent": Estimator.bayes_gap_change.value}
    return TrendFound(
        note=(
            "pit_coverage_90: the share of worlds whose truth's randomized PIT lies in (0.05, 0.95), the 90% "
            "equal-tailed interval's coverage with ties at its ends split at random (a lag takes few values, so "
            "'covered_90' counts a truth at an end as inside); reliability: worlds binned by P(closing) against the "
            "share whose true frontier gap (or lag) closed"
        ),
        pit_coverage_90={str(name): pit_coverage(rows["pit"]) for name, rows in fits.groupby("estimator", sort=False)},
        reliability={
            key: tuple(reliability_rows(rows["prob_closing"], rows["true_closing"]))
            for key, name in closing.items()
            for rows in [fits[fits["estimator"] == name]]
        },
    )


def _dimensions_found(frame: pd.DataFrame) -> dict[str, dict[str, CategoryScoring]] | None:
    """Worlds with ``world.dimensions``: each per-category estimator's scoring in each category."""
    if "dimension" not in frame:
        return None
    rows = frame[frame["dimension"].notna()]
    return {
        str(name): {
            str(category): CategoryScoring(
                worlds=len(part),
                mean_truth=float(part["truth"].mean()),
                bias=float(part["error"].mean()),
                rmse=float(np.sqrt((part["error"] ** 2).mean())),
                coverage_90=_finite(part["covered_90"].mean()),
            )
            for category, part in by_estimator.groupby("dimension", sort=False)
        }
        for name, by_estimator in rows.groupby("estimator", sort=False)
    }


def _dimensionality_found(frame: pd.DataFrame) -> DimensionalityFound | None:
    """``loo=true``: over the worlds, which dimensionality PSIS-LOO preferred, and how often it was the right one."""
    if "loo_right" not in frame:
        return None
    fits = frame[frame["estimator"] == Estimator.bayes.value]
    right = float(fits["loo_right"].mean())
    return DimensionalityFound(
        note=(
            "per world, PSIS-LOO of the one-dimensional and the per-category fit: 'clearly' preferred when the ELPD "
            "difference is over 4 and over twice its se, else 'neither'; right: the per-category fit in worlds whose "
            "categories differ (world.dimensions), the one-dimensional fit otherwise"
        ),
        worlds=len(fits),
        preferred={str(k): float(v) for k, v in fits["loo_preferred"].value_counts(normalize=True).items()},
        right_share=right,
        right_interval=binomial_interval(right, len(fits)),
        difference_mean=float(fits["loo_difference"].mean()),
        high_k_mean=float(fits["loo_high_k"].mean()),
    )


def _inference(cfg: SimulateConfig) -> str:
    if not cfg.bayes:
        return "none (bayes=false)"
    return f"NUTS ({cfg.sampler.backend.value}), {run_lengths(cfg.sampler)} per replicate"


def _finite(value: Any) -> float | None:
    return float(value) if np.isfinite(value) else None


def _write_outputs(frame: pd.DataFrame, result: SimulateResult, *, out_dir: Path, plots: bool) -> None:
    """``replicates.csv`` and the figure first, ``result.json`` last: a result file means a finished job."""
    with written_together(out_dir) as scratch:
        frame.to_csv(scratch / "replicates.csv", index=False)
        if plots:
            from benchgap.jobs.simulate.figures import simulated_gaps

            simulated_gaps(frame, scratch / "gaps.png")
    write_json_atomic(out_dir / RESULT, result.to_json())
