"""One replicate world of ``benchgap simulate``: drawn, distorted and measured, then every estimator of its gap
(the naive composite, HELM's mean win rate, the Bayesian model on two scales) scored against its truth.

Replicate ``r`` draws from ``SeedSequence(seed).spawn(replicates)[r]`` (world, noise, random weights and the
sampler's seed), so any one replicate can be re-run alone and a resumed job gives the same numbers.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchgap.config import (
    GapConfig,
    IntervalKind,
    ModelConfig,
    ModelKind,
    OverfittingConfig,
    SamplerConfig,
    SimulateConfig,
    WeightScheme,
)
from benchgap.dimension_scoring import (
    bayes_dimension_rows,
    category_truths,
    dimensionality_columns,
    naive_dimension_rows,
)
from benchgap.estimators import LEVELS, Estimator, Scale, estimator_columns
from benchgap.fitting import FitResult, fit
from benchgap.inflation import CLEAN_POINTS, cell_draws, detection
from benchgap.lenses import composite_gap_intervals, lens_gap, mean_win_rate, weighted_composite
from benchgap.loo import other_dimensionality
from benchgap.metrics import ranking_columns, truth_columns
from benchgap.posterior import expected_scores_mean, leader_score_differences
from benchgap.sampling import ModelCache, process_cache
from benchgap.summaries import credible_interval, interval_pair
from benchgap.table import ScoreTable
from benchgap.trend_scoring import TrendTruth, bayes_trend_rows, naive_trend_rows
from benchgap.weighting import (
    best_vs_best,
    dirichlet_weights,
    flip_distance,
    scheme_weights,
    suite_gap_over_weightings,
)
from benchgap.world import World, distorted_scores, inflated_cells, noise_free_table, observe, sample_world

NO_OVERFITTING = OverfittingConfig()  # contamination alone: the inflation the contamination-aware model is scored on


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
    weights = scheme_weights(cfg.weighting.kind, world.benchmarks, world.categories, custom=cfg.weighting.weights)
    draws = None
    if cfg.weighting.kind is WeightScheme.dirichlet:
        draws = dirichlet_weights(rng, len(world.benchmarks), cfg.weighting)
        weights = draws[0]
    sampler_seed = int(seed.spawn(1)[0].generate_state(1)[0])  # a child stream: independent of the world's draws
    inflation = contaminated - world.truth.suite_score
    return Replicate(index, world, table, weights, draws, sampler_seed, inflation)


@dataclass(frozen=True)
class Truths:
    """The truths of one replicate, from its undistorted world without measurement noise: the latent gap (best vs
    best capability, on the model's standardised scale), and on the capability and the suite scores (the curve;
    the persistent cell scores) each the composite-score gap under this replicate's weights, its two best
    composites, and HELM's mean win rate gap."""

    latent: float
    score: float
    win_rate: float
    best_a_score: float
    best_b_score: float
    suite_score: float
    suite_win_rate: float
    suite_best_a_score: float
    suite_best_b_score: float

    @classmethod
    def of(cls, rep: Replicate, a: str, b: str) -> "Truths":
        world = rep.world
        groups = np.asarray(world.groups)
        in_a, in_b = groups == a, groups == b
        values: dict[str, float] = {"latent": float(best_vs_best(world.truth.theta, in_a, in_b))}
        for prefix, scores in (("", world.truth.expected_score), ("suite_", world.truth.suite_score)):
            composite = scores @ rep.weights
            perfect = noise_free_table(world, scores)
            values |= {
                f"{prefix}score": float(best_vs_best(composite, in_a, in_b)),
                f"{prefix}win_rate": lens_gap(mean_win_rate(perfect), perfect, a=a, b=b).gap,
                f"{prefix}best_a_score": float(composite[in_a].max()),
                f"{prefix}best_b_score": float(composite[in_b].max()),
            }
        return cls(**values)

    def of_scale(self, scale: Scale) -> tuple[float, float | None]:
        """The capability and the suite truth of a gap on ``scale`` (the latent scale has no suite truth)."""
        if scale is Scale.latent:
            return self.latent, None
        if scale is Scale.win_rate:
            return self.win_rate, self.suite_win_rate
        return self.score, self.suite_score


