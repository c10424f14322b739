"""The means-only toy EM: 1-D, k components, fixed sigma, equal weights.

Only the means are learnt, so every step fits on a slide:

- E-step: ``R[i, j] = exp(-(x_i - mu_j)^2 / (2 sigma^2)) / sum_l (...)``
- M-step: ``mu_j = sum_i R[i, j] x_i / sum_i R[i, j]``

and the log-likelihood ``sum_i log(1/k sum_j N(x_i | mu_j, sigma^2))`` never
decreases.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from mixgrad._validation import check_finite_array, check_integer, check_positive
from mixgrad.exceptions import ConvergenceWarning

__all__ = ["ToyEMResult", "toy_em_means", "toy_log_likelihood", "toy_responsibilities"]


@dataclass
class ToyEMResult:
    """Outcome of :func:`toy_em_means`.

    Attributes
    ----------
    means : ndarray of shape (n_components,)
        Final means.
    responsibilities : ndarray of shape (n_samples, n_components)
        Responsibilities at the final means.
    log_likelihood : float
        Log-likelihood at the final means.
    n_iter : int
        Number of EM iterations run.
    converged : bool
        Whether the largest change of a mean fell to ``tol`` or below.
    history_means : ndarray of shape (n_iter + 1, n_components)
        Means before the first and after every iteration.
    history_log_likelihood : ndarray of shape (n_iter + 1,)
        Log-likelihood of every row of ``history_means``; non-decreasing.
    """

    means: np.ndarray
    responsibilities: np.ndarray
    log_likelihood: float
    n_iter: int
    converged: bool
    history_means: np.ndarray
    history_log_likelihood: np.ndarray


def _log_joint(x, means, sigma):
    """log(1/k N(x_i | mu_j, sigma^2)), shape (n, k)."""
    k = means.shape[0]
    z = (x[:, None] - means[None, :]) / sigma
    return -0.5 * z**2 - np.log(sigma) - 0.5 * np.log(2 * np.pi) - np.log(k)


def _check(x, means, sigma):
    x = check_finite_array(x, "x", ndim=1)
    if x.size == 0:
        raise ValueError("x must contain at least one sample")
    means = check_finite_array(means, "means_init", ndim=1)
    if means.size == 0:
        raise ValueError("means_init must contain at least one mean")
    return x, means, check_positive(sigma, "sigma")


def toy_responsibilities(x, means, *, sigma=1.0):
    """E-step of the toy model.

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Data.
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
    log_joint = _log_joint(x, means, sigma)
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


def toy_log_likelihood(x, means, *, sigma=1.0):
    """Log-likelihood of the toy model, ``sum_i log(1/k sum_j N(x_i | mu_j, sigma^2))``.

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Data.
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
    x : array-like of shape (n_samples,)
        Data.
    means_init : array-like of shape (n_components,)
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
    n_iter = check_integer(n_iter, "n_iter", minimum=1)
    if tol is not None:
        tol = check_positive(tol, "tol", strict=False)
    history_means = [means.copy()]
    history_ll = [float(logsumexp(_log_joint(x, means, sigma), axis=1).sum())]
    converged = False
    for _ in range(n_iter):
        log_joint = _log_joint(x, means, sigma)
        R = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
        counts = R.sum(axis=0)
        # A component no point claims (counts == 0) keeps its mean.
        safe = counts > 10 * np.finfo(float).tiny
        new = means.copy()
        new[safe] = (R[:, safe].T @ x) / counts[safe]
        shift = float(np.max(np.abs(new - means)))
        means = new
        history_means.append(means.copy())
        history_ll.append(float(logsumexp(_log_joint(x, means, sigma), axis=1).sum()))
        if tol is not None and shift <= tol:
            converged = True
            break
    if tol is not None and not converged:
        warnings.warn(
            f"toy EM did not converge in n_iter={n_iter} iterations; increase n_iter or tol",
            ConvergenceWarning,
            stacklevel=2,
        )
    log_joint = _log_joint(x, means, sigma)
    R = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    return ToyEMResult(
        means=means,
        responsibilities=R,
        log_likelihood=history_ll[-1],
        n_iter=len(history_means) - 1,
        converged=converged,
        history_means=np.array(history_means),
        history_log_likelihood=np.array(history_ll),
    )
