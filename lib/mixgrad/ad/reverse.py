"""Reverse-mode transforms (JAX-like): ``grad``, ``vjp``, Jacobians, Hessians.

``f`` runs once on traced inputs and records a :class:`~mixgrad.ad.tape.Tape`;
one backward sweep then gives ``y_bar^T J`` (a row of the Jacobian, or the
whole gradient of a scalar function). See the chapter :ref:`forward-reverse`.
"""

import functools
import numbers

import numpy as np

from mixgrad._docs import fill_doc

from ._trace import TRACERS, check_tracer_input, new_level, primal
from .forward import collect_output, jacobian_fwd
from .tape import Tape, Var

__all__ = ["grad", "value_and_grad", "vjp", "jacobian_rev", "jacobian", "hessian"]


def _finish(adjoint, x):
    """The adjoint of an input as a fresh float array of the input's shape."""
    shape = np.shape(primal(x))
    if adjoint is None:
        return np.zeros(shape)[()] if shape else 0.0
    if type(adjoint) in TRACERS:
        return np.broadcast_to(adjoint, shape) if adjoint.shape != shape else adjoint
    out = np.array(np.broadcast_to(adjoint, shape), dtype=np.float64)
    return float(out) if out.ndim == 0 else out


def _argnums(argnums, nargs):
    if isinstance(argnums, numbers.Integral):
        nums = (argnums,)
    elif isinstance(argnums, (tuple, list)):
        nums = tuple(argnums)
    else:
        raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
    for i in nums:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= i < nargs:
            raise ValueError(f"argnums {i} is out of range for {nargs} positional argument(s)")
    return tuple(i % nargs for i in nums)


def _traced(y, level):
    return type(y) is Var and y._level == level


def _value_and_grad(f, argnums, args, kwargs, who):
    nums = _argnums(argnums, len(args))
    args = list(args)
    tape = Tape()
    with new_level() as level:
        inputs = []
        for i in nums:
            x = check_tracer_input(args[i], f"argument {i} of {who}")
            inputs.append(x)
            args[i] = tape.input(x, level)
        out = collect_output(f(*args, **kwargs), who)
    shape = np.shape(primal(out))
    if shape != ():
        raise ValueError(
            f"{who} needs f to return a scalar, got shape {shape}; "
            "use jacobian or vjp for vector outputs"
        )
    if _traced(out, level):
        adjoints = tape.backward(out._index, 1.0)
        value = out.value
        grads = [_finish(adjoints[args[i]._index], x) for i, x in zip(nums, inputs, strict=True)]
    else:
        value = out
        grads = [_finish(None, x) for x in inputs]
    if isinstance(argnums, numbers.Integral):
        return value, grads[0]
    return value, tuple(grads)


@fill_doc
def grad(f, argnums=0):
    """The gradient of a scalar function, by one reverse sweep.

    %(parameters_grad)s

    Returns
    -------
    callable
        ``(*args) -> gradient`` of the shape of the argument (a tuple of
        gradients if ``argnums`` is a tuple).

    Raises
    ------
    ValueError
        If ``f`` does not return a scalar (use :func:`jacobian` or :func:`vjp`).
    TypeError
        If a differentiated argument is not made of floats.
    """

    @functools.wraps(f)
    def gradient(*args, **kwargs):
        return _value_and_grad(f, argnums, args, kwargs, "grad")[1]

    return gradient


@fill_doc
def value_and_grad(f, argnums=0):
    """Like :func:`grad`, but also return ``f(*args)`` (computed on the way).

    %(parameters_grad)s

    Returns
    -------
    callable
        ``(*args) -> (value, gradient)``.
    """

    @functools.wraps(f)
    def both(*args, **kwargs):
        return _value_and_grad(f, argnums, args, kwargs, "value_and_grad")

    return both


