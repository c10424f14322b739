"""Gradient ascent on the GMM likelihood (mixgrad.mixture.gradient_fit) and its EM twin."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad import fd_gradient, gmm_loglik
from mixgrad.mixture.gradient_fit import (
    _cholesky_from_raw,
    _objective_and_gradient,
    constrained_parameters,
    em_progress,
    gradient_ascent_gmm,
    unconstrained_parameters,
)
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture


def _spd(rng, k, d):
    A = rng.normal(size=(k, d, d))
    return A @ np.swapaxes(A, 1, 2) + 0.5 * np.eye(d)


def _data(rng, n=80):
    """Two well-separated 2-D clusters."""
    return np.vstack([rng.normal(size=(n // 2, 2)) - 2.5, rng.normal(size=(n - n // 2, 2)) + 2.5])


@pytest.fixture
def start(rng):
    X = _data(rng)
    weights = np.array([0.3, 0.7])
    means = np.array([[-1.0, 0.5], [1.0, -0.5]])
    covariances = np.stack([np.eye(2), 2.0 * np.eye(2)])
    return X, weights, means, covariances


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3), d=st.integers(1, 3))
def test_change_of_variables_round_trip(seed, k, d):
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(k))
    means = rng.normal(size=(k, d))
    covariances = _spd(rng, k, d)
    w, mu, cov = constrained_parameters(*unconstrained_parameters(weights, means, covariances))
    np.testing.assert_allclose(w, weights, rtol=1e-12)
    np.testing.assert_allclose(mu, means)
    np.testing.assert_allclose(cov, covariances, rtol=1e-10, atol=1e-12)


def test_any_unconstrained_point_gives_valid_parameters(rng):
    w, _, cov = constrained_parameters(rng.normal(size=(3, 2)), rng.normal(size=3),
                                       rng.normal(size=(3, 2, 2)))
    assert np.isclose(w.sum(), 1.0) and np.all(w > 0)
    np.testing.assert_allclose(cov, np.swapaxes(cov, 1, 2))
    assert np.all(np.linalg.eigvalsh(cov) > 0)


def test_gradient_matches_central_differences(rng, start):
    X, weights, means, covariances = start
    params = unconstrained_parameters(weights, means, covariances)
    params = [p + 0.1 * rng.normal(size=p.shape) for p in params]
    shapes = [p.shape for p in params]

    sizes = np.cumsum([0] + [p.size for p in params])

    def f(flat):
        m, lw, raw = (flat[a:b].reshape(s) for a, b, s in zip(sizes[:-1], sizes[1:], shapes,
                                                                  strict=True))
        return float(gmm_loglik(X, m, lw, _cholesky_from_raw(raw)))

    flat = np.concatenate([p.ravel() for p in params])
    value, grads = _objective_and_gradient(X, params)
    assert np.isclose(value, f(flat))
    expected = fd_gradient(f, flat)
    # The strict upper triangle of raw is ignored by the model: zero derivative both ways.
    np.testing.assert_allclose(np.concatenate([g.ravel() for g in grads]), expected, atol=1e-7)


def test_em_progress_matches_scikit_learn(start):
    X, weights, means, covariances = start
    n_iter = 7
    em = em_progress(X, weights, means, covariances, n_iter=n_iter)
    sk = SkGaussianMixture(2, max_iter=n_iter, tol=0.0, weights_init=weights, means_init=means,
                           precisions_init=np.linalg.inv(covariances))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        sk.fit(X)
    np.testing.assert_allclose(em.means, sk.means_, rtol=1e-8)
    np.testing.assert_allclose(em.covariances, sk.covariances_, rtol=1e-8)
    np.testing.assert_allclose(em.weights, sk.weights_, rtol=1e-8)
    assert em.history["log_likelihood"].shape == (n_iter + 1,) == em.history["seconds"].shape
    assert np.isclose(em.log_likelihood, sk.score(X))
    # EM never decreases the likelihood (up to rounding of a mean of 80 terms).
    assert np.all(np.diff(em.history["log_likelihood"]) >= -1e-12)
    assert np.all(np.diff(em.history["seconds"]) >= 0)


def test_adam_reaches_the_em_optimum(start):
    X, weights, means, covariances = start
    optimum = SkGaussianMixture(2, n_init=3, random_state=0, tol=1e-10, max_iter=500).fit(X)
    result = gradient_ascent_gmm(X, weights, means, covariances, n_iter=300,
                                 learning_rate=0.05, optimizer="adam")
    ll = result.history["log_likelihood"]
    assert ll.shape == (301,) and result.n_iter == 300
    assert ll[-1] > ll[0] + 0.1
    assert ll[-1] == result.log_likelihood
    assert np.isclose(result.log_likelihood, optimum.score(X), atol=1e-5)
    assert np.isclose(result.weights.sum(), 1.0)
    order = np.argsort(result.means[:, 0])
    expected = optimum.means_[np.argsort(optimum.means_[:, 0])]
    np.testing.assert_allclose(result.means[order], expected, atol=1e-2)


def test_plain_gradient_ascent_is_monotone_for_a_small_step(start):
    X, weights, means, covariances = start
    ll = gradient_ascent_gmm(X, weights, means, covariances, n_iter=40, learning_rate=0.01,
                             optimizer="plain").history["log_likelihood"]
    assert np.all(np.diff(ll) > 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"optimizer": "sgd"}, "optimizer must be one of"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"n_iter": 0}, "n_iter"),
        ({"betas": (0.9, 1.0)}, "betas must both lie"),
    ],
)
def test_bad_options(start, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradient_ascent_gmm(*start, **kwargs)


def test_bad_parameters(start):
    X, weights, means, covariances = start
    with pytest.raises(ValueError, match="weights must have shape"):
        gradient_ascent_gmm(X, np.ones(3) / 3, means, covariances)
    with pytest.raises(ValueError, match="weights must all be positive"):
        unconstrained_parameters(np.array([0.0, 1.0]), means, covariances)
    with pytest.raises(ValueError, match="covariances must have 3 dimension"):
        unconstrained_parameters(weights, means, np.ones((2, 2)))
    with pytest.raises(ValueError, match="positive definite"):
        unconstrained_parameters(weights, means, -covariances)
    with pytest.raises(ValueError, match="features"):
        gradient_ascent_gmm(X[:, :1], weights, means, covariances)
    with pytest.raises(ValueError, match="reg_covar"):
        em_progress(X, weights, means, covariances, reg_covar=-1.0)
    with pytest.raises(ValueError, match="X"):
        em_progress(np.full((4, 2), np.nan), weights, means, covariances)


def test_diverging_step_is_reported(start):
    X, weights, means, covariances = start
    with pytest.raises(ValueError, match="diverged; lower learning_rate"):
        gradient_ascent_gmm(X, weights, means, covariances, n_iter=50, learning_rate=1e4,
                            optimizer="plain")
