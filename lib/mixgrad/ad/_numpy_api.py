"""How numpy functions called on traced values reach the rule tables.

Each numpy function we support has a *handler* here (``HANDLED``, consulted
by ``__array_function__``) that puts its arguments in a canonical form
(arrays positional, static parameters as keywords, axes as negative ints)
and binds the primitive, or writes the function with other primitives
(``np.var``, ``np.outer``, ``np.clip``...).
"""

import numpy as np

from ._trace import Primitive, bind, normalize_axis, primal

__all__ = ["HANDLED", "PASSTHROUGH", "NONDIFF_UFUNCS", "GETITEM", "INDEX_ADD", "unbroadcast"]


def _getitem(x, index):
    return x[index]


def _is_basic(index):
    return all(
        i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in index
    )


def _index_add(g, shape, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices accumulate)."""
    g = np.asarray(g)
    out = np.zeros(shape, dtype=np.result_type(g.dtype, np.float64))
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


#: ``x[index]`` with a static index.
GETITEM = Primitive("getitem", _getitem)
#: The linear map adjoint to indexing: scatter-add into zeros of a shape.
INDEX_ADD = Primitive("index_add", _index_add)

HANDLED = {}
#: Functions whose result does not depend differentiably on the input.
PASSTHROUGH = {
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.count_nonzero, np.any, np.all,
    np.isclose, np.allclose, np.array_equal, np.round, np.around, np.result_type,
    np.iscomplexobj, np.isrealobj, np.searchsorted, np.sign,
}  # fmt: skip
#: Ufuncs with a zero (or undefined) derivative: evaluated on plain values.
NONDIFF_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.isfinite,
    np.isnan, np.isinf, np.signbit, np.sign, np.floor, np.ceil, np.trunc, np.rint,
}  # fmt: skip


def _ndim(x):
    return np.ndim(primal(x))


def _shape(x):
    return np.shape(primal(x))


def _handles(*funcs):
    def register(handler):
        for f in funcs:
            HANDLED[f] = handler
        return handler

    return register


def _unsupported(name, **options):
    for key, value in options.items():
        if value is not None and value is not np._NoValue:
            raise TypeError(f"numpy.{name}: {key}= is not supported on traced values")


def unbroadcast(g, shape):
    """Sum an adjoint over the axes that broadcasting created, to ``shape``.

    Parameters
    ----------
    g : array or tracer
        Adjoint of a broadcast result.
    shape : tuple of int
        Shape of the operand before broadcasting.

    Returns
    -------
    array or tracer of shape ``shape``
    """
    gshape = _shape(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and gshape[extra + i] != 1
    )
    if axes:
        g = np.sum(g, axis=axes)
    return np.reshape(g, shape)


# --- reductions ---------------------------------------------------------------
@_handles(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    _unsupported("sum", dtype=dtype, out=out, initial=initial, where=where)
    return bind(np.sum, a, axis=normalize_axis(axis, _ndim(a)), keepdims=bool(keepdims))


@_handles(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    _unsupported("mean", dtype=dtype, out=out, where=where)
    return bind(np.mean, a, axis=normalize_axis(axis, _ndim(a)), keepdims=bool(keepdims))


@_handles(np.max, np.amax)
def _max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _unsupported("max", out=out, initial=initial, where=where)
    return bind(np.max, a, axis=normalize_axis(axis, _ndim(a)), keepdims=bool(keepdims))


@_handles(np.min, np.amin)
def _min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _unsupported("min", out=out, initial=initial, where=where)
    return bind(np.min, a, axis=normalize_axis(axis, _ndim(a)), keepdims=bool(keepdims))


@_handles(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    _unsupported("var", dtype=dtype, out=out, **kw)
    n = np.prod([_shape(a)[i] for i in normalize_axis(axis, _ndim(a))], dtype=int)
    centred = a - np.mean(a, axis=axis, keepdims=True)
    return np.sum(centred * centred, axis=axis, keepdims=keepdims) / (n - ddof)


@_handles(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return np.sqrt(_var(a, axis, dtype, out, ddof, keepdims, **kw))


@_handles(np.trace)
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _unsupported("trace", dtype=dtype, out=out)
    return np.sum(_diagonal(a, offset, axis1, axis2), axis=-1)


@_handles(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or (ord == 2 and (axis is None and _ndim(x) > 1)):
        raise NotImplementedError(
            f"numpy.linalg.norm with ord={ord!r} is not differentiable here; "
            "write it with np.sum and np.sqrt"
        )
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))


# --- shape manipulation ----------------------------------------------------------
@_handles(np.reshape)
def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C":
        raise NotImplementedError("numpy.reshape: only order='C' is supported on traced values")
    shape = newshape if shape is None else shape
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        size = int(np.prod(_shape(a)))
        shape = tuple(size // max(known, 1) if s == -1 else s for s in shape)
    return bind(np.reshape, a, shape=shape)


@_handles(np.ravel)
def _ravel(a, order="C"):
    return _reshape(a, (-1,), order)


@_handles(np.transpose)
def _transpose(a, axes=None):
    nd = _ndim(a)
    axes = tuple(range(nd))[::-1] if axes is None else tuple(int(i) % nd for i in axes)
    return bind(np.transpose, a, axes=axes)


@_handles(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    a1, a2 = normalize_axis((axis1, axis2), _ndim(a))
    return bind(np.swapaxes, a, axis1=a1, axis2=a2)


@_handles(np.moveaxis)
def _moveaxis(a, source, destination):
    nd = _ndim(a)
    source, destination = normalize_axis(source, nd), normalize_axis(destination, nd)
    return bind(np.moveaxis, a, source=source, destination=destination)


@_handles(np.squeeze)
def _squeeze(a, axis=None):
    shape = _shape(a)
    if axis is None:
        axis = tuple(i for i, n in enumerate(shape) if n == 1)
    return bind(np.squeeze, a, axis=normalize_axis(axis, len(shape)))


@_handles(np.expand_dims)
def _expand_dims(a, axis):
    n_new = 1 if isinstance(axis, (int, np.integer)) else len(axis)
    return bind(np.expand_dims, a, axis=normalize_axis(axis, _ndim(a) + n_new))


@_handles(np.broadcast_to)
def _broadcast_to(array, shape, subok=False):
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if _shape(array) == shape:
        return array
    return bind(np.broadcast_to, array, shape=shape)


@_handles(np.atleast_1d)
def _atleast_1d(*arys):
    out = [a if _ndim(a) >= 1 else _reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


@_handles(np.atleast_2d)
def _atleast_2d(*arys):
    out = [a if _ndim(a) >= 2 else _reshape(a, (1, -1)) for a in arys]
    return out[0] if len(out) == 1 else out


@_handles(np.copy)
def _copy(a, order="K", subok=False):
    return a


# --- joining ---------------------------------------------------------------------
@_handles(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting=None):
    _unsupported("concatenate", out=out, dtype=dtype)
    arrays = list(arrays)
    if axis is None:
        arrays, axis = [_reshape(a, (-1,)) for a in arrays], 0
    (axis,) = normalize_axis(axis, _ndim(arrays[0]))
    return bind(np.concatenate, *arrays, axis=axis)


@_handles(np.stack)
def _stack(arrays, axis=0, out=None, dtype=None, casting=None):
    _unsupported("stack", out=out, dtype=dtype)
    arrays = list(arrays)
    (axis,) = normalize_axis(axis, _ndim(arrays[0]) + 1)
    return bind(np.stack, *arrays, axis=axis)


@_handles(np.hstack)
def _hstack(tup, *, dtype=None, casting=None):
    arrays = [_atleast_1d(a) for a in tup]
    return _concatenate(arrays, axis=0 if _ndim(arrays[0]) == 1 else 1)


@_handles(np.vstack)
def _vstack(tup, *, dtype=None, casting=None):
    return _concatenate([_atleast_2d(a) for a in tup], axis=0)


@_handles(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(primal(condition))
    return bind(np.where, np.asarray(primal(condition), dtype=bool), x, y)


@_handles(np.clip)
def _clip(a, a_min=None, a_max=None, out=None, **kwargs):
    _unsupported("clip", out=out)
    if a_min is not None:
        a = bind(np.maximum, a, a_min)
    if a_max is not None:
        a = bind(np.minimum, a, a_max)
    return a


# --- matrices --------------------------------------------------------------------
@_handles(np.tril)
def _tril(m, k=0):
    return bind(np.tril, m, k=int(k))


@_handles(np.triu)
def _triu(m, k=0):
    return bind(np.triu, m, k=int(k))


@_handles(np.diagonal)
def _diagonal(a, offset=0, axis1=0, axis2=1):
    a1, a2 = normalize_axis((axis1, axis2), _ndim(a))
    return bind(np.diagonal, a, offset=int(offset), axis1=a1, axis2=a2)


@_handles(np.diag)
def _diag(v, k=0):
    if _ndim(v) == 2:
        return _diagonal(v, k, 0, 1)
    if _ndim(v) != 1:
        raise ValueError("numpy.diag: input must be 1-d or 2-d")
    n = _shape(v)[0]
    size = n + abs(k)
    rows = np.arange(n) + max(-k, 0)
    cols = np.arange(n) + max(k, 0)
    return bind(INDEX_ADD, v, shape=(size, size), index=(rows, cols))


@_handles(np.dot)
def _dot(a, b, out=None):
    _unsupported("dot", out=out)
    if _ndim(a) == 0 or _ndim(b) == 0:
        return bind(np.multiply, a, b)
    if _ndim(a) > 2 or _ndim(b) > 2:
        raise NotImplementedError(
            "numpy.dot on arrays with more than 2 dimensions is not supported on traced "
            "values; use np.matmul or np.einsum"
        )
    return bind(np.matmul, a, b)


@_handles(np.outer)
def _outer(a, b, out=None):
    _unsupported("outer", out=out)
    return bind(np.multiply, _reshape(a, (-1, 1)), _reshape(b, (1, -1)))


@_handles(np.einsum)
def _einsum(*operands, out=None, optimize=False, **kwargs):
    _unsupported("einsum", out=out, **kwargs)
    subscripts, *arrays = operands
    if not isinstance(subscripts, str):
        raise NotImplementedError("numpy.einsum: pass the subscripts as a string")
    subscripts = subscripts.replace(" ", "")
    if "->" not in subscripts:  # implicit output: the indices seen once, sorted
        letters = subscripts.replace(",", "").replace(".", "")
        once = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        subscripts = f"{subscripts}->{'...' if '.' in subscripts else ''}{once}"
    return bind(np.einsum, *arrays, subscripts=subscripts)
