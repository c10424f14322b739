"""Why EM works: the lower bound as a function of theta, and the E-step's optimality.

For fixed responsibilities ``q`` (rows of ``resp``) the evidence lower bound
``ELBO(q, theta)`` is a function of the parameters that never exceeds the
log-likelihood and touches it where ``q`` is the posterior. This module
evaluates both along one coordinate of the means (the picture of the bound
touching the curve), draws random feasible ``q``'s (none beats the posterior),
and gives the augmented likelihood ``L(theta; R)`` and the Lagrangian of seed
004's second argument for the E-step, with its gradient and multipliers.

Unlike :func:`~mixgrad.mixture.elbo` (a mean over the samples), the
augmented likelihood and the Lagrangian here are SUMS over the samples, as in
the seed: ``L(theta; R) = n * ELBO``.

See the chapter :ref:`why-em-works`.
"""

import numpy as np
from scipy.special import logsumexp

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer, check_positive, check_rng
from mixgrad.mixture.em import _check_model, _check_resp, _log_resp, _weighted_log_prob
from mixgrad.mixture.likelihood import _entropy, _expected_log_joint

__all__ = [
    "lower_bound_curve",
    "random_responsibilities",
    "augmented_likelihood",
    "lagrangian",
    "lagrangian_gradient",
    "lagrangian_multipliers",
]


# --- the bound as a function of one parameter -----------------------------------


def _check_index(value, name, size):
    value = check_integer(value, name, minimum=0)
    if value >= size:
        raise ValueError(f"{name}={value} is out of range; it must be below {size}")
    return value


def lower_bound_curve(X, weights, means, precisions_cholesky, covariance_type, values, *,
                      component=0, feature=0, resp=None):
    """Log-likelihood and ELBO (``q`` fixed) as one coordinate of the means varies.

    Every other parameter stays at its given value; ``means[component, feature]``
    takes each of ``values``. With the default ``resp`` (the posterior at the
    given parameters) the ELBO curve lies below the log-likelihood curve and
    touches it at the given mean: the picture of an E-step. Its maximiser is
    the M-step's update of that coordinate when the others are held fixed.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    weights : array-like of shape (n_components,)
    means : array-like of shape (n_components, n_features)
    precisions_cholesky : array-like
        Cholesky factors of the precisions, shaped per ``covariance_type``.
    covariance_type : {"full", "tied", "diag", "spherical"}
    values : array-like of shape (n_values,)
        Values taken by ``means[component, feature]``.
    component : int, default 0
        Which component's mean moves.
    feature : int, default 0
        Which coordinate of that mean moves.
    resp : array-like of shape (n_samples, n_components), optional
        The fixed distributions ``q`` (rows summing to 1); default the
        posterior responsibilities at the given parameters.

    Returns
    -------
    log_likelihood : ndarray of shape (n_values,)
        Mean log-likelihood at each value.
    elbo : ndarray of shape (n_values,)
        Mean ELBO with ``q = resp`` at each value (at most ``log_likelihood``).
    """
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky,
                                           covariance_type)
    values = check_finite_array(values, "values", ndim=1)
    component = _check_index(component, "component", means.shape[0])
    feature = _check_index(feature, "feature", means.shape[1])
    if resp is None:
        log_resp, _ = _log_resp(_weighted_log_prob(X, weights, means, prec, covariance_type))
        resp = np.exp(log_resp)
    else:
        resp = _check_resp(resp, *X.shape[:1], means.shape[0])
    entropy = _entropy(resp)
    log_likelihood, elbo = np.empty(values.shape), np.empty(values.shape)
    moved = means.copy()
    for i, value in enumerate(values):
        moved[component, feature] = value
        wlp = _weighted_log_prob(X, weights, moved, prec, covariance_type)
        log_likelihood[i] = np.mean(logsumexp(wlp, axis=1))
        elbo[i] = _expected_log_joint(resp, wlp) + entropy
    return log_likelihood, elbo


@fill_doc
def random_responsibilities(n_samples, n_components, rng, *, concentration=1.0):
    """Random feasible responsibilities: each row drawn from a Dirichlet distribution.

    Parameters
    ----------
    n_samples : int
        Number of rows (>= 1).
    n_components : int
        Number of columns (>= 1).
    %(rng)s
    concentration : float, default 1.0
        Dirichlet concentration (> 0); 1 is uniform on the simplex, small
        values give nearly one-hot rows, large values nearly uniform rows.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
        Non-negative entries, every row summing to 1.
    """
    n_samples = check_integer(n_samples, "n_samples", minimum=1)
    n_components = check_integer(n_components, "n_components", minimum=1)
    concentration = check_positive(concentration, "concentration")
    rng = check_rng(rng)
    return rng.dirichlet(np.full(n_components, concentration), size=n_samples)


