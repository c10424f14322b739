"""Input checks shared by every part of :mod:`mixgrad`.

Each check names the parameter it rejects and says what to change, so a
reader never meets a bare traceback from deep inside numpy.
"""

import numbers

import numpy as np

__all__ = ["check_finite_array", "check_positive", "check_integer", "check_rng"]


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


def check_rng(rng, name="rng"):
    """Return a ``numpy.random.Generator``.

    Accepts a Generator or an integer seed. ``None`` is rejected on purpose:
    the library never draws from hidden global state, so every caller passes
    ``np.random.default_rng(seed)`` or a seed explicitly.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy.random.Generator or an integer seed, got "
        f"{type(rng).__name__}; pass np.random.default_rng(seed)"
    )
