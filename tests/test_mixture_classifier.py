"""GaussianMixtureClassifier: supervised and semi-supervised fits, classes and bad labels."""

import numpy as np
import pytest
from mixgrad.mixture import (
    GaussianMixture,
    GaussianMixtureClassifier,
    e_step,
    m_step,
    responsibilities,
)
from mixgrad.mixture.covariance import (
    COVARIANCE_TYPES,
    precisions_cholesky_from_covariances,
    precisions_from_cholesky,
)
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.exceptions import NotFittedError

quiet = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def blobs(rng, n=300, d=2, k=3, spread=5.0):
    centers = rng.uniform(-spread, spread, size=(k, d))
    z = rng.integers(k, size=n)
    return centers[z] + rng.standard_normal((n, d)) @ rng.uniform(0.3, 1.0, size=(d, d)), z


def three_clusters(rng, n=600):
    centers = np.array([[-6.0, 0.0], [0.0, 6.0], [6.0, 0.0]])
    z = rng.integers(3, size=n)
    return centers, centers[z] + rng.standard_normal((n, 2)), z


# --- semi-supervised: y = -1 unlabelled ------------------------------------------------


@quiet
@pytest.mark.parametrize("solver", ["stats", "direct"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_semi_supervised_fit_follows_the_functional_core(rng, covariance_type, solver):
    X, z = blobs(rng)
    y = np.where(rng.random(len(X)) < 0.1, z, -1)
    assert set(y[y >= 0]) == {0, 1, 2}  # classes_ == component indices
    w, m, cov = m_step(X, np.eye(3)[z], covariance_type, 1e-6)  # a start from the truth
    prec_chol = precisions_cholesky_from_covariances(cov, covariance_type)
    init = {"weights_init": w, "means_init": m,
            "precisions_init": precisions_from_cholesky(prec_chol, covariance_type)}
    gm = GaussianMixtureClassifier(unlabelled=-1, covariance_type=covariance_type, tol=0,
                                   max_iter=5, solver=solver, **init).fit(X, y)
    params = (w, m, prec_chol)
    for _ in range(5):  # the same iterations written with the public functions
        resp, _ = e_step(X, *params, covariance_type, labels=y)
        w, m, cov = m_step(X, resp, covariance_type, 1e-6)
        params = (w, m, precisions_cholesky_from_covariances(cov, covariance_type))
    np.testing.assert_allclose(gm.means_, m, rtol=1e-10)
    np.testing.assert_allclose(gm.covariances_, cov, rtol=1e-10)
    h = gm.history_
    assert np.all(np.diff(h.log_likelihood) >= -1e-12)
    np.testing.assert_allclose(h.log_likelihood, h.elbo_m_step + h.kl)
    assert np.all(h.kl >= -1e-12)


def test_partial_labels_decide_which_component_is_which(rng):
    centers, X, z = three_clusters(rng)
    y = np.where(rng.random(len(X)) < 0.05, z, -1)  # 5% labelled
    gm = GaussianMixtureClassifier(unlabelled=-1).fit(X, y)
    # without labels the component order is arbitrary; with them it is the classes'
    np.testing.assert_array_equal(gm.classes_, [0, 1, 2])
    assert np.mean(gm.predict(X) == z) > 0.97
    np.testing.assert_allclose(gm.means_, centers, atol=0.3)
    assert gm.converged_ and gm.n_iter_ > 1


def test_classes_may_be_any_labels(rng):
    _, X, z = three_clusters(rng)
    names = np.array(["north", "east", "west"])
    y = np.where(rng.random(len(X)) < 0.05, names[z], "?")
    gm = GaussianMixtureClassifier(unlabelled="?").fit(X, y)
    codes = GaussianMixtureClassifier(unlabelled=-1).fit(X, np.where(y == "?", -1, z))
    np.testing.assert_array_equal(gm.classes_, ["east", "north", "west"])  # sorted
    order = [1, 0, 2]  # component k models classes_[k]
    np.testing.assert_allclose(gm.means_, codes.means_[order], rtol=1e-10)
    assert np.mean(gm.predict(X) == names[z]) > 0.97
    np.testing.assert_allclose(gm.predict_proba(X), codes.predict_proba(X)[:, order],
                               rtol=1e-8, atol=1e-12)
    Xs, ys = gm.sample(50)
    assert Xs.shape == (50, 2) and set(ys) <= set(names)


def test_minus_one_is_a_class_by_default(rng):
    """Without unlabelled=-1 every value of y is a class, as in any scikit-learn classifier."""
    X, z = blobs(rng, k=2)
    y = np.where(z == 0, -1, 1)
    gm = GaussianMixtureClassifier().fit(X, y)
    np.testing.assert_array_equal(gm.classes_, [-1, 1])
    assert gm.n_iter_ == 1  # the closed form: nothing unlabelled


def test_predict_log_proba_is_log_of_predict_proba(rng):
    X, z = blobs(rng)
    gm = GaussianMixtureClassifier().fit(X, z)
    np.testing.assert_allclose(np.exp(gm.predict_log_proba(X)), gm.predict_proba(X),
                               rtol=1e-12, atol=1e-300)
    assert gm.score(X, z) == pytest.approx(np.mean(gm.predict(X) == z))


# --- every sample labelled: LDA, QDA ---------------------------------------------------


@pytest.mark.parametrize("solver", ["stats", "direct"])
def test_all_labelled_tied_is_lda(rng, solver):
    X, z = blobs(rng, d=3)
    gm = GaussianMixtureClassifier(covariance_type="tied", reg_covar=0.0, solver=solver).fit(X, z)
    for lda_solver in ("lsqr", "eigen"):
        lda = LinearDiscriminantAnalysis(solver=lda_solver, store_covariance=True).fit(X, z)
        np.testing.assert_allclose(gm.means_, lda.means_, rtol=1e-12)
        np.testing.assert_allclose(gm.weights_, lda.priors_, rtol=1e-12)
        np.testing.assert_allclose(gm.covariances_, lda.covariance_, rtol=1e-10)
        np.testing.assert_allclose(gm.predict_proba(X), lda.predict_proba(X), rtol=1e-8,
                                   atol=1e-12)
        np.testing.assert_array_equal(gm.predict(X), lda.predict(X))
    assert gm.n_iter_ == 1 and gm.converged_
    assert gm.history_.n_iter == 1 and gm.history_.kl[0] == 0.0


def test_all_labelled_full_is_qda(rng):
    X, z = blobs(rng, d=2)
    gm = GaussianMixtureClassifier(covariance_type="full", reg_covar=0.0).fit(X, z)
    qda = QuadraticDiscriminantAnalysis(reg_param=0.0, store_covariance=True).fit(X, z)
    np.testing.assert_allclose(gm.means_, qda.means_, rtol=1e-12)
    np.testing.assert_allclose(gm.weights_, qda.priors_, rtol=1e-12)
    # QDA has normalised class covariances by n_k - 1 in older scikit-learn and by
    # n_k (the MLE) in 1.9; compare with whichever normalisation it uses.
    nk = np.bincount(z)[:, None, None]
    qcov = np.asarray(qda.covariance_)
    mle = np.allclose(qcov, gm.covariances_)
    ours = gm.covariances_ if mle else gm.covariances_ * nk / (nk - 1)
    np.testing.assert_allclose(ours, qcov, rtol=1e-10)
    prec = precisions_cholesky_from_covariances(qcov, "full")
    resp, _ = responsibilities(X, qda.priors_, qda.means_, prec, "full")
    np.testing.assert_allclose(resp, qda.predict_proba(X), rtol=1e-8, atol=1e-12)


def test_labels_do_not_change_the_density_estimator(rng):
    """The same data and labels: the classifier pins them, GaussianMixture ignores them."""
    X, z = blobs(rng)
    classifier = GaussianMixtureClassifier().fit(X, z)
    density = GaussianMixture(3, random_state=0).fit(X, z)
    plain = GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_array_equal(density.means_, plain.means_)
    assert classifier.n_iter_ == 1 and density.n_iter_ > 1


# --- warm start, float32 ---------------------------------------------------------------


@quiet
def test_warm_start_needs_the_same_classes(rng):
    X, z = blobs(rng)
    y = np.where(rng.random(len(X)) < 0.1, z, -1)
    gm = GaussianMixtureClassifier(unlabelled=-1, warm_start=True, max_iter=2).fit(X, y)
    gm.fit(X, y)
    with pytest.raises(ValueError, match=r"warm_start=True needs the classes of the previous "
                                         r"fit, \[0, 1, 2\]; got \[0, 1\]"):
        gm.fit(X, np.where(y == 2, -1, y))


def test_float32_stays_float32(rng):
    X, z = blobs(rng)
    y = np.where(rng.random(len(X)) < 0.2, z, -1)
    X32 = X.astype(np.float32)
    gm = GaussianMixtureClassifier(unlabelled=-1).fit(X32, y)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(gm, name).dtype == np.float32, name
    assert gm.predict_proba(X32).dtype == np.float32
    assert gm.predict_log_proba(X32).dtype == np.float32
    assert gm.score_samples(X32).dtype == np.float32
    assert gm.predict_proba(X).dtype == np.float64
    ref = GaussianMixtureClassifier(unlabelled=-1).fit(X32.astype(np.float64), y)
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-6)


# --- bad input -------------------------------------------------------------------------


def test_bad_labels(rng):
    X, _ = blobs(rng, n=20)
    with pytest.raises(ValueError, match=r"y has no labelled sample \(every entry is "
                                         r"unlabelled=-1\)"):
        GaussianMixtureClassifier(unlabelled=-1).fit(X, np.full(20, -1))
    with pytest.raises(ValueError, match="Unknown label type"):
        GaussianMixtureClassifier().fit(X, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GaussianMixtureClassifier().fit(X, np.zeros(19, dtype=int))
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'y'"):
        GaussianMixtureClassifier().fit(X)
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        GaussianMixtureClassifier(covariance_type="round").fit(X, np.arange(20) % 2)
    gm = GaussianMixtureClassifier().fit(X, np.arange(20) % 2)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixtureClassifier is "
                                         "expecting 2"):
        gm.predict(np.zeros((3, 3)))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba",
                                    "score_samples"])
def test_use_before_fit_raises_not_fitted(rng, method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(GaussianMixtureClassifier(), method)(rng.standard_normal((5, 2)))
