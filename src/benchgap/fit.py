"""The fit job: table -> hierarchical model -> posterior -> estimands -> files in the run folder.

Usable without Hydra: ``run_fit(FitConfig(...), out_dir=Path(...))``.
"""

import dataclasses
import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from xarray import DataTree

from benchgap import __version__
from benchgap.config import (
    ConvergenceConfig,
    DataConfig,
    FitConfig,
    GapConfig,
    ModelConfig,
    ModelKind,
    PlainLikelihood,
    SamplerConfig,
)
from benchgap.data import CellSplit, ScoreTable, read_table
from benchgap.diagnostics import Diagnostics, diagnose
from benchgap.estimands import FitEstimates, check_groups, estimate
from benchgap.inflation import PER_CELL_DRAWS, cell_inflation, check_prior, model_inflation
from benchgap.records import json_default, plain

if TYPE_CHECKING:
    from benchgap.model import ModelCache

log = logging.getLogger("benchgap")


@dataclass(frozen=True)
class FitResult:
    table: ScoreTable
    posterior: DataTree
    estimates: FitEstimates
    diagnostics: Diagnostics
    seconds: float  # wall time of build + compile + sampling


def load_table(cfg: DataConfig) -> ScoreTable:
    """The user's table, or the built-in synthetic demo when ``data.path`` is unset."""
    if cfg.path:
        return read_table(cfg)
    from benchgap.simulate import demo_table

    return demo_table(cfg.demo)[0]


def fit(
    table: ScoreTable,
    *,
    model: ModelConfig,
    sampler: SamplerConfig,
    gap: GapConfig,
    convergence: ConvergenceConfig,
    cache: "ModelCache | None" = None,
) -> FitResult:
    """Fit the hierarchical item-response model to ``table`` and compute every estimand and diagnostic.

    Pass one ``cache`` to a series of fits to compile once per table shape (see ``benchgap.model.ModelCache``).
    """
    from benchgap.model import ModelCache

    check_groups(table, gap)
    check_prior(model)
    if cache is not None and (cache.spec != model or cache.backend is not sampler.backend):
        raise ValueError("fit: the cache was made for another model spec or sampler backend")
    start = time.perf_counter()
    posterior = (cache or ModelCache(model, sampler.backend)).sample(table, sampler=sampler)
    seconds = time.perf_counter() - start
    return finish_fit(table, posterior, gap=gap, convergence=convergence, seconds=seconds)


def finish_fit(
    table: ScoreTable, posterior: DataTree, *, gap: GapConfig, convergence: ConvergenceConfig, seconds: float
) -> FitResult:
    """Estimands and diagnostics of a sampled posterior; the gap draws are added to its posterior group."""
    estimates = estimate(posterior, table, gap=gap)
    diagnostics = diagnose(posterior, estimates.draws, limits=convergence)
    posterior["posterior"] = (
        posterior["posterior"]
        .to_dataset()
        .assign({name: (("chain", "draw"), values) for name, values in estimates.draws.items()})
    )
    return FitResult(table, posterior, estimates, diagnostics, seconds)


