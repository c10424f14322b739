"""GaussianMixture: initialisation, prediction, model choice and bad input."""

import numpy as np
import pytest
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture import GaussianMixture
from mixgrad.mixture.covariance import (
    COVARIANCE_TYPES,
)
from mixgrad.mixture.kmeans import kmeans
from mixgrad.mixture.stats import StatsEM
from sklearn.exceptions import NotFittedError
from sklearn.mixture import GaussianMixture as SkGaussianMixture

quiet = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::mixgrad.exceptions.ConvergenceWarning",
)


def blobs(rng, n=300, d=2, k=3, spread=5.0):
    centers = rng.uniform(-spread, spread, size=(k, d))
    z = rng.integers(k, size=n)
    return centers[z] + rng.standard_normal((n, d)) @ rng.uniform(0.3, 1.0, size=(d, d)), z


def sklearn_with_params(ours):
    """A scikit-learn GaussianMixture carrying exactly our fitted parameters."""
    sk = SkGaussianMixture(ours.n_components, covariance_type=ours.covariance_type)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_",
                 "n_features_in_", "converged_", "n_iter_", "lower_bound_"):
        setattr(sk, name, getattr(ours, name))
    return sk


# --- prediction and model choice against scikit-learn ------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_predictions_and_criteria_match_sklearn_on_same_parameters(rng, covariance_type):
    X, _ = blobs(rng, d=3)
    X_new, _ = blobs(rng, n=50, d=3)
    ours = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    sk = sklearn_with_params(ours)
    np.testing.assert_allclose(ours.score_samples(X_new), sk.score_samples(X_new), rtol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X_new), sk.predict_proba(X_new),
                               rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(ours.predict(X_new), sk.predict(X_new))
    assert ours.score(X_new) == pytest.approx(sk.score(X_new), rel=1e-12)
    assert ours.bic(X) == pytest.approx(sk.bic(X), rel=1e-12)
    assert ours.aic(X) == pytest.approx(sk.aic(X), rel=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(ours.fit_predict(X), ours.predict(X))


@quiet
def test_empty_component_stays_finite_like_sklearn(rng):
    X, _ = blobs(rng, n=100)
    init = {"weights_init": [0.4, 0.4, 0.2],
            "means_init": [[-1.0, -1.0], [1.0, 1.0], [1e4, 1e4]],
            "precisions_init": np.repeat(np.eye(2)[None], 3, axis=0)}
    ours = GaussianMixture(3, max_iter=2, tol=0, **init).fit(X)
    sk = SkGaussianMixture(3, max_iter=2, tol=0, **init).fit(X)
    assert np.all(np.isfinite(ours.covariances_)) and ours.weights_[2] < 1e-10
    np.testing.assert_allclose(ours.means_, sk.means_, rtol=1e-10, atol=1e-12)
    # (our responsibilities stop at e^-700 ~ 1e-304 instead of underflowing to 0)
    np.testing.assert_allclose(ours.covariances_, sk.covariances_, rtol=1e-10, atol=1e-250)


# --- initialisation -----------------------------------------------------------------------


@quiet
def test_kmeans_init_starts_from_the_kmeans_clusters(rng):
    X, _ = blobs(rng)
    gm = GaussianMixture(3, max_iter=1, keep_snapshots=True, random_state=7).fit(X)
    km = kmeans(X, 3, rng=np.random.default_rng(7))
    means0 = gm.snapshots_[0]["means"]
    np.testing.assert_allclose(means0, [X[km.labels == j].mean(axis=0) for j in range(3)],
                               rtol=1e-10)


@quiet
@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_seeding_inits_start_on_data_points(rng, init_params):
    X, _ = blobs(rng)
    gm = GaussianMixture(3, init_params=init_params, max_iter=1, keep_snapshots=True,
                         random_state=3).fit(X)
    means0 = gm.snapshots_[0]["means"]
    # each mean is one sample (up to the 10 eps added to the component counts)
    nearest = np.min(np.abs(X[None] - means0[:, None]).max(axis=2), axis=1)
    assert np.all(nearest <= 1e-12 * np.abs(X).max())
    expected = np.broadcast_to(1e-6 * np.eye(2), (3, 2, 2))  # zero scatter + reg_covar
    np.testing.assert_allclose(gm.snapshots_[0]["covariances"], expected, atol=1e-20)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "random_from_data"])
