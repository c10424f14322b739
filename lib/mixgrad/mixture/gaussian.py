"""Multivariate normal log-densities from Cholesky factors of the precisions.

With ``P`` the Cholesky factor of a component's precision
(``P P^T = Sigma^{-1}``, see :mod:`mixgrad.mixture.covariance`),

    log N(x | mu, Sigma) = -1/2 (d log 2 pi + ||P^T (x - mu)||^2) + log det P,

so no matrix is ever inverted and the log-determinant is a sum of logs of the
factor's diagonal. The four covariance types share this formula; only the
shape of ``P`` changes. This is the straightforward reference path, one
component at a time; :mod:`mixgrad.mixture.expfamily` writes the same
densities as one matrix product.

See the chapter :ref:`gaussian-mixtures`.
"""

import math

import numpy as np
from scipy.special import logsumexp

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_weights
from mixgrad.mixture.covariance import check_means, check_precisions_cholesky

__all__ = ["LOG_2PI", "log_det_cholesky", "log_gaussian_prob", "mixture_density_1d"]

LOG_2PI = math.log(2.0 * math.pi)


# --- log-densities ------------------------------------------------------------


def log_det_cholesky(precisions_cholesky, covariance_type, n_features):
    """Log-determinant of each factor, ``log det P = -1/2 log det Sigma``.

    Parameters
    ----------
    precisions_cholesky : ndarray
        Factors in the layout of :func:`precisions_cholesky_from_covariances`.
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_features : int

    Returns
    -------
    ndarray of shape (n_components,), or a float for "tied"
    """
    prec = np.asarray(precisions_cholesky, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        return np.log(np.diagonal(prec, axis1=-2, axis2=-1)).sum(axis=-1)
    if covariance_type == "diag":
        return np.log(prec).sum(axis=1)
    return n_features * np.log(prec)


def _squared_mahalanobis_full(X, means, prec):
    out = np.empty((X.shape[0], means.shape[0]))
    for k, (mu, chol) in enumerate(zip(means, prec, strict=True)):
        y = (X - mu) @ chol
        out[:, k] = np.einsum("ij,ij->i", y, y)
    return out


def _squared_mahalanobis_tied(X, means, prec):
    return _squared_mahalanobis_full(X, means, np.broadcast_to(prec, (len(means),) + prec.shape))


def _squared_mahalanobis_diag(X, means, prec):
    out = np.empty((X.shape[0], means.shape[0]))
    for k, (mu, p) in enumerate(zip(means, prec, strict=True)):
        y = (X - mu) * p
        out[:, k] = np.einsum("ij,ij->i", y, y)
    return out


def _squared_mahalanobis_spherical(X, means, prec):
    return _squared_mahalanobis_diag(X, means, np.repeat(prec[:, None], X.shape[1], axis=1))


_SQUARED_MAHALANOBIS = {
    "full": _squared_mahalanobis_full,
    "tied": _squared_mahalanobis_tied,
    "diag": _squared_mahalanobis_diag,
    "spherical": _squared_mahalanobis_spherical,
}


def _log_gaussian_prob(X, means, precisions_cholesky, covariance_type):
    """Unvalidated :func:`log_gaussian_prob` (one component at a time)."""
    n_features = X.shape[1]
    maha = _SQUARED_MAHALANOBIS[covariance_type](X, means, precisions_cholesky)
    log_det = log_det_cholesky(precisions_cholesky, covariance_type, n_features)
    return -0.5 * (n_features * LOG_2PI + maha) + log_det


@fill_doc
def log_gaussian_prob(X, means, precisions_cholesky, covariance_type):
    """Log-density of every sample under every Gaussian component.

    ``log N(x_i | mu_k, Sigma_k) = -1/2 (d log 2 pi + ||P_k^T (x_i - mu_k)||^2)
    + log det P_k``, computed one component at a time from the centred data
    (the straightforward reference path; :class:`~mixgrad.mixture.StatsEM` has
    the one-matrix-product version).

    %(parameters_X)s
    means : array-like of shape (n_components, n_features)
        Component means.
    precisions_cholesky : array-like
        Cholesky factors of the precisions, shaped as in
        :func:`precisions_cholesky_from_covariances`.
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    X = check_finite_array(X, "X", ndim=2)
    means = check_means(means, X.shape[1])
    prec = check_precisions_cholesky(precisions_cholesky, covariance_type, *means.shape)
    return _log_gaussian_prob(X, means, prec, covariance_type)


def mixture_density_1d(x, weights, means, variances):
    """Density of a univariate Gaussian mixture and of its weighted components.

    Parameters
    ----------
    x : array-like of shape (n_points,)
        Where to evaluate.
    weights : array-like of shape (n_components,)
        Mixing weights, non-negative, summing to 1.
    means : array-like of shape (n_components,)
        Component means.
    variances : array-like of shape (n_components,)
        Component variances (not standard deviations), all > 0.

    Returns
    -------
    density : ndarray of shape (n_points,)
        ``p(x) = sum_k pi_k N(x | mu_k, sigma_k^2)``.
    components : ndarray of shape (n_points, n_components)
        The terms ``pi_k N(x | mu_k, sigma_k^2)``; they sum to ``density``.
    """
    x = check_finite_array(x, "x", ndim=1)
    weights, means, variances = check_mixture_1d(weights, means, variances)
    log_prob = _log_gaussian_prob(x[:, None], means[:, None], 1.0 / np.sqrt(variances), "spherical")
    with np.errstate(divide="ignore"):  # a zero weight: log 0 = -inf, a zero term
        log_terms = np.log(weights) + log_prob
    return np.exp(logsumexp(log_terms, axis=1)), np.exp(log_terms)


def check_mixture_1d(weights, means, variances):
    """Weights, means and variances of a univariate mixture, each of shape (n_components,)."""
    weights = check_finite_array(weights, "weights", ndim=1)
    means = check_finite_array(means, "means", ndim=1)
    variances = check_finite_array(variances, "variances", ndim=1)
    if not weights.shape == means.shape == variances.shape:
        raise ValueError(
            "weights, means and variances must have the same shape (n_components,), got "
            f"{weights.shape}, {means.shape} and {variances.shape}"
        )
    check_weights(weights)
    if np.any(variances <= 0):
        raise ValueError("variances must be > 0 (square the standard deviations)")
    return weights, means, variances
