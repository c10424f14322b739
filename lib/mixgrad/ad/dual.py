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
from ._mixin import TracerMixin
from ._scalar import install_fast_paths
from ._trace import (
    TRACERS,
    as_operand,
    current_level,
    level_of,
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
    d._k = level if type(value) is float and type(tangent) is float else -1 - level
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
    for x, t in zip(primals, tangents, strict=True):
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
    array([0.5707372, 1.5      ])
    """

    # _k is the level for a Dual of floats (the fast paths of _scalar.py) and
    # -1 - level otherwise: one comparison tells both facts
    __slots__ = ("value", "_t", "_k")
    _MODE = "jvp"
    _RULES = JVP_RULES

    def __init__(self, value, tangent=0.0):
        value = _check_part(value, "value")
        tangent = _check_part(tangent, "tangent")
        self.value = value
        self._t = tangent = _fit_tangent(value, tangent)
        level = max(current_level(), level_of(value) + 1, level_of(tangent) + 1)
        self._k = level if type(value) is float and type(tangent) is float else -1 - level

    @property
    def _level(self):
        """Nesting level of the transform this Dual belongs to."""
        k = self._k
        return k if k >= 0 else -1 - k

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
        rule = cls._rule(prim, args, level)
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


TRACERS.add(Dual)
install_fast_paths(Dual)
