"""Source transformation: write the derivative program as new source code.

Given straight-line scalar code such as ::

    def f(x1, x2):
        w3 = x1 * x2
        w4 = sin(x1)
        w5 = w3 + w4
        return w5

:func:`differentiate_source` returns the source of its forward-mode
derivative, each assignment followed by the assignment of its tangent ::

    def df(x1, x2, dx1, dx2):
        w3 = x1 * x2
        dw3 = x2 * dx1 + x1 * dx2
        w4 = sin(x1)
        dw4 = cos(x1) * dx1
        w5 = w3 + w4
        dw5 = dw3 + dw4
        return (w5, dw5)

the Python twin of the seed's ``diff_function.c``. The transformer walks the
expression tree of each statement; the partial derivative of each operation
is read from the table both AD modes use (``PARTIALS``, evaluated on
symbolic operands by :mod:`mixgrad.ad._symbolic`), so the transformer has no
derivative formulas of its own. Tangents known to be zero are dropped, so
constants cost nothing. Loops, branches and calls to unknown functions are
refused with an error naming the construct and its line.

See the chapter :ref:`forward-reverse`.
"""

import ast
import copy
import inspect
import numbers
import textwrap

import numpy as np

from mixgrad.ad._source_rules import (
    BINARY_UFUNCS,
    CALLS,
    SUPPORTED_FUNCTIONS,
    const,
    neg,
    tangent_of,
    unsupported,
)
from mixgrad.ad.wengert import Listing

__all__ = ["differentiate_source", "differentiate_function", "SUPPORTED_FUNCTIONS"]


# --- the transformer ---------------------------------------------------------------


