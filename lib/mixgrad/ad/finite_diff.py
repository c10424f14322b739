"""Divided differences: the derivative without automatic differentiation.

The forward difference ``(f(x + h) - f(x)) / h`` is the definition of the
derivative with the limit dropped. Its error has two parts that pull ``h`` in
opposite directions:

- **truncation** (Taylor remainder), which shrinks with ``h``:
  ``|f''| h / 2`` for forward/backward differences, ``|f'''| h**2 / 6`` for
  central differences;
- **round-off**, which grows as ``h`` shrinks: ``f(x + h)`` and ``f(x)`` each
  carry an error of about ``eps |f|``, and their difference is divided by
  ``h`` (``2 eps |f| / h``) or by ``2 h`` (``eps |f| / h``).

On a log-log plot of error against ``h`` the two parts make a V, whose bottom
(the optimal step) sits near ``sqrt(eps)`` for forward differences and near
``eps**(1/3)`` for central ones (the model and its measurement are in
:mod:`mixgrad.ad.step_error`). The complex-step derivative
``Im f(x + i h) / h`` subtracts nothing, so it has no round-off branch at all.

See the chapter :ref:`divided-differences`.
"""

import warnings

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array

__all__ = [
    "EPS",
    "DIFFERENCE_KINDS",
    "forward_difference",
    "backward_difference",
    "central_difference",
    "complex_step",
    "divided_difference",
    "default_step",
    "fd_gradient",
    "fd_jacobian",
]

#: Machine epsilon of float64 (``2**-52``), the relative spacing of doubles.
EPS = float(np.finfo(np.float64).eps)

#: Divided-difference kinds accepted by :func:`divided_difference` and friends.
DIFFERENCE_KINDS = ("forward", "backward", "central", "complex")


# --- checks --------------------------------------------------------------------


def _check_callable(f, name="f"):
    if not callable(f):
        raise TypeError(f"{name} must be a callable, got {type(f).__name__}")


def _check_steps(h):
    """``h`` as a float array of finite, strictly positive steps."""
    if isinstance(h, bool):
        raise TypeError(f"h must be a positive real number or array, got {type(h).__name__}")
    steps = check_finite_array(h, "h")
    if np.any(steps <= 0):
        raise ValueError(
            f"h must be > 0 (the step size), got min(h) = {steps.min()!r}; "
            "use backward_difference for a step to the left"
        )
    return steps


def _check_kind(kind, allowed=DIFFERENCE_KINDS):
    if kind not in allowed:
        raise ValueError(f"kind must be one of {allowed}, got {kind!r}")
    return kind


def _evaluate(f, x, name="f"):
    """``f(x)`` as a float array; non-finite values raise a clear error."""
    with np.errstate(all="ignore"):  # checked just below, with a clearer message
        y = np.asarray(f(x))
    if not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"{name} must return numbers, got {y.dtype} values")
    if not np.all(np.isfinite(y)):
        where = f"x = {x}" if np.ndim(x) == 0 else f"a point of x + h (shape {np.shape(x)})"
        raise ValueError(
            f"{name} returned a non-finite value at {where}; the divided difference "
            f"would be NaN. Choose x and h inside the domain of {name}"
        )
    return y


def _elementwise(x, h):
    """Broadcast ``x`` and ``h`` and check that ``f`` maps arrays elementwise."""
    x = check_finite_array(x, "x")
    steps = _check_steps(h)
    try:
        x, steps = np.broadcast_arrays(x, steps)
    except ValueError:
        raise ValueError(
            f"x of shape {x.shape} and h of shape {steps.shape} do not broadcast; "
            "pass a scalar x with an array of h, or arrays of equal shape"
        ) from None
    return x, steps


def _complex_evaluate(f, z, name="f"):
    """``f(z)`` for complex ``z``, refusing functions that drop the imaginary part."""
    lost = (
        f"{name} must accept complex arguments for the complex-step derivative and keep "
        "their imaginary part ({}); write it with numpy functions (not math, abs or "
        "np.real), or use central differences"
    )
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            y = np.asarray(f(z))
    except (TypeError, np.exceptions.ComplexWarning) as exc:
        raise TypeError(lost.format(exc)) from None
    if not np.iscomplexobj(y):
        raise TypeError(lost.format(f"it returned {y.dtype} values for complex input"))
    if not np.all(np.isfinite(y)):
        raise ValueError(
            f"{name} returned a non-finite value at x + i h; choose x inside its domain"
        )
    return y


