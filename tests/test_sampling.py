"""Ancestral sampling: empirical moments within tolerances derived from n."""

import numpy as np
import pytest
from mixgrad.mixture.sampling import sample_gaussian, sample_mixture
from scipy import stats

Z = 5.0  # number of standard errors allowed in every statistical check


def _assert_moments(X, mean, cov):
    """Sample mean and covariance within Z standard errors of the truth.

    Standard errors: sqrt(S_jj / n) for a mean; for a covariance entry,
    Var(S_ij) = (S_ij^2 + S_ii S_jj) / (n - 1) (Gaussian data).
    """
    n = X.shape[0]
    np.testing.assert_array_less(np.abs(X.mean(0) - mean), Z * np.sqrt(np.diag(cov) / n))
    S = np.cov(X, rowvar=False).reshape(cov.shape)
    se = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / (n - 1))
    np.testing.assert_array_less(np.abs(S - cov), Z * se)


def _random_spd(rng, d):
    A = rng.normal(size=(d, d))
    return A @ A.T + 0.5 * np.eye(d)


@pytest.mark.parametrize("d", [1, 2, 4])
def test_mixture_full_covariances_match_weights_and_moments(rng, d):
    k, n = 3, 20_000
    weights = np.array([0.5, 0.3, 0.2])
    means = rng.normal(scale=5, size=(k, d))
    covs = np.stack([_random_spd(rng, d) for _ in range(k)])
    X, z = sample_mixture(n, weights, means, covs, rng=rng)
    assert X.shape == (n, d) and z.shape == (n,)
    counts = np.bincount(z, minlength=k)
    np.testing.assert_array_less(
        np.abs(counts / n - weights), Z * np.sqrt(weights * (1 - weights) / n)
    )
    for j in range(k):
        _assert_moments(X[z == j], means[j], covs[j])


@pytest.mark.parametrize("covariance_type", ["tied", "diag", "spherical"])
def test_mixture_other_covariance_types(rng, covariance_type):
    k, d, n = 2, 3, 20_000
    weights = np.array([0.4, 0.6])
    means = np.array([[0.0, 0.0, 0.0], [4.0, -2.0, 1.0]])
    given = {
        "tied": _random_spd(rng, d),
        "diag": np.array([[0.5, 1.0, 2.0], [3.0, 0.2, 1.0]]),
        "spherical": np.array([0.7, 2.5]),
    }[covariance_type]
    if covariance_type == "tied":
        full = np.stack([given, given])
    elif covariance_type == "diag":
        full = np.stack([np.diag(v) for v in given])
    else:
        full = np.stack([v * np.eye(d) for v in given])
    X, z = sample_mixture(n, weights, means, given, covariance_type=covariance_type, rng=rng)
    for j in range(k):
        _assert_moments(X[z == j], means[j], full[j])


def test_univariate_mixture_passes_ks_test_against_mixture_cdf(rng):
    # Seed 003's three-component example (variances = sigma ** 2).
    weights, means, sigmas = (
        np.array([0.4, 0.2, 0.4]),
        np.array([2.0, 5, 10]),
        np.array([0.6, 0.8, 0.5]),
    )
    x, z = sample_mixture(10_000, weights, means, sigmas**2, rng=rng)
    assert x.shape == (10_000,)

    def cdf(t):
        return (weights * stats.norm.cdf((np.asarray(t)[:, None] - means) / sigmas)).sum(1)

    assert stats.kstest(x, cdf).pvalue > 1e-3
    for j in range(3):
        xj = x[z == j]
        assert abs(xj.mean() - means[j]) < Z * sigmas[j] / np.sqrt(xj.size)


def test_sample_gaussian_forms(rng):
    n = 20_000
    x = sample_gaussian(n, 1.5, 4.0, rng=rng)
    assert x.shape == (n,)
    assert abs(x.mean() - 1.5) < Z * 2 / np.sqrt(n)
    mean = np.array([1.0, -1.0, 0.5])
    cov = _random_spd(rng, 3)
    _assert_moments(sample_gaussian(n, mean, cov, rng=rng), mean, cov)
    _assert_moments(sample_gaussian(n, mean, [1.0, 2.0, 3.0], rng=rng), mean, np.diag([1.0, 2, 3]))
    _assert_moments(sample_gaussian(n, mean, 2.0, rng=rng), mean, 2.0 * np.eye(3))


def test_same_seed_same_sample():
    args = (50, [0.5, 0.5], [[0.0, 0.0], [3.0, 3.0]], np.stack([np.eye(2)] * 2))
    X1, z1 = sample_mixture(*args, rng=7)
    X2, z2 = sample_mixture(*args, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(z1, z2)


def test_zero_samples():
    X, z = sample_mixture(0, [1.0], [[0.0, 0.0]], [np.eye(2)], rng=0)
    assert X.shape == (0, 2) and z.shape == (0,)


GOOD = {"n": 10, "weights": [0.5, 0.5], "means": [[0.0, 0.0], [1.0, 1.0]]}
EYE2 = np.stack([np.eye(2)] * 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"weights": [0.5, 0.6]}, ValueError, "weights must sum to 1"),
        ({"weights": [1.5, -0.5]}, ValueError, r"weights must lie in \[0, 1\]"),
        ({"weights": [1.0]}, ValueError, r"weights must have shape \(2,\)"),
        ({"weights": [np.nan, 0.5]}, ValueError, "weights contains NaN"),
        ({"n": -1}, ValueError, "n must be >= 0"),
        ({"n": 2.0}, TypeError, "n must be an integer"),
        ({"means": np.zeros((2, 2, 2))}, ValueError, "means must have 1 or 2"),
        ({"covariances": np.eye(2)}, ValueError, r"covariances must have shape \(2, 2, 2\)"),
        ({"covariances": np.zeros((2, 3, 3))}, ValueError, "covariances must have shape"),
        ({"covariances": np.stack([np.eye(2), -np.eye(2)])}, ValueError, "positive definite"),
        ({"covariances": np.stack([np.eye(2), [[1, 2], [0, 1]]])}, ValueError, "symmetric"),
        ({"covariance_type": "full-ish"}, ValueError, "covariance_type must be one of"),
        ({"covariance_type": "spherical", "covariances": [1.0, 0.0]}, ValueError, "positive"),
        ({"means": [0.0, 1.0], "covariances": [1.0, -1.0]}, ValueError, "positive variances"),
        ({"rng": None}, TypeError, "rng must be"),
    ],
)
def test_sample_mixture_bad_input(kwargs, error, match):
    args = GOOD | {"covariances": EYE2, "rng": 0} | kwargs
    with pytest.raises(error, match=match):
        sample_mixture(
            args.pop("n"), args.pop("weights"), args.pop("means"), args.pop("covariances"), **args
        )


@pytest.mark.parametrize(
    ("mean", "cov", "match"),
    [
        (0.0, -1.0, "positive scalar variance"),
        ([0.0, 0.0], [[1.0, 0.0]], r"covariance must have shape \(2, 2\)"),
        ([0.0, 0.0], [1.0, 0.0], "positive"),
        ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
        ([np.inf, 0.0], 1.0, "mean contains infinite"),
    ],
)
def test_sample_gaussian_bad_input(mean, cov, match):
    with pytest.raises(ValueError, match=match):
        sample_gaussian(5, mean, cov, rng=0)
