"""Figures of the EM chapter: fitted ellipses, iteration panels, model choice, EM vs AD.

Every function takes an optional ``ax`` (or makes its own figure) and returns
the Axes or Figure it drew on. :func:`animate_em_fit` returns a matplotlib
``FuncAnimation``; :func:`animation_html` renders it to self-contained HTML
whose text is the same on every run (matplotlib's random element id is
replaced by a fixed one).

See the chapter :ref:`em-gaussian-mixtures`.
"""

import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

from mixgrad._validation import check_finite_array
from mixgrad.mixture.covariance import full_covariances
from mixgrad.mixture.gaussian import log_gaussian_prob

from ._base import get_axes
from .ellipse import covariance_ellipse
from .em_diagnostics import plot_collapse, plot_em_vs_gradient, plot_model_selection  # noqa: F401
from .style import PALETTE

__all__ = [
    "animate_em_fit",
    "animation_html",
    "plot_em_iterations",
    "plot_fit",
    "plot_fits",
    "plot_toy_em",
]


def _check_X2(X):
    X = check_finite_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 features to be drawn in the plane, got {X.shape[1]}")
    return X


# --- fitted mixtures ----------------------------------------------------------------


def plot_fit(X, weights, means, covariances, *, covariance_type="full", labels=None,
             n_std=(1.0, 2.0), ax=None, title=None):
    """Data in the plane with one ellipse per component and standard-deviation level.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    weights : array-like of shape (n_components,)
        Drawn in the legend (``pi_j``).
    means : array-like of shape (n_components, 2)
    covariances : array-like
        Shaped per ``covariance_type`` (see :func:`~mixgrad.mixture.full_covariances`).
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    labels : array-like of int of shape (n_samples,), optional
        Colour points by component; grey if None.
    n_std : tuple of float, default (1, 2)
        Mahalanobis radii of the ellipses.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    X = _check_X2(X)
    weights = check_finite_array(weights, "weights", ndim=1)
    means = check_finite_array(means, "means", ndim=2)
    k = means.shape[0]
    if means.shape[1] != 2 or weights.shape != (k,):
        raise ValueError(
            f"means must have shape (n_components, 2) and weights (n_components,); got "
            f"{means.shape} and {weights.shape}"
        )
    cov = full_covariances(covariances, covariance_type, k, 2)
    ax = get_axes(ax)
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=6, color="0.6", alpha=0.7, linewidths=0)
    else:
        labels = np.asarray(labels)
        if labels.shape != (X.shape[0],):
            raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
        colors = [PALETTE[int(j) % len(PALETTE)] for j in labels]
        ax.scatter(X[:, 0], X[:, 1], s=6, c=colors, alpha=0.5, linewidths=0)
    for j in range(k):
        color = PALETTE[j % len(PALETTE)]
        for r, radius in enumerate(n_std):
            ax.add_patch(covariance_ellipse(means[j], cov[j], n_std=radius, fill=False,
                                            color=color, lw=2.0 if r == 0 else 1.0,
                                            alpha=1.0 if r == 0 else 0.6))
        ax.plot(*means[j], marker="x", color=color, ms=8, mew=2, ls="none",
                label=rf"$\pi_{j + 1}$ = {weights[j]:.2f}")
    ax.legend(loc="best", fontsize=8)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_fits(X, models, *, ncols=None, labels=False, figsize=None):
    """Several fitted mixtures side by side, one panel per model.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    models : dict of {str: fitted GaussianMixture}
        Panel title to a fitted estimator (mixgrad's or scikit-learn's; uses
        ``weights_``, ``means_``, ``covariances_`` and ``covariance_type``).
    ncols : int, optional
        Panels per row (default: all in one row).
    labels : bool, default False
        Colour points by ``model.predict(X)``.
    figsize : tuple, optional

    Returns
    -------
    matplotlib Figure
    """
    X = _check_X2(X)
    if not models:
        raise ValueError("models must hold at least one fitted model")
    n = len(models)
    ncols = n if ncols is None else int(ncols)
    nrows = -(-n // ncols)
    figsize = figsize or (3.2 * ncols, 3.0 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, sharex=True, sharey=True,
                             squeeze=False)
    for ax, (title, model) in zip(axes.flat, models.items(), strict=False):
        plot_fit(X, model.weights_, model.means_, model.covariances_,
                 covariance_type=model.covariance_type,
                 labels=model.predict(X) if labels else None, ax=ax, title=title)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _check_snapshots(snapshots):
    if not snapshots:
        raise ValueError("snapshots must be a non-empty list; fit with keep_snapshots=True")
    return snapshots


def plot_em_iterations(X, snapshots, iterations=(0, 1, 2, 3, 4, 5, 6, 20), *,
                       covariance_type="full", ncols=4):
    """Small multiples of an EM run: the fit at chosen iterations.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    snapshots : list of dict
        ``GaussianMixture(keep_snapshots=True).fit(X).snapshots_``; entry ``t``
        holds ``weights``, ``means``, ``covariances`` after ``t`` iterations
        (0 = start).
    iterations : sequence of int, default (0, 1, ..., 6, 20)
        Iterations to draw; each must be < ``len(snapshots)``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    ncols : int, default 4

    Returns
    -------
    matplotlib Figure
    """
    X = _check_X2(X)
    snapshots = _check_snapshots(snapshots)
    iterations = [int(t) for t in iterations]
    bad = [t for t in iterations if not 0 <= t < len(snapshots)]
    if bad:
        raise ValueError(
            f"iterations {bad} are not recorded: the run has {len(snapshots) - 1} iterations; "
            "choose smaller ones or fit with tol=0 and a larger max_iter"
        )
    nrows = -(-len(iterations) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.5 * nrows), sharex=True,
                             sharey=True, squeeze=False)
    for ax, t in zip(axes.flat, iterations, strict=False):
        s = snapshots[t]
        plot_fit(X, s["weights"], s["means"], s["covariances"], covariance_type=covariance_type,
                 ax=ax, title="start" if t == 0 else f"iteration {t}")
        ax.get_legend().remove()
    for ax in list(axes.flat)[len(iterations):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def animate_em_fit(X, snapshots, *, covariance_type="full", frames=None, interval=500,
                   figsize=(4.0, 3.4), dpi=60):
    """Animation of an EM run, one frame per snapshot.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    snapshots : list of dict
        As in :func:`plot_em_iterations`.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    frames : sequence of int, optional
        Snapshot indices to show (default: all).
    interval : int, default 500
        Milliseconds between frames.
    figsize : tuple, default (4.0, 3.4)
    dpi : int, default 60
        Small frames keep the embedded HTML small.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Its figure is closed (so notebooks do not show a stray static copy);
        render it with :func:`animation_html`.
    """
    X = _check_X2(X)
    snapshots = _check_snapshots(snapshots)
    frames = list(range(len(snapshots))) if frames is None else [int(t) for t in frames]
    if not frames or any(not 0 <= t < len(snapshots) for t in frames):
        raise ValueError(f"frames must be non-empty indices in [0, {len(snapshots)})")
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0))
    limits = (X.min(axis=0) - pad, X.max(axis=0) + pad)

    def draw(t):
        ax.clear()
        s = snapshots[t]
        plot_fit(X, s["weights"], s["means"], s["covariances"], covariance_type=covariance_type,
                 ax=ax, title="start" if t == 0 else f"EM iteration {t}")
        ax.set_xlim(limits[0][0], limits[1][0])
        ax.set_ylim(limits[0][1], limits[1][1])
        return ()

    anim = FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False, repeat=True)
    plt.close(fig)
    return anim


def animation_html(anim, *, element_id="emfit"):
    """Self-contained JavaScript/HTML of an animation, identical on every run.

    matplotlib's ``to_jshtml`` names its HTML elements with a random UUID;
    this replaces it by ``element_id`` so the notebook output is stable. It
    also links Font Awesome 4 from a CDN for the player's icons; that link is
    removed so the book works offline (the book's theme ships Font Awesome).

    Parameters
    ----------
    anim : matplotlib.animation.Animation
    element_id : str, default "emfit"
        Letters, digits and underscores; unique within the page.

    Returns
    -------
    str
        HTML to show with ``IPython.display.HTML``.
    """
    if not re.fullmatch(r"[A-Za-z0-9_]+", element_id):
        raise ValueError(f"element_id must contain only letters, digits and _, got {element_id!r}")
    html = anim.to_jshtml(default_mode="loop")
    ids = set(re.findall(r"_anim_img([0-9a-f]{32})", html))
    for uid in ids:
        html = html.replace(uid, element_id)
    return re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*"\s*/?>\s*', "", html)


# --- the toy EM --------------------------------------------------------------------------


def plot_toy_em(x, history_means, history_log_likelihood, *, sigma=1.0, figsize=(9.0, 3.2)):
    """The means-only toy EM: data with the fitted components, means and likelihood per step.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    history_means : array-like of shape (n_iter + 1, n_components)
    history_log_likelihood : array-like of shape (n_iter + 1,)
    sigma : float, default 1.0
        Fixed standard deviation of the components.
    figsize : tuple, default (9.0, 3.2)

    Returns
    -------
    matplotlib Figure
        Three panels: histogram with start (dashed) and final (solid)
        components; means against iteration; log-likelihood against iteration.
    """
    x = check_finite_array(x, "x", ndim=1)
    hm = check_finite_array(history_means, "history_means", ndim=2)
    hl = check_finite_array(history_log_likelihood, "history_log_likelihood", ndim=1)
    if hl.shape[0] != hm.shape[0]:
        raise ValueError("history_means and history_log_likelihood must have the same length")
    fig, (a0, a1, a2) = plt.subplots(1, 3, figsize=figsize)
    a0.hist(x, bins=40, density=True, color="0.8")
    grid = np.linspace(x.min() - 2 * sigma, x.max() + 2 * sigma, 400)
    k = hm.shape[1]
    for j in range(k):
        color = PALETTE[j % len(PALETTE)]
        for mu, ls in ((hm[0, j], "--"), (hm[-1, j], "-")):
            log_dens = log_gaussian_prob(grid[:, None], [[mu]], [1.0 / sigma], "spherical")
            a0.plot(grid, np.exp(log_dens[:, 0]) / k, color=color, ls=ls)
        a1.plot(np.arange(hm.shape[0]), hm[:, j], marker="o", ms=3, color=color,
                label=rf"$\mu_{j + 1}$")
    a0.set_title("data, start (dashed) and fit")
    a1.set_xlabel("iteration")
    a1.set_title("means")
    a1.legend()
    a2.plot(np.arange(hl.shape[0]), hl, marker="o", ms=3, color="k")
    a2.set_xlabel("iteration")
    a2.set_title("log-likelihood")
    fig.tight_layout()
    return fig
