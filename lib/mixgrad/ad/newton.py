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
import warnings
from dataclasses import dataclass, field

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive
from mixgrad.ad import finite_diff
from mixgrad.exceptions import ConvergenceWarning

__all__ = ["NewtonResult", "newton", "newton_system", "estimate_order"]

_SCALAR_DERIVATIVES = ("dual", "forward", "backward", "central", "complex")
_JACOBIANS = ("fwd", "rev", "fd")


@dataclass
class NewtonResult:
    """Iterates and residuals of a Newton run.

    Attributes
    ----------
    root : float or ndarray of shape (n,)
        The last iterate.
    converged : bool
        Whether the tolerance was met within ``max_iter`` iterations.
    n_iter : int
        Number of Newton steps taken.
    iterates : ndarray of shape (n_iter + 1,) or (n_iter + 1, n)
        ``x_0, ..., x_{n_iter}``.
    residuals : ndarray of shape (n_iter + 1,)
        ``|f(x_k)|`` (scalar) or ``||F(x_k)||_2`` (system) at every iterate.
    method : str
        How the derivative was obtained (``"dual"``, ``"central"``, ``"fwd"``...).
    n_evaluations : int
        Calls of ``f`` (or ``F``), counting every call made for derivatives:
        an AD pass counts as one call even when it carries several directions,
        a divided difference as the calls it makes.
    """

    root: object
    converged: bool
    n_iter: int
    iterates: np.ndarray
    residuals: np.ndarray
    method: str
    n_evaluations: int = 0
    message: str = field(default="")

    def errors(self, reference=None):
        """Distances ``||x_k - x*||`` of the iterates to a reference root.

        Parameters
        ----------
        reference : float or array-like of shape (n,), optional
            The exact root; default the last iterate (then the last error is 0).

        Returns
        -------
        ndarray of shape (n_iter + 1,)
        """
        ref = self.root if reference is None else check_finite_array(reference, "reference")
        diff = self.iterates - ref
        return np.abs(diff) if diff.ndim == 1 else np.linalg.norm(diff, axis=1)

    def table(self):
        """The iterations as text: ``k, x_k, residual`` per line."""
        lines = [f"{'k':>3}  {'x_k':<24}  residual"]
        for k, (x, r) in enumerate(zip(self.iterates, self.residuals, strict=True)):
            xs = f"{x:.17g}" if np.ndim(x) == 0 else np.array2string(x, precision=10)
            lines.append(f"{k:>3}  {xs:<24}  {r:.3e}")
        return "\n".join(lines)

    def __str__(self):
        status = "converged" if self.converged else "did NOT converge"
        return (
            f"Newton ({self.method}) {status} in {self.n_iter} iterations, "
            f"{self.n_evaluations} evaluations\n{self.table()}"
        )


# --- checks --------------------------------------------------------------------


def _check_controls(tol, xtol, max_iter):
    tol = check_positive(tol, "tol")
    xtol = check_positive(xtol, "xtol", strict=False)
    max_iter = check_integer(max_iter, "max_iter", minimum=1)
    return tol, xtol, max_iter


def _finite(value, what, k, x):
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"{what} is not finite at iteration {k} (x = {x}); Newton cannot continue. "
            "Start closer to the root or check the domain of the function"
        )
    return value


def _ad():
    return importlib.import_module("mixgrad.ad")


# --- scalar equations ------------------------------------------------------------


class _Counted:
    """Wrap a function and count its calls (``n_evaluations`` of the result)."""

    def __init__(self, f):
        self.f = f
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


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

    Warns
    -----
    ConvergenceWarning
        If neither tolerance is met within ``max_iter`` steps.

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

    iterates, residuals = [x], []
    converged = False
    for k in range(max_iter + 1):
        fx, slope_at_x = step(x)
        _finite(fx, "f(x)", k, x)
        residuals.append(abs(fx))
        if abs(fx) <= tol:
            converged = True
            break
        if k == max_iter:
            break
        slope = _finite(slope_at_x(), "the derivative f'(x)", k, x)
        if slope == 0.0:
            raise ValueError(
                f"f'(x) = 0 at iteration {k} (x = {x!r}): the Newton step is undefined; "
                "start from another x0"
            )
        x_new = x - fx / slope
        iterates.append(x_new)
        if abs(x_new - x) <= xtol * max(1.0, abs(x)):
            fx_new = float(counted(x_new))
            residuals.append(abs(_finite(fx_new, "f(x)", k + 1, x_new)))
            x, converged = x_new, True
            break
        x = x_new
    return _finish(x, converged, iterates, residuals, method, counted.calls, max_iter)


def _finish(x, converged, iterates, residuals, method, evaluations, max_iter):
    n_iter = len(iterates) - 1
    message = "converged" if converged else (
        f"Newton ({method}) did not converge in max_iter={max_iter} iterations "
        f"(last residual {residuals[-1]:.3e}); increase max_iter, loosen tol, or start "
        "closer to the root"
    )
    if not converged:
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return NewtonResult(
        root=x, converged=converged, n_iter=n_iter, iterates=np.array(iterates),
        residuals=np.array(residuals), method=method, n_evaluations=evaluations,
        message=message,
    )


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

    Warns
    -----
    ConvergenceWarning
        If neither tolerance is met within ``max_iter`` steps.

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

    iterates, residuals = [x], []
    converged = False
    for k in range(max_iter + 1):
        r = residual_vector(x, k)
        residuals.append(float(np.linalg.norm(r)))
        if residuals[-1] <= tol:
            converged = True
            break
        if k == max_iter:
            break
        J = jac(x)
        x_new = x - _solve(np.asarray(J, dtype=float), r, k, x)
        iterates.append(x_new)
        if np.linalg.norm(x_new - x) <= xtol * max(1.0, float(np.linalg.norm(x))):
            residuals.append(float(np.linalg.norm(residual_vector(x_new, k + 1))))
            x, converged = x_new, True
            break
        x = x_new
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
