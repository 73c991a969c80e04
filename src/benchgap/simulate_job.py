"""The simulate job: replicate worlds -> distortions -> every estimator -> truth vs estimate -> files.

Usable without Hydra: ``run_simulate(SimulateConfig(...), out_dir=Path(...))``. Replicate ``r`` draws from
``SeedSequence(seed).spawn(replicates)[r]`` (world, noise, random weights and the sampler's seed), so any one
replicate can be re-run alone (``only=[r]``) and a resumed job gives the same numbers.
"""

import dataclasses
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from arviz_stats.base import array_stats

from benchgap import __version__
from benchgap.config import (
    ContaminationKind,
    GapConfig,
    ModelKind,
    OverfittingConfig,
    SimulateConfig,
    Weighting,
    WeightingKind,
)
from benchgap.data import ScoreTable
from benchgap.errors import InputError
from benchgap.inflation import CLEAN_POINTS, INFLATED_POINTS, cell_draws, detection
from benchgap.lenses import lens_gap, mean_win_rate, weighted_composite
from benchgap.metrics import LEVELS, aggregate, interval_columns, point_columns, ranking_columns
from benchgap.records import RESULT, plain, write_json_atomic
from benchgap.simulate import (
    World,
    check_settings,
    distorted_scores,
    inflated_cells,
    noise_free_table,
    observe,
    sample_world,
)
from benchgap.weighting import best_vs_best, dirichlet_weights, flip_distance, scheme_weights

if TYPE_CHECKING:
    from benchgap.model import ModelCache

log = logging.getLogger("benchgap")
NO_OVERFITTING = OverfittingConfig()  # contamination alone: the inflation the contamination-aware model is scored on
PARTIAL = ".replicates.partial.csv"  # rows of finished replicates while the job runs (resume point)
RUN_ONLY_SAMPLER_KEYS = ("cores", "progress")  # sampler settings that change how a fit runs, not its draws


@dataclass(frozen=True)
class Replicate:
    """One drawn, distorted and measured world, with the weights its composites use."""

    index: int
    world: World
    table: ScoreTable  # what a leaderboard would publish
    weights: np.ndarray  # composite weights of this replicate
    weight_draws: np.ndarray | None  # dirichlet: every weighting drawn (draws, benchmarks)
    sampler_seed: int
    inflation: np.ndarray  # score points contamination added to each (model, benchmark) cell's expected score


def draw_replicate(cfg: SimulateConfig, index: int) -> Replicate:
    """Replicate ``index`` of the job: the same world, noise and weights every time it is drawn."""
    seed = np.random.SeedSequence(cfg.seed).spawn(cfg.replicates)[index]
    rng = np.random.default_rng(seed)
    world = sample_world(cfg.world, rng)
    inflated = inflated_cells(world, cfg.contamination, rng)
    expected = distorted_scores(world, overfitting=cfg.overfitting, contamination=cfg.contamination, inflated=inflated)
    contaminated = distorted_scores(
        world, overfitting=NO_OVERFITTING, contamination=cfg.contamination, inflated=inflated
    )
    table = observe(world, expected, noise=cfg.world.noise, rng=rng)
    weights = scheme_weights(world.benchmarks, world.categories, cfg.weighting)
    draws = None
    if cfg.weighting.kind is WeightingKind.dirichlet:
        draws = dirichlet_weights(rng, len(world.benchmarks), cfg.weighting)
        weights = draws[0]
    table = dataclasses.replace(table, custom_weight=weights)
    sampler_seed = int(seed.spawn(1)[0].generate_state(1)[0])  # a child stream: independent of the world's draws
    inflation = contaminated - world.truth.expected_score
    return Replicate(index, world, table, weights, draws, sampler_seed, inflation)


