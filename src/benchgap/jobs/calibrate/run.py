"""Simulation-based calibration (SBC) of the fit model: are its posteriors honest when its own assumptions hold?

Talts et al. (2018, "Validating Bayesian inference algorithms with simulation-based calibration"): draw the
parameters from the prior, simulate a score table from them, fit it, and record the rank of each true value
among ``L`` posterior draws. If the sampler and the model are right, every rank is uniform on ``0..L`` over
simulations, whatever the prior; a smile (too many extreme ranks) means intervals too narrow, a frown too wide,
a slope a bias. The uniformity is tested with ArviZ's ``pot_c`` test of the PIT-ECDF and the rank histogram's
simultaneous band; the PIT-ECDF's 99% envelope is shown beside them (Säilynoja, Bürkner and Vehtari 2022; Tesso
et al. 2026).

The score tables follow the model's own measurement model, drawn with the fit's priors: each cell's persistent
score ``q ~ Beta(kappa p, kappa (1 - p))``, then item counts (binomial), a standard error (normal; the model's
normal likelihood integrates ``q`` out as a normal of the same variance) or the plain proportion ``q`` itself,
per benchmark as ``stderr_share`` and ``plain_share`` say; ``missing_rate`` of the cells left out. The suite
gap's truth is the composite of the drawn ``q``, so its fit uses ``gap.run_share=[0,0]`` (nothing here is run
noise). The tables are drawn (``benchgap.model.build_model``, sampled forward with PyMC); the
fit is ``benchgap.fitting.fit`` with one compiled model for every table (data swapped in). simuk (ArviZ's SBC
package) needs observed random variables to draw its tables; the model writes its likelihood as potentials for
speed, so this module draws the tables itself from the same priors.
"""

import dataclasses
import logging
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchgap import __version__
from benchgap.calibration import covered, rank_of, spread_checks, uniformity_checks
from benchgap.config import CalibrateConfig, GapConfig
from benchgap.estimators import LEVELS, coverage_name, level_tag
from benchgap.fitting import FitResult, fit
from benchgap.jobs.calibrate.checks import check_calibrate
from benchgap.jobs.calibrate.page import write_report
from benchgap.model import build_model
from benchgap.posterior import expected_scores, posterior_array
from benchgap.processes import cores_per_worker, side_by_side
from benchgap.records.calibrate_summary import CalibrateSummary, FamilyCheck
from benchgap.records.files import to_plain, write_json_atomic
from benchgap.sampling import ModelCache, process_cache, run_lengths
from benchgap.table import ScoreTable
from benchgap.weighting import best_vs_best

log = logging.getLogger("benchgap")
CHANCE_FLOOR = 0.25  # four-way multiple choice
GAPS = ("gap_score", "gap_suite", "gap_latent", "gap_group_mean")  # gap estimands ranked (FitEstimates.draws)
PARAMETERS = {  # family -> posterior variable ranked per model or benchmark
    "capability": "theta",
    "intercept": "intercept",
    "log_discrimination": "log_discrimination",
    "log_concentration": "log_kappa",
}


@dataclass(frozen=True)
class Truth:
    """One prior draw: the parameters, the expected scores and the gaps they imply."""

    theta: np.ndarray  # (models,), standardised over the table as in the model
    intercept: np.ndarray  # (benchmarks,)
    log_discrimination: np.ndarray  # (benchmarks,)
    log_kappa: np.ndarray  # (benchmarks,)
    gaps: dict[str, float]


def template_table(cfg: CalibrateConfig) -> ScoreTable:
    """The table shape every simulation shares: every cell, the chance floors fixed, and per benchmark how it is
    reported: item counts, a standard error (the last ``stderr_share`` of the benchmarks) or a plain proportion
    (the ``plain_share`` before them)."""
    models = tuple(f"{g}-{i + 1}" for g, n in cfg.groups.items() for i in range(n))
    groups = tuple(g for g, n in cfg.groups.items() for _ in range(n))
    floors = round(cfg.chance_share * cfg.benchmarks)
    chance = np.where(np.arange(cfg.benchmarks) < floors, CHANCE_FLOOR, 0.0)
    model_idx, bench_idx = np.divmod(np.arange(len(models) * cfg.benchmarks), cfg.benchmarks)
    kind = report_kinds(cfg)[bench_idx]
    return ScoreTable(
        models=models,
        groups=groups,
        benchmarks=tuple(f"bench-{j + 1}" for j in range(cfg.benchmarks)),
        categories=tuple("multiple choice" if c > 0 else "free response" for c in chance),
        chance=chance,
        listed_weight=np.full(cfg.benchmarks, np.nan),
        model_idx=model_idx,
        bench_idx=bench_idx,
        score=np.full(model_idx.size, 0.5),
        n_items=np.where(kind == "counts", float(cfg.items[0]), np.nan),
        stderr=np.where(kind == "stderr", 0.01, np.nan),
        source="simulated from the prior",
    )


