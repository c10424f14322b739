"""Elementary operations of Wengert lists and how their lines are written.

One entry per operation in ``OPS``: arity, evaluation, partial derivatives
(numbers) and the text of the operation and of its partials. The helpers at
the end format the lines of the dual and adjoint programs.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Listing", "Node", "OPS", "UFUNCS", "real"]


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


def _pow_text(a, b):
    """Partials of ``a ** b`` as text; a constant exponent ``c`` gives ``c·a**(c-1)``."""
    try:
        c = float(b)
    except ValueError:
        return f"{b}·{a}**({b} - 1)", f"{a}**{b}·log({a})"
    power = "1" if c == 1 else a if c == 2 else f"{a}**{num(c - 1)}"
    return (power if c == 1 else f"{num(c)}·{power}"), f"{a}**{b}·log({a})"


def _pow_partials(a, b):
    dlog = math.log(a) if a > 0 else 0.0  # only used when the exponent is traced
    return b * a ** (b - 1), a**b * dlog


@dataclass(frozen=True)
class _Op:
    arity: int
    evaluate: object
    partials: object
    show: object
    partials_text: object


OPS = {
    "add": _Op(2, lambda a, b: a + b, lambda a, b: (1.0, 1.0),
               lambda a, b: f"{a} + {b}", lambda a, b: ("1", "1")),
    "sub": _Op(2, lambda a, b: a - b, lambda a, b: (1.0, -1.0),
               lambda a, b: f"{a} - {b}", lambda a, b: ("1", "-1")),
    "mul": _Op(2, lambda a, b: a * b, lambda a, b: (b, a),
               lambda a, b: f"{a} * {b}", lambda a, b: (b, a)),
    "div": _Op(2, _div, lambda a, b: (1.0 / b, -a / b**2),
               lambda a, b: f"{a} / {b}", lambda a, b: (f"1/{b}", f"-{a}/{b}²")),
    "pow": _Op(2, _pow, _pow_partials,
               lambda a, b: f"{a} ** {b}", _pow_text),
    "neg": _Op(1, lambda a: -a, lambda a: (-1.0,), lambda a: f"-{a}", lambda a: ("-1",)),
    "sin": _Op(1, math.sin, lambda a: (math.cos(a),), lambda a: f"sin({a})",
               lambda a: (f"cos({a})",)),
    "cos": _Op(1, math.cos, lambda a: (-math.sin(a),), lambda a: f"cos({a})",
               lambda a: (f"-sin({a})",)),
    "tan": _Op(1, math.tan, lambda a: (1.0 / math.cos(a) ** 2,), lambda a: f"tan({a})",
               lambda a: (f"1/cos({a})²",)),
    "exp": _Op(1, math.exp, lambda a: (math.exp(a),), lambda a: f"exp({a})",
               lambda a: (f"exp({a})",)),
    "log": _Op(1, _log, lambda a: (1.0 / a,), lambda a: f"log({a})", lambda a: (f"1/{a}",)),
    "sqrt": _Op(1, _sqrt, lambda a: (0.5 / math.sqrt(a),), lambda a: f"sqrt({a})",
                lambda a: (f"1/(2·sqrt({a}))",)),
    "tanh": _Op(1, math.tanh, lambda a: (1.0 - math.tanh(a) ** 2,), lambda a: f"tanh({a})",
                lambda a: (f"1 - tanh({a})²",)),
}

#: numpy ufuncs understood by :class:`Trace` (``np.sin(w)`` works like ``sin(w)``).
UFUNCS = {
    np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "div",
    np.power: "pow", np.negative: "neg", np.sin: "sin", np.cos: "cos", np.tan: "tan",
    np.exp: "exp", np.log: "log", np.sqrt: "sqrt", np.tanh: "tanh",
}


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
