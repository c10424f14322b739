"""mixgrad.mixture.bound: the ELBO along one parameter, random q's, the E-step's Lagrangian."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.mixture import (
    elbo,
    log_likelihood,
    precisions_cholesky_from_covariances,
    responsibilities,
)
from mixgrad.mixture.bound import (
    augmented_likelihood,
    lagrangian,
    lagrangian_gradient,
    lagrangian_multipliers,
    lower_bound_curve,
    random_responsibilities,
)
from scipy.stats import multivariate_normal

COV_TYPES = ("full", "tied", "diag", "spherical")


def model(rng, covariance_type, n=40, d=2, k=3):
    """Random data and parameters with well-conditioned covariances of the type."""
    X = rng.normal(size=(n, d)) * 2.0
    weights = rng.dirichlet(np.ones(k))
    means = rng.normal(size=(k, d)) * 2.0
    if covariance_type == "full":
        A = rng.normal(size=(k, d, d))
        covariances = A @ A.transpose(0, 2, 1) + np.eye(d)
    elif covariance_type == "tied":
        A = rng.normal(size=(d, d))
        covariances = A @ A.T + np.eye(d)
    elif covariance_type == "diag":
        covariances = rng.uniform(0.5, 2.0, size=(k, d))
    else:
        covariances = rng.uniform(0.5, 2.0, size=k)
    prec = precisions_cholesky_from_covariances(covariances, covariance_type)
    return X, weights, means, covariances, prec


def full_covariances(covariances, covariance_type, k, d):
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.repeat(covariances[None], k, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in covariances])
    return np.stack([c * np.eye(d) for c in covariances])


def scipy_log_joint(X, weights, means, covariances, covariance_type):
    """Reference log p(x_i, z_i = j) from scipy's multivariate normal."""
    k, d = means.shape
    full = full_covariances(covariances, covariance_type, k, d)
    return np.column_stack([
        np.log(weights[j]) + multivariate_normal(means[j], full[j]).logpdf(X) for j in range(k)
    ])


# --- lower_bound_curve ---------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_curve_matches_log_likelihood_and_elbo_functions(rng, covariance_type):
    X, w, mu, _, prec = model(rng, covariance_type)
    values = np.linspace(-3, 3, 7)
    resp, _ = responsibilities(X, w, mu, prec, covariance_type)
    ll, lb = lower_bound_curve(X, w, mu, prec, covariance_type, values, component=1, feature=1)
    for v, l_v, b_v in zip(values, ll, lb, strict=True):
        moved = mu.copy()
        moved[1, 1] = v
        assert l_v == pytest.approx(log_likelihood(X, w, moved, prec, covariance_type), rel=1e-12)
        assert b_v == pytest.approx(elbo(X, resp, w, moved, prec, covariance_type), rel=1e-12)


def test_curve_touches_at_current_mean_and_stays_below(rng):
    X, w, mu, _, prec = model(rng, "full")
    values = np.sort(np.append(np.linspace(-5, 5, 41), mu[0, 0]))
    ll, lb = lower_bound_curve(X, w, mu, prec, "full", values)
    at = np.flatnonzero(values == mu[0, 0])[0]
    assert lb[at] == pytest.approx(ll[at], abs=1e-12)
    assert np.all(lb <= ll + 1e-12)
    assert np.max(ll - lb) > 1e-3  # away from the touching point there is a real gap


def test_curve_maximiser_is_the_weighted_mean(rng):
    # With q fixed, the ELBO in mu_k is a concave quadratic maximised at
    # sum_i r_ik x_i / sum_i r_ik (independent of the covariance): compare with
    # the vertex of the parabola through three points.
    X, w, mu, _, prec = model(rng, "diag")
    resp, _ = responsibilities(X, w, mu, prec, "diag")
    target = resp[:, 2] @ X[:, 0] / resp[:, 2].sum()
    values = target + np.array([-1.0, 0.3, 2.0])
    _, lb = lower_bound_curve(X, w, mu, prec, "diag", values, component=2, feature=0)
    a, b, _ = np.polyfit(values, lb, 2)
    assert a < 0
    assert -b / (2 * a) == pytest.approx(target, rel=1e-8, abs=1e-10)


def test_curve_with_explicit_resp(rng):
    X, w, mu, _, prec = model(rng, "spherical")
    q = random_responsibilities(X.shape[0], 3, rng)
    values = np.array([-1.0, 0.0, 1.0])
    ll, lb = lower_bound_curve(X, w, mu, prec, "spherical", values, resp=q)
    moved = mu.copy()
    moved[0, 0] = 0.0
    assert lb[1] == pytest.approx(elbo(X, q, w, moved, prec, "spherical"), rel=1e-12)
    assert np.all(lb < ll)


def test_curve_bad_inputs(rng):
    X, w, mu, _, prec = model(rng, "full")
    with pytest.raises(ValueError, match="component=3 is out of range"):
        lower_bound_curve(X, w, mu, prec, "full", [0.0], component=3)
    with pytest.raises(ValueError, match="feature=2 is out of range"):
        lower_bound_curve(X, w, mu, prec, "full", [0.0], feature=2)
    with pytest.raises(TypeError, match="component must be an integer"):
        lower_bound_curve(X, w, mu, prec, "full", [0.0], component=0.5)
    with pytest.raises(ValueError, match="values"):
        lower_bound_curve(X, w, mu, prec, "full", [0.0, np.nan])
    with pytest.raises(ValueError, match="resp"):
        lower_bound_curve(X, w, mu, prec, "full", [0.0], resp=np.ones((X.shape[0], 3)))


