"""Silhouette against scikit-learn; BIC/AIC by formula and against GaussianMixture."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.mixture import metrics
from mixgrad.mixture.metrics import (
    aic,
    bic,
    gaussian_mixture_n_parameters,
    silhouette_samples,
    silhouette_score,
)
from scipy.spatial.distance import cdist
from sklearn import metrics as skm
from sklearn.mixture import GaussianMixture


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(3, 60),
    d=st.integers(1, 4),
    k=st.integers(2, 5),
)
def test_silhouette_matches_sklearn(seed, n, d, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + rng.integers(0, 3, size=(n, 1)) * 4.0
    labels = rng.integers(0, k, size=n)
    if not 2 <= np.unique(labels).size <= n - 1:
        labels[:2] = [0, 1]
        labels[2] = labels[1]
    # sklearn's "euclidean" uses |x|^2 - 2 x.y + |y|^2, which loses digits for
    # close points; with exact (cdist) distances precomputed, the silhouette
    # algorithms must agree to 1e-12, and with sklearn's own distances to 1e-9.
    exact = skm.silhouette_samples(cdist(X, X), labels, metric="precomputed")
    ours = silhouette_samples(X, labels)
    np.testing.assert_allclose(ours, exact, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours, skm.silhouette_samples(X, labels), rtol=1e-9, atol=1e-9)
    assert silhouette_score(X, labels) == pytest.approx(exact.mean(), rel=1e-12, abs=1e-12)


def test_silhouette_with_singletons_string_labels_and_other_metric(rng):
    X = rng.normal(size=(12, 2))
    labels = np.array(["a"] * 5 + ["b"] * 6 + ["c"])
    ours = silhouette_samples(X, labels)
    assert ours[-1] == 0.0
    exact = skm.silhouette_samples(cdist(X, X), labels, metric="precomputed")
    np.testing.assert_allclose(ours, exact, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        silhouette_samples(X, labels, metric="cityblock"),
        skm.silhouette_samples(X, labels, metric="manhattan"),
        rtol=1e-12,
        atol=1e-12,
    )


def test_silhouette_chunking_gives_the_same_answer(rng, monkeypatch):
    X = rng.normal(size=(50, 3))
    labels = rng.integers(0, 3, size=50)
    whole = silhouette_samples(X, labels)
    monkeypatch.setattr(metrics, "_CHUNK_ELEMENTS", 7 * 50)  # 7 rows per chunk
    np.testing.assert_allclose(silhouette_samples(X, labels), whole, rtol=1e-13, atol=1e-15)


def test_silhouette_of_well_separated_clusters_is_near_one(rng):
    X = np.concatenate([rng.normal(0, 0.01, (20, 2)), rng.normal(10, 0.01, (20, 2))])
    assert silhouette_score(X, [0] * 20 + [1] * 20) > 0.99


@pytest.mark.parametrize(
    ("X", "labels", "error", "match"),
    [
        (np.zeros((4, 2)), [0, 0, 0, 0], ValueError, "between 2 and n_samples - 1"),
        (np.zeros((3, 2)), [0, 1, 2], ValueError, "between 2 and n_samples - 1"),
        (np.zeros((4, 2)), [0, 1, 0], ValueError, r"labels must have shape \(n_samples,\)"),
        (np.zeros(4), [0, 1, 0, 1], ValueError, "X must have 2"),
        ([[np.nan, 0]] * 4, [0, 1, 0, 1], ValueError, "X contains NaN"),
    ],
)
def test_silhouette_bad_input(X, labels, error, match):
    with pytest.raises(error, match=match):
        silhouette_samples(X, labels)


@given(ll=st.floats(-1e6, 1e6), p=st.integers(0, 500), n=st.integers(1, 10**6))
def test_bic_aic_formulas(ll, p, n):
    assert bic(ll, p, n) == pytest.approx(-2 * ll + p * np.log(n))
    assert aic(ll, p) == pytest.approx(-2 * ll + 2 * p)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_criteria_match_sklearn_gaussian_mixture(rng, covariance_type):
    X = np.concatenate([rng.normal(0, 1, (60, 3)), rng.normal(5, 1, (60, 3))])
    gm = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    n_params = gaussian_mixture_n_parameters(2, 3, covariance_type)
    assert n_params == gm._n_parameters()
    ll = gm.score(X) * X.shape[0]
    assert bic(ll, n_params, X.shape[0]) == pytest.approx(gm.bic(X), rel=1e-12)
    assert aic(ll, n_params) == pytest.approx(gm.aic(X), rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: bic(np.nan, 3, 10), ValueError, "log_likelihood must be finite"),
        (lambda: bic("1", 3, 10), TypeError, "log_likelihood must be a real"),
        (lambda: bic(1.0, -1, 10), ValueError, "n_params must be >= 0"),
        (lambda: bic(1.0, 3, 0), ValueError, "n_samples must be >= 1"),
        (lambda: aic(1.0, 2.5), TypeError, "n_params must be an integer"),
        (lambda: gaussian_mixture_n_parameters(2, 3, "round"), ValueError, "covariance_type"),
        (lambda: gaussian_mixture_n_parameters(0, 3), ValueError, "n_components must be >= 1"),
    ],
)
def test_criteria_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_criteria_return_python_floats():
    """Regression: bic returned np.float64 (printed as 'np.float64(...)' in chapters)."""
    from mixgrad.mixture.metrics import aic, bic

    assert type(bic(-10.0, 3, 50)) is float
    assert type(aic(-10.0, 3)) is float
