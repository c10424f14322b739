"""AD meets EM: maximise the Gaussian-mixture likelihood by gradient ascent.

EM is not the only way up the likelihood. With reverse-mode AD
(:func:`mixgrad.ad.value_and_grad` on :func:`mixgrad.ad.gmm_loglik`) any
first-order optimiser can climb it, once the constraints are removed by a
change of variables:

- weights ``pi = softmax(log_weights)`` (any real ``log_weights``);
- covariances ``Sigma_j = L_j L_j^T`` with ``L_j`` lower triangular whose
  diagonal is ``exp(log_diag)`` (any real ``log_diag``), so every ``Sigma_j``
  is symmetric positive definite;
- means unconstrained.

:func:`gradient_ascent_gmm` runs Adam (or plain gradient ascent) on these
unconstrained parameters and records the mean log-likelihood and the elapsed
time after every iteration, to be compared with EM.

See the chapter :ref:`em-gaussian-mixtures`.
"""

from dataclasses import dataclass
from time import perf_counter

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive
from mixgrad.ad import gmm_loglik, value_and_grad
from mixgrad.mixture._loop import EMResult, run_em
from mixgrad.mixture.covariance import precisions_cholesky_from_covariances
from mixgrad.mixture.em import e_step, m_step

__all__ = [
    "FitProgress",
    "constrained_parameters",
    "em_progress",
    "gradient_ascent_gmm",
    "unconstrained_parameters",
]

OPTIMIZERS = ("adam", "plain")