def score_replicate(rep: Replicate, cfg: SimulateConfig, cache: "ModelCache | None") -> list[dict[str, Any]]:
    """One row per estimator: its gap, the truth on its scale, intervals, sign, ranking and diagnostics.

    Truths come from the undistorted, noise-free world: the latent gap (best vs best capability, on the model's
    standardised scale), the composite-score gap under this replicate's weights, and HELM's mean win rate
    computed on the expected scores.
    """
    world = rep.world
    groups = np.asarray(world.groups)
    in_a, in_b = groups == cfg.world.a, groups == cfg.world.b
    true_composite = world.truth.expected_score @ rep.weights
    perfect = noise_free_table(world)
    truths = {
        "best_a_score": float(true_composite[in_a].max()),
        "best_b_score": float(true_composite[in_b].max()),
        "latent": float(best_vs_best(world.truth.theta, in_a, in_b)),
        "score": float(best_vs_best(true_composite, in_a, in_b)),
        "win_rate": lens_gap(mean_win_rate(perfect), perfect, a=cfg.world.a, b=cfg.world.b).gap,
    }
    shared = _replicate_columns(rep, in_a, in_b, truths)
    rows = [_composite_row(rep, cfg, shared, truths["score"]), _win_rate_row(rep, cfg, shared, truths["win_rate"])]
    if cache is not None:
        rows += _bayes_rows(rep, cfg, cache, shared, truths)
    return rows


def _composite_row(rep: Replicate, cfg: SimulateConfig, shared: dict[str, Any], truth: float) -> dict[str, Any]:
    """The headline number: best vs best weighted composite, with the binomial interval of the two best."""
    table = rep.table
    composite, se = weighted_composite(table, rep.weights)
    naive = lens_gap(composite, table, a=cfg.world.a, b=cfg.world.b)
    gap_se = float(np.hypot(se[table.models.index(naive.a_model)], se[table.models.index(naive.b_model)]))
    z = {level: _normal_quantile(level) for level in LEVELS}
    intervals = {level: (naive.gap - z[level] * gap_se, naive.gap + z[level] * gap_se) for level in LEVELS}
    return (
        shared
        | {"estimator": "composite", "scale": "score", "se": gap_se, "best_a": naive.a_model, "best_b": naive.b_model}
        | point_columns(naive.gap, truth)
        | interval_columns(intervals, truth)
        | ranking_columns(composite, rep.world.truth.theta)
    )


def _win_rate_row(rep: Replicate, cfg: SimulateConfig, shared: dict[str, Any], truth: float) -> dict[str, Any]:
    """HELM's mean win rate, best vs best; HELM publishes no interval."""
    win_rates = mean_win_rate(rep.table)
    helm = lens_gap(win_rates, rep.table, a=cfg.world.a, b=cfg.world.b)
    return (
        shared
        | {"estimator": "mean_win_rate", "scale": "win_rate", "se": np.nan}
        | {"best_a": helm.a_model, "best_b": helm.b_model}
        | point_columns(helm.gap, truth)
        | interval_columns({}, truth)
        | ranking_columns(win_rates, rep.world.truth.theta)
    )


