"""Forward-mode rules: ``JVP_RULES[primitive](primals, tangents, **static)``.

Each rule returns ``(out, tangent_out)``: the value of the primitive and
its tangent (the Jacobian applied to the input tangents). ``tangents[i]`` is
``None`` when argument ``i`` is a constant. A tangent may carry one extra
*leading* axis of directions (several dual components at once), so the rules
use negative axes and :func:`promote` before broadcasting.

Adding a primitive is one call of :func:`defjvp`. See the chapter
:ref:`forward-reverse`.
"""

import numpy as np

from mixgrad._docs import fill_doc

from ._elementwise import PARTIALS
from ._numpy_api import GETITEM, INDEX_ADD
from ._trace import bind, check_primitive, missing_rule, prim_name, primal

__all__ = ["JVP_RULES", "defjvp", "promote"]

JVP_RULES = {}


def _nd(x):
    return np.ndim(primal(x))


def _lead(t, x):
    """Number of leading direction axes of tangent ``t`` of value ``x`` (0 or 1)."""
    return _nd(t) - _nd(x)


def _directions(primals, tangents):
    """``(m,)`` if the tangents carry m directions, else ``()``."""
    for x, t in zip(primals, tangents, strict=True):
        if t is not None:
            return np.shape(primal(t))[:1] if _lead(t, x) else ()
    return ()


def promote(t, xnd, ond):
    """Give tangent ``t`` (of a value of rank ``xnd``) rank ``ond`` for broadcasting.

    Only a tangent with a leading axis of directions needs it: unit axes are
    inserted after that axis so that numpy broadcasting aligns the value axes.
    """
    tnd = _nd(t)
    if xnd == ond or tnd == xnd:
        return t
    shape = np.shape(primal(t))
    return np.reshape(t, shape[:1] + (1,) * (ond - xnd) + shape[1:])


def _fit(t, lead, shape):
    """Broadcast a tangent to ``lead + shape`` (constant partials leave it short)."""
    target = lead + shape
    if np.shape(primal(t)) != target:
        t = np.broadcast_to(promote(t, _nd(t) - len(lead), len(shape)), target)
    return t


def _zeros(x, lead):
    return np.zeros(lead + np.shape(primal(x)))


# --- elementwise: one rule per ufunc built from the table of partials -------------
def _times(d, t, owned):
    """``d * t``, reusing ``d``'s memory when it is a fresh array of the full shape."""
    if (
        type(d) is np.ndarray
        and (type(t) is float or (type(t) is np.ndarray and d.shape == t.shape))
        and not any(d is a for a in owned)
    ):
        return np.multiply(d, t, out=d)
    return d * t


def _accumulate(total, term):
    if total is None:
        return term
    if type(total) is np.ndarray and type(term) is np.ndarray and total.shape == term.shape:
        total += term  # total is a fresh product
        return total
    return total + term


def _from_partials(ufunc, partials):
    def rule(primals, tangents):
        out = bind(ufunc, *primals)
        ond = _nd(out)
        total = None
        owned = (out, *primals)  # partials may return these (exp returns out): no in-place
        for d, x, t in zip(partials, primals, tangents, strict=True):
            if t is not None:
                term = _times(d(out, *primals), promote(t, _nd(x), ond), owned)
                total = _accumulate(total, term)
        return out, _fit(total, _directions(primals, tangents), np.shape(primal(out)))

    return rule


for _ufunc, _partials in PARTIALS.items():
    JVP_RULES[_ufunc] = _from_partials(_ufunc, _partials)


