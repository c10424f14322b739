"""Missing-data EM reaches the maximiser of the observed-data likelihood.

The reference maximises that likelihood *directly*: its gradient comes from
``mixgrad.ad`` (reverse mode) and drives scipy's BFGS. For monotone patterns
(trailing coordinates missing) the Cholesky factor of Sigma_oo is the leading
block of the factor L of Sigma, so the observed-data log-likelihood is written
with the differentiable primitives ``solve_triangular`` and
``log_det_cholesky`` only.
"""

import mixgrad.ad as ad
import numpy as np
import pytest
from mixgrad.mixture.missing import mvn_em, observed_log_likelihood
from scipy.optimize import minimize

D = 3


def _monotone_sample(rng, n=400):
    A = rng.normal(size=(D, D))
    cov = A @ A.T + D * np.eye(D)
    X = rng.multivariate_normal(rng.normal(size=D), cov, size=n)
    n_observed = rng.choice([1, 2, 3], size=n, p=[0.2, 0.3, 0.5])  # observed prefix length
    X[np.arange(D)[None, :] >= n_observed[:, None]] = np.nan
    return X, n_observed


def _unpack(theta):
    mean = theta[:D]
    L = np.zeros((D, D))
    L[np.tril_indices(D)] = theta[D:]
    return mean, L


def _neg_loglik_ad(X, n_observed):
    groups = [(p, X[n_observed == p, :p]) for p in range(1, D + 1)]
    tril = np.tril_indices(D)
    diag_mask = np.zeros((D, D), dtype=bool)
    diag_mask[np.diag_indices(D)] = True

    def f(mean, L_free):
        # L_free: lower triangle with log-diagonal, so that L is a valid factor
        L = np.where(diag_mask, np.exp(L_free), L_free)
        total = 0.0
        for p, Xp in groups:
            Lp = L[:p, :p]
            z = ad.solve_triangular(Lp, (Xp - mean[:p]).T, lower=True)
            total = total - 0.5 * np.sum(z**2) - Xp.shape[0] * ad.log_det_cholesky(Lp)
            total = total - 0.5 * Xp.size * np.log(2 * np.pi)
        return -total

    vg = ad.value_and_grad(f, argnums=(0, 1))

    def fun(theta):
        mean = theta[:D]
        L_free = np.zeros((D, D))
        L_free[tril] = theta[D:]
        value, (g_mean, g_L) = vg(mean, L_free)
        return value, np.concatenate([g_mean, g_L[tril]])

    return fun


def test_ad_objective_matches_library_observed_loglik(rng):
    X, n_observed = _monotone_sample(rng)
    fun = _neg_loglik_ad(X, n_observed)
    mean = np.nanmean(X, axis=0)
    L_free = np.tril(rng.normal(scale=0.3, size=(D, D)), -1) + np.diag(np.log([1.5, 2.0, 0.7]))
    L = np.tril(L_free, -1) + np.diag(np.exp(np.diag(L_free)))
    theta = np.concatenate([mean, L_free[np.tril_indices(D)]])
    value, _ = fun(theta)
    assert value == pytest.approx(-observed_log_likelihood(X, mean, L @ L.T), rel=1e-12)


def test_exact_em_reaches_the_direct_maximiser(rng):
    X, n_observed = _monotone_sample(rng)
    em = mvn_em(X, method="exact", max_iter=2000, tol=1e-12)
    fun = _neg_loglik_ad(X, n_observed)
    theta0 = np.concatenate([np.nanmean(X, axis=0), np.zeros(D * (D + 1) // 2)])
    opt = minimize(fun, theta0, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000})
    mean_opt, L_free = _unpack(opt.x)
    L = np.tril(L_free, -1) + np.diag(np.exp(np.diag(L_free)))
    cov_opt = L @ L.T
    assert np.allclose(em.mean, mean_opt, atol=1e-5)
    assert np.allclose(em.covariance, cov_opt, atol=1e-4)
    assert observed_log_likelihood(X, em.mean, em.covariance) >= -opt.fun - 1e-7
    # and the naive (means-only) imputation does not reach it
    naive = mvn_em(X, method="naive", max_iter=2000, tol=1e-12)
    assert observed_log_likelihood(X, naive.mean, naive.covariance) < -opt.fun - 1e-3
