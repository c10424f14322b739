"""Between k-means and EM: the soft k-means family and hard (classification) EM.

*Soft k-means* is EM for a mixture with equal weights and every covariance
fixed at ``c I``. Its responsibilities are a softmax of ``-||x - mu||^2 / (2c)``
and become the hard nearest-centre assignments of k-means as ``c -> 0``.

*Hard EM* keeps weights and covariances but replaces the responsibilities by
the most probable component (the mode of the posterior), like k-means. Its
objective, the complete-data log-likelihood with those hard labels, never
decreases.

See the chapter :ref:`kmeans-limit`.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import (
    check_finite_array,
    check_integer,
    check_positive,
    check_weights,
    cholesky_or_raise,
    covariance_cholesky,
)
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture._loop import EMResult, warn_not_converged
from mixgrad.mixture.kmeans import squared_distances
from mixgrad.mixture.toy import _softmax, toy_em_means

__all__ = [
    "soft_kmeans_responsibilities",
    "soft_kmeans",
    "SoftKMeansResult",
    "hard_em",
    "HardEMResult",
]


def _check_X_centers(X, centers, name="centers"):
    X = check_finite_array(X, "X", ndim=2)
    centers = check_finite_array(centers, name, ndim=2)
    if centers.shape[1] != X.shape[1]:
        raise ValueError(
            f"{name} must have n_features = {X.shape[1]} columns like X, got shape {centers.shape}"
        )
    if centers.shape[0] < 1 or X.shape[0] < 1:
        raise ValueError(f"X and {name} must be non-empty")
    return X, centers


# --- soft k-means (Sigma = c I, equal weights) --------------------------------


@fill_doc
def soft_kmeans_responsibilities(X, centers, c):
    """Responsibilities of an equal-weight mixture with covariances ``c I``.

    ``R[i, j] = exp(-q_ij / c) / sum_l exp(-q_il / c)`` with
    ``q_ij = ||x_i - mu_j||^2 / 2``, computed with log-sum-exp so that tiny
    ``c`` gives exact one-hot rows (ties split evenly) instead of 0/0.

    See the chapter :ref:`kmeans-limit`.

    %(parameters_X)s
    centers : array-like of shape (n_clusters, n_features)
        Component means.
    c : float
        Common variance, ``> 0``; ``c -> 0`` gives k-means' hard assignments.

    Returns
    -------
    ndarray of shape (n_samples, n_clusters)
        Rows sum to 1.
    """
    X, centers = _check_X_centers(X, centers)
    c = check_positive(c, "c")
    return _softmax(-0.5 * squared_distances(X, centers) / c)


@dataclass(kw_only=True)
class SoftKMeansResult(EMResult):
    """Outcome of :func:`soft_kmeans` (an :class:`~mixgrad.mixture.EMResult`).

    Attributes
    ----------
    centers : ndarray of shape (n_clusters, n_features)
        Final means.
    responsibilities : ndarray of shape (n_samples, n_clusters)
        Responsibilities at the final means.
    log_likelihood, n_iter, converged
        See :class:`~mixgrad.mixture.EMResult`; the log-likelihood is that of
        the equal-weight ``c I`` mixture, and converged means the largest
        centre move fell to ``tol`` or below.
    history : dict of ndarray
        ``"centers"`` (n_iter + 1, n_clusters, n_features) and
        ``"log_likelihood"`` (n_iter + 1,), non-decreasing.
    """

    centers: np.ndarray
    responsibilities: np.ndarray


@fill_doc
def soft_kmeans(X, centers_init, c, *, max_iter=100, tol=1e-8):
    """EM for the equal-weight mixture with every covariance fixed at ``c I``.

    Only the means move: ``mu_j = sum_i R_ij x_i / sum_i R_ij``. This is the
    toy EM of :func:`~mixgrad.mixture.toy_em_means` with ``sigma = sqrt(c)``,
    in k-means' names.

    See the chapter :ref:`kmeans-limit`.

    %(parameters_X)s
    centers_init : array-like of shape (n_clusters, n_features)
        Initial means.
    c : float
        Fixed common variance, ``> 0``.
    max_iter : int, default 100
        Maximum number of iterations.
    tol : float, default 1e-8
        Stop when no centre coordinate moves by more than ``tol``.

    Returns
    -------
    SoftKMeansResult

    %(warns_tol)s
    """
    X, centers = _check_X_centers(X, centers_init, "centers_init")
    c = check_positive(c, "c")
    max_iter = check_integer(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol", strict=False)
    with warnings.catch_warnings():  # warned below, in soft k-means' own terms
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = toy_em_means(X, centers, sigma=np.sqrt(c), n_iter=max_iter, tol=tol)
    if not fit.converged:
        warn_not_converged("soft k-means", max_iter, stacklevel=2)
    history = {"centers": fit.history["means"], "log_likelihood": fit.history["log_likelihood"]}
    return SoftKMeansResult(
        centers=fit.means,
        responsibilities=fit.responsibilities,
        log_likelihood=fit.log_likelihood,
        n_iter=fit.n_iter,
        converged=fit.converged,
        history=history,
    )


# --- hard (classification) EM ---------------------------------------------------


@dataclass(kw_only=True)
class HardEMResult(EMResult):
    """Outcome of :func:`hard_em` (an :class:`~mixgrad.mixture.EMResult`).

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
        Final weights (fractions of points per component).
    means : ndarray of shape (n_components, n_features)
        Final means.
    covariances : ndarray of shape (n_components, n_features, n_features)
        Final covariances.
    labels : ndarray of int of shape (n_samples,)
        Hard assignment of every sample.
    log_likelihood : float
        Final value of the objective (see :func:`hard_em`).
    n_iter : int
        Number of iterations.
    converged : bool
        Whether the labels stopped changing.
    history : dict of ndarray
        ``"labels"`` (n_iter, n_samples), the labels of every iteration, and
        ``"log_likelihood"`` (n_iter,), the objective after it
        (non-decreasing). Hard EM has no objective before its first
        labelling, so its history starts after iteration 1.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    labels: np.ndarray


