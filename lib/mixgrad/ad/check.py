"""``check_grads``: test derivatives against central differences, autograd style.

Along a random direction ``v`` (and a random output weight ``u``) the
forward mode must give ``J v`` and the reverse mode ``u^T J``; both are
compared with the central difference ``(f(x + eps v) - f(x - eps v)) / (2 eps)``.
For ``order=2`` the same check runs on the derivative functions
``x -> J(x) v`` and ``x -> u^T J(x)``, which exercises forward-over-forward,
reverse-over-forward, forward-over-reverse and reverse-over-reverse.
A test then reads ``check_grads(f, x)``.

See the chapter :ref:`forward-reverse`.
"""

import importlib
import numbers

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive, check_rng

__all__ = ["check_grads", "MODES"]

#: The modes ``check_grads`` can test.
MODES = {"fwd": "forward mode (jvp)", "rev": "reverse mode (vjp)"}


def _ad():
    return importlib.import_module("mixgrad.ad")


def _random_like(value, rng):
    """A standard normal direction with the shape of ``value`` (float if scalar)."""
    shape = np.shape(value)
    return float(rng.standard_normal()) if shape == () else rng.standard_normal(shape)


def _as_point(x):
    if isinstance(x, bool) or isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"x must be a float or an array of floats, got {type(x).__name__}")
    arr = check_finite_array(x, "x")
    return float(arr) if arr.ndim == 0 else arr


def _check_value(y_ad, y, *, mode, level):
    """The primal output of ``jvp``/``vjp`` must be ``f(x)`` itself."""
    y_ad = np.asarray(y_ad, dtype=float)
    if y_ad.shape != y.shape or not np.allclose(y_ad, y, rtol=1e-12, atol=0):
        raise AssertionError(
            f"check_grads: the value returned by {mode} at order {level} differs from "
            f"f(x):\n  {mode}: {y_ad}\n  f(x): {y}"
        )


def _compare(ad, fd, *, what, level, rtol, atol):
    ad, fd = np.asarray(ad, dtype=float), np.asarray(fd, dtype=float)
    if ad.shape != fd.shape:
        raise AssertionError(
            f"check_grads: {what} at order {level} has shape {ad.shape}, but central "
            f"differences give shape {fd.shape}"
        )
    if not np.allclose(ad, fd, rtol=rtol, atol=atol):
        diff = np.max(np.abs(ad - fd))
        allowed = np.max(atol + rtol * np.abs(fd))
        raise AssertionError(
            f"check_grads: {what} disagrees with central differences at order {level} "
            f"along a random direction:\n"
            f"  AD: {np.array2string(ad, precision=10)}\n"
            f"  FD: {np.array2string(fd, precision=10)}\n"
            f"  max |AD - FD| = {diff:.3e} > atol + rtol |FD| = {allowed:.3e}"
        )


def _central(f, x, v, eps):
    with np.errstate(all="ignore"):  # non-finite values are reported just below
        plus = np.asarray(f(x + eps * v), dtype=float)
        minus = np.asarray(f(x - eps * v), dtype=float)
    if not (np.all(np.isfinite(plus)) and np.all(np.isfinite(minus))):
        raise ValueError(
            "f is not finite at x +/- eps v; move x away from the edge of the domain "
            "or lower eps"
        )
    return (plus - minus) / (2.0 * eps)


def _check(f, x, modes, order, rng, eps, rtol, atol, level):
    ad = _ad()
    v = _random_like(x, rng)
    y = np.asarray(f(x), dtype=float)
    fd = _central(f, x, v, eps)
    derivatives = []
    if "fwd" in modes:
        y_fwd, jv = ad.jvp(f, x, v)
        _check_value(y_fwd, y, mode="jvp", level=level)
        _compare(jv, fd, what=MODES["fwd"], level=level, rtol=rtol, atol=atol)
        derivatives.append(lambda z: ad.jvp(f, z, v)[1])
    if "rev" in modes:
        y_rev, pullback = ad.vjp(f, x)
        _check_value(y_rev, y, mode="vjp", level=level)
        u = _random_like(y, rng)
        ut_j = pullback(u)
        if np.shape(ut_j) != np.shape(x):
            raise AssertionError(
                f"check_grads: the pullback of vjp at order {level} returned shape "
                f"{np.shape(ut_j)}, but x has shape {np.shape(x)}"
            )
        _compare(np.vdot(ut_j, v), np.vdot(u, fd), what=MODES["rev"], level=level,
                 rtol=rtol, atol=atol)
        derivatives.append(lambda z: ad.vjp(f, z)[1](u))
    if order > 1:
        for g in derivatives:
            _check(g, x, modes, order - 1, rng, eps, rtol, atol, level + 1)


def check_grads(f, x, modes=("fwd", "rev"), order=2, *, rng=0, eps=1e-6, rtol=1e-5,
                atol=1e-6):
    """Check forward and reverse derivatives of ``f`` against central differences.

    Parameters
    ----------
    f : callable
        Function of a float or an array of shape ``x.shape``, written with
        numpy so that :mod:`mixgrad.ad` can differentiate it.
    x : float or array-like of shape (n,) (any shape)
        Point of the check.
    modes : sequence of {"fwd", "rev"}, default ("fwd", "rev")
        Modes to test.
    order : int, default 2
        Highest derivative order checked (each order nests the derivative
        functions of every mode, so the cost grows like ``len(modes)**order``).
    rng : numpy.random.Generator or int, default 0
        Source of the random directions.
    eps : float, default 1e-6
        Step of the central differences.
    rtol, atol : float, default 1e-5 and 1e-6
        Tolerances of ``np.allclose(AD, FD)``.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        With the AD and FD numbers, if a mode disagrees with central differences.

    Examples
    --------
    >>> check_grads(lambda x: np.sum(np.sin(x) * x), np.array([0.5, 1.5]))
    """
    if not callable(f):
        raise TypeError(f"f must be a callable, got {type(f).__name__}")
    if isinstance(modes, str):
        modes = (modes,)
    try:
        modes = tuple(modes)
    except TypeError:
        raise TypeError(f"modes must be a sequence such as ('fwd', 'rev'), got {modes!r}") from None
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ValueError(f"modes must be a non-empty subset of {tuple(MODES)}, got {modes!r}")
    order = check_integer(order, "order", minimum=1)
    eps = check_positive(eps, "eps")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(tol).__name__}")
        check_positive(tol, name, strict=False)
    rng = check_rng(rng)
    _check(f, _as_point(x), modes, order, rng, eps, float(rtol), float(atol), level=1)
