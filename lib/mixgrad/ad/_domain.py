"""Domain checks: where a primitive has no finite derivative, say so.

A traced ``np.log(x)`` with some ``x <= 0`` raises :class:`DomainError` (a
``ValueError``) naming the function and the offending value, instead of
returning NaN or inf. Plain (untraced) numpy calls keep numpy's behaviour.

``DOMAIN_CHECKS[prim](values, traced)`` receives the plain values of the
arguments and a tuple saying which ones are traced.
"""

import numpy as np

from ._trace import DomainError, primal

__all__ = ["DOMAIN_CHECKS"]


def _first(x, bad):
    """The first offending entry of ``x`` (as a Python float)."""
    x = np.broadcast_to(np.asarray(x, dtype=float), np.shape(bad))
    return float(x[bad].flat[0])


def _require(name, requirement, x, ok):
    ok = np.asarray(ok)
    if not ok.all():
        value = _first(x, ~ok)
        raise DomainError(
            f"numpy.{name}: {requirement}, got {value!r}; the derivative is not "
            "defined there (change the input or the formula)"
        )


def _positive(name):
    def check(values, traced):
        x = values[0]
        _require(name, "input must be > 0", x, x > 0)

    return check


def _open_interval(name, lo, hi):
    def check(values, traced):
        x = values[0]
        outside = (x < lo) | (x > hi)
        _require(name, f"input must lie in [{lo}, {hi}]", x, ~outside)
        _require(name, f"derivative is infinite at {lo} and {hi}", x, (x > lo) & (x < hi))

    return check


def _sqrt(values, traced):
    x = values[0]
    _require("sqrt", "input must be >= 0 (square root of a negative number)", x, x >= 0)
    _require("sqrt", "the derivative of sqrt at 0 is infinite: input must be > 0", x, x > 0)


def _nonzero(name, position, what):
    def check(values, traced):
        x = values[position]
        _require(name, what, x, x != 0)

    return check


def _log1p(values, traced):
    x = values[0]
    _require("log1p", "input must be > -1", x, x > -1)


def _arccosh(values, traced):
    x = values[0]
    _require("arccosh", "input must be > 1", x, x > 1)


def _hypot(values, traced):
    x, y = values
    _require("hypot", "x and y must not both be 0", x, (x != 0) | (y != 0))


def _power(values, traced):
    x, p = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    if traced[1]:
        ok = (x > 0) | ((x == 0) & (p > 0))
        _require("power", "x ** p with a differentiated exponent needs x > 0", x, ok)
    if traced[0]:
        integral = p == np.round(p)
        _require(
            "power", "a negative base needs an integer exponent", x, (x >= 0) | integral
        )
        ok = (x != 0) | (p >= 1) | (p == 0)
        _require("power", "the derivative of x ** p at x = 0 is infinite for p < 1", x, ok)


DOMAIN_CHECKS = {
    np.log: _positive("log"),
    np.log2: _positive("log2"),
    np.log10: _positive("log10"),
    np.log1p: _log1p,
    np.sqrt: _sqrt,
    np.cbrt: _nonzero("cbrt", 0, "the derivative of cbrt at 0 is infinite: input must be != 0"),
    np.divide: _nonzero("divide", 1, "division by zero: the divisor must be != 0"),
    np.reciprocal: _nonzero("reciprocal", 0, "division by zero: input must be != 0"),
    np.arcsin: _open_interval("arcsin", -1, 1),
    np.arccos: _open_interval("arccos", -1, 1),
    np.arctanh: _open_interval("arctanh", -1, 1),
    np.arccosh: _arccosh,
    np.hypot: _hypot,
    np.power: _power,
}


def check_domain(prim, values, traced):
    """Run the domain check of ``prim`` (if any) on the plain values."""
    check = DOMAIN_CHECKS.get(prim)
    if check is not None:
        check([np.asarray(primal(v)) for v in values], traced)