def _hard_scores(X, weights, means, chol, reg_covar):
    """Per-component score log pi_k + log N(x | mu_k, Sigma_k) - reg/2 tr(Sigma_k^-1)."""
    n, d = X.shape
    scores = np.empty((n, means.shape[0]))
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    for k, L in enumerate(chol):
        # Invert the small d x d factor with numpy; scipy's triangular solve on
        # an (d, n) right-hand side is far slower with a threaded BLAS.
        L_inv = np.linalg.inv(L)
        y = (X - means[k]) @ L_inv.T
        log_det = 2.0 * np.log(np.diag(L)).sum()
        scores[:, k] = -0.5 * (np.einsum("ij,ij->i", y, y) + log_det + d * np.log(2 * np.pi))
        if reg_covar > 0:
            scores[:, k] -= 0.5 * reg_covar * np.einsum("ij,ij->", L_inv, L_inv)
        scores[:, k] += log_w[k]
    return scores


def _check_hard_em_input(X, weights, means, covariances):
    X = check_finite_array(X, "X", ndim=2)
    means = check_finite_array(means, "means", ndim=2)
    k, d = means.shape
    if d != X.shape[1]:
        raise ValueError(f"means must have {X.shape[1]} columns like X, got shape {means.shape}")
    if k > X.shape[0]:
        raise ValueError(f"n_components={k} exceeds the number of samples {X.shape[0]}")
    weights = check_weights(weights, k)
    covariances = check_finite_array(covariances, "covariances", ndim=3)
    if covariances.shape != (k, d, d):
        raise ValueError(f"covariances must have shape {(k, d, d)}, got {covariances.shape}")
    chol = np.stack([covariance_cholesky(covariances[j], f"covariances[{j}]") for j in range(k)])
    return X, weights, means.copy(), covariances.copy(), chol