def _check_shape(y, shape):
    if y.shape != shape:
        raise ValueError(
            f"f returned shape {y.shape} for an input of shape {shape}; the divided "
            "differences here are for scalar functions applied elementwise "
            "(use fd_gradient or fd_jacobian for functions of a vector)"
        )


# --- divided differences -------------------------------------------------------


def forward_difference(f, x, h):
    """Forward divided difference ``(f(x + h) - f(x)) / h``.

    Parameters
    ----------
    f : callable
        Scalar function applied elementwise to arrays (numpy-style).
    x : float or array-like of shape (n,)
        Point(s) at which to differentiate.
    h : float or array-like of shape (m,) or broadcastable with ``x``
        Step size(s), all > 0.

    Returns
    -------
    ndarray of shape ``np.broadcast_shapes(np.shape(x), np.shape(h))``
        Approximations of ``f'(x)``; error ``O(h)``.

    Examples
    --------
    >>> float(forward_difference(lambda x: x**3, 1.0, 1e-8))  # doctest: +ELLIPSIS
    3.0000000...
    """
    _check_callable(f)
    x, steps = _elementwise(x, h)
    fx, fxh = _evaluate(f, x), _evaluate(f, x + steps)
    _check_shape(fxh, x.shape)
    return (fxh - fx) / steps


@fill_doc
def backward_difference(f, x, h):
    """Backward divided difference ``(f(x) - f(x - h)) / h``, error ``O(h)``.

    %(parameters_fd_f_x)s
    h : float or array-like of shape (m,) or broadcastable with ``x``
        Step size(s), all > 0 (the step goes to the left).

    %(returns_fd)s
    """
    return _two_point(f, x, h, -1.0, 0.0)


@fill_doc
def central_difference(f, x, h):
    """Central divided difference ``(f(x + h) - f(x - h)) / (2 h)``, error ``O(h**2)``.

    %(parameters_fd_f_x)s
    h : float or array-like of shape (m,) or broadcastable with ``x``
        Step size(s), all > 0.

    %(returns_fd)s
    """
    return _two_point(f, x, h, -1.0, 1.0)


def _two_point(f, x, h, left, right):
    """``(f(x + right h) - f(x + left h)) / ((right - left) h)``, validated."""
    _check_callable(f)
    x, steps = _elementwise(x, h)
    f_left = _evaluate(f, x + left * steps)
    f_right = _evaluate(f, x + right * steps) if right else _evaluate(f, x)
    _check_shape(f_left, x.shape)
    return (f_right - f_left) / ((right - left) * steps)


def complex_step(f, x, h=1e-20):
    """Complex-step derivative ``Im f(x + i h) / h``.

    No difference of nearby values is formed, so there is no cancellation and
    ``h`` can be tiny: the result is exact to machine precision for analytic
    ``f`` written with complex-capable operations (numpy functions are; ``abs``,
    comparisons, ``math`` functions and ``np.real`` are not). A TypeError is
    raised if ``f`` rejects complex input or returns real values (it dropped
    the imaginary part, so the result would silently be 0).

    Parameters
    ----------
    f : callable
        Real-analytic scalar function that accepts complex arrays.
    x : float or array-like of shape (n,)
        Point(s) at which to differentiate (real).
    h : float or array-like, default 1e-20
        Imaginary step(s), all > 0.

    Returns
    -------
    ndarray of shape ``np.broadcast_shapes(np.shape(x), np.shape(h))``
        Approximations of ``f'(x)``; error ``O(h**2)``.
    """
    _check_callable(f)
    x, steps = _elementwise(x, h)
    y = _complex_evaluate(f, x + 1j * steps)
    _check_shape(y, x.shape)
    return np.imag(y) / steps


