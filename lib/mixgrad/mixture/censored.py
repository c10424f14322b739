"""EM for normal data right-censored at a known threshold.

A censored value is known only to exceed its threshold ``c``. Given the
current parameters, it is distributed as a normal truncated to ``(c, inf)``,
whose first two moments (with ``alpha = (c - mu) / sigma`` and inverse Mills
ratio ``lambda = phi(alpha) / (1 - Phi(alpha))``) are

- ``E[X | X > c] = mu + sigma lambda``
- ``Var[X | X > c] = sigma^2 (1 + alpha lambda - lambda^2)``.

EM puts both into the sufficient statistics; the *naive* variant of the
lecture notes imputes the conditional mean only and underestimates the
spread. The 1-D model and the notes' bivariate setting (first coordinate
always observed, second censored) are covered. See the chapter :ref:`missing-data`.
"""

import numpy as np
from scipy.special import log_ndtr

from mixgrad._docs import fill_doc
from mixgrad._validation import (
    check_finite_array,
    check_integer,
    check_positive,
    covariance_cholesky,
)
from mixgrad.mixture._loop import run_em
from mixgrad.mixture.missing import MVNEMResult

__all__ = [
    "truncated_normal_moments",
    "censored_log_likelihood",
    "censored_normal_em",
    "censored_bivariate_em",
    "CensoredEMResult",
]

METHODS = ("exact", "naive")
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def truncated_normal_moments(mean, sd, lower):
    """Mean and variance of ``X | X > lower`` for ``X ~ N(mean, sd^2)``.

    Parameters
    ----------
    mean : float or array-like
        Mean of the untruncated normal.
    sd : float or array-like
        Its standard deviation, ``> 0``.
    lower : float or array-like
        Truncation point (broadcast against ``mean`` and ``sd``).

    Returns
    -------
    m1 : ndarray
        Conditional mean, ``mean + sd * lambda``.
    var : ndarray
        Conditional variance, ``sd^2 (1 + alpha lambda - lambda^2)``,
        clipped at 0 against rounding far in the tail.
    """
    mean = check_finite_array(mean, "mean")
    sd = check_finite_array(sd, "sd")
    lower = check_finite_array(lower, "lower")
    if np.any(sd <= 0):
        raise ValueError("sd must be > 0")
    return _truncated_moments(mean, sd, lower)


def _truncated_moments(mean, sd, lower):
    alpha = (lower - mean) / sd
    # Inverse Mills ratio phi(alpha) / Phi(-alpha), in logs for the far tail.
    lam = np.exp(-0.5 * alpha**2 - _LOG_SQRT_2PI - log_ndtr(-alpha))
    var = sd**2 * np.maximum(1.0 + alpha * lam - lam**2, 0.0)
    return mean + sd * lam, var


def _log_normal(x, mean, sd):
    z = (x - mean) / sd
    return -0.5 * z**2 - np.log(sd) - _LOG_SQRT_2PI


#: The censored-data EMs return the result type of :func:`~mixgrad.mixture.mvn_em`.
CensoredEMResult = MVNEMResult


# --- validation ---------------------------------------------------------------


def _check_censoring(values, censored, threshold, name):
    n = values.shape[0]
    censored = np.asarray(censored)
    if censored.dtype != bool or censored.shape != (n,):
        raise TypeError(f"censored must be a boolean array of shape ({n},)")
    threshold = check_finite_array(threshold, "threshold", ndim=(0, 1))
    threshold = np.broadcast_to(threshold, (n,)) if threshold.ndim == 0 else threshold
    if threshold.shape != (n,):
        raise ValueError(f"threshold must be a scalar or have shape ({n},), got {threshold.shape}")
    if np.isinf(values[~censored]).any() or np.isnan(values[~censored]).any():
        raise ValueError(f"{name} must be finite where not censored")
    above = np.flatnonzero(~censored & (values > threshold))
    if above.size:
        raise ValueError(
            f"{name}[{above[0]}] = {values[above[0]]} exceeds its threshold but is not "
            "censored; mark it censored or fix the threshold"
        )
    if (~censored).sum() < 2:
        raise ValueError("at least 2 values must be uncensored to estimate a spread")
    return censored, np.asarray(threshold, dtype=float)


