"""Benchmark of mixgrad.ad: what derivatives cost relative to the function.

A script, not a test (timings never appear in tests). Each case times the
plain numpy function and its AD counterpart *interleaved* in one run (so a
busy machine slows both alike) and reports the ratio of the best times,
with its target:

1. reverse mode: ``value_and_grad`` of the Gaussian-mixture log-likelihood
   (n = 10 000, d = 2, k = 3; gradient w.r.t. means, log-weights and
   Cholesky factors) against the same ``gmm_loglik`` on plain arrays;
2. forward mode on arrays: ``jvp`` through a sin/cos/product expression on
   10^6 entries against the expression itself;
3. scalar Duals: ``x1 * x2 + sin(x1)`` evaluated 10^6 times in a Python loop,
   Dual against float (``math.sin`` for floats: the fastest float code).

Run with ``.venv/bin/python benchmarks/bench_ad.py`` (about a minute).
"""

import math
import time

import numpy as np
from mixgrad import ad
from mixgrad.timing import timing_line


def interleaved_best(functions, rounds):
    """Best wall time of each function, the calls alternating round by round."""
    best = [math.inf] * len(functions)
    for _ in range(rounds):
        for i, f in enumerate(functions):
            t0 = time.perf_counter()
            f()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def report(title, plain, derived, target, labels):
    ratio = derived / plain
    verdict = "ok" if ratio <= target else "ABOVE TARGET"
    print(f"\n{title}")
    print(timing_line(labels[0], plain))
    print(timing_line(labels[1], derived))
    print(f"ratio {ratio:.2f} (target <= {target}) {verdict}")
    return ratio


def bench_gmm(rng, rounds=60):
    n, d, k = 10_000, 2, 3
    X = rng.normal(size=(n, d))
    means = rng.normal(size=(k, d))
    log_weights = rng.normal(size=k)
    chol = np.tril(rng.normal(size=(k, d, d)) * 0.3)
    chol[:, range(d), range(d)] = np.abs(chol[:, range(d), range(d)]) + 1.0
    f = ad.gmm_loglik
    value_and_grad = ad.value_and_grad(f, argnums=(1, 2, 3))
    value, _ = value_and_grad(X, means, log_weights, chol)
    assert value == f(X, means, log_weights, chol)  # both sides compute the same thing
    plain, derived = interleaved_best(
        [
            lambda: f(X, means, log_weights, chol),
            lambda: value_and_grad(X, means, log_weights, chol),
        ],
        rounds,
    )
    return report(
        f"1. GMM log-likelihood, n={n}, d={d}, k={k}: value_and_grad / f",
        plain, derived, 2.5, ("f (plain numpy)", "value_and_grad (all parameters)"),
    )  # fmt: skip


def expression(x):
    return np.sin(x) * np.cos(x) * x + np.sin(x * x)


def bench_forward_arrays(rng, rounds=10):
    x, v = rng.normal(size=10**6), rng.normal(size=10**6)
    y, _ = ad.jvp(expression, x, v)
    np.testing.assert_array_equal(y, expression(x))
    plain, derived = interleaved_best(
        [lambda: expression(x), lambda: ad.jvp(expression, x, v)], rounds
    )
    return report(
        "2. forward mode on 10^6-element arrays: jvp / f",
        plain, derived, 2.5, ("f (plain numpy)", "jvp (value and tangent)"),
    )  # fmt: skip


def seed_example(x1, x2, sin):
    return x1 * x2 + sin(x1)


def loop(x1, x2, sin, count):
    for _ in range(count):
        seed_example(x1, x2, sin)


def bench_scalar(rounds=3, count=10**6):
    d1, d2 = ad.Dual(1.5, 1.0), ad.Dual(0.5, 0.0)
    plain, dual, dual_np, float_np = interleaved_best(
        [
            lambda: loop(1.5, 0.5, math.sin, count),
            lambda: loop(d1, d2, ad.Dual.sin, count),
            lambda: loop(d1, d2, np.sin, count),
            lambda: loop(1.5, 0.5, np.sin, count),
        ],
        rounds,
    )
    ratio = report(
        "3. scalar Duals, x1*x2 + sin(x1) 10^6 times: Dual / float",
        plain, dual, 10, ("floats with math.sin", "Duals with Dual.sin (math inside)"),
    )  # fmt: skip
    print(timing_line("Duals with np.sin (numpy's override protocol)", dual_np))
    print(f"   np.sin on Duals vs math.sin on floats: {dual_np / plain:.2f}; "
          f"both with np.sin: {dual_np / float_np:.2f}")
    return ratio


def main():
    rng = np.random.default_rng(20261122)
    t0 = time.perf_counter()
    ratios = [bench_gmm(rng), bench_forward_arrays(rng), bench_scalar()]
    print(f"\nratios: {', '.join(f'{r:.2f}' for r in ratios)} (targets 2.5, 2.5, 10)")
    print(timing_line("total benchmark time", time.perf_counter() - t0))


if __name__ == "__main__":
    main()
