"""Words never say more than the numbers behind them. The fit's verdict: "ahead" only at P >= 0.99 beyond the region of
practical equivalence, "likely ahead" from 0.9, "practically equivalent" when the region holds most of the mass,
"not settled" otherwise; the probabilities it prints are rounded down, and it names tied leaders. Coverage figures
carry their count and exact binomial interval."""

import numpy as np
import pytest
from scipy.stats import norm

from benchgap.config import GapConfig, IntervalKind
from benchgap.estimands import ModelEstimate, _tied_leaders
from benchgap.group_race import race_verdict
from benchgap.metrics import binomial_interval, coverage_text
from benchgap.summaries import DrawSummary, Rope, credible_interval, verdict

GAP = GapConfig(a="US", b="China", rope=0.01)


def posterior_at(prob_beyond: float, *, sd: float = 0.01, draws: int = 400_000) -> np.ndarray:
    """Normal gap draws placed so that P(gap >= rope) is ``prob_beyond``."""
    mean = GAP.rope + sd * norm.ppf(prob_beyond)
    return np.random.default_rng(0).normal(mean, sd, draws)


def verdict_of(draws: np.ndarray, tied: tuple[str, str] | None = None) -> str:
    return verdict(DrawSummary.of(draws, 0.9), Rope.of(draws, GAP.rope), gap=GAP, tied=tied)


@pytest.mark.parametrize(
    ("prob_beyond", "words", "shown"),
    [
        (0.995, "US is ahead of China", "0.99"),
        (0.965, "US is likely ahead of China", "0.96"),  # P = 0.96 must not read as settled
        (0.905, "US is likely ahead of China", "0.90"),
        (0.755, "the gap between US and China is not settled", "0.75"),
    ],
)
def test_words_follow_the_three_way_split(prob_beyond, words, shown):
    text = verdict_of(posterior_at(prob_beyond))
    assert text.startswith(words[0].upper() + words[1:] + ":"), text
    assert f"P(US ahead by more than 0.01) = {shown}," in text, text
    assert "settled" not in text or "not settled" in text


def test_a_table_sitting_at_96_percent_is_not_called_ahead():
    text = verdict_of(posterior_at(0.96))
    assert text.startswith("US is likely ahead of China:") and " is ahead " not in text


def test_probabilities_are_rounded_down_so_words_never_outrun_them():
    draws = posterior_at(0.8995)
    assert (draws >= GAP.rope).mean() < 0.9
    text = verdict_of(draws)
    assert "not settled" in text and "= 0.89" in text and "= 0.90" not in text.split(";")[0]


def test_a_gap_inside_the_rope_is_practically_equivalent():
    draws = np.random.default_rng(1).normal(0.0, 0.003, 100_000)
    text = verdict_of(draws)
    assert text.startswith("US and China are practically equivalent:"), text
    assert "P(within +-0.01) = 0.99" in text


def test_the_trailing_group_leads_the_sentence_when_it_is_ahead():
    text = verdict_of(-posterior_at(0.995))
    assert text.startswith("China is ahead of US:") and "US minus China: -0." in text


def test_leaders_in_one_tie_group_are_named():
    def model(name: str, group: str, best: float) -> ModelEstimate:
        return ModelEstimate(name, group, 0.0, 1.0, (0, 1), 1.0, (1, 2), 0.5, (0, 1), 0.5, (0, 1), best, 0.5, 0.5, 3)

    models = [model("A1", "US", 0.7), model("A2", "US", 0.3), model("B1", "China", 1.0)]
    assert _tied_leaders(models, [["A1", "B1"], ["A2"]], GAP) == ("A1", "B1")
    assert _tied_leaders(models, [["A1"], ["B1", "A2"]], GAP) is None
    text = verdict_of(posterior_at(0.96), tied=("A1", "B1"))
    assert text.endswith("Their likeliest best models, A1 and B1, are in one tie group: not separated.")


def test_coverage_is_stated_with_its_count_and_binomial_interval():
    assert coverage_text(0.9, 20) == "0.90 (18 of 20 worlds; 95% CI 0.68 to 0.99)"
    assert coverage_text(1.0, 4) == "1.00 (4 of 4 worlds; 95% CI 0.40 to 1.00)"
    assert coverage_text(None, 20) == "n/a"
    low, high = binomial_interval(0.89, 100)
    assert (round(low, 2), round(high, 2)) == (0.81, 0.94)  # Clopper-Pearson, as scipy.stats.binomtest gives it


def test_equal_tailed_intervals_agree_with_the_probability_of_a_lead():
    """A 90% equal-tailed interval excludes 0 exactly when P(a ahead) is beyond 0.95 (or below 0.05); a skewed
    posterior's highest-density interval need not (why it is only an option, ``gap.interval=hdi``)."""
    rng = np.random.default_rng(2)
    skewed = rng.lognormal(-3.0, 1.0, 200_000) - 0.01  # most mass just above 0, a long right tail
    summary = DrawSummary.of(skewed, 0.9)
    assert summary.interval == pytest.approx(tuple(np.quantile(skewed, [0.05, 0.95])))
    assert (summary.interval[0] > 0) == (summary.prob_a_ahead > 0.95)
    hdi = credible_interval(skewed, 0.9, IntervalKind.hdi)
    assert hdi[1] - hdi[0] < summary.interval[1] - summary.interval[0]  # narrower, shifted toward the mode
    per_model = credible_interval(np.column_stack([skewed, -skewed]), 0.9, IntervalKind.eti, axis=0)
    assert per_model.shape == (2, 2) and per_model[1, 0] == pytest.approx(-summary.interval[1])


@pytest.mark.parametrize(
    ("p_us", "expected"),
    [(0.995, "US leads the 3 groups"), (0.95, "US likely leads the 3 groups"), (0.6, "Which of the 3 groups leads")],
)
def test_race_words_never_outrun_p_leads(p_us, expected):
    rest = (1 - p_us) / 2
    text = race_verdict([("China", rest), ("US", p_us), ("EU", rest)], GapConfig(), by="composite score")
    assert text.startswith(expected)
    # Every P(leads) is printed, largest first, rounded down (0.995 reads 0.99, never 1.00).
    assert f"US {np.floor(p_us * 100) / 100:.2f}, " in text and text.index("US") < text.index("China")
