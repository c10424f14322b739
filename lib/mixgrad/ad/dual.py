"""Dual numbers ``x + x' d`` with ``d**2 = 0``: forward-mode AD by overloading.

A :class:`Dual` carries a value and a tangent. Python operators, numpy
ufuncs (``np.sin(x)``) and numpy functions (``np.sum(x, axis=0)``) act on
both parts, so unchanged numpy code computes ``f(x)`` and ``f'(x) x'`` in
one pass. Several dual components at once (``d_i d_j = 0``): a tangent with
one extra trailing axis of ``m`` directions, e.g. ``Dual(x, np.eye(n))``.

See the chapter :ref:`dual-numbers`.
"""

import math

import numpy as np

from ._domain import check_domain
from ._numpy_api import TracerMixin
from ._trace import (
    TRACERS,
    as_operand,
    bind,
    current_level,
    level_of,
    prim_name,
    primal,
)
from .jvp_rules import JVP_RULES

__all__ = ["Dual"]

_new = object.__new__


def _make(value, tangent, level):
    """A Dual without checks (values from rules are trusted)."""
    if type(value) is np.float64 or (type(value) is np.ndarray and value.ndim == 0):
        value = float(value)
    if type(tangent) is np.float64 or (type(tangent) is np.ndarray and tangent.ndim == 0):
        tangent = float(tangent)
    d = _new(Dual)
    d.value = value
    d._t = tangent
    d._level = level
    return d


def _check_part(x, name):
    """A real float or float array (or a tracer, for nested duals)."""
    if type(x) in TRACERS:
        return x
    if type(x) is float:
        if not math.isfinite(x):
            raise ValueError(f"Dual {name} must be finite, got {x!r}")
        return x
    if isinstance(x, (bool, np.bool_, str, bytes)) or x is None:
        raise TypeError(f"Dual {name} must be a real number or array, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Dual {name} must be a real number or array ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"Dual {name} must be a real number or array, got {type(x).__name__} "
            f"of dtype {arr.dtype}"
        )
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"Dual {name} contains NaN or inf; pass finite numbers")
    return float(arr) if arr.ndim == 0 else arr


