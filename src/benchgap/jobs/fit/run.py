"""The fit job: table -> hierarchical model -> posterior -> estimands -> files in the run folder.

Usable without Hydra: ``run_fit(FitConfig(...), out_dir=Path(...))``.
"""

import dataclasses
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xarray import Dataset, DataTree

from benchgap import __version__
from benchgap.capability_prior import check_dimensions
from benchgap.config import (
    DataConfig,
    Dimensions,
    FitConfig,
    ModelKind,
    PlainLikelihood,
    WeightingConfig,
    WeightScheme,
)
from benchgap.fitting import FitResult, fit
from benchgap.inflation import PER_CELL_DRAWS, cell_inflation, model_inflation
from benchgap.jobs.fit.checks import check_fit
from benchgap.jobs.fit.page import write_fit_report
from benchgap.loo import DIMENSION_LABELS, LooComparison, compare_loo, other_dimensionality, pointwise_log_likelihood
from benchgap.posterior import expected_scores_mean, predictive_coverage, replicate_scores
from benchgap.prior_sensitivity import Sensitivity, sensitivity
from benchgap.rating_link import arena_link
from benchgap.records.files import write_json_atomic, written_together
from benchgap.records.fit_summary import (
    ContaminationSummary,
    FitSummary,
    GapBrief,
    Measurement,
    ModelGaps,
    PredictiveCheck,
    PublishedCheck,
    Seconds,
    TableCounts,
    WeightingSpread,
)
from benchgap.residuals import residual_check
from benchgap.table import CellSplit, ScoreTable, read_snapshots, read_table
from benchgap.table.ratings import attach_ratings
from benchgap.weighting import (
    capability_gap_over_weightings,
    dirichlet_weights,
    flip_distance,
    suite_gap_over_weightings,
    table_weights,
)
from benchgap.world import draw_world

log = logging.getLogger("benchgap")
FLAGGED_SHOWN = 25  # flagged cells listed in summary.json (all are in inflation_cells.csv)
PPC_DRAWS = 400  # posterior draws of the predictive check


def load_table(cfg: DataConfig, *, group_by: str = "group") -> ScoreTable:
    """The user's table, the joined snapshots (``data.snapshots``), or the built-in demo world (``data.demo``, seed
    ``data.demo_seed``) when neither is set."""
    if cfg.snapshots:
        table = read_snapshots(cfg)
    elif cfg.path:
        table = read_table(cfg, group_by=group_by)
    else:
        table = draw_world(cfg.demo, seed=cfg.demo_seed, key="data.demo")[0]
    return attach_ratings(table, cfg) if cfg.arena else table


def run_fit(cfg: FitConfig, *, out_dir: Path) -> FitSummary:
    """Run the whole fit job and write its files into ``out_dir``; returns the summary.

    Files are written to a scratch folder first and moved in at the end, so a failed run never leaves
    a half-written result behind.
    """
    table = load_table(cfg.data, group_by=cfg.gap.by)
    check_fit(cfg, table)
    log.info(
        "table %s: %d models x %d benchmarks, %d scores (%d missing)",
        table.source,
        table.n_models,
        table.n_benchmarks,
        table.n_cells,
        table.n_missing,
    )
    result, plain_result = _fits(cfg, table)
    with written_together(out_dir) as scratch:
        summary = _write_files(cfg, result, plain_result, scratch)
    log.info("wrote %s", out_dir)
    return summary


def _fits(cfg: FitConfig, table: ScoreTable) -> tuple[FitResult, FitResult | None]:
    """The configured fit; with ``model=contamination_aware`` also the plain model's, for the gap beside it."""
    weights = table_weights(table, cfg.gap.weighting)
    log.info(
        "fitting: compile, then %d chains x (%d tune + %d draws)",
        cfg.sampler.chains,
        cfg.sampler.tune,
        cfg.sampler.draws,
    )
    result = fit(
        table,
        model=cfg.model,
        sampler=cfg.sampler,
        gap=cfg.gap,
        convergence=cfg.convergence,
        weights=weights,
        trend=cfg.trend,
    )
    _log_fit(result)
    if cfg.model.kind is not ModelKind.contamination_aware:
        return result, None
    log.info("fitting the plain model (model.kind=irt) to the same table, for the gap beside the deflated one")
    plain_model = dataclasses.replace(cfg.model, kind=ModelKind.irt)
    plain_result = fit(
        table,
        model=plain_model,
        sampler=cfg.sampler,
        gap=cfg.gap,
        convergence=cfg.convergence,
        weights=weights,
        trend=cfg.trend,
    )
    _log_fit(plain_result)
    return result, plain_result