@fill_doc
def hard_em(
    X,
    weights,
    means,
    covariances,
    *,
    max_iter=100,
    reg_covar=1e-6,
    update_weights=True,
    update_covariances=True,
):
    """Hard (classification) EM: k-means with weights and full covariances.

    E-step: every sample goes to the component of largest score
    ``log pi_k + log N(x | mu_k, Sigma_k) - reg_covar / 2 tr(Sigma_k^-1)``.
    M-step: ``pi_k = n_k / n``, ``mu_k`` the mean of its samples and
    ``Sigma_k`` their (biased) covariance plus ``reg_covar I``.

    The objective is the sum of the chosen scores. With ``reg_covar = 0`` it
    is exactly the complete-data log-likelihood with hard labels; the extra
    trace term is what makes ``S_k + reg_covar I`` the exact maximiser in the
    M-step (it is the complete-data log-likelihood of the data blurred by
    ``N(0, reg_covar I)`` noise), so the objective never decreases.

    A component that loses all its samples keeps its mean and covariance with
    weight 0 and is never chosen again.

    See the chapter :ref:`kmeans-limit`.

    %(parameters_X)s
    weights : array-like of shape (n_components,)
        Initial weights, summing to 1.
    means : array-like of shape (n_components, n_features)
        Initial means.
    covariances : array-like of shape (n_components, n_features, n_features)
        Initial covariances, symmetric positive definite.
    max_iter : int, default 100
        Maximum number of iterations.
    reg_covar : float, default 1e-6
        Non-negative ridge added to every covariance (guards against a
        component collapsing onto one point, where the likelihood is infinite).
    update_weights, update_covariances : bool, default True
        Set to False to keep the initial weights / covariances fixed (fixed
        equal weights and ``covariances = I`` give k-means).

    Returns
    -------
    HardEMResult

    Raises
    ------
    ValueError
        If a component's covariance becomes singular (e.g. it holds fewer
        than ``n_features + 1`` distinct samples and ``reg_covar = 0``).

    Warns
    -----
    ConvergenceWarning
        If the labels still change at ``max_iter``.
    """
    X, weights, means, covariances, chol = _check_hard_em_input(X, weights, means, covariances)
    max_iter = check_integer(max_iter, "max_iter", minimum=1)
    reg_covar = check_positive(reg_covar, "reg_covar", strict=False)
    n, d = X.shape
    labels_old = None
    history, history_labels = [], []
    converged = False
    for _ in range(max_iter):
        labels = np.argmax(_hard_scores(X, weights, means, chol, reg_covar), axis=1)
        if labels_old is not None and np.array_equal(labels, labels_old):
            converged = True
            break
        counts = np.bincount(labels, minlength=means.shape[0])
        if update_weights:
            weights = counts / n
        for k in np.flatnonzero(counts):
            Xk = X[labels == k]
            means[k] = Xk.mean(axis=0)
            if update_covariances:
                diff = Xk - means[k]
                covariances[k] = diff.T @ diff / counts[k] + reg_covar * np.eye(d)
                chol[k] = cholesky_or_raise(
                    covariances[k],
                    f"component {k} has a singular covariance ({counts[k]} sample(s)); "
                    "increase reg_covar, use fewer components, or scale the data",
                )
        scores = _hard_scores(X, weights, means, chol, reg_covar)
        history.append(float(scores[np.arange(n), labels].sum()))
        history_labels.append(labels)
        labels_old = labels
    if not converged:
        warn_not_converged("hard EM", max_iter)
    return HardEMResult(
        weights=weights,
        means=means,
        covariances=covariances,
        labels=labels_old,
        log_likelihood=history[-1],
        n_iter=len(history),
        converged=converged,
        history={"labels": np.array(history_labels), "log_likelihood": np.array(history)},
    )
