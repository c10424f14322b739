"""Generative classifiers built on a labelled Gaussian mixture.

A :class:`~mixgrad.mixture.GaussianMixtureClassifier` fitted with every sample
labelled (``fit(X, y)``) is a generative classifier: class priors ``weights_`` and
class-conditional Gaussians ``N(x | means_[c], covariances_[c])`` ("tied" is
LDA's model, "full" QDA's). This module adds what the estimator lacks:

- :func:`class_log_joint`, :func:`predict_proba_missing`,
  :func:`predict_missing`: Bayes' rule when some features are missing (NaN),
  by marginalising each class Gaussian onto the observed features (drop the
  rows and columns of the missing ones);
- :func:`linear_discriminants`: the linear scores ``w_c^T x + b_c`` of a tied
  model (LDA's posterior is a softmax of them: the logistic form);
- :func:`mask_features`: hide a fraction of the features at random;
- :func:`accuracy_vs_training_size`: test accuracy of several classifiers
  against the number of labelled samples per class.

See the chapter :ref:`generative-classifiers`.
"""

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve, solve_triangular
from scipy.special import logsumexp

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer, check_rng
from mixgrad.mixture.covariance import full_covariances

__all__ = [
    "class_log_joint",
    "predict_proba_missing",
    "predict_missing",
    "linear_discriminants",
    "mask_features",
    "LearningCurve",
    "accuracy_vs_training_size",
]


# --- checks -----------------------------------------------------------------------


def _model_parameters(model):
    """weights (k,), means (k, d), full covariances (k, d, d) of a fitted mixture."""
    missing = [a for a in ("weights_", "means_", "covariances_") if not hasattr(model, a)]
    if missing or not hasattr(model, "covariance_type"):
        raise TypeError(
            f"model must be a fitted Gaussian mixture (with weights_, means_, covariances_ "
            f"and covariance_type), got {type(model).__name__}; call model.fit(X, y) first"
        )
    weights = np.asarray(model.weights_, dtype=np.float64)
    means = np.asarray(model.means_, dtype=np.float64)
    cov = np.asarray(model.covariances_, dtype=np.float64)
    k, d = means.shape
    return weights, means, full_covariances(cov, model.covariance_type, k, d)


def _check_X(X, n_features):
    X = check_finite_array(X, "X", ndim=2, allow_nan=True)
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features but the model was fitted with {n_features}; "
            "pass the same columns (NaN for a missing value)"
        )
    return X


# --- Bayes' rule with missing features --------------------------------------------


def _log_gaussian_observed(X_obs, means_obs, cov_obs):
    """log N(x_o | mu_o, Sigma_oo) for rows X_obs (m, p) and one class."""
    chol = np.linalg.cholesky(cov_obs)
    diff = solve_triangular(chol, (X_obs - means_obs).T, lower=True)
    log_det = 2.0 * np.sum(np.log(np.diag(chol)))
    return -0.5 * (X_obs.shape[1] * np.log(2 * np.pi) + log_det + np.sum(diff**2, axis=0))


def class_log_joint(model, X):
    """Log joint ``log p(x_obs, y = c) = log pi_c + log N(x_obs | mu_c,o, Sigma_c,oo)``.

    Missing features (NaN) are integrated out: the marginal of a Gaussian on
    the observed coordinates ``o`` is the Gaussian with the sub-vector
    ``mu_o`` and the sub-matrix ``Sigma_oo``. A row with nothing observed
    gets ``log pi_c``.

    Parameters
    ----------
    model : fitted GaussianMixtureClassifier or GaussianMixture
        Any fitted mixture with ``weights_``, ``means_``, ``covariances_`` and
        ``covariance_type`` (mixgrad's or scikit-learn's).
    X : array-like of shape (n_samples, n_features)
        Features; NaN marks a missing value.

    Returns
    -------
    log_joint : ndarray of shape (n_samples, n_components)
    """
    weights, means, cov = _model_parameters(model)
    X = _check_X(X, means.shape[1])
    out = np.empty((X.shape[0], means.shape[0]))
    observed = ~np.isnan(X)
    patterns, inverse = np.unique(observed, axis=0, return_inverse=True)
    for p, obs in enumerate(patterns):
        rows = np.flatnonzero(inverse.ravel() == p)
        idx = np.flatnonzero(obs)
        for c in range(means.shape[0]):
            if idx.size == 0:
                out[rows, c] = 0.0
                continue
            out[rows, c] = _log_gaussian_observed(
                X[np.ix_(rows, idx)], means[c, idx], cov[c][np.ix_(idx, idx)]
            )
    return out + np.log(weights)


@fill_doc
def predict_proba_missing(model, X):
    """Posterior ``p(y = c | x_obs)`` by Bayes' rule, missing features marginalised.

    %(parameters_model_missing)s

    Returns
    -------
    proba : ndarray of shape (n_samples, n_components)
        Rows sum to 1. Without NaN this equals ``model.predict_proba(X)``.
    """
    log_joint = class_log_joint(model, X)
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


@fill_doc
def predict_missing(model, X):
    """Most probable class ``argmax_c p(y = c | x_obs)``, missing features marginalised.

    %(parameters_model_missing)s

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Values of ``model.classes_`` for a classifier (e.g.
        :class:`~mixgrad.mixture.GaussianMixtureClassifier`), component
        indices for a model without ``classes_``. Without NaN this equals
        ``model.predict(X)``.
    """
    codes = np.argmax(class_log_joint(model, X), axis=1)
    classes = getattr(model, "classes_", None)
    return codes if classes is None else np.asarray(classes)[codes]


