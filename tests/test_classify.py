"""Tests for mixgrad.mixture.classify (generative classifiers, missing features)."""

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.mixture import GaussianMixture, GaussianMixtureClassifier
from mixgrad.mixture.classify import (
    LearningCurve,
    accuracy_vs_training_size,
    class_log_joint,
    linear_discriminants,
    mask_features,
    predict_missing,
    predict_proba_missing,
)
from scipy.stats import multivariate_normal
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture as SkGaussianMixture


def _labelled(rng, n=300, d=3, k=3):
    means = 3 * rng.normal(size=(k, d))
    y = rng.integers(0, k, size=n)
    y[:k] = np.arange(k)
    A = rng.normal(size=(k, d, d)) / np.sqrt(d)
    X = means[y] + np.einsum("nij,nj->ni", A[y] + np.eye(d), rng.normal(size=(n, d)))
    return X, y


@pytest.fixture(params=["full", "tied", "diag", "spherical"])
def fitted(request, rng):
    X, y = _labelled(rng)
    return GaussianMixtureClassifier(covariance_type=request.param).fit(X, y), X, y


def _full(model):
    k, d = model.means_.shape
    cov = model.covariances_
    expand = {"full": lambda: cov, "tied": lambda: np.broadcast_to(cov, (k, d, d)),
              "diag": lambda: cov[:, :, None] * np.eye(d),
              "spherical": lambda: cov[:, None, None] * np.eye(d)}
    return expand[model.covariance_type]()


# --- Bayes' rule with missing features --------------------------------------------


def test_no_missing_equals_predict_proba(fitted):
    model, X, _ = fitted
    np.testing.assert_allclose(predict_proba_missing(model, X), model.predict_proba(X),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(predict_missing(model, X), model.predict(X))


def test_predict_missing_returns_the_classes_labels(rng):
    X, y = _labelled(rng)
    names = np.array(["cat", "dog", "emu"])[y]
    model = GaussianMixtureClassifier().fit(X, names)
    X_missing = mask_features(X, 0.3, rng=rng)
    predicted = predict_missing(model, X_missing)
    codes = np.argmax(predict_proba_missing(model, X_missing), axis=1)
    np.testing.assert_array_equal(predicted, model.classes_[codes])
    np.testing.assert_array_equal(predict_missing(model, X), model.predict(X))
    assert set(predicted) <= {"cat", "dog", "emu"}
    density = GaussianMixture(3, random_state=0).fit(X)  # no classes_: component indices
    np.testing.assert_array_equal(predict_missing(density, X), density.predict(X))


def test_marginal_matches_scipy_on_observed_coordinates(fitted, rng):
    model, X, _ = fitted
    X_gap = mask_features(X[:40], 0.4, rng=rng)
    log_joint = class_log_joint(model, X_gap)
    cov = _full(model)
    for i in range(X_gap.shape[0]):
        o = np.flatnonzero(~np.isnan(X_gap[i]))
        for c in range(3):
            ref = np.log(model.weights_[c])
            if o.size:
                ref += multivariate_normal(model.means_[c, o], cov[c][np.ix_(o, o)]).logpdf(
                    X_gap[i, o])
            assert log_joint[i, c] == pytest.approx(ref, rel=1e-9, abs=1e-9)


def test_all_missing_gives_the_priors(fitted):
    model, X, _ = fitted
    proba = predict_proba_missing(model, np.full((2, X.shape[1]), np.nan))
    np.testing.assert_allclose(proba, np.tile(model.weights_, (2, 1)), rtol=1e-12)


def test_works_with_sklearn_mixture(rng):
    X, y = _labelled(rng)
    sk = SkGaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_allclose(predict_proba_missing(sk, X), sk.predict_proba(X), rtol=1e-7,
                               atol=1e-10)


@functools.cache
def _full_fit():
    X, y = _labelled(np.random.default_rng(7))
    return X, y, GaussianMixtureClassifier(covariance_type="full", reg_covar=0.0).fit(X, y)


@given(st.lists(st.booleans(), min_size=3, max_size=3), st.integers(0, 50))
def test_marginalising_equals_fitting_on_observed_columns(observed, row):
    """Dropping features = the classifier fitted on the kept columns (closed-form MLE)."""
    X, y, model = _full_fit()
    keep = np.flatnonzero(observed)
    X_gap = X[row:row + 5].copy()
    X_gap[:, ~np.array(observed)] = np.nan
    proba = predict_proba_missing(model, X_gap)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    if keep.size:
        sub = GaussianMixtureClassifier(covariance_type="full", reg_covar=0.0).fit(X[:, keep], y)
        np.testing.assert_allclose(proba, sub.predict_proba(X_gap[:, keep]), rtol=1e-7, atol=1e-10)


def test_bad_inputs(fitted):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="X has 2 features but the model was fitted with 3"):
        predict_proba_missing(model, X[:, :2])
    with pytest.raises(ValueError, match="X contains infinite values"):
        class_log_joint(model, np.full((1, 3), np.inf))
    with pytest.raises(TypeError, match="model must be a fitted Gaussian mixture"):
        predict_missing(GaussianMixture(3), X)
    with pytest.raises(TypeError, match="X must be a numeric array"):
        class_log_joint(model, "abc")


