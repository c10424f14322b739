"""Derivative rules of the source transformer (:mod:`mixgrad.ad.source`).

Expressions are built as ``ast`` nodes; a tangent of ``None`` means zero, so
the builders (``add``, ``mul``...) drop terms that vanish and the generated
code stays close to what one would write by hand. One rule per operation:
``BINARY_RULES`` for ``+ - * / **`` and ``CALL_RULES`` for the functions.
"""

import ast
import copy

__all__ = ["BINARY_RULES", "CALL_RULES", "SUPPORTED_FUNCTIONS", "const", "neg", "unsupported"]


# --- building expressions, with the zero tangent written as None ----------------


def const(value):
    return ast.Constant(value=value)


def _is_const(node, value):
    return (
        isinstance(node, ast.Constant)
        and type(node.value) in (int, float)
        and node.value == value
    )


def _binop(left, op, right):
    return ast.BinOp(left=copy.deepcopy(left), op=op, right=copy.deepcopy(right))


def neg(a):
    if a is None:
        return None
    if _is_neg(a):
        return a.operand
    return ast.UnaryOp(op=ast.USub(), operand=copy.deepcopy(a))


def _is_neg(node):
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if _is_neg(b):  # a + -c -> a - c
        return _binop(a, ast.Sub(), b.operand)
    return _binop(a, ast.Add(), b)


def _sub(a, b):
    if b is None:
        return a
    if a is None:
        return neg(b)
    if _is_neg(b):  # a - -c -> a + c
        return _binop(a, ast.Add(), b.operand)
    return _binop(a, ast.Sub(), b)


def _mul(a, b):
    if a is None or b is None:
        return None
    if _is_const(a, 1):
        return b
    if _is_const(b, 1):
        return a
    return _binop(a, ast.Mult(), b)


def _div(a, b):
    if a is None:
        return None
    return _binop(a, ast.Div(), b)


def _pow(a, b):
    if _is_const(b, 1):
        return a
    return _binop(a, ast.Pow(), b)


# --- derivative rules -------------------------------------------------------------
# Binary rules get (u, du, v, dv, call); call rules get (u, du, call), where
# call(name, arg) writes a call in the style of the source (``cos(u)`` or
# ``np.cos(u)``). A tangent of None is zero.


def _d_pow(u, du, v, dv, call):
    if dv is None:
        if isinstance(v, ast.Constant):
            exponent = const(v.value - 1)
        else:
            exponent = _binop(v, ast.Sub(), const(1))
        return _mul(_mul(v, _pow(u, exponent)), du)
    # u ** v = exp(v log u): d(u ** v) = u ** v * (dv * log(u) + v * du / u)
    inner = _add(_mul(dv, call("log", u)), _div(_mul(v, du), u))
    return _mul(_binop(u, ast.Pow(), v), inner)


BINARY_RULES = {
    ast.Add: lambda u, du, v, dv, call: _add(du, dv),
    ast.Sub: lambda u, du, v, dv, call: _sub(du, dv),
    ast.Mult: lambda u, du, v, dv, call: _add(_mul(du, v), _mul(u, dv)),
    ast.Div: lambda u, du, v, dv, call: _sub(
        _div(du, v), _div(_mul(u, dv), _pow(v, const(2)))
    ),
    ast.Pow: _d_pow,
}

CALL_RULES = {
    "sin": lambda u, du, call: _mul(call("cos", u), du),
    "cos": lambda u, du, call: neg(_mul(call("sin", u), du)),
    "tan": lambda u, du, call: _div(du, _pow(call("cos", u), const(2))),
    "exp": lambda u, du, call: _mul(call("exp", u), du),
    "log": lambda u, du, call: _div(du, u),
    "sqrt": lambda u, du, call: _div(du, _binop(const(2), ast.Mult(), call("sqrt", u))),
    "tanh": lambda u, du, call: _mul(
        _binop(const(1), ast.Sub(), _pow(call("tanh", u), const(2))), du
    ),
}

#: Functions the transformer can differentiate (bare, or as ``np.f`` / ``math.f``).
SUPPORTED_FUNCTIONS = tuple(CALL_RULES)

_CONSTRUCTS = {
    ast.For: "a for loop",
    ast.While: "a while loop",
    ast.If: "an if statement",
    ast.IfExp: "a conditional expression",
    ast.With: "a with statement",
    ast.Try: "a try statement",
    ast.FunctionDef: "a nested function",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operation",
    ast.Subscript: "indexing",
    ast.Tuple: "a tuple",
    ast.List: "a list",
    ast.Import: "an import",
    ast.ImportFrom: "an import",
    ast.Global: "a global statement",
    ast.Nonlocal: "a nonlocal statement",
    ast.Expr: "an expression statement",
}


def unsupported(node, why="source transformation here handles straight-line scalar code"):
    what = _CONSTRUCTS.get(type(node), f"{type(node).__name__}")
    line = getattr(node, "lineno", "?")
    return NotImplementedError(f"{what} at line {line} is not supported: {why}")
