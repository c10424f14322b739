"""Soft k-means -> k-means as c -> 0; hard EM monotone and equal to Lloyd in its limit."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.kmeans import kmeans, squared_distances
from mixgrad.mixture.limits import hard_em, soft_kmeans, soft_kmeans_responsibilities
from scipy import stats


def _blobs(rng, n=150, d=2, k=3, spread=5.0):
    centers = rng.normal(scale=spread, size=(k, d))
    z = rng.integers(k, size=n)
    return centers[z] + rng.normal(size=(n, d)), centers


def test_soft_responsibilities_match_scipy_densities(rng):
    X, centers = _blobs(rng)
    c = 2.3
    dens = np.column_stack([stats.multivariate_normal(m, c * np.eye(2)).pdf(X) for m in centers])
    expected = dens / dens.sum(1, keepdims=True)
    np.testing.assert_allclose(soft_kmeans_responsibilities(X, centers, c), expected, rtol=1e-10)


def test_tiny_c_gives_one_hot_of_nearest_centre(rng):
    X, centers = _blobs(rng)
    R = soft_kmeans_responsibilities(X, centers, 1e-8)
    nearest = np.argmin(squared_distances(X, centers), axis=1)
    np.testing.assert_array_equal(R, np.eye(3)[nearest])


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 5))
def test_distance_to_one_hot_decreases_as_c_decreases(seed, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 2))
    centers = rng.normal(size=(k, 2))
    one_hot = np.eye(k)[np.argmin(squared_distances(X, centers), axis=1)]
    gaps = [
        np.abs(soft_kmeans_responsibilities(X, centers, c) - one_hot).max()
        for c in np.geomspace(10.0, 1e-4, 15)
    ]
    # Each row's distance to its one-hot is monotone in c; allow rounding.
    assert np.all(np.diff(gaps) <= 1e-12)
    np.testing.assert_allclose(
        soft_kmeans_responsibilities(X, centers, 1.0).sum(1), 1.0, rtol=1e-12
    )


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
@given(seed=st.integers(0, 2**32 - 1), c=st.floats(0.05, 20.0))
def test_soft_kmeans_log_likelihood_never_decreases(seed, c):
    rng = np.random.default_rng(seed)
    X, centers = _blobs(rng, n=60)
    res = soft_kmeans(X, centers + rng.normal(size=centers.shape), c, max_iter=25, tol=0.0)
    h = res.history["log_likelihood"]
    assert np.all(np.diff(h) >= -1e-10 * np.abs(h[:-1]))


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
def test_soft_kmeans_log_likelihood_matches_scipy(rng):
    X, centers = _blobs(rng, n=40)
    res = soft_kmeans(X, centers, 1.7, max_iter=3, tol=0.0)
    dens = np.column_stack(
        [stats.multivariate_normal(m, 1.7 * np.eye(2)).pdf(X) for m in res.centers]
    )
    assert res.log_likelihood == pytest.approx(np.log(dens.mean(1)).sum(), rel=1e-12)


def test_soft_kmeans_with_tiny_c_is_kmeans(rng):
    X, _ = _blobs(rng)
    init = X[:3]
    km = kmeans(X, 3, init=init, tol=0.0, rng=0)
    soft = soft_kmeans(X, init, 1e-9, max_iter=300, tol=0.0)
    np.testing.assert_allclose(soft.centers, km.centers, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(soft.responsibilities.argmax(1), km.labels)


def test_hard_em_with_fixed_equal_weights_and_identity_is_kmeans(rng):
    X, _ = _blobs(rng)
    init = X[:3]
    km = kmeans(X, 3, init=init, tol=0.0, rng=0)
    res = hard_em(
        X,
        np.full(3, 1 / 3),
        init,
        np.stack([np.eye(2)] * 3),
        update_weights=False,
        update_covariances=False,
    )
    assert res.converged
    np.testing.assert_array_equal(res.labels, km.labels)
    np.testing.assert_allclose(res.means, km.centers, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
def test_hard_em_one_step_matches_reference(rng):
    X, centers = _blobs(rng)
    w0 = np.array([0.2, 0.3, 0.5])
    covs0 = np.stack([np.eye(2) * s for s in (0.5, 1.0, 2.0)])
    res = hard_em(X, w0, centers, covs0, max_iter=1, reg_covar=0.0)
    # Independent E-step with scipy densities, M-step with numpy.
    logp = np.column_stack(
        [
            np.log(w0[k]) + stats.multivariate_normal(centers[k], covs0[k]).logpdf(X)
            for k in range(3)
        ]
    )
    labels = logp.argmax(1)
    np.testing.assert_array_equal(res.labels, labels)
    for k in range(3):
        Xk = X[labels == k]
        assert res.weights[k] == pytest.approx(len(Xk) / len(X))
        np.testing.assert_allclose(res.means[k], Xk.mean(0), rtol=1e-12)
        np.testing.assert_allclose(res.covariances[k], np.cov(Xk.T, bias=True), rtol=1e-12)
    complete = 0.0
    for k in range(3):
        gauss = stats.multivariate_normal(res.means[k], res.covariances[k])
        complete += (np.log(res.weights[k]) + gauss.logpdf(X[labels == k])).sum()
    assert res.log_likelihood == pytest.approx(complete, rel=1e-12)


@given(
    seed=st.integers(0, 2**32 - 1),
    reg_covar=st.sampled_from([1e-6, 0.1, 2.0]),
    k=st.integers(2, 4),
)
def test_hard_em_objective_never_decreases(seed, reg_covar, k):
    rng = np.random.default_rng(seed)
    X, _ = _blobs(rng, n=80, k=3, spread=3.0)
    means = X[rng.choice(len(X), size=k, replace=False)]
    covs = np.stack([np.eye(2) * 2.0] * k)
    res = hard_em(X, np.full(k, 1 / k), means, covs, reg_covar=reg_covar, max_iter=30)
    h = res.history["log_likelihood"]
    assert np.all(np.diff(h) >= -1e-10 * np.abs(h[:-1]))
    assert res.history["labels"].shape == (res.n_iter, len(X))


def test_hard_em_without_reg_covar_is_monotone_complete_data_likelihood(rng):
    X, centers = _blobs(rng, n=300, spread=6.0)
    res = hard_em(X, np.full(3, 1 / 3), centers + 1.0, np.stack([np.eye(2)] * 3), reg_covar=0.0)
    assert res.converged
    ll = res.history["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[:-1]))


def test_hard_em_singular_component_needs_reg_covar():
    # Seed 004's singularity: x = -1, 1, 3 with a narrow component on x3.
    X = np.array([[-1.0], [1.0], [3.0]])
    args = ([0.5, 0.5], [[0.0], [3.0]], [[[1.0]], [[1e-4]]])
    with pytest.raises(ValueError, match="component 1 has a singular covariance.*reg_covar"):
        hard_em(X, *args, reg_covar=0.0)
    res = hard_em(X, *args, reg_covar=1e-6)
    assert np.isfinite(res.log_likelihood) and res.covariances[1, 0, 0] == pytest.approx(1e-6)


def test_warns_when_not_converged(rng):
    X, centers = _blobs(rng)
    with pytest.warns(ConvergenceWarning, match="soft k-means"):
        soft_kmeans(X, X[:3], 1.0, max_iter=1, tol=0.0)
    with pytest.warns(ConvergenceWarning, match="hard EM"):
        hard_em(X, np.full(3, 1 / 3), X[:3], np.stack([np.eye(2)] * 3), max_iter=1)


EYE = np.stack([np.eye(2)] * 2)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda X: soft_kmeans_responsibilities(X, X[:2], 0.0), ValueError, "c must be"),
        (lambda X: soft_kmeans_responsibilities(X, X[:2], -1.0), ValueError, "c must be"),
        (lambda X: soft_kmeans_responsibilities(X, X[:2, :1], 1.0), ValueError, "centers must"),
        (lambda X: soft_kmeans(X[:, 0], X[:2], 1.0), ValueError, "X must have 2"),
        (lambda X: soft_kmeans(X, X[:2], 1.0, max_iter=0), ValueError, "max_iter must be"),
        (lambda X: soft_kmeans(X, X[:2], 1.0, tol=-1.0), ValueError, "tol must be"),
        (lambda X: hard_em(X, [0.5, 0.6], X[:2], EYE), ValueError, "weights must sum to 1"),
        (lambda X: hard_em(X, [0.5, 0.5], X[:2], EYE[:1]), ValueError, "covariances must have"),
        (lambda X: hard_em(X, [0.5, 0.5], X[:2], -EYE), ValueError, "positive definite"),
        (lambda X: hard_em(X, [0.5, 0.5], X[:2, :1], EYE), ValueError, "means must have 2"),
        (lambda X: hard_em(X[:1], [0.5, 0.5], X[:2], EYE), ValueError, "n_components=2 exceeds"),
        (lambda X: hard_em(X, [0.5, 0.5], X[:2], EYE, reg_covar=-1), ValueError, "reg_covar"),
        (lambda X: hard_em(np.where(X > 0, np.nan, X), [0.5, 0.5], X[:2], EYE), ValueError, "NaN"),
    ],
)
def test_bad_input(rng, call, error, match):
    X = rng.normal(size=(10, 2))
    with pytest.raises(error, match=match):
        call(X)


def test_soft_kmeans_rows_sum_to_one_at_tiny_c(rng):
    """Regression: normalising via log-sum-exp left row sums off by eps*|q/c| (~1e-11)."""
    from mixgrad.mixture.limits import soft_kmeans_responsibilities

    X = rng.normal(scale=10.0, size=(600, 2))
    centers = rng.normal(size=(3, 2))
    for c in (1e-2, 1e-4, 1e-8):
        R = soft_kmeans_responsibilities(X, centers, c)
        assert np.max(np.abs(R.sum(axis=1) - 1.0)) <= 4 * np.finfo(float).eps
    tie = soft_kmeans_responsibilities(np.zeros((1, 2)), np.array([[1.0, 0.0], [-1.0, 0.0]]), 1e-9)
    np.testing.assert_array_equal(tie, [[0.5, 0.5]])
