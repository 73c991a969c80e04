"""Simulation-based calibration (SBC) of the fit model: are its posteriors honest when its own assumptions hold?

Talts et al. (2018, "Validating Bayesian inference algorithms with simulation-based calibration"): draw the
parameters from the prior, simulate a score table from them, fit it, and record the rank of each true value
among ``L`` posterior draws. If the sampler and the model are right, every rank is uniform on ``0..L`` over
simulations, whatever the prior; a smile (too many extreme ranks) means intervals too narrow, a frown too wide,
a slope a bias. The uniformity is tested with the PIT-ECDF's simultaneous bands and the ``pot_c`` test of
ArviZ (Säilynoja, Bürkner and Vehtari 2022; Tesso et al. 2026).

The score tables follow the model's own measurement model (beta-binomial with item counts, per-benchmark
concentration), drawn with the fit's priors (``benchgap.model.build_model``, sampled forward with PyMC); the
fit is ``benchgap.fit.fit`` with one compiled model for every table (data swapped in). simuk (ArviZ's SBC
package) needs observed random variables to draw its tables; the model writes its likelihood as potentials for
speed, so this module draws the tables itself from the same priors.
"""

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from benchgap import __version__
from benchgap.config import CalibrateConfig, GapConfig, ModelKind, Weighting
from benchgap.data import ScoreTable
from benchgap.errors import InputError
from benchgap.metrics import LEVELS
from benchgap.predict import expected_scores, posterior_array
from benchgap.records import plain, write_json_atomic
from benchgap.weighting import best_vs_best

log = logging.getLogger("benchgap")
CHANCE_FLOOR = 0.25  # four-way multiple choice
HISTOGRAM_BINS = 20
GAPS = ("gap_score", "gap_latent", "gap_group_mean")  # gap estimands ranked (names of FitEstimates.draws)
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
    """The table shape every simulation shares: every cell observed, item counts known, the chance floors fixed."""
    if cfg.a not in cfg.groups or cfg.b not in cfg.groups or cfg.a == cfg.b:
        raise InputError(f"a='{cfg.a}' and b='{cfg.b}' must be two different keys of groups ({', '.join(cfg.groups)})")
    if any(n < 1 for n in cfg.groups.values()) or cfg.benchmarks < 2:
        raise InputError("every group needs at least one model, and the table at least 2 benchmarks")
    if not (len(cfg.items) == 2 and 1 <= cfg.items[0] <= cfg.items[1]):
        raise InputError(f"items must be [min, max] item counts with 1 <= min <= max; got {cfg.items}")
    if cfg.model.kind is not ModelKind.irt:
        raise InputError(
            f"model={cfg.model.kind.value}: calibrate draws tables from the plain model's priors, which hold no "
            "inflation; use model=irt"
        )
    if cfg.simulations < 1 or cfg.draws_kept < 9:
        raise InputError("simulations must be at least 1 and draws_kept at least 9")
    if cfg.draws_kept > cfg.sampler.chains * cfg.sampler.draws:
        raise InputError(
            f"draws_kept={cfg.draws_kept} exceeds the {cfg.sampler.chains * cfg.sampler.draws} posterior draws; "
            "lower it or raise sampler.draws"
        )
    models = tuple(f"{g}-{i + 1}" for g, n in cfg.groups.items() for i in range(n))
    groups = tuple(g for g, n in cfg.groups.items() for _ in range(n))
    floors = round(cfg.chance_share * cfg.benchmarks)
    chance = np.where(np.arange(cfg.benchmarks) < floors, CHANCE_FLOOR, 0.0)
    model_idx, bench_idx = np.divmod(np.arange(len(models) * cfg.benchmarks), cfg.benchmarks)
    return ScoreTable(
        models=models,
        groups=groups,
        benchmarks=tuple(f"bench-{j + 1}" for j in range(cfg.benchmarks)),
        categories=tuple("multiple choice" if c > 0 else "free response" for c in chance),
        chance=chance,
        custom_weight=np.full(cfg.benchmarks, np.nan),
        model_idx=model_idx,
        bench_idx=bench_idx,
        score=np.full(model_idx.size, 0.5),
        n_items=np.full(model_idx.size, float(cfg.items[0])),
        stderr=np.full(model_idx.size, np.nan),
        source="simulated from the prior",
    )


