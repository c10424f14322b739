"""The array interface shared by :class:`Dual` and ``Var``.

``TracerMixin`` gives traced values Python operators, ``__array_ufunc__``
(so ``np.sin(x)`` works), ``__array_function__`` (``np.sum(x, axis=0)``),
indexing, comparisons on the value and the usual array attributes, so that
unchanged numpy code runs on them.
"""

import numpy as np

from ._numpy_api import (
    GETITEM,
    HANDLED,
    NONDIFF_UFUNCS,
    PASSTHROUGH,
    _clip,
    _diagonal,
    _dot,
    _max,
    _mean,
    _min,
    _reshape,
    _squeeze,
    _std,
    _sum,
    _swapaxes,
    _trace,
    _transpose,
    _var,
)
from ._trace import REGISTERED, TRACERS, bind, first_traced, missing_rule, prim_name, primal

__all__ = ["TracerMixin"]


def _strip(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_strip(i) for i in x)
    return primal(x)


def _static_index(index):
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if type(primal(i)) is not type(i):
            raise TypeError("index traced values with integers or bool arrays, not traced values")
        out.append(np.asarray(i) if isinstance(i, list) else i)
    return tuple(out)


class TracerMixin:
    """The array interface shared by Dual and Var (operators and protocols)."""

    __slots__ = ()
    _MODE = "jvp"
    _RULES = {}  # JVP_RULES or VJP_RULES, set by the subclass

    @classmethod
    def _rule(cls, prim, args, level):
        """The rule of ``prim`` in this mode; an error pointing at defjvp/defvjp if none."""
        rule = cls._RULES.get(prim)
        if rule is None:
            raise missing_rule(cls._MODE, prim, first_traced(args, level))
        return rule

    def _no_rule(self, name, args=()):
        argnum = next((i for i, a in enumerate(args) if type(a) in TRACERS), 0)
        return missing_rule(self._MODE, name, argnum)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = prim_name(ufunc)
        if method != "__call__":
            raise self._no_rule(f"{name}.{method}", inputs)
        if kwargs:
            raise TypeError(f"{name}: keyword arguments {sorted(kwargs)} are not supported "
                            "on traced values (no out=, where=, dtype=)")
        if ufunc in NONDIFF_UFUNCS:
            return ufunc(*(primal(a) for a in inputs))
        return bind(ufunc, *inputs)

    def __array_function__(self, func, types, args, kwargs):
        if func in PASSTHROUGH:
            return func(*_strip(args), **{k: _strip(v) for k, v in kwargs.items()})
        handler = HANDLED.get(func)
        if handler is None:
            if func in REGISTERED:  # given rules by defjvp / defvjp
                return bind(func, *args, **kwargs)
            raise self._no_rule(prim_name(func), args)
        return handler(*args, **kwargs)

    # arithmetic
    def __add__(self, other): return bind(np.add, self, other)  # noqa: E704
    def __radd__(self, other): return bind(np.add, other, self)  # noqa: E704
    def __sub__(self, other): return bind(np.subtract, self, other)  # noqa: E704
    def __rsub__(self, other): return bind(np.subtract, other, self)  # noqa: E704
    def __mul__(self, other): return bind(np.multiply, self, other)  # noqa: E704
    def __rmul__(self, other): return bind(np.multiply, other, self)  # noqa: E704
    def __truediv__(self, other): return bind(np.divide, self, other)  # noqa: E704
    def __rtruediv__(self, other): return bind(np.divide, other, self)  # noqa: E704
    def __pow__(self, other): return bind(np.power, self, other)  # noqa: E704
    def __rpow__(self, other): return bind(np.power, other, self)  # noqa: E704
    def __matmul__(self, other): return bind(np.matmul, self, other)  # noqa: E704
    def __rmatmul__(self, other): return bind(np.matmul, other, self)  # noqa: E704
    def __neg__(self): return bind(np.negative, self)  # noqa: E704
    def __pos__(self): return self  # noqa: E704
    def __abs__(self): return bind(np.absolute, self)  # noqa: E704

    # comparisons look at the value only
    def __lt__(self, other): return primal(self) < primal(other)  # noqa: E704
    def __le__(self, other): return primal(self) <= primal(other)  # noqa: E704
    def __gt__(self, other): return primal(self) > primal(other)  # noqa: E704
    def __ge__(self, other): return primal(self) >= primal(other)  # noqa: E704
    def __eq__(self, other): return primal(self) == primal(other)  # noqa: E704
    def __ne__(self, other): return primal(self) != primal(other)  # noqa: E704
    __hash__ = None

    def __bool__(self):
        return bool(primal(self))

    def __float__(self):
        raise TypeError(
            f"float() of a traced value would drop its derivative; use numpy functions "
            f"(np.sin, not math.sin) or read .value ({type(self).__name__})"
        )

    __int__ = __float__
    __complex__ = __float__

    # indexing and iteration
    def __getitem__(self, index):
        return bind(GETITEM, self, index=_static_index(index))

    def __setitem__(self, index, value):
        raise TypeError(
            "traced values are immutable: build the array with np.where, "
            "np.concatenate or np.stack instead of assigning into it"
        )

    def __len__(self):
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d traced value")
        return shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # array attributes and methods (all through the numpy functions above)
    shape = property(lambda self: np.shape(primal(self)), doc="Shape of the value.")
    ndim = property(lambda self: np.ndim(primal(self)), doc="Number of dimensions of the value.")
    size = property(lambda self: np.size(primal(self)), doc="Number of entries of the value.")
    dtype = property(lambda self: np.asarray(primal(self)).dtype, doc="Dtype of the value.")
    T = property(lambda self: _transpose(self), doc="Transpose (reversed axes).")

    def sum(self, axis=None, keepdims=False): return _sum(self, axis, keepdims=keepdims)  # noqa: E704, E501
    def mean(self, axis=None, keepdims=False): return _mean(self, axis, keepdims=keepdims)  # noqa: E704, E501
    def max(self, axis=None, keepdims=False): return _max(self, axis, keepdims=keepdims)  # noqa: E704, E501
    def min(self, axis=None, keepdims=False): return _min(self, axis, keepdims=keepdims)  # noqa: E704, E501
    def var(self, axis=None, ddof=0, keepdims=False): return _var(self, axis, ddof=ddof, keepdims=keepdims)  # noqa: E704, E501
    def std(self, axis=None, ddof=0, keepdims=False): return _std(self, axis, ddof=ddof, keepdims=keepdims)  # noqa: E704, E501
    def transpose(self, *axes): return _transpose(self, (axes[0] if len(axes) == 1 else axes) or None)  # noqa: E704, E501
    def swapaxes(self, axis1, axis2): return _swapaxes(self, axis1, axis2)  # noqa: E704
    def squeeze(self, axis=None): return _squeeze(self, axis)  # noqa: E704
    def ravel(self): return _reshape(self, (-1,))  # noqa: E704
    def flatten(self): return _reshape(self, (-1,))  # noqa: E704
    def dot(self, other): return _dot(self, other)  # noqa: E704
    def clip(self, a_min=None, a_max=None): return _clip(self, a_min, a_max)  # noqa: E704
    def diagonal(self, offset=0, axis1=0, axis2=1): return _diagonal(self, offset, axis1, axis2)  # noqa: E704, E501
    def trace(self, offset=0, axis1=0, axis2=1): return _trace(self, offset, axis1, axis2)  # noqa: E704, E501
    def copy(self): return self  # noqa: E704

    def reshape(self, *shape, order="C"):
        """Reshape (``x.reshape(2, 3)`` or ``x.reshape((2, 3))``)."""
        return _reshape(self, shape[0] if len(shape) == 1 else shape, order)