def _dimensionality_comparison(cfg: FitConfig, result: FitResult) -> tuple[LooComparison, np.ndarray]:
    """``fit.loo``: the same table fitted with the other ``model.dimensions``, and both fits compared by PSIS-LOO;
    also the configured fit's pointwise log-likelihood (for ``posterior.nc``)."""
    other_model = other_dimensionality(cfg.model)
    log.info(
        "fit.loo: fitting model.dimensions=%s to the same table, to compare the two by LOO",
        other_model.dimensions.value,
    )
    check_dimensions(result.table, other_model)
    other_result = fit(
        result.table, model=other_model, sampler=cfg.sampler, gap=cfg.gap, convergence=cfg.convergence, trend=cfg.trend
    )
    _log_fit(other_result)
    logliks = {
        DIMENSION_LABELS[spec.dimensions]: (r.posterior, pointwise_log_likelihood(r.posterior, r.table, spec))
        for r, spec in ((result, cfg.model), (other_result, other_model))
    }
    return compare_loo(logliks), logliks[DIMENSION_LABELS[cfg.model.dimensions]][1]


def _log_fit(result: FitResult) -> None:
    diagnostics = result.diagnostics
    log.info(
        "sampled in %.1f s; %s",
        result.seconds,
        "converged" if diagnostics.converged else "NOT converged: " + "; ".join(diagnostics.problems),
    )


def _write_files(cfg: FitConfig, result: FitResult, plain_result: FitResult | None, scratch: Path) -> FitSummary:
    """Every output of the job into ``scratch``; returns the summary."""
    table = result.table
    rng = np.random.default_rng(cfg.sampler.seed)
    normal_floor = cfg.model.score_floor if cfg.model.plain_likelihood is PlainLikelihood.normal else None
    replicates = replicate_scores(result.posterior, table, n_draws=PPC_DRAWS, rng=rng, plain_normal_floor=normal_floor)
    figures: dict[str, Path] = {}
    if cfg.plots:
        from benchgap.jobs.fit.figures import draw_figures

        figures = draw_figures(result, replicates, scratch)
    contamination = None
    if plain_result is not None:
        cells = cell_inflation(result.posterior, table, flag_probability=cfg.model.inflation.flag_probability)
        per_model = model_inflation(cells)
        contamination = contamination_summary(result, plain_result, cells=cells, per_model=per_model)
        cells.sort_values("probability", ascending=False, kind="stable").to_csv(
            scratch / "inflation_cells.csv", index=False
        )
        per_model.to_csv(scratch / "inflation_models.csv", index=False)
    coverage = predictive_coverage(replicates, table.score, prob=0.9)
    summary = summarise(result, cfg, ppc_coverage=coverage, contamination=contamination)
    summary = dataclasses.replace(summary, residuals=residual_check(replicates, table, seed=cfg.sampler.seed))
    if table.ratings is not None:
        link = arena_link(result.posterior, table, result.estimates.draws["gap_latent"], gap=cfg.gap)
        summary = dataclasses.replace(summary, arena=link)
    if cfg.loo:
        comparison, loglik = _dimensionality_comparison(cfg, result)
        summary = dataclasses.replace(summary, loo=comparison)
        result.posterior["log_likelihood"] = DataTree(
            Dataset({"score": (("chain", "draw", "cell"), loglik)}, coords={"cell": np.arange(table.n_cells)})
        )
    write_json_atomic(scratch / "summary.json", summary.to_json())
    per_model_rows = pd.DataFrame([dataclasses.asdict(m) for m in summary.models])
    for column in ("theta_interval", "rank_interval", "composite_interval", "suite_interval"):
        per_model_rows[[f"{column}_lo", f"{column}_hi"]] = per_model_rows.pop(column).tolist()
    per_model_rows.to_csv(scratch / "summary.csv", index=False)
    _save_posterior(result.posterior, scratch / "posterior.nc")
    write_fit_report(summary, figures, out_dir=scratch)
    return summary