def test_every_init_is_reproducible_and_fits(rng, init_params):
    X, _ = blobs(rng)
    a = GaussianMixture(3, init_params=init_params, random_state=1, max_iter=300).fit(X)
    b = GaussianMixture(3, init_params=init_params, random_state=1, max_iter=300).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    assert a.converged_ and np.isfinite(a.lower_bound_)
    gen = GaussianMixture(3, init_params=init_params, max_iter=300,
                          random_state=np.random.default_rng(1)).fit(X)
    assert np.isfinite(gen.lower_bound_)


def test_n_init_keeps_the_best_run(rng):
    X, _ = blobs(rng, k=4)
    one = GaussianMixture(4, init_params="random", random_state=5).fit(X)
    many = GaussianMixture(4, init_params="random", random_state=5, n_init=4).fit(X)
    assert many.lower_bound_ >= one.lower_bound_


@quiet
def test_warm_start_continues_where_it_left_off(rng):
    X, _ = blobs(rng)
    once = GaussianMixture(3, tol=0, max_iter=8, random_state=2).fit(X)
    warm = GaussianMixture(3, tol=0, max_iter=4, random_state=2, warm_start=True)
    warm.fit(X)
    warm.fit(X)
    np.testing.assert_allclose(warm.means_, once.means_, rtol=1e-12)
    assert warm.n_iter_ == 4


# --- labels: GaussianMixture ignores y; labelled fits are GaussianMixtureClassifier's
# (tests/test_mixture_classifier.py, tests/test_mixture_sklearn_semantics.py)


# --- history, snapshots, verbose, warnings --------------------------------------------------


@quiet
def test_history_and_snapshots_shapes(rng):
    X, _ = blobs(rng)
    gm = GaussianMixture(3, max_iter=7, tol=0, keep_snapshots=True, random_state=0).fit(X)
    assert gm.history_.n_iter == 7 and len(gm.snapshots_) == 8
    assert set(gm.history_.as_dict()) == {"log_likelihood", "elbo_e_step", "elbo_m_step", "kl"}
    np.testing.assert_allclose(gm.history_.elbo_e_step, gm.lower_bounds_)
    np.testing.assert_allclose(gm.history_.elbo_e_step[1:], gm.history_.log_likelihood[:-1],
                               rtol=1e-12)
    bare = GaussianMixture(3, record_history=False, random_state=0).fit(X)
    assert bare.history_ is None and bare.snapshots_ is None


