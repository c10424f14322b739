"""Old Faithful against R's documented summary; generators against their truth."""

import numpy as np
import pytest
from mixgrad import datasets
from mixgrad.mixture.kmeans import kmeans
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

GENERATORS = [
    datasets.three_component_1d,
    datasets.two_component_1d,
    datasets.heights,
    datasets.anisotropic_blobs,
    datasets.varied_blobs,
    datasets.uneven_blobs,
]


def test_old_faithful_matches_r_summary():
    X = datasets.load_old_faithful()
    assert X.shape == (272, 2) and X.dtype == np.float64
    # R: summary(faithful) -- Min, 1st Qu., Median, Mean, 3rd Qu., Max.
    # R's default quantile (type 7) is numpy's default "linear" method.
    r_summary = {
        0: [1.600, 2.163, 4.000, 3.487783, 4.454, 5.100],
        1: [43.0, 58.0, 76.0, 70.89706, 82.0, 96.0],
    }
    for col, (mn, q1, med, mean, q3, mx) in r_summary.items():
        x = X[:, col]
        assert x.min() == mn and x.max() == mx and np.median(x) == med
        # R prints 7 significant digits: allow half a unit in the last one.
        half_ulp = 0.5 * 10.0 ** (np.floor(np.log10(mean)) - 6)
        assert abs(x.mean() - mean) <= half_ulp
        np.testing.assert_allclose(np.percentile(x, [25, 75]), [q1, q3], atol=5e-4)


def test_old_faithful_first_rows_and_columns():
    X = datasets.load_old_faithful()
    assert datasets.OLD_FAITHFUL_COLUMNS == ("eruptions", "waiting")
    # head(faithful) in R.
    np.testing.assert_array_equal(
        X[:6], [[3.6, 79], [1.8, 54], [3.333, 74], [2.283, 62], [4.533, 85], [2.883, 55]]
    )


@pytest.mark.parametrize("generator", GENERATORS)
def test_generators_are_reproducible_and_consistent(generator):
    X1, z1, truth = generator(rng=3)
    X2, z2, _ = generator(rng=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(z1, z2)
    k = truth["weights"].shape[0]
    assert truth["weights"].sum() == pytest.approx(1.0)
    assert truth["means"].shape[0] == k and truth["covariances"].shape[0] == k
    assert X1.shape[0] == z1.shape[0] and set(np.unique(z1)) <= set(range(k))
    # Component means within 5 standard errors (sqrt(variance / n_k)).
    for j in range(k):
        Xj = X1[z1 == j]
        var = truth["covariances"][j] if X1.ndim == 1 else np.diag(truth["covariances"][j])
        assert np.all(np.abs(Xj.mean(0) - truth["means"][j]) < 5 * np.sqrt(var / len(Xj)))


def test_seed003_three_component_parameters():
    x, z, truth = datasets.three_component_1d(rng=0)
    assert x.shape == (10_000,)
    np.testing.assert_allclose(truth["means"], [2, 5, 10])
    np.testing.assert_allclose(np.sqrt(truth["covariances"]), [0.6, 0.8, 0.5])
    np.testing.assert_allclose(truth["weights"], [0.4, 0.2, 0.4])


def test_anisotropic_truth_is_the_transformed_blob():
    T = datasets.ANISOTROPIC_TRANSFORM
    _, _, truth = datasets.anisotropic_blobs(rng=0)
    np.testing.assert_allclose(truth["covariances"][0], T.T @ np.eye(2) @ T)


@pytest.mark.parametrize(
    "generator", [datasets.anisotropic_blobs, datasets.varied_blobs, datasets.uneven_blobs]
)
def test_kmeans_fails_where_a_full_mixture_succeeds(generator):
    X, z, _ = generator(rng=1)
    km = kmeans(X, 3, n_init=3, rng=1)
    gm = GaussianMixture(3, n_init=2, random_state=1).fit(X)
    ari_km = adjusted_rand_score(z, km.labels)
    ari_gm = adjusted_rand_score(z, gm.predict(X))
    assert ari_km < 0.8
    assert ari_gm > ari_km + 0.15


def test_generator_bad_input():
    with pytest.raises(TypeError, match="rng must be"):
        datasets.heights(rng=None)
    with pytest.raises(ValueError, match="n must be >= 0"):
        datasets.varied_blobs(-5, rng=0)
    with pytest.raises(ValueError, match="weights must sum to 1"):
        datasets.mixture_1d(10, [0.5, 0.6], [0, 1], [1, 1], rng=0)
    with pytest.raises(ValueError, match="positive variances"):
        datasets.mixture_1d(10, [0.5, 0.5], [0, 1], [1, 0], rng=0)