def summarise(
    result: FitResult, cfg: FitConfig, *, ppc_coverage: float | None, contamination: ContaminationSummary | None = None
) -> FitSummary:
    """The summary of a fit (``summary.json``)."""
    table, est = result.table, result.estimates
    split = CellSplit.of(table)
    published = None
    if table.published:
        recomputed = {m.model: m.mean_win_rate for m in est.models}
        diffs = [abs(recomputed[m] - v) for m, v in table.published.items()]
        published = PublishedCheck(
            n_models=len(diffs),
            max_abs_diff_vs_mean_win_rate=float(max(diffs)),
            note="the table's published aggregate column against benchgap's recomputed HELM mean win rate",
        )
    counts = TableCounts(
        n_models=table.n_models,
        n_benchmarks=table.n_benchmarks,
        n_cells=table.n_cells,
        n_missing=table.n_missing,
        groups=table.group_counts(),
        benchmarks=table.benchmarks,
        weights=dict(zip(table.benchmarks, map(float, est.weights), strict=True)),
        measurement=Measurement(int(split.counts.size), int(split.stderr.size), int(split.plain.size)),
        chance={b: float(c) for b, c in zip(table.benchmarks, table.chance, strict=True) if c > 0} or None,
        not_shares=table.not_shares or None,
    )
    return FitSummary(
        benchgap_version=__version__,
        inference=result.posterior.attrs.get("inference", "NUTS"),
        source=table.source,
        data=counts,
        gap=est.gap,
        models=tuple(est.models),
        tie_groups=tuple(tuple(group) for group in est.tie_groups),
        diagnostics=result.diagnostics,
        posterior_predictive=PredictiveCheck(coverage_90=ppc_coverage),
        seconds=Seconds(sampling_and_compile=result.seconds),
        config=cfg,
        published_aggregate=published,
        contamination=contamination,
        suite_weighting=suite_weighting(result, cfg),
        capability_weighting=capability_weighting(result, cfg),
        prior_sensitivity=_prior_sensitivity(result, cfg),
        trend=est.trend,
        snapshots=est.snapshots,
        dimensions=est.dimensions,
        groups=est.groups,
    )


SENSITIVITY_OF = ("gap_score", "gap_suite", "gap_latent", "gap_top_k", "gap_group_mean")  # the gaps it is checked on


def _prior_sensitivity(result: FitResult, cfg: FitConfig) -> dict[str, Sensitivity] | None:
    if not cfg.prior_sensitivity:
        return None
    log.info("prior sensitivity: power-scaling the prior and the likelihood of %s", ", ".join(SENSITIVITY_OF))
    return sensitivity(result.posterior, result.table, spec=cfg.model, names=SENSITIVITY_OF)


RANDOM_WEIGHTINGS = WeightingConfig(kind=WeightScheme.dirichlet, concentration=1.0, draws=200)


def suite_weighting(result: FitResult, cfg: FitConfig) -> WeightingSpread:
    """The suite gap under other weights: the smallest reversing change, and its spread over random weightings."""
    table, est = result.table, result.estimates
    assert est.gap.suite is not None and est.suite_scores_mean is not None
    groups = np.asarray(table.groups)
    in_a, in_b = groups == cfg.gap.a, groups == cfg.gap.b
    weightings = dirichlet_weights(np.random.default_rng([cfg.sampler.seed, 2]), table.n_benchmarks, RANDOM_WEIGHTINGS)
    mean_gap, ahead = suite_gap_over_weightings(
        result.posterior,
        table,
        weightings,
        in_a=in_a,
        in_b=in_b,
        seed=cfg.sampler.seed,
        run_share=cfg.gap.run_share,
    )
    flip = flip_distance(est.suite_scores_mean, est.weights, in_a=in_a, in_b=in_b)
    return _weighting_spread("persistent scores", "suite gap", flip, mean_gap, ahead, est.gap.suite.score.mean)


def capability_weighting(result: FitResult, cfg: FitConfig) -> WeightingSpread | None:
    """``model.dimensions=categories``: the capability gap under other weights, whose best models now change with
    them: the smallest reversing change (of the posterior-mean expected scores) and the spread over random
    weightings."""
    if cfg.model.dimensions is not Dimensions.categories:
        return None
    table, est = result.table, result.estimates
    groups = np.asarray(table.groups)
    in_a, in_b = groups == cfg.gap.a, groups == cfg.gap.b
    weightings = dirichlet_weights(np.random.default_rng([cfg.sampler.seed, 3]), table.n_benchmarks, RANDOM_WEIGHTINGS)
    mean_gap, ahead = capability_gap_over_weightings(result.posterior, table, weightings, in_a=in_a, in_b=in_b)
    flip = flip_distance(expected_scores_mean(result.posterior, table), est.weights, in_a=in_a, in_b=in_b)
    return _weighting_spread("expected scores", "capability gap", flip, mean_gap, ahead, est.gap.score.mean)