def prior_draws(cfg: CalibrateConfig, template: ScoreTable) -> list[Truth]:
    """``cfg.simulations`` draws of the model's parameters from its own priors (PyMC forward sampling of
    ``benchgap.model.build_model``: the potentials that hold the likelihood take no part), with their gaps."""
    import pymc as pm

    from benchgap.model import build_model

    model = build_model(template, spec=cfg.model)
    names = ("theta", "intercept", "log_discrimination", "log_kappa")
    values = pm.draw([model[n] for n in names], draws=cfg.simulations, random_seed=cfg.seed)
    groups = np.asarray(template.groups)
    in_a, in_b = groups == cfg.a, groups == cfg.b
    weights = np.full(template.n_benchmarks, 1.0 / template.n_benchmarks)  # the fit's uniform composite
    truths = []
    for s in range(cfg.simulations):
        theta, intercept, log_a, log_kappa = (np.asarray(v[s]) for v in values)
        expected = expected_scores(theta, intercept, log_a, template.chance)
        gaps = {
            "gap_score": float(best_vs_best(expected @ weights, in_a, in_b)),
            "gap_latent": float(best_vs_best(theta, in_a, in_b)),
            "gap_group_mean": float(theta[in_a].mean() - theta[in_b].mean()),
        }
        truths.append(Truth(theta, intercept, log_a, log_kappa, gaps))
    return truths


def simulate_table(truth: Truth, template: ScoreTable, cfg: CalibrateConfig, rng: np.random.Generator) -> ScoreTable:
    """Scores from the model's measurement model: ``k ~ BetaBinomial(n, kappa p, kappa (1 - p))`` per cell, with
    ``n`` uniform in ``cfg.items``."""
    expected = expected_scores(truth.theta, truth.intercept, truth.log_discrimination, template.chance)
    p = np.clip(expected[template.model_idx, template.bench_idx], 1e-9, 1 - 1e-9)
    kappa = np.exp(truth.log_kappa)[template.bench_idx]
    items = rng.integers(cfg.items[0], cfg.items[1] + 1, template.n_benchmarks)[template.bench_idx]
    correct = rng.binomial(items, rng.beta(kappa * p, kappa * (1 - p)))
    return dataclasses.replace(template, score=correct / items, n_items=items.astype(float))


def run_calibrate(cfg: CalibrateConfig, *, out_dir: Path) -> dict[str, Any]:
    """SBC: ``cfg.simulations`` tables from the prior, each fitted; ranks, checks, figures and the report."""
    from benchgap.fit import fit
    from benchgap.model import ModelCache

    template = template_table(cfg)
    truths = prior_draws(cfg, template)
    seeds = np.random.SeedSequence(cfg.seed).spawn(cfg.simulations)
    cache = ModelCache(cfg.model, cfg.sampler.backend)
    gap = GapConfig(a=cfg.a, b=cfg.b, weighting=Weighting.uniform)
    rows, coverage_rows = [], []
    start = time.perf_counter()
    for s, truth in enumerate(truths):
        rng = np.random.default_rng(seeds[s])
        table = simulate_table(truth, template, cfg, rng)
        sampler = dataclasses.replace(cfg.sampler, seed=int(seeds[s].spawn(1)[0].generate_state(1)[0]))
        result = fit(table, model=cfg.model, sampler=sampler, gap=gap, convergence=cfg.convergence, cache=cache)
        diag = result.diagnostics
        status: dict[str, Any] = {
            "simulation": s,
            "converged": float(diag.converged),
            "max_rhat": diag.max_rhat,
            "min_ess_bulk": diag.min_ess_bulk,
            "divergences": diag.divergences,
        }
        for family, name in PARAMETERS.items():
            draws = posterior_array(result.posterior, name)
            labels = template.models if family == "capability" else template.benchmarks
            true = getattr(truth, name)
            for i, label in enumerate(labels):
                variable = {"family": family, "variable": f"{name}[{label}]"}
                rows.append(status | variable | _rank(draws[..., i], true[i], cfg))
        for name in GAPS:
            draws = result.estimates.draws[name]
            rows.append(status | {"family": "gap", "variable": name} | _rank(draws, truth.gaps[name], cfg))
            coverage_rows.append(status | {"variable": name} | _covered(draws, truth.gaps[name]))
        done = s + 1
        if done % 10 == 0 or done == cfg.simulations:
            elapsed = time.perf_counter() - start
            log.info(
                "calibrate: %d/%d tables fitted; %.0f s, about %.0f s left",
                done,
                cfg.simulations,
                elapsed,
                elapsed / done * (cfg.simulations - done),
            )
    ranks = pd.DataFrame(rows)
    coverage = pd.DataFrame(coverage_rows)
    checks = uniformity_checks(ranks, draws_kept=cfg.draws_kept, alpha=cfg.alpha, seed=cfg.seed)
    summary = _summary(cfg, ranks, coverage, checks, seconds=time.perf_counter() - start)
    _write(cfg, ranks, coverage, checks, summary, out_dir=out_dir)
    return summary


