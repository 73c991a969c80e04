"""benchgap.mixing against arviz_stats: the same R-hat and bulk and tail ESS, scalar by scalar, on chains that mix
well, slowly, with ties (repeated draws), with an odd number of draws, with few draws, or with one chain."""

import numpy as np
import pytest
from arviz_stats.base import array_stats

from benchgap.mixing import rhat_and_ess


def autoregressive(rng: np.random.Generator, chains: int, draws: int, scalars: int, phi: float) -> np.ndarray:
    x = np.zeros((chains, draws, scalars))
    noise = rng.normal(size=x.shape)
    for t in range(1, draws):
        x[:, t] = phi * x[:, t - 1] + noise[:, t]
    return x


def arviz_values(draws: np.ndarray) -> list[np.ndarray]:
    def per_scalar(statistic):
        return np.array([statistic(draws[:, :, j]) for j in range(draws.shape[2])])

    return [
        per_scalar(lambda v: array_stats.rhat(v, chain_axis=0, draw_axis=1)),
        per_scalar(lambda v: array_stats.ess(v, chain_axis=0, draw_axis=1, method="bulk")),
        per_scalar(lambda v: array_stats.ess(v, chain_axis=0, draw_axis=1, method="tail", prob=(0.05, 0.95))),
    ]


RNG = np.random.default_rng(7)
CASES = {
    "independent": RNG.normal(size=(4, 500, 12)),
    "slow": autoregressive(RNG, 4, 500, 6, 0.95),
    "very slow, odd draws": autoregressive(RNG, 4, 301, 4, 0.995),
    "chains apart": RNG.normal(size=(4, 200, 5)) + np.arange(4)[:, None, None] * 0.5,
    "ties": np.round(autoregressive(RNG, 4, 300, 5, 0.7), 1),
    "antithetic": autoregressive(RNG, 2, 200, 4, -0.7),
    "few draws": RNG.normal(size=(3, 9, 3)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rhat_and_ess_equal_arviz_stats_scalar_by_scalar(name):
    draws = CASES[name]
    ours, theirs = rhat_and_ess(draws), arviz_values(draws)
    for label, a, b in zip(("R-hat", "bulk ESS", "tail ESS"), ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=f"{label}, {name}")


def test_one_chain_has_no_rhat_and_a_constant_scalar_counts_every_draw():
    draws = np.concatenate([RNG.normal(size=(1, 100, 2)), np.ones((1, 100, 1))], axis=2)
    rhat, bulk, tail = rhat_and_ess(draws)
    assert np.isnan(rhat).all()
    np.testing.assert_allclose(bulk[:2], arviz_values(draws)[1][:2], rtol=1e-12)
    assert bulk[2] == 100.0 and tail[2] == 100.0
