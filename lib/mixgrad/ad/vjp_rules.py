"""Reverse-mode rules: ``VJP_RULES[primitive](g, ans, args, needs, **static)``.

A rule receives the adjoint ``g`` of the output ``ans``, the argument values
and a tuple ``needs`` saying which arguments are traced, and returns one
adjoint per argument (``None`` where not needed), each of the argument's
shape. Rules are written with numpy functions only, so the backward pass can
itself run on Duals (that is how :func:`hessian` gets second derivatives).

Adding a primitive is one call of :func:`defvjp`. See the chapter
:ref:`forward-reverse`.
"""

import numpy as np

from mixgrad._docs import fill_doc

from . import ops
from ._elementwise import PARTIALS
from ._numpy_api import GETITEM, INDEX_ADD, unbroadcast
from ._trace import TRACERS, bind, check_primitive, missing_rule, prim_name, primal

__all__ = ["VJP_RULES", "defvjp", "unbroadcast"]

VJP_RULES = {}


def _shape(x):
    return x.shape if type(x) is np.ndarray else np.shape(primal(x))


def _nd(x):
    return np.ndim(primal(x))


def _reduce_to(adj, x):
    """``unbroadcast(adj, shape of x)``, with a quick exit when shapes agree."""
    if type(adj) is np.ndarray and type(x) is np.ndarray and adj.shape == x.shape:
        return adj
    return unbroadcast(adj, _shape(x))


@fill_doc
def defvjp(primitive, *rules, broadcasting=None):
    """Register the reverse-mode rules of ``primitive``: one rule per argument.

    Parameters
    ----------
    %(defrule_primitive)s
    *rules : callable or None
        ``rules[i](g, ans, *args, **static)`` returns the adjoint of argument
        ``i`` (its shape) given the adjoint ``g`` of ``ans = primitive(*args)``:
        ``g`` times the partial derivative, for an elementwise operation.
        Write it with numpy functions, so that it can itself be differentiated
        (``hessian``, Hessian-vector products). None marks an argument with no
        derivative (an error if it is ever traced).
    broadcasting : bool, optional
        Sum each adjoint back to the shape of its argument
        (``unbroadcast``), as a broadcasting operation needs. Default: True
        for numpy ufuncs, False otherwise.

    %(returns_defrule)s
    """
    check_primitive(primitive, rules, "defvjp")
    if broadcasting is None:
        broadcasting = isinstance(primitive, np.ufunc)

    def need(i):
        if rules[i] is None:
            raise missing_rule("vjp", primitive, i)
        return rules[i]

    if broadcasting and len(rules) == 1:  # unary ufunc: no broadcasting at all

        def rule(g, ans, args, needs):
            return [need(0)(g, ans, args[0])]

    elif broadcasting and len(rules) == 2:

        def rule(g, ans, args, needs):
            x, y = args
            return [
                _reduce_to(need(0)(g, ans, x, y), x) if needs[0] else None,
                _reduce_to(need(1)(g, ans, x, y), y) if needs[1] else None,
            ]

    else:

        def rule(g, ans, args, needs, **static):
            if len(args) != len(rules):
                raise ValueError(
                    f"{prim_name(primitive)} was called with {len(args)} traced-or-array "
                    f"arguments but defvjp gave {len(rules)} rules"
                )
            return [need(i)(g, ans, *args, **static) if n else None for i, n in enumerate(needs)]

    VJP_RULES[primitive] = rule
    return rule


def _inplace(fresh, ufunc, other):
    """``ufunc(fresh, other)``, in place when ``fresh`` is a new plain array."""
    if type(fresh) is np.ndarray and type(other) not in TRACERS:
        return ufunc(fresh, other, out=fresh)
    return ufunc(fresh, other)


# --- elementwise ------------------------------------------------------------------
def _times_partial(d):
    return lambda g, ans, *args: g * d(ans, *args)


for _ufunc, _partials in PARTIALS.items():
    defvjp(_ufunc, *map(_times_partial, _partials), broadcasting=True)

# Fast paths that save an array operation (g instead of g * 1.0, a division
# instead of a reciprocal and a product); tests/test_ad_rules.py checks each
# against the rule built from PARTIALS above.
VJP_RULES[np.add] = lambda g, ans, args, needs: [
    _reduce_to(g, args[0]) if needs[0] else None,
    _reduce_to(g, args[1]) if needs[1] else None,
]
VJP_RULES[np.subtract] = lambda g, ans, args, needs: [  # reduce first, then negate
    _reduce_to(g, args[0]) if needs[0] else None,
    -_reduce_to(g, args[1]) if needs[1] else None,
]
defvjp(np.divide, lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y)
defvjp(np.log, lambda g, ans, x: g / x)
defvjp(np.square, lambda g, ans, x: _inplace(g * x, np.multiply, 2.0))
defvjp(np.sqrt, lambda g, ans, x: g / (2.0 * ans))


