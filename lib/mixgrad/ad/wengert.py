"""Wengert lists: a scalar program written as one elementary operation per line.

Tracing ``f(x1, x2) = x1 * x2 + sin(x1)`` at a point records::

    w1 = x1
    w2 = x2
    w3 = w1 * w2
    w4 = sin(w1)
    w5 = w3 + w4

From that list the *dual* (tangent) program pushes ``ẇi`` forwards with the
chain rule, and the *adjoint* program pulls ``w̄i = Σ_j w̄j ∂wj/∂wi`` backwards.
:func:`trace` records the list with a tiny operator-overloading tracer of
its own (:class:`Trace`), independent of :class:`mixgrad.ad.Dual`, so the
chapter can check that both give the same numbers.

See the chapter :ref:`forward-reverse`.
"""

import inspect
import math

import numpy as np

from mixgrad.ad._wengert_list import WengertList
from mixgrad.ad._wengert_ops import OPS, UFUNCS, Listing, Node, domain, real

__all__ = [
    "Trace",
    "Node",
    "WengertList",
    "Listing",
    "trace",
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "tanh",
]


def _binary(op):
    """The operator method and its reflected twin (``__add__``, ``__radd__``)."""

    def method(self, other):
        return _record(op, self, other)

    def reflected(self, other):
        return _record(op, other, self)

    return method, reflected


class Trace:
    """A traced scalar: records every operation applied to it in a Wengert list.

    Created by :func:`trace`, not directly. Arithmetic (``+ - * / **``, unary
    ``-``), the functions ``sin cos tan exp log sqrt tanh`` of
    ``mixgrad.ad.wengert`` and the matching numpy ufuncs return new ``Trace``
    objects, each appending one line to the list.

    Attributes
    ----------
    index : int
        Number ``i`` of the line ``wi`` that computed this value.
    """

    __slots__ = ("_tape", "index")

    def __init__(self, tape, index):
        self._tape = tape
        self.index = index

    @property
    def value(self):
        """The value of this node."""
        return self._tape[self.index - 1].value

    def __repr__(self):
        return f"Trace(w{self.index} = {self.value!r})"

    def __float__(self):
        raise TypeError(
            "a traced value cannot be converted to float (the Wengert list would lose "
            "the operation); keep it symbolic or use the functions of mixgrad.ad.wengert"
        )

    def __bool__(self):
        raise TypeError(
            "a traced value has no truth value: Wengert lists are straight-line "
            "programs, so branches on traced values are not supported"
        )

    def _compare(self, other):
        raise TypeError(
            "traced values cannot be compared: Wengert lists are straight-line programs "
            "(no branches on the inputs); trace each branch as its own function"
        )

    __lt__ = __le__ = __gt__ = __ge__ = _compare
    __hash__ = object.__hash__

    __add__, __radd__ = _binary("add")
    __sub__, __rsub__ = _binary("sub")
    __mul__, __rmul__ = _binary("mul")
    __truediv__, __rtruediv__ = _binary("div")
    __pow__, __rpow__ = _binary("pow")

    def __neg__(self):
        return _record("neg", self)

    def __pos__(self):
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        op = UFUNCS.get(ufunc)
        if method != "__call__" or kwargs or op is None:
            raise NotImplementedError(
                f"numpy.{ufunc.__name__} ({method}) is not an elementary operation of "
                f"Wengert lists; supported: {', '.join(sorted(OPS))}"
            )
        return _record(op, *inputs)


def _record(op, *args):
    """Evaluate ``op`` on ``args`` and append the node to the shared tape."""
    tapes = {id(a._tape): a._tape for a in args if type(a) is Trace}
    if len(tapes) != 1:
        raise ValueError("cannot mix values traced by different calls of trace()")
    (tape,) = tapes.values()
    spec = OPS[op]
    operands = tuple(a.index if type(a) is Trace else real(a, f"a constant in {op}")
                     for a in args)
    values = [tape[a - 1].value if type(a) is int else a for a in operands]
    if op == "pow" and type(operands[1]) is int:
        domain("pow", values[0] > 0, "a ** w with a traced exponent needs a > 0", values[0])
    value = spec.evaluate(*values)
    if isinstance(value, complex) or not math.isfinite(value):
        raise ValueError(f"{op} of {values} is not a finite real number; trace f elsewhere")
    tape.append(Node(len(tape) + 1, op, operands, float(value)))
    return Trace(tape, len(tape))


def _function(op, fallback):
    def apply(x):
        if type(x) is Trace:
            return _record(op, x)
        return fallback(x)

    apply.__name__ = op
    apply.__doc__ = (
        f"``{op}(x)``: records a node if ``x`` is a :class:`Trace`, else ``numpy.{op}(x)``."
    )
    return apply


sin = _function("sin", np.sin)
cos = _function("cos", np.cos)
tan = _function("tan", np.tan)
exp = _function("exp", np.exp)
log = _function("log", np.log)
sqrt = _function("sqrt", np.sqrt)
tanh = _function("tanh", np.tanh)


def trace(f, *args, **kwargs):
    """Run ``f`` on traced inputs and return its Wengert list.

    Parameters
    ----------
    f : callable
        Scalar function of scalar arguments, written with ``+ - * / **``,
        unary ``-``, and ``sin cos tan exp log sqrt tanh`` (from numpy or
        from this module). No branches on the inputs.
    *args, **kwargs : float
        The point, bound to ``f``'s parameters by name
        (``trace(f, x1=0.5, x2=2.0)`` or ``trace(f, 0.5, 2.0)``).

    Returns
    -------
    WengertList

    Examples
    --------
    >>> wl = trace(lambda x1, x2: x1 * x2 + sin(x1), x1=0.5, x2=2.0)
    >>> print(wl.original())
    w1 = x1
    w2 = x2
    w3 = w1 * w2
    w4 = sin(w1)
    w5 = w3 + w4
    """
    if not callable(f):
        raise TypeError(f"f must be a callable, got {type(f).__name__}")
    try:
        bound = inspect.signature(f).bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"the point does not match the parameters of f: {exc}") from None
    tape = []
    for name, value in bound.arguments.items():
        tape.append(Node(len(tape) + 1, "input", (), real(value, name), name))
        bound.arguments[name] = Trace(tape, len(tape))
    if not tape:
        raise ValueError("f has no inputs to trace; give it at least one argument")
    out = f(*bound.args, **bound.kwargs)
    if type(out) is not Trace or out._tape is not tape:
        raise ValueError(
            f"f returned {type(out).__name__}, not a traced value computed from its inputs; "
            "a Wengert list needs a scalar output that depends on the inputs"
        )
    return WengertList(tape, out.index)
