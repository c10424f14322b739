"""Log-likelihood, ELBO and KL: the quantities EM moves and the identity between them.

For ANY distribution ``q`` over the components of each sample (rows of
``resp``),

    log-likelihood = ELBO(q, theta) + KL(q || p(z | x, theta)),
    ELBO(q, theta) = E_q[log p(x, z | theta)] + H(q).

The E-step makes the KL term zero; the M-step raises the ELBO. All values are
averages over the samples, like scikit-learn's ``score``.
:func:`collapsing_log_likelihood` shows why maximum likelihood needs
``reg_covar``: a component shrinking onto one sample drives it to infinity.

See the chapter :ref:`why-em-works`.
"""

import numpy as np
from scipy.special import logsumexp

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_positive, check_weights
from mixgrad.mixture.em import (
    _check_model,
    _check_resp,
    _objective,
    _weighted_log_prob,
    check_labels,
)

__all__ = ["log_likelihood", "elbo", "kl", "collapsing_log_likelihood"]


# --- likelihood, ELBO, KL ------------------------------------------------------


@fill_doc
def log_likelihood(X, weights, means, precisions_cholesky, covariance_type, *, labels=None):
    """Mean log-likelihood ``(1/n) sum_i log sum_k pi_k N(x_i | mu_k, Sigma_k)``.

    %(parameters_X_model)s
    labels : array-like of int of shape (n_samples,), optional
        Partial labels; labelled samples contribute ``log p(x_i, z_i = y_i)``.

    Returns
    -------
    float
    """
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky, covariance_type)
    wlp = _weighted_log_prob(X, weights, means, prec, covariance_type)
    if labels is not None:
        labels = check_labels(labels, *wlp.shape)
    return float(np.mean(_objective(wlp, logsumexp(wlp, axis=1), labels)))


def _entropy(resp):
    """Mean entropy ``-(1/n) sum_ik r_ik log r_ik`` (with 0 log 0 = 0)."""
    positive = resp > 0
    return float(-np.sum(resp[positive] * np.log(resp[positive])) / resp.shape[0])


def _expected_log_joint(resp, wlp):
    """Mean of ``sum_k r_ik log p(x_i, z_i = k)``; terms with r_ik = 0 count as 0."""
    positive = resp > 0
    return float(np.sum(resp[positive] * wlp[positive]) / resp.shape[0])


@fill_doc
def elbo(X, resp, weights, means, precisions_cholesky, covariance_type):
    """Evidence lower bound ``E_q[log p(x, z)] + H(q)``, averaged over samples.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Any distribution ``q(z_i = k) = resp[i, k]`` over the components
        (non-negative rows summing to 1).
    %(model)s

    Returns
    -------
    float
        At most :func:`log_likelihood`; equal when ``resp`` is the posterior.
    """
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky, covariance_type)
    resp = _check_resp(resp, X.shape[0], means.shape[0])
    wlp = _weighted_log_prob(X, weights, means, prec, covariance_type)
    return _expected_log_joint(resp, wlp) + _entropy(resp)


def kl(resp, posterior_resp):
    """Mean Kullback-Leibler divergence ``(1/n) sum_i KL(q_i || p_i)``.

    Parameters
    ----------
    resp : array-like of shape (n_samples, n_components)
        The distributions ``q_i`` (rows sum to 1).
    posterior_resp : array-like of shape (n_samples, n_components)
        The distributions ``p_i``, e.g. the posterior responsibilities from
        :func:`responsibilities`.

    Returns
    -------
    float
        Non-negative; ``inf`` if some ``q_ik > 0`` where ``p_ik = 0``.
    """
    resp = _check_resp(resp)
    posterior = _check_resp(posterior_resp, *resp.shape, name="posterior_resp")
    positive = resp > 0
    if np.any(posterior[positive] == 0):
        return float("inf")
    q, p = resp[positive], posterior[positive]
    return float(np.sum(q * (np.log(q) - np.log(p))) / resp.shape[0])


# --- the singularity of maximum likelihood --------------------------------------


def collapsing_log_likelihood(
    sigmas, X=(-1.0, 1.0, 3.0), *, means=(0.0, 3.0), other_sigma=1.0, weights=(0.5, 0.5)
):
    """Mean log-likelihood while one component collapses onto a data point.

    The 1-D two-component mixture of the seed example: data ``x = (-1, 1, 3)``,
    one component ``N(0, 1)``, the other centred on ``x_3 = 3`` with standard
    deviation ``sigma -> 0``. Its density at ``x_3`` grows like ``1 / sigma``
    while the other points keep the first component's density, so the
    likelihood increases without bound: maximum likelihood has no maximiser
    unless the variances are kept away from zero (``reg_covar``).

    Parameters
    ----------
    sigmas : array-like of shape (n_sigmas,)
        Positive standard deviations of the collapsing component.
    X : array-like of shape (n_samples,), default (-1, 1, 3)
        One-dimensional data.
    means : array-like of shape (2,), default (0, 3)
        Means of the fixed and of the collapsing component.
    other_sigma : float, default 1
        Standard deviation of the fixed component.
    weights : array-like of shape (2,), default (0.5, 0.5)

    Returns
    -------
    ndarray of shape (n_sigmas,)
        Finite values that grow like ``-log(sigma) / n`` as ``sigma -> 0``.
    """
    sigmas = check_finite_array(sigmas, "sigmas", ndim=1)
    if np.any(sigmas <= 0):
        raise ValueError("sigmas must be positive standard deviations")
    X = check_finite_array(X, "X", ndim=1)[:, None]
    means = check_finite_array(means, "means", ndim=1)[:, None]
    if means.shape != (2, 1):
        raise ValueError(f"means must hold two values, got shape {means.shape[:1]}")
    other = check_positive(other_sigma, "other_sigma")
    weights = check_weights(weights, 2)
    out = np.empty(sigmas.shape)
    with np.errstate(over="ignore"):  # far points under a tiny sigma: density exp(-inf) = 0
        for j, sigma in enumerate(sigmas):
            prec = 1.0 / np.array([other, sigma])  # Cholesky factors of the precisions
            wlp = _weighted_log_prob(X, weights, means, prec, "spherical")
            out[j] = np.mean(logsumexp(wlp, axis=1))
    return out
