"""Model choice: BIC and AIC.

BIC and AIC choose the number of components in :ref:`em-gaussian-mixtures`;
the number of free parameters is :func:`mixgrad.mixture.n_parameters`. The
silhouette that scores the clusterings there is scikit-learn's
(``sklearn.metrics.silhouette_score``).
"""

import math
import numbers

import numpy as np

from mixgrad._validation import check_integer

__all__ = ["bic", "aic"]


# --- information criteria -----------------------------------------------------


def _check_criterion_args(log_likelihood, n_params, n_samples=None):
    if isinstance(log_likelihood, bool) or not isinstance(log_likelihood, numbers.Real):
        raise TypeError(
            f"log_likelihood must be a real number, got {type(log_likelihood).__name__}"
        )
    if not np.isfinite(log_likelihood):
        raise ValueError(f"log_likelihood must be finite, got {log_likelihood}")
    check_integer(n_params, "n_params", minimum=0)
    if n_samples is not None:
        check_integer(n_samples, "n_samples", minimum=1)


def bic(log_likelihood, n_params, n_samples):
    """Bayesian information criterion, ``-2 log L + p log n`` (lower is better).

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    log_likelihood : float
        Maximised total log-likelihood (summed over samples, not averaged).
    n_params : int
        Number of free parameters ``p``.
    n_samples : int
        Number of samples ``n``.

    Returns
    -------
    float
    """
    _check_criterion_args(log_likelihood, n_params, n_samples)
    return -2.0 * float(log_likelihood) + n_params * math.log(n_samples)


def aic(log_likelihood, n_params):
    """Akaike information criterion, ``-2 log L + 2 p`` (lower is better).

    See the chapter :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    log_likelihood : float
        Maximised total log-likelihood.
    n_params : int
        Number of free parameters ``p``.

    Returns
    -------
    float
    """
    _check_criterion_args(log_likelihood, n_params)
    return -2.0 * float(log_likelihood) + 2.0 * n_params
