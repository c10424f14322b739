"""Input checks shared by every part of :mod:`mixgrad`.

Each check names the parameter it rejects and says what to change, so a
reader never meets a bare traceback from deep inside numpy.
"""

import numbers

import numpy as np

__all__ = [
    "check_finite_array",
    "check_positive",
    "check_integer",
    "check_rng",
    "check_labels",
    "check_means",
    "check_weights",
    "cholesky_or_raise",
    "covariance_cholesky",
]


def check_finite_array(x, name, *, ndim=None, dtype=np.float64, allow_nan=False):
    """Return ``x`` as a float array, or raise a clear error.

    Parameters
    ----------
    x : array-like
        The value to check.
    name : str
        Parameter name used in error messages.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    dtype : numpy dtype, default float64
        Target dtype.
    allow_nan : bool, default False
        If True, NaN entries are allowed (e.g. missing values); inf never is.

    Returns
    -------
    ndarray
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a numeric array, got {type(x).__name__} ({exc})"
        ) from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                f"got shape {arr.shape}"
            )
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite values; remove or clip them")
    if not allow_nan and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; remove or impute missing values first")
    return arr


def check_positive(value, name, *, strict=True):
    """Check that a scalar is a real number > 0 (or >= 0 if ``strict=False``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not np.isfinite(value) or (value <= 0 if strict else value < 0):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return float(value)


def check_integer(value, name, *, minimum=None):
    """Check that ``value`` is an integer, optionally at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_rng(rng, name="rng", *, allow_none=False):
    """Return a ``numpy.random.Generator``.

    Accepts a Generator or an integer seed. ``None`` is rejected on purpose:
    the library never draws from hidden global state, so every caller passes
    ``np.random.default_rng(seed)`` or a seed explicitly. Only scikit-learn
    style estimators, whose ``random_state=None`` means "fresh entropy",
    pass ``allow_none=True``.

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
    name : str, default "rng"
        Parameter name used in error messages.
    allow_none : bool, default False
        Whether None (a generator seeded from the operating system) is allowed.

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    if rng is None and allow_none:
        return np.random.default_rng()
    raise TypeError(
        f"{name} must be a numpy.random.Generator or an integer seed, got "
        f"{type(rng).__name__}; pass np.random.default_rng(seed)"
    )


def check_labels(labels, n_samples=None, n_components=None, name="labels", *,
                 unlabelled=True):
    """Integer labels, one per sample, in ``[0, n_components)``.

    With ``unlabelled=True`` (partial labels, the semi-supervised convention)
    ``-1`` marks an unlabelled sample.

    Parameters
    ----------
    labels : array-like of int of shape (n_samples,)
        Integers, or floats with integer values.
    n_samples : int, optional
        Required length.
    n_components : int, optional
        Exclusive upper bound; none when None.
    name : str, default "labels"
        Parameter name used in error messages (the estimator passes "y").
    unlabelled : bool, default True
        Whether ``-1`` (unlabelled) is allowed.

    Returns
    -------
    ndarray of intp of shape (n_samples,)
    """
    what = "component indices (-1 = unlabelled)" if unlabelled else "labels"
    labels = np.asarray(labels)
    if labels.dtype.kind == "O":  # e.g. integers stored as Python objects
        try:
            labels = labels.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must hold integer {what}") from None
    if labels.ndim != 1 or (n_samples is not None and labels.shape[0] != n_samples):
        per_sample = "" if n_samples is None else f" ({n_samples})"
        raise ValueError(
            f"{name} must be a 1-D array with one entry per sample{per_sample}, "
            f"got shape {labels.shape}"
        )
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind != "f" or not np.all(np.isfinite(labels)):
            raise ValueError(f"{name} must hold integer {what}")
        if np.any(labels != np.round(labels)):
            raise ValueError(f"{name} must hold integer {what}")
    labels = labels.astype(np.intp)
    low = -1 if unlabelled else 0
    if labels.size and labels.min() < low and n_components is None:
        raise ValueError(f"{name} must hold labels >= {low}, got {labels.min()}")
    if n_components is not None and labels.size and (
        labels.min() < low or labels.max() >= n_components
    ):
        hint = " (-1 = unlabelled, otherwise a component index)" if unlabelled else ""
        raise ValueError(
            f"{name} must lie in [{low}, {n_components}){hint}; got values from "
            f"{labels.min()} to {labels.max()}; increase n_components or relabel"
        )
    return labels


def check_means(means, n_features=None, name="means"):
    """Means as a float array of shape (n_components, n_features), or a clear error.

    Parameters
    ----------
    means : array-like of shape (n_components, n_features)
    n_features : int, optional
        Required number of columns (the features of X).
    name : str, default "means"
        Parameter name used in error messages.

    Returns
    -------
    ndarray of shape (n_components, n_features)
    """
    means = check_finite_array(means, name, ndim=2)
    if means.shape[0] < 1:
        raise ValueError(f"{name} must have at least one row (one per component)")
    if n_features is not None and means.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} columns (one per feature of X), "
            f"got shape {means.shape}"
        )
    return means


def check_weights(weights, n_components=None, name="weights"):
    """Mixture weights: shape (n_components,), in [0, 1], summing to 1.

    The sum may differ from 1 by ``1e-8``, or by ``1e-6`` for float32 input
    (its rounding), as in scikit-learn.

    Parameters
    ----------
    weights : array-like of shape (n_components,)
    n_components : int, optional
        Required length; any non-zero length when None.
    name : str, default "weights"
        Parameter name used in error messages.

    Returns
    -------
    ndarray of shape (n_components,)
    """
    single = getattr(weights, "dtype", None) in (np.float32, np.float16)
    weights = check_finite_array(weights, name, ndim=1)
    if weights.size == 0:
        raise ValueError(f"{name} must contain at least one component")
    if n_components is not None and weights.shape != (n_components,):
        raise ValueError(
            f"{name} must have shape ({n_components},) (one per component), "
            f"got {weights.shape}"
        )
    if np.any(weights < 0) or np.any(weights > 1):
        raise ValueError(
            f"{name} must lie in [0, 1], got min {weights.min():.5g}, max {weights.max():.5g}"
        )
    if abs(weights.sum() - 1.0) > (1e-6 if single else 1e-8):
        raise ValueError(
            f"{name} must sum to 1, got sum {weights.sum():.10g}; divide them by their sum"
        )
    return weights


def cholesky_or_raise(matrix, message):
    """Lower Cholesky factor of ``matrix``, or ``ValueError(message)`` if it is not SPD.

    Parameters
    ----------
    matrix : ndarray of shape (..., d, d)
    message : str
        What the error says (name the parameter and the remedy).

    Returns
    -------
    ndarray of shape (..., d, d)
    """
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(message) from None


def covariance_cholesky(covariance, name):
    """Lower Cholesky factor of a user's covariance, checked symmetric positive definite.

    Parameters
    ----------
    covariance : ndarray of shape (d, d)
    name : str
        Parameter name used in error messages.

    Returns
    -------
    ndarray of shape (d, d)
    """
    if not np.allclose(covariance, covariance.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric")
    return cholesky_or_raise(
        covariance,
        f"{name} must be positive definite; check it or add a small multiple of the "
        "identity (reg_covar)",
    )
