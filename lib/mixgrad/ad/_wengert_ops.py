"""Elementary operations of Wengert lists and how their lines are written.

One entry per operation in ``OPS``: arity, evaluation, how the operation is
written and the ufunc whose partial derivatives (numbers and text) are read
from the AD modes' table ``PARTIALS``. The helpers at
the end format the lines of the dual and adjoint programs.
"""

import ast
import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._elementwise import PARTIALS
from ._symbolic import Expr, bare_call, to_text
from ._symbolic import partials as symbolic_partials

__all__ = ["Listing", "Node", "OPS", "UFUNCS", "partials", "partials_text", "real"]


class Listing(str):
    """A program listing: a ``str`` that displays as its lines (no quotes)."""

    __slots__ = ()

    def __repr__(self):
        return str(self)


# --- elementary operations ------------------------------------------------------
# Each entry: arity, evaluation, partial derivatives (numbers), how to show the
# operation and its partials (text). ``a`` and ``b`` are the operands' values or
# names. One line per operation, like the rule tables of mixgrad.ad.


def domain(op, ok, requirement, value):
    if not ok:
        raise ValueError(
            f"{op}: {requirement}, got {value!r}; the derivative is not defined there "
            "(trace f at another point)"
        )


def _log(a):
    domain("log", a > 0, "input must be > 0", a)
    return math.log(a)


def _sqrt(a):
    domain("sqrt", a > 0, "input must be > 0 (the derivative of sqrt at 0 is infinite)", a)
    return math.sqrt(a)


def _div(a, b):
    domain("div", b != 0, "division by zero: the divisor must be != 0", b)
    return a / b


def _pow(a, b):
    domain("pow", a > 0 or float(b).is_integer(), "a negative base needs an integer exponent", a)
    domain("pow", a != 0 or b >= 1 or b == 0, "0 ** p with p < 1 has no derivative", a)
    return a**b


@dataclass(frozen=True)
class _Op:
    arity: int
    evaluate: object
    show: object
    ufunc: object


def _binary(sign, evaluate, ufunc):
    return _Op(2, evaluate, lambda a, b: f"{a} {sign} {b}", ufunc)


def _unary(name, ufunc):
    return _Op(1, _CHECKED.get(name, getattr(math, name)), lambda a: f"{name}({a})", ufunc)


_CHECKED = {"log": _log, "sqrt": _sqrt}

# The partial derivatives are not written here: they are read from the table of
# both AD modes (``PARTIALS``), as numbers and, symbolically, as text.
OPS = {
    "add": _binary("+", lambda a, b: a + b, np.add),
    "sub": _binary("-", lambda a, b: a - b, np.subtract),
    "mul": _binary("*", lambda a, b: a * b, np.multiply),
    "div": _binary("/", _div, np.divide),
    "pow": _binary("**", _pow, np.power),
    "neg": _Op(1, lambda a: -a, lambda a: f"-{a}", np.negative),
    **{name: _unary(name, uf) for uf, name in ((np.sin, "sin"), (np.cos, "cos"), (np.tan, "tan"),
                                              (np.exp, "exp"), (np.log, "log"),
                                              (np.sqrt, "sqrt"), (np.tanh, "tanh"))},
}

#: numpy ufuncs understood by :class:`Trace` (``np.sin(w)`` works like ``sin(w)``).
UFUNCS = {op.ufunc: name for name, op in OPS.items()}


def partials(op, ans, values):
    """Numbers: the partials of ``ans = op(*values)``, from the AD modes' table."""
    return tuple(float(d(ans, *values)) for d in PARTIALS[OPS[op].ufunc])


def partials_text(op, ans, names, values):
    """Text: the same partials written with the operands' names (``cos(w1)``)."""
    args = [Expr(ast.Name(id=nm), bare_call, v) if isinstance(nm, str) and nm.startswith("w")
            else v for nm, v in zip(names, values, strict=True)]
    return tuple(to_text(node, num) for node in symbolic_partials(OPS[op].ufunc, ans, *args))


# --- the entries of a list ---------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One line ``w_index = op(args)`` of a Wengert list.

    Attributes
    ----------
    index : int
        1-based position: the node is ``w{index}``.
    op : str
        ``"input"`` or an operation name (``"add"``, ``"mul"``, ``"sin"``...).
    args : tuple
        Operands: ``int`` entries are indices of earlier nodes, ``float``
        entries are constants. For an input, ``args == ()``.
    value : float
        Value computed when tracing.
    name : str or None
        Parameter name of an input (``"x1"``), None otherwise.
    """

    index: int
    op: str
    args: tuple
    value: float
    name: str | None = None

    @property
    def operands(self):
        """Indices of the nodes this node reads (constants left out)."""
        return tuple(a for a in self.args if type(a) is int)


def real(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


# --- formatting -----------------------------------------------------------------------


def num(v):
    return f"{v:.6g}"


def dot(i, unicode=True):
    return f"ẇ{i}" if unicode else f"dw{i}"


def bar(i, unicode=True):
    return f"w̄{i}" if unicode else f"w{i}bar"


def sum_terms(terms):
    if not terms:
        return "0"
    text = terms[0]
    for t in terms[1:]:
        text += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return text


def group(text, *, leading_minus=False):
    """Parenthesise a sum (``1 - tanh(w3)²``), or a negative factor if asked."""
    if " + " in text or " - " in text or (leading_minus and text.startswith("-")):
        return f"({text})"
    return text


def times(factor, symbol):
    """``factor·symbol`` with the trivial factors 1 and -1 simplified."""
    if factor == "1":
        return symbol
    if factor == "-1":
        return f"-{symbol}"
    return f"{group(factor)}·{symbol}"


def scaled(adjoint, partial):
    """``adjoint·partial`` (the adjoint first), with factors 1 and -1 simplified."""
    if partial in ("1", "-1"):
        return times(partial, adjoint)
    return f"{adjoint}·{group(partial, leading_minus=True)}"


def product(partial, other, *, partial_first):
    """Numbers ``partial·other`` (or ``other·partial``); partials ±1 are left out."""
    if partial in (1.0, -1.0):
        sign = "-" if partial < 0 else ""
        return f"{sign}{group(num(other), leading_minus=bool(sign))}"
    first, second = (partial, other) if partial_first else (other, partial)
    return f"{num(first)}·{group(num(second), leading_minus=True)}"


def trivial(partials_text):
    """True if the line is a single term with partial 1 or -1 (no numbers needed)."""
    return len(partials_text) == 1 and partials_text[0] in ("1", "-1")