@fill_doc
def defjvp(primitive, *rules):
    """Register the forward-mode rules of ``primitive``: one rule per argument.

    Parameters
    ----------
    %(defrule_primitive)s
    *rules : callable or None
        ``rules[i](t, ans, *args, **static)`` returns the tangent of
        ``ans = primitive(*args)`` caused by the tangent ``t`` of argument
        ``i`` (the partial derivative times ``t``, for an elementwise
        operation); the contributions of the traced arguments are added. ``t``
        may carry one extra *leading* axis of directions, so write the rule
        with broadcasting over trailing axes (``t * dfdx`` does). Use numpy
        functions, so the rule can itself be differentiated. None marks an
        argument with no derivative (an error if it is ever traced).

    %(returns_defrule)s
    """
    check_primitive(primitive, rules, "defjvp")

    def rule(primals, tangents, **static):
        if len(primals) != len(rules):
            raise ValueError(
                f"{prim_name(primitive)} was called with {len(primals)} traced-or-array "
                f"arguments but defjvp gave {len(rules)} rules"
            )
        out = bind(primitive, *primals, **static)
        ond = _nd(out)
        total = None
        for i, (r, x, t) in enumerate(zip(rules, primals, tangents, strict=True)):
            if t is None:
                continue
            if r is None:
                raise missing_rule("jvp", primitive, i)
            xnd = _nd(x)
            total = _accumulate(total, r(promote(t, xnd, ond) if ond > xnd else t, out,
                                         *primals, **static))
        return out, _fit(total, _directions(primals, tangents), np.shape(primal(out)))

    JVP_RULES[primitive] = rule
    return rule