def _bayes_rows(
    rep: Replicate, cfg: SimulateConfig, cache: "ModelCache", shared: dict[str, Any], truths: dict[str, float]
) -> list[dict[str, Any]]:
    """The model of ``benchgap fit``, fitted with the job's compiled model: its score and latent gaps."""
    from benchgap.fit import fit
    from benchgap.predict import leader_score_differences

    gap = GapConfig(a=cfg.world.a, b=cfg.world.b, weighting=Weighting.custom)
    sampler = dataclasses.replace(cfg.sampler, seed=rep.sampler_seed)
    result = fit(rep.table, model=cfg.model, sampler=sampler, gap=gap, convergence=cfg.convergence, cache=cache)
    est, diag = result.estimates, result.diagnostics
    # The reweighting that reverses the sign of the model's posterior-mean gap, which is linear in the weights.
    # (No reweighting can reverse any single draw's sign: see predict.leader_score_differences.)
    groups = np.asarray(rep.table.groups)
    differences = leader_score_differences(
        result.posterior, rep.table, in_a=groups == cfg.world.a, in_b=groups == cfg.world.b
    )
    model_flip = flip_distance(
        np.vstack([differences, np.zeros_like(differences)]),
        rep.weights,
        in_a=np.array([True, False]),
        in_b=np.array([False, True]),
    )
    fit_columns = {
        "model_flip_distance": model_flip,
        "converged": float(diag.converged),
        "max_rhat": diag.max_rhat,
        "worst": diag.worst,
        "min_ess_bulk": diag.min_ess_bulk,
        "divergences": diag.divergences,
        "fit_seconds": result.seconds,
    }
    if cfg.model.kind is ModelKind.contamination_aware:
        probability = cell_draws(result.posterior)[0].mean(axis=0)
        true_points = rep.inflation[rep.table.model_idx, rep.table.bench_idx]
        fit_columns |= detection(probability, true_points, flag_probability=cfg.model.inflation.flag_probability)
    likeliest_best = {
        group: max((m for m in est.models if m.group == group), key=lambda m: m.prob_best_in_group).model
        for group in (cfg.world.a, cfg.world.b)
    }
    rows = []
    for estimator, scale, name, ranking in (
        ("bayes", "score", "gap_score", np.array([m.composite_mean for m in est.models])),
        ("bayes_latent", "latent", "gap_latent", np.array([m.theta_mean for m in est.models])),
    ):
        draws = est.draws[name].ravel()
        intervals = {level: _pair(array_stats.hdi(draws, level)) for level in LEVELS}
        rows.append(
            shared
            | {"estimator": estimator, "scale": scale, "se": float(draws.std(ddof=1))}
            | {"best_a": likeliest_best[cfg.world.a], "best_b": likeliest_best[cfg.world.b]}
            | {"prob_a_ahead": float((draws > 0).mean())}
            | point_columns(float(draws.mean()), truths[scale])
            | interval_columns(intervals, truths[scale])
            | ranking_columns(ranking, rep.world.truth.theta)
            | fit_columns
        )
    return rows


def _replicate_columns(rep: Replicate, in_a: np.ndarray, in_b: np.ndarray, truths: dict[str, float]) -> dict[str, Any]:
    """Per-replicate values repeated on each estimator's row: truths, the weighting's spread and flip distance.

    For the flip distance and the random weightings, a missing cell is filled with its model's weighted composite,
    which leaves every model's composite under the replicate's weights (and so the apparent gap) unchanged.
    """
    scores = rep.table.matrix()
    composite, _ = weighted_composite(rep.table, rep.weights)
    filled = np.where(np.isfinite(scores), scores, composite[:, None])
    out: dict[str, Any] = {
        "replicate": rep.index,
        "true_latent_gap": truths["latent"],
        "true_score_gap": truths["score"],
        "true_best_a_score": truths["best_a_score"],
        "true_best_b_score": truths["best_b_score"],
        "flip_distance": flip_distance(filled, rep.weights, in_a=in_a, in_b=in_b),
    }
    if rep.weight_draws is not None:
        apparent = best_vs_best(rep.weight_draws @ filled.T, in_a, in_b)  # per random weighting
        true = best_vs_best(rep.weight_draws @ rep.world.truth.expected_score.T, in_a, in_b)  # same weighting
        out |= {
            "apparent_q05": float(np.quantile(apparent, 0.05)),
            "apparent_q50": float(np.quantile(apparent, 0.5)),
            "apparent_q95": float(np.quantile(apparent, 0.95)),
            "apparent_sign_flip_share": float(np.mean((np.sign(apparent) != np.sign(true)) & (true != 0))),
        }
    return out


def _pair(bounds: np.ndarray) -> tuple[float, float]:
    return float(bounds[0]), float(bounds[1])


