"""Exact accuracy of a one-dimensional classifier on a known Gaussian-mixture population.

A test set estimates a classifier's accuracy with a binomial error (about 0.012
for 1000 people at accuracy 0.84). When the population is a known mixture
:math:`\\sum_k \\pi_k \\mathcal N(\\mu_k, \\sigma_k^2)`, the accuracy of a
classifier that chooses class :math:`c(x)` is exact:
:math:`\\sum_k \\pi_k P(X \\in \\{c = k\\} \\mid z = k)`. In one dimension the
regions :math:`\\{c = k\\}` are intervals between decision boundaries, so the
accuracy is a sum of normal CDF differences once the boundaries are known.
:func:`population_accuracy` locates them by bisection, to ``xtol``, which makes
the result exact up to ``xtol`` times the density (no quadrature error).
See :ref:`bayesian-semi-supervised`.
"""

import numpy as np
from scipy import stats

from mixgrad._validation import check_finite_array, check_integer

__all__ = ["population_accuracy"]


def _choose(classify, points):
    choice = np.asarray(classify(np.asarray(points, dtype=float)))
    if choice.shape != np.shape(points) or not np.issubdtype(choice.dtype, np.integer):
        raise TypeError("classify must map an array of shape (n,) to integer classes of "
                        f"shape (n,), got dtype {choice.dtype} and shape {choice.shape}")
    return choice


def population_accuracy(classify, weights, means, sigmas, *, lower, upper, n_grid=1401,
                        xtol=1e-9):
    """Exact accuracy of ``classify`` on the mixture population, and its decision boundaries.

    Parameters
    ----------
    classify : callable
        Maps heights of shape (n,) to integer classes of shape (n,) in
        ``0 .. K-1``.
    weights, means, sigmas : array-like of shape (K,)
        The population's class weights, means and standard deviations.
    lower, upper : float
        The search range for boundaries; outside it the classifier is taken to
        keep the class it chooses at ``lower`` (below) and ``upper`` (above).
    n_grid : int, default 1401
        Points of the coarse grid on which changes of class are detected; two
        boundaries closer than its spacing can be missed.
    xtol : float, default 1e-9
        Width to which each boundary is bisected.

    Returns
    -------
    accuracy : float
    boundaries : ndarray of shape (n_boundaries,)
    """
    weights = check_finite_array(weights, "weights", ndim=1)
    means = check_finite_array(means, "means", ndim=1)
    sigmas = check_finite_array(sigmas, "sigmas", ndim=1)
    if not weights.shape == means.shape == sigmas.shape:
        raise ValueError(f"weights, means and sigmas must have one shape, got {weights.shape}, "
                         f"{means.shape}, {sigmas.shape}")
    if np.any(sigmas <= 0) or np.any(weights < 0):
        raise ValueError("sigmas must be positive and weights non-negative")
    if not float(lower) < float(upper):
        raise ValueError(f"lower must be below upper, got {lower} and {upper}")
    n_grid = check_integer(n_grid, "n_grid", minimum=3)
    grid = np.linspace(float(lower), float(upper), n_grid)
    choice = _choose(classify, grid)
    if choice.min() < 0 or choice.max() >= weights.size:
        raise ValueError(f"classify returned classes outside 0..{weights.size - 1}")
    boundaries = []
    for i in np.flatnonzero(np.diff(choice)):
        a, b = grid[i], grid[i + 1]
        left = choice[i]
        while b - a > xtol:
            mid = 0.5 * (a + b)
            if _choose(classify, [mid])[0] == left:
                a = mid
            else:
                b = mid
        boundaries.append(0.5 * (a + b))
    edges = np.concatenate([[-np.inf], boundaries, [np.inf]])
    labels = np.concatenate([[choice[0]], choice[1:][np.diff(choice) != 0]])
    cdf = stats.norm.cdf(edges[:, None], means, sigmas)            # (regions + 1, K)
    mass = weights * np.diff(cdf, axis=0)                           # (regions, K)
    return float(mass[np.arange(labels.size), labels].sum()), np.asarray(boundaries)
