"""``benchgap arena``: reading Arena ratings and votes, the win-probability lens beside the rating ratio, and the votes
model's recovery on simulated votes.

The fast tests read files and check the published figures a reader computes by hand; the fits run on small
subsets of LMArena's monthly table and on simulated votes; the slow test is a small version of the README's
200-world recovery study and can fail (coverage of the best-vs-best win probability's 90% intervals)."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from benchgap.arena_data import count_votes, read_ratings, read_votes, win_probability
from benchgap.arena_gaps import arena_lens
from benchgap.arena_model import votes_model
from benchgap.arena_settings import ArenaConfig, ArenaGapConfig, VoteWorldConfig
from benchgap.arena_world import draw_world, score_world
from benchgap.config import GapConfig
from benchgap.errors import InputError
from benchgap.fitting import fit
from benchgap.jobs.arena.run import run_arena
from benchgap.rating_link import arena_link
from benchgap.sampling import compile_model, sample
from benchgap.table import read_table
from benchgap.table.ratings import attach_ratings
from benchgap.table.score_table import RatingCells
from benchgap.world import draw_world as draw_world_table
from tests.conftest import DATA, TINY, composed, run_cli, write

MONTHLY = DATA / "arena" / "lmarena_text_monthly.csv"
HEADER = "snapshot,model,organization,group,arena_score,ci_plus,ci_minus,votes"


def test_the_monthly_table_reads_with_snapshots_in_date_order_and_the_anchor_exact():
    ratings = read_ratings(str(MONTHLY))
    assert ratings.n_rows == 2643 and len(ratings.snapshots) == 15
    assert ratings.snapshots[0] == "2024-06-19" and ratings.snapshots[-1] == "2025-08-06"
    assert list(ratings.snapshots) == sorted(ratings.snapshots)
    exact = np.flatnonzero(np.isclose(ratings.stderr, 1 / np.sqrt(12)))  # a zero-width interval: rounding only
    assert len(exact) == 10  # LMArena's anchor, pinned at 1114 up to 2025-03-28
    assert {ratings.model[i].lower() for i in exact} == {"mixtral-8x7b-instruct-v0.1"}
    assert set(ratings.rating[exact]) == {1114.0}
    gpt4o = ratings.model.index("GPT-4o-2024-05-13")  # 1287, +3/-3: se = 3/1.96 with the rounding
    assert ratings.stderr[gpt4o] == pytest.approx(np.hypot(3 / 1.959964, 1 / np.sqrt(12)))


def test_the_published_figures_match_a_hand_computation():
    """On the last snapshot: Gemini-2.5-Pro 1470 vs GLM-4.5 1434 (shared data README): 36 points, 2.45% of 1470,
    1.46% once 1,000 points are added, and a win probability of 1 / (1 + 10^(-36/400)) = 0.5517 either way."""
    ratings = read_ratings(str(MONTHLY))
    last = ratings.rows_of(len(ratings.snapshots) - 1)
    lens = arena_lens(
        np.tile(ratings.rating, (4, 1)),  # draws equal to the published ratings: the posterior figures are those
        models=ratings.model,
        groups=ratings.group,
        snapshot_rows={ratings.snapshots[-1]: last},
        published=ratings.rating,
        gap=GapConfig(),
    )
    pub = lens.gaps[0].published
    assert (pub.best_a, pub.rating_a, pub.best_b, pub.rating_b) == ("Gemini-2.5-Pro", 1470, "GLM-4.5", 1434)
    assert pub.gap == 36 and pub.ratio == pytest.approx(36 / 1470) and pub.ratio_shifted == pytest.approx(36 / 2470)
    assert pub.win_probability == pytest.approx(0.55172, abs=1e-4) == lens.gaps[0].win.mean
    assert win_probability(39) == pytest.approx(0.5559, abs=1e-4)  # the 39 points: "about 55.6%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("snapshot,model,group,points,ci_plus,ci_minus\n1,A,US,1200,3,3\n", "no rating column; name it one of"),
        (f"{HEADER}\n2025-01-01,A,,US,12x0,3,3,10\n", "line 2 (model 'A'): arena_score '12x0' is not a number"),
        (f"{HEADER}\n2025-01-01,A,,US,1200,-3,3,10\n", "line 2 (model 'A'): the 95% interval"),
        (f"{HEADER}\n2025-01-01,A,,US,1200,3,3,10\n2025-01-01,A,,US,1210,3,3,10\n", "line 2 and line 3 both rate"),
        ("model,group,arena_score\nA,US,1200\n", "no 95% interval columns; give ci_plus and ci_minus"),
    ],
    ids=["no_rating", "not_a_number", "negative_interval", "repeated_row", "no_interval"],
)
def test_bad_ratings_files_are_one_line_errors(tmp_path, text, expected):
    path = write(tmp_path, "ratings.csv", text)
    with pytest.raises(InputError, match=r"arena\.ratings") as err:
        read_ratings(str(path))
    assert expected in str(err.value) and "\n" not in str(err.value)


BATTLES = [
    {"model_a": "x", "model_b": "y", "winner": "model_a", "anony": True},
    {"model_a": "y", "model_b": "x", "winner": "model_a", "anony": True},
    {"model_a": "y", "model_b": "x", "winner": "tie (bothbad)", "anony": True},
    {"model_a": "x", "model_b": "z", "winner": "model_b", "anony": True},
    {"model_a": "x", "model_b": "z", "winner": "model_b", "anony": False},  # not anonymous: left out by default
]


def test_battle_files_in_every_format_count_the_same_votes(tmp_path):
    groups = write(tmp_path, "groups.csv", "model,group\nx,US\ny,China\n")
    as_json = write(tmp_path, "battles.json", json.dumps(BATTLES))
    as_lines = write(tmp_path, "battles.jsonl", "\n".join(json.dumps(b) for b in BATTLES))
    one_hot = pd.DataFrame(
        {
            "model_a": [b["model_a"] for b in BATTLES[:4]],
            "model_b": [b["model_b"] for b in BATTLES[:4]],
            "winner_model_a": [1, 1, 0, 0],
            "winner_model_b": [0, 0, 0, 1],
            "winner_tie": [0, 0, 1, 0],
        }
    )
    as_csv = tmp_path / "battles.csv"
    one_hot.to_csv(as_csv, index=False)
    for path in (as_json, as_lines, as_csv):
        votes = read_votes(str(path), models_file=str(groups))
        assert votes.models == ("x", "y", "z") and votes.groups == ("US", "China", "Unknown")
        assert votes.n_votes == 4
        pairs = {
            (votes.models[a], votes.models[b]): (wa, wb, t)
            for a, b, wa, wb, t in zip(votes.pair_a, votes.pair_b, votes.wins_a, votes.wins_b, votes.ties, strict=True)
        }
        assert pairs == {("x", "y"): (1, 1, 1), ("x", "z"): (0, 1, 0)}
    assert read_votes(str(as_json), anonymous_only=False).n_votes == 5


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([{"model_a": "x", "model_b": "y", "winner": "draw"}], "row 1: winner 'draw' is not one of model_a"),
        ([{"model_a": "x", "model_b": "x", "winner": "tie"}], "row 1: model 'x' is voted against itself"),
        ([{"model_a": "x", "winner": "tie"}], "has no column model_b"),
    ],
    ids=["unknown_winner", "self_battle", "no_model_b"],
)
def test_bad_battle_files_are_one_line_errors(tmp_path, records, expected):
    path = write(tmp_path, "battles.json", json.dumps(records))
    with pytest.raises(InputError, match=r"arena\.votes") as err:
        read_votes(str(path))
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_count_votes_orders_each_pair_and_credits_the_right_side():
    votes = count_votes(
        np.array(["b", "a", "b"]), np.array(["a", "b", "a"]), np.array([0, 0, 2]), {"a": "US"}, source="test"
    )
    assert votes.models == ("a", "b")
    assert (votes.wins_a[0], votes.wins_b[0], votes.ties[0]) == (1, 1, 1)  # b beat a once, a beat b once, one tie


def test_a_bad_arena_file_on_the_command_line_is_one_line_and_no_run_folder(tmp_path):
    path = write(tmp_path, "ratings.csv", f"{HEADER}\n2025-01-01,A,,US,1200,3,3,10\n2025-01-01,B,,France,1190,3,3,1\n")
    run_dir = tmp_path / "run"
    result = run_cli("arena", f"ratings={path}", "sampler.progress=false", f"hydra.run.dir={run_dir}", timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("benchgap arena: error: gap.b='China' is not a group of") and "US (1)" in lines[0]
    assert not run_dir.exists()


def test_open_and_closed_weights_come_from_the_license_column(tmp_path):
    ratings = read_ratings(str(MONTHLY), by="weights")
    last = ratings.rows_of(len(ratings.snapshots) - 1)
    weights = dict(zip(np.asarray(ratings.model)[last], np.asarray(ratings.group)[last], strict=True))
    assert weights["Gemini-2.5-Pro"] == "closed" and weights["GLM-4.5"] == "open"
    assert weights["Claude 3.5 Haiku (20241022)"] == "closed"  # its licence reads "Propretary"
    assert set(weights.values()) <= {"open", "closed", "Unknown"}
    with pytest.raises(InputError, match=r"gap\.by=licence: .* has no 'licence' column"):
        read_ratings(str(MONTHLY), by="licence")
    cfg = ArenaConfig(ratings=None, votes="battles.json", gap=ArenaGapConfig(by="weights"))
    with pytest.raises(InputError, match="votes take their groups from models=FILE"):
        run_arena(cfg, out_dir=tmp_path / "run")
    cfg = ArenaConfig(ratings=str(MONTHLY), gap=ArenaGapConfig(groups=["US", "Mars"]))
    with pytest.raises(InputError, match=r"gap\.groups lists 'Mars', which is not a group of .*List only these"):
        run_arena(cfg, out_dir=tmp_path / "run")


def _subset(tmp_path, snapshots, shift=0.0):
    frame = pd.read_csv(MONTHLY)
    frame = frame[frame["snapshot"].isin(snapshots)].assign(arena_score=lambda f: f["arena_score"] + shift)
    path = tmp_path / f"ratings_{shift:g}.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_ratio_moves_with_the_scale_zero_and_the_win_probability_does_not(tmp_path):
    """Adding 1,000 points to every rating changes the headline ratio; the fitted gap and win probability stay."""
    snapshots = ["2025-01-29", "2025-08-06"]
    results = []
    for shift in (0.0, 1000.0):
        cfg = composed("arena", f"ratings={_subset(tmp_path, snapshots, shift)}", "plots=false")
        cfg.sampler = TINY
        results.append(run_arena(cfg, out_dir=tmp_path / f"run_{shift:g}"))
    (plain, shifted) = (r.lens for r in results)
    for a, b in zip(plain.gaps, shifted.gaps, strict=True):
        assert a.published.ratio > 1.5 * b.published.ratio  # the ratio depends on where zero sits
        assert a.published.gap == b.published.gap
        assert a.win.mean == pytest.approx(b.win.mean, abs=1e-6) and a.gap.mean == pytest.approx(b.gap.mean, abs=1e-3)
        assert a.gap.interval[0] < a.published.gap < a.gap.interval[1]
    assert len(plain.changes) == 1 and plain.changes[0].published_gap == pytest.approx(36 - 24)


def test_the_arena_job_on_three_snapshots_writes_its_files_and_says_why_the_ratio_is_no_measure(tmp_path):
    path = _subset(tmp_path, ["2024-06-19", "2025-01-29", "2025-08-06"])
    run_dir = tmp_path / "run"
    result = run_cli(
        "arena",
        f"ratings={path}",
        "sampler=quick",
        "sampler.progress=false",
        "gap.groups=[US,China,France]",
        f"hydra.run.dir={run_dir}",
    )
    assert result.returncode == 0, result.stderr
    assert "is not a measure: the rating scale's zero is arbitrary" in result.stdout
    assert "From 2024-06-19 to 2025-08-06 the gap" in result.stdout
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["kind"] == "ratings" and len(summary["lens"]["gaps"]) == 3
    assert len(pd.read_csv(run_dir / "changes.csv")) == 3  # two consecutive steps and the first against the last
    gaps = pd.read_csv(run_dir / "gaps.csv")
    assert list(gaps["published_gap"]) == [47, 24, 36]
    assert "data:image/png;base64" in (run_dir / "report.html").read_text()
    drift = summary["drift"]  # two steps and first to last; established models moved far less than their intervals
    assert len(drift) == 3 and drift[0]["models"] == 101 and drift[0]["rms_change"] < 0.5 * drift[0]["rms_stated"]
    # Three groups: P(each leads) per snapshot sums to 1, and the US-China pair is the headline's functional.
    races = summary["races"]
    assert [r["snapshot"] for r in races] == ["2024-06-19", "2025-01-29", "2025-08-06"]
    assert len(pd.read_csv(run_dir / "races.csv")) == 9
    for race, gap in zip(races, summary["lens"]["gaps"], strict=True):
        leads = {lead["group"]: lead["prob_leads"] for lead in race["leads"]}
        assert sum(leads.values()) == pytest.approx(1.0)
        pair = race["pairs"][0]
        assert (pair["a"], pair["b"]) == ("US", "China")
        assert pair["gap"]["mean"] == pytest.approx(gap["gap"]["mean"], rel=1e-9)
        assert leads["US"] <= pair["gap"]["prob_a_ahead"] + 1e-12
    assert "leads the 3 groups" in result.stdout or "Which of the 3 groups leads" in result.stdout


@pytest.fixture(scope="module")
def vote_world():
    """One simulated world of the README's study: 200 models, 100,000 votes, fitted with the default sampler."""
    world = draw_world(VoteWorldConfig(), np.random.default_rng(11))
    compiled = compile_model(votes_model(world.votes))
    posterior = sample(compiled, sampler=ArenaConfig().sampler.__class__(progress=False, seed=3))
    return world, posterior


