"""The means-only toy EM: k components, fixed sigma, equal weights.

Only the means are learnt, so every step fits on a slide:

- E-step: ``R[i, j] = exp(-(x_i - mu_j)^2 / (2 sigma^2)) / sum_l (...)``
- M-step: ``mu_j = sum_i R[i, j] x_i / sum_i R[i, j]``

and the log-likelihood ``sum_i log(1/k sum_j N(x_i | mu_j, sigma^2))`` never
decreases. The lecture notes' version is 1-D; the same code runs on points
of any dimension (``sigma^2 I`` covariances), where it is soft k-means
(:func:`mixgrad.mixture.soft_kmeans`).

See the chapter :ref:`em-gaussian-mixtures`.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer, check_positive
from mixgrad.mixture._loop import EMResult, run_em
from mixgrad.mixture.gaussian import _log_gaussian_prob

__all__ = ["ToyEMResult", "toy_em_means", "toy_log_likelihood", "toy_responsibilities"]


@dataclass(kw_only=True)
class ToyEMResult(EMResult):
    """Outcome of :func:`toy_em_means` (an :class:`~mixgrad.mixture.EMResult`).

    Attributes
    ----------
    means : ndarray of shape (n_components,) or (n_components, n_features)
        Final means, shaped like ``means_init``.
    responsibilities : ndarray of shape (n_samples, n_components)
        Responsibilities at the final means.
    log_likelihood, n_iter, converged
        See :class:`~mixgrad.mixture.EMResult`; converged means the largest
        change of a mean fell to ``tol`` or below.
    history : dict of ndarray
        ``"means"`` (n_iter + 1, n_components[, n_features]) and
        ``"log_likelihood"`` (n_iter + 1,), non-decreasing.
    """

    means: np.ndarray
    responsibilities: np.ndarray


def _log_joint(x, means, sigma):
    """log(1/k N(x_i | mu_j, sigma^2 I)) for 2-D x and means, shape (n, k)."""
    k = means.shape[0]
    return _log_gaussian_prob(x, means, np.full(k, 1.0 / sigma), "spherical") - np.log(k)


def _softmax(log_joint):
    """Rows of ``exp(log_joint)`` normalised to 1, shifted by the row maximum.

    Shifting by the maximum rather than subtracting the log-sum-exp keeps
    rows one-hot to machine precision when the scores are huge (tiny sigma).
    """
    resp = np.exp(log_joint - log_joint.max(axis=1, keepdims=True))
    return resp / resp.sum(axis=1, keepdims=True)


def _check(x, means, sigma, x_name="x", means_name="means_init"):
    x = check_finite_array(x, x_name, ndim=(1, 2))
    if x.shape[0] == 0:
        raise ValueError(f"{x_name} must contain at least one sample")
    means = check_finite_array(means, means_name, ndim=x.ndim)
    if means.shape[0] == 0:
        raise ValueError(f"{means_name} must contain at least one mean")
    if means.shape[1:] != x.shape[1:]:
        raise ValueError(
            f"{means_name} must have n_features = {x.shape[1]} columns like {x_name}, "
            f"got shape {means.shape}"
        )
    # 1-D data is one feature: work on columns, hand back the caller's shape.
    sigma = check_positive(sigma, "sigma")
    return x.reshape(x.shape[0], -1), means.reshape(means.shape[0], -1), sigma


@fill_doc
def toy_responsibilities(x, means, *, sigma=1.0):
    """E-step of the toy model.

    See the chapter :ref:`em-gaussian-mixtures`.

    %(parameters_x_data)s
    means : array-like of shape (n_components,)
        Current means.
    sigma : float, default 1.0
        The fixed standard deviation shared by all components.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
        Responsibilities (rows sum to 1), computed with log-sum-exp.
    """
    x, means, sigma = _check(x, means, sigma)
    return _softmax(_log_joint(x, means, sigma))


@fill_doc
def toy_log_likelihood(x, means, *, sigma=1.0):
    """Log-likelihood of the toy model, ``sum_i log(1/k sum_j N(x_i | mu_j, sigma^2))``.

    See the chapter :ref:`em-gaussian-mixtures`.

    %(parameters_x_data)s
    means : array-like of shape (n_components,)
        Means.
    sigma : float, default 1.0
        The fixed standard deviation.

    Returns
    -------
    float
    """
    x, means, sigma = _check(x, means, sigma)
    return float(logsumexp(_log_joint(x, means, sigma), axis=1).sum())


def toy_em_means(x, means_init, *, sigma=1.0, n_iter=100, tol=1e-8):
    """Run the means-only EM of the lecture notes.

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, n_features)
        Data.
    means_init : array-like of shape (n_components,) or (n_components, n_features)
        Initial means (distinct values, or EM can never separate them).
    sigma : float, default 1.0
        Fixed standard deviation of every component.
    n_iter : int, default 100
        Maximum number of iterations.
    tol : float or None, default 1e-8
        Stop once no mean moves by more than ``tol``. ``None`` runs exactly
        ``n_iter`` iterations (e.g. to draw the first few) without warning.

    Returns
    -------
    ToyEMResult
        Final means, responsibilities and log-likelihood, and the
        per-iteration history of means and log-likelihood.

    Warns
    -----
    ConvergenceWarning
        If ``tol`` is given and not met within ``n_iter`` iterations.
    """
    x, means, sigma = _check(x, means_init, sigma)
    shape = np.shape(means_init)
    n_iter = check_integer(n_iter, "n_iter", minimum=1)
    if tol is not None:
        tol = check_positive(tol, "tol", strict=False)

    def em_step(params):
        R = _softmax(_log_joint(x, params["means"], sigma))  # E-step
        counts = R.sum(axis=0)
        claimed = counts > 0  # a component no point claims keeps its mean
        new = params["means"].copy()
        new[claimed] = (R[:, claimed].T @ x) / counts[claimed, None]  # M-step
        return {"means": new}

    def log_likelihood(params):
        return float(logsumexp(_log_joint(x, params["means"], sigma), axis=1).sum())

    final, fit = run_em(
        em_step, {"means": means}, log_likelihood,
        max_iter=n_iter, tol=tol, what="toy EM", budget="n_iter",
    )
    fit["history"]["means"] = fit["history"]["means"].reshape((fit["n_iter"] + 1,) + shape)
    return ToyEMResult(
        means=final["means"].reshape(shape),
        responsibilities=_softmax(_log_joint(x, final["means"], sigma)),
        **fit,
    )