@dataclass(kw_only=True)
class FitProgress(EMResult):
    """Outcome of :func:`gradient_ascent_gmm` or :func:`em_progress`.

    An :class:`~mixgrad.mixture.EMResult`; both run a fixed number of steps,
    so ``converged`` is False.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
    log_likelihood : float
        Mean log-likelihood at the final parameters.
    n_iter : int
        Number of iterations (gradient steps or EM steps) taken.
    history : dict of ndarray
        ``"log_likelihood"`` (n_iter + 1,), the mean log-likelihood at the
        start and after every step, and ``"seconds"`` (n_iter + 1,), the
        wall-clock seconds elapsed at those points (0 at the start); EM's
        also holds its parameters.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray


# --- change of variables -------------------------------------------------------------


def unconstrained_parameters(weights, means, covariances):
    """Map mixture parameters to the unconstrained ones gradient ascent moves.

    Parameters
    ----------
    weights : array-like of shape (n_components,)
        Positive weights summing to 1.
    means : array-like of shape (n_components, n_features)
    covariances : array-like of shape (n_components, n_features, n_features)
        Symmetric positive definite ("full" covariance type).

    Returns
    -------
    means : ndarray of shape (n_components, n_features)
    log_weights : ndarray of shape (n_components,)
        ``log(weights)`` (softmax recovers the weights).
    raw_cholesky : ndarray of shape (n_components, n_features, n_features)
        Lower-triangular Cholesky factors of the covariances with the log of
        their diagonal on the diagonal.

    Raises
    ------
    ValueError
        If shapes disagree, weights are not positive, or a covariance is not
        positive definite.
    """
    weights = check_finite_array(weights, "weights", ndim=1)
    means = check_finite_array(means, "means", ndim=2)
    covariances = check_finite_array(covariances, "covariances", ndim=3)
    k, d = means.shape
    if weights.shape != (k,):
        raise ValueError(f"weights must have shape ({k},) to match means, got {weights.shape}")
    if covariances.shape != (k, d, d):
        raise ValueError(
            f"covariances must have shape ({k}, {d}, {d}) (full covariance type), "
            f"got {covariances.shape}"
        )
    if np.any(weights <= 0):
        raise ValueError("weights must all be positive; drop empty components or fit again")
    try:
        chol = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise ValueError(
            "covariances must be symmetric positive definite; add a small reg_covar to "
            "their diagonal"
        ) from None
    raw = chol.copy()
    idx = np.arange(d)
    raw[:, idx, idx] = np.log(chol[:, idx, idx])
    return means.copy(), np.log(weights), raw


def _cholesky_from_raw(raw):
    """Lower-triangular factors with exp(diagonal); shape (k, d, d)."""
    d = raw.shape[-1]
    chol = np.tril(raw)
    idx = np.arange(d)
    with np.errstate(over="ignore"):  # overflow -> inf, reported by _check_progress
        chol[:, idx, idx] = np.exp(raw[:, idx, idx])
    return chol


def _check_progress(value, params):
    """Stop with a clear error once a step has made anything non-finite."""
    diag_ok = np.all(np.abs(np.diagonal(params[2], axis1=1, axis2=2)) < 700)
    if not (np.isfinite(value) and diag_ok and all(np.all(np.isfinite(p)) for p in params)):
        raise ValueError("the log-likelihood or the parameters became non-finite: the steps "
                         "diverged; lower learning_rate")


def constrained_parameters(means, log_weights, raw_cholesky):
    """Inverse of :func:`unconstrained_parameters`.

    Parameters
    ----------
    means : array-like of shape (n_components, n_features)
    log_weights : array-like of shape (n_components,)
    raw_cholesky : array-like of shape (n_components, n_features, n_features)
        Lower triangle used; its diagonal holds log standard-deviation factors.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
    """
    means = check_finite_array(means, "means", ndim=2)
    log_weights = check_finite_array(log_weights, "log_weights", ndim=1)
    raw = check_finite_array(raw_cholesky, "raw_cholesky", ndim=3)
    shifted = np.exp(log_weights - log_weights.max())
    chol = _cholesky_from_raw(raw)
    return shifted / shifted.sum(), means.copy(), chol @ np.swapaxes(chol, 1, 2)


# --- the optimiser -------------------------------------------------------------------


def _objective_and_gradient(X, params):
    """Mean log-likelihood and its gradient with respect to the unconstrained params."""
    means, log_weights, raw = params
    chol = _cholesky_from_raw(raw)
    value, (g_means, g_logw, g_chol) = value_and_grad(gmm_loglik, argnums=(1, 2, 3))(
        X, means, log_weights, chol)
    d = raw.shape[-1]
    idx = np.arange(d)
    g_raw = np.tril(np.asarray(g_chol, dtype=float))
    g_raw[:, idx, idx] *= chol[:, idx, idx]  # chain rule through L_jj = exp(raw_jj)
    return float(value), [np.asarray(g_means, dtype=float), np.asarray(g_logw, dtype=float),
                          g_raw]


def gradient_ascent_gmm(X, weights, means, covariances, *, n_iter=100, learning_rate=0.05,
                        optimizer="adam", betas=(0.9, 0.999), eps=1e-8):
    """Fit a full-covariance Gaussian mixture by gradient ascent on its likelihood.

    The mean log-likelihood :func:`mixgrad.ad.gmm_loglik` is differentiated by
    reverse-mode AD with respect to the unconstrained parameters of
    :func:`unconstrained_parameters`, which are then moved uphill.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.
    weights : array-like of shape (n_components,)
        Initial weights (positive, summing to 1).
    means : array-like of shape (n_components, n_features)
        Initial means.
    covariances : array-like of shape (n_components, n_features, n_features)
        Initial covariances (symmetric positive definite).
    n_iter : int, default 100
        Number of gradient steps (>= 1).
    learning_rate : float, default 0.05
        Step size (> 0).
    optimizer : {"adam", "plain"}, default "adam"
        Adam (per-coordinate steps from running moments of the gradient) or
        plain gradient ascent ``theta += learning_rate * grad``.
    betas : tuple of float, default (0.9, 0.999)
        Adam's decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-8
        Adam's denominator guard (> 0).

    Returns
    -------
    FitProgress

    Raises
    ------
    ValueError
        On invalid parameters or shapes, or if a step makes the likelihood
        non-finite (lower ``learning_rate``).
    """
    X = check_finite_array(X, "X", ndim=2)
    n_iter = check_integer(n_iter, "n_iter", minimum=1)
    learning_rate = check_positive(learning_rate, "learning_rate")
    eps = check_positive(eps, "eps")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    b1, b2 = (float(b) for b in betas)
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError(f"betas must both lie in [0, 1), got {betas}")
    means0, logw0, raw0 = unconstrained_parameters(weights, means, covariances)
    if X.shape[1] != means0.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features but means has {means0.shape[1]}; they must agree")
    params = [means0, logw0, raw0]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    history, seconds = [], [0.0]
    tic = perf_counter()
    for t in range(1, n_iter + 1):
        _check_progress(0.0, params)
        value, grads = _objective_and_gradient(X, params)
        _check_progress(value, params)
        history.append(value)
        for i, g in enumerate(grads):
            if optimizer == "plain":
                params[i] = params[i] + learning_rate * g
                continue
            m1[i] = b1 * m1[i] + (1 - b1) * g
            m2[i] = b2 * m2[i] + (1 - b2) * g**2
            step = (m1[i] / (1 - b1**t)) / (np.sqrt(m2[i] / (1 - b2**t)) + eps)
            params[i] = params[i] + learning_rate * step
        seconds.append(perf_counter() - tic)
    _check_progress(0.0, params)
    final = float(gmm_loglik(X, params[0], params[1], _cholesky_from_raw(params[2])))
    _check_progress(final, params)
    history.append(final)
    w, mu, cov = constrained_parameters(*params)
    history = {"log_likelihood": np.array(history), "seconds": np.array(seconds)}
    return FitProgress(weights=w, means=mu, covariances=cov, log_likelihood=final,
                       n_iter=n_iter, converged=False, history=history)


def em_progress(X, weights, means, covariances, *, n_iter=100, reg_covar=1e-6):
    """Run ``n_iter`` EM steps (full covariances) and record the same trace as gradient ascent.

    A plain loop over the library's :func:`~mixgrad.mixture.e_step` and
    :func:`~mixgrad.mixture.m_step`, timed per iteration, so that EM and
    :func:`gradient_ascent_gmm` can be compared step for step and second
    for second from the same start.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    weights : array-like of shape (n_components,)
        Initial weights.
    means : array-like of shape (n_components, n_features)
        Initial means.
    covariances : array-like of shape (n_components, n_features, n_features)
        Initial covariances.
    n_iter : int, default 100
        Number of EM iterations (>= 1); no convergence test.
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance in the M-step (>= 0).

    Returns
    -------
    FitProgress
    """
    X = check_finite_array(X, "X", ndim=2)
    n_iter = check_integer(n_iter, "n_iter", minimum=1)
    reg_covar = check_positive(reg_covar, "reg_covar", strict=False)
    unconstrained_parameters(weights, means, covariances)  # same checks as gradient ascent
    weights, means, covariances = (np.asarray(a, dtype=float) for a in (weights, means,
                                                                          covariances))
    tic = perf_counter()
    # One E-step per iteration: it gives the responsibilities of the next
    # M-step and the log-likelihood of the parameters just reached.
    prec = precisions_cholesky_from_covariances(covariances, "full")
    resp, value = e_step(X, weights, means, prec, "full")
    cache = {"resp": resp, "value": value}

    def em_step(params):
        w, mu, cov = m_step(X, cache["resp"], "full", reg_covar)
        prec = precisions_cholesky_from_covariances(cov, "full")
        cache["resp"], cache["value"] = e_step(X, w, mu, prec, "full")
        return {"weights": w, "means": mu, "covariances": cov, "seconds": perf_counter() - tic}

    final, fit = run_em(
        em_step, {"weights": weights, "means": means, "covariances": covariances, "seconds": 0.0},
        lambda params: cache["value"], max_iter=n_iter, tol=None, what="EM",
    )
    return FitProgress(weights=final["weights"], means=final["means"],
                       covariances=final["covariances"], **fit)