def test_verbose_prints_progress(rng, capsys):
    X, _ = blobs(rng)
    GaussianMixture(3, verbose=1, verbose_interval=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "Initialization 0" in out and "  Iteration 1" in out and "converged" in out
    GaussianMixture(3, verbose=2, verbose_interval=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "log-likelihood" in out and "ELBO after M-step" in out and "time lapse" in out


def test_convergence_warning(rng):
    X, _ = blobs(rng)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=1"):
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)


# --- sampling ----------------------------------------------------------------------------------


def test_sample_is_reproducible_and_follows_the_fit(rng):
    X, _ = blobs(rng)
    gm = GaussianMixture(2, covariance_type="diag", random_state=0).fit(X)
    a, ya = gm.sample(20000)
    b, _ = gm.sample(20000)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (20000, 2) and set(np.unique(ya)) <= {0, 1}
    # the sample mean of a mixture is sum_k pi_k mu_k (tolerance: ~5 standard errors)
    np.testing.assert_allclose(a.mean(axis=0), gm.weights_ @ gm.means_, atol=0.15)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        gm.sample(0)
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        gm.sample(2.5)


# --- the fast path's block machinery -------------------------------------------------------


@quiet
def test_stats_engine_block_size_does_not_matter(rng):
    X, _ = blobs(rng, n=1000, d=3)
    params = GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    start = (params.weights_, params.means_, params.covariances_, params.precisions_cholesky_)
    small = StatsEM(X, 3, "full", 1e-6, block_size=37).step(start)[0]
    large = StatsEM(X, 3, "full", 1e-6, block_size=4096).step(start)[0]
    # summation order differs with the block size: agreement to rounding relative to each
    # array's scale (an entry near 0 of a Cholesky factor carries its column's rounding)
    for a, b in zip(small, large, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max())


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"n_components": 0}, ValueError, "n_components must be >= 1"),
        ({"n_components": 2.5}, TypeError, "n_components must be an integer"),
        ({"covariance_type": "round"}, ValueError, "covariance_type must be one of"),
        ({"tol": -1.0}, ValueError, "tol must be finite and >= 0"),
        ({"reg_covar": -1e-6}, ValueError, "reg_covar must be finite and >= 0"),
        ({"max_iter": -1}, ValueError, "max_iter must be >= 0"),
        ({"n_init": 0}, ValueError, "n_init must be >= 1"),
        ({"init_params": "kmeans++"}, ValueError, "init_params must be one of"),
        ({"solver": "fast"}, ValueError, "solver must be one of"),
        ({"warm_start": "yes"}, TypeError, "warm_start must be True or False"),
        ({"verbose": -1}, ValueError, "verbose must be >= 0"),
        ({"random_state": "seed"}, TypeError, "random_state must be None, an int seed"),
        ({"weights_init": [0.5, 0.6]}, ValueError, "weights_init must sum to 1"),
        ({"weights_init": [1.5, -0.5]}, ValueError, r"weights_init must lie in \[0, 1\]"),
        ({"weights_init": [1.0]}, ValueError, r"weights_init must have shape \(2,\)"),
        ({"means_init": [[0.0, 0.0]]}, ValueError, r"means_init must have shape \(2, 2\)"),
        ({"means_init": [[0.0], [1.0]]}, ValueError, "means_init must have 2 columns"),
        ({"precisions_init": [[[1.0, 2.0], [2.0, 1.0]]] * 2}, ValueError,
         "precisions_init must be symmetric positive definite"),
        ({"precisions_init": np.eye(2)}, ValueError,
         r"precisions_init must have shape \(2, 2, 2\)"),
        ({"covariance_type": "diag", "precisions_init": [[1.0, -1.0], [1.0, 1.0]]}, ValueError,
         "precisions_init must be positive"),
    ],
)
def test_bad_parameters(rng, params, exc, match):
    X, _ = blobs(rng, n=20)
    with pytest.raises(exc, match=match):
        GaussianMixture(2, **params).fit(X) if "n_components" not in params else \
            GaussianMixture(**params).fit(X)


def test_bad_data(rng):
    X, _ = blobs(rng, n=20)
    with pytest.raises(ValueError, match="n_samples=20 is smaller than n_components=21"):
        GaussianMixture(21).fit(X)
    with pytest.raises(ValueError, match="Expected 2D array"):
        GaussianMixture(2).fit(X[:, 0])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        GaussianMixture(2).fit(np.where(X > 1, np.nan, X))
    with pytest.raises(ValueError, match="Input X contains infinity"):
        GaussianMixture(2).fit(np.where(X > 1, np.inf, X))
    gm = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is expecting 2"):
        gm.predict(np.zeros((3, 3)))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "score_samples", "bic",
                                    "aic"])
def test_use_before_fit_raises_not_fitted(rng, method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(GaussianMixture(2), method)(rng.standard_normal((5, 2)))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        GaussianMixture(2).sample(3)
