"""Figures of the generative-classifier chapter.

:func:`plot_decision_regions` colours the plane by the predicted class of a
fitted classifier, draws the decision boundaries and, for a Gaussian
generative classifier, each class's covariance ellipse; :func:`plot_accuracy_curves`
draws test accuracies (mean and standard error over replicates) against a
training size or a fraction of missing features.

See the chapter :ref:`generative-classifiers`.
"""

import numpy as np
from matplotlib.colors import ListedColormap

from mixgrad._validation import check_finite_array, check_integer
from mixgrad.mixture.classify import _model_parameters

from ._base import get_axes
from .ellipse import covariance_ellipse
from .style import PALETTE

__all__ = ["plot_decision_regions", "plot_accuracy_curves"]


def _grid(X, resolution, margin=0.1):
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * (hi - lo + 1e-12)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    return np.meshgrid(xs, ys)


def plot_decision_regions(model, X, y, *, n_std=2.0, resolution=200, ax=None, title=None):
    """Predicted class over the plane, decision boundaries, data and class ellipses.

    Parameters
    ----------
    model : fitted classifier
        Anything with ``predict`` on arrays of shape (m, 2) returning class
        indices ``0 .. n_classes - 1``. If it also has ``means_``,
        ``covariances_``, ``weights_`` and ``covariance_type`` (a fitted
        Gaussian mixture), each class Gaussian is drawn as the ellipse at
        Mahalanobis radius ``n_std``.
    X : array-like of shape (n_samples, 2)
        Points to draw (they also set the plotted window).
    y : array-like of int of shape (n_samples,)
        Their classes (colours).
    n_std : float, default 2.0
        Mahalanobis radius of the ellipses (> 0).
    resolution : int, default 200
        Grid points per axis (>= 10).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    X = check_finite_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 features to be drawn in the plane, got {X.shape[1]}")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or y.dtype.kind not in "iu" or (y.size and y.min() < 0):
        raise ValueError(f"y must hold one non-negative integer class per row of X "
                         f"(shape ({X.shape[0]},)), got shape {y.shape} and dtype {y.dtype}")
    if not n_std > 0:
        raise ValueError(f"n_std must be > 0, got {n_std!r}")
    resolution = check_integer(resolution, "resolution", minimum=10)
    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a fitted classifier with predict, got "
                        f"{type(model).__name__}")
    xx, yy = _grid(X, resolution)
    pred = np.asarray(model.predict(np.column_stack([xx.ravel(), yy.ravel()]))).reshape(xx.shape)
    n_classes = int(max(pred.max(), y.max() if y.size else 0)) + 1
    colours = [PALETTE[c % len(PALETTE)] for c in range(n_classes)]
    ax = get_axes(ax)
    ax.contourf(xx, yy, pred, levels=np.arange(n_classes + 1) - 0.5,
                cmap=ListedColormap(colours), alpha=0.15)
    ax.contour(xx, yy, pred, levels=np.arange(n_classes) + 0.5, colors="k", linewidths=1.2)
    ax.scatter(X[:, 0], X[:, 1], s=8, c=[colours[c] for c in y], alpha=0.6, linewidths=0)
    if all(hasattr(model, a) for a in ("weights_", "means_", "covariances_", "covariance_type")):
        _, means, cov = _model_parameters(model)
        for c in range(means.shape[0]):
            ax.add_patch(covariance_ellipse(means[c], cov[c], n_std=n_std, fill=False,
                                            edgecolor=colours[c], lw=2))
            ax.plot(*means[c], marker="x", color=colours[c], ms=8, mew=2, ls="none")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_accuracy_curves(x, curves, *, xlabel, logx=False, reference=None, ax=None, title=None):
    """Mean test accuracy (with a band of one standard error) of several methods.

    Parameters
    ----------
    x : array-like of shape (n_points,)
        Training sizes or missing fractions.
    curves : dict of {str: (array-like of shape (n_points,), array-like of shape (n_points,))}
        Method name to (mean accuracy, standard error).
    xlabel : str
    logx : bool, default False
        Logarithmic x axis (for training sizes).
    reference : float, optional
        A horizontal dashed line, e.g. the Bayes accuracy.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    x = check_finite_array(x, "x", ndim=1)
    if not curves:
        raise ValueError("curves must hold at least one method")
    ax = get_axes(ax)
    for j, (name, (mean, sem)) in enumerate(curves.items()):
        mean = check_finite_array(mean, f"curves[{name!r}] mean", ndim=1)
        sem = check_finite_array(sem, f"curves[{name!r}] sem", ndim=1)
        if mean.shape != x.shape or sem.shape != x.shape:
            raise ValueError(f"curves[{name!r}] must give a mean and a standard error of shape "
                             f"{x.shape}, got {mean.shape} and {sem.shape}")
        color = PALETTE[j % len(PALETTE)]
        ax.plot(x, mean, marker="o", ms=4, color=color, label=name)
        ax.fill_between(x, mean - sem, mean + sem, color=color, alpha=0.2, linewidth=0)
    if reference is not None:
        ax.axhline(reference, color="0.3", ls="--", lw=1, label="Bayes accuracy")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.legend(loc="lower right", fontsize=8)
    if title is not None:
        ax.set_title(title)
    return ax
