"""Machinery shared by forward mode (:class:`Dual`) and reverse mode (``Var``).

Both kinds of traced value are *tracers*: objects that stand in for an array
while a transform (``jvp``, ``grad``...) runs. Every numpy operation on a
tracer goes through :func:`bind`, which finds the tracer of the highest
*level* among the arguments and lets its class apply the operation
(``Dual._lift`` uses the jvp rule table, ``Var._lift`` records a tape node).

Levels make nesting exact: each transform runs one level deeper than its
caller, so ``hessian = jacobian_fwd(grad(f))`` (a tape of Duals) and
``derivative(derivative(f))`` never confuse their perturbations.

A *primitive* is the key of the rule tables: a numpy ufunc (``np.sin``), a
numpy function (``np.sum``) or a :class:`Primitive` defined here (for
operations numpy has no protocol for, such as ``logsumexp``).

See the chapters :ref:`dual-numbers` and :ref:`forward-reverse`.
"""

import contextlib
import numbers

import numpy as np

__all__ = [
    "DomainError",
    "Primitive",
    "bind",
    "primal",
    "level_of",
    "new_level",
    "prim_name",
    "missing_rule",
    "first_traced",
    "check_primitive",
    "TRACERS",
    "REGISTERED",
]


class DomainError(ValueError):
    """An input outside the domain where a function is differentiable.

    Raised instead of returning NaN or inf: ``log`` of a number <= 0, ``sqrt``
    of a negative number (or its derivative at 0), division by zero, ``arcsin``
    outside [-1, 1]... A subclass of ``ValueError``. Plain numpy calls on
    untraced arrays keep numpy's behaviour. See the chapter :ref:`dual-numbers`.
    """


_LEVEL = [0]

#: Classes of traced values (Dual and Var register themselves here).
TRACERS = set()

#: Numpy functions given rules by ``defjvp`` / ``defvjp`` (traced calls bind them).
REGISTERED = set()


@contextlib.contextmanager
def new_level():
    """Run a transform one level deeper; yields the new level."""
    _LEVEL[0] += 1
    try:
        yield _LEVEL[0]
    finally:
        _LEVEL[0] -= 1


def current_level():
    """Nesting depth of the transforms running now (0 at top level)."""
    return _LEVEL[0]


def level_of(x):
    """Level of a tracer, -1 for a constant."""
    return x._level if type(x) in TRACERS else -1


def primal(x):
    """Strip every layer of tracing: the plain number or array underneath."""
    while type(x) in TRACERS:
        x = x.value
    return x


class Primitive:
    """An operation with its own rules, for functions numpy has no protocol for.

    Parameters
    ----------
    name : str
        Name used in error messages (``"mixgrad.ad.ops.logsumexp"``).
    impl : callable
        ``impl(*arrays, **static)`` evaluated on plain (or lower-level) values.

    Notes
    -----
    Calling a primitive binds it: positional arguments are the arrays that
    may be traced, keyword arguments are static parameters (axes, flags).
    Give it its rules with :func:`mixgrad.ad.defjvp` (forward mode) and
    :func:`mixgrad.ad.defvjp` (reverse mode); the chapter
    :ref:`forward-reverse` adds ``softplus`` this way.
    """

    __slots__ = ("name", "impl")

    def __init__(self, name, impl):
        self.name = name
        self.impl = impl

    def __call__(self, *args, **kwargs):
        return bind(self, *args, **kwargs)

    def __repr__(self):
        return f"<primitive {self.name}>"


#: Implementations whose calling convention differs from ``prim(*arrays, **static)``.
IMPLS = {
    np.concatenate: lambda *xs, axis: np.concatenate(xs, axis=axis),
    np.stack: lambda *xs, axis: np.stack(xs, axis=axis),
    np.einsum: lambda *xs, subscripts: np.einsum(subscripts, *xs),
}


def impl_of(prim):
    """The function that evaluates ``prim`` on untraced values."""
    if type(prim) is Primitive:
        return prim.impl
    return IMPLS.get(prim, prim)


def prim_name(prim):
    """A readable name: ``numpy.sin``, ``numpy.linalg.solve``, ``mixgrad...``."""
    if type(prim) is Primitive:
        return prim.name
    module = getattr(prim, "__module__", None) or "numpy"
    if module.startswith("numpy._core") or module.startswith("numpy.core"):
        module = "numpy"
    return f"{module}.{getattr(prim, '__name__', repr(prim))}"


def missing_rule(mode, prim, argnum):
    """The error for a primitive without a rule for a traced argument.

    Parameters
    ----------
    mode : {"jvp", "vjp"}
        Forward (``"jvp"``) or reverse (``"vjp"``) mode.
    prim : primitive or str
        The operation that has no rule (or its name).
    argnum : int
        Position of the traced argument the rule is missing for.
    """
    name = prim if isinstance(prim, str) else prim_name(prim)
    kind, helper = (("forward-mode", "defjvp") if mode == "jvp" else ("reverse-mode", "defvjp"))
    return NotImplementedError(
        f"no {kind} ({mode}) rule for {name} with respect to argument {argnum}; register one "
        f"with mixgrad.ad.{helper}({name.rsplit('.', 1)[-1]}, ...) (one rule per argument)"
    )