def report_kinds(cfg: CalibrateConfig) -> np.ndarray:
    """Per benchmark: ``counts``, ``plain`` or ``stderr``, in that order along the benchmarks."""
    stderr, plain = round(cfg.stderr_share * cfg.benchmarks), round(cfg.plain_share * cfg.benchmarks)
    counts = cfg.benchmarks - stderr - plain
    return np.array(["counts"] * counts + ["plain"] * plain + ["stderr"] * stderr)


def prior_draws(cfg: CalibrateConfig, template: ScoreTable) -> list[Truth]:
    """``cfg.simulations`` draws of the model's parameters from its own priors (PyMC forward sampling of
    ``benchgap.model.build_model``: the potentials that hold the likelihood take no part), with their gaps."""
    import pymc as pm

    model = build_model(template, spec=cfg.model)
    names = ("theta", "intercept", "log_discrimination", "log_kappa")
    values = pm.draw([model[n] for n in names], draws=cfg.simulations, random_seed=cfg.seed)
    groups = np.asarray(template.groups)
    in_a, in_b = groups == cfg.a, groups == cfg.b
    weights = np.full(template.n_benchmarks, 1.0 / template.n_benchmarks)  # the fit's uniform composite
    truths = []
    for s in range(cfg.simulations):
        theta, intercept, log_a, log_kappa = (np.asarray(v[s]) for v in values)
        expected = expected_scores(theta[:, None], intercept, log_a, template.chance)
        gaps = {
            "gap_score": float(best_vs_best(expected @ weights, in_a, in_b)),
            "gap_latent": float(best_vs_best(theta, in_a, in_b)),
            "gap_group_mean": float(theta[in_a].mean() - theta[in_b].mean()),
        }
        truths.append(Truth(theta, intercept, log_a, log_kappa, gaps))
    return truths


def simulate_table(
    truth: Truth, template: ScoreTable, cfg: CalibrateConfig, rng: np.random.Generator
) -> tuple[ScoreTable, np.ndarray]:
    """A table from the model's measurement model, and its persistent scores ``q`` (models x benchmarks, the suite
    truth). Item counts ``n`` are uniform in ``cfg.items`` per benchmark; a standard-error benchmark reports
    ``s = sqrt(0.25 / n)`` and a score ``q + Normal(0, s)`` with ``q`` normal around ``p`` (the fit's normal
    likelihood); a plain one reports ``q``."""
    expected = expected_scores(truth.theta[:, None], truth.intercept, truth.log_discrimination, template.chance)
    p = np.clip(expected, 1e-9, 1 - 1e-9)
    kappa = np.exp(truth.log_kappa)[None, :]
    q = rng.beta(kappa * p, kappa * (1 - p))
    kinds = report_kinds(cfg)
    se_bench = kinds == "stderr"
    residual_sd = np.sqrt(p * (1 - p) / (kappa + 1))
    q[:, se_bench] = np.clip(
        p[:, se_bench] + residual_sd[:, se_bench] * rng.standard_normal(p[:, se_bench].shape), 0, 1
    )
    items = rng.integers(cfg.items[0], cfg.items[1] + 1, template.n_benchmarks).astype(float)
    m, b = template.model_idx, template.bench_idx
    score = q[m, b].copy()
    counted, se = kinds[b] == "counts", np.sqrt(0.25 / items[b])
    score[counted] = rng.binomial(items[b][counted].astype(int), q[m, b][counted]) / items[b][counted]
    with_se = kinds[b] == "stderr"
    score[with_se] = q[m, b][with_se] + se[with_se] * rng.standard_normal(int(with_se.sum()))
    table = dataclasses.replace(
        template,
        score=score,
        n_items=np.where(counted, items[b], np.nan),
        stderr=np.where(with_se, se, np.nan),
    )
    return _drop_cells(table, cfg.missing_rate, rng), q


