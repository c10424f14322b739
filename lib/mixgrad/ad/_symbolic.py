"""The elementwise derivative table read symbolically.

The Wengert printer and the source transformer write partial derivatives as
text or code. They do not keep derivative formulas of their own: they call
the entries of :data:`~mixgrad.ad._elementwise.PARTIALS` (the table both AD
modes use) on :class:`Expr` objects, which build ``ast`` expressions instead
of numbers. ``PARTIALS[np.sin][0](ans, x)`` is ``np.cos(x)``; on an ``Expr``
named ``w1`` it returns the expression ``cos(w1)``.

A tangent or adjoint of ``None`` means zero; the builders drop terms that
vanish and fold constants, so the printed code stays close to what one would
write by hand.
"""

import ast
import copy

import numpy as np

from ._elementwise import PARTIALS

__all__ = ["Expr", "FUNCTIONS", "const", "neg", "add", "mul", "partials", "to_text"]

#: Unary ufuncs the printers and the transformer know, by the name they are written with.
FUNCTIONS = {
    np.sin: "sin", np.cos: "cos", np.tan: "tan", np.exp: "exp", np.log: "log",
    np.sqrt: "sqrt", np.tanh: "tanh", np.arcsin: "arcsin", np.arccos: "arccos",
    np.arctan: "arctan", np.sinh: "sinh", np.cosh: "cosh", np.log1p: "log1p",
    np.expm1: "expm1",
}  # fmt: skip


# --- building expressions -------------------------------------------------------------


def _tidy(value):
    """2.0 -> 2: constants from the rules are written as a person would."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def const(value):
    if isinstance(value, (int, float)) and value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
    return ast.Constant(value=value)


def value_of(node):
    """The number a constant expression stands for, else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if _is_neg(node) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    return None


def _is_neg(node):
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)


def _binop(left, op, right):
    return ast.BinOp(left=copy.deepcopy(left), op=op, right=copy.deepcopy(right))


def neg(a):
    if a is None:
        return None
    if value_of(a) is not None:
        return const(_tidy(-value_of(a)))
    if _is_neg(a):
        return a.operand
    return ast.UnaryOp(op=ast.USub(), operand=copy.deepcopy(a))


def add(a, b):
    if a is None or value_of(a) == 0:
        return b
    if b is None or value_of(b) == 0:
        return a
    if value_of(a) is not None and value_of(b) is not None:
        return const(_tidy(value_of(a) + value_of(b)))
    if _is_neg(b):  # a + -c -> a - c
        return _binop(a, ast.Sub(), b.operand)
    return _binop(a, ast.Add(), b)


def sub(a, b):
    return add(a, neg(b))


def mul(a, b):
    if a is None or b is None:
        return None
    va, vb = value_of(a), value_of(b)
    if va is not None and vb is not None:
        return const(_tidy(va * vb))
    if va == 1:
        return b
    if vb == 1:
        return a
    if _is_neg(a):
        return neg(mul(a.operand, b))
    if _is_neg(b):
        return neg(mul(a, b.operand))
    if isinstance(a, ast.BinOp) and isinstance(a.op, ast.Div) and value_of(a.left) == 1:
        return div(b, a.right)  # (1/v)·c -> c/v
    if ast.dump(a) == ast.dump(b):
        return power(a, const(2))
    return _binop(a, ast.Mult(), b)


def div(a, b):
    if a is None:
        return None
    va, vb = value_of(a), value_of(b)
    if va is not None and vb is not None and vb != 0:
        return const(_tidy(va / vb))
    if vb == 1:
        return a
    if _is_neg(a):
        return neg(div(a.operand, b))
    return _binop(a, ast.Div(), b)


def power(a, b):
    vb = value_of(b)
    if vb == 1:
        return a
    if vb == 0:
        return const(1)
    if value_of(a) is not None and vb is not None:
        return const(_tidy(value_of(a) ** vb))
    return _binop(a, ast.Pow(), b)


# --- the symbolic number ---------------------------------------------------------------


def _node(x):
    return x.node if type(x) is Expr else const(_tidy(float(x)))


def _number(x):
    if type(x) is Expr:
        v = value_of(x.node)
        return x.value if v is None else v
    return float(x)


_BINARY = {np.add: add, np.subtract: sub, np.multiply: mul, np.divide: div, np.power: power}


