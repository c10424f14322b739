"""How small should ``h`` be? The error model of divided differences, measured.

A divided difference errs by truncation (shrinking with ``h``) plus
round-off (growing like ``eps / h``); :func:`difference_error_model` gives
both terms for each kind.

:func:`optimal_step` minimises the model (the ``sqrt(eps)`` and
``eps**(1/3)`` laws); :func:`step_sweep` and :func:`best_step` measure the
same thing on a grid of steps, for the log-log "V" of the chapter.

See the chapter :ref:`divided-differences`.
"""

import numbers

import numpy as np

from mixgrad._validation import check_finite_array, check_positive
from mixgrad.ad.finite_diff import EPS, _check_kind, _check_steps, divided_difference

__all__ = ["difference_error_model", "optimal_step", "step_sweep", "best_step"]


# --- error model and optimal step -------------------------------------------------


def _check_model_kind(kind):
    return _check_kind(kind, ("forward", "backward", "central"))


def _magnitude(value, name, what):
    if value is None:
        raise TypeError(f"{name} ({what}) is required")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return check_positive(abs(float(value)), name, strict=False)


def _model_coefficients(kind, f2, f3, fx, eps):
    """``(truncation coefficient, power of h, round-off coefficient)``."""
    fx = _magnitude(fx, "fx", "the value f(x), which sets the round-off level")
    eps = check_positive(eps, "eps")
    if kind == "central":
        f3 = _magnitude(f3, "f3", "the third derivative at x, needed for kind='central'")
        return f3 / 6.0, 2, eps * fx
    f2 = _magnitude(f2, "f2", f"the second derivative at x, needed for kind={kind!r}")
    return f2 / 2.0, 1, 2.0 * eps * fx


def difference_error_model(h, *, kind, fx, f2=None, f3=None, eps=EPS):
    """Model of the total error of a divided difference as a function of ``h``.

    ========================  ======================  =====================
    kind                      truncation              round-off
    ========================  ======================  =====================
    ``forward``/``backward``  ``|f''(x)| h / 2``      ``2 eps |f(x)| / h``
    ``central``               ``|f'''(x)| h**2 / 6``  ``eps |f(x)| / h``
    ========================  ======================  =====================

    The truncation terms are the leading Taylor remainders. The round-off
    terms assume each evaluation of ``f`` is off by at most ``eps |f(x)|``;
    two such errors add in the numerator, which is then divided by ``h``
    (forward) or ``2 h`` (central). Rounding of ``x + h`` itself is ignored.

    Parameters
    ----------
    h : float or array-like of shape (m,)
        Step size(s), all > 0.
    kind : {"forward", "backward", "central"}
    fx : float
        ``f(x)``; only its magnitude is used.
    f2, f3 : float, optional
        ``f''(x)`` (forward/backward) or ``f'''(x)`` (central).
    eps : float, default machine epsilon ``2**-52``
        Relative error of one evaluation of ``f``.

    Returns
    -------
    ndarray of shape ``np.shape(h)``
        Predicted absolute error of the approximation of ``f'(x)``.
    """
    steps = _check_steps(h)
    trunc, power, roundoff = _model_coefficients(_check_model_kind(kind), f2, f3, fx, eps)
    return trunc * steps**power + roundoff / steps


def optimal_step(kind, *, fx, f2=None, f3=None, eps=EPS):
    """Step that minimises :func:`difference_error_model`.

    Setting the derivative of the model to zero gives

    - forward/backward: ``h* = 2 sqrt(eps |f| / |f''|)``  (the ``sqrt(eps)`` law),
    - central: ``h* = (3 eps |f| / |f'''|) ** (1/3)``     (the ``eps**(1/3)`` law).

    Parameters
    ----------
    kind : {"forward", "backward", "central"}
    fx : float
        ``f(x)``; only its magnitude is used (must be nonzero).
    f2, f3 : float, optional
        ``f''(x)`` (forward/backward) or ``f'''(x)`` (central), nonzero.
    eps : float, default machine epsilon
        Relative error of one evaluation of ``f``.

    Returns
    -------
    float
        The optimal step ``h*``.
    """
    trunc, power, roundoff = _model_coefficients(_check_model_kind(kind), f2, f3, fx, eps)
    if trunc == 0 or roundoff == 0:
        which = "f''(x)" if power == 1 else "f'''(x)"
        raise ValueError(
            f"the optimal step is undefined when {which} = 0 or f(x) = 0 (one error term "
            "vanishes); take the derivative and value at a nearby point as scales"
        )
    # d/dh [trunc h^p + roundoff / h] = p trunc h^(p-1) - roundoff / h^2 = 0
    return float((roundoff / (power * trunc)) ** (1.0 / (power + 1)))


# --- measured errors over a grid of steps -------------------------------------


def step_sweep(f, df, x, hs, kind="forward"):
    """Absolute error of a divided difference for every step in ``hs``.

    Parameters
    ----------
    f : callable
        Scalar function applied elementwise to arrays.
    df : callable or float
        Exact derivative ``f'`` (callable) or its value at ``x``.
    x : float
        Point at which to differentiate.
    hs : array-like of shape (m,)
        Steps, all > 0 (e.g. ``np.logspace(-16, 0, 161)``).
    kind : {"forward", "backward", "central", "complex"}, default "forward"

    Returns
    -------
    errors : ndarray of shape (m,)
        ``|D_h f(x) - f'(x)|`` for each ``h``; may contain exact zeros.
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"x must be a real number, got {type(x).__name__}")
    hs = check_finite_array(hs, "hs", ndim=1)
    exact = df(x) if callable(df) else df
    if isinstance(exact, bool) or not isinstance(exact, numbers.Real | np.ndarray):
        raise TypeError(f"df must be a callable or a real number, got {type(df).__name__}")
    return np.abs(divided_difference(f, float(x), hs, kind) - float(exact))


def best_step(hs, errors):
    """The step of the grid with the smallest error (the bottom of the V).

    Parameters
    ----------
    hs : array-like of shape (m,)
        Steps.
    errors : array-like of shape (m,)
        Errors from :func:`step_sweep`.

    Returns
    -------
    float
        ``hs[argmin(errors)]``.
    """
    hs = check_finite_array(hs, "hs", ndim=1)
    errors = check_finite_array(errors, "errors", ndim=1)
    if hs.shape != errors.shape or hs.size == 0:
        raise ValueError(
            f"hs and errors must be non-empty and of equal length, got {hs.size} and {errors.size}"
        )
    return float(hs[np.argmin(errors)])