def _drop_cells(table: ScoreTable, rate: float, rng: np.random.Generator) -> ScoreTable:
    """``rate`` of the cells left out, but every model and every benchmark keeps one."""
    if rate <= 0:
        return table
    keep = rng.random(table.n_cells) >= rate
    for index, n in ((table.model_idx, table.n_models), (table.bench_idx, table.n_benchmarks)):
        for i in range(n):
            cells = np.flatnonzero(index == i)
            if not keep[cells].any():
                keep[rng.choice(cells)] = True
    return dataclasses.replace(
        table,
        model_idx=table.model_idx[keep],
        bench_idx=table.bench_idx[keep],
        score=table.score[keep],
        n_items=table.n_items[keep],
        stderr=table.stderr[keep],
    )


def run_calibrate(cfg: CalibrateConfig, *, out_dir: Path) -> CalibrateSummary:
    """SBC: ``cfg.simulations`` tables from the prior, each fitted; ranks, checks, figures and the report."""
    check_calibrate(cfg)
    template = template_table(cfg)
    truths = prior_draws(cfg, template)
    seeds = np.random.SeedSequence(cfg.seed).spawn(cfg.simulations)
    share = dataclasses.replace(cfg, sampler=cores_per_worker(cfg.sampler, cfg.workers))
    tasks = [(share, template, truth, seeds[s], s) for s, truth in enumerate(truths)]
    rows, coverage_rows = [], []
    start = time.perf_counter()
    for done, (ranked, gap_rows) in enumerate(
        side_by_side(_simulation, tasks, workers=cfg.workers, label="calibrate"), 1
    ):
        rows += ranked
        coverage_rows += gap_rows
        if done % 10 == 0 or done == cfg.simulations:
            elapsed = time.perf_counter() - start
            left = elapsed / done * (cfg.simulations - done)
            log.info("calibrate: %d/%d tables fitted; %.0f s, about %.0f s left", done, cfg.simulations, elapsed, left)
    ranks, coverage = _by_simulation(rows), _by_simulation(coverage_rows)  # workers finish out of order
    checks = uniformity_checks(ranks, draws_kept=cfg.draws_kept, alpha=cfg.alpha, seed=cfg.seed)
    spread = spread_checks(ranks, draws_kept=cfg.draws_kept, alpha=cfg.alpha, seed=cfg.seed)
    summary = summarise(cfg, ranks, coverage, checks, spread, seconds=time.perf_counter() - start)
    _write(cfg, ranks, coverage, checks, summary, out_dir=out_dir)
    spread.to_csv(out_dir / "spread_checks.csv", index=False)
    return summary


def _by_simulation(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows).sort_values("simulation", kind="stable").reset_index(drop=True)