def _rank(draws: np.ndarray, truth: float, cfg: CalibrateConfig) -> dict[str, int]:
    """The truth's rank among ``cfg.draws_kept`` posterior draws thinned evenly across all chains (Talts et al.
    2018 thin to reduce autocorrelation, which would otherwise show as a false smile)."""
    flat = np.asarray(draws, float).reshape(-1)
    kept = flat[np.linspace(0, flat.size - 1, cfg.draws_kept).round().astype(int)]
    return {"rank": int((kept < truth).sum()), "draws_kept": cfg.draws_kept}


def _covered(draws: np.ndarray, truth: float) -> dict[str, float]:
    """Whether the central posterior interval at each level holds the truth."""
    flat = np.asarray(draws, float).reshape(-1)
    out = {}
    for level in LEVELS:
        lo, hi = np.quantile(flat, [0.5 - level / 2, 0.5 + level / 2])
        out[f"covered_{round(level * 100)}"] = float(lo <= truth <= hi)
    return out


def uniformity_checks(ranks: pd.DataFrame, *, draws_kept: int, alpha: float, seed: int) -> pd.DataFrame:
    """Per variable: the ``pot_c`` uniformity p-value of its PIT values, and whether its PIT-ECDF leaves the
    simultaneous envelope or its rank histogram a simultaneous band. Each check runs at ``alpha`` divided by the
    number of checks in the run (three per variable; Bonferroni), so a calibrated model fails the whole run with
    probability at most ``alpha``; the histogram band is also Bonferroni-corrected over its bins."""
    import xarray as xr
    from arviz_stats.ecdf_utils import ecdf_pit

    rng = np.random.default_rng(seed)
    out = []
    level = alpha / (3 * ranks["variable"].nunique())
    edges = np.linspace(-0.5, draws_kept + 0.5, HISTOGRAM_BINS + 1)
    for (family, variable), part in ranks.groupby(["family", "variable"], sort=False):
        r = part["rank"].to_numpy()
        pit = (r + 0.5) / (draws_kept + 1)
        dataset = xr.Dataset({"pit": (("chain", "draw"), pit[None, :])})
        p_value = float(dataset.azstats.uniformity_test(dim=["chain", "draw"], method="pot_c")[0]["pit"])
        _, ecdf, lower, upper = ecdf_pit(pit, 1 - level, 1000, rng=rng)
        counts = np.histogram(r, bins=edges)[0]
        expected = binom(r.size, np.diff(edges) / (draws_kept + 1))  # a bin's count when ranks are uniform
        lo, hi = expected.ppf(level / HISTOGRAM_BINS / 2), expected.isf(level / HISTOGRAM_BINS / 2)
        out.append(
            {
                "family": family,
                "variable": variable,
                "simulations": r.size,
                "p_value": p_value,
                "ecdf_outside_band": bool(((ecdf < lower) | (ecdf > upper)).any()),
                "histogram_outside_band": bool(((counts < lo) | (counts > hi)).any()),
                "passed": bool(
                    p_value >= level
                    and not ((ecdf < lower) | (ecdf > upper)).any()
                    and not ((counts < lo) | (counts > hi)).any()
                ),
            }
        )
    return pd.DataFrame(out)


