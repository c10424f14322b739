"""Hard (classification) EM with two components on an infinite 1-D sample.

With infinitely many points drawn from a univariate normal mixture, one hard-EM
iteration with two components is a map of a single number, the boundary ``b``
between them: the hard E-step puts every point ``x <= b`` in the lower
component and the rest in the upper one; the M-step gives each component the
weight, mean and variance of the mixture cut there (truncated-normal moments);
the next boundary is where the two fitted weighted densities are equal. The
fixed points of this map are the population fixed points of hard EM, and its
derivative there says how strongly hard EM is pulled back to them (to first
order: further away the map is not linear).

The single boundary is an approximation when the fitted widths differ: the
two weighted normal densities then cross a second time, far out on the side
of the narrower component, and beyond that point the wider component wins
again. This map gives that far region to the component on its side of ``b``.
The error is the mixture's mass beyond the second crossing: zero at a
symmetric fixed point (the crossing is at infinity), negligible while the
widths stay close, but not late in a drift towards collapse (for example
``sigmas = (7, 7.5)`` started at the truth, after about 50 iterations).

See the chapter :ref:`kmeans-limit`.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from mixgrad._validation import check_finite_array, check_integer, check_positive, check_weights
from mixgrad.mixture.censored import truncated_normal_moments

__all__ = ["hard_em_population_step", "hard_em_population", "HardPopulationResult"]


def _check_mixture(weights, means, sigmas):
    means = check_finite_array(means, "means", ndim=1)
    sigmas = check_finite_array(sigmas, "sigmas", ndim=1)
    weights = check_weights(weights, name="weights")
    if not weights.shape == means.shape == sigmas.shape:
        raise ValueError(
            f"weights, means and sigmas must have the same shape, got {weights.shape}, "
            f"{means.shape} and {sigmas.shape}"
        )
    if np.any(sigmas <= 0):
        raise ValueError("sigmas must be > 0")
    return weights, means, sigmas


def _cut_moments(boundary, weights, means, sigmas):
    """Weight, mean and variance of the mixture below and above ``boundary``."""
    p_up = ndtr((means - boundary) / sigmas)  # P(X > b | group)
    m_up, v_up = truncated_normal_moments(means, sigmas, boundary)
    m_lo, v_lo = truncated_normal_moments(-means, sigmas, -boundary)  # X <= b  <=>  -X >= -b
    m_lo = -m_lo
    out = []
    for share, m, v in ((weights * (1 - p_up), m_lo, v_lo), (weights * p_up, m_up, v_up)):
        mass = share.sum()
        if mass <= 0:
            raise ValueError(f"boundary {boundary} leaves one side of the cut without mass")
        mean = share @ m / mass
        out.append((mass, mean, share @ (v + m**2) / mass - mean**2))
    (w_lo, mu_lo, var_lo), (w_up, mu_up, var_up) = out
    return np.array([w_lo, w_up]), np.array([mu_lo, mu_up]), np.sqrt([var_lo, var_up])


def _equal_density_point(weights, means, sds):
    """The point between the two means where both weighted normal densities are equal."""

    def log_ratio(x):
        z = (x - means) / sds
        return (np.log(weights[0]) - np.log(sds[0]) - 0.5 * z[0] ** 2) - (
            np.log(weights[1]) - np.log(sds[1]) - 0.5 * z[1] ** 2
        )

    lo, hi = means
    if not (log_ratio(lo) > 0 > log_ratio(hi)):
        raise ValueError(
            "the fitted components have no boundary between their means: one component "
            "has the larger weighted density everywhere between them (hard EM collapses "
            "onto it; a single boundary no longer describes the hard E-step)"
        )
    return brentq(log_ratio, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps)


def hard_em_population_step(boundary, weights, means, sigmas):
    """One two-component hard-EM iteration on an infinite sample from a 1-D mixture.

    Parameters
    ----------
    boundary : float
        Current boundary: points ``x <= boundary`` go to the lower component.
    weights : array-like of shape (n_groups,)
        Weights of the true mixture the data come from (summing to 1).
    means : array-like of shape (n_groups,)
        Its component means.
    sigmas : array-like of shape (n_groups,)
        Its component standard deviations, ``> 0``.

    Returns
    -------
    fitted : dict
        ``weights``, ``means`` and ``sigmas``, each of shape (2,): the M-step's
        parameters of the lower and the upper component (the mixture cut at
        ``boundary``).
    new_boundary : float
        The next hard E-step's boundary: the point between the fitted means
        where the two fitted weighted densities are equal.

    Raises
    ------
    ValueError
        If a side of the cut has no mass, or the fitted components have no
        boundary between their means (one of them has the larger weighted
        density everywhere between them: the drift towards collapse has gone
        beyond what a single boundary describes).
    """
    boundary = float(check_finite_array(boundary, "boundary", ndim=0))
    weights, means, sigmas = _check_mixture(weights, means, sigmas)
    w, mu, sd = _cut_moments(boundary, weights, means, sigmas)
    return {"weights": w, "means": mu, "sigmas": sd}, _equal_density_point(w, mu, sd)


@dataclass
class HardPopulationResult:
    """Population fixed point of two-component hard EM.

    Returned by :func:`~mixgrad.mixture.hard_em_population`.

    Attributes
    ----------
    boundary : float
        Boundary at the fixed point.
    weights, means, sigmas : ndarray of shape (2,)
        Fitted parameters of the lower and the upper component there.
    slope : float
        Derivative of the boundary map at the fixed point (central difference):
        to first order, a small perturbation of the boundary shrinks by this
        factor per iteration.
    n_iter : int
        Iterations of the map.
    converged : bool
        Whether successive boundaries came closer than ``tol``.
    """

    boundary: float
    weights: np.ndarray
    means: np.ndarray
    sigmas: np.ndarray
    slope: float
    n_iter: int
    converged: bool


def hard_em_population(weights, means, sigmas, *, boundary_init, max_iter=10_000, tol=1e-10):
    """Iterate :func:`~mixgrad.mixture.hard_em_population_step` to a population fixed point.

    Parameters
    ----------
    weights, means, sigmas : array-like of shape (n_groups,)
        The true 1-D mixture (weights summing to 1, standard deviations ``> 0``).
    boundary_init : float
        Starting boundary.
    max_iter : int, default 10_000
        Maximum number of iterations (>= 1).
    tol : float, default 1e-10
        Stop when the boundary moves by less than ``tol`` (> 0). With a slope
        ``s`` near 1 the boundary is then still about ``tol / (1 - s)`` from the
        fixed point.

    Returns
    -------
    HardPopulationResult

    Raises
    ------
    ValueError
        If an iteration has no boundary between the fitted means (see
        :func:`~mixgrad.mixture.hard_em_population_step`), e.g. when started outside the basin
        of a fixed point.
    """
    weights, means, sigmas = _check_mixture(weights, means, sigmas)
    b = float(check_finite_array(boundary_init, "boundary_init", ndim=0))
    max_iter = check_integer(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol")
    converged, n_iter = False, 0
    while n_iter < max_iter and not converged:
        _, b_new = hard_em_population_step(b, weights, means, sigmas)
        converged, b, n_iter = abs(b_new - b) < tol, b_new, n_iter + 1
    fitted, _ = hard_em_population_step(b, weights, means, sigmas)
    h = 1e-5 * float(np.mean(sigmas))
    slope = (
        hard_em_population_step(b + h, weights, means, sigmas)[1]
        - hard_em_population_step(b - h, weights, means, sigmas)[1]
    ) / (2 * h)
    return HardPopulationResult(b, fitted["weights"], fitted["means"], fitted["sigmas"],
                                float(slope), n_iter, converged)
