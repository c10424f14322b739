"""Poisson mixtures and the zero-inflated Poisson (ZIP): EM beyond Gaussians.

A Poisson mixture has ``P(x) = sum_k pi_k Pois(x | lambda_k)``; EM alternates
responsibilities with ``pi_k = mean_i R_ik`` and
``lambda_k = sum_i R_ik x_i / sum_i R_ik``. The ZIP model mixes a point mass
at zero (weight ``pi``, "structural zeros") with ``Pois(lambda)``: only zeros
have uncertain membership. The ZIP model appears in :ref:`gaussian-mixtures`,
the Poisson mixture in :ref:`why-em-works`.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln, logsumexp, xlogy

from mixgrad._docs import fill_doc
from mixgrad._validation import (
    check_finite_array,
    check_integer,
    check_positive,
    check_rng,
    check_weights,
)
from mixgrad.mixture._loop import EMResult, run_em

__all__ = [
    "sample_poisson_mixture",
    "sample_zip",
    "poisson_mixture_log_likelihood",
    "zip_log_likelihood",
    "poisson_mixture_em",
    "zip_em",
    "PoissonMixtureResult",
    "ZIPResult",
]


# --- validation -----------------------------------------------------------------


def _check_counts(x, name="x"):
    x = check_finite_array(x, name, ndim=1)
    if x.size == 0:
        raise ValueError(f"{name} must contain at least one count")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError(f"{name} must hold non-negative integer counts")
    return x


def _check_rates(rates, name="rates"):
    rates = check_finite_array(rates, name, ndim=1)
    if rates.size == 0 or np.any(rates <= 0):
        raise ValueError(f"{name} must be positive, got {rates}")
    return rates


def _check_pi(pi, name="pi"):
    pi = check_positive(pi, name, strict=False)
    if pi >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {pi}")
    return pi


def _check_loop(max_iter, tol):
    return check_integer(max_iter, "max_iter", minimum=1), check_positive(tol, "tol", strict=False)


# --- samplers -------------------------------------------------------------------


@fill_doc
def sample_poisson_mixture(n, weights, rates, *, rng):
    """Ancestral sampling from a Poisson mixture.

    %(parameters_n_counts)s
    weights : array-like of shape (n_components,)
        Mixing weights, summing to 1.
    rates : array-like of shape (n_components,)
        Poisson rates, ``> 0``.
    %(rng)s

    %(returns_counts)s
    z : ndarray of int of shape (n,)
        Component of every count.
    """
    n = check_integer(n, "n", minimum=0)
    rng = check_rng(rng)
    rates = _check_rates(rates)
    weights = check_weights(weights, rates.shape[0])
    z = rng.choice(rates.shape[0], size=n, p=weights)
    return rng.poisson(rates[z]), z


@fill_doc
def sample_zip(n, pi, rate, *, rng):
    """Sample a zero-inflated Poisson: 0 w.p. ``pi``, else ``Pois(rate)``.

    %(parameters_n_counts)s
    pi : float
        Probability of a structural zero, in [0, 1).
    rate : float
        Poisson rate, ``> 0``.
    %(rng)s

    %(returns_counts)s
    z : ndarray of int of shape (n,)
        1 for a structural zero, 0 for a Poisson draw (which may also be 0).
    """
    n = check_integer(n, "n", minimum=0)
    rng = check_rng(rng)
    pi = _check_pi(pi)
    rate = check_positive(rate, "rate")
    z = (rng.random(n) < pi).astype(int)
    x = rng.poisson(rate, size=n)
    x[z == 1] = 0
    return x, z


# --- likelihoods ------------------------------------------------------------------


def _log_joint(x, weights, rates):
    """log pi_k + log Pois(x_i | lambda_k), shape (n, k)."""
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    return log_w + xlogy(x[:, None], rates) - rates - gammaln(x + 1)[:, None]


def poisson_mixture_log_likelihood(x, weights, rates):
    """Log-likelihood ``sum_i log sum_k pi_k Pois(x_i | lambda_k)``.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative integer counts.
    weights : array-like of shape (n_components,)
        Mixing weights, summing to 1.
    rates : array-like of shape (n_components,)
        Rates, ``> 0``.

    Returns
    -------
    float
    """
    x = _check_counts(x)
    rates = _check_rates(rates)
    weights = check_weights(weights, rates.shape[0])
    return float(logsumexp(_log_joint(x, weights, rates), axis=1).sum())


def _zip_ll(x, pi, rate):
    zero = x == 0
    ll_zero = np.logaddexp(np.log(pi) if pi > 0 else -np.inf, np.log1p(-pi) - rate)
    ll_pos = np.log1p(-pi) + xlogy(x[~zero], rate) - rate - gammaln(x[~zero] + 1)
    return float(zero.sum() * ll_zero + ll_pos.sum())


def zip_log_likelihood(x, pi, rate):
    """Log-likelihood of the zero-inflated Poisson.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative integer counts.
    pi : float
        Structural-zero probability in [0, 1).
    rate : float
        Poisson rate, ``> 0``.

    Returns
    -------
    float
        ``n_0 log(pi + (1 - pi) e^-lambda) + sum_{x_i > 0} log((1 - pi) Pois(x_i | lambda))``.
    """
    return _zip_ll(_check_counts(x), _check_pi(pi), check_positive(rate, "rate"))


# --- EM ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class PoissonMixtureResult(EMResult):
    """Outcome of :func:`poisson_mixture_em`.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
    rates : ndarray of shape (n_components,)
    responsibilities : ndarray of shape (n_samples, n_components)
    log_likelihood : float
    n_iter : int
    converged : bool
    history : dict of ndarray
        ``"weights"``, ``"rates"`` (n_iter + 1, n_components) and
        ``"log_likelihood"`` (n_iter + 1,), non-decreasing.
    """

    weights: np.ndarray
    rates: np.ndarray
    responsibilities: np.ndarray = field(repr=False)


@fill_doc
def poisson_mixture_em(
    x, n_components, *, weights_init=None, rates_init=None, max_iter=1000, tol=1e-10
):
    """EM for a mixture of Poisson distributions.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative integer counts.
    n_components : int
        Number of components, ``1 <= n_components <= n_samples``.
    weights_init : array-like of shape (n_components,), optional
        Initial weights; default equal.
    rates_init : array-like of shape (n_components,), optional
        Initial rates; default the ``(j + 1/2) / k`` quantiles of ``x`` plus
        ``0.5 j`` (distinct and positive; no randomness).
    max_iter : int, default 1000
        Maximum number of iterations.
    tol : float, default 1e-10
        Stop when the log-likelihood gains at most ``tol`` (relative to
        ``1 + |log-likelihood|``).

    Returns
    -------
    PoissonMixtureResult

    %(warns_tol)s
    """
    x = _check_counts(x)
    k = check_integer(n_components, "n_components", minimum=1)
    if k > x.shape[0]:
        raise ValueError(f"n_components={k} exceeds the number of samples {x.shape[0]}")
    max_iter, tol = _check_loop(max_iter, tol)
    if rates_init is None:
        rates = np.quantile(x, (np.arange(k) + 0.5) / k) + 0.5 * np.arange(k) + 0.1
    else:
        rates = _check_rates(rates_init, "rates_init")
    if weights_init is None:
        weights = np.full(k, 1.0 / k)
    else:
        weights = check_weights(weights_init, name="weights_init")
    if rates.shape != (k,) or weights.shape != (k,):
        raise ValueError(f"weights_init and rates_init must have shape ({k},)")

    def em_step(params):
        R = _responsibilities(x, params["weights"], params["rates"])
        counts = R.sum(axis=0)
        alive = counts > 0  # a component nobody claims keeps its rate (weight 0)
        rates = params["rates"].copy()
        rates[alive] = (R[:, alive].T @ x) / counts[alive]
        return {"weights": counts / x.shape[0], "rates": rates}

    final, fit = run_em(
        em_step, {"weights": weights, "rates": rates},
        lambda p: float(logsumexp(_log_joint(x, p["weights"], p["rates"]), axis=1).sum()),
        max_iter=max_iter, tol=tol, what="Poisson mixture EM", stop="objective",
    )
    return PoissonMixtureResult(
        weights=final["weights"],
        rates=final["rates"],
        responsibilities=_responsibilities(x, final["weights"], final["rates"]),
        **fit,
    )


def _responsibilities(x, weights, rates):
    log_joint = _log_joint(x, weights, rates)
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


@dataclass(kw_only=True)
class ZIPResult(EMResult):
    """Outcome of :func:`zip_em`.

    Attributes
    ----------
    pi : float
        Probability of a structural zero.
    rate : float
        Poisson rate.
    responsibilities : ndarray of shape (n_samples,)
        Posterior probability that each count is a structural zero (0 for
        positive counts).
    log_likelihood : float
    n_iter : int
    converged : bool
    history : dict of ndarray
        ``"pi"``, ``"rate"``, ``"log_likelihood"``, each of shape (n_iter + 1,).
    """

    pi: float
    rate: float
    responsibilities: np.ndarray = field(repr=False)


def _zip_responsibilities(x, pi, rate):
    r = np.zeros(x.shape[0])
    if pi > 0:
        r[x == 0] = pi / (pi + (1 - pi) * np.exp(-rate))
    return r


@fill_doc
def zip_em(x, *, pi_init=0.5, rate_init=None, max_iter=1000, tol=1e-10):
    """EM for the zero-inflated Poisson.

    E-step: a zero is structural with probability
    ``r = pi / (pi + (1 - pi) e^-lambda)``; positive counts have ``r = 0``.
    M-step: ``pi = mean(r)``, ``lambda = sum x / sum (1 - r)``.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative integer counts, at least one positive.
    pi_init : float, default 0.5
        Initial structural-zero probability, in (0, 1) (0 stays 0 forever).
    rate_init : float, optional
        Initial rate; default the mean of the positive counts.
    max_iter : int, default 1000
        Maximum number of iterations.
    tol : float, default 1e-10
        Stop when the log-likelihood gains at most ``tol * (1 + |ll|)``.

    Returns
    -------
    ZIPResult

    %(warns_tol)s
    """
    x = _check_counts(x)
    if not np.any(x > 0):
        raise ValueError("x has no positive counts; the Poisson rate cannot be estimated")
    pi = _check_pi(pi_init, "pi_init")
    rate = x[x > 0].mean() if rate_init is None else check_positive(rate_init, "rate_init")
    max_iter, tol = _check_loop(max_iter, tol)

    def em_step(params):
        r = _zip_responsibilities(x, params["pi"], params["rate"])
        return {"pi": float(r.mean()), "rate": float(x.sum() / (x.shape[0] - r.sum()))}

    final, fit = run_em(
        em_step, {"pi": pi, "rate": float(rate)}, lambda p: _zip_ll(x, p["pi"], p["rate"]),
        max_iter=max_iter, tol=tol, what="ZIP EM", stop="objective",
    )
    return ZIPResult(
        pi=final["pi"],
        rate=final["rate"],
        responsibilities=_zip_responsibilities(x, final["pi"], final["rate"]),
        **fit,
    )