# --- reductions -------------------------------------------------------------------
def _expand(g, axis, keepdims):
    return g if keepdims else np.expand_dims(g, axis)


def _count(x, axis):
    shape = _shape(x)
    return float(np.prod([shape[a] for a in axis]))


defvjp(
    np.sum,
    lambda g, ans, x, axis, keepdims: np.broadcast_to(_expand(g, axis, keepdims), _shape(x)),
)
defvjp(
    np.mean,
    lambda g, ans, x, axis, keepdims: np.broadcast_to(
        _expand(g, axis, keepdims) / _count(x, axis), _shape(x)
    ),
)


def _extremum(g, ans, x, axis, keepdims):
    mask = np.asarray(primal(x) == primal(_expand(ans, axis, keepdims)), dtype=float)
    mask /= np.sum(mask, axis=axis, keepdims=True)  # ties share the adjoint
    return _expand(g, axis, keepdims) * mask


defvjp(np.max, _extremum)
defvjp(np.min, _extremum)


# --- shapes -----------------------------------------------------------------------
defvjp(np.reshape, lambda g, ans, x, shape: np.reshape(g, _shape(x)))
defvjp(np.squeeze, lambda g, ans, x, axis: np.reshape(g, _shape(x)))
defvjp(np.expand_dims, lambda g, ans, x, axis: np.reshape(g, _shape(x)))
defvjp(np.transpose, lambda g, ans, x, axes: np.transpose(g, tuple(np.argsort(axes))))
defvjp(np.swapaxes, lambda g, ans, x, axis1, axis2: np.swapaxes(g, axis1, axis2))
defvjp(
    np.moveaxis,
    lambda g, ans, x, source, destination: np.moveaxis(g, destination, source),
)
defvjp(np.broadcast_to, lambda g, ans, x, shape: unbroadcast(g, _shape(x)))
defvjp(GETITEM, lambda g, ans, x, index: bind(INDEX_ADD, g, shape=_shape(x), index=index))
defvjp(INDEX_ADD, lambda g, ans, x, shape, index: bind(GETITEM, g, index=index))
defvjp(np.tril, lambda g, ans, x, k: np.tril(g, k))
defvjp(np.triu, lambda g, ans, x, k: np.triu(g, k))


def _diagonal(g, ans, x, offset, axis1, axis2):
    shape = _shape(x)
    nd = len(shape)
    kept = [n for i, n in enumerate(shape) if i not in (axis1 % nd, axis2 % nd)]
    moved = tuple(kept) + (shape[axis1], shape[axis2])
    length = _shape(g)[-1]
    rows = np.arange(length) + max(-offset, 0)
    cols = np.arange(length) + max(offset, 0)
    full = bind(INDEX_ADD, g, shape=moved, index=(Ellipsis, rows, cols))
    return np.moveaxis(full, (-2, -1), (axis1, axis2))


defvjp(np.diagonal, _diagonal)


def _joining(stacked):
    def rule(g, ans, args, needs, axis):
        tail = (slice(None),) * (-axis - 1)
        out, start = [], 0
        for i, (x, need) in enumerate(zip(args, needs, strict=True)):
            stop = start + (1 if stacked else _shape(x)[axis])
            if need:
                part = i if stacked else slice(start, stop)
                out.append(g[(Ellipsis, part) + tail])
            else:
                out.append(None)
            start = stop
        return out

    return rule


VJP_RULES[np.concatenate] = _joining(stacked=False)
VJP_RULES[np.stack] = _joining(stacked=True)


def _where(g, ans, args, needs):
    c, x, y = args
    gx = unbroadcast(np.where(c, g, 0.0), _shape(x)) if needs[1] else None
    gy = unbroadcast(np.where(c, 0.0, g), _shape(y)) if needs[2] else None
    return [None, gx, gy]


VJP_RULES[np.where] = _where


