"""GaussianMixture behaves as sklearn.mixture.GaussianMixture where the two used to differ.

One test per semantic change of issue 12, each against scikit-learn itself:
``fit`` ignores ``y``, ``max_iter=0``, float32 dtypes, the float32 tolerance of
``weights_init``, ``warm_start`` with a changed model (a clear error, where
scikit-learn is silently wrong), data in their own units (the collapse floor),
and ``ConvergenceWarning`` filters.
"""

import warnings

import numpy as np
import pytest
import sklearn.exceptions
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture import GaussianMixture
from mixgrad.mixture.covariance import COVARIANCE_TYPES
from sklearn.mixture import GaussianMixture as SkGaussianMixture

FITTED = ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_")


def three_clusters(rng, n=(100, 150, 50)):
    """Well separated clusters: k-means finds the same partition in both libraries."""
    centers = np.array([[0.0, 0.0], [8.0, 8.0], [0.0, 8.0]])
    blocks = [c + rng.standard_normal((m, 2)) for c, m in zip(centers, n, strict=True)]
    return np.concatenate(blocks)


def by_means(model):
    """Component order sorted by the means (the libraries' k-means label clusters differently)."""
    return np.lexsort(model.means_.T[::-1])


def assert_same_fit(ours, sk, rtol):
    po, ps = by_means(ours), by_means(sk)
    for name in FITTED:
        a, b = getattr(ours, name), getattr(sk, name)
        if name in ("weights_", "means_") or ours.covariance_type != "tied":
            a, b = a[po], b[ps]
        # relative to the array's scale (an off-diagonal near 0 has no relative precision)
        np.testing.assert_allclose(a, b, rtol=0, atol=rtol * np.abs(b).max(), err_msg=name)


# --- fit(X, y) ignores y -------------------------------------------------------------


def test_fit_ignores_y_as_sklearn_does(rng):
    X = three_clusters(rng)
    y = np.repeat([0, 1, 2], [100, 150, 50])[::-1]  # class labels that fit range(3)
    plain = GaussianMixture(3, random_state=0).fit(X)
    for labels in (y, np.full(len(X), -1), np.array(["a", "b"] * 150)):
        with_y = GaussianMixture(3, random_state=0).fit(X, labels)
        for name in FITTED:
            np.testing.assert_array_equal(getattr(with_y, name), getattr(plain, name))
        np.testing.assert_array_equal(GaussianMixture(3, random_state=0).fit_predict(X, labels),
                                      plain.predict(X))


# --- max_iter=0: initialise only ------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_max_iter_zero_initialises_only_like_sklearn(rng, covariance_type):
    X = three_clusters(rng)
    kwargs = {"covariance_type": covariance_type, "max_iter": 0, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning from either
        ours = GaussianMixture(3, **kwargs).fit(X)
        sk = SkGaussianMixture(3, **kwargs).fit(X)
    assert_same_fit(ours, sk, rtol=1e-10)  # the k-means start, one M-step
    assert (ours.n_iter_, ours.converged_, ours.lower_bounds_) == \
        (sk.n_iter_, sk.converged_, sk.lower_bounds_) == (0, False, [])
    assert ours.lower_bound_ == sk.lower_bound_ == -np.inf
    np.testing.assert_allclose(ours.score_samples(X), sk.score_samples(X), rtol=1e-10)
    # the start is the one a max_iter=1 run begins from
    one = GaussianMixture(3, covariance_type=covariance_type, max_iter=1, random_state=0,
                          keep_snapshots=True)
    with pytest.warns(ConvergenceWarning):
        one.fit(X)
    np.testing.assert_array_equal(ours.means_, one.snapshots_[0]["means"])


def test_max_iter_zero_with_a_full_start_returns_the_start(rng):
    """scikit-learn raises AttributeError here (no covariances_); mixgrad returns the start."""
    X = three_clusters(rng)
    precisions = np.stack([np.eye(2), 2 * np.eye(2), 4 * np.eye(2)])
    gm = GaussianMixture(3, max_iter=0, weights_init=[0.2, 0.3, 0.5],
                         means_init=[[0, 0], [8, 8], [0, 8]], precisions_init=precisions).fit(X)
    np.testing.assert_allclose(gm.covariances_, np.linalg.inv(precisions), rtol=1e-12)
    np.testing.assert_allclose(gm.weights_, [0.2, 0.3, 0.5])


# --- float32 stays float32 ------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_dtypes_match_sklearn(rng, covariance_type):
    X32 = three_clusters(rng).astype(np.float32)
    ours = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X32)
    sk = SkGaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X32)
    for name in FITTED:
        assert getattr(ours, name).dtype == getattr(sk, name).dtype == np.float32, name
    for method in ("predict_proba", "score_samples"):
        for X in (X32, X32.astype(np.float64)):
            a, b = getattr(ours, method)(X), getattr(sk, method)(X)
            assert a.dtype == b.dtype == X.dtype, (method, X.dtype)
    # the same optimum, to float32 precision (mixgrad computes in float64 inside)
    assert_same_fit(ours, sk, rtol=1e-4)
    np.testing.assert_allclose(ours.score_samples(X32), sk.score_samples(X32), rtol=1e-4)


