"""k-means: against scikit-learn's Lloyd from the same centres, monotone cost."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.kmeans import inertia, kmeans, kmeans_plusplus, squared_distances
from sklearn.cluster import KMeans


def _blobs(rng, n=300, d=2, k=3, spread=4.0):
    centers = rng.normal(scale=spread, size=(k, d))
    z = rng.integers(k, size=n)
    return centers[z] + rng.normal(size=(n, d))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("d", "k"), [(1, 2), (2, 3), (5, 4), (3, 7)])
def test_matches_sklearn_lloyd_from_same_centres(seed, d, k):
    rng = np.random.default_rng(seed)
    X = _blobs(rng, n=200, d=d, k=k, spread=2.0)
    init = X[rng.choice(len(X), size=k, replace=False)]
    ours = kmeans(X, k, init=init, rng=0)
    ref = KMeans(k, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(X)
    np.testing.assert_array_equal(ours.labels, ref.labels_)
    np.testing.assert_allclose(ours.centers, ref.cluster_centers_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.inertia, ref.inertia_, rtol=1e-10)
    assert ours.n_iter == ref.n_iter_


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 6), d=st.integers(1, 4))
def test_history_is_monotone_and_ends_at_inertia(seed, k, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, d))
    res = kmeans(X, k, init="random", tol=0.0, rng=rng)
    assert res.history.shape == (res.n_iter,)
    assert np.all(np.diff(res.history) <= 1e-12 * res.history[0] + 1e-12)
    assert res.inertia <= res.history[-1] * (1 + 1e-12) + 1e-12
    np.testing.assert_allclose(res.inertia, inertia(X, res.centers, res.labels))


def test_result_is_a_lloyd_fixed_point(rng):
    X = _blobs(rng)
    res = kmeans(X, 3, n_init=3, rng=rng)
    assert res.converged
    d2 = squared_distances(X, res.centers)
    np.testing.assert_array_equal(res.labels, np.argmin(d2, axis=1))
    for j in range(3):
        np.testing.assert_allclose(res.centers[j], X[res.labels == j].mean(axis=0))


def test_restarts_keep_the_best_run(rng):
    X = _blobs(rng, k=6, spread=3.0)
    res = kmeans(X, 6, init="random", n_init=8, rng=rng)
    assert res.restart_inertias.shape == (8,)
    assert res.inertia == pytest.approx(res.restart_inertias.min())


def test_seeded_runs_are_reproducible():
    X = _blobs(np.random.default_rng(3))
    a = kmeans(X, 3, n_init=2, rng=np.random.default_rng(9))
    b = kmeans(X, 3, n_init=2, rng=9)
    np.testing.assert_array_equal(a.centers, b.centers)


def test_squared_distances_matches_direct_difference(rng):
    X = rng.normal(size=(50, 3))
    C = rng.normal(size=(4, 3))
    direct = ((X[:, None, :] - C[None]) ** 2).sum(-1)
    np.testing.assert_allclose(squared_distances(X, C), direct, rtol=1e-12, atol=1e-12)


def test_kmeans_plusplus_picks_distinct_data_points_one_per_far_blob(rng):
    # Three tight blobs 100 apart: k-means++ puts one centre in each.
    means = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    X = np.repeat(means, 50, axis=0) + 0.01 * rng.normal(size=(150, 2))
    centers = kmeans_plusplus(X, 3, rng=rng)
    assert centers.shape == (3, 2)
    assert all((X == c).all(axis=1).any() for c in centers)
    nearest = np.argmin(squared_distances(centers, means), axis=1)
    assert sorted(nearest) == [0, 1, 2]


def test_kmeans_plusplus_with_duplicate_points_still_returns_k_centres(rng):
    X = np.zeros((10, 2))
    assert kmeans_plusplus(X, 4, rng=rng).shape == (4, 2)


def test_empty_cluster_is_relocated(rng):
    X = np.concatenate([rng.normal(size=(30, 2)), rng.normal(size=(30, 2)) + 10])
    # Third centre far from everything: empty after the first assignment.
    init = np.array([[0.0, 0.0], [10.0, 10.0], [1e3, 1e3]])
    res = kmeans(X, 3, init=init, rng=0)
    assert np.bincount(res.labels, minlength=3).min() >= 1
    assert np.all(np.isfinite(res.centers))


def test_warns_when_max_iter_reached(rng):
    X = _blobs(rng, k=5, spread=1.0)
    init = X[:5]
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        res = kmeans(X, 5, init=init, max_iter=1, tol=0.0, rng=0)
    assert not res.converged


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.zeros(5)}, ValueError, "X must have 2"),
        ({"X": [[np.nan, 1.0]] * 3}, ValueError, "X contains NaN"),
        ({"X": "abc"}, TypeError, "X must be a numeric"),
        ({"n_clusters": 11}, ValueError, "n_clusters=11 exceeds"),
        ({"n_clusters": 0}, ValueError, "n_clusters must be >= 1"),
        ({"n_clusters": 2.5}, TypeError, "n_clusters must be an integer"),
        ({"init": "kmeans"}, ValueError, "init must be"),
        ({"init": np.zeros((3, 2))}, ValueError, r"init must have shape"),
        ({"init": np.zeros((2, 2)), "n_init": 3}, ValueError, "n_init must be 1"),
        ({"n_init": 0}, ValueError, "n_init must be >= 1"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"rng": None}, TypeError, "rng must be"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {"X": np.arange(20.0).reshape(10, 2), "n_clusters": 2, "rng": 0} | kwargs
    with pytest.raises(error, match=match):
        kmeans(args.pop("X"), args.pop("n_clusters"), **args)


def test_kmeans_plusplus_bad_input():
    with pytest.raises(ValueError, match="n_clusters=5 exceeds"):
        kmeans_plusplus(np.zeros((3, 2)), 5, rng=0)
    with pytest.raises(ValueError, match="n_local_trials must be >= 1"):
        kmeans_plusplus(np.zeros((3, 2)), 2, rng=0, n_local_trials=0)


def test_relocation_that_empties_a_singleton_cluster_stays_finite():
    # Regression: the farthest sample (100) is the only member of its cluster;
    # moving it to the empty cluster must not leave a 0/0 centre behind.
    X = np.array([[0.0], [0.0], [0.0], [100.0]])
    res = kmeans(X, 3, init=np.array([[0.0], [0.0], [50.0]]), rng=0)
    assert np.all(np.isfinite(res.centers))
    assert res.inertia == 0.0
