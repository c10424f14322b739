"""Poisson mixture and ZIP: scipy likelihoods, monotone EM, direct MLE, recovery."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.poisson import (
    poisson_mixture_em,
    poisson_mixture_log_likelihood,
    sample_poisson_mixture,
    sample_zip,
    zip_em,
    zip_log_likelihood,
)
from scipy import optimize, stats
from scipy.special import expit, logit


def _hessian(f, theta, h=1e-4):
    """Central-difference Hessian (for asymptotic standard errors)."""
    p = len(theta)
    H = np.empty((p, p))
    E = np.eye(p) * h
    for i in range(p):
        for j in range(p):
            H[i, j] = (
                f(theta + E[i] + E[j]) - f(theta + E[i] - E[j])
                - f(theta - E[i] + E[j]) + f(theta - E[i] - E[j])
            ) / (4 * h * h)  # fmt: skip
    return H


def test_likelihoods_match_scipy(rng):
    x, _ = sample_poisson_mixture(100, [0.3, 0.7], [1.5, 7.0], rng=rng)
    ref = np.log(0.3 * stats.poisson.pmf(x, 1.5) + 0.7 * stats.poisson.pmf(x, 7.0)).sum()
    assert poisson_mixture_log_likelihood(x, [0.3, 0.7], [1.5, 7.0]) == pytest.approx(ref)
    ref_zip = np.log(np.where(x == 0, 0.2, 0) + 0.8 * stats.poisson.pmf(x, 3.0)).sum()
    assert zip_log_likelihood(x, 0.2, 3.0) == pytest.approx(ref_zip, rel=1e-12)
    assert zip_log_likelihood(x, 0.0, 3.0) == pytest.approx(stats.poisson.logpmf(x, 3).sum())


def test_samplers_match_their_distributions(rng):
    n = 40_000
    x, z = sample_zip(n, 0.3, 2.5, rng=rng)
    # Fraction of zeros: pi + (1 - pi) e^-lambda, within 5 binomial standard errors.
    p0 = 0.3 + 0.7 * np.exp(-2.5)
    assert abs((x == 0).mean() - p0) < 5 * np.sqrt(p0 * (1 - p0) / n)
    assert np.all(x[z == 1] == 0)
    assert abs(x[z == 0].mean() - 2.5) < 5 * np.sqrt(2.5 / (z == 0).sum())
    x, z = sample_poisson_mixture(n, [0.4, 0.6], [1.0, 8.0], rng=rng)
    assert abs((z == 0).mean() - 0.4) < 5 * np.sqrt(0.24 / n)
    for k, lam in enumerate([1.0, 8.0]):
        assert abs(x[z == k].mean() - lam) < 5 * np.sqrt(lam / (z == k).sum())


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 4))
def test_poisson_mixture_log_likelihood_never_decreases(seed, k):
    rng = np.random.default_rng(seed)
    x, _ = sample_poisson_mixture(80, [0.5, 0.5], [2.0, 9.0], rng=rng)
    res = poisson_mixture_em(x, k, rates_init=rng.uniform(0.5, 12, size=k), max_iter=40)
    ll = res.history["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[:-1]))
    np.testing.assert_allclose(res.responsibilities.sum(1), 1.0)
    assert res.weights.sum() == pytest.approx(1.0)


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
@given(seed=st.integers(0, 2**32 - 1), pi0=st.floats(0.01, 0.99))
def test_zip_log_likelihood_never_decreases(seed, pi0):
    rng = np.random.default_rng(seed)
    x, _ = sample_zip(80, 0.35, 2.0, rng=rng)
    if not np.any(x > 0):
        return
    res = zip_em(x, pi_init=pi0, rate_init=5.0, max_iter=40)
    ll = res.history["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[:-1]))


def test_zip_em_equals_direct_mle(rng):
    x, _ = sample_zip(500, 0.3, 2.5, rng=rng)
    res = zip_em(x, tol=1e-15, max_iter=10_000)

    def nll(theta):
        return -zip_log_likelihood(x, expit(theta[0]), np.exp(theta[1]))

    opt = optimize.minimize(nll, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    assert res.log_likelihood >= -opt.fun - 1e-9
    assert res.pi == pytest.approx(expit(opt.x[0]), abs=1e-6)
    assert res.rate == pytest.approx(np.exp(opt.x[1]), rel=1e-6)


def test_zip_recovers_truth_within_standard_errors(rng):
    n, pi, rate = 20_000, 0.3, 2.5
    x, _ = sample_zip(n, pi, rate, rng=rng)
    res = zip_em(x, tol=1e-14, max_iter=10_000)
    theta = np.array([logit(res.pi), np.log(res.rate)])
    H = _hessian(lambda t: zip_log_likelihood(x, expit(t[0]), np.exp(t[1])), theta)
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    assert np.all(np.abs(theta - [logit(pi), np.log(rate)]) < 5 * se)


def test_poisson_mixture_recovers_truth_and_matches_direct_mle(rng):
    n = 5_000
    x, _ = sample_poisson_mixture(n, [0.4, 0.6], [2.0, 9.0], rng=rng)
    res = poisson_mixture_em(x, 2, tol=1e-15, max_iter=10_000)
    order = np.argsort(res.rates)
    w, lam = res.weights[order], res.rates[order]

    def ll(t):
        return poisson_mixture_log_likelihood(x, [expit(t[0]), 1 - expit(t[0])], np.exp(t[1:]))

    theta = np.array([logit(w[0]), *np.log(lam)])
    opt = optimize.minimize(lambda t: -ll(t), theta + 0.1, method="BFGS", options={"gtol": 1e-8})
    assert res.log_likelihood >= -opt.fun - 1e-8
    np.testing.assert_allclose(opt.x, theta, atol=1e-4)
    se = np.sqrt(np.diag(np.linalg.inv(-_hessian(ll, theta))))
    truth = np.array([logit(0.4), np.log(2.0), np.log(9.0)])
    assert np.all(np.abs(theta - truth) < 5 * se)


def test_default_initialisation_is_deterministic(rng):
    x, _ = sample_poisson_mixture(300, [0.5, 0.5], [1.0, 10.0], rng=rng)
    a, b = poisson_mixture_em(x, 2), poisson_mixture_em(x, 2)
    np.testing.assert_array_equal(a.rates, b.rates)
    assert a.converged


def test_warns_when_not_converged(rng):
    x, _ = sample_zip(200, 0.3, 2.0, rng=rng)
    with pytest.warns(ConvergenceWarning, match="ZIP EM"):
        zip_em(x, max_iter=1, pi_init=0.9)
    with pytest.warns(ConvergenceWarning, match="Poisson mixture EM"):
        poisson_mixture_em(x, 2, max_iter=1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: poisson_mixture_em([1, -1, 2], 1), ValueError, "non-negative integer counts"),
        (lambda: poisson_mixture_em([1, 1.5, 2], 1), ValueError, "non-negative integer counts"),
        (lambda: poisson_mixture_em([1, np.nan], 1), ValueError, "x contains NaN"),
        (lambda: poisson_mixture_em([], 1), ValueError, "at least one count"),
        (lambda: poisson_mixture_em([1, 2], 3), ValueError, "n_components=3 exceeds"),
        (lambda: poisson_mixture_em([1, 2], 0), ValueError, "n_components must be >= 1"),
        (lambda: poisson_mixture_em([1, 2], 2, rates_init=[1, -2]), ValueError, "rates_init"),
        (lambda: poisson_mixture_em([1, 2], 2, rates_init=[1.0]), ValueError, r"shape \(2,\)"),
        (lambda: poisson_mixture_em([1, 2], 2, weights_init=[0.5, 0.6]), ValueError, "sum to 1"),
        (lambda: poisson_mixture_em([1, 2], 1, max_iter=0), ValueError, "max_iter must be"),
        (lambda: poisson_mixture_em([1, 2], 1, tol=-1.0), ValueError, "tol must be"),
        (lambda: zip_em([0, 0, 0]), ValueError, "no positive counts"),
        (lambda: zip_em([0, 1], pi_init=1.0), ValueError, r"pi_init must be in \[0, 1\)"),
        (lambda: zip_em([0, 1], rate_init=0.0), ValueError, "rate_init must be"),
        (lambda: sample_zip(5, 0.5, -1.0, rng=0), ValueError, "rate must be"),
        (lambda: sample_zip(5, -0.1, 1.0, rng=0), ValueError, "pi must be"),
        (lambda: sample_poisson_mixture(5, [0.5, 0.5], [1.0, 0.0], rng=0), ValueError, "rates"),
        (lambda: sample_poisson_mixture(5, [0.5, 0.4], [1.0, 2.0], rng=0), ValueError, "sum to 1"),
        (lambda: sample_poisson_mixture(5, [1.0], [1.0], rng=None), TypeError, "rng must be"),
        (lambda: zip_log_likelihood([0, 1], 0.2, -3.0), ValueError, "rate must be"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