def first_traced(args, level):
    """Position of the first argument traced at ``level`` (0 if none is)."""
    return next((i for i, a in enumerate(args) if level_of(a) == level), 0)


def check_primitive(prim, rules, what):
    """Validate the arguments of ``defjvp`` / ``defvjp``."""
    if not (isinstance(prim, (np.ufunc, Primitive)) or callable(prim)):
        raise TypeError(
            f"primitive must be a numpy ufunc, a numpy function or a mixgrad.ad.Primitive, "
            f"got {type(prim).__name__}"
        )
    if not rules:
        raise TypeError(f"{what}({prim_name(prim)}) needs one rule per argument, got none")
    for i, r in enumerate(rules):
        if r is not None and not callable(r):
            raise TypeError(
                f"rule {i} of {what}({prim_name(prim)}) must be callable or None "
                f"(not differentiable in argument {i}), got {type(r).__name__}"
            )
    nin = getattr(prim, "nin", None)
    if nin is not None and len(rules) != nin:
        raise ValueError(
            f"{prim_name(prim)} takes {nin} arguments, so {what} needs {nin} rules, "
            f"got {len(rules)}"
        )
    REGISTERED.add(prim)


def bind(prim, *args, **kwargs):
    """Apply ``prim`` to ``args``, differentiating through any tracer.

    Parameters
    ----------
    prim : ufunc, numpy function or Primitive
    *args : arrays, numbers or tracers
        The arguments that may carry derivatives.
    **kwargs
        Static parameters (axes, shapes, flags).

    Returns
    -------
    array, number or tracer
    """
    top = None
    level = -1
    for a in args:
        if type(a) in TRACERS and a._level > level:
            top = a
            level = a._level
    if top is None:
        return impl_of(prim)(*args, **kwargs)
    return type(top)._lift(prim, args, kwargs, level)


def as_operand(a):
    """Check a constant operand of a traced operation (numbers and arrays only)."""
    t = type(a)
    if t is float or t is int or t in TRACERS:
        return a
    if t is np.ndarray:
        if a.dtype.kind not in "biuf":
            raise _operand_error(a)
        return a
    if isinstance(a, (np.generic, numbers.Number)):
        if isinstance(a, (complex, np.complexfloating)) or not isinstance(
            a, (numbers.Real, np.bool_)
        ):
            raise _operand_error(a)
        return a
    if isinstance(a, (list, tuple)):
        arr = np.asarray(a)
        if arr.dtype.kind not in "biuf":
            raise _operand_error(a)
        return arr
    raise _operand_error(a)


def _operand_error(a):
    kind = type(a).__name__
    if isinstance(a, np.ndarray):
        kind = f"array of dtype {a.dtype}"
        if a.dtype == object:
            return TypeError(
                "cannot differentiate through an object array; build arrays of "
                "traced values with np.stack or np.concatenate"
            )
    return TypeError(
        f"cannot differentiate through an argument of type {kind}; "
        "pass real numbers or numpy arrays of floats"
    )


def check_tracer_input(x, name="x"):
    """Validate the point at which a transform differentiates.

    Python ints and floats and float arrays are accepted; integer and bool
    arrays, complex numbers and non-numeric objects are rejected with a
    ``TypeError`` that says to pass floats. Tracers pass through (nesting).

    Returns
    -------
    float, ndarray of float64 or tracer
    """
    if type(x) in TRACERS:
        base = np.asarray(primal(x))
        if base.dtype.kind != "f":
            raise TypeError(f"{name} must hold floats, got dtype {base.dtype}")
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a float or an array of floats, got bool")
    if type(x) is int:
        return float(x)
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a float or an array of floats, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a float or an array of floats, got {type(x).__name__} ({exc})"
        ) from None
    kind = arr.dtype.kind
    if kind in "iub":
        raise TypeError(
            f"{name} has integer dtype {arr.dtype}; derivatives are taken with respect "
            "to floats: pass floats (e.g. np.asarray(x, dtype=float))"
        )
    if kind != "f":
        raise TypeError(
            f"{name} must be a float or an array of floats, got "
            f"{type(x).__name__} of dtype {arr.dtype}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf; derivatives need finite inputs")
    if arr.ndim == 0:
        return float(arr)
    return arr.astype(np.float64, copy=False)


def normalize_axis(axis, ndim):
    """Axes as a tuple of negative ints (``None`` means all ``ndim`` axes).

    Negative axes are the same on a value and on a tangent that carries an
    extra *leading* axis of directions, which keeps the rules short.
    """
    if axis is None:
        return tuple(range(-ndim, 0))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for an array of dimension {ndim}")
        out.append(a - ndim if a >= 0 else a)
    return tuple(out)
