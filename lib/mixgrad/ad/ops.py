"""Differentiable functions numpy has no protocol for.

Each function here works on plain arrays, on :class:`~mixgrad.ad.Dual`
(forward mode) and on the traced values of reverse mode alike. Two are
*fused primitives* with their own rules in ``JVP_RULES`` and ``VJP_RULES``
(``logsumexp`` and ``solve_triangular``): one tape node each, and adjoints
computed with a few array operations instead of many small ones. The others
are compositions of primitives.

See the chapter :ref:`forward-reverse`.
"""

import numpy as np
import scipy.linalg

from ._trace import TRACERS, DomainError, Primitive, normalize_axis, primal

__all__ = [
    "logsumexp",
    "softmax",
    "log_softmax",
    "solve_triangular",
    "log_det_cholesky",
    "LOGSUMEXP",
    "SOLVE_TRIANGULAR",
]


def _check_numeric(a, name):
    """Plain inputs must be real numbers or arrays of them (tracers pass)."""
    if type(a) in TRACERS:
        return a
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"{name} must be a numeric array, got {type(a).__name__}")
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


# --- log-sum-exp -------------------------------------------------------------------
def _logsumexp_impl(a, axis, keepdims):
    a = np.asarray(a, dtype=np.float64)
    m = np.max(a, axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, 0.0)
    e = a - m
    np.exp(e, out=e)
    out = np.sum(e, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        np.log(out, out=out)
    out += m
    return out if keepdims else np.squeeze(out, axis=axis)


#: Fused primitive ``logsumexp(a, axis=..., keepdims=...)`` (axes negative ints).
LOGSUMEXP = Primitive("mixgrad.ad.ops.logsumexp", _logsumexp_impl)


def logsumexp(a, axis=None, keepdims=False):
    """Log of the sum of exponentials, computed without overflow.

    ``log(sum(exp(a)))`` with the maximum factored out. Differentiable in
    both modes; its derivative is the softmax of ``a``.

    Parameters
    ----------
    a : array-like, Dual or traced value of shape (...)
    axis : int or tuple of int, optional
        Axes to reduce; all of them by default.
    keepdims : bool, default False
        Keep the reduced axes with size one.

    Returns
    -------
    float, ndarray or tracer
        Shape of ``a`` without the reduced axes (or with size-one axes).
    """
    a = _check_numeric(a, "a")
    return LOGSUMEXP(a, axis=normalize_axis(axis, np.ndim(primal(a))), keepdims=bool(keepdims))


def log_softmax(a, axis=None):
    """Logarithm of the softmax: ``a - logsumexp(a, axis, keepdims=True)``.

    Parameters
    ----------
    a : array-like, Dual or traced value of shape (...)
    axis : int or tuple of int, optional
        Axes over which the probabilities sum to one; all by default
        (as in ``scipy.special.log_softmax``).

    Returns
    -------
    ndarray or tracer of the shape of ``a``
        Log-probabilities; ``log_softmax(log_weights)`` normalises mixture
        weights given by unconstrained logits.
    """
    a = _check_numeric(a, "a")
    return a - logsumexp(a, axis=axis, keepdims=True)


def softmax(a, axis=None):
    """Softmax ``exp(a) / sum(exp(a))`` along ``axis`` (all axes by default).

    Parameters
    ----------
    a : array-like, Dual or traced value of shape (...)
    axis : int or tuple of int, optional

    Returns
    -------
    ndarray or tracer of the shape of ``a``
        Nonnegative entries summing to one along ``axis``.
    """
    return np.exp(log_softmax(a, axis=axis))


# --- triangular systems -----------------------------------------------------------
def _substitute(L, B, lower):
    """Forward (or back) substitution, vectorised over batch and columns.

    Row ``i`` of ``Z`` is ``(B_i - sum_j L_ij Z_j) / L_ii`` over the rows
    ``j`` already solved; a few array operations per row, no inverse.
    """
    d = L.shape[-1]
    Z = np.empty(np.broadcast_shapes(L.shape[:-2], B.shape[:-2]) + B.shape[-2:])
    done = []
    for i in range(d) if lower else range(d - 1, -1, -1):
        if not done:
            np.divide(B[..., i, :], L[..., i, i, None], out=Z[..., i, :])
            done.append(i)
            continue
        if d <= 8:
            acc = L[..., i, done[0], None] * Z[..., done[0], :]
            for j in done[1:]:
                acc += L[..., i, j, None] * Z[..., j, :]
        else:
            known = slice(0, i) if lower else slice(i + 1, d)
            acc = (L[..., i : i + 1, known] @ Z[..., known, :])[..., 0, :]
        np.subtract(B[..., i, :], acc, out=acc)
        np.divide(acc, L[..., i, i, None], out=Z[..., i, :])
        done.append(i)
    return Z


def _solve_triangular_impl(L, b, lower):
    L = np.asarray(L, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    vector = b.ndim == 1
    B = b[:, None] if vector else b
    if L.ndim == 2 and B.ndim == 2 and B.shape[1] <= 4 * L.shape[0]:
        Z = scipy.linalg.solve_triangular(L, B, lower=lower, check_finite=False)
    else:
        Z = _substitute(L, B, lower)
    return Z[..., 0] if vector else Z


#: Fused primitive ``solve_triangular(L, b, lower=...)``.
SOLVE_TRIANGULAR = Primitive("mixgrad.ad.ops.solve_triangular", _solve_triangular_impl)


def _check_triangular(L, b):
    Ls, bs = np.shape(primal(L)), np.shape(primal(b))
    if len(Ls) < 2 or Ls[-1] != Ls[-2]:
        raise ValueError(f"L must have shape (..., d, d), got {Ls}")
    d = Ls[-1]
    if len(bs) == 1 and len(Ls) > 2:
        raise ValueError(
            f"b of shape {bs} is one vector but L of shape {Ls} is a batch: "
            f"pass b of shape (..., {d}, 1)"
        )
    if len(bs) == 0 or (len(bs) == 1 and bs[0] != d) or (len(bs) >= 2 and bs[-2] != d):
        raise ValueError(
            f"b must have shape ({d},) or (..., {d}, n) to match L of shape {Ls}, got {bs}"
        )
    try:
        np.broadcast_shapes(Ls[:-2], bs[:-2] if len(bs) >= 2 else ())
    except ValueError:
        raise ValueError(f"batch shapes of L {Ls} and b {bs} do not broadcast") from None
    diag = np.diagonal(np.asarray(primal(L)), axis1=-2, axis2=-1)
    if not np.all(diag != 0):
        raise DomainError("L has a zero on its diagonal: the triangular system is singular")


def solve_triangular(L, b, lower=True):
    """Solve ``L z = b`` for a (batch of) triangular matrices.

    Parameters
    ----------
    L : array-like, Dual or traced value of shape (d, d) or (..., d, d)
        Triangular factors; only the lower (or upper) triangle is read.
    b : array-like, Dual or traced value of shape (d,) or (..., d, n)
        Right-hand sides; a 1-d ``b`` is one vector (as in ``np.linalg.solve``),
        otherwise the batch axes of ``L`` and ``b`` broadcast.
    lower : bool, default True
        Whether ``L`` is lower triangular.

    Returns
    -------
    ndarray or tracer of shape (d,) or (..., d, n)
        The solution ``z``.

    Raises
    ------
    ValueError
        If the shapes do not match or a diagonal entry of ``L`` is zero.
    """
    L = _check_numeric(L, "L")
    b = _check_numeric(b, "b")
    _check_triangular(L, b)
    return SOLVE_TRIANGULAR(L, b, lower=bool(lower))


def log_det_cholesky(L):
    """``log det(L)`` for triangular ``L`` with a positive diagonal.

    For a Cholesky factor of a covariance, ``Sigma = L L^T``, this is half of
    ``log det(Sigma)``: the sum of the logs of the diagonal of ``L``.

    Parameters
    ----------
    L : array-like, Dual or traced value of shape (d, d) or (k, d, d)
        A factor or a batch of factors.

    Returns
    -------
    float, ndarray of shape (k,) or tracer

    Raises
    ------
    ValueError
        If a diagonal entry is not positive (not a Cholesky factor).
    """
    L = _check_numeric(L, "L")
    shape = np.shape(primal(L))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"L must have shape (d, d) or (k, d, d), got {shape}")
    diag = np.diagonal(L, axis1=-2, axis2=-1)
    if not np.all(primal(diag) > 0):
        raise DomainError(
            "L must have a positive diagonal (a Cholesky factor); got diagonal "
            f"entries {np.asarray(primal(diag)).ravel()[:6]}"
        )
    return np.sum(np.log(diag), axis=-1)
