"""EM for a multivariate normal with missing entries (NaN).

The complete data are the full rows; the missing coordinates are the latent
variables. Given the current mean ``mu`` and covariance ``Sigma``, a row with
observed part ``o`` and missing part ``m`` has

- conditional mean ``E[x_m | x_o] = mu_m + K (x_o - mu_o)``, ``K = Sigma_mo Sigma_oo^-1``
- conditional covariance ``C = Sigma_mm - K Sigma_om``

and the M-step needs both: ``E[x x^T] = x_hat x_hat^T + C``. The *naive*
method of the lecture notes imputes the conditional mean only (drops ``C``);
it is not EM, and it underestimates the spread of the missing variables.

Rows are grouped by missingness pattern, so each pattern costs one Cholesky
factorisation per iteration.

See the chapter :ref:`missing-data`.
"""

from dataclasses import dataclass

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import (
    check_finite_array,
    check_integer,
    check_positive,
    cholesky_or_raise,
    covariance_cholesky,
)
from mixgrad.mixture._loop import EMResult, run_em

__all__ = [
    "MVNEMResult",
    "mvn_em",
    "mvn_e_step",
    "mvn_m_step",
    "observed_log_likelihood",
    "bivariate_history_table",
]

METHODS = ("exact", "naive")


@dataclass(kw_only=True)
class MVNEMResult(EMResult):
    """Outcome of :func:`mvn_em` and the censored-data EMs.

    An :class:`~mixgrad.mixture.EMResult` with the fitted normal.

    Attributes
    ----------
    mean : float or ndarray of shape (n_features,)
        Final mean.
    covariance : float or ndarray of shape (n_features, n_features)
        Final covariance (the variance for 1-D data).
    log_likelihood : float
        Observed-data log-likelihood at the final parameters.
    n_iter, converged
        See :class:`~mixgrad.mixture.EMResult`; converged means no parameter
        entry moved by more than ``tol``.
    history : dict of ndarray
        ``"mean"`` (n_iter + 1, n_features), ``"covariance"``
        (n_iter + 1, n_features, n_features) and ``"log_likelihood"``
        (n_iter + 1,): the initial parameters, then those after every
        iteration. For ``method="exact"`` the log-likelihood never decreases.
    imputed : ndarray of shape (n_samples, n_features)
        The data with missing (or censored) entries replaced by their
        conditional means at the final parameters.
    """

    mean: object
    covariance: object
    imputed: np.ndarray


# --- patterns and validation ----------------------------------------------------


