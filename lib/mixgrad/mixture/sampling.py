"""Ancestral sampling from Gaussians and Gaussian mixtures.

A mixture is a generative story: draw a component ``z ~ Categorical(weights)``,
then draw ``x ~ N(means[z], covariances[z])``. :func:`sample_mixture` tells that
story and returns both the points and their latent labels.

Covariances are always *covariances* (variances in 1-D), never standard
deviations: pass ``sigma ** 2`` when a text gives standard deviations.

See the chapter :ref:`gaussian-mixtures`.
"""

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_rng

__all__ = ["sample_gaussian", "sample_mixture", "COVARIANCE_TYPES"]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

_WEIGHT_TOL = 1e-8


# --- validation helpers shared by the periphery modules ----------------------


def _check_weights(weights, n_components=None, name="weights"):
    """Weights as a float array of shape (k,), non-negative and summing to 1."""
    weights = check_finite_array(weights, name, ndim=1)
    if weights.size == 0:
        raise ValueError(f"{name} must contain at least one component")
    if n_components is not None and weights.shape[0] != n_components:
        raise ValueError(
            f"{name} must have shape ({n_components},) to match the means, got {weights.shape}"
        )
    if np.any(weights < 0):
        raise ValueError(f"{name} must be non-negative, got {weights}")
    if abs(weights.sum() - 1.0) > _WEIGHT_TOL:
        raise ValueError(f"{name} must sum to 1, got sum {weights.sum():.10g}; divide by their sum")
    return weights


def _cholesky(covariance, name):
    """Lower Cholesky factor of a symmetric positive-definite matrix, or a clear error."""
    if not np.allclose(covariance, covariance.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric")
    try:
        return np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} must be positive definite; check it or add a small multiple of the "
            "identity (reg_covar)"
        ) from None


def _full_covariances(covariances, covariance_type, n_components, n_features):
    """Expand per-type covariances to an array of shape (k, d, d)."""
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {COVARIANCE_TYPES}, got {covariance_type!r}"
        )
    k, d = n_components, n_features
    expected = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
    cov = check_finite_array(covariances, "covariances", ndim=len(expected[covariance_type]))
    if cov.shape != expected[covariance_type]:
        raise ValueError(
            f"covariances must have shape {expected[covariance_type]} for "
            f"covariance_type={covariance_type!r}, got {cov.shape}"
        )
    if covariance_type in ("diag", "spherical") and np.any(cov <= 0):
        raise ValueError("covariances must be positive (they are variances, not std devs)")
    if covariance_type == "full":
        return cov
    if covariance_type == "tied":
        return np.broadcast_to(cov, (k, d, d)).copy()
    if covariance_type == "diag":
        return cov[:, :, None] * np.eye(d)[None]
    return cov[:, None, None] * np.eye(d)[None]


def _check_n(n):
    return check_integer(n, "n", minimum=0)


# --- samplers -----------------------------------------------------------------


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
    rng : numpy.random.Generator or int
        Source of randomness.

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
    L = _cholesky(cov, "covariance")
    return mean + rng.standard_normal((n, d)) @ L.T


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
    rng : numpy.random.Generator or int
        Source of randomness.

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
    weights = _check_weights(weights, k)
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
    full = _full_covariances(covariances, covariance_type, k, d)
    chol = np.stack([_cholesky(full[j], f"covariances[{j}]") for j in range(k)])
    z = rng.choice(k, size=n, p=weights)
    eps = rng.standard_normal((n, d))
    X = np.empty((n, d))
    for j in range(k):
        rows = z == j
        X[rows] = means[j] + eps[rows] @ chol[j].T
    return X, z
