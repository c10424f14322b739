"""Fast paths for Duals whose value and tangent are Python floats.

The scalar chapters (and Newton's method) evaluate small formulas on
``Dual(1.5, 1.0)`` millions of times; the general path (``bind`` and the
jvp rule table) costs microseconds per operation. These methods compute
float Duals directly with Python arithmetic and the ``math`` module, and
fall back to the general path for anything else (arrays, several
directions, nesting, domain errors), which gives the same results.

A Dual's ``_k`` slot holds its level when both parts are floats and
``-1 - level`` otherwise, so one comparison ``self._k == other._k >= 0``
says "two float Duals of the same level". The new Dual is built in place
(``_new`` and three slot stores) rather than by a helper: in CPython a
function call costs as much as the arithmetic itself.
"""

import math

import numpy as np

from ._mixin import TracerMixin
from ._trace import bind

__all__ = ["install_fast_paths"]

_new = object.__new__


def install_fast_paths(Dual):  # noqa: C901 (one small method per operator)
    """Give the class ``Dual`` its float fast paths (operators, sin, cos...)."""

    def __add__(self, other):
        k = self._k
        if k >= 0:
            to = type(other)
            if to is Dual:
                if other._k == k:
                    d = _new(Dual)
                    d.value, d._t, d._k = self.value + other.value, self._t + other._t, k
                    return d
            elif to is float or to is int:
                d = _new(Dual)
                d.value, d._t, d._k = self.value + other, self._t, k
                return d
        return bind(np.add, self, other)

    def __radd__(self, other):
        k = self._k
        if k >= 0 and type(other) in (float, int):
            d = _new(Dual)
            d.value, d._t, d._k = other + self.value, self._t, k
            return d
        return bind(np.add, other, self)

    def __sub__(self, other):
        k = self._k
        if k >= 0:
            to = type(other)
            if to is Dual:
                if other._k == k:
                    d = _new(Dual)
                    d.value, d._t, d._k = self.value - other.value, self._t - other._t, k
                    return d
            elif to is float or to is int:
                d = _new(Dual)
                d.value, d._t, d._k = self.value - other, self._t, k
                return d
        return bind(np.subtract, self, other)

    def __rsub__(self, other):
        k = self._k
        if k >= 0 and type(other) in (float, int):
            d = _new(Dual)
            d.value, d._t, d._k = other - self.value, -self._t, k
            return d
        return bind(np.subtract, other, self)

    def __mul__(self, other):
        k = self._k
        if k >= 0:
            to = type(other)
            if to is Dual:
                if other._k == k:
                    a, b = self.value, other.value
                    d = _new(Dual)
                    d.value, d._t, d._k = a * b, self._t * b + a * other._t, k
                    return d
            elif to is float or to is int:
                d = _new(Dual)
                d.value, d._t, d._k = self.value * other, self._t * other, k
                return d
        return bind(np.multiply, self, other)

    def __rmul__(self, other):
        k = self._k
        if k >= 0 and type(other) in (float, int):
            d = _new(Dual)
            d.value, d._t, d._k = other * self.value, other * self._t, k
            return d
        return bind(np.multiply, other, self)

    def __truediv__(self, other):
        k = self._k
        if k >= 0:
            to = type(other)
            if to is Dual:
                b = other.value
                if other._k == k and b:
                    y = self.value / b
                    d = _new(Dual)
                    d.value, d._t, d._k = y, (self._t - y * other._t) / b, k
                    return d
            elif (to is float or to is int) and other:
                d = _new(Dual)
                d.value, d._t, d._k = self.value / other, self._t / other, k
                return d
        return bind(np.divide, self, other)  # division by zero raises there

    def __rtruediv__(self, other):
        k, a = self._k, self.value
        if k >= 0 and type(other) in (float, int) and a:
            y = other / a
            d = _new(Dual)
            d.value, d._t, d._k = y, -y * self._t / a, k
            return d
        return bind(np.divide, other, self)

    def __pow__(self, other):
        k, a = self._k, self.value
        to = type(other)
        if k >= 0 and (to is float or to is int) and (a > 0.0 or (to is int and other >= 1)):
            d = _new(Dual)
            d.value, d._t, d._k = a**other, other * a ** (other - 1) * self._t, k
            return d
        return bind(np.power, self, other)

    def __rpow__(self, other):
        k = self._k
        if k >= 0 and type(other) in (float, int) and other > 0:
            y = other**self.value
            d = _new(Dual)
            d.value, d._t, d._k = y, y * math.log(other) * self._t, k
            return d
        return bind(np.power, other, self)

    def __neg__(self):
        k = self._k
        if k >= 0:
            d = _new(Dual)
            d.value, d._t, d._k = -self.value, -self._t, k
            return d
        return bind(np.negative, self)

    def sin(self):
        """``np.sin`` of this Dual (``math.sin`` for a float Dual)."""
        k = self._k
        if k >= 0:
            v = self.value
            d = _new(Dual)
            d.value, d._t, d._k = math.sin(v), math.cos(v) * self._t, k
            return d
        return np.sin(self)

    def cos(self):
        """``np.cos`` of this Dual (``math.cos`` for a float Dual)."""
        k = self._k
        if k >= 0:
            v = self.value
            d = _new(Dual)
            d.value, d._t, d._k = math.cos(v), -math.sin(v) * self._t, k
            return d
        return np.cos(self)

    # ufunc -> (math function, derivative(x, y), domain test) for float Duals
    rules = {
        np.sin: (math.sin, lambda x, y: math.cos(x), None),
        np.cos: (math.cos, lambda x, y: -math.sin(x), None),
        np.tan: (math.tan, lambda x, y: 1.0 + y * y, None),
        np.exp: (math.exp, lambda x, y: y, lambda x: x < 700.0),
        np.log: (math.log, lambda x, y: 1.0 / x, lambda x: x > 0.0),
        np.sqrt: (math.sqrt, lambda x, y: 0.5 / y, lambda x: x > 0.0),
        np.tanh: (math.tanh, lambda x, y: 1.0 - y * y, None),
        np.arctan: (math.atan, lambda x, y: 1.0 / (1.0 + x * x), None),
        np.log1p: (math.log1p, lambda x, y: 1.0 / (1.0 + x), lambda x: x > -1.0),
        np.expm1: (math.expm1, lambda x, y: y + 1.0, lambda x: x < 700.0),
    }

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        k = self._k
        if k >= 0 and len(inputs) == 1 and method == "__call__" and not kwargs:
            rule = rules.get(ufunc)
            if rule is not None:
                f, df, ok = rule
                v = self.value
                if ok is None or ok(v):  # outside the domain the general path raises
                    y = f(v)
                    d = _new(Dual)
                    d.value, d._t, d._k = y, df(v, y) * self._t, k
                    return d
        return TracerMixin.__array_ufunc__(self, ufunc, method, *inputs, **kwargs)

    methods = [__add__, __radd__, __sub__, __rsub__, __mul__, __rmul__, __truediv__,
               __rtruediv__, __pow__, __rpow__, __neg__, sin, cos, __array_ufunc__]  # fmt: skip
    for m in methods:
        setattr(Dual, m.__name__, m)

    # methods named like the ufuncs: ``x.exp()``; numpy calls them on object arrays
    for ufunc in (
        np.tan, np.arcsin, np.arccos, np.arctan, np.sinh, np.cosh, np.tanh,
        np.exp, np.expm1, np.log, np.log1p, np.sqrt, np.square, np.reciprocal,
    ):  # fmt: skip
        setattr(Dual, ufunc.__name__, _ufunc_method(ufunc))


def _ufunc_method(ufunc):
    def method(self):
        return ufunc(self)

    method.__name__ = ufunc.__name__
    method.__doc__ = f"``numpy.{ufunc.__name__}`` of this Dual."
    return method
