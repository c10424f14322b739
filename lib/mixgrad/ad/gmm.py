"""The Gaussian-mixture log-likelihood, written once for every mode.

``gmm_loglik`` is plain vectorised numpy: evaluated on arrays it is the
reference implementation; on Duals it gives directional derivatives; under
``value_and_grad`` it records about ten array nodes and returns the
gradient with respect to every parameter. Part II reuses it for "gradient
ascent versus EM".

See the chapter :ref:`forward-reverse`.
"""

import numpy as np

from mixgrad._validation import check_finite_array

from ._trace import TRACERS, primal
from .ops import log_det_cholesky, log_softmax, logsumexp, solve_triangular

__all__ = ["gmm_loglik"]

_LOG_2PI = np.log(2.0 * np.pi)


def _param(x, name, ndim):
    """Validate a parameter (plain arrays are checked and converted; tracers pass)."""
    if type(x) in TRACERS:
        shape = np.shape(primal(x))
        if len(shape) != ndim:
            raise ValueError(f"{name} must have {ndim} dimension(s), got shape {shape}")
        return x
    return check_finite_array(x, name, ndim=ndim)


def _check_shapes(X, means, log_weights, chol):
    n, d = np.shape(primal(X))
    k = np.shape(primal(means))[0]
    if np.shape(primal(means)) != (k, d):
        raise ValueError(
            f"means must have shape (n_components, n_features) = ({k}, {d}), "
            f"got {np.shape(primal(means))}"
        )
    if np.shape(primal(log_weights)) != (k,):
        raise ValueError(f"log_weights must have shape ({k},), got {np.shape(primal(log_weights))}")
    if np.shape(primal(chol)) != (k, d, d):
        raise ValueError(f"chol must have shape ({k}, {d}, {d}), got {np.shape(primal(chol))}")
    if n == 0:
        raise ValueError("X must contain at least one sample")


def gmm_loglik(X, means, log_weights, chol):
    """Mean log-likelihood of a Gaussian mixture with full covariances.

    The covariances are parametrised by their lower-triangular Cholesky
    factors, ``covariances[j] = chol[j] @ chol[j].T`` (the upper triangle of
    ``chol`` is ignored and gets a zero gradient); the weights by
    unconstrained logits, ``weights = softmax(log_weights)``::

        log p(x_i) = logsumexp_j [ log w_j - d/2 log 2 pi - log det L_j
                                   - 1/2 || L_j^{-1} (x_i - mu_j) ||^2 ]

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (usually a constant).
    means : array-like of shape (n_components, n_features)
        Component means ``mu_j``.
    log_weights : array-like of shape (n_components,)
        Unnormalised log-weights; normalised inside with ``log_softmax``.
    chol : array-like of shape (n_components, n_features, n_features)
        Lower-triangular Cholesky factors ``L_j`` of the covariances, with a
        positive diagonal.

    Returns
    -------
    float (or tracer)
        ``(1/n) sum_i log p(x_i)``.

    Raises
    ------
    ValueError
        On shape mismatches, non-finite input, or a Cholesky factor without a
        positive diagonal.

    Examples
    --------
    >>> from mixgrad.ad import value_and_grad
    >>> X = np.array([[0.0, 1.0], [1.0, -1.0]])
    >>> value, grads = value_and_grad(gmm_loglik, argnums=(1, 2, 3))(
    ...     X, np.zeros((1, 2)), np.zeros(1), np.eye(2)[None])
    >>> round(float(value), 6)  # mean of log N(x_i | 0, I)
    -2.587877
    >>> np.allclose(grads[0], [[0.5, 0.0]])  # d/d mu = mean of (x_i - mu)
    True
    """
    X = _param(X, "X", 2)
    means = _param(means, "means", 2)
    log_weights = _param(log_weights, "log_weights", 1)
    chol = _param(chol, "chol", 3)
    _check_shapes(X, means, log_weights, chol)
    d = np.shape(primal(X))[1]
    XT = np.ascontiguousarray(X.T) if type(X) is np.ndarray else X.T  # (d, n), rows contiguous
    diff = XT[None, :, :] - means[:, :, None]  # (k, d, n)
    z = solve_triangular(chol, diff, lower=True)  # L_j^{-1} (x_i - mu_j)
    mahalanobis = np.sum(np.square(z), axis=1)  # (k, n)
    log_norm = log_softmax(log_weights) - log_det_cholesky(chol) - 0.5 * d * _LOG_2PI  # (k,)
    log_prob = log_norm[:, None] + (-0.5) * mahalanobis  # (k, n)
    return np.mean(logsumexp(log_prob, axis=0))
