"""What one log density + gradient of a 40 x 12 table's beta-binomial cells costs, by how it is computed (issue 18).

    uv run python benchmarks/kernels.py                 # numba kernels (a few seconds)
    uv run --extra jax python benchmarks/kernels.py     # also JAX, vmapped over many chains at once

The same cells (415 observed of 40 x 12, item counts 100 to 2,000) and parameters for every kernel; microseconds per
chain and gradient, best of three. It answers two questions before any sampler work: would advancing many chains
(or worlds) together in one vectorised JAX call be cheaper per chain than nutpie's numba kernel, and how much could
a hand-fused kernel save (lgamma and digamma of one argument share its logarithm)?
"""

import math
import time

import numba
import numpy as np

RNG = np.random.default_rng(0)
MODELS, BENCHMARKS = 40, 12
OBSERVED = RNG.random((MODELS, BENCHMARKS)) > 0.15
CELL_MODEL, CELL_BENCHMARK = (idx.astype(np.int64) for idx in np.nonzero(OBSERVED))
ITEMS = RNG.integers(100, 2000, BENCHMARKS)[CELL_BENCHMARK].astype(float)
CORRECT = np.round(ITEMS * RNG.random(CELL_MODEL.size))
THETA, LOG_A, INTERCEPT = RNG.normal(size=MODELS), RNG.normal(size=BENCHMARKS) * 0.2, RNG.normal(size=BENCHMARKS)
LOG_KAPPA = 4.0 + RNG.normal(size=BENCHMARKS)


@numba.njit(inline="always")
def digamma(x):
    shift = 0.0
    while x < 6.0:
        shift -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    return shift + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


@numba.njit(inline="always")
def lgamma_digamma(x):
    """lgamma(x) and digamma(x) together: shifted up to x >= 8, then Stirling's series sharing log(x)."""
    product, shift = 1.0, 0.0
    while x < 8.0:
        product *= x
        shift -= 1.0 / x
        x += 1.0
    log_x, inverse = math.log(x), 1.0 / x
    f = inverse * inverse
    series = inverse * (1 / 12 - f * (1 / 360 - f * (1 / 1260 - f / 1680)))
    lgamma = (x - 0.5) * log_x - x + 0.91893853320467274 + series - math.log(product)
    return lgamma, shift + log_x - 0.5 * inverse - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f / 240)))


@numba.njit(inline="always")
def library_lgamma_digamma(x):
    """math.lgamma and a digamma series, each on its own: what pytensor's numba backend computes."""
    return math.lgamma(x), digamma(x)


def beta_binomial_kernel(lgamma_and_digamma):
    """The cells' log density and its gradient (into ``grads``), with ``lgamma_and_digamma(x)`` for the four
    arguments of each cell."""

    @numba.njit
    def kernel(theta, log_a, intercept, log_kappa, grads):
        g_theta, g_a, g_intercept, g_kappa = grads
        g_theta[:], g_a[:], g_intercept[:], g_kappa[:] = 0.0, 0.0, 0.0, 0.0
        total = 0.0
        for c in range(CELL_MODEL.size):
            m, b, n, k = CELL_MODEL[c], CELL_BENCHMARK[c], ITEMS[c], CORRECT[c]
            a, kappa = math.exp(log_a[b]), math.exp(log_kappa[b])
            p = 1.0 / (1.0 + math.exp(-(a * theta[m] + intercept[b])))
            alpha, beta = kappa * p, kappa * (1.0 - p)
            l1, p1 = lgamma_and_digamma(k + alpha)
            l2, p2 = lgamma_and_digamma(n - k + beta)
            l3, p3 = lgamma_and_digamma(alpha)
            l4, p4 = lgamma_and_digamma(beta)
            total += l1 + l2 - l3 - l4
            d_alpha, d_beta = p1 - p3, p2 - p4
            d_p = kappa * (d_alpha - d_beta) * p * (1.0 - p)
            g_theta[m] += d_p * a
            g_a[b] += d_p * a * theta[m]
            g_intercept[b] += d_p
            g_kappa[b] += kappa * (p * d_alpha + (1.0 - p) * d_beta)
        return total

    return kernel


library_kernel = beta_binomial_kernel(library_lgamma_digamma)
fused_kernel = beta_binomial_kernel(lgamma_digamma)


def best_of_three(call, repeats: int) -> float:
    call()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        times.append((time.perf_counter() - start) / repeats)
    return min(times) * 1e6


def numba_rows() -> dict[str, float]:
    grads = (np.zeros(MODELS), np.zeros(BENCHMARKS), np.zeros(BENCHMARKS), np.zeros(BENCHMARKS))
    args = (THETA, LOG_A, INTERCEPT, LOG_KAPPA, grads)
    reference = library_kernel(*args)
    reference_grads = [g.copy() for g in grads]
    assert abs(fused_kernel(*args) - reference) < 1e-6 * abs(reference)
    assert all(np.allclose(g, r, rtol=1e-8, atol=1e-8) for g, r in zip(grads, reference_grads, strict=True))
    return {
        "numba, library lgamma + digamma (pytensor's kernel)": best_of_three(lambda: library_kernel(*args), 5000),
        "numba, fused lgamma + digamma": best_of_three(lambda: fused_kernel(*args), 5000),
    }


def jax_rows() -> dict[str, float]:
    import jax
    import jax.numpy as jnp
    from jax.scipy.special import gammaln

    jax.config.update("jax_enable_x64", True)
    m, b, n, k = (jnp.asarray(v) for v in (CELL_MODEL, CELL_BENCHMARK, ITEMS, CORRECT))

    def log_density(x):
        theta, log_a = x[:MODELS], x[MODELS : MODELS + BENCHMARKS]
        intercept, log_kappa = x[MODELS + BENCHMARKS : MODELS + 2 * BENCHMARKS], x[MODELS + 2 * BENCHMARKS :]
        p = jax.nn.sigmoid(jnp.exp(log_a)[b] * theta[m] + intercept[b])
        kappa = jnp.exp(log_kappa)[b]
        alpha, beta = kappa * p, kappa * (1.0 - p)
        return jnp.sum(gammaln(k + alpha) + gammaln(n - k + beta) - gammaln(alpha) - gammaln(beta))

    point = np.concatenate([THETA, LOG_A, INTERCEPT, LOG_KAPPA])
    rows = {}
    for chains in (1, 16, 64):
        batched = jax.jit(jax.vmap(jax.value_and_grad(log_density)))
        x = jnp.asarray(np.tile(point, (chains, 1)) + RNG.normal(size=(chains, point.size)) * 0.01)
        per_batch = best_of_three(lambda x=x, f=batched: jax.block_until_ready(f(x)), 200 if chains < 64 else 50)
        rows[f"JAX (XLA, float64), {chains} chains in one vmapped call"] = per_batch / chains
    return rows


def main() -> None:
    rows = numba_rows()
    try:
        rows |= jax_rows()
    except ImportError:
        print("(JAX not installed: uv run --extra jax python benchmarks/kernels.py adds its rows)")
    base = next(iter(rows.values()))
    print(f"\n## One log density + gradient of {CELL_MODEL.size} beta-binomial cells (40 x 12), per chain\n")
    print("| kernel | microseconds | ratio |")
    print("|---|---:|---:|")
    for name, value in rows.items():
        print(f"| {name} | {value:.1f} | {base / value:.2f}x |")


if __name__ == "__main__":
    main()
