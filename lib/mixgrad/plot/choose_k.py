"""Figures of the chapter on the number of components: LOO beside BIC, counts of components.

- :func:`plot_loo_and_bic`: PSIS-LOO's elpd difference from the best K with its
  standard error, and BIC,
  against the number of components;
- :func:`plot_component_counts`: posterior probabilities of a count of
  components, for several ways of counting;
- :func:`plot_label_agreement`: label probabilities of two methods against
  each other.

The numbers come from :mod:`mixgrad.bayes` (:func:`mixgrad.bayes.loo_table`, ...) and
:mod:`mixgrad.mixture`; these functions only draw them. See the chapter
:ref:`how-many-components`.
"""

import numpy as np

from mixgrad._validation import check_finite_array

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_loo_and_bic", "plot_component_counts", "plot_label_agreement"]


def plot_loo_and_bic(ks, elpd_diff, dse, bic, *, axes=None):
    """elpd_loo relative to the best model, with the se of the difference (left), and BIC (right).

    Two models fitted to the same points make nearly the same pointwise errors,
    so their comparison is on the scale of ``dse``, the standard error of the
    difference, not on each model's own ``se`` (which both share). The left
    panel therefore shows ``elpd_diff`` (0 for the best model) with ``dse``
    bars, as :func:`arviz.plot_compare` does.

    Parameters
    ----------
    ks : array-like of int, shape (m,)
        Numbers of components.
    elpd_diff, dse : array-like of shape (m,)
        Each model's elpd_loo minus the best one's (at most 0) and its standard
        error, e.g. the columns of :func:`mixgrad.bayes.loo_table`.
    bic : array-like of shape (m,)
        BIC of the maximum-likelihood fits (lower is better).
    axes : sequence of two matplotlib Axes, optional
        Drawn on a new figure of two panels when None.

    Returns
    -------
    ndarray of two matplotlib.axes.Axes
        The best value of each criterion is marked with a filled circle, drawn
        above the line and the error bars (``zorder=3``); it is the last line of
        each Axes.
    """
    import matplotlib.pyplot as plt

    ks = check_finite_array(ks, "ks", ndim=1)
    elpd_diff = check_finite_array(elpd_diff, "elpd_diff", ndim=1)
    dse = check_finite_array(dse, "dse", ndim=1)
    bic = check_finite_array(bic, "bic", ndim=1)
    if not ks.shape == elpd_diff.shape == dse.shape == bic.shape:
        raise ValueError("ks, elpd_diff, dse and bic must have the same length, got "
                         f"{ks.shape[0]}, {elpd_diff.shape[0]}, {dse.shape[0]}, {bic.shape[0]}")
    if np.any(dse < 0):
        raise ValueError("dse must be non-negative (a standard error)")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.2))
    axes = np.asarray(axes).ravel()
    if axes.size != 2:
        raise ValueError(f"axes must hold two Axes, got {axes.size}")
    left, right = axes
    left.axhline(0.0, color="0.7", linewidth=1, zorder=1)
    left.errorbar(ks, elpd_diff, yerr=dse, color=PALETTE[0], marker="o", mfc="white",
                  capsize=4, zorder=2)
    best = int(np.argmax(elpd_diff))
    left.plot(ks[best], elpd_diff[best], "o", color=PALETTE[0], zorder=3)
    left.set_ylabel("elpd_loo minus the best (± dse)")
    right.plot(ks, bic, color=PALETTE[1], marker="o", mfc="white", zorder=2)
    best = int(np.argmin(bic))
    right.plot(ks[best], bic[best], "o", color=PALETTE[1], zorder=3)
    right.set_ylabel("BIC (lower is better)")
    for ax in axes:
        ax.set_xlabel("number of components K")
        ax.set_xticks(ks)
    return axes


def plot_component_counts(counts, *, max_count=None, ylabel="probability", ax=None):
    """Probability of each count of components (prior or posterior), bars grouped by count.

    Parameters
    ----------
    counts : dict of {str: array-like of int}
        Per draw (of the prior or the posterior), the number of components by one way of counting
        (e.g. occupied components, weights above a threshold), keyed by legend
        label.
    max_count : int, optional
        Largest count on the axis (default: the largest count seen).
    ylabel : str, default "probability"
        Label of the vertical axis, e.g. "prior probability".
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per entry of ``counts``, in order.
    """
    if not isinstance(counts, dict) or not counts:
        raise TypeError("counts must be a non-empty dict {label: counts per draw}")
    values = {label: check_finite_array(v, f"counts[{label!r}]", ndim=1).astype(int)
              for label, v in counts.items()}
    top = max(int(v.max()) for v in values.values()) if max_count is None else int(max_count)
    grid = np.arange(1, top + 1)
    width = 0.8 / len(values)
    ax = get_axes(ax)
    for i, (label, v) in enumerate(values.items()):
        freq = np.array([np.mean(v == c) for c in grid])
        ax.bar(grid + (i - (len(values) - 1) / 2) * width, freq, width=width,
               color=PALETTE[i % len(PALETTE)], label=label)
    ax.set_xticks(grid)
    ax.set_xlabel("number of components")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_label_agreement(proba, reference, *, label="posterior", reference_label="EM",
                         ax=None):
    """One method's probability of component 1 against another's, point by point.

    Parameters
    ----------
    proba, reference : array-like of shape (n_samples, 2) or (n_samples,)
        Probabilities of component 1 (a column of two, or the column itself).
    label, reference_label : str
        Axis labels.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The points and the diagonal.
    """
    proba = check_finite_array(proba, "proba", ndim=(1, 2))
    reference = check_finite_array(reference, "reference", ndim=(1, 2))
    p = proba[:, 1] if proba.ndim == 2 else proba
    r = reference[:, 1] if reference.ndim == 2 else reference
    if p.shape != r.shape:
        raise ValueError(f"proba and reference must describe the same points, got {p.shape[0]} "
                         f"and {r.shape[0]}")
    ax = get_axes(ax)
    ax.plot([0, 1], [0, 1], color="0.6", linewidth=1)
    ax.scatter(r, p, s=14, color=PALETTE[0], alpha=0.7)
    ax.set_xlabel(f"{reference_label}: probability of component 1")
    ax.set_ylabel(f"{label}: probability of component 1")
    ax.set_aspect("equal")
    return ax