def score_replicate(rep: Replicate, cfg: SimulateConfig, cache: ModelCache | None) -> list[dict[str, Any]]:
    """One row per estimator: its gap, both truths on its scale, intervals, sign, ranking and diagnostics.

    Every estimator is scored against the capability truth (``truth``, ``error``, ``covered_90`` ...) and, on the
    score and win-rate scales, against the suite truth (``suite_truth``, ``suite_error``, ``suite_covered_90`` ...).
    """
    groups = np.asarray(rep.world.groups)
    in_a, in_b = groups == cfg.world.a, groups == cfg.world.b
    truths = Truths.of(rep, cfg.world.a, cfg.world.b)
    shared = _replicate_columns(rep, in_a, in_b, truths)
    rows = [_composite_row(rep, cfg, shared, truths), _win_rate_row(rep, cfg, shared, truths)]
    over_time = TrendTruth.of(rep.world, rep.table, rep.weights, cfg) if cfg.trend.score else None
    if over_time is not None:
        rows += naive_trend_rows(rep.table, rep.world, rep.weights, cfg, shared, over_time)
    per_category = (
        category_truths(rep.world, rep.table, cfg.world.a, cfg.world.b) if cfg.world.dimensions.active else None
    )
    if per_category is not None:
        rows += naive_dimension_rows(rep.table, per_category, shared, a=cfg.world.a, b=cfg.world.b)
    if cache is not None:
        rows += _bayes_rows(rep, cfg, cache, shared, truths, over_time, per_category)
    return rows


def _composite_row(rep: Replicate, cfg: SimulateConfig, shared: dict[str, Any], truths: Truths) -> dict[str, Any]:
    """The headline number: best vs best weighted composite, with the binomial interval of the two best."""
    naive, gap_se, composite, intervals = composite_gap_intervals(
        rep.table, rep.weights, a=cfg.world.a, b=cfg.world.b, levels=LEVELS
    )
    return (
        shared
        | estimator_columns(Estimator.composite)
        | {"se": gap_se, "best_a": naive.a_model, "best_b": naive.b_model}
        | truth_columns(naive.gap, intervals, *truths.of_scale(Scale.score))
        | ranking_columns(composite, rep.world.truth.theta)
    )


def _win_rate_row(rep: Replicate, cfg: SimulateConfig, shared: dict[str, Any], truths: Truths) -> dict[str, Any]:
    """HELM's mean win rate, best vs best; HELM publishes no interval."""
    win_rates = mean_win_rate(rep.table)
    helm = lens_gap(win_rates, rep.table, a=cfg.world.a, b=cfg.world.b)
    return (
        shared
        | estimator_columns(Estimator.mean_win_rate)
        | {"se": np.nan}
        | {"best_a": helm.a_model, "best_b": helm.b_model}
        | truth_columns(helm.gap, {}, *truths.of_scale(Scale.win_rate))
        | ranking_columns(win_rates, rep.world.truth.theta)
    )


def _bayes_rows(
    rep: Replicate,
    cfg: SimulateConfig,
    cache: ModelCache,
    shared: dict[str, Any],
    truths: Truths,
    over_time: TrendTruth | None,
    per_category: dict[str, tuple[float, float]] | None,
) -> list[dict[str, Any]]:
    """The model of ``benchgap fit``, fitted with the job's compiled model: its capability, suite and latent gaps,
    with ``over_time`` its gap over time, and with ``per_category`` (the true gap per category) its gap per
    category."""
    gap = GapConfig(a=cfg.world.a, b=cfg.world.b, run_share=list(cfg.run_share))
    sampler = dataclasses.replace(cfg.sampler, seed=rep.sampler_seed)
    result = fit(
        rep.table,
        model=cfg.model,
        sampler=sampler,
        gap=gap,
        convergence=cfg.convergence,
        weights=rep.weights / rep.weights.sum(),  # renormalised, as custom weights of a fit always are
        cache=cache,
        trend=cfg.trend if cfg.trend.score else None,
    )
    est = result.estimates
    fit_columns = _fit_columns(rep, cfg, result)
    partner, partner_spec = _partner_fit(rep, cfg, gap, sampler) if cfg.loo else (None, None)
    if partner is not None and partner_spec is not None:
        fits = ((result, cfg.model), (partner, partner_spec))
        fit_columns |= dimensionality_columns(fits, multidimensional=cfg.world.dimensions.active)
    rows = _headline_rows(rep, cfg, result, shared, truths, fit_columns)
    if over_time is not None:
        latent_ranking = ranking_columns(np.array([m.theta_mean for m in est.models]), rep.world.truth.theta)
        rows += bayes_trend_rows(result, shared, over_time, latent_ranking, fit_columns, seed=rep.sampler_seed)
    if per_category is not None:
        rows += bayes_dimension_rows(result, per_category, shared, fit_columns, gap=gap)
    if per_category is not None and partner is not None:
        rows += bayes_dimension_rows(
            partner,
            per_category,
            shared,
            _fit_columns(rep, cfg, partner),
            gap=gap,
            estimator=Estimator.bayes_dimension_other,
        )
    return rows