# --- LDA's linear form ------------------------------------------------------------


def linear_discriminants(model):
    """Linear scores of a tied-covariance model: ``log p(x, y = c) = w_c^T x + b_c + const``.

    With one shared covariance the quadratic term ``-x^T Sigma^{-1} x / 2`` is
    the same for every class and cancels in Bayes' rule, leaving
    ``w_c = Sigma^{-1} mu_c`` and ``b_c = -mu_c^T Sigma^{-1} mu_c / 2 + log pi_c``.
    The posterior is the softmax of ``w_c^T x + b_c``: the form of a
    (multinomial) logistic regression.

    Parameters
    ----------
    model : fitted GaussianMixture with ``covariance_type="tied"``

    Returns
    -------
    coef : ndarray of shape (n_components, n_features)
        ``w_c`` in the rows.
    intercept : ndarray of shape (n_components,)
        ``b_c``.
    """
    weights, means, cov = _model_parameters(model)
    if model.covariance_type != "tied":
        raise ValueError(
            f"linear_discriminants needs a tied covariance (LDA), got covariance_type="
            f"{model.covariance_type!r}; refit with covariance_type='tied'"
        )
    coef = cho_solve((np.linalg.cholesky(cov[0]), True), means.T).T
    intercept = -0.5 * np.sum(coef * means, axis=1) + np.log(weights)
    return coef, intercept


# --- experiments ------------------------------------------------------------------


def mask_features(X, fraction, *, rng):
    """Copy of ``X`` with each entry hidden (set to NaN) with probability ``fraction``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    fraction : float
        Probability in ``[0, 1]`` that an entry is missing (independently,
        missing completely at random).
    rng : numpy.random.Generator or int

    Returns
    -------
    X_missing : ndarray of shape (n_samples, n_features)
    """
    X = check_finite_array(X, "X", ndim=2)
    if not isinstance(fraction, (int, float, np.floating)) or not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be a number in [0, 1], got {fraction!r}")
    rng = check_rng(rng)
    X_missing = X.copy()
    X_missing[rng.random(X.shape) < fraction] = np.nan
    return X_missing


@dataclass
class LearningCurve:
    """Test accuracies against the number of labelled samples per class.

    Attributes
    ----------
    n_per_class : ndarray of int of shape (n_sizes,)
    accuracies : dict of {str: ndarray of shape (n_sizes, n_replicates)}
        Test accuracy of each classifier, one column per replicate.
    """

    n_per_class: np.ndarray
    accuracies: dict

    @fill_doc
    def mean(self, name):
        """Mean accuracy over replicates.

        %(parameters_name_accuracies)s
        """
        return self.accuracies[name].mean(axis=1)

    @fill_doc
    def sem(self, name):
        """Standard error of the mean accuracy over replicates (0 for one replicate).

        %(parameters_name_accuracies)s
        """
        acc = self.accuracies[name]
        if acc.shape[1] < 2:
            return np.zeros(acc.shape[0])
        return acc.std(axis=1, ddof=1) / np.sqrt(acc.shape[1])


def _subsample(y, n, rng):
    """Indices of ``n`` samples of every class, drawn without replacement."""
    return np.concatenate([rng.choice(np.flatnonzero(y == c), size=n, replace=False)
                           for c in np.unique(y)])


def accuracy_vs_training_size(X, y, X_test, y_test, n_per_class, classifiers, *, rng,
                              n_replicates=10):
    """Fit each classifier on ``n`` labelled samples per class; score it on a test set.

    Every replicate draws one training subset per size and gives the same
    subset to every classifier, so the curves differ only by the method.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Pool of labelled training samples.
    y : array-like of int of shape (n_samples,)
        Their classes ``0 .. n_classes - 1``.
    X_test : array-like of shape (n_test, n_features)
    y_test : array-like of int of shape (n_test,)
    n_per_class : sequence of int
        Training sizes per class (each >= 1 and at most the smallest class).
    classifiers : dict of {str: callable}
        Name to a factory returning a fresh unfitted estimator with
        ``fit(X, y)`` and ``predict(X)``.
    rng : numpy.random.Generator or int
    n_replicates : int, default 10

    Returns
    -------
    LearningCurve
    """
    X = check_finite_array(X, "X", ndim=2)
    X_test = check_finite_array(X_test, "X_test", ndim=2)
    y, y_test = np.asarray(y), np.asarray(y_test)
    if y.shape != (X.shape[0],) or y_test.shape != (X_test.shape[0],):
        raise ValueError("y and y_test must have one label per row of X and X_test")
    sizes = np.array([check_integer(int(n) if isinstance(n, np.integer) else n,
                                    "n_per_class", minimum=1) for n in n_per_class])
    smallest = np.bincount(y).min()
    if sizes.size == 0 or sizes.max() > smallest:
        raise ValueError(f"n_per_class must be non-empty with values <= {smallest} (the "
                         "smallest class in y); draw a larger pool or use fewer labels")
    if not classifiers:
        raise ValueError("classifiers must name at least one classifier factory")
    n_replicates = check_integer(n_replicates, "n_replicates", minimum=1)
    rng = check_rng(rng)
    acc = {name: np.empty((sizes.size, n_replicates)) for name in classifiers}
    for r in range(n_replicates):
        for i, n in enumerate(sizes):
            idx = _subsample(y, n, rng)
            for name, make in classifiers.items():
                model = make().fit(X[idx], y[idx])
                acc[name][i, r] = np.mean(model.predict(X_test) == y_test)
    return LearningCurve(sizes, acc)
