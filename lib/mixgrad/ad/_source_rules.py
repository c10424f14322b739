"""Derivative rules of the source transformer (:mod:`mixgrad.ad.source`).

The transformer has no derivative formulas of its own: an operator or a call
is mapped to its ufunc, and the partials are read from the table both AD modes
use (``PARTIALS``), evaluated on symbolic operands.
"""

import ast

import numpy as np

from ._symbolic import FUNCTIONS, Expr, add, const, mul, neg, partials

__all__ = ["BINARY_UFUNCS", "CALLS", "SUPPORTED_FUNCTIONS", "const", "neg", "tangent_of",
           "unsupported"]

#: The ufunc each operator stands for; its partials come from the AD modes' table.
BINARY_UFUNCS = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
    ast.Pow: np.power,
}

#: Function name -> ufunc, for the calls the transformer can differentiate.
CALLS = {name: ufunc for ufunc, name in FUNCTIONS.items()}

#: Functions the transformer can differentiate (bare, or as ``np.f`` / ``math.f``).
SUPPORTED_FUNCTIONS = tuple(CALLS)


def tangent_of(ufunc, node, operands, tangents, call):
    """Tangent code of ``node = ufunc(*operands)``: ``sum_i partial_i * tangent_i``.

    The partials are :data:`~mixgrad.ad._elementwise.PARTIALS` read on
    symbolic operands (:mod:`mixgrad.ad._symbolic`); a tangent of None is zero.
    """
    args = [Expr(a, call) for a in operands]
    total = None
    for d, t in zip(partials(ufunc, Expr(node, call), *args), tangents, strict=True):
        if t is not None:
            total = add(total, mul(d, t))
    return total


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