# --- the augmented likelihood and the Lagrangian of the E-step --------------------


@fill_doc
def augmented_likelihood(X, resp, weights, means, precisions_cholesky, covariance_type):
    """Seed 004's augmented likelihood ``L(theta; R) = sum_ij R_ij log(p(x_i, z_i = j) / R_ij)``.

    The sum (not the mean) over samples of the ELBO: ``L(theta; R) = n ELBO``,
    with ``0 log 0 = 0``. EM is coordinate ascent on it: the E-step maximises
    over ``R``, the M-step over ``theta``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Responsibilities ``R`` (non-negative rows summing to 1).
    %(model)s

    Returns
    -------
    float
        At most the summed log-likelihood; equal when ``R`` is the posterior.
    """
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky,
                                           covariance_type)
    resp = _check_resp(resp, X.shape[0], means.shape[0])
    wlp = _weighted_log_prob(X, weights, means, prec, covariance_type)
    n = X.shape[0]
    return n * (_expected_log_joint(resp, wlp) + _entropy(resp))


def _joint(X, weights, means, precisions_cholesky, covariance_type, resp):
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky,
                                           covariance_type)
    resp = check_finite_array(resp, "resp", ndim=2)
    if resp.shape != (X.shape[0], means.shape[0]):
        raise ValueError(
            f"resp must have shape (n_samples, n_components) = {(X.shape[0], means.shape[0])}, "
            f"got {resp.shape}"
        )
    if np.any(resp <= 0):
        raise ValueError("resp must be strictly positive here (the Lagrangian has log R)")
    return resp, _weighted_log_prob(X, weights, means, prec, covariance_type)


def _check_multipliers(multipliers, n_samples):
    multipliers = check_finite_array(multipliers, "multipliers", ndim=1)
    if multipliers.shape != (n_samples,):
        raise ValueError(
            f"multipliers must hold one value per sample ({n_samples}), got {multipliers.shape}"
        )
    return multipliers


@fill_doc
def lagrangian(X, resp, multipliers, weights, means, precisions_cholesky, covariance_type):
    """Lagrangian of ``max_R L(theta; R)`` subject to ``sum_j R_ij = 1``.

    ``sum_i [ sum_j R_ij log p(x_i, z_i = j) - R_ij log R_ij
    + lambda_i (sum_j R_ij - 1) ]``; ``R`` need not be normalised here.

    %(parameters_X_resp_positive)s
    multipliers : array-like of shape (n_samples,)
        One multiplier ``lambda_i`` per row constraint.
    %(model)s

    Returns
    -------
    float
    """
    resp, wlp = _joint(X, weights, means, precisions_cholesky, covariance_type, resp)
    multipliers = _check_multipliers(multipliers, resp.shape[0])
    rows = resp.sum(axis=1) - 1.0
    return float(np.sum(resp * (wlp - np.log(resp))) + multipliers @ rows)


@fill_doc
def lagrangian_gradient(X, resp, multipliers, weights, means, precisions_cholesky,
                        covariance_type):
    """Gradient of :func:`lagrangian` with respect to ``R``.

    ``dLagrangian / dR_ij = log p(x_i, z_i = j) - log R_ij - 1 + lambda_i``;
    it vanishes exactly at the posterior ``R_ij = p(z_i = j | x_i)`` with the
    multipliers of :func:`lagrangian_multipliers`.

    %(parameters_X_resp_positive)s
    multipliers : array-like of shape (n_samples,)
    %(model)s

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    resp, wlp = _joint(X, weights, means, precisions_cholesky, covariance_type, resp)
    multipliers = _check_multipliers(multipliers, resp.shape[0])
    return wlp - np.log(resp) - 1.0 + multipliers[:, None]


@fill_doc
def lagrangian_multipliers(X, weights, means, precisions_cholesky, covariance_type):
    """The multipliers at the stationary point: ``lambda_i = 1 - log p(x_i)``.

    From ``R_ij = p(x_i, z_i = j) exp(lambda_i - 1)`` and ``sum_j R_ij = 1``.

    %(parameters_X_model)s

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    X, weights, means, prec = _check_model(X, weights, means, precisions_cholesky,
                                           covariance_type)
    wlp = _weighted_log_prob(X, weights, means, prec, covariance_type)
    return 1.0 - logsumexp(wlp, axis=1)
