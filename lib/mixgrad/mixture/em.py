"""EM for Gaussian mixtures, one readable step at a time (the reference path).

E-step: responsibilities ``r_ik = pi_k N(x_i | mu_k, Sigma_k) / p(x_i)`` by
log-sum-exp. M-step: ``N_k = sum_i r_ik``, ``pi_k = N_k / n``,
``mu_k = sum_i r_ik x_i / N_k`` and a covariance estimator per covariance type
(dispatched through :data:`COVARIANCE_ESTIMATORS`), each with ``reg_covar``
added to the diagonal.

Partial labels (``-1`` = unlabelled) pin the responsibilities of labelled
samples to their label. Log-likelihoods are averages over the samples, like
scikit-learn's ``score`` and ``lower_bound_``; the ELBO and KL are in
:mod:`mixgrad.mixture.likelihood`.

:mod:`mixgrad.mixture.stats` computes the same steps with one matrix product
each; the tests check that both agree.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numpy as np
from scipy.special import logsumexp

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_labels, check_positive, check_weights
from mixgrad.mixture.covariance import check_covariance_type, check_means, check_precisions_cholesky
from mixgrad.mixture.gaussian import _log_gaussian_prob

__all__ = [
    "COVARIANCE_ESTIMATORS",
    "weighted_log_prob",
    "estimate_log_prob_resp",
    "responsibilities",
    "pin_responsibilities",
    "e_step",
    "m_step",
    "check_labels",
]

COUNT_EPS = 10 * np.finfo(np.float64).eps  # keeps empty components' counts positive


# --- validation ---------------------------------------------------------------


def _check_model(X, weights, means, precisions_cholesky, covariance_type):
    X = check_finite_array(X, "X", ndim=2)
    check_covariance_type(covariance_type)
    means = check_means(means, X.shape[1])
    weights = check_weights(weights, means.shape[0])
    prec = check_precisions_cholesky(precisions_cholesky, covariance_type, *means.shape)
    return X, weights, means, prec


def _check_resp(resp, n_samples=None, n_components=None, name="resp", normalised=True):
    resp = check_finite_array(resp, name, ndim=2)
    if n_samples is not None and resp.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have one row per sample of X ({n_samples}), got shape {resp.shape}"
        )
    if n_components is not None and resp.shape[1] != n_components:
        raise ValueError(
            f"{name} must have one column per component ({n_components}), got {resp.shape}"
        )
    if np.any(resp < 0):
        raise ValueError(f"{name} must be non-negative (they are probabilities)")
    if normalised and not np.allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-8):
        raise ValueError(f"every row of {name} must sum to 1; divide each row by its sum")
    return resp


# --- E-step -------------------------------------------------------------------


def _weighted_log_prob(X, weights, means, prec, covariance_type):
    with np.errstate(divide="ignore"):  # a zero weight gives log 0 = -inf: never responsible
        log_weights = np.log(weights)
    return _log_gaussian_prob(X, means, prec, covariance_type) + log_weights


@fill_doc
def weighted_log_prob(X, weights, means, precisions_cholesky, covariance_type):
    """Joint log-densities ``log pi_k + log N(x_i | mu_k, Sigma_k) = log p(x_i, z_i = k)``.

    %(parameters_X_model)s

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    model = _check_model(X, weights, means, precisions_cholesky, covariance_type)
    return _weighted_log_prob(*model, covariance_type)


def _log_resp(wlp):
    log_prob_norm = logsumexp(wlp, axis=1)
    return wlp - log_prob_norm[:, None], log_prob_norm


@fill_doc
def estimate_log_prob_resp(X, weights, means, precisions_cholesky, covariance_type):
    """Log-responsibilities and the log-density of every sample.

    %(parameters_X_model)s

    Returns
    -------
    log_resp : ndarray of shape (n_samples, n_components)
        ``log p(z_i = k | x_i)``.
    log_prob_norm : ndarray of shape (n_samples,)
        ``log p(x_i) = logsumexp_k log p(x_i, z_i = k)``.
    """
    return _log_resp(weighted_log_prob(X, weights, means, precisions_cholesky, covariance_type))


@fill_doc
def responsibilities(X, weights, means, precisions_cholesky, covariance_type):
    """Responsibilities ``r_ik = p(z_i = k | x_i)`` (rows sum to 1).

    The exponential of :func:`estimate_log_prob_resp`'s log-responsibilities.

    %(parameters_X_model)s

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    log_prob_norm : ndarray of shape (n_samples,)
        Per-sample log-likelihood ``log p(x_i)``.
    """
    log_resp, log_prob_norm = estimate_log_prob_resp(
        X, weights, means, precisions_cholesky, covariance_type
    )
    return np.exp(log_resp), log_prob_norm


