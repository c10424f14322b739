"""Gaussian log-densities from Cholesky factors, checked against scipy and numpy."""

import numpy as np
import pytest
from mixgrad.mixture.covariance import (
    COVARIANCE_TYPES,
    check_covariance_type,
    covariances_from_cholesky,
    n_parameters,
    precisions_cholesky_from_covariances,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
)
from mixgrad.mixture.gaussian import log_det_cholesky, log_gaussian_prob, mixture_density_1d
from scipy import stats
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture


def random_covariances(rng, covariance_type, k, d):
    """Random valid covariances of each type (full matrices from A A^T + I)."""
    if covariance_type == "full":
        a = rng.standard_normal((k, d, d))
        return a @ np.swapaxes(a, 1, 2) + np.eye(d)
    if covariance_type == "tied":
        a = rng.standard_normal((d, d))
        return a @ a.T + np.eye(d)
    if covariance_type == "diag":
        return rng.uniform(0.2, 3.0, size=(k, d))
    return rng.uniform(0.2, 3.0, size=k)


def full_matrices(covariances, covariance_type, k, d):
    """Expand any covariance type to (k, d, d) matrices (the independent reference)."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.repeat(covariances[None], k, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(v) for v in covariances])
    return np.stack([v * np.eye(d) for v in covariances])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("d", [1, 3])
def test_log_gaussian_prob_matches_scipy(rng, covariance_type, d):
    k = 3
    X = rng.standard_normal((40, d)) * 2
    means = rng.standard_normal((k, d))
    cov = random_covariances(rng, covariance_type, k, d)
    prec = precisions_cholesky_from_covariances(cov, covariance_type)
    ours = log_gaussian_prob(X, means, prec, covariance_type)
    mats = full_matrices(cov, covariance_type, k, d)
    expected = np.column_stack(
        [multivariate_normal(means[j], mats[j]).logpdf(X).reshape(-1) for j in range(k)]
    )
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_precision_factors_invert_the_covariances(rng, covariance_type):
    k, d = 3, 4
    cov = random_covariances(rng, covariance_type, k, d)
    prec_chol = precisions_cholesky_from_covariances(cov, covariance_type)
    precisions = precisions_from_cholesky(prec_chol, covariance_type)
    mats = full_matrices(cov, covariance_type, k, d)
    inverse = np.linalg.inv(mats)  # independent reference: explicit inverse
    ours = full_matrices(precisions, covariance_type, k, d)
    np.testing.assert_allclose(ours, inverse, rtol=1e-10, atol=1e-12)
    # the factors are upper triangular, and converting back gives the covariances
    if covariance_type in ("full", "tied"):
        np.testing.assert_array_equal(np.tril(prec_chol, -1), 0.0)
    np.testing.assert_allclose(covariances_from_cholesky(prec_chol, covariance_type), cov,
                               rtol=1e-10, atol=1e-12)
    # from the precisions we recover the same (unique, positive-diagonal) factor
    again = precisions_cholesky_from_precisions(precisions, covariance_type)
    np.testing.assert_allclose(again, prec_chol, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_det_cholesky_is_minus_half_log_det_covariance(rng, covariance_type):
    k, d = 3, 4
    cov = random_covariances(rng, covariance_type, k, d)
    prec = precisions_cholesky_from_covariances(cov, covariance_type)
    ours = log_det_cholesky(prec, covariance_type, d)
    expected = -0.5 * np.linalg.slogdet(full_matrices(cov, covariance_type, k, d))[1]
    np.testing.assert_allclose(np.broadcast_to(ours, (k,)), expected, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("k", "d"), [(1, 1), (3, 2), (5, 7)])
def test_n_parameters_matches_sklearn(covariance_type, k, d):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((max(20, 3 * k), d))
    sk = SkGaussianMixture(k, covariance_type=covariance_type, max_iter=1, random_state=0)
    sk.fit(X)
    assert n_parameters(k, d, covariance_type) == sk._n_parameters()


# --- bad input ----------------------------------------------------------------------


def test_unknown_covariance_type():
    with pytest.raises(ValueError, match=r"covariance_type must be one of .* got 'banana'"):
        check_covariance_type("banana")


def test_log_gaussian_prob_bad_inputs(rng):
    X = rng.standard_normal((5, 2))
    means = np.zeros((2, 2))
    prec = np.ones((2, 2))
    with pytest.raises(ValueError, match="X must have 2 dimension"):
        log_gaussian_prob(X[:, 0], means, prec, "diag")
    with pytest.raises(ValueError, match="X contains NaN"):
        log_gaussian_prob(np.where(X > 0, np.nan, X), means, prec, "diag")
    with pytest.raises(ValueError, match="X contains infinite"):
        log_gaussian_prob(np.where(X > 0, np.inf, X), means, prec, "diag")
    with pytest.raises(ValueError, match="means must have 2 columns"):
        log_gaussian_prob(X, np.zeros((2, 3)), prec, "diag")
    with pytest.raises(ValueError, match=r"precisions_cholesky must have 3 dimension"):
        log_gaussian_prob(X, means, prec, "full")
    with pytest.raises(ValueError, match=r"precisions_cholesky must have shape \(2, 2\) for"):
        log_gaussian_prob(X, means, np.ones((3, 2)), "diag")
    with pytest.raises(ValueError, match="precisions_cholesky must have a positive diagonal"):
        log_gaussian_prob(X, means, -prec, "diag")
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        log_gaussian_prob(X, means, prec, "diagonal")
    with pytest.raises(TypeError, match="X must be a numeric array"):
        log_gaussian_prob("abc", means, prec, "diag")


def test_singular_covariance_gives_sklearn_like_message():
    singular = np.array([[[1.0, 1.0], [1.0, 1.0]]])
    with pytest.raises(ValueError, match="ill-defined empirical covariance.*increase reg_covar"):
        precisions_cholesky_from_covariances(singular, "full")
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        precisions_cholesky_from_covariances(np.array([1.0, 0.0]), "spherical")
    with pytest.raises(ValueError, match="covariances must be square"):
        precisions_cholesky_from_covariances(np.ones((1, 2, 3)), "full")


def test_precisions_must_be_positive_definite():
    with pytest.raises(ValueError, match="precisions must be symmetric positive definite"):
        precisions_cholesky_from_precisions(np.array([[1.0, 2.0], [2.0, 1.0]]), "tied")
    with pytest.raises(ValueError, match="precisions must hold symmetric square matrices"):
        precisions_cholesky_from_precisions(np.array([[1.0, 2.0], [0.0, 1.0]]), "tied")
    with pytest.raises(ValueError, match="must be positive for covariance_type='diag'"):
        precisions_cholesky_from_precisions(np.array([[1.0, -2.0]]), "diag")


def test_n_parameters_bad_type():
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        n_parameters(2, 2, "round")


# --- mixture_density_1d ------------------------------------------------------------------


def test_mixture_density_matches_scipy_and_integrates_to_one():
    w, m, v = np.array([0.4, 0.2, 0.4]), np.array([2.0, 5.0, 10.0]), np.array([0.36, 0.64, 0.25])
    x = np.linspace(-5, 17, 20001)
    density, comps = mixture_density_1d(x, w, m, v)
    ref = sum(wk * stats.norm.pdf(x, mk, np.sqrt(vk)) for wk, mk, vk in zip(w, m, v, strict=True))
    assert np.allclose(density, ref, rtol=1e-12, atol=1e-300)
    assert np.allclose(comps.sum(axis=1), density, rtol=1e-12, atol=1e-300)
    assert abs(np.trapezoid(density, x) - 1) < 1e-8


def test_mixture_density_zero_weight_component_is_exactly_zero():
    _, comps = mixture_density_1d(np.array([0.0, 1.0]), [1.0, 0.0], [0.0, 1.0], [1.0, 1.0])
    assert np.all(comps[:, 1] == 0) and np.all(np.isfinite(comps))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([0.5, 0.6], [0, 1], [1, 1]), "sum to 1"),
        (([0.5, 0.5], [0, 1], [1, -1]), "variances must be > 0"),
        (([0.5, 0.5], [0, 1, 2], [1, 1]), "same shape"),
        (([1.2, -0.2], [0, 1], [1, 1]), r"weights must lie in \[0, 1\]"),
    ],
)
def test_mixture_density_rejects_bad_parameters(args, match):
    with pytest.raises(ValueError, match=match):
        mixture_density_1d(np.zeros(3), *args)