def _patterns(X):
    """Groups of rows sharing a missingness pattern: (rows, observed, missing)."""
    observed = ~np.isnan(X)
    patterns, inverse = np.unique(observed, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    return [
        (np.flatnonzero(inverse == p), np.flatnonzero(pat), np.flatnonzero(~pat))
        for p, pat in enumerate(patterns)
    ]


def _check_X(X):
    X = check_finite_array(X, "X", ndim=2, allow_nan=True)
    n, d = X.shape
    if n < 2 or d < 1:
        raise ValueError(f"X must have at least 2 rows and 1 column, got shape {X.shape}")
    empty = np.flatnonzero(np.isnan(X).all(axis=0))
    if empty.size:
        raise ValueError(
            f"column(s) {empty.tolist()} of X are entirely missing; drop them, nothing "
            "can be estimated for them"
        )
    return X


def _check_params(mean, covariance, d):
    mean = check_finite_array(mean, "mean", ndim=1)
    covariance = check_finite_array(covariance, "covariance", ndim=2)
    if mean.shape != (d,):
        raise ValueError(f"mean must have shape ({d},), got {mean.shape}")
    if covariance.shape != (d, d):
        raise ValueError(f"covariance must have shape ({d}, {d}), got {covariance.shape}")
    covariance_cholesky(covariance, "covariance")
    return mean, covariance


def _default_init(X):
    mean = np.nanmean(X, axis=0)
    observed = (~np.isnan(X)).sum(axis=0)
    var = np.nanvar(X, axis=0)
    bad = np.flatnonzero((observed < 2) | ~(var > 0))
    if bad.size:
        raise ValueError(
            f"column(s) {bad.tolist()} of X have fewer than 2 distinct observed values; "
            "pass mean_init and cov_init"
        )
    return mean, np.diag(var)


# --- the three steps ------------------------------------------------------------


@fill_doc
def observed_log_likelihood(X, mean, covariance):
    """Observed-data log-likelihood: each row's observed part under its marginal normal.

    See the chapter :ref:`missing-data`.

    %(parameters_X_missing)s
    mean : array-like of shape (n_features,)
        Mean.
    covariance : array-like of shape (n_features, n_features)
        Covariance, symmetric positive definite.

    Returns
    -------
    float
        ``sum_i log N(x_i,o | mu_o, Sigma_oo)``; fully missing rows add 0.
    """
    X = check_finite_array(X, "X", ndim=2, allow_nan=True)
    mean, covariance = _check_params(mean, covariance, X.shape[1])
    return _observed_ll(X, _patterns(X), mean, covariance)


def _observed_ll(X, patterns, mean, covariance):
    total = 0.0
    for rows, o, _ in patterns:
        if o.size == 0:
            continue
        L = np.linalg.cholesky(covariance[np.ix_(o, o)])
        y = (X[np.ix_(rows, o)] - mean[o]) @ np.linalg.inv(L).T  # L^-1 (x_o - mu_o)
        log_det = 2.0 * np.log(np.diag(L)).sum()
        total -= 0.5 * (rows.size * (o.size * np.log(2 * np.pi) + log_det) + np.sum(y * y))
    return float(total)


@fill_doc
def mvn_e_step(X, mean, covariance, *, method="exact"):
    """E-step: conditional means of the missing entries and their covariances.

    See the chapter :ref:`missing-data`.

    %(parameters_X_missing)s
    mean : array-like of shape (n_features,)
        Current mean.
    covariance : array-like of shape (n_features, n_features)
        Current covariance.
    method : {"exact", "naive"}, default "exact"
        ``"naive"`` returns a zero correction (imputes means only).

    Returns
    -------
    X_hat : ndarray of shape (n_samples, n_features)
        ``X`` with missing entries replaced by ``E[x_m | x_o]``.
    correction : ndarray of shape (n_features, n_features)
        ``sum_i Cov[x_i | x_i,o]`` (zero outside the missing blocks), so that
        ``sum_i E[x_i x_i^T] = X_hat^T X_hat + correction``.
    """
    X = check_finite_array(X, "X", ndim=2, allow_nan=True)
    mean, covariance = _check_params(mean, covariance, X.shape[1])
    _check_method(method)
    return _e_step(X, _patterns(X), mean, covariance, method)


def _e_step(X, patterns, mean, covariance, method):
    X_hat = X.copy()
    correction = np.zeros_like(covariance)
    for rows, o, m in patterns:
        if m.size == 0:
            continue
        if o.size == 0:
            X_hat[np.ix_(rows, m)] = mean
            cond_cov = covariance
        else:
            L_inv = np.linalg.inv(np.linalg.cholesky(covariance[np.ix_(o, o)]))
            K = (L_inv.T @ (L_inv @ covariance[np.ix_(o, m)])).T  # Sigma_mo Sigma_oo^-1
            X_hat[np.ix_(rows, m)] = mean[m] + (X[np.ix_(rows, o)] - mean[o]) @ K.T
            cond_cov = covariance[np.ix_(m, m)] - K @ covariance[np.ix_(o, m)]
        if method == "exact":
            correction[np.ix_(m, m)] += rows.size * cond_cov
    return X_hat, correction


def mvn_m_step(X_hat, correction, *, reg_covar=0.0):
    """M-step: mean and covariance from the expected sufficient statistics.

    See the chapter :ref:`missing-data`.

    Parameters
    ----------
    X_hat : array-like of shape (n_samples, n_features)
        Completed data (conditional means filled in).
    correction : array-like of shape (n_features, n_features)
        Sum of the conditional covariances from the E-step.
    reg_covar : float, default 0.0
        Non-negative ridge added to the diagonal of the covariance.

    Returns
    -------
    mean : ndarray of shape (n_features,)
    covariance : ndarray of shape (n_features, n_features)
        ``(1/n) sum_i E[(x_i - mu)(x_i - mu)^T] + reg_covar I``.
    """
    X_hat = check_finite_array(X_hat, "X_hat", ndim=2)
    correction = check_finite_array(correction, "correction", ndim=2)
    reg_covar = check_positive(reg_covar, "reg_covar", strict=False)
    n, d = X_hat.shape
    if correction.shape != (d, d):
        raise ValueError(f"correction must have shape ({d}, {d}), got {correction.shape}")
    mean = X_hat.mean(axis=0)
    diff = X_hat - mean
    covariance = (diff.T @ diff + correction) / n
    covariance.flat[:: d + 1] += reg_covar
    return mean, covariance


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


# --- the loop ---------------------------------------------------------------------


@fill_doc
def mvn_em(
    X,
    *,
    max_iter=100,
    tol=1e-8,
    method="exact",
    mean_init=None,
    cov_init=None,
    reg_covar=0.0,
):
    """Maximum-likelihood mean and covariance of a normal sample with NaN entries.

    See the chapter :ref:`missing-data`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data; NaN marks a missing entry (any pattern, any dimension). Every
        column needs at least one observed value.
    max_iter : int, default 100
        Maximum number of iterations.
    tol : float, default 1e-8
        Stop when no entry of the mean or covariance changes by more than ``tol``.
    method : {"exact", "naive"}, default "exact"
        ``"exact"`` is EM (conditional means and covariances). ``"naive"``
        imputes conditional means only, as in the lecture notes; it converges
        to a covariance that is too small for the missing variables.
    mean_init, cov_init : array-like of shape (n_features,) and (n_features, n_features)
        Starting point; default the observed column means and variances
        (diagonal covariance).
    reg_covar : float, default 0.0
        Non-negative ridge added to the covariance in every M-step.

    Returns
    -------
    MVNEMResult
        Final parameters, observed-data log-likelihood, per-iteration history
        and the imputed data.

    %(warns_tol)s
    """
    X = _check_X(X)
    _check_method(method)
    max_iter = check_integer(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol", strict=False)
    reg_covar = check_positive(reg_covar, "reg_covar", strict=False)
    d = X.shape[1]
    if (mean_init is None) != (cov_init is None):
        raise ValueError("pass both mean_init and cov_init, or neither")
    if mean_init is None:
        mean, cov = _default_init(X)
    else:
        mean, cov = _check_params(mean_init, cov_init, d)
    patterns = _patterns(X)

    def em_step(params):
        X_hat, correction = _e_step(X, patterns, params["mean"], params["covariance"], method)
        new_mean, new_cov = mvn_m_step(X_hat, correction, reg_covar=reg_covar)
        cholesky_or_raise(
            new_cov,
            "the covariance became singular (e.g. perfectly collinear columns); "
            "set reg_covar > 0 or drop redundant columns",
        )
        return {"mean": new_mean, "covariance": new_cov}

    final, fit = run_em(
        em_step, {"mean": mean, "covariance": cov},
        lambda p: _observed_ll(X, patterns, p["mean"], p["covariance"]),
        max_iter=max_iter, tol=tol, what="missing-data EM",
    )
    imputed, _ = _e_step(X, patterns, final["mean"], final["covariance"], "naive")
    return MVNEMResult(mean=final["mean"], covariance=final["covariance"], imputed=imputed, **fit)


# --- the lecture notes' table -------------------------------------------------------


def bivariate_history_table(result):
    """The lecture notes' table: mu1, mu2, rho, s1, s2 for every iteration.

    See the chapter :ref:`missing-data`.

    Parameters
    ----------
    result : MVNEMResult or CensoredEMResult
        A fit of two-dimensional data (:func:`mvn_em` or
        :func:`~mixgrad.mixture.censored_bivariate_em`).

    Returns
    -------
    dict of ndarray of shape (n_iter + 1,)
        Keys ``"mu1"``, ``"mu2"``, ``"rho"``, ``"s1"``, ``"s2"`` (standard
        deviations and correlation from each covariance); pass it to
        ``pandas.DataFrame`` to print the table.
    """
    means, covs = result.history["mean"], result.history["covariance"]
    if means.shape[1] != 2:
        raise ValueError(f"result must come from 2-D data, got {means.shape[1]} features")
    s1, s2 = np.sqrt(covs[:, 0, 0]), np.sqrt(covs[:, 1, 1])
    return {
        "mu1": means[:, 0],
        "mu2": means[:, 1],
        "rho": covs[:, 0, 1] / (s1 * s2),
        "s1": s1,
        "s2": s2,
    }
