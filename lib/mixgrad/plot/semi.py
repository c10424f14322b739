"""Figures of the semi-supervised chapter: labelled/unlabelled data and accuracy curves.

Every function takes an optional ``ax`` (a new figure is made if None) and
returns the Axes it drew on.

See the chapter :ref:`semi-supervised`.
"""

import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array
from mixgrad.mixture.covariance import full_covariances

from ._base import check_plane_points, get_axes
from .ellipse import covariance_ellipse
from .style import PALETTE

__all__ = ["plot_labelled_scatter", "plot_accuracy_curves", "covariance_ellipse"]


@fill_doc
def plot_labelled_scatter(X, labels, *, means=None, covariances=None, n_std=2.0,
                          class_names=None, ax=None):
    """Unlabelled points in grey, labelled ones coloured by class, fitted ellipses.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    labels : array-like of int of shape (n_samples,)
        Class of each labelled point, ``-1`` for unlabelled ones.
    means : array-like of shape (n_components, 2), optional
        Fitted means, drawn as crosses with their ellipses.
    covariances : array-like of shape (n_components, 2, 2) or (2, 2), optional
        Fitted covariances ("full", or "tied" shared by all); required with ``means``.
    n_std : float, default 2
        Mahalanobis radius of the ellipses.
    %(class_names)s
    %(ax_returns)s
        Collections: the unlabelled points (if any), then one per class; one ellipse
        patch and one cross per component.
    """
    X, labels = check_plane_points(X, labels, hint=" (-1 = unlabelled)")
    if (means is None) != (covariances is None):
        raise ValueError("pass means and covariances together (or neither)")
    classes = np.unique(labels[labels >= 0])
    ax = get_axes(ax)
    unlabelled = labels < 0
    if np.any(unlabelled):
        ax.scatter(*X[unlabelled].T, s=8, color="0.65", alpha=0.6, label="unlabelled")
    for c in classes:
        name = class_names[c] if class_names is not None else f"class {c}"
        ax.scatter(*X[labels == c].T, s=45, color=PALETTE[c % len(PALETTE)],
                   edgecolor="black", linewidth=0.7, zorder=3, label=f"{name} (labelled)")
    if means is not None:
        means = check_finite_array(means, "means", ndim=2)
        if means.shape[1] != 2:
            raise ValueError(f"means must have shape (n_components, 2), got {means.shape}")
        covariances = full_covariances(
            covariances, "tied" if np.ndim(covariances) == 2 else "full", len(means), 2
        )
        for k, (mu, cov) in enumerate(zip(means, covariances, strict=True)):
            colour = PALETTE[k % len(PALETTE)]
            ax.add_patch(covariance_ellipse(mu, cov, n_std=n_std, fill=False,
                                            edgecolor=colour, linewidth=2))
            ax.plot(*mu, marker="x", markersize=9, mew=2.5, color=colour, linestyle="none")
    ax.legend(loc="best", fontsize=8)
    return ax


@fill_doc
def plot_accuracy_curves(n_labelled, accuracies, *, reference=None, quantiles=(0.1, 0.9),
                         ax=None):
    """Mean test accuracy against the number of labels, with a band of spread.

    Parameters
    ----------
    n_labelled : array-like of shape (n_levels,)
        Numbers of labels (e.g. per class), all > 0 (drawn on a log axis).
    accuracies : dict of {str: array-like of shape (n_replicates, n_levels)}
        Accuracies of each method over the replicates.
    reference : dict of {str: float}, optional
        Horizontal reference levels (e.g. the Bayes accuracy), in black with
        dashed, dotted, ... line styles.
    quantiles : tuple of two floats, default (0.1, 0.9)
        Replicate quantiles bounding the shaded band.
    %(ax_returns)s
        One line per method (the mean), one band per method, one line per reference.
    """
    n_labelled = check_finite_array(n_labelled, "n_labelled", ndim=1)
    if np.any(n_labelled <= 0):
        raise ValueError("n_labelled must be positive (it is drawn on a log axis)")
    if not isinstance(accuracies, dict) or not accuracies:
        raise TypeError("accuracies must be a non-empty dict {method: (n_replicates, n_levels)}")
    low, high = quantiles
    if not 0 <= low < high <= 1:
        raise ValueError(f"quantiles must satisfy 0 <= low < high <= 1, got {quantiles}")
    ax = get_axes(ax)
    for i, (name, acc) in enumerate(accuracies.items()):
        acc = check_finite_array(acc, f"accuracies[{name!r}]", ndim=2)
        if acc.shape[1] != n_labelled.size:
            raise ValueError(f"accuracies[{name!r}] has {acc.shape[1]} columns but there are "
                             f"{n_labelled.size} numbers of labels")
        colour = PALETTE[i % len(PALETTE)]
        ax.fill_between(n_labelled, np.quantile(acc, low, axis=0), np.quantile(acc, high, axis=0),
                        color=colour, alpha=0.2, linewidth=0)
        ax.plot(n_labelled, acc.mean(axis=0), marker="o", color=colour, label=name)
    styles = ("--", ":", "-.")
    for j, (name, level) in enumerate((reference or {}).items()):
        ax.axhline(level, color="black", linestyle=styles[j % len(styles)], linewidth=1,
                   label=name)
    ax.set_xscale("log")
    ax.set_xticks(n_labelled)
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("labels per class")
    ax.set_ylabel("test accuracy")
    ax.legend(loc="lower right")
    return ax
