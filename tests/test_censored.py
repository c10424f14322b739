"""Censored-normal EM: truncnorm moments, Tobit MLE by scipy.optimize, monotone, naive bias."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.datasets import bivariate_censored_y
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.censored import (
    censored_bivariate_em,
    censored_log_likelihood,
    censored_normal_em,
    truncated_normal_moments,
)
from mixgrad.mixture.missing import bivariate_history_table
from scipy import optimize, stats


def _censor(rng, n=300, mean=1.0, sd=2.0, threshold=2.0):
    y = rng.normal(mean, sd, n)
    censored = y > threshold
    x = np.where(censored, np.nan, y)
    return x, censored


def test_truncated_moments_match_scipy_truncnorm():
    mean, sd = 0.7, 1.9
    lower = mean + sd * np.linspace(-6, 12, 37)
    m1, var = truncated_normal_moments(mean, sd, lower)
    a = (lower - mean) / sd
    ref_mean, ref_var = stats.truncnorm.stats(a, np.inf, loc=mean, scale=sd, moments="mv")
    np.testing.assert_allclose(m1, ref_mean, rtol=1e-10)
    np.testing.assert_allclose(var, ref_var, rtol=2e-6, atol=1e-12)
    np.testing.assert_allclose(var[a <= 5], ref_var[a <= 5], rtol=1e-10)


def test_no_censoring_gives_sample_mean_and_variance(rng):
    x = rng.normal(size=50)
    res = censored_normal_em(x, np.zeros(50, bool), 10.0)
    assert res.history["mean"][1] == pytest.approx(x.mean(), rel=1e-12)
    assert res.history["covariance"][1] == pytest.approx(x.var(), rel=1e-12)


def test_log_likelihood_matches_scipy(rng):
    x, cens = _censor(rng, n=40)
    expected = stats.norm.logpdf(x[~cens], 0.5, 1.5).sum() + cens.sum() * stats.norm.logsf(
        2.0, 0.5, 1.5
    )
    assert censored_log_likelihood(x, cens, 2.0, 0.5, 1.5**2) == pytest.approx(expected, rel=1e-12)


def test_exact_em_reaches_the_tobit_mle(rng):
    x, cens = _censor(rng)
    res = censored_normal_em(x, cens, 2.0, tol=1e-13, max_iter=5000)
    assert res.converged

    def nll(theta):
        return -censored_log_likelihood(x, cens, 2.0, theta[0], np.exp(2 * theta[1]))

    opt = optimize.minimize(
        nll,
        [0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000},
    )
    assert res.log_likelihood >= -opt.fun - 1e-9
    assert res.mean == pytest.approx(opt.x[0], abs=1e-6)
    assert res.covariance == pytest.approx(np.exp(2 * opt.x[1]), rel=1e-6)
    # Truth (1, 4) is recovered within a few standard errors on n = 300.
    assert abs(res.mean - 1.0) < 0.4 and abs(np.sqrt(res.covariance) - 2.0) < 0.4


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
@given(seed=st.integers(0, 2**32 - 1), threshold=st.floats(-1.0, 3.0))
def test_log_likelihood_never_decreases(seed, threshold):
    rng = np.random.default_rng(seed)
    x, cens = _censor(rng, n=40, threshold=threshold)
    if (~cens).sum() < 2:
        return
    res = censored_normal_em(x, cens, threshold, max_iter=30, tol=0.0, mean_init=-2.0)
    ll = res.history["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[:-1]))


@pytest.mark.parametrize("seed", range(4))
def test_naive_underestimates_the_spread(seed):
    x, cens = _censor(np.random.default_rng(seed))
    exact = censored_normal_em(x, cens, 2.0)
    naive = censored_normal_em(x, cens, 2.0, method="naive")
    assert naive.covariance < exact.covariance
    assert naive.log_likelihood < exact.log_likelihood
    assert np.all(exact.imputed[cens] > 2.0)


def test_per_sample_thresholds(rng):
    y = rng.normal(size=200)
    c = rng.uniform(-0.5, 1.5, size=200)
    cens = y > c
    x = np.where(cens, c, y)  # the value at censored entries is ignored
    res = censored_normal_em(x, cens, c, tol=1e-12, max_iter=5000)

    def nll(theta):
        return -censored_log_likelihood(x, cens, c, theta[0], np.exp(2 * theta[1]))

    opt = optimize.minimize(nll, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    assert res.mean == pytest.approx(opt.x[0], abs=1e-5)


def _bivariate_nll(theta, X, cens, c):
    mean = theta[:2]
    L = np.array([[np.exp(theta[2]), 0.0], [theta[3], np.exp(theta[4])]])
    cov = L @ L.T
    s1 = np.sqrt(cov[0, 0])
    slope = cov[0, 1] / cov[0, 0]
    cm = mean[1] + slope * (X[:, 0] - mean[0])
    cs = np.sqrt(cov[1, 1] - slope * cov[0, 1])
    ll = stats.norm.logpdf(X[:, 0], mean[0], s1).sum()
    ll += stats.norm.logpdf(X[~cens, 1], cm[~cens], cs).sum()
    ll += stats.norm.logsf(c, cm[cens], cs).sum()
    return -ll


def test_bivariate_exact_em_reaches_the_direct_mle(rng):
    ex = bivariate_censored_y(rng, n=200, threshold=1.3)
    X, cens, c = ex["X"], ex["censored"], ex["threshold"]
    assert 0 < cens.sum() < 200
    res = censored_bivariate_em(X, cens, c, tol=1e-13, max_iter=10_000)
    assert res.converged
    opt = optimize.minimize(
        _bivariate_nll,
        [1.0, 1.0, 0.0, 0.5, -0.5],
        args=(X, cens, c),
        method="BFGS",
        options={"gtol": 1e-9},
    )
    assert res.log_likelihood >= -opt.fun - 1e-8
    L = np.array([[np.exp(opt.x[2]), 0.0], [opt.x[3], np.exp(opt.x[4])]])
    np.testing.assert_allclose(res.mean, opt.x[:2], atol=1e-5)
    np.testing.assert_allclose(res.covariance, L @ L.T, atol=1e-5)
    h = res.history["log_likelihood"]
    assert np.all(np.diff(h) >= -1e-10 * np.abs(h[:-1]))


def test_bivariate_naive_is_biased(rng):
    ex = bivariate_censored_y(rng, n=200, threshold=1.0)
    X, cens, c = ex["X"], ex["censored"], ex["threshold"]
    exact = censored_bivariate_em(X, cens, c)
    naive = censored_bivariate_em(X, cens, c, method="naive")
    assert naive.covariance[1, 1] < exact.covariance[1, 1]
    assert naive.log_likelihood < exact.log_likelihood
    np.testing.assert_allclose(naive.covariance[0, 0], X[:, 0].var())
    table = bivariate_history_table(naive)
    assert table["rho"][-1] == pytest.approx(
        naive.covariance[0, 1] / np.sqrt(naive.covariance[0, 0] * naive.covariance[1, 1])
    )


def test_warns_when_not_converged(rng):
    x, cens = _censor(rng)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        censored_normal_em(x, cens, 2.0, max_iter=1)


X1 = np.array([0.1, 0.5, np.nan, -1.0])
C1 = np.array([False, False, True, False])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((X1, C1.astype(int), 1.0), {}, TypeError, "censored must be a boolean"),
        ((X1, C1[:3], 1.0), {}, TypeError, "censored must be a boolean array of shape"),
        ((X1, C1, [1.0, 2.0]), {}, ValueError, "threshold must be a scalar or have shape"),
        ((X1, C1, np.nan), {}, ValueError, "threshold contains NaN"),
        ((X1, C1, 0.2), {}, ValueError, r"x\[1\] = 0.5 exceeds its threshold"),
        ((X1, ~C1, 1.0), {}, ValueError, "finite where not censored"),
        (
            (np.array([0.1, np.nan, np.nan]), np.array([False, True, True]), 1.0),
            {},
            ValueError,
            "at least 2 values must be uncensored",
        ),
        ((X1, C1, 1.0), {"method": "impute"}, ValueError, "method must be one of"),
        ((X1, C1, 1.0), {"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ((X1, C1, 1.0), {"tol": -1.0}, ValueError, "tol must be"),
        ((X1, C1, 1.0), {"variance_init": 0.0}, ValueError, "variance_init must be"),
        ((X1[:, None], C1, 1.0), {}, ValueError, "x must have 1"),
    ],
)
def test_bad_input_1d(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        censored_normal_em(*args, **kwargs)


def test_bad_input_bivariate():
    X = np.array([[0.0, 0.1], [1.0, np.nan], [2.0, 0.3], [3.0, 0.2]])
    cens = np.array([False, True, False, False])
    with pytest.raises(ValueError, match="X must have 2 columns"):
        censored_bivariate_em(np.zeros((4, 3)), cens, 1.0)
    with pytest.raises(ValueError, match=r"X\[:, 0\] must be fully observed"):
        censored_bivariate_em(np.where(X == 0, np.nan, X), cens, 1.0)
    with pytest.raises(ValueError, match="cov_init must be positive definite"):
        censored_bivariate_em(X, cens, 1.0, mean_init=[0, 0], cov_init=-np.eye(2))
    with pytest.raises(ValueError, match="both mean_init and cov_init"):
        censored_bivariate_em(X, cens, 1.0, mean_init=[0, 0])
    with pytest.raises(ValueError, match="variance must be"):
        censored_log_likelihood(X[:, 1], cens, 1.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="sd must be > 0"):
        truncated_normal_moments(0.0, 0.0, 1.0)
