"""The covariance ellipse of a 2-D Gaussian, shared by every figure that draws one.

With ``Sigma = V diag(lambda) V^T``, the level set
``(x - mu)^T Sigma^{-1} (x - mu) = n_std^2`` is an ellipse centred at ``mu``
whose axes point along the eigenvectors (the columns of ``V``, a rotation) with
half-lengths ``n_std * sqrt(lambda)`` (the elongation). :func:`covariance_axes`
computes that decomposition; :func:`covariance_ellipse` turns it into a
:class:`matplotlib.patches.Ellipse`.

See the chapter :ref:`gaussian-mixtures`.
"""

import numpy as np
from matplotlib.patches import Ellipse

from mixgrad._validation import check_finite_array, check_positive

__all__ = ["covariance_axes", "covariance_ellipse"]

_PLANAR = "ellipses are drawn for 2-D data only"


def _check_covariance_2d(covariance, name="covariance"):
    cov = check_finite_array(covariance, name, ndim=2)
    if cov.shape != (2, 2):
        raise ValueError(f"{name} must have shape (2, 2) for a planar figure, got {cov.shape}; "
                         f"{_PLANAR}")
    # Fitted covariances are symmetric only up to rounding, which grows with their scale.
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(cov).max())):
        raise ValueError(f"{name} must be symmetric; use (S + S.T) / 2")
    return (cov + cov.T) / 2


def covariance_axes(covariance):
    """Principal axes of a 2-D covariance: rotation and elongation.

    With ``Sigma = V diag(lambda) V^T`` (eigenvalues in decreasing order), the
    columns of ``V`` are the directions of the ellipse's axes (a rotation) and
    ``sqrt(lambda)`` the standard deviations along them (the elongation).

    Parameters
    ----------
    covariance : array-like of shape (2, 2)
        Symmetric positive-definite matrix (asymmetry at rounding level is
        averaged away).

    Returns
    -------
    lengths : ndarray of shape (2,)
        Standard deviations along the principal axes, major first.
    directions : ndarray of shape (2, 2)
        Unit eigenvectors as columns, in the order of ``lengths``; the first
        has a non-negative x-component.
    angle : float
        Angle of the major axis from the x-axis, in degrees, in (-90, 90].
    """
    cov = _check_covariance_2d(covariance)
    eigvals, eigvecs = np.linalg.eigh(cov)
    if eigvals[0] <= 0:
        raise ValueError(
            f"covariance must be positive definite, got eigenvalues {eigvals}; "
            "add a small multiple of the identity"
        )
    order = np.argsort(-eigvals, kind="stable")  # ties (circles) keep the x-axis first
    eigvals, eigvecs = eigvals[order], eigvecs[:, order]
    eigvecs = eigvecs * np.where(eigvecs[0] < 0, -1.0, 1.0)  # fix the sign per column
    angle = float(np.degrees(np.arctan2(eigvecs[1, 0], eigvecs[0, 0])))
    if angle <= -90.0:
        angle += 180.0
    return np.sqrt(eigvals), eigvecs, angle


def covariance_ellipse(mean, covariance, *, n_std=2.0, **patch_kwargs):
    """Ellipse ``(x - mu)^T Sigma^{-1} (x - mu) = n_std^2`` of a 2-D Gaussian.

    Parameters
    ----------
    mean : array-like of shape (2,)
        Centre ``mu``.
    covariance : array-like of shape (2, 2)
        Symmetric positive definite ``Sigma``; its axes come from
        :func:`covariance_axes`.
    n_std : float, default 2.0
        Mahalanobis radius (> 0).
    **patch_kwargs
        Passed to :class:`matplotlib.patches.Ellipse` (``fill``, ``edgecolor``,
        ``linewidth``, ``label``, ...).

    Returns
    -------
    matplotlib.patches.Ellipse
        Not yet added to any Axes. ``width`` and ``height`` are the major and
        minor axes ``2 * n_std * sqrt(lambda)``; ``angle`` is the major axis's
        direction in degrees, in (-90, 90].
    """
    mean = check_finite_array(mean, "mean", ndim=1)
    if mean.shape != (2,):
        raise ValueError(f"mean must have shape (2,), got {mean.shape}; {_PLANAR}")
    n_std = check_positive(n_std, "n_std")
    lengths, _, angle = covariance_axes(covariance)
    width, height = 2 * n_std * lengths
    return Ellipse(mean, width, height, angle=angle, **patch_kwargs)