_DIFFERENCES = {
    "forward": forward_difference,
    "backward": backward_difference,
    "central": central_difference,
    "complex": complex_step,
}


def divided_difference(f, x, h, kind="central"):
    """Dispatch to the divided difference named by ``kind``.

    Parameters
    ----------
    f : callable
        Scalar function applied elementwise to arrays.
    x : float or array-like of shape (n,)
        Point(s).
    h : float or array-like
        Step size(s), all > 0.
    kind : {"forward", "backward", "central", "complex"}, default "central"

    Returns
    -------
    ndarray of shape ``np.broadcast_shapes(np.shape(x), np.shape(h))``
    """
    return _DIFFERENCES[_check_kind(kind)](f, x, h)


def default_step(x, kind="central"):
    """Rule-of-thumb step scaled to ``x``: ``sqrt(eps)`` or ``eps**(1/3)`` times ``max(1, |x|)``.

    Parameters
    ----------
    x : float or array-like of shape (n,)
        Point(s).
    kind : {"forward", "backward", "central", "complex"}, default "central"

    Returns
    -------
    ndarray of shape ``np.shape(x)``
    """
    kind = _check_kind(kind)
    scale = np.maximum(1.0, np.abs(check_finite_array(x, "x")))
    if kind == "complex":
        return 1e-20 * scale
    base = EPS ** (1.0 / 3.0) if kind == "central" else np.sqrt(EPS)
    return base * scale


# --- gradients and Jacobians of functions of a vector -------------------------


def _steps_for(x, h, kind):
    if h is None:
        return default_step(x, kind)
    steps = _check_steps(h)
    return np.broadcast_to(steps, x.shape)


def fd_jacobian(F, x, h=None, *, kind="central"):
    """Jacobian by divided differences, one column per coordinate of ``x``.

    Parameters
    ----------
    F : callable
        Function of an array of shape ``x.shape`` returning an array (or float).
    x : array-like of shape (n,) (any shape is allowed)
        Point.
    h : float or array-like of shape ``x.shape``, optional
        Step(s); default :func:`default_step` for ``kind``.
    kind : {"forward", "backward", "central", "complex"}, default "central"
        The complex step needs ``F`` to accept complex arrays.

    Returns
    -------
    ndarray of shape ``np.shape(F(x)) + x.shape``
        ``J[i, j] = dF_i / dx_j`` (the layout of :func:`mixgrad.ad.jacobian_fwd`).
        ``2 n`` evaluations of ``F`` for central differences, ``n + 1`` forward.
    """
    _check_callable(F, "F")
    kind = _check_kind(kind)
    x = check_finite_array(x, "x")
    steps = _steps_for(x, h, kind)
    y0 = _evaluate(F, x, "F")
    J = np.empty(y0.shape + x.shape)
    for j in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[j] = steps[j]
        if kind == "complex":
            col = np.imag(_complex_evaluate(F, x + 1j * e, "F")) / steps[j]
        elif kind == "central":
            col = (_evaluate(F, x + e, "F") - _evaluate(F, x - e, "F")) / (2.0 * steps[j])
        elif kind == "forward":
            col = (_evaluate(F, x + e, "F") - y0) / steps[j]
        else:
            col = (y0 - _evaluate(F, x - e, "F")) / steps[j]
        J[(..., *j)] = col
    return J


def fd_gradient(f, x, h=None, *, kind="central"):
    """Gradient of a scalar function of an array by divided differences.

    Parameters
    ----------
    f : callable
        Function of an array of shape ``x.shape`` returning a float.
    x : array-like of shape (n,) (any shape is allowed)
        Point.
    h : float or array-like of shape ``x.shape``, optional
        Step(s); default :func:`default_step` for ``kind``.
    kind : {"forward", "backward", "central", "complex"}, default "central"

    Returns
    -------
    ndarray of shape ``x.shape``
    """
    _check_callable(f)
    x = check_finite_array(x, "x")
    if np.ndim(f(x)) != 0:
        raise ValueError(
            f"f must return a scalar for fd_gradient, got shape {np.shape(f(x))}; "
            "use fd_jacobian for vector-valued functions"
        )
    return fd_jacobian(f, x, h, kind=kind)