def _check_loop_args(method, max_iter, tol):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return check_integer(max_iter, "max_iter", minimum=1), check_positive(tol, "tol", strict=False)


# --- 1-D ------------------------------------------------------------------------


@fill_doc
def censored_log_likelihood(x, censored, threshold, mean, variance):
    """Censored-data log-likelihood of a 1-D normal (the Tobit likelihood).

    %(parameters_x_censored)s
    threshold : float or array-like of shape (n_samples,)
        Censoring threshold(s).
    mean : float
        Mean.
    variance : float
        Variance, ``> 0``.

    Returns
    -------
    float
        ``sum_obs log N(x_i | mu, sigma^2) + sum_cens log P(X > c_i)``.
    """
    x = check_finite_array(x, "x", ndim=1, allow_nan=True)
    censored, threshold = _check_censoring(x, censored, threshold, "x")
    sd = np.sqrt(check_positive(variance, "variance"))
    mean = float(check_finite_array(mean, "mean", ndim=0))
    return _ll_1d(x, censored, threshold, mean, sd)


def _ll_1d(x, censored, threshold, mean, sd):
    obs = _log_normal(x[~censored], mean, sd).sum()
    return float(obs + log_ndtr((mean - threshold[censored]) / sd).sum())


@fill_doc
def censored_normal_em(
    x,
    censored,
    threshold,
    *,
    method="exact",
    max_iter=500,
    tol=1e-10,
    mean_init=None,
    variance_init=None,
):
    """EM for the mean and variance of a normal sample with right-censoring.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Values; where ``censored`` is True the entry is ignored (NaN allowed).
        Uncensored values must not exceed their threshold.
    censored : array-like of bool of shape (n_samples,)
        True where the value is only known to exceed ``threshold``.
    threshold : float or array-like of shape (n_samples,)
        Known censoring threshold(s).
    method : {"exact", "naive"}, default "exact"
        ``"exact"`` uses truncated-normal means and variances (EM);
        ``"naive"`` imputes the conditional means only.
    max_iter : int, default 500
        Maximum number of iterations.
    tol : float, default 1e-10
        Stop when mean and variance change by at most ``tol``.
    mean_init, variance_init : float, optional
        Starting point; default mean and variance of the uncensored values.

    Returns
    -------
    CensoredEMResult
        With scalar ``mean`` and ``covariance`` (the variance).

    %(warns_tol)s
    """
    x = check_finite_array(x, "x", ndim=1, allow_nan=True)
    censored, threshold = _check_censoring(x, censored, threshold, "x")
    max_iter, tol = _check_loop_args(method, max_iter, tol)
    obs = x[~censored]
    mean = obs.mean() if mean_init is None else check_finite_array(mean_init, "mean_init", ndim=0)
    var = obs.var() if variance_init is None else variance_init
    mean, var = float(mean), check_positive(var, "variance_init")
    n = x.shape[0]
    c = threshold[censored]

    def em_step(params):
        mean, var = params["mean"], params["covariance"]
        m1, v = _truncated_moments(mean, np.sqrt(var), c)
        if method == "naive":
            v = np.zeros_like(v)
        new_mean = (obs.sum() + m1.sum()) / n
        new_var = (((obs - new_mean) ** 2).sum() + ((m1 - new_mean) ** 2 + v).sum()) / n
        return {"mean": float(new_mean), "covariance": float(new_var)}

    final, fit = run_em(
        em_step, {"mean": mean, "covariance": var},
        lambda p: _ll_1d(x, censored, threshold, p["mean"], np.sqrt(p["covariance"])),
        max_iter=max_iter, tol=tol, what="censored-data EM",
    )
    imputed = x.copy()
    imputed[censored] = _truncated_moments(final["mean"], np.sqrt(final["covariance"]), c)[0]
    return CensoredEMResult(
        mean=final["mean"], covariance=final["covariance"], imputed=imputed, **fit
    )


# --- bivariate: x observed, y right-censored ------------------------------------


def _conditional_y(x, mean, cov):
    """Mean (n,) and sd of y | x under N(mean, cov)."""
    slope = cov[0, 1] / cov[0, 0]
    return mean[1] + slope * (x - mean[0]), np.sqrt(cov[1, 1] - slope * cov[0, 1])


