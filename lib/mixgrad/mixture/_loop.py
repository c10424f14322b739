"""One EM loop for the Part II models: history, stopping rule and warning.

Every EM-style fit of the periphery (the toy means-only EM, soft k-means,
missing- and censored-data EM, Poisson and zero-inflated Poisson mixtures)
iterates ``params = step(params)`` from a starting point. :func:`run_em`
owns what they share: the ``history`` of every parameter and of the
log-likelihood (initial values first, one row per iteration), the
convergence test and the :class:`~mixgrad.exceptions.ConvergenceWarning`.
The results extend :class:`EMResult`, so that ``result.history`` has one
layout everywhere: a dict of arrays with one row per iterate.

See the chapters :ref:`em-gaussian-mixtures`, :ref:`kmeans-limit` and
:ref:`missing-data`.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np

from mixgrad.exceptions import ConvergenceWarning

__all__ = ["EMResult", "STOPPING_RULES", "run_em", "warn_not_converged"]

#: ``"params"``: no parameter entry moved by more than ``tol``;
#: ``"objective"``: the log-likelihood gained at most ``tol * (1 + |ll|)``.
STOPPING_RULES = ("params", "objective")


@dataclass(kw_only=True)
class EMResult:
    """What every EM fit returns (models add their final parameters).

    Attributes
    ----------
    log_likelihood : float
        Objective (log-likelihood) at the final parameters.
    n_iter : int
        Number of iterations run.
    converged : bool
        Whether the stopping rule was met within the iteration budget.
    history : dict of ndarray
        One array per parameter plus ``"log_likelihood"``, each with
        ``n_iter + 1`` rows: the starting point, then every iterate.
    """

    log_likelihood: float
    n_iter: int
    converged: bool
    history: dict = field(repr=False)


def warn_not_converged(what, max_iter, *, budget="max_iter", stacklevel=3):
    """Warn that ``what`` used its ``max_iter`` iterations without converging.

    Parameters
    ----------
    what : str
        Name of the algorithm, e.g. ``"soft k-means"``.
    max_iter : int
        The iteration budget.
    budget : str, default "max_iter"
        Name of the budget parameter, for the advice in the message.
    stacklevel : int, default 3
        Passed to :func:`warnings.warn`.
    """
    warnings.warn(
        f"{what} did not converge in {budget}={max_iter} iterations; "
        f"increase {budget} or tol",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


def _largest_change(old, new):
    return max(float(np.max(np.abs(np.subtract(new[key], old[key])))) for key in old)


def run_em(step, params, objective, *, max_iter, tol, what, stop="params",
           budget="max_iter", stacklevel=4):
    """Iterate ``params = step(params)`` until the stopping rule holds.

    Parameters
    ----------
    step : callable
        One EM iteration, ``dict -> dict`` with the same keys.
    params : dict of float or ndarray
        The starting point.
    objective : callable
        ``dict -> float``, the log-likelihood recorded for every iterate.
    max_iter : int
        Iteration budget.
    tol : float or None
        Tolerance of the stopping rule; ``None`` runs exactly ``max_iter``
        iterations and never warns.
    what : str
        Name of the algorithm for the warning.
    stop : {"params", "objective"}, default "params"
        The stopping rule (:data:`STOPPING_RULES`).
    budget : str, default "max_iter"
        Name of the caller's budget parameter, for the warning.
    stacklevel : int, default 4
        Of the warning; 4 points at the caller of the function that calls
        ``run_em``.

    Returns
    -------
    params : dict
        The final iterate.
    fit : dict
        The :class:`EMResult` fields, to pass on as ``Result(..., **fit)``:
        ``"log_likelihood"`` (final), ``"n_iter"``, ``"converged"`` and
        ``"history"`` (every key of ``params`` and ``"log_likelihood"``,
        ``n_iter + 1`` rows each).

    Warns
    -----
    ConvergenceWarning
        If ``tol`` is given and not met within ``max_iter`` iterations.
    """
    if stop not in STOPPING_RULES:
        raise ValueError(f"stop must be one of {STOPPING_RULES}, got {stop!r}")
    history = {key: [value] for key, value in params.items()}
    lls = history["log_likelihood"] = [objective(params)]
    converged = False
    for _ in range(max_iter):
        new = step(params)
        change = _largest_change(params, new) if stop == "params" else None
        params = new
        for key, value in params.items():
            history[key].append(value)
        lls.append(objective(params))
        if stop == "objective":
            change, tol_now = lls[-1] - lls[-2], None if tol is None else tol * (1 + abs(lls[-1]))
        else:
            tol_now = tol
        if tol is not None and change <= tol_now:
            converged = True
            break
    if tol is not None and not converged:
        warn_not_converged(what, max_iter, budget=budget, stacklevel=stacklevel)
    history = {key: np.array(values) for key, values in history.items()}
    return params, {
        "log_likelihood": float(lls[-1]),
        "n_iter": len(lls) - 1,
        "converged": converged,
        "history": history,
    }