def test_votes_recover_the_strengths_of_200_models(vote_world):
    world, posterior = vote_world
    strength = posterior["posterior"]["strength"].to_numpy()
    flat = strength.reshape(-1, strength.shape[-1])
    score = score_world(world, flat, gap=ArenaGapConfig(), converged=True)
    assert score.rank_correlation >= 0.95  # the bar with 200 models
    assert float(posterior["posterior"]["tie_share_equal"].mean()) == pytest.approx(0.3, abs=0.02)
    err = flat.mean(axis=0) - world.strength
    assert np.abs(err - err.mean()).mean() < 20  # points: up to the scale's arbitrary zero, within a rating's noise


def test_a_battle_file_is_fitted_through_the_command_line(tmp_path):
    world = draw_world(
        VoteWorldConfig(groups={"US": 8, "China": 6}, means={"US": 0.0, "China": -40.0}, pairs=80, votes_per_pair=20),
        np.random.default_rng(5),
    )
    v = world.votes
    records = []
    for a, b, wa, wb, t in zip(v.pair_a, v.pair_b, v.wins_a, v.wins_b, v.ties, strict=True):
        records += [
            {"model_a": v.models[a], "model_b": v.models[b], "winner": w}
            for w, n in (("model_a", wa), ("model_b", wb), ("tie", t))
            for _ in range(n)
        ]
    battles = write(tmp_path, "battles.json", json.dumps(records))
    groups = write(
        tmp_path, "groups.csv", "model,group\n" + "".join(f"{m},{g}\n" for m, g in zip(v.models, v.groups, strict=True))
    )
    run_dir = tmp_path / "run"
    result = run_cli(
        "arena",
        "ratings=null",
        f"votes={battles}",
        f"models={groups}",
        "sampler=quick",
        "sampler.progress=false",
        f"hydra.run.dir={run_dir}",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["kind"] == "votes" and summary["votes"] == v.n_votes == len(records)
    assert "beats" in result.stdout and "not a measure" not in result.stdout  # votes have no published ratio


@pytest.mark.slow
def test_recovery_study_on_simulated_votes_covers_the_win_probability(tmp_path):
    """A small version of the README's 200-world study (README: ``benchgap arena worlds=200``): 40 worlds of 60
    models. Truth: the win probability of US's strongest model against China's. 90% intervals should cover about
    36 of 40; fewer than 31 has probability 0.009 if they are right (binomial), so this fails on too-narrow
    intervals. Rank correlation >= 0.9 in every world (fewer models and votes than the README's)."""
    cfg = composed(
        "arena",
        "worlds=40",
        "world.groups={US:30,China:20,Other:10}",
        "world.pairs=900",
        "world.votes_per_pair=40",
        "plots=false",
        "sampler.progress=false",
    )
    study = run_arena(cfg, out_dir=tmp_path)
    assert study.worlds == 40 and study.models == 60
    assert study.covered >= 31, study
    assert study.rank_correlation_min >= 0.9
    assert study.converged >= 36
    assert (tmp_path / "worlds.csv").is_file() and (tmp_path / "summary.json").is_file()


def _helm_with_arena(**changes):
    cfg = composed("fit", "data=helm_lite_arena").data
    for key, value in changes.items():
        setattr(cfg, key, value)
    return attach_ratings(read_table(cfg), cfg)


def test_helm_lite_and_the_arena_match_through_the_shipped_aliases_and_list_every_non_match():
    table = _helm_with_arena()
    ratings = table.ratings
    assert ratings.snapshot == "2024-08-30"
    assert len(ratings.matched) == 32  # by the alias file, or by names equal up to case and punctuation
    assert ("GPT-4o-2024-05-13", "GPT-4o (2024-05-13)") in ratings.matched
    assert ("Claude-2.1", "Claude 2.1") in ratings.matched
    assert len(ratings.arena_only) == 136 - 32 and "Grok-2-08-13" in ratings.arena_only
    assert len(ratings.table_only) == 72 - 32 and "Llama 3 (70B)" in ratings.table_only  # a base model: not aliased
    assert len(ratings.matched) + len(ratings.arena_only) == 136  # every rated model of the snapshot is accounted for


@pytest.mark.parametrize(
    ("changes", "aliases", "expected"),
    [
        ({"arena_snapshot": "2024-08-31"}, None, "data.arena_snapshot='2024-08-31' is not a snapshot of"),
        ({"arena": "FEW"}, None, "only 3 of the 4 models rated in snapshot 2024-08-30 match a model of"),
        ({}, "alias,model\nGPT-4o-2024-05-13,GPT-4o\n", "line 2: model 'GPT-4o' (alias 'GPT-4o-2024-05-13') is not a"),
        ({}, "name,model\nx,y\n", "needs the columns alias and model"),
    ],
    ids=["unknown_snapshot", "too_few_matches", "alias_to_unknown_model", "alias_columns"],
)
def test_bad_arena_joins_are_one_line_errors(tmp_path, changes, aliases, expected):
    if aliases is not None:
        changes = changes | {"aliases": str(write(tmp_path, "aliases.csv", aliases))}
    if changes.get("arena") == "FEW":
        rows = ["GPT-4 (0613)", "Claude 2.1", "Command R", "Grok-2-08-13"]
        text = HEADER + "\n" + "".join(f"2024-08-30,{m},,US,1200,3,3,10\n" for m in rows)
        changes = changes | {"arena": str(write(tmp_path, "few.csv", text))}
    with pytest.raises(InputError) as err:
        _helm_with_arena(**changes)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_a_joint_fit_recovers_the_rating_link_of_a_simulated_world():
    """The demo world with ratings drawn from its true capabilities: 1200 + 90 points per sd of capability, 15
    points of residual, 5 points of rating noise, for 15 of its 20 models. The link's scale is recovered within
    three posterior sds (the benchmarks fix the capabilities, the ratings the scale)."""
    cfg = composed("fit", "sampler.progress=false")
    table, world = draw_world_table(cfg.data.demo, seed=cfg.data.demo_seed)
    rng = np.random.default_rng(7)
    rated = np.arange(15)
    rating = 1200 + 90 * world.truth.theta[rated] + rng.normal(0, 15, rated.size) + rng.normal(0, 5, rated.size)
    cells = RatingCells(
        source="simulated",
        snapshot="now",
        model_idx=rated,
        rating=np.round(rating),
        stderr=np.full(rated.size, 5.0),
        matched=tuple((m, m) for m in np.asarray(table.models)[rated]),
        arena_only=(),
        table_only=tuple(table.models[15:]),
    )
    joint = dataclasses.replace(table, ratings=cells)
    sampler = dataclasses.replace(cfg.sampler, draws=500, tune=500)
    result = fit(joint, gap=cfg.gap, sampler=sampler)
    link = arena_link(result.posterior, joint, result.estimates.draws["gap_latent"], gap=cfg.gap)
    assert abs(link.points_per_sd.mean - 90) < 3 * link.points_per_sd.sd, link.points_per_sd
    assert link.explained.mean > 0.8  # truth: 90^2 / (90^2 + 15^2) = 0.97
    assert link.matched == 15 and link.table_only == 5


OPEN_LLM_HEADER = (
    "model,model_name,precision,model_type,organization,base_model,params_billions,upload_date,submission_date,"
    "is_merged,is_moe,is_flagged,is_official_provider,IFEval,BBH,MATH Level 5,GPQA,MUSR,MMLU-PRO,average_normalized"
)
OPEN_LLM_ROWS = [
    "Qwen/Qwen2-7B (bfloat16),Qwen/Qwen2-7B,bfloat16,pretrained,Qwen,Qwen/Qwen2-7B,7.6,2024-06-04,2024-06-09,"
    "False,False,False,True,0.31,0.53,0.20,0.31,0.44,0.42,23.7",
    "meta-llama/Llama-3.1-8B (bfloat16),meta-llama/Llama-3.1-8B,bfloat16,pretrained,meta-llama,x,8.0,2024-07-14,"
    "2024-07-20,False,False,False,True,0.12,0.46,0.05,0.31,0.38,0.33,14.2",
    "someone/merge-7B (float16),someone/merge-7B,float16,merges,someone,x,7.2,2024-08-01,2024-08-02,True,False,"
    "False,False,0.50,0.50,0.10,0.30,0.40,0.35,20.0",
    "someone/flagged-7B (float16),someone/flagged-7B,float16,merges,someone,x,7.2,2024-08-01,2024-08-02,True,False,"
    "True,False,0.90,0.90,0.90,0.90,0.90,0.90,90.0",
]


def _open_llm(tmp_path, *overrides):
    path = write(tmp_path, "open_llm.csv", OPEN_LLM_HEADER + "\n" + "\n".join(OPEN_LLM_ROWS) + "\n")
    return composed("fit", "data=open_llm", f"data.path={path}", *overrides)


def test_an_open_llm_v2_export_reads_with_groups_from_its_organizations(tmp_path):
    cfg = _open_llm(tmp_path)
    table = read_table(cfg.data)
    assert table.models == (
        "Qwen/Qwen2-7B (bfloat16)",
        "meta-llama/Llama-3.1-8B (bfloat16)",
        "someone/merge-7B (float16)",
    )
    assert table.groups == ("China", "US", "Unknown")  # the flagged row is left out; an unknown namespace is Unknown
    assert table.benchmarks == ("IFEval", "BBH", "MATH Level 5", "GPQA", "MUSR", "MMLU-PRO")
    assert list(table.chance) == [0, 0, 0, 0.25, 0.34, 0.1] and table.n_cells == 18
    assert table.published == {}  # the normalised average is dropped, not read as an aggregate of these scores
    by_org = read_table(cfg.data, group_by="organization")
    assert by_org.groups == ("Qwen", "meta-llama", "someone")


def test_the_open_llm_v2_presets_read_the_whole_export_and_the_official_providers():
    table = read_table(composed("fit", "data=open_llm").data)
    assert (table.n_models, table.n_benchmarks, table.n_cells) == (4575, 6, 27450)  # 4,576 rows, one flagged
    official = read_table(composed("fit", "data=open_llm_official").data)
    assert official.n_models == 470 and official.group_counts()["China"] == 103 and official.group_counts()["US"] == 246


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ({"is_flagd": "False"}, "data.rows: 'is_flagd' is not a column of"),
        ({"is_flagged": "maybe"}, "data.rows: no row of"),
        ("license", "gap.by=license: neither the score table nor data.models has a 'license' column"),
    ],
    ids=["unknown_column", "no_matching_row", "unknown_grouping"],
)
def test_bad_row_filters_and_groupings_are_one_line_errors(tmp_path, setting, expected):
    cfg = _open_llm(tmp_path)
    if isinstance(setting, dict):
        cfg.data.rows = setting
    else:
        cfg.gap.by = setting
    with pytest.raises(InputError) as err:
        read_table(cfg.data, group_by=cfg.gap.by)
    assert expected in str(err.value) and "\n" not in str(err.value)