def _ll_2d(X, censored, threshold, mean, cov):
    x, y = X[:, 0], X[:, 1]
    cond_mean, cond_sd = _conditional_y(x, mean, cov)
    ll = _log_normal(x, mean[0], np.sqrt(cov[0, 0])).sum()
    ll += _log_normal(y[~censored], cond_mean[~censored], cond_sd).sum()
    ll += log_ndtr((cond_mean[censored] - threshold[censored]) / cond_sd).sum()
    return float(ll)


@fill_doc
def censored_bivariate_em(
    X,
    censored,
    threshold,
    *,
    method="exact",
    max_iter=500,
    tol=1e-10,
    mean_init=None,
    cov_init=None,
):
    """EM for a bivariate normal whose second coordinate is right-censored.

    The first coordinate is always observed; where ``censored`` is True the
    second is only known to exceed ``threshold``. Given x, y is normal with
    the regression mean and residual variance, so the E-step uses
    truncated-normal moments of that conditional distribution.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        Data; ``X[censored, 1]`` is ignored (NaN allowed).
    censored : array-like of bool of shape (n_samples,)
        True where ``X[i, 1]`` is censored.
    threshold : float or array-like of shape (n_samples,)
        Known censoring threshold(s) for the second coordinate.
    method : {"exact", "naive"}, default "exact"
        ``"naive"`` imputes conditional means only (the notes' method).
    max_iter : int, default 500
        Maximum number of iterations.
    tol : float, default 1e-10
        Stop when no parameter entry changes by more than ``tol``.
    mean_init, cov_init : array-like of shape (2,) and (2, 2), optional
        Starting point; default: mean and covariance of the uncensored rows.

    Returns
    -------
    CensoredEMResult
        ``mean`` of shape (2,), ``covariance`` of shape (2, 2).

    %(warns_tol)s
    """
    X = check_finite_array(X, "X", ndim=2, allow_nan=True)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns (x observed, y censored), got shape {X.shape}")
    if np.isnan(X[:, 0]).any():
        raise ValueError("X[:, 0] must be fully observed (no NaN)")
    censored, threshold = _check_censoring(X[:, 1], censored, threshold, "X[:, 1]")
    max_iter, tol = _check_loop_args(method, max_iter, tol)
    if (mean_init is None) != (cov_init is None):
        raise ValueError("pass both mean_init and cov_init, or neither")
    if mean_init is None:
        rows = X[~censored]
        mean, cov = rows.mean(axis=0), np.cov(rows, rowvar=False, bias=True)
    else:
        mean = check_finite_array(mean_init, "mean_init", ndim=1)
        cov = check_finite_array(cov_init, "cov_init", ndim=2)
        if mean.shape != (2,) or cov.shape != (2, 2):
            raise ValueError("mean_init must have shape (2,) and cov_init shape (2, 2)")
    covariance_cholesky(cov, "cov_init")
    n = X.shape[0]

    def em_step(params):
        mean, cov = params["mean"], params["covariance"]
        cond_mean, cond_sd = _conditional_y(X[censored, 0], mean, cov)
        m1, v = _truncated_moments(cond_mean, cond_sd, threshold[censored])
        Y = X.copy()
        Y[censored, 1] = m1
        new_mean = Y.mean(axis=0)
        diff = Y - new_mean
        new_cov = diff.T @ diff / n
        if method == "exact":
            new_cov[1, 1] += v.sum() / n
        covariance_cholesky(new_cov, "the updated covariance")
        return {"mean": new_mean, "covariance": new_cov}

    final, fit = run_em(
        em_step, {"mean": mean, "covariance": cov},
        lambda p: _ll_2d(X, censored, threshold, p["mean"], p["covariance"]),
        max_iter=max_iter, tol=tol, what="censored-data EM",
    )
    imputed = X.copy()
    cond_mean, cond_sd = _conditional_y(X[censored, 0], final["mean"], final["covariance"])
    imputed[censored, 1] = _truncated_moments(cond_mean, cond_sd, threshold[censored])[0]
    return CensoredEMResult(
        mean=final["mean"], covariance=final["covariance"], imputed=imputed, **fit
    )
