"""Newton's method, the seed's first application of derivatives.

``x_{k+1} = x_k - f(x_k) / f'(x_k)`` (scalar) and
``x_{k+1} = x_k - J(x_k)^{-1} F(x_k)`` (systems). The derivative comes from
automatic differentiation by default (a :class:`~mixgrad.ad.Dual` gives
``f`` and ``f'`` in one evaluation), or from a divided difference, or from
the user. The result keeps every iterate and residual, so a chapter can
show quadratic convergence with exact derivatives against the slower
convergence of finite-difference Newton (:func:`estimate_order`).

See the chapter :ref:`divided-differences`.
"""

import importlib
import numbers

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_positive
from mixgrad.ad import finite_diff
from mixgrad.ad._newton_loop import (
    NewtonResult,
    _check_controls,
    _Counted,
    _finish,
    _finite,
    _iterate,
)

__all__ = ["NewtonResult", "newton", "newton_system", "estimate_order"]

_SCALAR_DERIVATIVES = ("dual", "forward", "backward", "central", "complex")
_JACOBIANS = ("fwd", "rev", "fd")


def _ad():
    return importlib.import_module("mixgrad.ad")


# --- scalar equations ------------------------------------------------------------


def _scalar_step_function(f, fprime, derivative, h):
    """A function ``x -> (f(x), slope)`` where ``slope()`` gives ``f'(x)`` on demand.

    The derivative is computed lazily, so the last iterate (where the residual
    already meets the tolerance) costs a single evaluation of ``f``.
    """
    if fprime is not None:
        return lambda x: (float(f(x)), lambda: float(fprime(x)))
    if derivative == "dual":
        Dual = _ad().Dual

        def step(x):
            y = f(Dual(x, 1.0))
            if not isinstance(y, Dual):  # f does not depend on x
                return float(y), lambda: 0.0
            return float(y.value), lambda: float(y.tangent)

        return step

    def step(x):
        fx = float(f(x))
        hx = float(finite_diff.default_step(x, derivative)) if h is None else h

        def slope():
            if derivative == "forward":
                return (float(f(x + hx)) - fx) / hx
            if derivative == "backward":
                return (fx - float(f(x - hx))) / hx
            if derivative == "central":
                return (float(f(x + hx)) - float(f(x - hx))) / (2.0 * hx)
            return float(np.imag(f(x + 1j * hx))) / hx

        return fx, slope

    return step


