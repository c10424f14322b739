"""Figures of variational Bayes: how a sparse Dirichlet switches components off.

See the chapter :ref:`variational-bayes`.
"""

import numpy as np

from mixgrad._validation import check_finite_array, check_positive

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_weights_vs_concentration"]


def plot_weights_vs_concentration(alpha0s, weights, *, threshold=0.01, ax=None):
    """Posterior mean weights of an overfitted mixture against the Dirichlet concentration.

    One line per rank: the largest weight of every fit, the second largest,
    and so on (sorting removes the arbitrary labels), on a log-log scale, with
    the ``threshold`` below which a component counts as switched off dashed.

    Parameters
    ----------
    alpha0s : array-like of shape (n_fits,)
        Positive concentrations ``alpha0``, increasing.
    weights : array-like of shape (n_fits, n_components)
        Posterior mean weights of each fit (rows sum to one).
    threshold : float, default 0.01
        Weight that separates active from switched-off components.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    alpha0s = check_finite_array(alpha0s, "alpha0s", ndim=1)
    weights = check_finite_array(weights, "weights", ndim=2)
    threshold = check_positive(threshold, "threshold")
    if weights.shape[0] != alpha0s.shape[0]:
        raise ValueError(f"weights must have one row per concentration ({alpha0s.shape[0]}), "
                         f"got shape {weights.shape}")
    if np.any(alpha0s <= 0) or np.any(weights <= 0):
        raise ValueError("alpha0s and weights must be positive (they are drawn on log axes)")
    ax = get_axes(ax)
    ranked = -np.sort(-weights, axis=1)
    for j in range(ranked.shape[1]):
        ax.plot(alpha0s, ranked[:, j], marker="o", ms=3, lw=1.2,
                color=PALETTE[j % len(PALETTE)], label=f"rank {j + 1}")
    ax.axhline(threshold, color="0.4", ls="--", lw=1)
    ax.set(xscale="log", yscale="log", xlabel=r"Dirichlet concentration $\alpha_0$",
           ylabel=r"posterior mean weight $E_q[\pi_k]$")
    ax.legend(fontsize="small", ncol=2, frameon=False)
    return ax
