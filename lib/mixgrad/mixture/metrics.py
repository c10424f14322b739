"""Model choice and cluster quality: BIC, AIC and the silhouette coefficient.

BIC and AIC choose the number of components in :ref:`em-gaussian-mixtures`,
where the silhouette scores the clusterings too.
"""

import math
import numbers

import numpy as np
from scipy.spatial.distance import cdist

from mixgrad._validation import check_finite_array, check_integer
from mixgrad.mixture.covariance import n_parameters

__all__ = [
    "silhouette_samples",
    "silhouette_score",
    "bic",
    "aic",
    "gaussian_mixture_n_parameters",
]

_CHUNK_ELEMENTS = 2**22  # distances held in memory at once (32 MiB)


# --- silhouette ---------------------------------------------------------------


def _check_labels(X, labels):
    X = check_finite_array(X, "X", ndim=2)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"labels must have shape (n_samples,) = ({X.shape[0]},), got {labels.shape}"
        )
    _, codes = np.unique(labels, return_inverse=True)
    n_labels = codes.max() + 1 if codes.size else 0
    if not 2 <= n_labels <= X.shape[0] - 1:
        raise ValueError(
            f"labels must contain between 2 and n_samples - 1 = {X.shape[0] - 1} distinct "
            f"clusters, got {n_labels}"
        )
    return X, codes.ravel(), int(n_labels)


def silhouette_samples(X, labels, *, metric="euclidean"):
    """Silhouette coefficient of every sample.

    ``s_i = (b_i - a_i) / max(a_i, b_i)`` with ``a_i`` the mean distance from
    ``x_i`` to the other members of its cluster and ``b_i`` the smallest mean
    distance to the members of another cluster; ``s_i = 0`` in a cluster of one.

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Samples.
    labels : array-like of shape (n_samples,)
        Cluster label of every sample (any hashable values); between 2 and
        ``n_samples - 1`` distinct labels.
    metric : str, default "euclidean"
        Any metric name accepted by :func:`scipy.spatial.distance.cdist`.

    Returns
    -------
    ndarray of shape (n_samples,)
        Values in [-1, 1]; near 1 means well inside its own cluster.
    """
    X, codes, k = _check_labels(X, labels)
    n = X.shape[0]
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    sizes = onehot.sum(axis=0)
    chunk = max(1, _CHUNK_ELEMENTS // n)
    a = np.empty(n)
    b = np.empty(n)
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        mean_dist = cdist(X[rows], X, metric=metric) @ onehot  # sums per cluster
        own = codes[rows]
        idx = np.arange(mean_dist.shape[0])
        own_sum = mean_dist[idx, own]
        mean_dist /= sizes
        mean_dist[idx, own] = np.inf
        b[rows] = mean_dist.min(axis=1)
        denom = sizes[own] - 1
        a[rows] = np.divide(own_sum, denom, out=np.zeros_like(own_sum), where=denom > 0)
    top = np.maximum(a, b)
    s = np.divide(b - a, top, out=np.zeros(n), where=top > 0)
    s[sizes[codes] == 1] = 0.0
    return s


def silhouette_score(X, labels, *, metric="euclidean"):
    """Mean silhouette coefficient over all samples.

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Samples.
    labels : array-like of shape (n_samples,)
        Cluster labels (2 to ``n_samples - 1`` distinct values).
    metric : str, default "euclidean"
        Metric name for :func:`scipy.spatial.distance.cdist`.

    Returns
    -------
    float
        In [-1, 1]; close to 1 when points sit near their own cluster and far
        from the others.
    """
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))


# --- information criteria -----------------------------------------------------


def _check_criterion_args(log_likelihood, n_params, n_samples=None):
    if isinstance(log_likelihood, bool) or not isinstance(log_likelihood, numbers.Real):
        raise TypeError(
            f"log_likelihood must be a real number, got {type(log_likelihood).__name__}"
        )
    if not np.isfinite(log_likelihood):
        raise ValueError(f"log_likelihood must be finite, got {log_likelihood}")
    check_integer(n_params, "n_params", minimum=0)
    if n_samples is not None:
        check_integer(n_samples, "n_samples", minimum=1)


def bic(log_likelihood, n_params, n_samples):
    """Bayesian information criterion, ``-2 log L + p log n`` (lower is better).

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    log_likelihood : float
        Maximised total log-likelihood (summed over samples, not averaged).
    n_params : int
        Number of free parameters ``p``.
    n_samples : int
        Number of samples ``n``.

    Returns
    -------
    float
    """
    _check_criterion_args(log_likelihood, n_params, n_samples)
    return -2.0 * float(log_likelihood) + n_params * math.log(n_samples)


def aic(log_likelihood, n_params):
    """Akaike information criterion, ``-2 log L + 2 p`` (lower is better).

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    log_likelihood : float
        Maximised total log-likelihood.
    n_params : int
        Number of free parameters ``p``.

    Returns
    -------
    float
    """
    _check_criterion_args(log_likelihood, n_params)
    return -2.0 * float(log_likelihood) + 2.0 * n_params


def gaussian_mixture_n_parameters(n_components, n_features, covariance_type="full"):
    """Number of free parameters of a Gaussian mixture.

    ``k - 1`` weights, ``k d`` means, and per ``covariance_type``:
    ``k d (d + 1) / 2`` (full), ``d (d + 1) / 2`` (tied), ``k d`` (diag),
    ``k`` (spherical).

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    n_components : int
        Number of components ``k``.
    n_features : int
        Dimension ``d``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
        Covariance structure.

    Returns
    -------
    int
    """
    k = check_integer(n_components, "n_components", minimum=1)
    d = check_integer(n_features, "n_features", minimum=1)
    return n_parameters(k, d, covariance_type)
