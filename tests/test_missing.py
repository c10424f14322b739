"""Missing-data EM: closed forms, monotone likelihood, direct maximisation, naive bias."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.datasets import bivariate_missing_y
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.missing import (
    bivariate_history_table,
    mvn_e_step,
    mvn_em,
    mvn_m_step,
    observed_log_likelihood,
)
from scipy import optimize, stats


def _data(rng, n=80, d=3, p_missing=0.25):
    A = rng.normal(size=(d, d))
    cov = A @ A.T + 0.5 * np.eye(d)
    X = rng.multivariate_normal(rng.normal(size=d), cov, size=n)
    X[rng.random((n, d)) < p_missing] = np.nan
    X[np.isnan(X).all(1), 0] = 0.0  # keep every row partly observed (not required)
    return X


def _monotone_mle(X):
    """Closed-form MLE for (x fully observed, y missing for some rows) (Anderson 1957)."""
    x, y = X[:, 0], X[:, 1]
    c = ~np.isnan(y)
    xc, yc = x[c], y[c]
    beta = np.cov(xc, yc, bias=True)[0, 1] / xc.var()
    alpha = yc.mean() - beta * xc.mean()
    resid_var = np.mean((yc - alpha - beta * xc) ** 2)
    mu1, s11 = x.mean(), x.var()
    return mu1, alpha + beta * mu1, s11, beta * s11, resid_var, beta, c.mean()


def test_nothing_missing_gives_closed_form_mle_in_one_step(rng):
    X = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 3))
    res = mvn_em(X)
    np.testing.assert_allclose(res.history["mean"][1], X.mean(0), rtol=1e-12)
    np.testing.assert_allclose(
        res.history["covariance"][1], np.cov(X, rowvar=False, bias=True), rtol=1e-12
    )
    assert res.converged and res.n_iter == 2


def test_observed_log_likelihood_matches_scipy_marginals(rng):
    X = _data(rng, n=30)
    mean, cov = (
        np.array([0.1, -0.2, 0.3]),
        np.array([[2, 0.5, 0.2], [0.5, 1, 0.1], [0.2, 0.1, 1.5]]),
    )
    expected = 0.0
    for row in X:
        o = ~np.isnan(row)
        expected += stats.multivariate_normal(mean[o], cov[np.ix_(o, o)]).logpdf(row[o])
    assert observed_log_likelihood(X, mean, cov) == pytest.approx(expected, rel=1e-12)


def test_e_step_matches_gaussian_conditioning_row_by_row(rng):
    X = _data(rng, n=25, d=4, p_missing=0.4)
    mean = rng.normal(size=4)
    A = rng.normal(size=(4, 4))
    cov = A @ A.T + np.eye(4)
    X_hat, correction = mvn_e_step(X, mean, cov)
    expected = np.zeros((4, 4))
    for i, row in enumerate(X):
        m = np.isnan(row)
        o = ~m
        if not m.any():
            continue
        # Conditioning via the precision matrix (an independent formula).
        P = np.linalg.inv(cov)
        cond_cov = np.linalg.inv(P[np.ix_(m, m)])
        cond_mean = mean[m] - cond_cov @ P[np.ix_(m, o)] @ (row[o] - mean[o])
        np.testing.assert_allclose(X_hat[i, m], cond_mean, rtol=1e-10, atol=1e-12)
        expected[np.ix_(m, m)] += cond_cov
    np.testing.assert_allclose(correction, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(X_hat[~np.isnan(X)], X[~np.isnan(X)])
    _, naive = mvn_e_step(X, mean, cov, method="naive")
    assert not naive.any()


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 4), p=st.floats(0.05, 0.5))
def test_exact_log_likelihood_never_decreases(seed, d, p):
    rng = np.random.default_rng(seed)
    X = _data(rng, n=30, d=d, p_missing=p)
    res = mvn_em(X, max_iter=12, tol=0.0)
    ll = res.history["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-9 * np.abs(ll[:-1]))


def _unpack(theta, d):
    mean = theta[:d]
    L = np.zeros((d, d))
    L[np.tril_indices(d)] = theta[d:]
    L[np.diag_indices(d)] = np.exp(L[np.diag_indices(d)])
    return mean, L @ L.T


def test_exact_em_reaches_the_direct_maximiser(rng):
    X = _data(rng, n=60, d=3, p_missing=0.3)
    res = mvn_em(X, max_iter=2000, tol=1e-12)
    assert res.converged

    def nll(theta):
        mean, cov = _unpack(theta, 3)
        return -observed_log_likelihood(X, mean, cov)

    L0 = np.linalg.cholesky(np.diag(np.nanvar(X, axis=0)))
    L0[np.diag_indices(3)] = np.log(np.diag(L0))
    theta0 = np.concatenate([np.nanmean(X, axis=0), L0[np.tril_indices(3)]])
    opt = optimize.minimize(nll, theta0, method="BFGS", options={"gtol": 1e-9})
    mean_opt, cov_opt = _unpack(opt.x, 3)
    assert res.log_likelihood >= -opt.fun - 1e-8
    np.testing.assert_allclose(res.mean, mean_opt, atol=1e-4)
    np.testing.assert_allclose(res.covariance, cov_opt, atol=1e-4)


def test_monotone_bivariate_pattern_matches_anderson_closed_form(rng):
    ex = bivariate_missing_y(rng, n=200, n_missing=80)
    mu1, mu2, s11, s12, resid_var, beta, frac_obs = _monotone_mle(ex["X"])
    exact = mvn_em(ex["X"], max_iter=5000, tol=1e-13)
    np.testing.assert_allclose(exact.mean, [mu1, mu2], rtol=1e-9)
    np.testing.assert_allclose(
        exact.covariance, [[s11, s12], [s12, resid_var + beta**2 * s11]], rtol=1e-8
    )
    # The naive fixed point: same regression line, but only the observed
    # fraction of the residual variance survives.
    naive = mvn_em(ex["X"], method="naive", max_iter=5000, tol=1e-13)
    np.testing.assert_allclose(naive.mean, [mu1, mu2], rtol=1e-9)
    np.testing.assert_allclose(
        naive.covariance[1, 1], frac_obs * resid_var + beta**2 * s11, rtol=1e-8
    )


@pytest.mark.parametrize("seed", range(5))
def test_naive_method_is_biased_downwards_for_the_missing_variable(seed):
    ex = bivariate_missing_y(seed)
    exact = mvn_em(ex["X"], max_iter=2000, tol=1e-12)
    naive = mvn_em(
        ex["X"],
        method="naive",
        mean_init=ex["mean_init"],
        cov_init=ex["cov_init"],
        max_iter=2000,
        tol=1e-12,
    )
    assert naive.covariance[1, 1] < exact.covariance[1, 1]
    t_naive, t_exact = bivariate_history_table(naive), bivariate_history_table(exact)
    assert abs(t_naive["rho"][-1]) > abs(t_exact["rho"][-1])
    assert naive.log_likelihood < exact.log_likelihood
    # x is fully observed, so mu1 and s1 never move (as in the notes' table).
    np.testing.assert_allclose(t_naive["mu1"], t_naive["mu1"][0])
    np.testing.assert_allclose(t_naive["s1"], t_naive["s1"][0])


def test_seed003_example_start_is_the_zero_filled_m_step():
    ex = bivariate_missing_y(0)
    assert ex["X"].shape == (40, 2) and np.isnan(ex["X"][20:, 1]).all()
    assert not np.isnan(ex["X"][:20]).any()
    filled = np.nan_to_num(ex["X"])
    np.testing.assert_allclose(ex["mean_init"], filled.mean(0))
    np.testing.assert_allclose(ex["cov_init"][1, 1], filled[:, 1].var())
    np.testing.assert_allclose(ex["covariance"][0, 1], 1.0 * 0.75 * 0.82)


def test_fully_missing_rows_are_allowed(rng):
    X = _data(rng, n=50, d=2, p_missing=0.0)
    X_more = np.vstack([X, np.full((5, 2), np.nan)])
    a = mvn_em(X, tol=1e-12, max_iter=500)
    b = mvn_em(X_more, tol=1e-12, max_iter=500)
    np.testing.assert_allclose(b.mean, a.mean, atol=1e-8)
    np.testing.assert_allclose(b.covariance, a.covariance, atol=1e-8)
    np.testing.assert_allclose(b.imputed[-1], b.mean)


def test_m_step_adds_reg_covar():
    X_hat = np.array([[0.0, 1.0], [2.0, 3.0]])
    mean, cov = mvn_m_step(X_hat, np.eye(2), reg_covar=0.5)
    np.testing.assert_allclose(mean, [1.0, 2.0])
    np.testing.assert_allclose(cov, np.cov(X_hat.T, bias=True) + np.eye(2) / 2 + 0.5 * np.eye(2))


def test_warns_when_not_converged(rng):
    X = _data(rng)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        res = mvn_em(X, max_iter=2)
    assert not res.converged and res.history["log_likelihood"].shape == (3,)


def test_bivariate_table_needs_two_features(rng):
    res = mvn_em(_data(rng, d=3, p_missing=0.0))
    with pytest.raises(ValueError, match="2-D data"):
        bivariate_history_table(res)


GOOD = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, np.nan], [0.5, 0.2]])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.ones(4)}, ValueError, "X must have 2"),
        ({"X": [[1.0, np.inf], [1.0, 2.0]]}, ValueError, "X contains infinite"),
        ({"X": [[1.0, np.nan], [2.0, np.nan]]}, ValueError, r"column\(s\) \[1\] of X are entirely"),
        ({"X": [[1.0, 2.0]]}, ValueError, "at least 2 rows"),
        ({"X": [[1.0, 2.0], [1.0, np.nan]]}, ValueError, "pass mean_init and cov_init"),
        ({"method": "mean"}, ValueError, "method must be one of"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"reg_covar": -1.0}, ValueError, "reg_covar must be"),
        ({"mean_init": [0.0, 0.0]}, ValueError, "both mean_init and cov_init"),
        ({"mean_init": [0.0], "cov_init": np.eye(2)}, ValueError, r"mean must have shape \(2,\)"),
        ({"mean_init": [0.0, 0.0], "cov_init": -np.eye(2)}, ValueError, "positive definite"),
        ({"mean_init": [0.0, 0.0], "cov_init": np.eye(3)}, ValueError, "covariance must have"),
        ({"X": "data"}, TypeError, "X must be a numeric"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {"X": GOOD} | kwargs
    with pytest.raises(error, match=match):
        mvn_em(args.pop("X"), **args)


def test_collinear_columns_need_reg_covar():
    X = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    with pytest.raises(ValueError, match="reg_covar"):
        mvn_em(X)
    assert mvn_em(X, reg_covar=1e-6).converged


def test_seed003_example_bad_input():
    with pytest.raises(ValueError, match="n_missing must be < n"):
        bivariate_missing_y(0, n=10, n_missing=10)
    with pytest.raises(TypeError, match="rng must be"):
        bivariate_missing_y(None)
