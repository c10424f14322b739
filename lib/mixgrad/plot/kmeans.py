"""Figures of the k-means limit: sharpening responsibilities, cost histories, partitions.

Only matplotlib is used. Single-panel functions take an optional ``ax`` and
return the Axes; multi-panel functions take an optional sequence ``axes`` and
return the Figure.

See the chapter :ref:`kmeans-limit`.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array
from mixgrad.mixture.limits import soft_kmeans_responsibilities

from ._base import soft_colours
from .style import PALETTE

__all__ = [
    "plot_responsibility_sharpening",
    "plot_cost_histories",
    "plot_partitions",
]


def _panels(axes, n, width=3.2, height=3.0):
    if axes is None:
        fig, axes = plt.subplots(1, n, figsize=(width * n, height), squeeze=False)
        return fig, list(axes[0])
    axes = list(np.ravel(axes))
    if len(axes) != n:
        raise ValueError(f"axes must hold {n} Axes (one per panel), got {len(axes)}")
    return axes[0].figure, axes


def _check_points(X):
    X = check_finite_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns to be drawn in the plane, got shape {X.shape}")
    return X


def plot_responsibility_sharpening(X, centers, cs, *, axes=None):
    """Soft k-means responsibilities for a decreasing sequence of variances ``c``.

    One panel per ``c``: every sample is drawn in the blend of its
    components' colours weighted by ``R = softmax(-||x - mu||^2 / (2c))``
    (:func:`mixgrad.mixture.soft_kmeans_responsibilities`); the centres are
    black crosses. As ``c -> 0`` the blends become the pure colours of the
    nearest centre, the hard assignment of k-means.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        Samples.
    centers : array-like of shape (n_clusters, 2)
        Fixed centres.
    cs : sequence of float, length n_panels
        Variances, all ``> 0``.
    axes : sequence of n_panels matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's title gives ``c`` and the mean largest responsibility.
    """
    X = _check_points(X)
    centers = check_finite_array(centers, "centers", ndim=2)
    cs = check_finite_array(cs, "cs", ndim=1)
    if cs.size == 0:
        raise ValueError("cs must hold at least one variance")
    fig, axes = _panels(axes, cs.size)
    for ax, c in zip(axes, cs, strict=True):
        R = soft_kmeans_responsibilities(X, centers, c)
        ax.scatter(X[:, 0], X[:, 1], c=soft_colours(R), s=8, linewidths=0)
        ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=60, color="black")
        ax.set_title(f"c = {c:g}, mean max R = {R.max(axis=1).mean():.3f}")
        ax.set_aspect("equal", adjustable="datalim")
    return fig


@fill_doc
def plot_cost_histories(histories, *, ylabel="objective", ax=None):
    """Objective per iteration for one or more runs (k-means cost, log-likelihoods).

    Parameters
    ----------
    histories : dict of {str: array-like of shape (n_iter,)}
        Label of each run and its objective after every iteration
        (e.g. the ``history`` of :func:`~mixgrad.mixture.kmeans` or
        :func:`~mixgrad.mixture.soft_kmeans` results).
    ylabel : str, default "objective"
        Label of the vertical axis.
    %(ax_returns)s
        One marked line per run, iterations counted from 1.
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a non-empty dict {label: objective per iteration}")
    if ax is None:
        _, ax = plt.subplots()
    for i, (label, values) in enumerate(histories.items()):
        values = check_finite_array(values, f"histories[{label!r}]", ndim=1)
        ax.plot(np.arange(1, values.size + 1), values, marker="o", markersize=3,
                linewidth=1, color=PALETTE[i % len(PALETTE)], label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_partitions(X, labels_by_method, *, centers_by_method=None, axes=None):
    """Side-by-side clusterings of the same points, one panel per method.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        Samples.
    labels_by_method : dict of {str: array-like of int of shape (n_samples,)}
        Method name (the panel title) and its cluster label for every sample.
    centers_by_method : dict of {str: array-like of shape (n_clusters, 2)}, optional
        Centres to mark with black crosses, for any of the methods.
    axes : sequence of matplotlib Axes, one per method, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    X = _check_points(X)
    if not isinstance(labels_by_method, dict) or not labels_by_method:
        raise TypeError("labels_by_method must be a non-empty dict {method: labels}")
    centers_by_method = centers_by_method or {}
    unknown = set(centers_by_method) - set(labels_by_method)
    if unknown:
        raise ValueError(f"centers_by_method has methods without labels: {sorted(unknown)}")
    fig, axes = _panels(axes, len(labels_by_method))
    for ax, (name, labels) in zip(axes, labels_by_method.items(), strict=True):
        labels = np.asarray(labels)
        if labels.shape != (X.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels_by_method[{name!r}] must be {X.shape[0]} integer labels")
        if labels.min() < 0 or labels.max() >= len(PALETTE):
            raise ValueError(f"labels_by_method[{name!r}] must lie in 0..{len(PALETTE) - 1}")
        colours = np.array([to_rgb(c) for c in PALETTE])[labels]
        ax.scatter(X[:, 0], X[:, 1], c=colours, s=8, linewidths=0)
        if name in centers_by_method:
            centers = check_finite_array(centers_by_method[name], f"centers_by_method[{name!r}]",
                                         ndim=2)
            ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=60, color="black")
        ax.set_title(name)
        ax.set_aspect("equal", adjustable="datalim")
    return fig
