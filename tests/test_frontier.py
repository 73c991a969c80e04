"""The frontier, lag and closing-speed estimands on hand-built histories whose answers can be read off."""

import numpy as np

from benchgap.frontier import frontier, lag, slope_per_month

# Group a releases at months 0, 6 and 12 with values 1, 2, 3; group b at months 3 and 10 with 0.5 and 2.5.
RELEASE = np.array([0.0, 6.0, 12.0, 3.0, 10.0])
VALUES = np.array([1.0, 2.0, 3.0, 0.5, 2.5])
IN_A = np.array([True, True, True, False, False])
IN_B = ~IN_A


def test_frontier_is_the_best_model_released_so_far():
    at = np.array([-1.0, 0.0, 5.0, 6.0, 12.0])
    np.testing.assert_array_equal(frontier(VALUES, release=RELEASE, in_group=IN_A, at=at), [np.nan, 1, 1, 2, 3])
    np.testing.assert_array_equal(
        frontier(VALUES, release=RELEASE, in_group=IN_B, at=at), [np.nan, np.nan, 0.5, 0.5, 2.5]
    )


def test_lag_counts_the_months_since_a_first_reached_bs_frontier():
    """At month 9 b's best (0.5) was reached by a at month 0: 9 months behind. At month 10 b's new model (2.5) is
    beyond anything a has until month 12: b leads by 2 months (-2). At 12 a reaches it: level (0). Before b's first
    release there is no lag."""
    lags = lag(VALUES, release=RELEASE, in_a=IN_A, in_b=IN_B, at=np.array([2.0, 9.0, 10.0, 12.0]))
    np.testing.assert_array_equal(lags, [np.nan, 9.0, -2.0, 0.0])


def test_lag_is_undefined_when_a_never_reaches_b_and_undated_models_never_count():
    values = VALUES.copy()
    values[4] = 9.0  # b's second model beyond every model of a
    assert np.isnan(lag(values, release=RELEASE, in_a=IN_A, in_b=IN_B, at=np.array([11.0]))[0])
    release = RELEASE.copy()
    release[0] = np.nan  # a's first model has no date: a reaches 0.5 only at month 6
    assert lag(VALUES, release=release, in_a=IN_A, in_b=IN_B, at=np.array([9.0]))[0] == 3.0


def test_estimands_run_draw_by_draw():
    """Many draws at once give each draw's own answer: the same functions serve the truth and the posterior."""
    draws = np.stack([VALUES, VALUES + np.array([0, 0, 0, 0, 1.0])])  # draw 2: b's second model at 3.5
    lags = lag(draws, release=RELEASE, in_a=IN_A, in_b=IN_B, at=np.array([12.0]))
    assert lags.shape == (2, 1) and lags[0, 0] == 0.0 and np.isnan(lags[1, 0])


def test_slope_per_month_recovers_a_linear_closing():
    at = np.arange(0.0, 13.0)
    gaps = np.stack([0.15 - 0.01 * at, np.full_like(at, 0.05)])
    np.testing.assert_allclose(slope_per_month(gaps, at=at), [-0.01, 0.0], atol=1e-12)
