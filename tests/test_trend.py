"""The gap over time: the signed lag and the scalars on hand-built histories, the shared benchmarks per era, the
verdict's words, time-structured worlds, and the bad inputs of a trend."""

import dataclasses

import numpy as np
import pytest

from benchgap.config import GapConfig, GroupPrior, ModelConfig, TrendConfig, TrendKind
from benchgap.errors import InputError
from benchgap.fitting import check_trend
from benchgap.summaries import DrawSummary, prob_toward_zero
from benchgap.table import Covariates
from benchgap.trend import (
    TrendEstimate,
    check_window,
    evaluation_dates,
    overlap_by_era,
    saturation_share,
    trend_draws,
    trend_scalars,
    trend_verdict,
)
from benchgap.world import draw_world
from tests.conftest import composed

# Release dates in decimal years. a: 2023.0 (1), 2023.5 (2), 2024.0 (3); b: 2023.25 (0.5), 2023.75 (2.5).
RELEASE = np.array([2023.0, 2023.5, 2024.0, 2023.25, 2023.75])
VALUES = np.array([1.0, 2.0, 3.0, 0.5, 2.5])
IN_A = np.array([True, True, True, False, False])


def test_signed_lag_uses_only_what_was_released_by_each_date():
    """b trails by 3 months at 2023.25 (a had 1 > 0.5 since 2023.0), leads at 2023.75 by 0 months (b has just
    passed a's 2.0, a trails by the months since b first reached it), and trails by 3 months at 2024.0 (a's 3.0
    beats b's 2.5, which a first reached... only at 2024.0: 0 months)."""
    dates = np.array([2023.25, 2023.5, 2023.75, 2024.0])
    values = {"latent": VALUES, "score": VALUES / 4}
    series = trend_draws(values, RELEASE, IN_A, ~IN_A, dates)
    np.testing.assert_allclose(series["lag"], [3.0, 6.0, -0.0, 0.0])
    np.testing.assert_allclose(series["gap_latent"], [0.5, 1.5, -0.5, 0.5])
    scalars = trend_scalars(series, dates)
    assert scalars["lag_mean"] == pytest.approx(2.25)
    assert scalars["lag_latest"] == 0.0
    assert (scalars["lag_min"], scalars["lag_max"]) == (0.0, 6.0)
    assert scalars["gap_change_latent"] == 0.0
    assert scalars["gap_change_score"] == 0.0


def test_lag_of_a_steady_chase_is_the_time_shift():
    """Both groups improve by 1 per year with one release a month, b three months behind: the lag is 3 months at
    every date and its slope 0."""
    months = np.arange(36)
    release = np.concatenate([2022 + months / 12, 2022 + months / 12])
    values = np.concatenate([months / 12, (months - 3) / 12])
    in_a = np.arange(72) < 36
    dates = evaluation_dates((2022.5, 2024.5), 1.0)
    series = trend_draws({"latent": values}, release, in_a, ~in_a, dates)
    np.testing.assert_allclose(series["lag"], 3.0)
    scalars = trend_scalars(series, dates)
    assert scalars["lag_slope"] == pytest.approx(0.0, abs=1e-9)


def test_evaluation_dates_include_both_ends():
    dates = evaluation_dates((2023.0, 2023.3), 1.0)
    assert dates[0] == 2023.0 and dates[-1] == pytest.approx(2023.3)
    assert len(dates) == 5  # four whole months, then the end


def test_saturation_share_reads_a_compressed_score_gap():
    """The score gap halves while the latent gap keeps its size: all of the shrinkage is saturation (1). Both halve:
    none (0). The score gap grows: nothing to explain (None)."""
    lag = np.zeros(3)

    def series(latent: list[float], score: list[float]) -> dict[str, np.ndarray]:
        return {"lag": lag, "gap_latent": np.array(latent), "gap_score": np.array(score)}

    assert saturation_share(series([1, 1, 1], [0.1, 0.07, 0.05])) == pytest.approx(1.0)
    assert saturation_share(series([1, 0.7, 0.5], [0.1, 0.07, 0.05])) == pytest.approx(0.0)
    assert saturation_share(series([1, 1, 1], [0.05, 0.07, 0.1])) is None