class _Transformer:
    """Differentiate one straight-line function, statement by statement."""

    def __init__(self, func, prefix):
        self.func = func
        self.prefix = prefix
        self.params = self._params(func)
        self.active = set(self.params)  # names whose tangent may be nonzero
        self.defined = set(self.params)
        self.assigned_later = {
            t.id for node in ast.walk(func) for t in _targets(node) if isinstance(t, ast.Name)
        }
        self.module = self._call_module(func)
        self._check_names()

    # -- set-up --

    @staticmethod
    def _params(func):
        args = func.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            raise NotImplementedError(
                f"the parameters of {func.name} (line {func.lineno}) must be plain "
                "positional names: no *args, **kwargs, keyword-only or positional-only"
            )
        if args.defaults:
            raise NotImplementedError(
                f"default values in {func.name} (line {func.lineno}) are not supported: "
                "the derivative function takes a tangent for every parameter"
            )
        return [a.arg for a in args.args]

    @staticmethod
    def _call_module(func):
        """``"np"`` if the code calls ``np.sin``..., None for bare ``sin``."""
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if isinstance(node.func.value, ast.Name):
                    return node.func.value.id
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                return None
        return None

    def _check_names(self):
        used = {n.id for n in ast.walk(self.func) if isinstance(n, ast.Name)} | set(self.params)
        used.add(self.func.name)
        for name in set(self.params) | self.assigned_later | {self.func.name}:
            if self.prefix + name in used:
                raise ValueError(
                    f"the tangent of {name!r} would be named {self.prefix + name!r}, which "
                    "the code already uses; pass another prefix (e.g. prefix='dot_')"
                )

    # -- expressions --

    def call(self, name, arg):
        """``name(arg)`` in the style of the source."""
        if self.module is None:
            func = ast.Name(id=name, ctx=ast.Load())
        else:
            func = ast.Attribute(value=ast.Name(id=self.module, ctx=ast.Load()), attr=name,
                                 ctx=ast.Load())
        return ast.Call(func=func, args=[copy.deepcopy(arg)], keywords=[])

    def tangent(self, node):
        """Tangent expression of ``node``; None means identically zero."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, numbers.Real):
                raise unsupported(node, f"the constant {node.value!r} is not a real number")
            return None
        if isinstance(node, ast.Name):
            return self._name_tangent(node)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in self.defined or node.value.id in self.assigned_later:
                raise unsupported(node, f"attribute access on the variable {node.value.id!r}")
            return None  # a module constant such as np.pi
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return neg(self.tangent(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self.tangent(node.operand)
            raise unsupported(node, f"unary operator {type(node.op).__name__}")
        if isinstance(node, ast.BinOp):
            ufunc = BINARY_UFUNCS.get(type(node.op))
            if ufunc is None:
                raise NotImplementedError(
                    f"the operator {type(node.op).__name__} at line {node.lineno} has no "
                    "derivative rule; supported: + - * / **"
                )
            du, dv = self.tangent(node.left), self.tangent(node.right)
            if du is None and dv is None:
                return None
            return tangent_of(ufunc, node, (node.left, node.right), (du, dv), self.call)
        if isinstance(node, ast.Call):
            return self._call_tangent(node)
        raise unsupported(node)

    def _name_tangent(self, node):
        name = node.id
        if name in self.active:
            return ast.Name(id=self.prefix + name, ctx=ast.Load())
        if name not in self.defined and name in self.assigned_later:
            raise ValueError(f"{name!r} is used at line {node.lineno} before it is assigned")
        return None  # an inactive local or a global constant

    def _call_tangent(self, node):
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = func.attr
        else:
            raise NotImplementedError(
                f"the call at line {node.lineno} is not supported: call functions by "
                "name (sin(x)) or module attribute (np.sin(x))"
            )
        ufunc = CALLS.get(name)
        if ufunc is None:
            raise NotImplementedError(
                f"the function {ast.unparse(func)!r} at line {node.lineno} has no derivative "
                f"rule; supported: {', '.join(SUPPORTED_FUNCTIONS)}"
            )
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise ValueError(
                f"{ast.unparse(func)} at line {node.lineno} must be called with exactly one "
                "positional argument"
            )
        (u,) = node.args
        du = self.tangent(u)
        if du is None:
            return None
        style = func.value.id if isinstance(func, ast.Attribute) else None
        saved, self.module = self.module, style
        try:
            return tangent_of(ufunc, node, (u,), (du,), self.call)
        finally:
            self.module = saved

    # -- statements --

    def tangent_or_zero(self, value):
        d = self.tangent(value)
        return const(0.0) if d is None else d

    def assign(self, name, value, lineno):
        """Primal and tangent assignments of ``name = value``, in a safe order."""
        d = self.tangent(value)
        dname = self.prefix + name
        primal = ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value,
                            lineno=lineno)
        tangent = ast.Assign(targets=[ast.Name(id=dname, ctx=ast.Store())],
                             value=const(0.0) if d is None else d, lineno=lineno)
        reads = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        self.defined.add(name)
        if d is None:
            self.active.discard(name)
        else:
            self.active.add(name)
        # The tangent reads the old value when the name is reassigned (w = w * x).
        return [tangent, primal] if name in reads else [primal, tangent]

    def body(self):
        stmts = list(self.func.body)
        if stmts and isinstance(stmts[0], ast.Expr) and isinstance(stmts[0].value, ast.Constant):
            stmts = stmts[1:]  # docstring
        if not stmts or not isinstance(stmts[-1], ast.Return):
            raise ValueError(f"{self.func.name} must end with a return statement")
        out = []
        for stmt in stmts[:-1]:
            out.extend(self.statement(stmt))
        ret = stmts[-1]
        if ret.value is None:
            raise ValueError(f"the return at line {ret.lineno} must return a value")
        value = ret.value
        pair = ast.Tuple(elts=[value, self.tangent_or_zero(value)], ctx=ast.Load())
        out.append(ast.Return(value=pair))
        return out

    def statement(self, stmt):
        if isinstance(stmt, ast.Pass):
            return []
        if isinstance(stmt, ast.Return):
            raise ValueError(f"the return at line {stmt.lineno} must be the last statement")
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise NotImplementedError(
                    f"the assignment at line {stmt.lineno} is not supported: assign one "
                    "name at a time (w = ...)"
                )
            return self.assign(stmt.targets[0].id, stmt.value, stmt.lineno)
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            if isinstance(stmt.target, ast.Name):
                return self.assign(stmt.target.id, stmt.value, stmt.lineno)
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            value = ast.BinOp(left=ast.Name(id=name, ctx=ast.Load()), op=stmt.op,
                              right=stmt.value, lineno=stmt.lineno)
            return self.assign(name, value, stmt.lineno)
        raise unsupported(stmt)

    def transform(self):
        params = self.params + [self.prefix + p for p in self.params]
        func = ast.FunctionDef(
            name=self.prefix + self.func.name,
            args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params],
                               kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=self.body(),
            decorator_list=[],
            returns=None,
            type_params=[],
            lineno=self.func.lineno,
        )
        return ast.fix_missing_locations(ast.Module(body=[func], type_ignores=[]))


def _targets(node):
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def _parse_function(src):
    if not isinstance(src, str):
        raise TypeError(f"src must be a string of Python source, got {type(src).__name__}")
    try:
        module = ast.parse(textwrap.dedent(src))
    except SyntaxError as exc:
        raise ValueError(f"src is not valid Python: {exc}") from None
    funcs = [n for n in module.body if isinstance(n, ast.FunctionDef)]
    others = [n for n in module.body if not isinstance(n, ast.FunctionDef)]
    if len(funcs) != 1 or others:
        raise ValueError(
            "src must contain exactly one function definition (def f(...): ...) and "
            f"nothing else; found {len(funcs)} function(s) and {len(others)} other statement(s)"
        )
    return funcs[0]


# --- public API ----------------------------------------------------------------------


def differentiate_source(src, *, prefix="d"):
    """Source of the forward-mode derivative of a straight-line function.

    Parameters
    ----------
    src : str
        Source of one function ``def f(x1, ..., xn): ...`` made of assignments
        to single names (``=``, ``+=``...) and a final ``return``; expressions
        use ``+ - * / **``, unary ``-``, numbers, and
        :data:`~mixgrad.ad.source.SUPPORTED_FUNCTIONS` (called bare or as ``np.sin``...).
    prefix : str, default "d"
        Prefix of tangent names: ``x1 -> dx1`` and ``f -> df``.

    Returns
    -------
    str
        Source of ``def df(x1, ..., xn, dx1, ..., dxn)`` returning
        ``(value, tangent)``; the tangent is the directional derivative of
        ``f`` along ``(dx1, ..., dxn)``. It calls the functions under the
        same names as ``src`` (``cos`` or ``np.cos``).

    Raises
    ------
    NotImplementedError
        For loops, branches, unknown functions... (the construct and line are named).
    ValueError
        For code that is not a single function ending in ``return``, or name clashes.

    Examples
    --------
    >>> print(differentiate_source('''
    ... def f(x1, x2):
    ...     w3 = x1 * x2
    ...     return w3
    ... '''))
    def df(x1, x2, dx1, dx2):
        w3 = x1 * x2
        dw3 = x2 * dx1 + x1 * dx2
        return (w3, dw3)
    """
    if not isinstance(prefix, str) or not prefix.isidentifier():
        raise ValueError(f"prefix must be a valid identifier such as 'd', got {prefix!r}")
    func = _parse_function(src)
    return Listing(ast.unparse(_Transformer(func, prefix).transform()))


def differentiate_function(f, *, prefix="d"):
    """Compile the forward-mode derivative of a straight-line Python function.

    Parameters
    ----------
    f : function
        A ``def`` function whose source is available (see
        :func:`differentiate_source` for what the code may contain).
    prefix : str, default "d"
        Prefix of tangent names.

    Returns
    -------
    callable
        ``df(x1, ..., xn, dx1, ..., dxn) -> (value, tangent)``; its generated
        code is in ``df.source``. Bare function names (``sin``...) that
        ``f``'s module does not define are bound to numpy's.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x1, x2):
    ...     return x1 * x2 + np.sin(x1)
    >>> df = differentiate_function(f)  # doctest: +SKIP
    >>> df(0.5, 2.0, 0.0, 1.0)  # doctest: +SKIP
    (1.479..., 0.5)
    """
    if not inspect.isfunction(f):
        raise TypeError(f"f must be a Python function defined with def, got {type(f).__name__}")
    if f.__name__ == "<lambda>":
        raise ValueError("f is a lambda; define it with def so its source can be transformed")
    try:
        src = inspect.getsource(f)
    except (OSError, TypeError) as exc:
        raise ValueError(
            f"the source of {f.__name__} is not available ({exc}); pass the code as a "
            "string to differentiate_source"
        ) from None
    code = differentiate_source(src, prefix=prefix)
    namespace = {name: getattr(np, name) for name in SUPPORTED_FUNCTIONS}
    namespace.update(f.__globals__)
    namespace.update(inspect.getclosurevars(f).nonlocals)
    exec(compile(code, f"<derivative of {f.__name__}>", "exec"), namespace)
    df = namespace[prefix + f.__name__]
    df.source = code
    return df