def _headline_rows(
    rep: Replicate,
    cfg: SimulateConfig,
    result: FitResult,
    shared: dict[str, Any],
    truths: Truths,
    fit_columns: dict[str, Any],
) -> list[dict[str, Any]]:
    """The fit's capability, suite and latent best-vs-best gaps, each scored against its truth."""
    est = result.estimates
    likeliest_best = {
        group: max((m for m in est.models if m.group == group), key=lambda m: m.prob_best_in_group).model
        for group in (cfg.world.a, cfg.world.b)
    }
    rows = []
    for estimator, name, ranking in (
        (Estimator.bayes, "gap_score", np.array([m.composite_mean for m in est.models])),
        (Estimator.bayes_suite, "gap_suite", np.array([m.suite_mean for m in est.models])),
        (Estimator.bayes_latent, "gap_latent", np.array([m.theta_mean for m in est.models])),
    ):
        draws = est.draws[name].ravel()
        intervals = {level: interval_pair(credible_interval(draws, level, IntervalKind.eti)) for level in LEVELS}
        rows.append(
            shared
            | estimator_columns(estimator)
            | {"se": float(draws.std(ddof=1))}
            | {"best_a": likeliest_best[cfg.world.a], "best_b": likeliest_best[cfg.world.b]}
            | {"prob_a_ahead": float((draws > 0).mean())}
            | truth_columns(float(draws.mean()), intervals, *truths.of_scale(estimator.scale))
            | ranking_columns(ranking, rep.world.truth.theta)
            | fit_columns
        )
    return rows


def _partner_fit(
    rep: Replicate, cfg: SimulateConfig, gap: GapConfig, sampler: SamplerConfig
) -> tuple[FitResult, ModelConfig]:
    """``loo=true``: the same world fitted with the other ``model.dimensions`` (the process's compiled model of it)."""
    spec = other_dimensionality(cfg.model)
    return fit(
        rep.table,
        model=spec,
        sampler=sampler,
        gap=gap,
        convergence=cfg.convergence,
        weights=rep.weights / rep.weights.sum(),
        cache=process_cache(spec, sampler.backend),
    ), spec


def _fit_columns(rep: Replicate, cfg: SimulateConfig, result: FitResult) -> dict[str, Any]:
    """What a replicate's fit adds to both of its rows: the weight change that flips the model's gap, the fit's
    diagnostics and, for the contamination-aware model, how well it found the injected inflation."""
    diag = result.diagnostics
    groups = np.asarray(rep.table.groups)
    in_a, in_b = groups == cfg.world.a, groups == cfg.world.b
    if "theta_dim" in result.posterior["posterior"]:
        # Per-category capabilities: a group's best model changes with the weights, so the plug-in of the
        # posterior-mean expected scores (as for the suite gap below).
        model_flip = flip_distance(expected_scores_mean(result.posterior, rep.table), rep.weights, in_a=in_a, in_b=in_b)
    else:
        # The reweighting that reverses the sign of the model's posterior-mean gap, which is linear in the weights.
        # (No reweighting can reverse any single draw's sign: see posterior.leader_score_differences.)
        differences = leader_score_differences(result.posterior, rep.table, in_a=in_a, in_b=in_b)
        model_flip = flip_distance(
            np.vstack([differences, np.zeros_like(differences)]),
            rep.weights,
            in_a=np.array([True, False]),
            in_b=np.array([False, True]),
        )
    suite_means = result.estimates.suite_scores_mean
    columns = {
        "model_flip_distance": model_flip,
        # The suite gap's best models change with the weights, so its reweighting can flip: the flip distance of
        # the posterior-mean persistent scores.
        "suite_flip_distance": (
            np.nan if suite_means is None else flip_distance(suite_means, rep.weights, in_a=in_a, in_b=in_b)
        ),
        "converged": float(diag.converged),
        "max_rhat": diag.max_rhat,
        "worst": diag.worst,
        "min_ess_bulk": diag.min_ess_bulk,
        "divergences": diag.divergences,
        "fit_seconds": result.seconds,
    }
    if rep.weight_draws is not None:
        columns |= _suite_spread(rep, result, in_a, in_b, run_share=cfg.run_share)
    if cfg.model.kind is ModelKind.contamination_aware:
        probability = cell_draws(result.posterior)[0].mean(axis=0)
        true_points = rep.inflation[rep.table.model_idx, rep.table.bench_idx]
        flag = cfg.model.inflation.flag_probability
        columns |= detection(probability, true_points, flag_probability=flag)
        if rep.world.specialty is not None:  # a specialist's strong cells: high scores that are not contamination
            strong = rep.world.specialty[rep.table.model_idx, rep.table.bench_idx] & (true_points < CLEAN_POINTS)
            columns["specialist_cells"] = float(strong.sum())
            columns["specialist_false_positive_rate"] = float((probability[strong] >= flag).mean())
    return columns