def test_float32_weights_init_within_float32_rounding_is_accepted(rng):
    X = three_clusters(rng, n=(20, 20, 20))[:40]
    w64 = np.array([0.5, 0.5 - 5e-8])  # sum 1 - 5e-8: beyond the float64 tolerance 1e-8
    w32 = w64.astype(np.float32)  # 1 - 6e-8 in float32: within its rounding (1e-6)
    assert 1e-8 < abs(1.0 - float(w32.sum())) < 1e-6
    sk = SkGaussianMixture(2, weights_init=w32, max_iter=0, random_state=0).fit(X)
    ours = GaussianMixture(2, weights_init=w32, max_iter=0, random_state=0).fit(X)
    np.testing.assert_allclose(ours.weights_, sk.weights_, rtol=1e-7)
    for weights in (w64, w32.astype(np.float64)):  # the dtype decides the tolerance
        with pytest.raises(ValueError, match="should be normalized"):
            SkGaussianMixture(2, weights_init=weights).fit(X)
        with pytest.raises(ValueError, match="weights_init must sum to 1"):
            GaussianMixture(2, weights_init=weights).fit(X)


# --- warm_start with a changed model: a clear error ------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_with_another_model_is_a_clear_error(rng):
    X = three_clusters(rng)
    gm = GaussianMixture(2, warm_start=True, max_iter=2, random_state=0).fit(X)
    gm.set_params(n_components=3)
    with pytest.raises(ValueError, match=r"warm_start=True continues the previous fit, which "
                                         r"has 2 components, 2 features .* this fit needs 3 "
                                         r"components.* Set warm_start=False"):
        gm.fit(X)
    gm.set_params(n_components=2, covariance_type="diag")
    with pytest.raises(ValueError, match=r"covariances of shape \(2, 2, 2\); this fit needs .*"
                                         r"covariance_type='diag'"):
        gm.fit(X)
    with pytest.raises(ValueError, match="this fit needs 2 components, 1 features"):
        gm.set_params(covariance_type="full").fit(X[:, :1])
    gm.set_params(warm_start=False, n_components=3).fit(X)  # the advice works
    assert gm.means_.shape == (3, 2)


# --- data in their own units -----------------------------------------------------------


def dollars(rng):
    """150 exact zeros and 350 amounts of about e^12 = 160 000 dollars."""
    return np.concatenate([np.zeros(150), rng.lognormal(12.0, 0.3, size=350)])[:, None]


@pytest.mark.parametrize("scale", [1.0, 1e-3])
def test_zeros_among_dollars_fit_as_in_sklearn_in_any_units(rng, scale):
    X = dollars(rng) * scale  # scale=1e-3: the same amounts in thousands
    ours = GaussianMixture(2, random_state=0).fit(X)
    sk = SkGaussianMixture(2, random_state=0).fit(X)
    assert ours.converged_ and sk.converged_
    assert_same_fit(ours, sk, rtol=1e-6)
    assert ours.lower_bound_ == pytest.approx(sk.lower_bound_, rel=1e-9)
    zero = np.argmin(ours.means_[:, 0])
    assert ours.weights_[zero] == pytest.approx(0.3)  # the 150 zeros, one component
    assert ours.covariances_[zero, 0, 0] == pytest.approx(ours.reg_covar)  # variance 0 + reg_covar
    np.testing.assert_array_equal(ours.predict(X[:150]), zero)


# --- ConvergenceWarning: scikit-learn's filters work -----------------------------------


def test_users_sklearn_convergence_filters_catch_ours(rng):
    X = three_clusters(rng)
    assert issubclass(ConvergenceWarning, sklearn.exceptions.ConvergenceWarning)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=sklearn.exceptions.ConvergenceWarning)
        with pytest.raises(sklearn.exceptions.ConvergenceWarning, match="did not converge"):
            GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=sklearn.exceptions.ConvergenceWarning)
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    assert caught == []
