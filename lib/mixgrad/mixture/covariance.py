"""Covariance types, their parameters' checks, and Cholesky factors of precisions.

Every component stores the Cholesky factor ``P`` of its precision matrix
(``Lambda = Sigma^{-1} = P P^T``), as scikit-learn does; the four covariance
types differ only in the shape of ``P``:

============  ======================================  ============================
type          covariances                             precisions_cholesky
============  ======================================  ============================
"full"        (n_components, n_features, n_features)  same, upper triangular
"tied"        (n_features, n_features)                same, upper triangular
"diag"        (n_components, n_features)              1 / sqrt(variances)
"spherical"   (n_components,)                         1 / sqrt(variance)
============  ======================================  ============================

Factors come from triangular solves, never from explicit inverses; a
covariance that is not positive definite gives scikit-learn's "ill-defined
empirical covariance" error, which says what to change.

See the chapter :ref:`gaussian-mixtures`.
"""

import numpy as np
from scipy.linalg import solve_triangular

from mixgrad._validation import (  # noqa: F401  (check_means, check_weights: re-exported)
    check_finite_array,
    check_means,
    check_weights,
    cholesky_or_raise,
)

__all__ = [
    "COVARIANCE_TYPES", "ILL_DEFINED_COVARIANCE", "check_covariance_type", "full_covariances",
    "parameter_shape", "precisions_cholesky_from_covariances",
    "precisions_cholesky_from_precisions", "precisions_from_cholesky",
    "covariances_from_cholesky", "collapse_floor", "n_parameters",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

ILL_DEFINED_COVARIANCE = (
    "Fitting the mixture model failed because some components have ill-defined "
    "empirical covariance (for instance caused by singleton or collapsed samples). "
    "Try to decrease the number of components, increase reg_covar, or scale the "
    "input data."
)


# --- shapes and checks --------------------------------------------------------


def check_covariance_type(covariance_type):
    """Return ``covariance_type`` if it is one of :data:`COVARIANCE_TYPES`.

    Parameters
    ----------
    covariance_type : str
        One of ``"full"``, ``"tied"``, ``"diag"``, ``"spherical"``.

    Returns
    -------
    str
    """
    if not isinstance(covariance_type, str) or covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {COVARIANCE_TYPES}, got {covariance_type!r}"
        )
    return covariance_type


def parameter_shape(covariance_type, n_components, n_features):
    """Shape of the covariances (and of their precision factors) of one type.

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components : int
    n_features : int

    Returns
    -------
    tuple of int
        (k, d, d), (d, d), (k, d) or (k,).
    """
    k, d = n_components, n_features
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[
        covariance_type
    ]


def _check_shape(array, shape, name, covariance_type):
    if array.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape} for covariance_type={covariance_type!r}, "
            f"got {array.shape}"
        )


def check_precisions_cholesky(precisions_cholesky, covariance_type, n_components, n_features):
    """Validate Cholesky factors of precisions (shape and positive diagonal).

    Parameters
    ----------
    precisions_cholesky : array-like
        Shape (k, d, d), (d, d), (k, d) or (k,) by covariance type.
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components : int
    n_features : int

    Returns
    -------
    ndarray of the shape above
    """
    check_covariance_type(covariance_type)
    shape = parameter_shape(covariance_type, n_components, n_features)
    prec = check_finite_array(precisions_cholesky, "precisions_cholesky", ndim=len(shape))
    _check_shape(prec, shape, "precisions_cholesky", covariance_type)
    if covariance_type in ("full", "tied"):
        diagonal = np.diagonal(prec, axis1=-2, axis2=-1)
    else:
        diagonal = prec
    if np.any(diagonal <= 0):
        raise ValueError(
            "precisions_cholesky must have a positive diagonal (Cholesky factors of "
            "positive-definite precisions); build it with "
            "precisions_cholesky_from_covariances"
        )
    return prec


# --- Cholesky factors ---------------------------------------------------------


def full_covariances(covariances, covariance_type, n_components, n_features):
    """Expand covariances of any covariance type to one full matrix per component.

    Parameters
    ----------
    covariances : array-like
        Of the shape ``mixgrad.mixture.covariance.parameter_shape`` gives for ``covariance_type``.
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components : int
    n_features : int

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
    """
    check_covariance_type(covariance_type)
    shape = parameter_shape(covariance_type, n_components, n_features)
    cov = check_finite_array(covariances, "covariances")
    _check_shape(cov, shape, "covariances", covariance_type)
    if covariance_type in ("diag", "spherical") and np.any(cov <= 0):
        raise ValueError("covariances must be positive (they are variances, not std devs)")
    eye = np.eye(n_features)
    return {
        "full": lambda: cov.copy(),
        "tied": lambda: np.broadcast_to(cov, (n_components,) + shape).copy(),
        "diag": lambda: cov[:, :, None] * eye,
        "spherical": lambda: cov[:, None, None] * eye,
    }[covariance_type]()