def _broadcasts(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _fit_tangent(value, tangent):
    """Broadcast the tangent to the value (or to value.shape + (m,) directions).

    Several directions are stored with their axis *first* internally, so that
    elementwise rules broadcast without help; ``Dual.tangent`` puts it last.
    """
    vs, ts = np.shape(primal(value)), np.shape(primal(tangent))
    if ts == vs:
        return tangent
    if _broadcasts(ts, vs):
        return np.broadcast_to(tangent, vs)
    if len(ts) == len(vs) + 1 and _broadcasts(ts[:-1], vs):
        t = np.moveaxis(np.broadcast_to(tangent, vs + ts[-1:]), -1, 0)
        return np.ascontiguousarray(t) if type(t) is np.ndarray else t
    raise ValueError(
        f"tangent of shape {ts} does not fit a value of shape {vs}: pass a tangent "
        f"broadcastable to {vs}, or of shape {vs + ('m',)} for m directions at once"
    )


def _check_directions(primals, tangents):
    kinds = set()
    for x, t in zip(primals, tangents):
        if t is not None:
            k = np.ndim(primal(t)) - np.ndim(primal(x))
            kinds.add(np.shape(primal(t))[0] if k else None)
    if len(kinds) > 1:
        counts = sorted("1 (plain tangent)" if k is None else f"{k}" for k in kinds)
        raise ValueError(
            f"cannot combine Duals carrying different numbers of directions ({', '.join(counts)}); "
            "give every input a tangent of shape value.shape + (m,) with the same m"
        )


class Dual(TracerMixin):
    """A dual number ``value + tangent * d`` with ``d**2 = 0``.

    Parameters
    ----------
    value : float or array-like of shape (...)
        The primal value ``x``.
    tangent : float or array-like, default 0.0
        The derivative part ``x'``: broadcastable to the shape of ``value``,
        or of shape ``value.shape + (m,)`` to carry ``m`` directions at once
        (independent dual units, ``d_i d_j = 0``).

    Attributes
    ----------
    value : float or ndarray
    tangent : float or ndarray
        Of shape ``value.shape`` or ``value.shape + (m,)``; after evaluating
        ``y = f(Dual(x, np.eye(n)))`` it is the Jacobian, of shape
        ``y.shape + (n,)``.

    Examples
    --------
    >>> x1, x2 = Dual(1.5, [1.0, 0.0]), Dual(0.5, [0.0, 1.0])
    >>> y = x1 * x2 + np.sin(x1)
    >>> y.tangent  # the gradient (x2 + cos x1, x1)
    array([0.57073720, 1.5       ])
    """

    __slots__ = ("value", "_t", "_level")
    _MODE = "forward-mode (jvp)"
    _TABLE = "JVP_RULES"

    def __init__(self, value, tangent=0.0):
        value = _check_part(value, "value")
        tangent = _check_part(tangent, "tangent")
        self.value = value
        self._t = _fit_tangent(value, tangent)
        self._level = max(current_level(), level_of(value) + 1, level_of(tangent) + 1)

    @property
    def tangent(self):
        """The derivative part (directions on the last axis)."""
        t = self._t
        if np.ndim(primal(t)) > np.ndim(primal(self.value)):
            return np.moveaxis(t, 0, -1)
        return t

    def __repr__(self):
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"

    @classmethod
    def _lift(cls, prim, args, kwargs, level):
        """Apply ``prim`` with its jvp rule to the Duals of ``level`` in ``args``."""
        rule = JVP_RULES.get(prim)
        if rule is None:
            raise NotImplementedError(
                f"no forward-mode (jvp) rule for {prim_name(prim)}; "
                "add one to mixgrad.ad.JVP_RULES"
            )
        primals, tangents, traced = [], [], []
        for a in args:
            if type(a) is Dual and a._level == level:
                primals.append(a.value)
                tangents.append(a._t)
                traced.append(True)
            else:
                primals.append(as_operand(a))
                tangents.append(None)
                traced.append(False)
        _check_directions(primals, tangents)
        check_domain(prim, primals, traced)
        out, t = rule(primals, tangents, **kwargs)
        return _make(out, t, level)

    # --- fast paths for Python floats (the scalar chapters and benchmark) ---------
    def __add__(self, other):
        a, t = self.value, self._t
        if type(a) is float and type(t) is float:
            to = type(other)
            if to is Dual:
                b, u = other.value, other._t
                if type(b) is float and type(u) is float and other._level == self._level:
                    d = _new(Dual)
                    d.value, d._t, d._level = a + b, t + u, self._level
                    return d
            elif to is float or to is int:
                d = _new(Dual)
                d.value, d._t, d._level = a + other, t, self._level
                return d
        return bind(np.add, self, other)

    def __radd__(self, other):
        if type(self.value) is float and type(self._t) is float and type(other) in (float, int):
            d = _new(Dual)
            d.value, d._t, d._level = other + self.value, self._t, self._level
            return d
        return bind(np.add, other, self)

    def __sub__(self, other):
        a, t = self.value, self._t
        if type(a) is float and type(t) is float:
            to = type(other)
            if to is Dual:
                b, u = other.value, other._t
                if type(b) is float and type(u) is float and other._level == self._level:
                    d = _new(Dual)
                    d.value, d._t, d._level = a - b, t - u, self._level
                    return d
            elif to is float or to is int:
                d = _new(Dual)
                d.value, d._t, d._level = a - other, t, self._level
                return d
        return bind(np.subtract, self, other)

    def __rsub__(self, other):
        if type(self.value) is float and type(self._t) is float and type(other) in (float, int):
            d = _new(Dual)
            d.value, d._t, d._level = other - self.value, -self._t, self._level
            return d
        return bind(np.subtract, other, self)

    def __mul__(self, other):
        a, t = self.value, self._t
        if type(a) is float and type(t) is float:
            to = type(other)
            if to is Dual:
                b, u = other.value, other._t
                if type(b) is float and type(u) is float and other._level == self._level:
                    d = _new(Dual)
                    d.value, d._t, d._level = a * b, t * b + a * u, self._level
                    return d
            elif to is float or to is int:
                d = _new(Dual)
                d.value, d._t, d._level = a * other, t * other, self._level
                return d
        return bind(np.multiply, self, other)

    def __rmul__(self, other):
        if type(self.value) is float and type(self._t) is float and type(other) in (float, int):
            d = _new(Dual)
            d.value, d._t, d._level = other * self.value, other * self._t, self._level
            return d
        return bind(np.multiply, other, self)

    def __truediv__(self, other):
        a, t = self.value, self._t
        if type(a) is float and type(t) is float:
            to = type(other)
            if to is Dual:
                b, u = other.value, other._t
                if type(b) is float and type(u) is float and other._level == self._level and b:
                    d = _new(Dual)
                    y = a / b
                    d.value, d._t, d._level = y, (t - y * u) / b, self._level
                    return d
            elif (to is float or to is int) and other:
                d = _new(Dual)
                d.value, d._t, d._level = a / other, t / other, self._level
                return d
        return bind(np.divide, self, other)

    def __rtruediv__(self, other):
        a, t = self.value, self._t
        if type(a) is float and type(t) is float and type(other) in (float, int) and a:
            d = _new(Dual)
            y = other / a
            d.value, d._t, d._level = y, -y * t / a, self._level
            return d
        return bind(np.divide, other, self)

    def __pow__(self, other):
        a, t = self.value, self._t
        to = type(other)
        if type(a) is float and type(t) is float and (to is float or to is int):
            if a > 0.0 or (to is int and other >= 1):
                d = _new(Dual)
                d.value, d._t, d._level = a**other, other * a ** (other - 1) * t, self._level
                return d
        return bind(np.power, self, other)

    def __neg__(self):
        if type(self.value) is float and type(self._t) is float:
            d = _new(Dual)
            d.value, d._t, d._level = -self.value, -self._t, self._level
            return d
        return bind(np.negative, self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if (
            type(self.value) is float
            and type(self._t) is float
            and len(inputs) == 1
            and method == "__call__"
            and not kwargs
        ):
            fast = _SCALAR_RULES.get(ufunc)
            if fast is not None:
                out = fast(self)
                if out is not None:
                    return out
        return TracerMixin.__array_ufunc__(self, ufunc, method, *inputs, **kwargs)


# --- elementary functions of float Duals with the math module ---------------------
# Each returns None outside its domain, and the general path raises the error.
def _sin(x):
    v = x.value
    d = _new(Dual)
    d.value, d._t, d._level = math.sin(v), math.cos(v) * x._t, x._level
    return d


def _cos(x):
    v = x.value
    d = _new(Dual)
    d.value, d._t, d._level = math.cos(v), -math.sin(v) * x._t, x._level
    return d


def _exp(x):
    v = x.value
    if v < 700.0:
        d = _new(Dual)
        y = math.exp(v)
        d.value, d._t, d._level = y, y * x._t, x._level
        return d


def _log(x):
    v = x.value
    if v > 0.0:
        d = _new(Dual)
        d.value, d._t, d._level = math.log(v), x._t / v, x._level
        return d


def _scalar_rule(f, df, ok=None):
    def fast(x):
        v = x.value
        if ok is None or ok(v):
            y = f(v)
            d = _new(Dual)
            d.value, d._t, d._level = y, df(v, y) * x._t, x._level
            return d

    return fast


#: ``ufunc -> fast(dual)`` for Duals whose value and tangent are Python floats.
_SCALAR_RULES = {
    np.sin: _sin,
    np.cos: _cos,
    np.exp: _exp,
    np.log: _log,
    np.tan: _scalar_rule(math.tan, lambda x, y: 1.0 + y * y),
    np.sqrt: _scalar_rule(math.sqrt, lambda x, y: 0.5 / y, lambda x: x > 0.0),
    np.tanh: _scalar_rule(math.tanh, lambda x, y: 1.0 - y * y),
    np.arctan: _scalar_rule(math.atan, lambda x, y: 1.0 / (1.0 + x * x)),
    np.log1p: _scalar_rule(math.log1p, lambda x, y: 1.0 / (1.0 + x), lambda x: x > -1.0),
    np.expm1: _scalar_rule(math.expm1, lambda x, y: y + 1.0, lambda x: x < 700.0),
}

TRACERS.add(Dual)


def _method(ufunc):
    fast = _SCALAR_RULES.get(ufunc)

    def method(self):
        if fast is not None and type(self.value) is float and type(self._t) is float:
            out = fast(self)
            if out is not None:
                return out
        return ufunc(self)

    method.__name__ = ufunc.__name__
    method.__doc__ = f"``numpy.{ufunc.__name__}`` of this Dual (also used by object arrays)."
    return method


# Methods named like the ufuncs: ``x.sin()``; numpy calls them on object arrays.
for _ufunc in (
    np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan, np.sinh, np.cosh, np.tanh,
    np.exp, np.expm1, np.log, np.log1p, np.sqrt, np.square, np.reciprocal,
):  # fmt: skip
    setattr(Dual, _ufunc.__name__, _method(_ufunc))