def _weighting_spread(
    scores: str, gap: str, flip: float, mean_gap: np.ndarray, ahead: np.ndarray, headline: float
) -> WeightingSpread:
    """The flip distance of the posterior-mean ``scores`` and the ``gap``'s spread over the random weightings (its
    posterior mean ``mean_gap`` and P(a ahead) ``ahead`` per weighting), against the ``headline`` gap's sign."""
    low, median, high = (float(q) for q in np.quantile(mean_gap, (0.05, 0.5, 0.95)))
    ahead_low, ahead_median, ahead_high = (float(q) for q in np.quantile(ahead, (0.05, 0.5, 0.95)))
    return WeightingSpread(
        note=(
            f"flip distance: of the posterior-mean {scores} (plug-in); spread: the posterior-mean {gap} and P(a ahead) "
            f"under {RANDOM_WEIGHTINGS.draws} Dirichlet({RANDOM_WEIGHTINGS.concentration:g}) weightings"
        ),
        flip_distance=float(flip) if np.isfinite(flip) else None,
        weightings=RANDOM_WEIGHTINGS.draws,
        concentration=RANDOM_WEIGHTINGS.concentration,
        gap_quantiles=(low, median, high),
        prob_a_ahead_quantiles=(ahead_low, ahead_median, ahead_high),
        sign_flip_share=float(np.mean(np.sign(mean_gap) != np.sign(headline))),
    )


def contamination_summary(
    aware_fit: FitResult, plain_fit: FitResult, *, cells: pd.DataFrame, per_model: pd.DataFrame
) -> ContaminationSummary:
    """``model=contamination_aware``: the gap with inflation removed beside the plain model's, and what is flagged."""
    deflated, plain_gap = _model_gaps(aware_fit), _model_gaps(plain_fit)
    flagged = cells[cells["flagged"]].sort_values("probability", ascending=False, kind="stable")
    draws = aware_fit.posterior["posterior"].to_dataset()
    names = ("score", "latent", "group_mean")
    return ContaminationSummary(
        note=(
            "gaps of model=contamination_aware (inflation removed) and of the plain model fitted to the same table; "
            "cells flagged where the posterior probability of inflation reaches model.inflation.flag_probability"
        ),
        deflated_gap=deflated,
        plain_gap=plain_gap,
        shift={name: getattr(deflated, name).mean - getattr(plain_gap, name).mean for name in names},
        cells=len(cells),
        flagged_cells=len(flagged),
        expected_inflated_cells=float(cells["probability"].sum()),
        flagged=_records(flagged.head(FLAGGED_SHOWN)),
        models=_records(per_model.head(FLAGGED_SHOWN)),
        share_logit_mean=float(draws["inflation_share_logit"].mean()),
        slopes={
            str(name): float(draws["inflation_slopes"].sel(covariate=name).mean())
            for name in draws["inflation_slopes"]["covariate"].to_numpy()
        },
    )


def _records(frame: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    return tuple({str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records"))


def _model_gaps(result: FitResult) -> ModelGaps:
    gap = result.estimates.gap

    def brief(s: object) -> GapBrief:
        return GapBrief(mean=s.mean, interval=s.interval, prob_a_ahead=s.prob_a_ahead)  # type: ignore[attr-defined]

    return ModelGaps(brief(gap.score), brief(gap.latent), brief(gap.group_mean), result.diagnostics.converged)


def _save_posterior(posterior: DataTree, path: Path) -> None:
    """NetCDF that ``arviz.from_netcdf`` loads back (text-valued sample stats dropped).

    The contamination-aware model's per-cell draws are left out: on Epoch's 1,651 cells they made the file 370 MB;
    their summaries are in ``inflation_cells.csv``.
    """
    stats = posterior["sample_stats"].to_dataset()
    text = [name for name, var in stats.data_vars.items() if var.dtype == object]
    posterior = posterior.copy()
    posterior["sample_stats"] = stats.drop_vars(text)
    draws = posterior["posterior"].to_dataset()
    posterior["posterior"] = draws.drop_vars([name for name in PER_CELL_DRAWS if name in draws])
    posterior.to_netcdf(path, engine="h5netcdf")