@fill_doc
def vjp(f, x, *args, **kwargs):
    """Vector-Jacobian product: ``f(x)`` and its pullback ``y_bar -> y_bar^T J``.

    %(parameters_f_x)s
    *args, **kwargs
        Further arguments of ``f``, held constant.

    Returns
    -------
    y : float or ndarray
        ``f(x)``.
    pullback : callable
        ``y_bar`` (of the shape of ``y``) ``-> x_bar`` (of the shape of ``x``);
        may be called many times, each call is one backward sweep of the tape.
    """
    x = check_tracer_input(x)
    tape = Tape()
    with new_level() as level:
        y = collect_output(f(tape.input(x, level), *args, **kwargs), "vjp")
    traced = _traced(y, level)
    value = y.value if traced else y
    y_shape = np.shape(primal(value))

    def pullback(y_bar):
        if type(y_bar) not in TRACERS:
            try:
                y_bar = np.asarray(y_bar, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"y_bar must be a float array, got {type(y_bar).__name__}"
                ) from None
        if np.shape(primal(y_bar)) != y_shape:
            raise ValueError(
                f"y_bar must have the shape of f(x) {y_shape}, got {np.shape(primal(y_bar))}"
            )
        if not traced:
            return _finish(None, x)
        return _finish(tape.backward(y._index, y_bar)[0], x)

    return value, pullback


def _rows(value, pullback, x):
    """The Jacobian from ``m = y.size`` reverse sweeps, one row each."""
    y_shape, x_shape = np.shape(primal(value)), np.shape(primal(x))
    m = int(np.prod(y_shape))
    rows = []
    for i in range(m):
        seed = np.zeros(m)
        seed[i] = 1.0
        rows.append(pullback(seed.reshape(y_shape)))
    if m == 0:
        return np.zeros(y_shape + x_shape)
    jac = np.reshape(np.stack(rows), y_shape + x_shape)
    return float(jac) if type(jac) is np.ndarray and jac.ndim == 0 else jac


@fill_doc
def jacobian_rev(f):
    """The Jacobian by reverse mode: one tape, ``m`` backward sweeps (one per row).

    %(parameters_returns_jacobian)s
    """

    @functools.wraps(f)
    def jac(x, *args, **kwargs):
        value, pullback = vjp(f, x, *args, **kwargs)
        return _rows(value, pullback, check_tracer_input(x))

    return jac


def jacobian(f, mode="auto"):
    """The Jacobian, by forward or reverse mode.

    Parameters
    ----------
    f : callable
    mode : {"auto", "fwd", "rev"}, default "auto"
        ``"auto"`` records a tape, then uses it (``m`` reverse sweeps) if ``f``
        has fewer outputs than inputs, else one forward sweep with ``n``
        directions.

    Returns
    -------
    callable
        ``x -> J`` of shape ``f(x).shape + x.shape``.
    """
    if mode not in ("auto", "fwd", "rev"):
        raise ValueError(f"mode must be 'auto', 'fwd' or 'rev', got {mode!r}")
    if mode == "fwd":
        return jacobian_fwd(f)
    if mode == "rev":
        return jacobian_rev(f)

    @functools.wraps(f)
    def jac(x, *args, **kwargs):
        x = check_tracer_input(x)
        value, pullback = vjp(f, x, *args, **kwargs)
        if np.size(primal(value)) < np.size(primal(x)):
            return _rows(value, pullback, x)
        return jacobian_fwd(f)(x, *args, **kwargs)

    return jac


def hessian(f):
    """The Hessian of a scalar function, forward-over-reverse.

    The reverse sweep of :func:`grad` runs on Duals carrying ``n = x.size``
    directions, so one pass gives every second derivative exactly.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning a scalar; differentiated twice with
        respect to ``x``.

    Returns
    -------
    callable
        ``x -> H`` of shape ``x.shape + x.shape``.
    """

    @functools.wraps(f)
    def hess(x, *args, **kwargs):
        return jacobian_fwd(lambda z: grad(f)(z, *args, **kwargs))(x)

    return hess
