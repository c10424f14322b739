"""CAVI for the Dirichlet-Normal-Wishart mixture: scikit-learn, Monte Carlo and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.variational import (
    NormalWishartPrior,
    normal_wishart_prior,
    sklearn_elbo_offset,
    sklearn_variational_reference,
    variational_elbo,
    variational_gmm,
    variational_parameters,
    variational_responsibilities,
)
from scipy import stats
from scipy.special import digamma


def _three_blobs(rng, n=60, d=2):
    centres = np.array([[0, 0, 0], [3, 1, -1], [0, 4, 2]])[:, :d]
    return np.vstack([rng.normal(c, 0.6, size=(n, d)) for c in centres])


@pytest.mark.parametrize("d,K,alpha0", [(2, 5, 0.1), (3, 3, 1.0), (1, 4, 0.01)])
def test_trajectory_and_parameters_match_sklearn(d, K, alpha0):
    rng = np.random.default_rng(7 + d)
    X = _three_blobs(rng, d=d)
    resp = rng.dirichlet(np.ones(K), size=len(X))
    prior = normal_wishart_prior(X, K, alpha0=alpha0, beta0=0.5, nu0=d + 1.5)
    fit = variational_gmm(X, resp, prior, max_iter=40, tol=None)
    sk = sklearn_variational_reference(X, resp, prior, max_iter=40)
    offset = sklearn_elbo_offset(len(X), K, prior)
    elbo = fit.elbo_history[1:]
    np.testing.assert_allclose(elbo, np.array(sk.lower_bounds_) + offset, rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(fit.alpha, sk.weight_concentration_, rtol=1e-10)
    np.testing.assert_allclose(fit.beta, sk.mean_precision_, rtol=1e-10)
    np.testing.assert_allclose(fit.nu, sk.degrees_of_freedom_, rtol=1e-10)
    np.testing.assert_allclose(fit.means, sk.means_, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(fit.precisions_cholesky, sk.precisions_cholesky_, rtol=1e-9,
                               atol=1e-10)
    np.testing.assert_allclose(fit.weights, sk.weights_, rtol=1e-10)
    q = {"alpha": fit.alpha, "beta": fit.beta, "nu": fit.nu, "means": fit.means,
         "precisions_cholesky": fit.precisions_cholesky}
    np.testing.assert_allclose(variational_responsibilities(X, q), sk.predict_proba(X), atol=1e-9)


def test_expected_log_density_against_monte_carlo():
    """E_q[log pi_k + log N(x | mu_k, Lambda_k^-1)] by sampling q (scipy's Wishart)."""
    rng = np.random.default_rng(3)
    X = _three_blobs(rng, n=20)
    K = 2
    prior = normal_wishart_prior(X, K, alpha0=1.0)
    q = variational_parameters(X, rng.dirichlet(np.ones(K), size=len(X)), prior)
    x, k, s = X[:1], 0, 40_000
    P = q["precisions_cholesky"][k]
    W = P @ P.T / q["nu"][k]
    Lam = stats.wishart(df=q["nu"][k], scale=W).rvs(s, random_state=rng)
    L = np.linalg.cholesky(np.linalg.inv(Lam) / q["beta"][k])
    mu = q["means"][k] + np.einsum("sij,sj->si", L, rng.standard_normal((s, 2)))
    diff = x[0] - mu
    log_n = 0.5 * (np.linalg.slogdet(Lam)[1] - 2 * np.log(2 * np.pi)
                   - np.einsum("si,sij,sj->s", diff, Lam, diff))
    e_log_pi = digamma(q["alpha"][k]) - digamma(q["alpha"].sum())
    mc = e_log_pi + log_n.mean()
    resp = variational_responsibilities(x, q)
    from mixgrad.mixture.variational import _expected_log_joint
    exact = _expected_log_joint(x, q)[0, k]
    assert abs(mc - exact) < 4 * log_n.std() / np.sqrt(s)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 6), d=st.integers(1, 3),
       alpha0=st.floats(1e-3, 10.0), beta0=st.floats(1e-2, 10.0))
def test_elbo_never_decreases(seed, K, d, alpha0, beta0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, d)) + 3 * rng.integers(0, 3, size=(40, 1))
    prior = normal_wishart_prior(X, K, alpha0=alpha0, beta0=beta0)
    fit = variational_gmm(X, rng.dirichlet(np.ones(K), size=len(X)), prior, max_iter=30,
                          tol=None)
    elbo = fit.elbo_history
    assert np.all(np.diff(elbo) >= -1e-10 * (1 + np.abs(elbo[1:])))