def _suite_spread(
    rep: Replicate, result: FitResult, in_a: np.ndarray, in_b: np.ndarray, *, run_share: Sequence[float]
) -> dict[str, float]:
    """``weighting=dirichlet``: the model's posterior-mean suite gap under each random weighting, its quantiles
    over weightings, and the share of weightings under which its sign differs from the true suite gap's."""
    assert rep.weight_draws is not None
    mean_gap, _ = suite_gap_over_weightings(
        result.posterior, rep.table, rep.weight_draws, in_a=in_a, in_b=in_b, seed=rep.sampler_seed, run_share=run_share
    )
    true_suite = best_vs_best(rep.weight_draws @ rep.world.truth.suite_score.T, in_a, in_b)
    return {
        "model_suite_q05": float(np.quantile(mean_gap, 0.05)),
        "model_suite_q50": float(np.quantile(mean_gap, 0.5)),
        "model_suite_q95": float(np.quantile(mean_gap, 0.95)),
        "model_suite_sign_flip_share": sign_flip_share(mean_gap, true_suite),
    }


def _replicate_columns(rep: Replicate, in_a: np.ndarray, in_b: np.ndarray, truths: Truths) -> dict[str, Any]:
    """Per-replicate values repeated on each estimator's row: truths, the weighting's spread and flip distance.

    For the flip distance and the random weightings, a missing cell is filled with its model's weighted composite,
    which leaves every model's composite under the replicate's weights (and so the apparent gap) unchanged.
    """
    scores = rep.table.matrix()
    composite, _ = weighted_composite(rep.table, rep.weights)
    filled = np.where(np.isfinite(scores), scores, composite[:, None])
    out: dict[str, Any] = {
        "replicate": rep.index,
        "true_latent_gap": truths.latent,
        "true_score_gap": truths.score,
        "true_best_a_score": truths.best_a_score,
        "true_best_b_score": truths.best_b_score,
        "true_suite_gap": truths.suite_score,
        "true_suite_best_a_score": truths.suite_best_a_score,
        "true_suite_best_b_score": truths.suite_best_b_score,
        "flip_distance": flip_distance(filled, rep.weights, in_a=in_a, in_b=in_b),
    }
    if rep.weight_draws is not None:
        apparent = best_vs_best(rep.weight_draws @ filled.T, in_a, in_b)  # per random weighting
        true = best_vs_best(rep.weight_draws @ rep.world.truth.expected_score.T, in_a, in_b)  # same weighting
        true_suite = best_vs_best(rep.weight_draws @ rep.world.truth.suite_score.T, in_a, in_b)
        out |= {
            "apparent_q05": float(np.quantile(apparent, 0.05)),
            "apparent_q50": float(np.quantile(apparent, 0.5)),
            "apparent_q95": float(np.quantile(apparent, 0.95)),
            "apparent_sign_flip_share": sign_flip_share(apparent, true),
            "apparent_suite_sign_flip_share": sign_flip_share(apparent, true_suite),
        }
    return out


def sign_flip_share(estimated: np.ndarray, true: np.ndarray) -> float:
    """Share of weightings under which the estimated gap's sign differs from the true gap's (a true 0 never counts)."""
    return float(np.mean((np.sign(estimated) != np.sign(true)) & (true != 0)))
