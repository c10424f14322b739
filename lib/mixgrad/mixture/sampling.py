"""Ancestral sampling from Gaussians and Gaussian mixtures.

A mixture is a generative story: draw a component ``z ~ Categorical(weights)``,
then draw ``x ~ N(means[z], covariances[z])``. :func:`sample_mixture` tells that
story and returns both the points and their latent labels.

Covariances are always *covariances* (variances in 1-D), never standard
deviations: pass ``sigma ** 2`` when a text gives standard deviations.

See the chapter :ref:`gaussian-mixtures`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import (
    check_finite_array,
    check_integer,
    check_rng,
    check_weights,
    covariance_cholesky,
)
from mixgrad.mixture.covariance import COVARIANCE_TYPES, full_covariances

__all__ = ["sample_gaussian", "sample_mixture", "COVARIANCE_TYPES"]

def _check_n(n):
    return check_integer(n, "n", minimum=0)


# --- samplers -----------------------------------------------------------------


@fill_doc
def sample_gaussian(n, mean, covariance, *, rng):
    """Draw ``n`` points from a (multivariate) normal distribution.

    See the chapter :ref:`gaussian-mixtures`.

    Parameters
    ----------
    n : int
        Number of points (``>= 0``).
    mean : float or array-like of shape (n_features,)
        Mean. A scalar gives univariate samples.
    covariance : float or array-like of shape (n_features,) or (n_features, n_features)
        Variance (scalar mean), or for a vector mean: a full matrix, a vector of
        variances (diagonal covariance) or a scalar (isotropic ``c I``).
    %(rng)s

    Returns
    -------
    X : ndarray of shape (n,) or (n, n_features)
        Samples, ``mean + L @ eps`` with ``L`` the Cholesky factor and
        ``eps`` standard normal.
    """
    n = _check_n(n)
    rng = check_rng(rng)
    mean = check_finite_array(mean, "mean", ndim=(0, 1))
    cov = check_finite_array(covariance, "covariance", ndim=(0, 1, 2))
    if mean.ndim == 0:
        if cov.ndim != 0 or cov <= 0:
            raise ValueError("covariance must be a positive scalar variance for a scalar mean")
        return mean + np.sqrt(cov) * rng.standard_normal(n)
    d = mean.shape[0]
    if cov.ndim == 0:
        cov = np.full(d, float(cov))
    if cov.ndim == 1:
        if cov.shape != (d,) or np.any(cov <= 0):
            raise ValueError(f"covariance as variances must be positive of shape ({d},)")
        return mean + rng.standard_normal((n, d)) * np.sqrt(cov)
    if cov.shape != (d, d):
        raise ValueError(f"covariance must have shape ({d}, {d}), got {cov.shape}")
    L = covariance_cholesky(cov, "covariance")
    return mean + rng.standard_normal((n, d)) @ L.T


@fill_doc
def sample_mixture(n, weights, means, covariances, *, covariance_type="full", rng):
    """Ancestral sampling from a Gaussian mixture: labels first, then points.

    See the chapter :ref:`gaussian-mixtures`.

    Parameters
    ----------
    n : int
        Number of points (``>= 0``).
    weights : array-like of shape (n_components,)
        Mixing weights, non-negative, summing to 1.
    means : array-like of shape (n_components,) or (n_components, n_features)
        Component means; a 1-D array means univariate components.
    covariances : array-like
        Univariate components: variances of shape (n_components,).
        Multivariate components, by ``covariance_type``:

        - ``"full"``: (n_components, n_features, n_features)
        - ``"tied"``: (n_features, n_features), shared
        - ``"diag"``: (n_components, n_features), variances
        - ``"spherical"``: (n_components,), one variance per component
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
        Layout of ``covariances`` for multivariate components (ignored in 1-D).
    %(rng)s

    Returns
    -------
    X : ndarray of shape (n,) or (n, n_features)
        Points; 1-D when the means are 1-D.
    z : ndarray of int of shape (n,)
        Latent component of every point.
    """
    n = _check_n(n)
    rng = check_rng(rng)
    means = check_finite_array(means, "means", ndim=(1, 2))
    k = means.shape[0]
    weights = check_weights(weights, k)
    if means.ndim == 1:
        variances = check_finite_array(covariances, "covariances", ndim=1)
        if variances.shape != (k,) or np.any(variances <= 0):
            raise ValueError(
                f"covariances must be {k} positive variances for 1-D means "
                f"(square standard deviations), got {variances}"
            )
        z = rng.choice(k, size=n, p=weights)
        return means[z] + np.sqrt(variances[z]) * rng.standard_normal(n), z
    d = means.shape[1]
    full = full_covariances(covariances, covariance_type, k, d)
    chol = np.stack([covariance_cholesky(full[j], f"covariances[{j}]") for j in range(k)])
    z = rng.choice(k, size=n, p=weights)
    eps = rng.standard_normal((n, d))
    X = np.empty((n, d))
    for j in range(k):
        rows = z == j
        X[rows] = means[j] + eps[rows] @ chol[j].T
    return X, z
