"""The Gaussian as an exponential family: sufficient statistics and natural parameters.

With ``T(x) = [1, x, vech(x x^T)]`` (data centred first) and the natural
parameters

    w_k = [log pi_k + log det P_k - d/2 log 2 pi - 1/2 m_k^T L_k m_k,
           L_k m_k,   -1/2 vech-coefficients of L_k]        (L_k = P_k P_k^T)

the joint log-density is one inner product, ``log p(x, z = k) = w_k . T(x)``,
so the log-densities of all samples under all components are ONE matrix
product ``T W^T``; and the M-step needs only ``R^T T`` (counts, first and
second moments of every component). "diag" uses ``[1, x, x**2]`` and
"spherical" ``[1, x, |x|^2]``. :mod:`mixgrad.mixture.stats` runs EM this way.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numpy as np

from mixgrad._validation import check_finite_array
from mixgrad.mixture.covariance import (
    check_covariance_type,
    check_means,
    check_precisions_cholesky,
    check_weights,
)
from mixgrad.mixture.gaussian import LOG_2PI, log_det_cholesky

__all__ = ["design_matrix", "natural_parameters"]

_LOG_ZERO = -1e300  # stands for log 0 (a zero weight) without producing 0 * inf = nan


# --- T(x) and the natural parameters ------------------------------------------------


_KIND = {"full": "full", "tied": "full", "diag": "diag", "spherical": "spherical"}


def _n_rows(kind, d):
    return {"full": 1 + d + d * (d + 1) // 2, "linear": 1 + d, "diag": 1 + 2 * d,
            "spherical": 2 + d}[kind]


def _fill_design(block, X, center, kind):
    """Write T(x)^T for the rows of ``X`` (shape (c, d)) into ``block`` (shape (p, c)).

    ``kind`` is "full" ([1, x, vech(x x^T)]), "diag" ([1, x, x**2]),
    "spherical" ([1, x, |x|^2]) or "linear" ([1, x]); ``x`` is centred first.
    """
    d = X.shape[1]
    block[0] = 1.0
    xt = block[1 : d + 1]
    np.subtract(X, center, out=xt.T)
    quad = block[d + 1 :]
    if kind == "full":  # rows in the order of np.triu_indices(d)
        row = 0
        for i in range(d):
            np.multiply(xt[i : i + 1], xt[i:], out=quad[row : row + d - i])
            row += d - i
    elif kind == "diag":
        np.multiply(xt, xt, out=quad)
    elif kind == "spherical":
        np.einsum("ij,ij->j", xt, xt, out=quad[0])
    return block


def design_matrix(X, covariance_type, center=None):
    """Sufficient statistics ``T(x_i)`` of every sample, one row each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    covariance_type : {"full", "tied", "diag", "spherical"}
    center : array-like of shape (n_features,), optional
        Subtracted from ``X`` first (default: the mean of ``X``).

    Returns
    -------
    T : ndarray of shape (n_samples, n_statistics)
        ``[1, x, vech(x x^T)]`` (``n_statistics = 1 + d + d (d + 1) / 2``) for
        "full"/"tied", ``[1, x, x**2]`` for "diag", ``[1, x, |x|^2]`` for
        "spherical", of the centred samples.
    center : ndarray of shape (n_features,)
    """
    X = check_finite_array(X, "X", ndim=2)
    check_covariance_type(covariance_type)
    center = X.mean(axis=0) if center is None else check_finite_array(center, "center", ndim=1)
    kind = _KIND[covariance_type]
    block = np.empty((_n_rows(kind, X.shape[1]), X.shape[0]))
    return _fill_design(block, X, center, kind).T, center


def _natural_parameters(weights, means_c, prec, covariance_type):
    """(W, q, c0): natural parameters, m^T L m and the constants of the direct form."""
    k, d = means_c.shape
    with np.errstate(divide="ignore"):
        log_weights = np.maximum(np.log(weights), _LOG_ZERO)
    log_det = log_det_cholesky(prec, covariance_type, d)
    if covariance_type in ("full", "tied"):
        chol = np.broadcast_to(prec, (k, d, d))
        u = np.einsum("kij,ki->kj", chol, means_c)  # P^T m
        linear = np.einsum("kij,kj->ki", chol, u)  # L m
        i, j = np.triu_indices(d)
        precision = chol @ np.swapaxes(chol, 1, 2)
        quad = -0.5 * precision[:, i, j] * np.where(i == j, 1.0, 2.0)
        q = np.einsum("kj,kj->k", u, u)
    else:
        lam = prec**2 if covariance_type == "diag" else (prec**2)[:, None]
        linear = lam * means_c
        quad = -0.5 * lam
        q = np.einsum("kj,kj->k", linear, means_c)
    c0 = log_weights + log_det - 0.5 * d * LOG_2PI
    W = np.concatenate([(c0 - 0.5 * q)[:, None], linear, quad], axis=1)
    return W, q, c0


def natural_parameters(weights, means, precisions_cholesky, covariance_type, center):
    """Natural parameters ``W`` such that ``log p(x_i, z_i = k) = (T W^T)[i, k]``.

    Parameters
    ----------
    weights : array-like of shape (n_components,)
    means : array-like of shape (n_components, n_features)
    precisions_cholesky : array-like
        Cholesky factors of the precisions, shaped per covariance type.
    covariance_type : {"full", "tied", "diag", "spherical"}
    center : array-like of shape (n_features,)
        The centre used by :func:`design_matrix`.

    Returns
    -------
    W : ndarray of shape (n_components, n_statistics)
    """
    check_covariance_type(covariance_type)
    means = check_means(means)
    weights = check_weights(weights, means.shape[0])
    prec = check_precisions_cholesky(precisions_cholesky, covariance_type, *means.shape)
    center = check_finite_array(center, "center", ndim=1)
    return _natural_parameters(weights, means - center, prec, covariance_type)[0]