def _summary(
    cfg: CalibrateConfig, ranks: pd.DataFrame, coverage: pd.DataFrame, checks: pd.DataFrame, *, seconds: float
) -> dict[str, Any]:
    families = {}
    for family, part in checks.groupby("family", sort=False):
        families[str(family)] = {
            "variables": len(part),
            "passed": bool(part["passed"].all()),
            "failed_variables": part.loc[~part["passed"], "variable"].tolist(),
            "min_p_value": float(part["p_value"].min()),
            "ecdf_band_violations": int(part["ecdf_outside_band"].sum()),
            "histogram_band_violations": int(part["histogram_outside_band"].sum()),
        }
    gap_coverage = {
        str(name): {
            f"coverage_{round(level * 100)}": float(part[f"covered_{round(level * 100)}"].mean()) for level in LEVELS
        }
        for name, part in coverage.groupby("variable", sort=False)
    }
    per_sim = ranks.drop_duplicates("simulation")
    return {
        "benchgap_version": __version__,
        "simulations": cfg.simulations,
        "draws_kept": cfg.draws_kept,
        "alpha": cfg.alpha,
        "passed": all(f["passed"] for f in families.values()),
        "families": families,
        "gap_coverage": gap_coverage,
        "converged_share": float(per_sim["converged"].mean()),
        "max_rhat": float(per_sim["max_rhat"].max()),
        "rhat_above_1_01_share": float((per_sim["max_rhat"] > 1.01).mean()),
        "ess_below_400_share": float((per_sim["min_ess_bulk"] < 400).mean()),
        "divergent_share": float((per_sim["divergences"] > 0).mean()),
        "table": {"groups": dict(cfg.groups), "benchmarks": cfg.benchmarks, "items": list(cfg.items)},
        "parameters": plain(dataclasses.asdict(cfg)),
        "inference": (
            f"NUTS ({cfg.sampler.backend.value}), {cfg.sampler.chains} chains x ({cfg.sampler.tune} warm-up + "
            f"{cfg.sampler.draws} draws) per table; ranks among {cfg.draws_kept} draws thinned evenly"
        ),
        "seconds": seconds,
    }


def verdict(summary: dict[str, Any]) -> str:
    """One plain line: calibrated or not, and where not."""
    failed = [
        f"{name} ({', '.join(f['failed_variables'][:3])})" for name, f in summary["families"].items() if not f["passed"]
    ]
    gap90 = summary["gap_coverage"]["gap_score"]["coverage_90"]
    head = f"{summary['simulations']} tables from the prior: "
    if not failed:
        return (
            head + "every rank is consistent with uniform (no PIT-ECDF or rank-histogram band violation, and no "
            f"uniformity test rejected; run-wise level {summary['alpha']:g}); the score gap's 90% intervals covered "
            f"{gap90:.0%}."
        )
    return head + f"NOT calibrated in {'; '.join(failed)}; the score gap's 90% intervals covered {gap90:.0%}."