def _linear_binary(ufunc, sign):
    def rule(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        out = bind(ufunc, x, y)
        ond = _nd(out)
        if tx is None:
            t = promote(ty, _nd(y), ond) * sign
        elif ty is None:
            t = promote(tx, _nd(x), ond)
        else:
            t = bind(ufunc, promote(tx, _nd(x), ond), promote(ty, _nd(y), ond))
        return out, _fit(t, _directions(primals, tangents), np.shape(primal(out)))

    return rule


JVP_RULES[np.add] = _linear_binary(np.add, 1.0)
JVP_RULES[np.subtract] = _linear_binary(np.subtract, -1.0)


def _divide(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    out = x / y
    ond = _nd(out)
    if ty is None:
        t = promote(tx, _nd(x), ond) / y
    elif tx is None:
        t = -(out / y) * promote(ty, _nd(y), ond)
    else:
        t = (promote(tx, _nd(x), ond) - out * promote(ty, _nd(y), ond)) / y
    return out, _fit(t, _directions(primals, tangents), np.shape(primal(out)))


JVP_RULES[np.divide] = _divide


def _multiply(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    out = x * y
    ond = _nd(out)
    if x is y and tx is ty:  # x * x: one product instead of two
        t = _times(promote(tx, _nd(x), ond) * x, 2.0, ())
    else:
        t = None
        if tx is not None:
            t = promote(tx, _nd(x), ond) * y
        if ty is not None:
            t = _accumulate(t, x * promote(ty, _nd(y), ond))
    return out, _fit(t, _directions(primals, tangents), np.shape(primal(out)))


# add, subtract, divide and multiply (x * x in one product) have fast paths;
# tests/test_ad_rules.py checks them against the rules built from PARTIALS.
JVP_RULES[np.multiply] = _multiply


# --- reductions -------------------------------------------------------------------
def _reduction(fun):
    def rule(primals, tangents, axis, keepdims):
        (x,), (t,) = primals, tangents
        return fun(x, axis=axis, keepdims=keepdims), fun(t, axis=axis, keepdims=keepdims)

    return rule


JVP_RULES[np.sum] = _reduction(np.sum)
JVP_RULES[np.mean] = _reduction(np.mean)


def _extremum(fun):
    def rule(primals, tangents, axis, keepdims):
        (x,), (t,) = primals, tangents
        out = fun(x, axis=axis, keepdims=True)
        mask = np.asarray(primal(x) == primal(out), dtype=float)
        mask /= np.sum(mask, axis=axis, keepdims=True)  # ties share the derivative
        t_out = np.sum(t * mask, axis=axis, keepdims=keepdims)
        return (out if keepdims else np.squeeze(out, axis=axis)), t_out

    return rule


JVP_RULES[np.max] = _extremum(np.max)
JVP_RULES[np.min] = _extremum(np.min)


# --- linear maps that act on the value axes only -----------------------------------
def _same_on_tangent(fun):
    """Rules for maps whose static arguments use negative axes only."""

    def rule(primals, tangents, **static):
        (x,), (t,) = primals, tangents
        return fun(x, **static), fun(t, **static)

    return rule


for _f in (np.swapaxes, np.moveaxis, np.squeeze, np.expand_dims, np.diagonal, np.tril, np.triu):
    JVP_RULES[_f] = _same_on_tangent(_f)


def _reshape(primals, tangents, shape):
    (x,), (t,) = primals, tangents
    lead = np.shape(primal(t))[: _lead(t, x)]
    return np.reshape(x, shape), np.reshape(t, lead + shape)


def _transpose(primals, tangents, axes):
    (x,), (t,) = primals, tangents
    k = _lead(t, x)
    return np.transpose(x, axes), np.transpose(t, tuple(range(k)) + tuple(a + k for a in axes))


def _broadcast_to(primals, tangents, shape):
    (x,), (t,) = primals, tangents
    lead = np.shape(primal(t))[: _lead(t, x)]
    t = promote(t, _nd(x), len(shape))
    return np.broadcast_to(x, shape), np.broadcast_to(t, lead + shape)


def _trailing(index):
    """``index`` extended by one trailing axis (for a tangent with directions last)."""
    has_ellipsis = any(i is Ellipsis for i in index)
    return index + ((slice(None),) if has_ellipsis else (Ellipsis, slice(None)))


def _getitem(primals, tangents, index):
    # The direction axis is moved last while indexing: numpy moves the axes of
    # non-adjacent advanced indices to the front, which a leading axis would break.
    (x,), (t,) = primals, tangents
    if not _lead(t, x):
        return x[index], t[index]
    return x[index], np.moveaxis(np.moveaxis(t, 0, -1)[_trailing(index)], -1, 0)


def _index_add(primals, tangents, shape, index):
    (g,), (t,) = primals, tangents
    out = bind(INDEX_ADD, g, shape=shape, index=index)
    if not _lead(t, g):
        return out, bind(INDEX_ADD, t, shape=shape, index=index)
    m = np.shape(primal(t))[0]
    t = bind(INDEX_ADD, np.moveaxis(t, 0, -1), shape=shape + (m,), index=_trailing(index))
    return out, np.moveaxis(t, -1, 0)


JVP_RULES[np.reshape] = _reshape
JVP_RULES[np.transpose] = _transpose
JVP_RULES[np.broadcast_to] = _broadcast_to
JVP_RULES[GETITEM] = _getitem
JVP_RULES[INDEX_ADD] = _index_add


def _joining(fun):
    def rule(primals, tangents, axis):
        lead = _directions(primals, tangents)
        ts = [_zeros(x, lead) if t is None else t for x, t in zip(primals, tangents, strict=True)]
        return fun(primals, axis=axis), fun(ts, axis=axis)

    return rule


JVP_RULES[np.concatenate] = _joining(np.concatenate)
JVP_RULES[np.stack] = _joining(np.stack)


def _where(primals, tangents):
    (c, x, y), (_, tx, ty) = primals, tangents
    out = np.where(c, x, y)
    ond = _nd(out)
    tx = 0.0 if tx is None else promote(tx, _nd(x), ond)
    ty = 0.0 if ty is None else promote(ty, _nd(y), ond)
    t = np.where(c, tx, ty)
    return out, _fit(t, _directions(primals, tangents), np.shape(primal(out)))


JVP_RULES[np.where] = _where


# The matrix products and the fused primitives of mixgrad.ad.ops register here.
from ._jvp_linalg import matmul_tangent  # noqa: E402, F401