def test_overlap_counts_benchmarks_shared_by_consecutive_release_years(tiny_dated_table):
    eras, weakest = overlap_by_era(tiny_dated_table)
    assert [(e.first, e.second, e.shared_benchmarks) for e in eras] == [(2023, 2024, 1), (2024, 2025, 2)]
    assert weakest == 1


@pytest.fixture
def tiny_dated_table():
    """Three models released 2023, 2024, 2025 (US, China, US); benchmarks x, y, z; the 2023 model scored on x only."""
    from benchgap.table import ScoreTable

    model_idx = np.array([0, 1, 1, 1, 2, 2])
    bench_idx = np.array([0, 0, 1, 2, 1, 2])
    return ScoreTable(
        models=("m23", "m24", "m25"),
        groups=("US", "China", "US"),
        benchmarks=("x", "y", "z"),
        categories=("c", "c", "c"),
        chance=np.zeros(3),
        listed_weight=np.full(3, np.nan),
        model_idx=model_idx,
        bench_idx=bench_idx,
        score=np.full(6, 0.5),
        n_items=np.full(6, 100.0),
        stderr=np.full(6, np.nan),
        covariates=dataclasses.replace(Covariates.unknown(3, 3), model_release=np.array([2023.2, 2024.5, 2025.1])),
    )


def _estimate(p_lag: float, p_latent: float, lag_latest: float = 4.0) -> TrendEstimate:
    summary = DrawSummary(mean=lag_latest, sd=1.0, interval=(lag_latest - 2, lag_latest + 2), prob_a_ahead=0.9)
    return TrendEstimate(
        a="US",
        b="China",
        window=(2023.0, 2025.5),
        dates=(2023.0, 2025.5),
        frontiers={},
        gaps={},
        lag=None,  # type: ignore[arg-type]  # not read by the verdict
        lag_mean=summary,
        lag_min=summary,
        lag_max=summary,
        lag_latest=summary,
        lag_slope=summary,
        gap_change={},
        gap_slope={},
        prob_closing={"lag": p_lag, "latent": p_latent, "score": p_latent},
        saturation_share=None,
        eras=(),
        weakest_link=None,
        warnings=(),
        verdict="",
    )


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.995, "The lag is closing"),
        (0.95, "The lag is likely closing"),
        (0.5, "The lag may be closing or widening: not settled"),
        (0.05, "The lag is likely widening"),
        (0.001, "The lag is widening"),
    ],
)
def test_verdict_words_follow_the_probability(p: float, words: str):
    text = trend_verdict(_estimate(p, 0.5), GapConfig())
    assert words in text
    assert f"P(closing) = {np.floor(p * 100 + 1e-9) / 100:.2f}" in text


def test_verdict_names_the_trailing_group():
    assert "At 2025-07, China trails US by 4.0 months" in trend_verdict(_estimate(0.5, 0.5), GapConfig())
    assert "At 2025-07, US trails China by 4.0 months" in trend_verdict(_estimate(0.5, 0.5, -4.0), GapConfig())


def test_time_structured_world_scores_only_public_benchmarks_and_trends_up():
    """The closing preset: a model is scored only on benchmarks out before it (but for the one it must keep), and
    each group's capability rises with release date."""
    world_cfg = composed("simulate", "world=closing").world
    table, world = draw_world(world_cfg, seed=3)
    late = world.benchmark_release[table.bench_idx] > world.model_release[table.model_idx]
    assert late.sum() <= table.n_models  # at most the one kept score per model
    groups = np.asarray(world.groups)
    for group in ("US", "China"):
        mine = groups == group
        slope = np.polyfit(world.model_release[mine], world.truth.theta[mine], 1)[0]
        assert slope > 0


def test_time_settings_draw_no_random_numbers():
    """Slopes act on what was drawn and draw nothing themselves: with them set, every draw made after the
    capabilities (release dates, item counts) is the one the world drew without them, so a world without the new
    settings draws what it drew before; and the slope raises the US models' capabilities the later they came out."""
    base = composed("simulate").world
    moved = composed("simulate", "world.groups.US.slope=2.0", "world.suite.difficulty_slope=0.3").world
    before, after = draw_world(base, seed=5)[1], draw_world(moved, seed=5)[1]
    np.testing.assert_array_equal(before.model_release, after.model_release)
    np.testing.assert_array_equal(before.benchmark_release, after.benchmark_release)
    np.testing.assert_array_equal(before.n_items, after.n_items)
    us = np.asarray(after.groups) == "US"
    shift = (
        after.truth.theta[us] - before.truth.theta[us] * after.truth.theta[~us].std() / before.truth.theta[~us].std()
    )
    assert np.corrcoef(shift, after.model_release[us])[0, 1] > 0.9


