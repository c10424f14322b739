"""The Newton loop and its result, shared by the scalar and the system solvers.

:func:`~mixgrad.ad.newton` and :func:`~mixgrad.ad.newton_system` differ in
how they take a step; the iteration, the stopping rules and the
:class:`NewtonResult` are written once, here.

See the chapter :ref:`divided-differences`.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive
from mixgrad.exceptions import ConvergenceWarning

__all__ = ["NewtonResult"]


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


class _Counted:
    """Wrap a function and count its calls (``n_evaluations`` of the result)."""

    def __init__(self, f):
        self.f = f
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def _iterate(x, residual, newton_step, residual_only, norm, tol, xtol, max_iter):
    """The Newton loop shared by :func:`newton` and :func:`newton_system`.

    ``residual(x, k) -> (r, extra)``, ``newton_step(x, r, extra, k)`` gives the
    step ``x - x_new``, ``residual_only(x, k)`` the residual after a step
    below ``xtol``, and ``norm`` measures residuals and steps.
    """
    iterates, residuals = [x], []
    converged = False
    for k in range(max_iter + 1):
        r, extra = residual(x, k)
        residuals.append(norm(r))
        if residuals[-1] <= tol:
            converged = True
            break
        if k == max_iter:
            break
        x_new = x - newton_step(x, r, extra, k)
        iterates.append(x_new)
        if norm(x_new - x) <= xtol * max(1.0, norm(x)):
            residuals.append(norm(residual_only(x_new, k + 1)))
            x, converged = x_new, True
            break
        x = x_new
    return x, converged, iterates, residuals


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