def _normal_quantile(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


_CACHES: dict[str, "ModelCache"] = {}


def process_cache(cfg: SimulateConfig) -> "ModelCache":
    """The process's compiled models for this model spec and backend: sweep jobs that run one after another in
    one process (Hydra's basic launcher, a reused joblib worker) compile each table shape once between them."""
    from benchgap.model import ModelCache

    key = repr(cfg.model) + cfg.sampler.backend.value
    if key not in _CACHES:
        _CACHES[key] = ModelCache(cfg.model, cfg.sampler.backend)
    return _CACHES[key]


def settings_key(cfg: SimulateConfig, *, rows_only: bool = False) -> str:
    """A short hash of every setting that can change a number, and of benchgap's version.

    A stored result counts only for the same key. Cores and the progress bar are left out, so a sweep started with
    one launcher can be resumed with another (joblib runs chains on one core). ``rows_only``: the key of the
    per-replicate rows, which do not depend on which replicates run (``only``) or on ``plots``.
    """
    settings = plain(dataclasses.asdict(cfg)) | {"benchgap_version": __version__}
    for name in RUN_ONLY_SAMPLER_KEYS:
        settings["sampler"].pop(name)
    _drop_unused(settings)
    if rows_only:
        settings.pop("only")
        settings.pop("plots")
    text = json.dumps(settings, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _drop_unused(settings: dict[str, Any]) -> None:
    """Leave settings out of a key where they cannot change a number: the inflation prior of the plain model and
    the points of contamination other than ``cells`` (so adding them kept finished jobs' keys valid)."""
    if settings["model"]["kind"] == ModelKind.irt.value:
        settings["model"].pop("inflation")
        settings["model"].pop("kind")
    if settings["contamination"]["kind"] != ContaminationKind.cells.value:
        settings["contamination"].pop("points")


def completed_result(out_dir: Path, key: str) -> dict[str, Any] | None:
    """The job folder's ``result.json`` if it is complete and was made with the same settings."""
    path = out_dir / RESULT
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return stored if stored.get("status") == "complete" and stored.get("settings_key") == key else None


def run_simulate(
    cfg: SimulateConfig, *, out_dir: Path, overrides: list[str] | None = None, label: str = "simulate"
) -> dict[str, Any]:
    """Run the whole simulate job into ``out_dir``; returns the result (``result.json``).

    A folder that already holds a complete result with the same settings is left as it is (a resumed sweep
    skips it). Finished replicates are appended to a partial file as they come, so a stopped job resumes
    where it stopped; ``replicates.csv``, the figure and ``result.json`` (last) appear only when all are done.
    """
    check_settings(cfg)
    key = settings_key(cfg)
    done = completed_result(out_dir, key)
    if done is not None:
        log.info("%s: complete (result.json has these settings); skipped", label)
        return done
    _clear_stale_result(out_dir, cfg)
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / f"{PARTIAL}.{settings_key(cfg, rows_only=True)}"
    indices = list(dict.fromkeys(cfg.only)) if cfg.only else list(range(cfg.replicates))
    rows = _finished_rows(partial, per_replicate=4 if cfg.bayes else 2)
    finished = set(rows["replicate"]) if len(rows) else set()
    if finished & set(indices):
        log.info("%s: resuming; %d of %d replicates already done", label, len(finished & set(indices)), len(indices))
    cache = process_cache(cfg) if cfg.bayes else None
    progress = Progress(label, total=len(indices), done=len(finished & set(indices)))
    start = time.perf_counter()
    for index in indices:
        if index in finished:
            continue
        new = pd.DataFrame(score_replicate(draw_replicate(cfg, index), cfg, cache))
        new.to_csv(partial, mode="a", header=not partial.exists(), index=False)
        rows = pd.concat([rows, new], ignore_index=True) if len(rows) else new
        progress.step(new)
    frame = rows[rows["replicate"].isin(indices)].sort_values("replicate", kind="stable").reset_index(drop=True)
    result = _result(frame, cfg, key=key, overrides=overrides or [], seconds=time.perf_counter() - start)
    _write_outputs(frame, result, out_dir=out_dir, plots=cfg.plots)
    if not cfg.only:  # a re-run of some replicates keeps the rows a stopped full run may still need
        for stale in out_dir.glob(f"{PARTIAL}.*"):
            stale.unlink()
    log.info("%s: %s", label, headline_sentence(result))
    return result


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


def _finished_rows(partial: Path, *, per_replicate: int) -> pd.DataFrame:
    """Rows of the replicates a stopped run finished: complete ones only. A replicate whose rows a kill cut short
    (a last line without its newline, or fewer rows than estimators) is dropped and the file rewritten without it,
    so later appends stay aligned."""
    try:
        text = partial.read_text()
        text = text[: text.rfind("\n") + 1]  # a line without its newline was cut short
        rows = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], on_bad_lines="skip")
    except (FileNotFoundError, pd.errors.EmptyDataError, pd.errors.ParserError):
        partial.unlink(missing_ok=True)
        return pd.DataFrame()
    if not {"replicate", "estimate"} <= set(rows.columns):
        partial.unlink()
        return pd.DataFrame()
    estimate = pd.to_numeric(rows["estimate"], errors="coerce")
    whole = rows.assign(_ok=estimate.notna()).groupby("replicate")["_ok"].agg(["size", "all"])
    keep = whole.index[(whole["size"] == per_replicate) & whole["all"]]
    rows = rows[rows["replicate"].isin(keep)].reset_index(drop=True)
    if len(rows):
        temporary = partial.with_name(partial.name + ".tmp")
        rows.to_csv(temporary, index=False)
        os.replace(temporary, partial)
    else:
        partial.unlink()
    return rows


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
        parts = [f"truth {by['truth']['composite']:+.3f}", f"composite {by['estimate']['composite']:+.3f}"]
        if "bayes" in by.index:
            parts.append(
                f"model {by['estimate']['bayes']:+.3f} [{by['lo_90']['bayes']:+.3f}, {by['hi_90']['bayes']:+.3f}]"
                + ("" if by["converged"]["bayes"] else " (not converged)")
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


def _result(
    frame: pd.DataFrame, cfg: SimulateConfig, *, key: str, overrides: list[str], seconds: float
) -> dict[str, Any]:
    """``result.json``: what was run, the truth, and every estimator's aggregates."""
    per_replicate = frame.drop_duplicates("replicate")
    headline = "mean_win_rate" if cfg.weighting.kind is WeightingKind.mean_win_rate else "composite"
    headline_flip = cfg.weighting.kind is WeightingKind.adversarial
    estimators = aggregate(frame)
    flips = per_replicate["flip_distance"].fillna(np.inf)  # NaN: no reweighting flips that world
    weighting: dict[str, Any] = {
        "kind": cfg.weighting.kind.value,
        "flip_distance": {
            "note": "smallest total-variation change of the composite weights that flips the apparent gap's sign",
            "median": _finite(flips.median()),
            "q10": _finite(np.quantile(flips, 0.1, method="inverted_cdf")),  # no interpolation with infinity
            "q90": _finite(np.quantile(flips, 0.9, method="inverted_cdf")),
            "no_flip_possible_share": float(np.isinf(flips).mean()),
        },
    }
    if "model_flip_distance" in frame:
        model_flips = frame.loc[frame["estimator"] == "bayes", "model_flip_distance"]
        weighting["model_flip_distance"] = {
            "note": "the same for the Bayesian model's posterior-mean gap (each draw's sign never flips)",
            "median": _finite(model_flips.fillna(np.inf).median()),
            "no_flip_possible_share": float(model_flips.isna().mean()),
        }
    detected: dict[str, Any] = {}
    if "inflation_auc" in frame:
        fits = frame[frame["estimator"] == "bayes"]
        detected = {
            "note": (
                "model=contamination_aware against the injected truth, per replicate then averaged: AUC of the cells' "
                f"probability of inflation (inflated: at least {INFLATED_POINTS:g} points; clean: under "
                f"{CLEAN_POINTS:g}), and the shares of clean and of inflated cells flagged at probability "
                f">= {cfg.model.inflation.flag_probability:g}"
            ),
            "auc_mean": _finite(fits["inflation_auc"].mean()),
            "auc_min": _finite(fits["inflation_auc"].min()),
            "false_positive_rate": _finite(fits["false_positive_rate"].mean()),
            "detection_rate": _finite(fits["detection_rate"].mean()),
            "inflated_cells_mean": float(fits["inflated_cells"].mean()),
            "flagged_cells_mean": float(fits["flagged_cells"].mean()),
        }
    if "apparent_q50" in per_replicate:
        weighting["dirichlet"] = {
            "note": "apparent composite gap over random weightings, per replicate, averaged over replicates",
            "q05": float(per_replicate["apparent_q05"].mean()),
            "q50": float(per_replicate["apparent_q50"].mean()),
            "q95": float(per_replicate["apparent_q95"].mean()),
            "sign_flip_share": float(per_replicate["apparent_sign_flip_share"].mean()),
        }
    return {
        "benchgap_version": __version__,
        "status": "complete",
        "settings_key": key,
        "overrides": overrides,
        "parameters": plain(dataclasses.asdict(cfg)),
        "replicates": int(per_replicate.shape[0]),
        "truth": {
            "latent_gap_mean": float(per_replicate["true_latent_gap"].mean()),
            "score_gap_mean": float(per_replicate["true_score_gap"].mean()),
            "best_a_score_mean": float(per_replicate["true_best_a_score"].mean()),
            "best_b_score_mean": float(per_replicate["true_best_b_score"].mean()),
        },
        "headline": {"estimator": headline}
        | {k: estimators[headline][k] for k in ("mean_estimate", "mean_truth", "bias", "sign_error_rate")}
        | ({"flip_distance_median": weighting["flip_distance"]["median"]} if headline_flip else {}),
        "estimators": estimators,
        "weighting": weighting,
        **({"inflation": detected} if detected else {}),
        "inference": _inference(cfg),
        "seconds_this_run": seconds,  # a resumed job counts only the replicates it ran
    }


def headline_sentence(result: dict[str, Any]) -> str:
    """One plain line on what the job found."""
    est = result["estimators"]
    composite = est["composite"]
    text = (
        f"{result['replicates']} replicates: true score gap {composite['mean_truth']:+.3f}, naive composite "
        f"{composite['mean_estimate']:+.3f} (bias {composite['bias']:+.3f}, wrong sign in "
        f"{composite['sign_error_rate']:.0%})"
    )
    if "bayes" in est:
        bayes = est["bayes"]
        text += (
            f"; model {bayes['mean_estimate']:+.3f} (bias {bayes['bias']:+.3f}, 90% interval coverage "
            f"{bayes['coverage_90']:.0%}, converged in {bayes['converged_share']:.0%})"
        )
    if "inflation" in result:
        found = result["inflation"]
        auc = "n/a" if found["auc_mean"] is None else f"{found['auc_mean']:.2f}"
        false_positives = "n/a" if found["false_positive_rate"] is None else f"{found['false_positive_rate']:.1%}"
        text += f"; inflation AUC {auc}, clean cells flagged {false_positives}"
    weighting = result["weighting"]
    if weighting["kind"] == "mean_win_rate":
        helm = est["mean_win_rate"]
        text += (
            f"; mean win rate gap {helm['mean_estimate']:+.3f} (true {helm['mean_truth']:+.3f}, wrong sign in "
            f"{helm['sign_error_rate']:.0%})"
        )
    if "dirichlet" in weighting:
        spread = weighting["dirichlet"]
        text += (
            f"; over random weightings the apparent gap spans {spread['q05']:+.3f} to {spread['q95']:+.3f} "
            f"(wrong sign in {spread['sign_flip_share']:.0%})"
        )
    if weighting["kind"] == "adversarial" and weighting["flip_distance"]["median"] is not None:
        text += (
            f"; moving {weighting['flip_distance']['median']:.0%} of the weight (median, total variation) flips "
            "the apparent gap's sign"
        )
    return text


def _inference(cfg: SimulateConfig) -> str:
    if not cfg.bayes:
        return "none (bayes=false)"
    s = cfg.sampler
    return f"NUTS ({s.backend.value}), {s.chains} chains x ({s.tune} warm-up + {s.draws} draws) per replicate"


def _finite(value: Any) -> float | None:
    return float(value) if np.isfinite(value) else None


def _write_outputs(frame: pd.DataFrame, result: dict[str, Any], *, out_dir: Path, plots: bool) -> None:
    """``replicates.csv`` and the figure first, ``result.json`` last: a result file means a finished job."""
    scratch = Path(tempfile.mkdtemp(prefix=".partial-", dir=out_dir))
    try:
        frame.to_csv(scratch / "replicates.csv", index=False)
        if plots:
            from benchgap.plots import simulated_gaps

            simulated_gaps(frame, scratch / "gaps.png")
        for item in scratch.iterdir():
            item.replace(out_dir / item.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_json_atomic(out_dir / RESULT, result)