# --- LDA's linear form ------------------------------------------------------------


def test_linear_discriminants_match_sklearn_lda(rng):
    X, y = _labelled(rng)
    model = GaussianMixtureClassifier(covariance_type="tied", reg_covar=0.0).fit(X, y)
    coef, intercept = linear_discriminants(model)
    sk = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    np.testing.assert_allclose(coef, sk.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(intercept, sk.intercept_, rtol=1e-8, atol=1e-10)
    scores = X @ coef.T + intercept
    softmax = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(softmax / softmax.sum(axis=1, keepdims=True),
                               model.predict_proba(X), rtol=1e-8, atol=1e-12)


def test_linear_discriminants_needs_tied(fitted):
    model, _, _ = fitted
    if model.covariance_type == "tied":
        assert linear_discriminants(model)[0].shape == (3, 3)
    else:
        with pytest.raises(ValueError, match="needs a tied covariance"):
            linear_discriminants(model)


# --- experiments ------------------------------------------------------------------


def test_mask_features_fraction_and_copy(rng):
    X = rng.normal(size=(2000, 5))
    X_gap = mask_features(X, 0.3, rng=rng)
    assert abs(np.isnan(X_gap).mean() - 0.3) < 0.02
    np.testing.assert_array_equal(X_gap[~np.isnan(X_gap)], X[~np.isnan(X_gap)])
    assert not np.isnan(X).any()
    assert not np.isnan(mask_features(X, 0.0, rng=rng)).any()
    assert np.isnan(mask_features(X, 1.0, rng=rng)).all()


def test_mask_features_bad_inputs(rng):
    with pytest.raises(ValueError, match=r"fraction must be a number in \[0, 1\]"):
        mask_features(np.zeros((3, 2)), 1.5, rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        mask_features(np.zeros((3, 2)), 0.5, rng=None)


def test_accuracy_vs_training_size(rng):
    X, y = _labelled(rng, n=400)
    Xt, yt = _labelled(np.random.default_rng(3), n=200)
    clfs = {"lda": lambda: GaussianMixtureClassifier(covariance_type="tied"),
            "logistic": lambda: LogisticRegression(max_iter=500)}
    curve = accuracy_vs_training_size(X, y, Xt, yt, [5, 40], clfs, rng=rng, n_replicates=3)
    assert isinstance(curve, LearningCurve)
    assert curve.accuracies["lda"].shape == (2, 3)
    assert np.all((curve.mean("lda") >= 0) & (curve.mean("lda") <= 1))
    # Independent check of one entry: the same seed, the same subset, scored by hand.
    again = accuracy_vs_training_size(X, y, Xt, yt, [40], {"lda": clfs["lda"]},
                                      rng=np.random.default_rng(11), n_replicates=1)
    sub_rng = np.random.default_rng(11)
    idx = np.concatenate([sub_rng.choice(np.flatnonzero(y == c), 40, replace=False)
                          for c in range(3)])
    by_hand = np.mean(clfs["lda"]().fit(X[idx], y[idx]).predict(Xt) == yt)
    assert again.accuracies["lda"][0, 0] == by_hand
    assert np.all(curve.sem("lda") >= 0)


def test_accuracy_vs_training_size_bad_inputs(rng):
    X, y = _labelled(rng, n=60)
    clfs = {"lda": lambda: GaussianMixtureClassifier(covariance_type="tied")}
    with pytest.raises(ValueError, match="n_per_class must be non-empty with values <="):
        accuracy_vs_training_size(X, y, X, y, [1000], clfs, rng=rng)
    with pytest.raises(ValueError, match="n_per_class must be >= 1"):
        accuracy_vs_training_size(X, y, X, y, [0], clfs, rng=rng)
    with pytest.raises(ValueError, match="classifiers must name at least one"):
        accuracy_vs_training_size(X, y, X, y, [2], {}, rng=rng)
    with pytest.raises(ValueError, match="y and y_test must have one label per row"):
        accuracy_vs_training_size(X, y[:-1], X, y, [2], clfs, rng=rng)
