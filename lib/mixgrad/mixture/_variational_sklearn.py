"""scikit-learn's variational mixture as a reference for :mod:`mixgrad.mixture.variational`.

The constant scikit-learn drops from its lower bound, and a
:class:`~sklearn.mixture.BayesianGaussianMixture` started from given
responsibilities. Both are re-exported by :mod:`mixgrad.mixture.variational`.

See the chapter :ref:`variational-bayes`.
"""

import warnings

import numpy as np
from scipy.special import gammaln

from mixgrad.mixture.variational import LOG_2PI, _check_data, _log_wishart_norm

__all__ = ["sklearn_elbo_offset", "sklearn_variational_reference"]


def sklearn_elbo_offset(n_samples, n_components, prior):
    """The constant scikit-learn drops: ``ELBO = lower_bound_ + offset``.

    After an update of ``q(theta)``, :class:`~sklearn.mixture.BayesianGaussianMixture`
    reports the ELBO without its terms that depend on the prior and ``n`` only:

    ``offset = -log B(alpha0 1_K) + K [d/2 log beta0 + log B(W0, nu0) + d(d-1)/4 log pi]
    - n d / 2 log(2 pi)``,

    with ``log B(alpha) = sum_k log Gamma(alpha_k) - log Gamma(sum_k alpha_k)``
    and ``log B(W, nu)`` the log-normaliser of the Wishart (scikit-learn also
    drops the ``log pi`` part of the multivariate gamma function).

    Parameters
    ----------
    n_samples, n_components : int
    prior : NormalWishartPrior

    Returns
    -------
    float
    """
    d = prior.m0.shape[0]
    W0_log_det = -np.linalg.slogdet(prior.W0_inv)[1]
    log_b_dir = n_components * gammaln(prior.alpha0) - gammaln(n_components * prior.alpha0)
    per_component = (0.5 * d * np.log(prior.beta0) + _log_wishart_norm(W0_log_det, prior.nu0, d)
                     + 0.25 * d * (d - 1) * np.log(np.pi))
    return float(-log_b_dir + n_components * per_component - 0.5 * n_samples * d * LOG_2PI)


def sklearn_variational_reference(X, resp_init, prior, *, max_iter,
                                  weight_concentration_prior_type="dirichlet_distribution"):
    """scikit-learn's BayesianGaussianMixture run from the same start and priors.

    It is initialised from ``resp_init`` (its ``_initialize``, the same update
    as :func:`~mixgrad.mixture.variational_parameters`), with ``reg_covar=0`` and ``tol=0``
    so that it runs exactly ``max_iter`` iterations (its ConvergenceWarning
    is silenced). ``lower_bounds_`` then holds ``ELBO - sklearn_elbo_offset``
    of iterations 1 to ``max_iter``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp_init : array-like of shape (n_samples, n_components)
    prior : NormalWishartPrior
    max_iter : int
    weight_concentration_prior_type : {"dirichlet_distribution", "dirichlet_process"}
        The weight prior: ``Dir(alpha0 1_K)`` (the model of this module) or
        scikit-learn's truncated stick-breaking (Dirichlet process) prior with
        concentration ``alpha0``; the ELBO offset holds for the first only.

    Returns
    -------
    sklearn.mixture.BayesianGaussianMixture
        Fitted (``covariance_type="full"``).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import BayesianGaussianMixture

    X, resp = _check_data(X, resp_init, prior)

    class _FromResponsibilities(BayesianGaussianMixture):
        def _initialize_parameters(self, X, random_state, xp=None):
            self._initialize(X, resp)

    model = _FromResponsibilities(
        n_components=resp.shape[1], covariance_type="full", tol=0.0, reg_covar=0.0,
        max_iter=max_iter, n_init=1,
        weight_concentration_prior_type=weight_concentration_prior_type,
        weight_concentration_prior=prior.alpha0, mean_precision_prior=prior.beta0,
        mean_prior=prior.m0, degrees_of_freedom_prior=prior.nu0, covariance_prior=prior.W0_inv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return model
