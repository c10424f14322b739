"""Variational Bayes (CAVI) for the Dirichlet-Normal-Wishart Gaussian mixture.

The model (Bishop 2006, section 10.2) puts conjugate priors on the weights
and on every component's mean and precision,

.. math::

    \\pi \\sim \\mathrm{Dir}(\\alpha_0), \\quad
    \\Lambda_k \\sim \\mathcal W(W_0, \\nu_0), \\quad
    \\mu_k \\mid \\Lambda_k \\sim \\mathcal N(m_0, (\\beta_0 \\Lambda_k)^{-1}),

and approximates the posterior by the mean-field family
``q(Z) q(pi) prod_k q(mu_k, Lambda_k)``. Coordinate ascent (CAVI) alternates
two closed-form updates:

* the "E-step" ``r_ik propto exp(E[log pi_k] + E[log N(x_i | mu_k, Lambda_k^{-1})])``
  (:func:`variational_responsibilities`);
* the "M-step" ``q(pi) = Dir(alpha)``, ``q(mu_k, Lambda_k) =
  N(m_k, (beta_k Lambda_k)^{-1}) W(W_k, nu_k)`` from the soft counts
  (:func:`variational_parameters`, Bishop's (10.58)-(10.63)).

Each update maximises the ELBO (:func:`variational_elbo`) in its own block,
so the ELBO never decreases. :func:`variational_gmm` runs the loop through
``run_em`` (the EM loop of Part II). The factor ``P_k`` stored per component
is the Cholesky factor of the *expected* precision ``E[Lambda_k] = nu_k W_k``
(``P_k P_k^T = nu_k W_k``), as in :class:`sklearn.mixture.BayesianGaussianMixture`.

See the chapter :ref:`variational-bayes`.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma, gammaln, multigammaln, xlogy

from mixgrad._validation import check_finite_array, check_positive, covariance_cholesky
from mixgrad.mixture._loop import EMResult, run_em
from mixgrad.mixture.covariance import precisions_cholesky_from_covariances
from mixgrad.mixture.em import COUNT_EPS, _check_resp, _covariances_full
from mixgrad.mixture.gaussian import _log_gaussian_prob

__all__ = [
    "NormalWishartPrior",
    "VariationalResult",
    "normal_wishart_prior",
    "variational_parameters",
    "variational_responsibilities",
    "variational_elbo",
    "variational_gmm",
    "sklearn_elbo_offset",
    "sklearn_variational_reference",
]

LOG_2PI = np.log(2.0 * np.pi)


@dataclass(frozen=True)
class NormalWishartPrior:
    """Hyper-parameters of the conjugate prior (Bishop's symbols).

    Attributes
    ----------
    alpha0 : float
        Dirichlet concentration of every weight (``weight_concentration_prior``).
    beta0 : float
        Scale of the mean's precision (``mean_precision_prior``).
    m0 : ndarray of shape (n_features,)
        Prior mean of the means (``mean_prior``).
    nu0 : float
        Wishart degrees of freedom, ``> n_features - 1`` (``degrees_of_freedom_prior``).
    W0_inv : ndarray of shape (n_features, n_features)
        Inverse of the Wishart scale matrix (scikit-learn's ``covariance_prior``).
    """

    alpha0: float
    beta0: float
    m0: np.ndarray
    nu0: float
    W0_inv: np.ndarray


def normal_wishart_prior(X, n_components, *, alpha0=None, beta0=1.0, m0=None, nu0=None,
                         W0_inv=None):
    """A checked prior, with scikit-learn's defaults for what is not given.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (for the defaults: ``m0`` = mean, ``W0_inv`` = sample covariance).
    n_components : int
        Number of components ``K`` (default ``alpha0 = 1 / K``).
    alpha0, beta0, nu0 : float, optional
        Positive; ``nu0 > n_features - 1`` (default ``n_features``).
    m0 : array-like of shape (n_features,), optional
    W0_inv : array-like of shape (n_features, n_features), optional
        Symmetric positive definite.

    Returns
    -------
    NormalWishartPrior
    """
    X = check_finite_array(X, "X", ndim=2)
    d = X.shape[1]
    alpha0 = check_positive(1.0 / n_components if alpha0 is None else alpha0, "alpha0")
    beta0 = check_positive(beta0, "beta0")
    nu0 = float(d) if nu0 is None else check_positive(nu0, "nu0")
    if nu0 <= d - 1:
        raise ValueError(f"nu0 must exceed n_features - 1 = {d - 1}, got {nu0}; "
                         "the Wishart prior is improper otherwise")
    m0 = X.mean(axis=0) if m0 is None else check_finite_array(m0, "m0", ndim=1)
    if m0.shape != (d,):
        raise ValueError(f"m0 must have shape ({d},) (one entry per feature), got {m0.shape}")
    W0_inv = np.atleast_2d(np.cov(X.T)) if W0_inv is None else check_finite_array(
        W0_inv, "W0_inv", ndim=2)
    if W0_inv.shape != (d, d):
        raise ValueError(f"W0_inv must have shape ({d}, {d}), got {W0_inv.shape}")
    covariance_cholesky(W0_inv, "W0_inv")
    return NormalWishartPrior(alpha0, beta0, m0, nu0, W0_inv)


@dataclass(kw_only=True)
class VariationalResult(EMResult):
    """A CAVI fit: the factors of q and the ELBO trajectory.

    ``log_likelihood`` and ``history["log_likelihood"]`` hold the ELBO (the
    objective ``run_em`` records); ``elbo`` and
    ``elbo_history`` name it.

    Attributes
    ----------
    resp : ndarray of shape (n_samples, n_components)
        ``q(z_i = k)``.
    alpha : ndarray of shape (n_components,)
        ``q(pi) = Dir(alpha)``.
    beta : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
        ``m_k``, the posterior means of the ``mu_k``.
    nu : ndarray of shape (n_components,)
    precisions_cholesky : ndarray of shape (n_components, n_features, n_features)
        ``P_k P_k^T = nu_k W_k = E[Lambda_k]``.
    prior : NormalWishartPrior
    """

    resp: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    means: np.ndarray
    nu: np.ndarray
    precisions_cholesky: np.ndarray
    prior: NormalWishartPrior = field(repr=False)

    @property
    def weights(self):
        """Posterior mean weights ``alpha_k / sum_j alpha_j``, shape (n_components,)."""
        return self.alpha / self.alpha.sum()

    @property
    def elbo(self):
        """The final ELBO (float)."""
        return self.log_likelihood

    @property
    def elbo_history(self):
        """ELBO of the start and of every iterate, shape (n_iter + 1,)."""
        return self.history["log_likelihood"]


# --- the two CAVI updates ------------------------------------------------------------


def _parameters(X, resp, prior):
    nk = resp.sum(axis=0) + COUNT_EPS
    xbar = resp.T @ X / nk[:, None]
    S = _covariances_full(X, resp, nk, xbar, 0.0)
    alpha, beta, nu = prior.alpha0 + nk, prior.beta0 + nk, prior.nu0 + nk
    means = (prior.beta0 * prior.m0 + nk[:, None] * xbar) / beta[:, None]
    diff = xbar - prior.m0
    W_inv = (prior.W0_inv + nk[:, None, None] * S
             + (prior.beta0 * nk / beta)[:, None, None] * diff[:, :, None] * diff[:, None, :])
    prec = precisions_cholesky_from_covariances(W_inv / nu[:, None, None], "full")
    return {"resp": resp, "alpha": alpha, "beta": beta, "means": means, "nu": nu,
            "precisions_cholesky": prec}


def variational_parameters(X, resp, prior):
    """The q(pi), q(mu, Lambda) update from responsibilities (Bishop 10.58-10.63).

    ``N_k = sum_i r_ik``, ``alpha_k = alpha0 + N_k``, ``beta_k = beta0 + N_k``,
    ``nu_k = nu0 + N_k``, ``m_k = (beta0 m0 + N_k xbar_k) / beta_k`` and
    ``W_k^{-1} = W0^{-1} + N_k S_k + beta0 N_k / beta_k (xbar_k - m0)(xbar_k - m0)^T``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Rows on the simplex.
    prior : NormalWishartPrior

    Returns
    -------
    dict
        ``"resp"`` (the input), ``"alpha"``, ``"beta"``, ``"nu"`` (n_components,),
        ``"means"`` (n_components, n_features), ``"precisions_cholesky"``
        (n_components, n_features, n_features), ``P_k P_k^T = nu_k W_k``.
    """
    X, resp = _check_data(X, resp, prior)
    return _parameters(X, resp, prior)


def _expected_log_joint(X, q):
    """log rho_ik = E[log pi_k] + E[log N(x_i | mu_k, Lambda_k^{-1})], shape (n, K)."""
    d = X.shape[1]
    alpha, beta, nu, prec = q["alpha"], q["beta"], q["nu"], q["precisions_cholesky"]
    e_log_pi = digamma(alpha) - digamma(alpha.sum())
    # E log|Lambda_k| - log|nu_k W_k| (Bishop 10.65 minus the log-det of the expected precision)
    log_det_gap = digamma(0.5 * (nu[:, None] - np.arange(d))).sum(axis=1) + d * np.log(2 / nu)
    log_gauss = _log_gaussian_prob(X, q["means"], prec, "full")  # N(x | m_k, E[Lambda_k]^{-1})
    return e_log_pi + log_gauss + 0.5 * (log_det_gap - d / beta)


def _responsibilities(X, q):
    log_rho = _expected_log_joint(X, q)
    log_rho -= log_rho.max(axis=1, keepdims=True)  # log-sum-exp shift
    resp = np.exp(log_rho)
    return resp / resp.sum(axis=1, keepdims=True)


def variational_responsibilities(X, q):
    """The q(Z) update: ``r_ik propto exp(E[log pi_k] + E[log N(x_i | mu_k, Lambda_k^{-1})])``.

    The expected log-density is the Gaussian log-density with the expected
    precision ``nu_k W_k`` plus ``(E log|Lambda_k| - log|nu_k W_k| - d / beta_k) / 2``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    q : dict
        As returned by :func:`variational_parameters`.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    X = check_finite_array(X, "X", ndim=2)
    return _responsibilities(X, q)


def _log_wishart_norm(W_log_det, nu, d):
    """log B(W, nu) of the Wishart density, from log|W|."""
    return -0.5 * nu * W_log_det - 0.5 * nu * d * np.log(2.0) - multigammaln(0.5 * nu, d)


def _log_dirichlet_beta(alpha):
    return gammaln(alpha).sum() - gammaln(alpha.sum())


def _elbo(X, q, prior):
    resp, alpha, beta, nu, m = q["resp"], q["alpha"], q["beta"], q["nu"], q["means"]
    prec = q["precisions_cholesky"]
    d = X.shape[1]
    alpha0 = np.full_like(alpha, prior.alpha0)
    e_log_pi = digamma(alpha) - digamma(alpha.sum())
    kl_pi = _log_dirichlet_beta(alpha0) - _log_dirichlet_beta(alpha) + (alpha - alpha0) @ e_log_pi
    # Normal-Wishart KL per component, with nu_k W_k = P_k P_k^T
    expected_prec = prec @ np.swapaxes(prec, 1, 2)
    W_log_det = 2 * np.log(np.diagonal(prec, axis1=1, axis2=2)).sum(axis=1) - d * np.log(nu)
    W0_log_det = -np.linalg.slogdet(prior.W0_inv)[1]
    e_log_det = digamma(0.5 * (nu[:, None] - np.arange(d))).sum(axis=1) + d * np.log(2) + W_log_det
    diff = m - prior.m0
    kl_mu = 0.5 * (d * prior.beta0 / beta - d + d * np.log(beta / prior.beta0)
                   + prior.beta0 * np.einsum("ki,kij,kj->k", diff, expected_prec, diff))
    kl_lambda = (_log_wishart_norm(W_log_det, nu, d) - _log_wishart_norm(W0_log_det, prior.nu0, d)
                 + 0.5 * (nu - prior.nu0) * e_log_det - 0.5 * nu * d
                 + 0.5 * np.einsum("ij,kji->k", prior.W0_inv, expected_prec))
    expected = np.sum(resp * _expected_log_joint(X, q)) - np.sum(xlogy(resp, resp))
    return float(expected - kl_pi - np.sum(kl_mu + kl_lambda))


def variational_elbo(X, q, prior):
    """ELBO ``E_q[log p(X, Z | theta)] + H[q(Z)] - KL(q(pi) || p(pi)) - sum_k KL(q_k || p_k)``.

    Valid for any responsibilities and any factors (not only after an update).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    q : dict
        ``"resp"`` and the factors, as returned by :func:`variational_parameters`.
    prior : NormalWishartPrior

    Returns
    -------
    float
        The ELBO, a lower bound on ``log p(X)`` (summed over the samples).
    """
    X, _ = _check_data(X, q["resp"], prior)
    return _elbo(X, q, prior)


def _check_data(X, resp, prior):
    X = check_finite_array(X, "X", ndim=2)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 samples, got {X.shape[0]}")
    resp = _check_resp(resp, X.shape[0], name="resp")
    if not isinstance(prior, NormalWishartPrior):
        raise TypeError("prior must be a NormalWishartPrior; build one with "
                        f"normal_wishart_prior(X, n_components), got {type(prior).__name__}")
    if prior.m0.shape != (X.shape[1],):
        raise ValueError(f"prior.m0 has shape {prior.m0.shape} but X has {X.shape[1]} features")
    return X, resp


def variational_gmm(X, resp_init, prior=None, *, max_iter=200, tol=1e-8):
    """Fit the Dirichlet-Normal-Wishart mixture by coordinate-ascent variational inference.

    Starts from ``q(theta) = variational_parameters(X, resp_init)``, then
    iterates "E-step, M-step" (:func:`variational_responsibilities`, then
    :func:`variational_parameters`) and records the ELBO after each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp_init : array-like of shape (n_samples, n_components)
        Starting responsibilities (rows on the simplex), e.g. one-hot k-means labels.
    prior : NormalWishartPrior, optional
        Default ``normal_wishart_prior(X, n_components)`` (scikit-learn's defaults).
    max_iter : int, default 200
    tol : float or None, default 1e-8
        Stop when the ELBO gains at most ``tol * (1 + |ELBO|)``; ``None`` runs
        exactly ``max_iter`` iterations.

    Returns
    -------
    VariationalResult

    Warns
    -----
    ConvergenceWarning
        If ``tol`` is not met within ``max_iter`` iterations.
    """
    X = check_finite_array(X, "X", ndim=2)
    resp_init = check_finite_array(resp_init, "resp_init", ndim=2)
    if prior is None:
        prior = normal_wishart_prior(X, resp_init.shape[1])
    X, resp = _check_data(X, resp_init, prior)
    q, fit = run_em(lambda q: _parameters(X, _responsibilities(X, q), prior),
                    _parameters(X, resp, prior), lambda q: _elbo(X, q, prior),
                    max_iter=max_iter, tol=tol, what="CAVI", stop="objective")
    return VariationalResult(**q, prior=prior, **fit)


# The scikit-learn reference lives in its own module (kept under 400 lines);
# imported last because it uses the helpers above.
from mixgrad.mixture._variational_sklearn import (  # noqa: E402
    sklearn_elbo_offset,
    sklearn_variational_reference,
)