def _write(
    cfg: CalibrateConfig,
    ranks: pd.DataFrame,
    coverage: pd.DataFrame,
    checks: pd.DataFrame,
    summary: dict[str, Any],
    *,
    out_dir: Path,
) -> None:
    from benchgap.document import Figure, to_html, to_markdown

    ranks.to_csv(out_dir / "ranks.csv", index=False)
    coverage.to_csv(out_dir / "gap_coverage.csv", index=False)
    checks.to_csv(out_dir / "checks.csv", index=False)
    figures: list[Figure] = []
    if cfg.plots:
        from benchgap.plots import ecdf_pit_figure, rank_histograms

        for family in dict.fromkeys(ranks["family"]):
            path = out_dir / f"ecdf_pit_{family}.png"
            ecdf_pit_figure(ranks[ranks["family"] == family], path, draws_kept=cfg.draws_kept)
            caption = f"PIT-ECDF minus the uniform CDF of the {family} ranks (pot_c marks points outside its region)."
            figures.append(Figure(path, caption))
        path = out_dir / "rank_histograms.png"
        rank_histograms(ranks[ranks["family"] == "gap"], path, draws_kept=cfg.draws_kept, bins=HISTOGRAM_BINS)
        figures.append(Figure(path, "Rank histograms of the gap estimands (uniform if calibrated)."))
    blocks = report_blocks(summary, checks, figures)
    (out_dir / "report.md").write_text(to_markdown(blocks, relative_to=out_dir))
    (out_dir / "report.html").write_text(to_html(blocks, title="benchgap calibrate"))
    write_json_atomic(out_dir / "summary.json", summary)  # last: its presence means a finished run


def report_blocks(summary: dict[str, Any], checks: pd.DataFrame, figures: list) -> list:
    from benchgap.document import Heading, Paragraph, Table

    blocks: list = [
        Heading("benchgap calibrate: simulation-based calibration of the fit model", 1),
        Paragraph(
            ("PASS. " if summary["passed"] else "FAIL. ") + verdict(summary),
            strong=summary["passed"],
            warning=not summary["passed"],
        ),
        Paragraph(
            "Each simulation draws the model's parameters from its priors, draws a score table from its measurement "
            "model, fits it, and ranks every true value among the posterior draws (Talts et al. 2018). Calibrated "
            "posteriors give uniform ranks. Checks per variable: the PIT-ECDF inside its simultaneous envelope, "
            "the rank histogram inside a simultaneous binomial band, and the pot_c uniformity test, so that a "
            f"calibrated model fails the run with probability at most {summary['alpha']:g} (Bonferroni over all "
            "checks). Inference: "
            f"{summary['inference']}. Fits that met every convergence threshold: {summary['converged_share']:.0%} "
            f"(R-hat above 1.01 in {summary['rhat_above_1_01_share']:.0%}, max {summary['max_rhat']:.3f}; bulk ESS "
            f"below 400 in {summary['ess_below_400_share']:.0%}; divergences in {summary['divergent_share']:.0%}). "
            "Every fit is ranked: dropping the unconverged ones would bias the ranks (Talts et al. 2018)."
        ),
        Heading("Families"),
        Table(
            ["family", "variables", "result", "min p-value", "ECDF band violations", "histogram band violations"],
            [
                [
                    name,
                    str(f["variables"]),
                    "pass" if f["passed"] else "FAIL: " + ", ".join(f["failed_variables"][:4]),
                    f"{f['min_p_value']:.3f}",
                    str(f["ecdf_band_violations"]),
                    str(f["histogram_band_violations"]),
                ]
                for name, f in summary["families"].items()
            ],
        ),
        Heading("Interval coverage of the gap estimands"),
        Table(
            ["estimand", *[f"{round(level * 100)}%" for level in LEVELS]],
            [
                [name, *[f"{c[f'coverage_{round(level * 100)}']:.2f}" for level in LEVELS]]
                for name, c in summary["gap_coverage"].items()
            ],
        ),
        Paragraph(
            f"Central posterior intervals over {summary['simulations']} simulations; the binomial standard error of "
            f"a 90% coverage is about {np.sqrt(0.09 / summary['simulations']):.3f}."
        ),
        Heading("Gap estimands, per variable"),
        Table(
            ["variable", "p-value", "ECDF outside band", "histogram outside band"],
            [
                [r["variable"], f"{r['p_value']:.3f}", str(r["ecdf_outside_band"]), str(r["histogram_outside_band"])]
                for _, r in checks[checks["family"] == "gap"].iterrows()
            ],
        ),
    ]
    if figures:
        blocks += [Heading("Figures"), *figures]
    return blocks
