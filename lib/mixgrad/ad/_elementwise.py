"""The table of elementary derivatives, shared by both modes.

``PARTIALS[ufunc]`` holds one function per argument, ``d(ans, *args)``, the
partial derivative of ``ans = ufunc(*args)`` with respect to that argument,
written with numpy functions so that it can itself be differentiated (the
second derivatives of ``hessian`` come from here too). Forward mode turns
each entry into ``tangent_out = sum_i d_i * tangent_i``, reverse mode into
``adjoint_i = adjoint_out * d_i``.

This is the chapter's table of dual-number rules, e.g.
``sin(x + x' d) = sin(x) + cos(x) x' d``.
"""

import numpy as np

__all__ = ["PARTIALS"]

_LN2 = np.log(2.0)
_LN10 = np.log(10.0)


def _max_partial(first):
    def d(ans, x, y):
        a, b = (x, y) if first else (y, x)
        return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))

    return d


def _power_base(ans, x, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.equal(p, 0), 0.0, p * np.power(x, p - 1.0))


def _power_exponent(ans, x, p):
    positive = x > 0
    safe = np.where(positive, x, 1.0)
    return np.where(positive, ans * np.log(safe), 0.0)


PARTIALS = {
    np.negative: (lambda ans, x: -1.0,),
    np.positive: (lambda ans, x: 1.0,),
    np.sin: (lambda ans, x: np.cos(x),),
    np.cos: (lambda ans, x: -np.sin(x),),
    np.tan: (lambda ans, x: 1.0 + ans * ans,),
    np.arcsin: (lambda ans, x: 1.0 / np.sqrt(1.0 - x * x),),
    np.arccos: (lambda ans, x: -1.0 / np.sqrt(1.0 - x * x),),
    np.arctan: (lambda ans, x: 1.0 / (1.0 + x * x),),
    np.sinh: (lambda ans, x: np.cosh(x),),
    np.cosh: (lambda ans, x: np.sinh(x),),
    np.tanh: (lambda ans, x: 1.0 - ans * ans,),
    np.arcsinh: (lambda ans, x: 1.0 / np.sqrt(x * x + 1.0),),
    np.arccosh: (lambda ans, x: 1.0 / np.sqrt(x * x - 1.0),),
    np.arctanh: (lambda ans, x: 1.0 / (1.0 - x * x),),
    np.exp: (lambda ans, x: ans,),
    np.exp2: (lambda ans, x: ans * _LN2,),
    np.expm1: (lambda ans, x: ans + 1.0,),
    np.log: (lambda ans, x: 1.0 / x,),
    np.log2: (lambda ans, x: 1.0 / (x * _LN2),),
    np.log10: (lambda ans, x: 1.0 / (x * _LN10),),
    np.log1p: (lambda ans, x: 1.0 / (1.0 + x),),
    np.sqrt: (lambda ans, x: 0.5 / ans,),
    np.cbrt: (lambda ans, x: 1.0 / (3.0 * ans * ans),),
    np.square: (lambda ans, x: 2.0 * x,),
    np.reciprocal: (lambda ans, x: -ans * ans,),
    np.absolute: (lambda ans, x: np.sign(x),),
    np.deg2rad: (lambda ans, x: np.pi / 180.0,),
    np.rad2deg: (lambda ans, x: 180.0 / np.pi,),
    np.add: (lambda ans, x, y: 1.0, lambda ans, x, y: 1.0),
    np.subtract: (lambda ans, x, y: 1.0, lambda ans, x, y: -1.0),
    np.multiply: (lambda ans, x, y: y, lambda ans, x, y: x),
    np.divide: (lambda ans, x, y: 1.0 / y, lambda ans, x, y: -ans / y),
    np.power: (_power_base, _power_exponent),
    np.maximum: (_max_partial(True), _max_partial(False)),
    np.minimum: (_max_partial(False), _max_partial(True)),
    np.fmax: (_max_partial(True), _max_partial(False)),
    np.fmin: (_max_partial(False), _max_partial(True)),
    np.logaddexp: (lambda ans, x, y: np.exp(x - ans), lambda ans, x, y: np.exp(y - ans)),
    np.hypot: (lambda ans, x, y: x / ans, lambda ans, x, y: y / ans),
    np.arctan2: (
        lambda ans, y, x: x / (x * x + y * y),
        lambda ans, y, x: -y / (x * x + y * y),
    ),
}