def summary(result: FitResult, cfg: FitConfig, *, ppc_coverage: float | None) -> dict[str, Any]:
    """The JSON-ready summary of a fit (``summary.json``)."""
    table, est, diag = result.table, result.estimates, result.diagnostics
    gap = est.gap
    split = CellSplit.of(table)

    def draws(s: Any) -> dict[str, Any]:
        return {"mean": s.mean, "sd": s.sd, "hdi": list(s.hdi), "prob_a_ahead": s.prob_a_ahead}

    out: dict[str, Any] = {
        "benchgap_version": __version__,
        "inference": result.posterior.attrs.get("inference", "NUTS"),
        "source": table.source,
        "data": {
            "n_models": table.n_models,
            "n_benchmarks": table.n_benchmarks,
            "n_cells": table.n_cells,
            "n_missing": table.n_missing,
            "groups": table.group_counts(),
            "benchmarks": list(table.benchmarks),
            "weights": dict(zip(table.benchmarks, map(float, est.weights), strict=True)),
            "measurement": {
                "beta_binomial_cells": int(split.counts.size),
                "normal_stderr_cells": int(split.stderr.size),
                "beta_cells": int(split.plain.size),
            },
        },
        "gap": {
            "a": gap.a,
            "b": gap.b,
            "hdi_prob": gap.hdi_prob,
            "latent": draws(gap.latent),
            "score": draws(gap.score) | {"relative_mean": gap.relative.mean, "relative_hdi": list(gap.relative.hdi)},
            "group_mean": draws(gap.group_mean),
            "top_k": draws(gap.top_k) | {"k": gap.k},
            "rope": {"half_width": gap.rope, "prob_inside": gap.prob_rope},
            "lenses": {name: dataclasses.asdict(lens) for name, lens in gap.lenses.items()},
            "verdict": gap.verdict,
        },
        "models": [dataclasses.asdict(m) for m in est.models],
        "tie_groups": est.tie_groups,
        "diagnostics": dataclasses.asdict(diag),
        "posterior_predictive": {"coverage_90": ppc_coverage},
        "seconds": {"sampling_and_compile": result.seconds},
        "config": plain(dataclasses.asdict(cfg)),
    }
    if table.published:
        recomputed = {m.model: m.mean_win_rate for m in est.models}
        diffs = [abs(recomputed[m] - v) for m, v in table.published.items()]
        out["published_aggregate"] = {
            "n_models": len(diffs),
            "max_abs_diff_vs_mean_win_rate": float(max(diffs)),
            "note": "the table's published aggregate column against benchgap's recomputed HELM mean win rate",
        }
    return out