def test_trend_needs_dates_and_a_group_term(tiny_dated_table):
    undated = dataclasses.replace(tiny_dated_table, covariates=None)
    linear = ModelConfig(trend=TrendKind.linear)
    with pytest.raises(InputError, match="needs release dates"):
        check_trend(undated, model=linear, gap=GapConfig(), trend=TrendConfig())
    exchangeable = dataclasses.replace(linear, group_prior=GroupPrior.exchangeable)
    with pytest.raises(InputError, match="group_prior=normal or student_t"):
        check_trend(tiny_dated_table, model=exchangeable, gap=GapConfig(), trend=TrendConfig())
    check_trend(tiny_dated_table, model=linear, gap=GapConfig(), trend=TrendConfig())


def test_trend_window_is_checked(tiny_dated_table):
    gap = GapConfig()
    assert check_window(tiny_dated_table, gap, TrendConfig()) == (2024.5, 2025.1)
    with pytest.raises(InputError, match="from < to"):
        check_window(tiny_dated_table, gap, TrendConfig(window=[2025.0, 2024.8]))
    with pytest.raises(InputError, match="before both groups have a dated model"):
        check_window(tiny_dated_table, gap, TrendConfig(window=[2023.0, 2025.0]))
    undated = dataclasses.replace(tiny_dated_table, covariates=None)
    assert check_window(undated, gap, TrendConfig()) is None
    with pytest.raises(InputError, match="no dated model"):
        check_window(undated, gap, TrendConfig(window=[2024.6, 2025.0]))


def test_the_trend_model_recovers_the_lag_of_closing_worlds():
    """Six worlds of the `closing` preset fitted with the trend model (a short run; the README's study has 200 worlds
    at full length): the time-averaged lag's error is small (40 worlds: RMSE 0.9 months) and its 90% intervals hold
    the truth in most worlds (a calibrated model fails ">= 4 of 6" with probability 0.016, ">= 3" with 0.001)."""
    from benchgap.config import SamplerConfig
    from benchgap.sampling import process_cache
    from benchgap.scoring import draw_replicate, score_replicate

    cfg = composed("simulate", "world=closing", "model=trend", "trend.score=true", "replicates=6", "bayes=true")
    cfg.sampler = SamplerConfig(chains=2, draws=400, tune=400, cores=2, progress=False)
    cache = process_cache(cfg.model, cfg.sampler.backend)
    rows = [row for index in range(6) for row in score_replicate(draw_replicate(cfg, index), cfg, cache)]
    lags = [row for row in rows if row["estimator"] == "bayes_lag"]
    errors = np.array([row["error"] for row in lags])
    assert np.abs(errors).mean() < 3.0, errors
    assert sum(row["covered_90"] for row in lags) >= 3, errors
    naive = np.array([row["error"] for row in rows if row["estimator"] == "composite_lag"])
    assert np.isfinite(naive).all()
    fitted = [row for row in rows if row["estimator"].startswith("bayes_lag") or "change" in row["estimator"]]
    assert all(0 <= row["pit"] <= 1 for row in fitted if row["estimator"].startswith("bayes"))
    assert all(0 <= row["prob_closing"] <= 1 for row in lags)


def test_closing_takes_each_draws_side():
    """P(closing) counts a draw as closing when its slope runs toward zero from the side that draw's own series is
    on: two draws with the lag on opposite sides, both moving toward zero, both close (one side for all draws would
    count one of them as widening)."""
    slope = np.array([-1.0, 1.0, 1.0])
    lag = np.array([[3.0, 2.0], [-2.0, -3.0], [2.0, 3.0]])  # trailing, leading, trailing
    assert prob_toward_zero(slope, lag) == pytest.approx(2 / 3)
    assert prob_toward_zero(np.array(-0.5), np.array([1.0, 0.5])) == 1.0  # one world's truth: a single draw
