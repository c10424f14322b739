"""Forward-mode transforms: derivatives by pushing Duals through ``f``.

One forward sweep computes ``J v`` for one direction ``v`` (a column of the
Jacobian); with ``n`` dual components at once (``d_i d_j = 0``) a single
sweep gives all ``n`` columns. See the chapter :ref:`forward-reverse`.
"""

import functools

import numpy as np

from mixgrad._docs import fill_doc

from ._trace import TRACERS, check_tracer_input, new_level, primal
from .dual import Dual, _make

__all__ = ["derivative", "jvp", "jacobian_fwd", "gradient_fwd", "collect_output"]


def collect_output(y, who):
    """Check what ``f`` returned; lists and object arrays of traced values are stacked.

    ``np.array([y1, y2])`` of Duals is an object array; stacking it lets
    functions written that way be differentiated too.
    """
    if type(y) in TRACERS or isinstance(y, (float, int, np.floating, np.integer)):
        return y
    if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.dtype == object):
        items = np.asarray(y, dtype=object)
        if items.size == 0:
            return np.zeros(items.shape)
        flat = [collect_output(i, who) for i in items.ravel()]
        return np.reshape(np.stack(flat), items.shape + np.shape(primal(flat[0])))
    if isinstance(y, np.ndarray) and y.dtype.kind in "biuf":
        return y
    raise TypeError(
        f"{who}: the function must return a number or an array of numbers, "
        f"got {type(y).__name__}"
    )


def _split(y, level):
    """``(value, tangent)`` of an output; tangent ``None`` if it does not depend on x."""
    if type(y) is Dual and y._level == level:
        t = y._t
        if type(t) is np.ndarray and not t.flags.writeable:  # a broadcast view: copy it
            t = np.array(t)
        return y.value, t
    return y, None


def derivative(f):
    """The derivative ``f'`` of a function of one scalar variable.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` with ``x`` a float; may return an array.

    Returns
    -------
    callable
        ``x -> f'(x)`` (float, or ndarray of the shape of ``f(x)``); extra
        arguments are passed through to ``f`` as constants.

    Examples
    --------
    >>> derivative(lambda x: x**3)(2.0)
    12.0
    """

    @functools.wraps(f)
    def df(x, *args, **kwargs):
        x = check_tracer_input(x)
        if np.ndim(primal(x)) != 0:
            raise ValueError(
                f"derivative needs a scalar x, got shape {np.shape(primal(x))}; "
                "use jvp or jacobian_fwd for arrays"
            )
        with new_level() as level:
            y = collect_output(f(_make(x, 1.0, level), *args, **kwargs), "derivative")
        value, tangent = _split(y, level)
        return np.zeros(np.shape(primal(value)))[()] if tangent is None else tangent

    return df


@fill_doc
def jvp(f, x, v, *args, **kwargs):
    """Jacobian-vector product: ``(f(x), J(x) v)`` in one forward sweep.

    %(parameters_f_x)s
    v : float or array-like of the shape of ``x``
        The direction (the tangent ``x'``).
    *args, **kwargs
        Further arguments of ``f``, held constant.

    Returns
    -------
    y : float or ndarray of shape (...)
        ``f(x)``.
    y_tangent : float or ndarray of the shape of ``y``
        ``J v``, the directional derivative.
    """
    x = check_tracer_input(x)
    v = check_tracer_input(v, "v")
    if np.shape(primal(v)) != np.shape(primal(x)):
        raise ValueError(
            f"v must have the shape of x {np.shape(primal(x))}, got {np.shape(primal(v))}"
        )
    with new_level() as level:
        y = collect_output(f(_make(x, v, level), *args, **kwargs), "jvp")
    value, tangent = _split(y, level)
    if tangent is None:
        tangent = np.zeros(np.shape(primal(value)))[()]
    return value, tangent


def _jacobian_fwd(f, x, args, kwargs, who):
    x = check_tracer_input(x)
    shape = np.shape(primal(x))
    n = int(np.prod(shape))
    seeds = np.eye(n).reshape((n,) + shape)  # direction i is the i-th entry of x
    with new_level() as level:
        y = collect_output(f(_make(x, seeds, level), *args, **kwargs), who)
    value, tangent = _split(y, level)
    out_shape = np.shape(primal(value))
    if tangent is None:
        return value, np.zeros(out_shape + shape)[()]
    jac = np.reshape(np.moveaxis(tangent, 0, -1), out_shape + shape)
    return value, (float(jac) if type(jac) is np.ndarray and jac.ndim == 0 else jac)


@fill_doc
def jacobian_fwd(f):
    """The Jacobian by forward mode, all columns in one sweep.

    The input is seeded with ``n = x.size`` dual components at once (the
    identity matrix as tangent), so one pass gives ``J`` whole.

    %(parameters_returns_jacobian)s
    """

    @functools.wraps(f)
    def jac(x, *args, **kwargs):
        return _jacobian_fwd(f, x, args, kwargs, "jacobian_fwd")[1]

    return jac


def gradient_fwd(f):
    """The gradient of a scalar function by forward mode (one sweep, n directions).

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning a scalar.

    Returns
    -------
    callable
        ``x -> grad f(x)`` of the shape of ``x``.
    """

    @functools.wraps(f)
    def gradient(x, *args, **kwargs):
        value, jac = _jacobian_fwd(f, x, args, kwargs, "gradient_fwd")
        if np.ndim(primal(value)) != 0:
            raise ValueError(
                f"gradient_fwd needs f to return a scalar, got shape "
                f"{np.shape(primal(value))}; use jacobian_fwd for vector outputs"
            )
        return jac

    return gradient