def run_fit(cfg: FitConfig, *, out_dir: Path) -> dict[str, Any]:
    """Run the whole fit job and write its files into ``out_dir``; returns the summary.

    Files are written to a scratch folder first and moved in at the end, so a failed run never leaves
    a half-written result behind.
    """
    from benchgap import plots
    from benchgap.predict import predictive_coverage, replicate_scores
    from benchgap.report import write_fit_report

    table = load_table(cfg.data)
    check_groups(table, cfg.gap)  # fail before the expensive part (fit checks too, for library callers)
    check_prior(cfg.model)
    log.info(
        "table %s: %d models x %d benchmarks, %d scores (%d missing)",
        table.source,
        table.n_models,
        table.n_benchmarks,
        table.n_cells,
        table.n_missing,
    )
    log.info(
        "fitting: compile, then %d chains x (%d tune + %d draws)",
        cfg.sampler.chains,
        cfg.sampler.tune,
        cfg.sampler.draws,
    )
    result = fit(table, model=cfg.model, sampler=cfg.sampler, gap=cfg.gap, convergence=cfg.convergence)
    _log_fit(result)
    aware = cfg.model.kind is ModelKind.contamination_aware
    plain_result = None
    if aware:
        log.info("fitting the plain model (model.kind=irt) to the same table, for the gap beside the deflated one")
        plain_model = dataclasses.replace(cfg.model, kind=ModelKind.irt)
        plain_result = fit(table, model=plain_model, sampler=cfg.sampler, gap=cfg.gap, convergence=cfg.convergence)
        _log_fit(plain_result)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".partial-", dir=out_dir))
    try:
        rng = np.random.default_rng(cfg.sampler.seed)
        normal_floor = cfg.model.score_floor if cfg.model.plain_likelihood is PlainLikelihood.normal else None
        replicates = replicate_scores(result.posterior, table, n_draws=400, rng=rng, plain_normal_floor=normal_floor)
        ppc_coverage = predictive_coverage(replicates, table.score, prob=0.9)
        figures: dict[str, Path] = {}
        if cfg.plots:
            figures = {name: scratch / f"{name}.png" for name in ("forest", "gap", "convergence", "ppc")}
            plots.forest(result.estimates, figures["forest"])
            plots.gap_posterior(result.estimates, figures["gap"])
            plots.convergence(
                {k: result.estimates.draws[k] for k in ("gap_latent", "gap_score", "gap_group_mean")},
                figures["convergence"],
            )
            plots.predictive_check(table, replicates, figures["ppc"], prob=0.9)
        result_summary = summary(result, cfg, ppc_coverage=ppc_coverage)
        if plain_result is not None:
            cells = cell_inflation(result.posterior, table, flag_probability=cfg.model.inflation.flag_probability)
            model_totals = model_inflation(cells)
            result_summary["contamination"] = contamination_summary(
                result, plain_result, cells=cells, per_model=model_totals
            )
            cells.sort_values("probability", ascending=False, kind="stable").to_csv(
                scratch / "inflation_cells.csv", index=False
            )
            model_totals.to_csv(scratch / "inflation_models.csv", index=False)
        (scratch / "summary.json").write_text(json.dumps(result_summary, indent=2, default=json_default))
        per_model = pd.DataFrame(result_summary["models"])
        for column in ("theta_hdi", "rank_hdi", "composite_hdi"):
            per_model[[f"{column}_lo", f"{column}_hi"]] = per_model.pop(column).tolist()
        per_model.to_csv(scratch / "summary.csv", index=False)
        _save_posterior(result.posterior, scratch / "posterior.nc")
        write_fit_report(result_summary, figures, out_dir=scratch)
        for item in scratch.iterdir():
            item.replace(out_dir / item.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log.info("wrote %s", out_dir)
    return result_summary


def _log_fit(result: FitResult) -> None:
    diagnostics = result.diagnostics
    log.info(
        "sampled in %.1f s; %s",
        result.seconds,
        "converged" if diagnostics.converged else "NOT converged: " + "; ".join(diagnostics.problems),
    )


FLAGGED_SHOWN = 25  # flagged cells listed in summary.json (all are in inflation_cells.csv)


def contamination_summary(
    aware_fit: FitResult, plain_fit: FitResult, *, cells: pd.DataFrame, per_model: pd.DataFrame
) -> dict[str, Any]:
    """``model=contamination_aware``: the gap with inflation removed beside the plain model's, and what is flagged."""

    def gap_of(result: FitResult) -> dict[str, Any]:
        gap = result.estimates.gap
        return {
            name: {"mean": s.mean, "hdi": list(s.hdi), "prob_a_ahead": s.prob_a_ahead}
            for name, s in (("score", gap.score), ("latent", gap.latent), ("group_mean", gap.group_mean))
        } | {"converged": result.diagnostics.converged}

    deflated, plain_gap = gap_of(aware_fit), gap_of(plain_fit)
    flagged = cells[cells["flagged"]].sort_values("probability", ascending=False, kind="stable")
    inflation_draws = aware_fit.posterior["posterior"].to_dataset()
    return {
        "note": (
            "gaps of model=contamination_aware (inflation removed) and of the plain model fitted to the same table; "
            "cells flagged where the posterior probability of inflation reaches model.inflation.flag_probability"
        ),
        "deflated_gap": deflated,
        "plain_gap": plain_gap,
        "shift": {name: deflated[name]["mean"] - plain_gap[name]["mean"] for name in ("score", "latent", "group_mean")},
        "cells": len(cells),
        "flagged_cells": len(flagged),
        "expected_inflated_cells": float(cells["probability"].sum()),
        "flagged": flagged.head(FLAGGED_SHOWN).to_dict(orient="records"),
        "models": per_model.head(FLAGGED_SHOWN).to_dict(orient="records"),
        "share_logit_mean": float(inflation_draws["inflation_share_logit"].mean()),
        "slopes": {
            str(name): float(inflation_draws["inflation_slopes"].sel(covariate=name).mean())
            for name in inflation_draws["inflation_slopes"]["covariate"].to_numpy()
        },
    }


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