@fill_doc
def newton(f, x0, *, fprime=None, derivative=None, h=None, tol=1e-12, xtol=1e-15,
           max_iter=50):
    """Solve ``f(x) = 0`` for a scalar ``x`` by Newton's method.

    Parameters
    ----------
    f : callable
        Scalar function; with ``derivative="dual"`` it must accept a
        :class:`~mixgrad.ad.Dual` (numpy functions and operators do).
    x0 : float
        Starting point.
    fprime : callable, optional
        Exact derivative ``f'``. Exclusive with ``derivative``.
    derivative : {"dual", "forward", "backward", "central", "complex"}, optional
        How to get ``f'`` when ``fprime`` is not given: forward-mode AD
        (default) or a divided difference with step ``h``.
    h : float, optional
        Step of the divided difference; default
        :func:`~mixgrad.ad.default_step` (``sqrt(eps)`` or
        ``eps**(1/3)`` times ``max(1, |x|)``).
    tol : float, default 1e-12
        Stop when ``|f(x_k)| <= tol``.
    xtol : float, default 1e-15
        Or when the step ``|x_{k+1} - x_k| <= xtol * max(1, |x_k|)``.
    max_iter : int, default 50
        Maximum number of Newton steps.

    Returns
    -------
    NewtonResult

    %(warns_newton)s

    Raises
    ------
    ValueError
        If ``f'(x_k) = 0`` or ``f`` returns a non-finite value.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable, got {type(f).__name__}")
    if isinstance(x0, bool) or not isinstance(x0, numbers.Real):
        raise TypeError(f"x0 must be a real number, got {type(x0).__name__}")
    x = float(check_finite_array(x0, "x0"))
    tol, xtol, max_iter = _check_controls(tol, xtol, max_iter)
    if fprime is not None and derivative is not None:
        raise ValueError("give either fprime or derivative, not both")
    if fprime is not None and not callable(fprime):
        raise TypeError(f"fprime must be a callable, got {type(fprime).__name__}")
    method = "fprime" if fprime is not None else (derivative or "dual")
    if fprime is None and method not in _SCALAR_DERIVATIVES:
        raise ValueError(f"derivative must be one of {_SCALAR_DERIVATIVES}, got {derivative!r}")
    if h is not None:
        h = check_positive(h, "h")
    counted = _Counted(f)
    step = _scalar_step_function(counted, fprime, method, h)

    def residual(x, k):
        fx, slope_at_x = step(x)
        return _finite(fx, "f(x)", k, x), slope_at_x

    def newton_step(x, fx, slope_at_x, k):
        slope = _finite(slope_at_x(), "the derivative f'(x)", k, x)
        if slope == 0.0:
            raise ValueError(
                f"f'(x) = 0 at iteration {k} (x = {x!r}): the Newton step is undefined; "
                "start from another x0"
            )
        return fx / slope

    def residual_only(x, k):
        return _finite(float(counted(x)), "f(x)", k, x)

    x, converged, iterates, residuals = _iterate(
        x, residual, newton_step, residual_only, abs, tol, xtol, max_iter
    )
    return _finish(x, converged, iterates, residuals, method, counted.calls, max_iter)


# --- systems -----------------------------------------------------------------------


def _jacobian_function(F, jacobian, h):
    if callable(jacobian):
        return jacobian, "user"
    if jacobian == "fwd":
        return _ad().jacobian_fwd(F), "fwd"
    if jacobian == "rev":
        return _ad().jacobian_rev(F), "rev"
    if jacobian == "fd":
        return (lambda x: finite_diff.fd_jacobian(F, x, h, kind="central")), "fd"
    raise ValueError(f"jacobian must be one of {_JACOBIANS} or a callable, got {jacobian!r}")


def _solve(J, r, k, x):
    n = r.size
    if J.shape != (n, n):
        raise ValueError(
            f"the Jacobian has shape {J.shape} at iteration {k}; Newton needs a square "
            f"system: F must map R^{x.size} to R^{x.size}"
        )
    _finite(J, "the Jacobian", k, x)
    cond = np.linalg.cond(J)
    if not np.isfinite(cond) or cond * finite_diff.EPS > 1.0:
        raise ValueError(
            f"the Jacobian is singular at iteration {k} (condition number {cond:.3g}) at "
            f"x = {x}: the Newton step is undefined; start from another x0"
        )
    return np.linalg.solve(J, r)


@fill_doc
def newton_system(F, x0, *, jacobian="fwd", h=None, tol=1e-12, xtol=1e-15, max_iter=50):
    """Solve ``F(x) = 0`` for ``x`` in R^n by Newton's method.

    Parameters
    ----------
    F : callable
        Function from arrays of shape (n,) to arrays of shape (n,).
    x0 : array-like of shape (n,)
        Starting point.
    jacobian : {"fwd", "rev", "fd"} or callable, default "fwd"
        Jacobian by forward-mode AD (n sweeps), reverse-mode AD (n sweeps),
        central differences (2n evaluations), or a user function
        ``x -> J`` of shape (n, n).
    h : float or array-like of shape (n,), optional
        Steps for ``jacobian="fd"`` (default
        :func:`~mixgrad.ad.default_step`).
    tol : float, default 1e-12
        Stop when ``||F(x_k)||_2 <= tol``.
    xtol : float, default 1e-15
        Or when ``||x_{k+1} - x_k|| <= xtol * max(1, ||x_k||)``.
    max_iter : int, default 50
        Maximum number of Newton steps.

    Returns
    -------
    NewtonResult
        With ``iterates`` of shape (n_iter + 1, n).

    %(warns_newton)s

    Raises
    ------
    ValueError
        If the Jacobian is singular (or not square), or ``F`` returns
        non-finite values.
    """
    if not callable(F):
        raise TypeError(f"F must be a callable, got {type(F).__name__}")
    x = check_finite_array(x0, "x0", ndim=1)
    tol, xtol, max_iter = _check_controls(tol, xtol, max_iter)
    counted = _Counted(F)
    jac, method = _jacobian_function(counted, jacobian, h)

    def residual_vector(x, k):
        r = np.asarray(counted(x), dtype=float)
        if r.shape != x.shape:
            raise ValueError(
                f"F returned shape {r.shape} for x of shape {x.shape}; Newton needs F to map "
                "R^n to R^n"
            )
        return _finite(r, "F(x)", k, x)

    def newton_step(x, r, _, k):
        return _solve(np.asarray(jac(x), dtype=float), r, k, x)

    def norm(v):
        return float(np.linalg.norm(v))

    x, converged, iterates, residuals = _iterate(
        x, lambda x, k: (residual_vector(x, k), None), newton_step, residual_vector, norm,
        tol, xtol, max_iter,
    )
    return _finish(x, converged, iterates, residuals, method, counted.calls, max_iter)


# --- observed order of convergence ------------------------------------------------------


def estimate_order(errors, *, floor=0.0):
    """Observed order of convergence ``p_k`` from successive errors.

    ``p_k = log(e_{k+1} / e_k) / log(e_k / e_{k-1})``: about 1 for linear,
    about 2 for quadratic (Newton with exact derivatives), between the two
    for finite-difference Newton near round-off.

    Parameters
    ----------
    errors : array-like of shape (m,)
        Errors ``e_0, e_1, ...`` (e.g. ``result.errors(x_star)`` or residuals).
    floor : float, default 0.0
        The sequence is cut at the first error ``<= floor`` (an exact zero,
        or the round-off level): those carry no information on the order.

    Returns
    -------
    ndarray of shape (m' - 2,)
        One estimate per interior point of the kept sequence (``m'`` errors).

    Raises
    ------
    ValueError
        If fewer than three errors remain above ``floor``, or the errors do
        not decrease (``e_k == e_{k-1}``).
    """
    e = check_finite_array(errors, "errors", ndim=1)
    floor = check_positive(floor, "floor", strict=False)
    if np.any(e < 0):
        raise ValueError("errors must be >= 0 (distances or absolute residuals)")
    small = np.flatnonzero(e <= floor)
    kept = e[: small[0]] if small.size else e
    if kept.size < 3:
        raise ValueError(
            f"need at least 3 errors above floor={floor} to estimate an order, got "
            f"{kept.size} (of {e.size}); run more iterations or lower the floor"
        )
    ratios = np.log(kept[1:] / kept[:-1])
    if np.any(ratios[:-1] == 0):
        raise ValueError("consecutive errors are equal; the order is undefined (no progress)")
    return ratios[1:] / ratios[:-1]
