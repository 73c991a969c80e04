"""``benchgap arena``: an Arena file (published ratings or raw votes) fitted, and the best-vs-best gap read as a
head-to-head win probability per snapshot beside the ratio of ratings a headline quotes; or, with ``worlds > 0``,
the votes model's recovery on simulated votes (rank correlation, coverage of the win probability's interval)."""

import dataclasses
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from xarray import DataTree

from benchgap import __version__
from benchgap.arena_data import ArenaRatings, ArenaVotes, rating_drift, read_ratings, read_votes
from benchgap.arena_gaps import ArenaLens, arena_lens
from benchgap.arena_model import ratings_model, votes_data, votes_model
from benchgap.arena_race import ArenaRace, arena_races
from benchgap.arena_settings import ArenaConfig
from benchgap.arena_world import WorldScore, draw_world, score_world
from benchgap.config import GapConfig
from benchgap.diagnostics import Diagnostics, diagnose
from benchgap.jobs.arena.checks import check_arena, check_groups
from benchgap.jobs.arena.page import write_report, write_study_report
from benchgap.metrics import binomial_interval
from benchgap.records.arena_summary import ArenaStudy, ArenaSummary
from benchgap.records.files import to_plain, write_json_atomic, written_together
from benchgap.sampling import CompiledModel, compile_model, sample

log = logging.getLogger("benchgap")


def run_arena(cfg: ArenaConfig, *, out_dir: Path) -> ArenaSummary | ArenaStudy:
    """Fit the file ``cfg`` names (or run the simulated-votes study) and write ``summary.json`` and the report."""
    check_arena(cfg)
    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.worlds > 0:
        return run_study(cfg, out_dir=out_dir)
    if cfg.votes:
        votes = read_votes(cfg.votes, models_file=cfg.models, anonymous_only=cfg.anonymous_only)
        check_groups(votes.groups, cfg.gap, source=votes.source)
        return _finish(cfg, votes, out_dir=out_dir)
    ratings = read_ratings(str(cfg.ratings), models_file=cfg.models, by=cfg.gap.by)
    check_groups(ratings.group, cfg.gap, source=ratings.source)
    return _finish(cfg, ratings, out_dir=out_dir)


def _gap(cfg: ArenaConfig) -> GapConfig:
    """The gap settings in the form the shared summaries read (direction words at ``ahead`` and ``likely``)."""
    g = cfg.gap
    return GapConfig(
        a=g.a,
        b=g.b,
        groups=g.groups,
        interval=g.interval,
        interval_prob=g.interval_prob,
        ahead=g.ahead,
        likely=g.likely,
    )


def _finish(cfg: ArenaConfig, data: ArenaRatings | ArenaVotes, *, out_dir: Path) -> ArenaSummary:
    start = time.perf_counter()
    if isinstance(data, ArenaVotes):
        kind, model, names, groups, published = "votes", votes_model(data), data.models, data.groups, None
        snapshot_rows = {Path(data.source).stem: np.arange(len(data.models))}
    else:
        kind, model, names, groups, published = "ratings", ratings_model(data), data.model, data.group, data.rating
        snapshot_rows = {s: data.rows_of(i) for i, s in enumerate(data.snapshots)}
    log.info("arena: compiling and sampling the %s model", kind)
    posterior = sample(compile_model(model, cfg.sampler.backend), sampler=cfg.sampler)
    strength = posterior["posterior"]["strength"].to_numpy()
    gap = _gap(cfg)
    flat = strength.reshape(-1, strength.shape[-1])
    lens = arena_lens(
        flat,
        models=names,
        groups=groups,
        snapshot_rows=snapshot_rows,
        published=published,
        gap=gap,
        shift=cfg.gap.shift,
    )
    races, races_skipped = None, None
    if cfg.gap.groups is not None:
        races, races_skipped = arena_races(
            flat, models=names, groups=groups, snapshot_rows=snapshot_rows, listed=cfg.gap.groups, gap=gap
        )
    diagnostics = diagnose(posterior, _checked(posterior, strength), limits=cfg.convergence)
    summary = ArenaSummary(
        version=__version__,
        source=data.source,
        kind=kind,
        rows=len(names),
        votes=data.n_votes if isinstance(data, ArenaVotes) else None,
        tie_share_equal=float(posterior["posterior"]["tie_share_equal"].mean()) if kind == "votes" else None,
        lens=lens,
        drift=rating_drift(data) if isinstance(data, ArenaRatings) else [],
        diagnostics=diagnostics,
        inference=str(posterior.attrs.get("inference", "")),
        seconds=time.perf_counter() - start,
        settings=to_plain(cfg),
        races=races,
        races_skipped=races_skipped,
    )
    _write(cfg, summary, out_dir=out_dir)
    return summary


def _write(cfg: ArenaConfig, summary: ArenaSummary, *, out_dir: Path) -> None:
    """Every file into a scratch folder, moved in together: a failed run leaves none of them."""
    with written_together(out_dir) as scratch:
        gaps_frame(summary.lens).to_csv(scratch / "gaps.csv", index=False)
        changes_frame(summary.lens).to_csv(scratch / "changes.csv", index=False)
        if summary.races is not None:
            races_frame(summary.races).to_csv(scratch / "races.csv", index=False)
        figures: list[tuple[Path, str]] = []
        if cfg.plots:
            from benchgap.jobs.arena.figures import gap_by_snapshot

            figures = gap_by_snapshot(summary.lens, scratch)
        write_report(summary, figures, limits=cfg.convergence, out_dir=scratch)
        write_json_atomic(scratch / "summary.json", to_plain(summary))