def pin_responsibilities(resp, labels):
    """Copy of ``resp`` whose labelled rows are one-hot on their label.

    Parameters
    ----------
    resp : array-like of shape (n_samples, n_components)
    labels : array-like of int of shape (n_samples,)
        Component index of each labelled sample, ``-1`` for unlabelled ones.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    resp = np.array(resp, dtype=np.float64)
    labels = check_labels(labels, *resp.shape)
    rows = np.flatnonzero(labels >= 0)
    resp[rows] = 0.0
    resp[rows, labels[rows]] = 1.0
    return resp


def _objective(wlp, log_prob_norm, labels):
    """Per-sample objective: log p(x_i) if unlabelled, log p(x_i, z_i = y_i) if labelled."""
    if labels is None:
        return log_prob_norm
    rows = np.flatnonzero(labels >= 0)
    out = log_prob_norm.copy()
    out[rows] = wlp[rows, labels[rows]]
    return out


@fill_doc
def e_step(X, weights, means, precisions_cholesky, covariance_type, *, labels=None):
    """E-step: responsibilities and the mean log-likelihood at the current parameters.

    %(parameters_X_model)s
    labels : array-like of int of shape (n_samples,), optional
        Partial labels (``-1`` = unlabelled); labelled rows of the
        responsibilities are pinned to their label, and they contribute
        ``log p(x_i, z_i = y_i)`` instead of ``log p(x_i)`` to the objective.

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    log_likelihood : float
        Average over the samples of the (semi-supervised) log-likelihood.
    """
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky, covariance_type)
    wlp = _weighted_log_prob(X, weights, means, prec, covariance_type)
    log_resp, log_prob_norm = _log_resp(wlp)
    resp = np.exp(log_resp)
    if labels is not None:
        labels = check_labels(labels, *wlp.shape)
        resp = pin_responsibilities(resp, labels)
    return resp, float(np.mean(_objective(wlp, log_prob_norm, labels)))


# --- M-step: covariance estimators, one per covariance type --------------------


def _covariances_full(X, resp, nk, means, reg_covar):
    d = X.shape[1]
    covariances = np.empty((len(means), d, d))
    for k, mu in enumerate(means):
        diff = X - mu
        covariances[k] = (resp[:, k] * diff.T) @ diff / nk[k]
        covariances[k].flat[:: d + 1] += reg_covar
    return covariances


def _covariances_tied(X, resp, nk, means, reg_covar):
    d = X.shape[1]
    covariance = np.zeros((d, d))
    for k, mu in enumerate(means):
        diff = X - mu
        covariance += (resp[:, k] * diff.T) @ diff
    covariance /= nk.sum()
    covariance.flat[:: d + 1] += reg_covar
    return covariance


def _covariances_diag(X, resp, nk, means, reg_covar):
    variances = np.empty_like(means)
    for k, mu in enumerate(means):
        variances[k] = resp[:, k] @ (X - mu) ** 2 / nk[k]
    return variances + reg_covar


def _covariances_spherical(X, resp, nk, means, reg_covar):
    return _covariances_diag(X, resp, nk, means, reg_covar).mean(axis=1)


COVARIANCE_ESTIMATORS = {
    "full": _covariances_full,
    "tied": _covariances_tied,
    "diag": _covariances_diag,
    "spherical": _covariances_spherical,
}


def _m_step(X, resp, covariance_type, reg_covar):
    nk = resp.sum(axis=0) + COUNT_EPS
    means = resp.T @ X / nk[:, None]
    covariances = COVARIANCE_ESTIMATORS[covariance_type](X, resp, nk, means, reg_covar)
    return nk / nk.sum(), means, covariances


def m_step(X, resp, covariance_type, reg_covar=1e-6):
    """M-step: weighted maximum-likelihood weights, means and covariances.

    ``N_k = sum_i r_ik`` (plus ``10 eps`` so that an empty component keeps a
    positive count), ``pi_k = N_k / sum_j N_j``, ``mu_k = sum_i r_ik x_i / N_k``,
    and the covariance of the type, e.g. for "full"
    ``Sigma_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T / N_k + reg_covar I``.
    With one-hot responsibilities this is the supervised MLE (a generative
    classifier: "tied" is LDA's model, "full" QDA's).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Non-negative responsibilities (rows need not sum to 1).
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float, default 1e-6
        Non-negative regularisation added to the diagonal of each covariance.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray
        (n_components, n_features, n_features) for "full", (n_features,
        n_features) for "tied", (n_components, n_features) for "diag",
        (n_components,) for "spherical".
    """
    X = check_finite_array(X, "X", ndim=2)
    resp = _check_resp(resp, X.shape[0], normalised=False)
    check_covariance_type(covariance_type)
    reg_covar = check_positive(reg_covar, "reg_covar", strict=False)
    return _m_step(X, resp, covariance_type, reg_covar)