# --- random_responsibilities and the Jensen argument ---------------------------------------


@given(n=st.integers(1, 30), k=st.integers(1, 6), c=st.floats(0.05, 20.0), seed=st.integers(0, 99))
def test_random_responsibilities_are_feasible(n, k, c, seed):
    q = random_responsibilities(n, k, seed, concentration=c)
    assert q.shape == (n, k)
    assert np.all(q >= 0)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_random_responsibilities_reproducible_and_bad_inputs():
    first, again = random_responsibilities(5, 3, 7), random_responsibilities(5, 3, 7)
    np.testing.assert_array_equal(first, again)
    with pytest.raises(ValueError, match="concentration must be finite and > 0"):
        random_responsibilities(5, 3, 0, concentration=0.0)
    with pytest.raises(ValueError, match="n_components must be >= 1"):
        random_responsibilities(5, 0, 0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        random_responsibilities(5, 3, None)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_no_random_q_beats_the_posterior(rng, covariance_type):
    X, w, mu, _, prec = model(rng, covariance_type)
    post, _ = responsibilities(X, w, mu, prec, covariance_type)
    best = augmented_likelihood(X, post, w, mu, prec, covariance_type)
    for c in (0.1, 1.0, 10.0):
        for _ in range(20):
            q = random_responsibilities(X.shape[0], 3, rng, concentration=c)
            assert augmented_likelihood(X, q, w, mu, prec, covariance_type) < best


# --- augmented likelihood -----------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_augmented_likelihood_against_scipy(rng, covariance_type):
    X, w, mu, cov, prec = model(rng, covariance_type)
    q = random_responsibilities(X.shape[0], 3, rng)
    joint = scipy_log_joint(X, w, mu, cov, covariance_type)
    expected = np.sum(q * (joint - np.log(q)))
    assert augmented_likelihood(X, q, w, mu, prec, covariance_type) == pytest.approx(
        expected, rel=1e-10)
    post, _ = responsibilities(X, w, mu, prec, covariance_type)
    summed = X.shape[0] * log_likelihood(X, w, mu, prec, covariance_type)
    assert augmented_likelihood(X, post, w, mu, prec, covariance_type) == pytest.approx(
        summed, rel=1e-12)


def test_augmented_likelihood_one_hot_rows(rng):
    # 0 log 0 = 0: one-hot R gives the complete-data log-likelihood of those labels.
    X, w, mu, cov, prec = model(rng, "full")
    labels = rng.integers(0, 3, size=X.shape[0])
    R = np.eye(3)[labels]
    joint = scipy_log_joint(X, w, mu, cov, "full")
    assert augmented_likelihood(X, R, w, mu, prec, "full") == pytest.approx(
        joint[np.arange(X.shape[0]), labels].sum(), rel=1e-10)


# --- Lagrangian -------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_lagrangian_stationary_at_the_posterior(rng, covariance_type):
    X, w, mu, _, prec = model(rng, covariance_type)
    post, log_px = responsibilities(X, w, mu, prec, covariance_type)
    lam = lagrangian_multipliers(X, w, mu, prec, covariance_type)
    np.testing.assert_allclose(lam, 1.0 - log_px, rtol=1e-12)
    grad = lagrangian_gradient(X, post, lam, w, mu, prec, covariance_type)
    assert np.max(np.abs(grad)) < 1e-10
    q = random_responsibilities(X.shape[0], 3, rng)
    assert np.max(np.abs(lagrangian_gradient(X, q, lam, w, mu, prec, covariance_type))) > 1e-2


def test_lagrangian_gradient_matches_central_differences(rng):
    X, w, mu, _, prec = model(rng, "full", n=6)
    R = rng.uniform(0.1, 1.0, size=(6, 3))  # unnormalised on purpose
    lam = rng.normal(size=6)
    grad = lagrangian_gradient(X, R, lam, w, mu, prec, "full")
    h = 1e-6
    numeric = np.empty_like(R)
    for idx in np.ndindex(R.shape):
        up, down = R.copy(), R.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (lagrangian(X, up, lam, w, mu, prec, "full")
                        - lagrangian(X, down, lam, w, mu, prec, "full")) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_lagrangian_equals_augmented_likelihood_on_the_simplex(rng):
    X, w, mu, _, prec = model(rng, "tied")
    q = random_responsibilities(X.shape[0], 3, rng)
    lam = rng.normal(size=X.shape[0])
    assert lagrangian(X, q, lam, w, mu, prec, "tied") == pytest.approx(
        augmented_likelihood(X, q, w, mu, prec, "tied"), rel=1e-12)


def test_lagrangian_bad_inputs(rng):
    X, w, mu, _, prec = model(rng, "full")
    q = random_responsibilities(X.shape[0], 3, rng)
    lam = np.zeros(X.shape[0])
    with pytest.raises(ValueError, match="strictly positive"):
        lagrangian(X, np.eye(3)[np.zeros(X.shape[0], int)], lam, w, mu, prec, "full")
    with pytest.raises(ValueError, match="multipliers must hold one value per sample"):
        lagrangian_gradient(X, q, lam[:-1], w, mu, prec, "full")
    with pytest.raises(ValueError, match="resp must have shape"):
        lagrangian(X, q[:, :2], lam, w, mu, prec, "full")
    with pytest.raises(ValueError, match="every row of resp must sum to 1"):
        augmented_likelihood(X, 2 * q, w, mu, prec, "full")
