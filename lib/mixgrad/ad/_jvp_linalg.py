"""Forward-mode rules of the matrix products and of the fused primitives.

Part of :mod:`mixgrad.ad.jvp_rules` (imported, and so registered, at its end):
the rules of ``np.matmul``, ``np.einsum`` and of
``mixgrad.ad.ops.LOGSUMEXP`` and ``mixgrad.ad.ops.SOLVE_TRIANGULAR``.

See the chapter :ref:`forward-reverse`.
"""

import numpy as np

from . import ops
from ._trace import bind
from .jvp_rules import JVP_RULES, _lead, _nd, promote

__all__ = ["matmul_tangent"]


# --- matrix products --------------------------------------------------------------
def matmul_tangent(ta, a_nd, b, b_nd, left):
    """Tangent of ``a @ b`` (or ``b @ a`` if not ``left``) in the direction ``ta``.

    1-d operands are made 2-d (row on the left, column on the right), the
    batch axes of the tangent promoted, then the added axes removed.
    """
    k = _nd(ta) - a_nd
    row = (-2 if left else -1) if a_nd == 1 else None
    if a_nd == 1:
        ta = np.expand_dims(ta, row)
    b2 = b if b_nd > 1 else np.expand_dims(b, -1 if left else -2)
    a2_nd, b2_nd = max(a_nd, 2), max(b_nd, 2)
    out_nd = max(a2_nd, b2_nd)
    if k:
        ta = promote(ta, a2_nd, out_nd)
    out = ta @ b2 if left else b2 @ ta
    squeeze = []
    if (a_nd if left else b_nd) == 1:
        squeeze.append(-2)
    if (b_nd if left else a_nd) == 1:
        squeeze.append(-1)
    return np.squeeze(out, axis=tuple(squeeze)) if squeeze else out


def _matmul(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    out = a @ b
    t = None
    if ta is not None:
        t = matmul_tangent(ta, _nd(a), b, _nd(b), left=True)
    if tb is not None:
        tb_out = matmul_tangent(tb, _nd(b), a, _nd(a), left=False)
        t = tb_out if t is None else t + tb_out
    return out, t


JVP_RULES[np.matmul] = _matmul


def _einsum(primals, tangents, subscripts):
    inputs, output = subscripts.split("->")
    inputs = inputs.split(",")
    fresh = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYX" if c not in subscripts)
    value = np.einsum(subscripts, *primals)
    t_out = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        k = _lead(t, primals[i])
        ins = list(inputs)
        ins[i] = fresh * k + ins[i]
        spec = ",".join(ins) + "->" + fresh * k + output
        term = np.einsum(spec, *primals[:i], t, *primals[i + 1 :])
        t_out = term if t_out is None else t_out + term
    return value, t_out


JVP_RULES[np.einsum] = _einsum


# --- fused primitives of mixgrad.ad.ops -------------------------------------------
def _logsumexp(primals, tangents, axis, keepdims):
    (a,), (t,) = primals, tangents
    out = bind(ops.LOGSUMEXP, a, axis=axis, keepdims=True)
    weights = np.exp(a - out)
    t_out = np.sum(weights * t, axis=axis, keepdims=keepdims)
    return (out if keepdims else np.squeeze(out, axis=axis)), t_out


def _solve_triangular(primals, tangents, lower):
    (L, b), (tL, tb) = primals, tangents
    z = bind(ops.SOLVE_TRIANGULAR, L, b, lower=lower)
    tri = np.tril if lower else np.triu
    rhs = None
    if tb is not None:
        rhs = promote(tb, _nd(b), max(_nd(b), _nd(L) if _nd(b) > 1 else 1))
    if tL is not None:
        dLz = matmul_tangent(tri(tL), _nd(L), z, _nd(z), left=True)
        rhs = -dLz if rhs is None else rhs - dLz
    k = _lead(rhs, z) if _nd(rhs) > _nd(z) else 0
    if _nd(z) == 1 and k:
        t = bind(ops.SOLVE_TRIANGULAR, L, np.expand_dims(rhs, -1), lower=lower)[..., 0]
    else:
        t = bind(ops.SOLVE_TRIANGULAR, L, rhs, lower=lower)
    return z, t


JVP_RULES[ops.LOGSUMEXP] = _logsumexp
JVP_RULES[ops.SOLVE_TRIANGULAR] = _solve_triangular