def _simulation(
    cfg: CalibrateConfig, template: ScoreTable, truth: "Truth", seed: np.random.SeedSequence, s: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Simulation ``s``: its table fitted (in a worker process too), the rank rows and the gap coverage rows."""
    result, persistent = _fit_simulation(cfg, template, truth, seed, process_cache(cfg.model, cfg.sampler.backend))
    truth = dataclasses.replace(truth, gaps=truth.gaps | {"gap_suite": suite_gap(persistent, template, cfg)})
    diag = result.diagnostics
    status: dict[str, Any] = {
        "simulation": s,
        "converged": float(diag.converged),
        "max_rhat": diag.max_rhat,
        "min_ess_bulk": diag.min_ess_bulk,
        "divergences": diag.divergences,
    }
    coverage = [status | {"variable": name} | covered(result.estimates.draws[name], truth.gaps[name]) for name in GAPS]
    return _ranks(result, truth, template, cfg, status), coverage


def _fit_simulation(
    cfg: CalibrateConfig, template: ScoreTable, truth: "Truth", seed: np.random.SeedSequence, cache: ModelCache
) -> tuple[FitResult, np.ndarray]:
    """Simulation ``seed``'s table drawn from ``truth`` and fitted with the run's compiled model; with the table's
    persistent scores."""
    table, persistent = simulate_table(truth, template, cfg, np.random.default_rng(seed))
    sampler = dataclasses.replace(cfg.sampler, seed=int(seed.spawn(1)[0].generate_state(1)[0]))
    gap = GapConfig(a=cfg.a, b=cfg.b, run_share=[0.0, 0.0])  # every departure from the curve is persistent here
    result = fit(table, model=cfg.model, sampler=sampler, gap=gap, convergence=cfg.convergence, cache=cache)
    return result, persistent


def suite_gap(persistent: np.ndarray, template: ScoreTable, cfg: CalibrateConfig) -> float:
    """Best vs best by the uniform composite of the persistent scores: the suite gap's truth."""
    groups = np.asarray(template.groups)
    return float(best_vs_best(persistent.mean(axis=1), groups == cfg.a, groups == cfg.b))


def _ranks(
    result: FitResult, truth: "Truth", template: ScoreTable, cfg: CalibrateConfig, status: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per ranked variable: every parameter of every model and benchmark, and the gap estimands."""
    rows = []
    for family, name in PARAMETERS.items():
        draws = posterior_array(result.posterior, name)
        labels = template.models if family == "capability" else template.benchmarks
        true = getattr(truth, name)
        for i, label in enumerate(labels):
            variable = {"family": family, "variable": f"{name}[{label}]"}
            rows.append(status | variable | rank_of(draws[..., i], true[i], draws_kept=cfg.draws_kept))
    for name in GAPS:
        draws = result.estimates.draws[name]
        rank = rank_of(draws, truth.gaps[name], draws_kept=cfg.draws_kept)
        rows.append(status | {"family": "gap", "variable": name} | rank)
    return rows


def summarise(
    cfg: CalibrateConfig,
    ranks: pd.DataFrame,
    coverage: pd.DataFrame,
    checks: pd.DataFrame,
    spread: pd.DataFrame,
    *,
    seconds: float,
) -> CalibrateSummary:
    pooled = {str(row["family"]): row for row in spread.to_dict("records")}  # the spread check, per family
    families = {
        str(family): _family_check(part, pooled[str(family)]) for family, part in checks.groupby("family", sort=False)
    }
    gap_coverage = {
        str(name): {coverage_name(level): float(part[f"covered_{level_tag(level)}"].mean()) for level in LEVELS}
        for name, part in coverage.groupby("variable", sort=False)
    }
    per_sim = ranks.drop_duplicates("simulation")
    limits = cfg.convergence
    return CalibrateSummary(
        benchgap_version=__version__,
        simulations=cfg.simulations,
        draws_kept=cfg.draws_kept,
        alpha=cfg.alpha,
        passed=all(f.passed for f in families.values()),
        families=families,
        gap_coverage=gap_coverage,
        converged_share=float(per_sim["converged"].mean()),
        max_rhat=float(per_sim["max_rhat"].max()),
        rhat_above_limit_share=float((per_sim["max_rhat"] > limits.max_rhat).mean()),
        ess_below_limit_share=float((per_sim["min_ess_bulk"] < limits.min_ess_bulk).mean()),
        divergent_share=float((per_sim["divergences"] > limits.max_divergences).mean()),
        convergence=limits,
        table={"groups": dict(cfg.groups), "benchmarks": cfg.benchmarks, "items": list(cfg.items)},
        parameters=to_plain(cfg),
        inference=(
            f"NUTS ({cfg.sampler.backend.value}), {run_lengths(cfg.sampler)} per table; ranks among "
            f"{cfg.draws_kept} draws thinned evenly"
        ),
        seconds=seconds,
    )


def _family_check(part: pd.DataFrame, pooled: Mapping[Hashable, Any]) -> FamilyCheck:
    """One family's per-variable checks (``part``, rows of ``checks.csv``) and its pooled spread check."""
    return FamilyCheck(
        variables=len(part),
        passed=bool(part["passed"].all() and pooled["passed"]),
        failed_variables=tuple(part.loc[~part["passed"], "variable"]),
        min_p_value=float(part["p_value"].min()),
        ecdf_envelope_exits=int(part["ecdf_outside_envelope"].sum()),
        histogram_band_violations=int(part["histogram_outside_band"].sum()),
        spread_passed=bool(pooled["passed"]),
        coverage_50=float(pooled["coverage_50"]),
        coverage_90=float(pooled["coverage_90"]),
        spread_p_value=float(np.nanmin([pooled["p_value_50"], pooled["p_value_90"]])),
    )


def _write(
    cfg: CalibrateConfig,
    ranks: pd.DataFrame,
    coverage: pd.DataFrame,
    checks: pd.DataFrame,
    summary: CalibrateSummary,
    *,
    out_dir: Path,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    ranks.to_csv(out_dir / "ranks.csv", index=False)
    coverage.to_csv(out_dir / "gap_coverage.csv", index=False)
    checks.to_csv(out_dir / "checks.csv", index=False)
    figures: list[tuple[Path, str]] = []
    if cfg.plots:
        from benchgap.jobs.calibrate.figures import draw_figures

        figures = draw_figures(ranks, out_dir, draws_kept=cfg.draws_kept)
    write_report(summary, checks, figures, out_dir=out_dir)
    write_json_atomic(out_dir / "summary.json", summary.to_json())  # last: its presence means a finished run