# --- matrix products --------------------------------------------------------------
def _matmul(g, ans, args, needs):
    a, b = args
    a_nd, b_nd = _nd(a), _nd(b)
    a2 = np.expand_dims(a, -2) if a_nd == 1 else a  # a row
    b2 = np.expand_dims(b, -1) if b_nd == 1 else b  # a column
    g2 = np.expand_dims(g, -1) if b_nd == 1 else g
    g2 = np.expand_dims(g2, -2) if a_nd == 1 else g2
    ga = gb = None
    if needs[0]:
        ga = np.reshape(unbroadcast(g2 @ np.swapaxes(b2, -1, -2), _shape(a2)), _shape(a))
    if needs[1]:
        gb = np.reshape(unbroadcast(np.swapaxes(a2, -1, -2) @ g2, _shape(b2)), _shape(b))
    return [ga, gb]


VJP_RULES[np.matmul] = _matmul


def _einsum(g, ans, args, needs, subscripts):
    if "." in subscripts:
        raise NotImplementedError(
            f"reverse mode of numpy.einsum does not support '...' (got {subscripts!r}); "
            "write the indices out"
        )
    inputs, output = subscripts.split("->")
    inputs = inputs.split(",")
    out = []
    for i, need in enumerate(needs):
        if not need:
            out.append(None)
            continue
        target = inputs[i]
        if len(set(target)) != len(target):
            raise NotImplementedError(
                f"reverse mode of numpy.einsum with a repeated index in {target!r}"
            )
        others = inputs[:i] + inputs[i + 1 :]
        present = set(output).union(*others)
        reduced = "".join(c for c in target if c in present)
        spec = ",".join([output, *others]) + "->" + reduced
        adj = np.einsum(spec, g, *args[:i], *args[i + 1 :])
        if reduced != target:  # indices summed in this operand only: broadcast back
            shape = _shape(args[i])
            sizes = [n if c in reduced else 1 for n, c in zip(shape, target, strict=True)]
            adj = np.broadcast_to(np.reshape(adj, sizes), shape)
        out.append(adj)
    return out


VJP_RULES[np.einsum] = _einsum


# --- fused primitives of mixgrad.ad.ops -------------------------------------------
def _logsumexp(g, ans, a, axis, keepdims):
    weights = a - _expand(ans, axis, keepdims)  # softmax = exp(a - logsumexp(a))
    if type(weights) is np.ndarray:
        np.exp(weights, out=weights)
        return _inplace(weights, np.multiply, _expand(g, axis, keepdims))
    return _expand(g, axis, keepdims) * np.exp(weights)


defvjp(ops.LOGSUMEXP, _logsumexp)


def _solve_triangular(g, ans, args, needs, lower):
    L, b = args
    vector = _nd(b) == 1
    gb = bind(ops.SOLVE_TRIANGULAR, np.swapaxes(L, -1, -2), g, lower=not lower)
    out = [None, unbroadcast(gb, _shape(b)) if needs[1] else None]
    if needs[0]:
        if vector:
            gL = -(np.expand_dims(gb, -1) * np.expand_dims(ans, -2))
        else:
            gL = -(gb @ np.swapaxes(ans, -1, -2))
        gL = np.tril(gL) if lower else np.triu(gL)
        out[0] = unbroadcast(gL, _shape(L))
    return out


VJP_RULES[ops.SOLVE_TRIANGULAR] = _solve_triangular


# --- residuals: what each rule reads ------------------------------------------------
#: ``SAVED[prim](needs) -> (keep, keep_ans)``: which argument values (by position)
#: and whether the result the vjp rule of ``prim`` reads. The tape stores only
#: those (the others by shape), so intermediates are freed as soon as possible.
#: A primitive missing here keeps everything.
SAVED = {}
for _prim in (
    np.add, np.subtract, np.negative, np.sum, np.mean, np.reshape, np.squeeze,
    np.expand_dims, np.transpose, np.swapaxes, np.moveaxis, np.broadcast_to, GETITEM,
    INDEX_ADD, np.tril, np.triu, np.diagonal, np.concatenate, np.stack,
):  # fmt: skip
    SAVED[_prim] = lambda needs: ((), False)
SAVED[np.multiply] = lambda needs: ((needs[1], needs[0]), False)  # each needs the other
SAVED[np.matmul] = lambda needs: ((needs[1], needs[0]), False)
SAVED[np.divide] = lambda needs: ((False, True), needs[1])
SAVED[np.exp] = lambda needs: ((), True)
SAVED[np.sqrt] = lambda needs: ((), True)
SAVED[np.log] = lambda needs: ((True,), False)
SAVED[np.square] = lambda needs: ((True,), False)
SAVED[np.where] = lambda needs: ((True,), False)  # the condition
SAVED[ops.LOGSUMEXP] = lambda needs: ((True,), True)
SAVED[ops.SOLVE_TRIANGULAR] = lambda needs: ((True,), True)  # L and z; b by shape