def _checked(posterior: DataTree, strength: np.ndarray) -> dict[str, np.ndarray]:
    """What the convergence check covers beyond the shared list: the strengths, and the votes model's group means
    (relative to the mean model) and tie parameter."""
    extra = {"strength": strength}
    for name in ("group_mean", "log_nu"):
        if name in posterior["posterior"]:
            extra[name] = posterior["posterior"][name].to_numpy()
    return extra


def gaps_frame(lens: ArenaLens) -> pd.DataFrame:
    """One row per snapshot: the published figures a reader computes by hand and the posterior's."""
    rows = []
    for g in lens.gaps:
        pub = g.published
        rows.append(
            {
                "snapshot": g.snapshot,
                f"models_{lens.a}": g.models_a,
                f"models_{lens.b}": g.models_b,
                "published_best_a": pub.best_a if pub else None,
                "published_rating_a": pub.rating_a if pub else None,
                "published_best_b": pub.best_b if pub else None,
                "published_rating_b": pub.rating_b if pub else None,
                "published_gap": pub.gap if pub else None,
                "published_ratio": pub.ratio if pub else None,
                f"ratio_shifted_{lens.shift:g}": pub.ratio_shifted if pub else None,
                "published_win_probability": pub.win_probability if pub else None,
                "gap_mean": g.gap.mean,
                "gap_low": g.gap.interval[0],
                "gap_high": g.gap.interval[1],
                "prob_a_ahead": g.gap.prob_a_ahead,
                "win_mean": g.win.mean,
                "win_low": g.win.interval[0],
                "win_high": g.win.interval[1],
                "likeliest_best_a": g.likeliest_best_a,
                "prob_best_a": g.prob_best_a,
                "likeliest_best_b": g.likeliest_best_b,
                "prob_best_b": g.prob_best_b,
            }
        )
    return pd.DataFrame(rows)


def races_frame(races: list[ArenaRace]) -> pd.DataFrame:
    """One row per snapshot and listed group: its P(leads), and its likeliest best model."""
    return pd.DataFrame([{"snapshot": race.snapshot, **vars(lead)} for race in races for lead in race.leads])


def changes_frame(lens: ArenaLens) -> pd.DataFrame:
    """One row per change between snapshots (consecutive, then first against last)."""
    return pd.DataFrame(
        [
            {
                "before": c.before,
                "after": c.after,
                "gap_change_mean": c.gap.mean,
                "gap_change_low": c.gap.interval[0],
                "gap_change_high": c.gap.interval[1],
                "prob_fell": 1 - c.gap.prob_a_ahead,
                "win_change_mean": c.win.mean,
                "published_gap_change": c.published_gap,
                "published_ratio_change": c.published_ratio,
                "words": c.words,
            }
            for c in lens.changes
        ],
        columns=[
            *("before", "after", "gap_change_mean", "gap_change_low", "gap_change_high", "prob_fell"),
            *("win_change_mean", "published_gap_change", "published_ratio_change", "words"),
        ],
    )


def run_study(cfg: ArenaConfig, *, out_dir: Path) -> ArenaStudy:
    """``cfg.worlds`` simulated vote worlds, each fitted with one compiled votes model (data swapped in)."""
    seeds = np.random.SeedSequence(cfg.seed).spawn(cfg.worlds)
    start = time.perf_counter()
    compiled: CompiledModel | None = None
    scores: list[WorldScore] = []
    inference = ""
    for w, seed in enumerate(seeds):
        world = draw_world(cfg.world, np.random.default_rng(seed))
        compiled = compiled or compile_model(votes_model(world.votes), cfg.sampler.backend)
        sampler = dataclasses.replace(cfg.sampler, seed=int(seed.spawn(1)[0].generate_state(1)[0]))
        posterior = sample(compiled, sampler=sampler, data=votes_data(world.votes))
        inference = str(posterior.attrs.get("inference", ""))
        strength = posterior["posterior"]["strength"].to_numpy()
        diagnostics: Diagnostics = diagnose(posterior, _checked(posterior, strength), limits=cfg.convergence)
        flat = strength.reshape(-1, strength.shape[-1])
        scores.append(score_world(world, flat, gap=cfg.gap, converged=diagnostics.converged))
        if (w + 1) % 10 == 0 or w + 1 == cfg.worlds:
            elapsed = time.perf_counter() - start
            left = elapsed / (w + 1) * (cfg.worlds - w - 1)
            log.info("arena: %d/%d vote worlds fitted; %.0f s, about %.0f s left", w + 1, cfg.worlds, elapsed, left)
    study = summarise_study(cfg, scores, models=len(world.votes.models), votes=world.votes.n_votes)
    study = dataclasses.replace(study, inference=inference, seconds=time.perf_counter() - start)
    with written_together(out_dir) as scratch:
        pd.DataFrame([to_plain(s) for s in scores]).to_csv(scratch / "worlds.csv", index=False)
        write_study_report(study, out_dir=scratch)
        write_json_atomic(scratch / "summary.json", to_plain(study))
    return study


def summarise_study(cfg: ArenaConfig, scores: list[WorldScore], *, models: int, votes: int) -> ArenaStudy:
    rho = np.array([s.rank_correlation for s in scores])
    covered = sum(s.covered for s in scores)
    return ArenaStudy(
        version=__version__,
        worlds=len(scores),
        models=models,
        votes=votes,
        interval_prob=cfg.gap.interval_prob,
        rank_correlation_mean=float(rho.mean()),
        rank_correlation_min=float(rho.min()),
        covered=covered,
        coverage=covered / len(scores),
        coverage_interval=binomial_interval(covered / len(scores), len(scores)),
        mean_abs_error=float(np.mean([abs(s.estimated_win - s.true_win) for s in scores])),
        converged=sum(s.converged for s in scores),
        inference="",
        seconds=0.0,
        settings=to_plain(cfg),
    )