def test_each_update_maximises_its_block():
    """Perturbing q(Z) or q(theta) away from the update lowers the ELBO."""
    rng = np.random.default_rng(11)
    X = _three_blobs(rng)
    K = 3
    prior = normal_wishart_prior(X, K)
    q = variational_gmm(X, rng.dirichlet(np.ones(K), size=len(X)), prior, max_iter=5,
                        tol=None).history
    state = {key: value[-1] for key, value in q.items() if key != "log_likelihood"}
    best = variational_elbo(X, state, prior)
    for _ in range(5):
        other = rng.dirichlet(np.ones(K), size=len(X))
        assert variational_elbo(X, state | {"resp": other}, prior) < best
        moved = state | {"means": state["means"] + rng.normal(scale=0.1, size=(K, 2))}
        resp = variational_responsibilities(X, state)
        assert variational_elbo(X, variational_parameters(X, resp, prior) | {"resp": resp},
                                prior) >= variational_elbo(X, moved | {"resp": resp}, prior)


def test_small_concentration_switches_off_surplus_components():
    rng = np.random.default_rng(0)
    X = _three_blobs(rng, n=100)
    K = 8
    resp = rng.dirichlet(np.ones(K), size=len(X))
    sparse = variational_gmm(X, resp, normal_wishart_prior(X, K, alpha0=1e-3), max_iter=500)
    assert np.sum(sparse.weights > 0.01) == 3
    assert sparse.converged


def test_defaults_are_sklearns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    prior = normal_wishart_prior(X, 4)
    assert prior.alpha0 == 0.25 and prior.beta0 == 1.0 and prior.nu0 == 2.0
    np.testing.assert_allclose(prior.m0, X.mean(axis=0))
    np.testing.assert_allclose(prior.W0_inv, np.cov(X.T))


def test_not_converged_warns():
    rng = np.random.default_rng(2)
    X = _three_blobs(rng)
    with pytest.warns(ConvergenceWarning, match="CAVI did not converge"):
        variational_gmm(X, rng.dirichlet(np.ones(4), size=len(X)), max_iter=2, tol=1e-14)


def test_bad_inputs_give_clear_errors():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(20, 2))
    resp = rng.dirichlet(np.ones(3), size=20)
    with pytest.raises(ValueError, match="nu0 must exceed"):
        normal_wishart_prior(X, 3, nu0=0.5)
    with pytest.raises(ValueError, match="alpha0 must be finite and > 0"):
        normal_wishart_prior(X, 3, alpha0=0.0)
    with pytest.raises(ValueError, match="m0 must have shape"):
        normal_wishart_prior(X, 3, m0=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="W0_inv must be positive definite"):
        normal_wishart_prior(X, 3, W0_inv=[[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="one row per sample"):
        variational_gmm(X, resp[:10])
    with pytest.raises(ValueError, match="must sum to 1"):
        variational_gmm(X, 2 * resp)
    with pytest.raises(ValueError, match="contains NaN"):
        variational_gmm(np.where(X > 1, np.nan, X), resp)
    with pytest.raises(TypeError, match="prior must be a NormalWishartPrior"):
        variational_gmm(X, resp, prior={"alpha0": 1.0})
    prior3 = NormalWishartPrior(1.0, 1.0, np.zeros(3), 3.0, np.eye(3))
    with pytest.raises(ValueError, match="prior.m0 has shape"):
        variational_gmm(X, resp, prior3)


def test_sklearn_reference_dirichlet_process_keeps_three_components():
    from mixgrad.datasets import varied_blobs
    from mixgrad.mixture.variational import normal_wishart_prior, sklearn_variational_reference

    rng = np.random.default_rng(0)
    X, _, _ = varied_blobs(300, rng=rng)
    r8 = rng.dirichlet(np.ones(8), size=len(X))
    prior = normal_wishart_prior(X, 8, alpha0=1.0)
    model = sklearn_variational_reference(X, r8, prior, max_iter=300,
                                          weight_concentration_prior_type="dirichlet_process")
    assert model.weight_concentration_prior_type == "dirichlet_process"
    assert np.sum(model.weights_ > 0.01) == 3