class Expr:
    """A symbolic operand: an ``ast`` expression, with its value if known.

    Parameters
    ----------
    node : ast.expr
        The expression (``ast.Name`` for ``w1``...).
    call : callable
        ``call(name, node)`` writes a function call (``cos(w1)`` or ``np.cos(w1)``).
    value : float, optional
        Its numeric value at the traced point. Comparisons use it (the
        branch taken by ``np.where`` in a rule is the one valid there); without
        a value, ``x > 0`` is taken as true and ``x == c`` as false (the
        smooth case).
    """

    __slots__ = ("node", "call", "value")
    __array_priority__ = 1000

    def __init__(self, node, call, value=None):
        self.node, self.call, self.value = node, call, value

    def _new(self, node):
        return Expr(node, self.call)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        if ufunc in _BINARY:
            return self._new(_BINARY[ufunc](*map(_node, inputs)))
        if ufunc is np.negative:
            return self._new(neg(_node(inputs[0])))
        if ufunc in FUNCTIONS:
            (x,) = inputs
            if value_of(_node(x)) is not None:
                return self._new(const(_tidy(float(ufunc(value_of(_node(x)))))))
            return self._new(self.call(FUNCTIONS[ufunc], _node(x)))
        if ufunc in (np.equal, np.greater, np.less):
            a, b = map(_number, inputs)
            if a is None or b is None:
                return ufunc is not np.equal  # the smooth case
            return bool(ufunc(a, b))
        raise NotImplementedError(
            f"numpy.{ufunc.__name__} cannot be written symbolically (in a derivative rule)"
        )

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and isinstance(args[0], (bool, np.bool_)):
            return args[1] if args[0] else args[2]
        return NotImplemented

    def __add__(self, o):
        return np.add(self, o)

    def __radd__(self, o):
        return np.add(o, self)

    def __sub__(self, o):
        return np.subtract(self, o)

    def __rsub__(self, o):
        return np.subtract(o, self)

    def __mul__(self, o):
        return np.multiply(self, o)

    def __rmul__(self, o):
        return np.multiply(o, self)

    def __truediv__(self, o):
        return np.divide(self, o)

    def __rtruediv__(self, o):
        return np.divide(o, self)

    def __pow__(self, o):
        return np.power(self, o)

    def __neg__(self):
        return np.negative(self)

    def __gt__(self, o):
        return np.greater(self, o)

    def __lt__(self, o):
        return np.less(self, o)


def partials(ufunc, ans, *args):
    """The partial derivatives of ``ans = ufunc(*args)`` as expressions.

    ``ans`` and ``args`` are :class:`Expr` (or numbers, for constants); the
    result has one ``ast`` expression per argument, read from ``PARTIALS``.
    """
    return tuple(_node(d(ans, *args)) for d in PARTIALS[ufunc])


# --- expressions as text (the Wengert printer's notation) ------------------------------

_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_SIGN = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: "·", ast.Div: "/"}


def _prec(node):
    if isinstance(node, ast.BinOp):
        return _PREC[type(node.op)]
    if _is_neg(node):
        return 3
    return 5


def to_text(node, fmt=lambda v: f"{v:.6g}"):
    """``cos(w1)``, ``1 - w3²``, ``-w3/w2``: an expression in the printer's notation."""

    def text(n, parent=0, right=False):
        p = _prec(n)
        if isinstance(n, ast.Constant):
            s = fmt(n.value)
        elif isinstance(n, ast.Name):
            s = n.id
        elif isinstance(n, ast.Call):
            s = f"{n.func.id if isinstance(n.func, ast.Name) else n.func.attr}({text(n.args[0])})"
        elif _is_neg(n):
            s = "-" + text(n.operand, 2)  # -a·b and -a/b need no brackets
        elif isinstance(n.op, ast.Pow):
            base = text(n.left, p + 1)
            s = f"{base}²" if value_of(n.right) == 2 else f"{base}**{text(n.right, p + 1)}"
        else:
            s = text(n.left, p) + _SIGN[type(n.op)] + text(n.right, p, right=True)
        if p < parent or (right and p == parent):
            s = f"({s})"
        return s

    return text(node)


def bare_call(name, node):
    """``name(node)``: a call written without a module."""
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[copy.deepcopy(node)],
                    keywords=[])