def _precision_factor(covariance):
    """Upper-triangular P with P P^T = inv(covariance), from covariance = L L^T."""
    chol = cholesky_or_raise(covariance, ILL_DEFINED_COVARIANCE)
    eye = np.eye(covariance.shape[0])
    return solve_triangular(chol, eye, lower=True, check_finite=False).T


def _factors_full(covariances):
    return np.stack([_precision_factor(cov) for cov in covariances])


def _factors_diagonal(covariances):
    if np.any(covariances <= 0.0):
        raise ValueError(ILL_DEFINED_COVARIANCE)
    return 1.0 / np.sqrt(covariances)


_FACTORS_FROM_COVARIANCES = {
    "full": _factors_full,
    "tied": _precision_factor,
    "diag": _factors_diagonal,
    "spherical": _factors_diagonal,
}


def collapse_floor(X_or_variances, reg_covar=0.0):
    """Variances below which a fitted component counts as collapsed, shape (n_features,).

    ``10 eps var(X_j)``: a (conditional) variance that small is below the
    rounding of the data themselves, i.e. the component sits on coinciding
    samples and the likelihood is unbounded (the singularity of maximum
    likelihood); EM then stops with the "ill-defined empirical covariance" error.

    With ``reg_covar > 0`` every fitted (conditional) variance is at least
    ``reg_covar`` in exact arithmetic, so a component on coinciding samples is
    well defined whatever the units of the data; the floor is then at most
    ``reg_covar / 2`` and only catches a covariance that rounding has broken.
    (Without the cap, 150 zeros among amounts in dollars, ``var(X) ~ 1e9``,
    would count as collapsed while the same data in thousands would not.)

    Parameters
    ----------
    X_or_variances : array-like of shape (n_samples, n_features) or (n_features,)
        The data, or the variances of their features.
    reg_covar : float, default 0.0
        The regularisation added to every fitted variance.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    values = np.asarray(X_or_variances)
    variances = values.var(axis=0) if values.ndim == 2 else values
    floor = 10.0 * np.finfo(np.float64).eps * variances
    return np.minimum(floor, 0.5 * reg_covar) if reg_covar > 0 else floor


def _collapsed(covariances, prec, covariance_type, floor):
    """Whether a fitted (conditional) variance is at or below ``floor`` (:func:`collapse_floor`)."""
    if covariance_type in ("full", "tied"):  # conditional variances 1 / P_jj^2
        return bool(np.any(1.0 / np.diagonal(prec, axis1=-2, axis2=-1) ** 2 <= floor))
    return bool(np.any(covariances <= (floor if covariance_type == "diag" else floor.mean())))


def _precisions_cholesky(covariances, covariance_type, floor=None):
    """Unvalidated :func:`precisions_cholesky_from_covariances` (used by EM loops).

    ``floor`` (shape (n_features,), from :func:`collapse_floor`) rejects
    numerically singular covariances that a Cholesky factorisation would accept.
    """
    if not np.all(np.isfinite(covariances)):
        raise ValueError(ILL_DEFINED_COVARIANCE)
    prec = _FACTORS_FROM_COVARIANCES[covariance_type](covariances)
    if floor is not None and _collapsed(covariances, prec, covariance_type, floor):
        raise ValueError(ILL_DEFINED_COVARIANCE)
    return prec


def precisions_cholesky_from_covariances(covariances, covariance_type):
    """Cholesky factors of the precision matrices, computed from covariances.

    For ``Sigma = L L^T`` the factor is ``P = L^{-T}`` (upper triangular), so
    ``P P^T = Sigma^{-1}``; it is found by a triangular solve, never by an
    explicit inverse.

    Parameters
    ----------
    covariances : array-like
        Shape (n_components, n_features, n_features) for "full",
        (n_features, n_features) for "tied", (n_components, n_features) for
        "diag", (n_components,) for "spherical".
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    precisions_cholesky : ndarray of the same shape as ``covariances``

    Raises
    ------
    ValueError
        If a covariance is not positive definite (the "ill-defined empirical
        covariance" error of scikit-learn, which suggests what to change).
    """
    check_covariance_type(covariance_type)
    ndim = {"full": 3, "tied": 2, "diag": 2, "spherical": 1}[covariance_type]
    covariances = check_finite_array(covariances, "covariances", ndim=ndim)
    if covariance_type in ("full", "tied") and covariances.shape[-1] != covariances.shape[-2]:
        raise ValueError(f"covariances must be square matrices, got shape {covariances.shape}")
    return _precisions_cholesky(covariances, covariance_type)


def _flip(matrix):
    return matrix[..., ::-1, ::-1]


def precisions_cholesky_from_precisions(precisions, covariance_type, *, name="precisions"):
    """Upper-triangular Cholesky factors ``P`` with ``P P^T = precisions``.

    The Cholesky factorisation of the reversed matrix ``J Lambda J = L L^T``
    (``J`` the exchange matrix) gives ``P = J L J`` upper triangular, the same
    factor that :func:`precisions_cholesky_from_covariances` returns.

    Parameters
    ----------
    precisions : array-like
        Shape (n_components, n_features, n_features) for "full",
        (n_features, n_features) for "tied", (n_components, n_features) for
        "diag", (n_components,) for "spherical"; symmetric positive definite
        (or positive for "diag"/"spherical").
    covariance_type : {"full", "tied", "diag", "spherical"}
    name : str, default "precisions"
        Parameter name used in error messages.

    Returns
    -------
    precisions_cholesky : ndarray of the same shape as ``precisions``
    """
    check_covariance_type(covariance_type)
    ndim = {"full": 3, "tied": 2, "diag": 2, "spherical": 1}[covariance_type]
    precisions = check_finite_array(precisions, name, ndim=ndim)
    if covariance_type in ("diag", "spherical"):
        if np.any(precisions <= 0):
            raise ValueError(
                f"{name} must be positive for covariance_type={covariance_type!r} "
                "(they are inverse variances)"
            )
        return np.sqrt(precisions)
    if precisions.shape[-1] != precisions.shape[-2] or not np.allclose(
        precisions, np.swapaxes(precisions, -1, -2), rtol=1e-10, atol=1e-12
    ):
        raise ValueError(
            f"{name} must hold symmetric square matrices for covariance_type="
            f"{covariance_type!r}, got shape {precisions.shape}"
        )
    try:
        return _flip(np.linalg.cholesky(_flip(precisions)))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} must be symmetric positive definite; it holds inverse "
            "covariances (precisions), not covariances"
        ) from None


def precisions_from_cholesky(precisions_cholesky, covariance_type):
    """Precision matrices ``P P^T`` (or ``P**2`` for "diag"/"spherical").

    Parameters
    ----------
    precisions_cholesky : ndarray
        Factors in the layout of :func:`precisions_cholesky_from_covariances`.
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    precisions : ndarray of the same shape
    """
    check_covariance_type(covariance_type)
    prec = np.asarray(precisions_cholesky, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        return prec @ np.swapaxes(prec, -1, -2)
    return prec**2


def covariances_from_cholesky(precisions_cholesky, covariance_type):
    """Covariances ``(P P^T)^{-1}``, by triangular solves (used for snapshots).

    Parameters
    ----------
    precisions_cholesky : ndarray
        Upper-triangular factors, shape (k, d, d) or (d, d); or (k, d) / (k,)
        for "diag" / "spherical".
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    covariances : ndarray of the same shape
    """
    prec = np.asarray(precisions_cholesky, dtype=np.float64)
    if covariance_type in ("diag", "spherical"):
        return 1.0 / prec**2
    squeeze = prec.ndim == 2
    prec = prec[None] if squeeze else prec
    eye = np.eye(prec.shape[-1])
    inv = np.stack([solve_triangular(p, eye, lower=False, check_finite=False) for p in prec])
    cov = np.swapaxes(inv, -1, -2) @ inv  # (P^{-1})^T P^{-1} = (P P^T)^{-1}
    return cov[0] if squeeze else cov


def n_parameters(n_components, n_features, covariance_type):
    """Number of free parameters of a Gaussian mixture (as scikit-learn counts).

    Parameters
    ----------
    n_components : int
    n_features : int
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    int
        ``k - 1`` weights + ``k d`` means + the covariance parameters:
        ``k d (d + 1) / 2`` (full), ``d (d + 1) / 2`` (tied), ``k d`` (diag),
        ``k`` (spherical).
    """
    k, d = int(n_components), int(n_features)
    cov = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }[check_covariance_type(covariance_type)]
    return cov + k * d + k - 1
