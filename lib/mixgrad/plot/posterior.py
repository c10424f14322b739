"""Figures of Part III: a posterior beside a point estimate (chapters 12-14).

- :func:`plot_prior_predictive`: the data beside data simulated from the priors;
- :func:`plot_posterior_vs_point`: per parameter, the credible intervals and
  posterior means of one or several posteriors beside an EM/MLE point (a
  forest plot with the point estimate marked);
- :func:`plot_posterior_density`: 1-D data as a histogram, the posterior mean
  density of the mixture and a band of posterior density draws;
- :func:`plot_class_probability`: ``p(z = j | x)`` along a 1-D grid, posterior
  mean with a credible band;
- :func:`plot_posterior_ellipses`: 2-D labelled data with the covariance
  ellipses of posterior draws.

See the chapter :ref:`bayesian-supervised`.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer
from mixgrad.bayes.diagnostics import posterior_draws, posterior_table
from mixgrad.bayes.supervised import _thin, class_probability_draws
from mixgrad.bayes.unsupervised import label_posterior

from ._base import check_plane_points, get_axes
from .ellipse import covariance_ellipse
from .style import PALETTE

__all__ = ["plot_prior_predictive", "plot_posterior_vs_point", "plot_posterior_density",
           "plot_class_probability", "plot_posterior_ellipses"]


def _check_prob(ci_prob):
    if not 0.0 < float(ci_prob) < 1.0:
        raise ValueError(f"ci_prob must lie strictly between 0 and 1, got {ci_prob}")
    return float(ci_prob)


@fill_doc
def plot_prior_predictive(x, simulations, *, bins=60, quantiles=(0.005, 0.995), ax=None):
    """Histogram of the data beside histograms of data simulated from the prior(s).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The observed data.
    simulations : dict of {str: array-like}
        Prior predictive draws (any shape, flattened) keyed by legend label.
    bins : int, default 60
        Number of bins over the common range.
    quantiles : tuple of two floats, default (0.005, 0.995)
        The range drawn spans these quantiles of all arrays together (so that a
        few wild draws do not squash the figure).
    %(ax_returns)s
        The data histogram (bars) and one step outline per simulation.
    """
    x = check_finite_array(x, "x", ndim=1)
    if not isinstance(simulations, dict) or not simulations:
        raise TypeError("simulations must be a non-empty dict {label: simulated values}")
    sims = {label: check_finite_array(v, f"simulations[{label!r}]").ravel()
            for label, v in simulations.items()}
    bins = check_integer(bins, "bins", minimum=1)
    lows, highs = zip(*(np.quantile(v, quantiles) for v in [x, *sims.values()]), strict=True)
    edges = np.linspace(min(lows), max(highs), bins + 1)
    ax = get_axes(ax)
    ax.hist(x, bins=edges, density=True, color="0.8", edgecolor="white", label="data")
    for i, (label, values) in enumerate(sims.items()):
        # density relative to all draws, so mass outside the drawn range is visibly missing
        counts, _ = np.histogram(values, bins=edges)
        ax.stairs(counts / (values.size * np.diff(edges)), edges, color=PALETTE[i % len(PALETTE)],
                  linewidth=1.8, label=label)
    ax.set_ylabel("density")
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_posterior_vs_point(posteriors, point=None, var_names=("weights", "means", "sigmas"), *,
                            ci_prob=0.94, point_label="MLE", axes=None):
    """Credible intervals of every parameter entry, one panel per variable, with a point estimate.

    Each entry (``means[0]``, ...) is one row: a thin line for the ``ci_prob``
    interval, a thick line for the central 50 % interval and a dot for the
    posterior mean. Several posteriors (e.g. fits to 20 and to 1000 points) are
    stacked within the row; the point estimate is a black diamond.

    Parameters
    ----------
    posteriors : xarray.DataTree or dict of {str: xarray.DataTree}
        One posterior, or several keyed by their legend label.
    point : dict, optional
        Point estimate with an entry of the posterior's shape for each variable,
        e.g. from :func:`mixgrad.bayes.em_parameters`.
    var_names : sequence of str, default ("weights", "means", "sigmas")
        One panel per variable.
    ci_prob : float, default 0.94
        Mass of the outer interval.
    point_label : str, default "MLE"
        Legend label of the point estimate.
    axes : sequence of matplotlib Axes, optional
        One per variable; default a new row of panels.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel holds, per posterior, one outer and one inner interval line per
        entry (LineCollections) and the means; the point estimate is the last line.
    """
    ci_prob = _check_prob(ci_prob)
    if not isinstance(posteriors, dict):
        posteriors = {"posterior": posteriors}
    if not posteriors:
        raise ValueError("posteriors is empty; pass a DataTree or {label: DataTree}")
    var_names = list(var_names)
    if axes is None:
        fig, axes = plt.subplots(1, len(var_names), figsize=(3.3 * len(var_names), 3.2),
                                 squeeze=False)
        axes = axes[0]
    elif len(axes) != len(var_names):
        raise ValueError(f"axes must hold one Axes per variable ({len(var_names)}), "
                         f"got {len(axes)}")
    fig = axes[0].figure
    n_post = len(posteriors)
    offsets = np.linspace(-0.2, 0.2, n_post) if n_post > 1 else np.zeros(1)
    for ax, name in zip(axes, var_names, strict=True):
        labels = None
        for p, (label, idata) in enumerate(posteriors.items()):
            outer = posterior_table(idata, [name], ci_prob=ci_prob, decimals=12)
            inner = posterior_table(idata, [name], ci_prob=0.5, decimals=12)
            labels = list(outer.index)
            rows = -np.arange(len(labels)) + offsets[p]
            colour = PALETTE[p % len(PALETTE)]
            ax.hlines(rows, outer["lower"], outer["upper"], color=colour, linewidth=1.2)
            ax.hlines(rows, inner["lower"], inner["upper"], color=colour, linewidth=3.5)
            ax.plot(outer["mean"], rows, "o", color=colour, markersize=4,
                    label=label if n_post > 1 else "posterior mean")
        if point is not None:
            if name not in point:
                raise ValueError(f"point has no entry {name!r}; it has {sorted(point)}")
            values = np.asarray(point[name], dtype=float).ravel()
            if values.size != len(labels):
                raise ValueError(f"point[{name!r}] has {values.size} entries, the posterior "
                                 f"{len(labels)}")
            ax.plot(values, -np.arange(len(labels)), "D", color="black", markersize=5,
                    markerfacecolor="none", label=point_label)
        ax.set_yticks(-np.arange(len(labels)), labels)
        ax.set_ylim(-len(labels) + 0.5, 0.5)
        ax.set_title(name)
        ax.grid(axis="y", visible=False)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def _mixture_density(grid, weights, means, sigmas):
    """Densities of 1-D mixtures on ``grid``: (S, k) parameters -> (S, n_grid)."""
    comp = norm.pdf(grid[None, :, None], means[:, None, :], sigmas[:, None, :])
    return (weights[:, None, :] * comp).sum(axis=-1)


@fill_doc
def plot_posterior_density(x, idata, *, max_draws=200, ci_prob=0.9, point=None,
                           point_label="MLE", bins=40, ax=None):
    """1-D data histogram with the posterior mean mixture density and a band of draws.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The data.
    idata : xarray.DataTree
        Posterior of a 1-D mixture (``weights``, ``means``, ``sigmas``).
    max_draws : int, default 200
        Number of evenly spaced posterior draws whose densities make the band.
    ci_prob : float, default 0.9
        Pointwise mass of the band.
    point : dict, optional
        Point estimate (``weights``, ``means``, ``sigmas``), drawn dashed.
    point_label : str, default "MLE"
    bins : int, default 40
    %(ax_returns)s
        Lines: the posterior mean density (first), then the point estimate's.
    """
    x = check_finite_array(x, "x", ndim=1)
    ci_prob = _check_prob(ci_prob)
    max_draws = check_integer(max_draws, "max_draws", minimum=1)
    weights = posterior_draws(idata, "weights")
    keep = _thin(weights.shape[0], max_draws)
    means = posterior_draws(idata, "means")[keep]
    if means.ndim != 2:
        raise ValueError("plot_posterior_density draws 1-D mixtures; the posterior means have "
                         f"shape {means.shape[1:]} per draw")
    sigmas = posterior_draws(idata, "sigmas")[keep]
    span = x.max() - x.min()
    grid = np.linspace(x.min() - 0.1 * span, x.max() + 0.1 * span, 300)
    dens = _mixture_density(grid, weights[keep], means, sigmas)
    ax = get_axes(ax)
    ax.hist(x, bins=bins, density=True, color="0.8", edgecolor="white", label="data")
    lo, hi = np.quantile(dens, [(1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
    ax.fill_between(grid, lo, hi, color=PALETTE[0], alpha=0.3,
                    label=f"{ci_prob:.0%} band of posterior draws")
    ax.plot(grid, dens.mean(axis=0), color=PALETTE[0], linewidth=2, label="posterior mean density")
    if point is not None:
        ref = _mixture_density(grid, *(np.asarray(point[key], dtype=float)[None]
                                       for key in ("weights", "means", "sigmas")))[0]
        ax.plot(grid, ref, "--", color="black", linewidth=1.2, label=point_label)
    ax.set_ylabel("density")
    ax.legend(loc="best", fontsize=8)
    return ax


@fill_doc
def plot_class_probability(idata, grid, *, component=1, ci_prob=0.94, point=None,
                           label="posterior", colour=None, ax=None):
    """``p(z = component | x)`` along a 1-D grid: posterior predictive and plug-in band.

    The solid line is the posterior predictive probability of a new point,
    :func:`mixgrad.bayes.label_posterior` with ``predictive=True`` (Bayes' rule
    with the posterior-averaged class densities); the band holds the central
    ``ci_prob`` of the per-draw plug-in curves
    (:func:`mixgrad.bayes.class_probability_draws`), the uncertainty of the
    classifier. Call it twice on one Axes to compare two posteriors.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior of a 1-D mixture.
    grid : array-like of shape (n_grid,)
        Points at which to classify.
    component : int, default 1
        The class whose probability is drawn.
    ci_prob : float, default 0.94
        Pointwise mass of the band.
    point : dict, optional
        A point estimate (``weights``, ``means``, ``sigmas``): its plug-in
        probability is drawn as a black dashed line.
    label : str, default "posterior"
    colour : str, optional
        Default: the palette colour of ``component``.
    %(ax_returns)s
        Lines: the posterior predictive curve (then the point estimate's curve, if given).
    """
    grid = check_finite_array(grid, "grid", ndim=1)
    ci_prob = _check_prob(ci_prob)
    draws = class_probability_draws(idata, grid)
    if not isinstance(component, (int, np.integer)) or not 0 <= component < draws.shape[2]:
        raise ValueError(f"component must be an integer in [0, {draws.shape[2]}), "
                         f"got {component!r}")
    prob = draws[:, :, component]
    colour = PALETTE[component % len(PALETTE)] if colour is None else colour
    ax = get_axes(ax)
    lo, hi = np.quantile(prob, [(1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
    ax.fill_between(grid, lo, hi, color=colour, alpha=0.25)
    predictive = label_posterior(idata, grid, predictive=True)[:, component]
    ax.plot(grid, predictive, color=colour, linewidth=2,
            label=f"{label}: predictive, {ci_prob:.0%} band of draws")
    if point is not None:
        w, mu, s = (np.asarray(point[key], dtype=float) for key in ("weights", "means", "sigmas"))
        joint = w * norm.pdf(grid[:, None], mu, s)
        ax.plot(grid, joint[:, component] / joint.sum(axis=1), "--", color="black",
                linewidth=1.2, label="MLE plug-in")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel(f"p(z = {component} | x)")
    ax.legend(loc="best", fontsize=8)
    return ax


@fill_doc
def plot_posterior_ellipses(X, z, idata, *, max_draws=40, n_std=2.0, point=None,
                            class_names=None, ax=None):
    """2-D labelled data with the covariance ellipses of posterior draws.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    z : array-like of int of shape (n_samples,)
        Class of every point.
    idata : xarray.DataTree
        Posterior with ``means`` (k, 2) and ``covariances`` (k, 2, 2).
    max_draws : int, default 40
        Number of evenly spaced posterior draws whose ellipses are drawn (thin lines).
    n_std : float, default 2.0
        Mahalanobis radius of the ellipses.
    point : dict, optional
        Point estimate (``means``, ``covariances``) drawn as black dashed ellipses.
    class_names : sequence of str, optional
    %(ax_returns)s
        One scatter collection per class; ``k * max_draws`` ellipse patches
        (then ``k`` more for the point estimate).
    """
    X, z = check_plane_points(X, z, labels_name="z")
    max_draws = check_integer(max_draws, "max_draws", minimum=1)
    means = posterior_draws(idata, "means")
    keep = _thin(means.shape[0], max_draws)
    means, covs = means[keep], posterior_draws(idata, "covariances")[keep]
    if means.ndim != 3 or means.shape[2] != 2:
        raise ValueError("plot_posterior_ellipses needs a posterior of a 2-D mixture")
    ax = get_axes(ax)
    for j in range(means.shape[1]):
        colour = PALETTE[j % len(PALETTE)]
        name = class_names[j] if class_names is not None else f"class {j}"
        ax.scatter(*X[z == j].T, s=8, color=colour, alpha=0.5, label=name)
        for s in range(means.shape[0]):
            ax.add_patch(covariance_ellipse(means[s, j], covs[s, j], n_std=n_std, fill=False,
                                            edgecolor=colour, linewidth=0.6, alpha=0.35))
    if point is not None:
        for mu, cov in zip(point["means"], point["covariances"], strict=True):
            ax.add_patch(covariance_ellipse(mu, cov, n_std=n_std, fill=False, edgecolor="black",
                                            linestyle="--", linewidth=1.2))
    ax.legend(loc="best", fontsize=8)
    return ax
