"""Figures of the Bayesian semi-supervised chapter (:ref:`bayesian-semi-supervised`).

* :func:`plot_intervals_vs_labels`: posterior credible intervals of one
  parameter per component as the number of labels grows, beside point
  estimates (semi-supervised EM) and the true values;
* :func:`plot_class_probabilities`: labelled and unlabelled points with their
  posterior class probabilities (1-D: probability against x; 2-D: points
  coloured by probability).

Every function takes an optional ``ax`` and returns the Axes it drew on.
"""

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array
from mixgrad.bayes.diagnostics import posterior_draws

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_intervals_vs_labels", "plot_class_probabilities"]


def _component_draws(idata, var_name, feature):
    """Draws of one scalar per component, shape (n_draws, k)."""
    draws = posterior_draws(idata, var_name)
    if draws.ndim == 3:
        if feature is None:
            raise ValueError(f"{var_name} has one vector per component (shape "
                             f"{draws.shape[1:]}); pass feature= to choose a coordinate")
        draws = draws[:, :, feature]
    elif draws.ndim != 2:
        raise ValueError(f"{var_name} must have one value (or vector) per component, got "
                         f"draws of shape {draws.shape}")
    return draws


@fill_doc
def plot_intervals_vs_labels(posteriors, var_name="means", *, estimates=None, truth=None,
                             feature=None, ci_prob=0.94, estimate_label="EM estimate",
                             ax=None):
    """Posterior mean and credible interval of each component against the number of labels.

    Parameters
    ----------
    posteriors : dict of {label: xarray.DataTree}
        One posterior per amount of labelling, in drawing order; the keys
        (e.g. ``0, 2, 5, 20, "all"``) become the tick labels.
    var_name : str, default "means"
        Posterior variable with one value per component (or one vector, see ``feature``).
    estimates : dict of {label: array-like of shape (n_components,)}, optional
        Point estimates (e.g. semi-supervised EM) for some or all keys of
        ``posteriors``, drawn as open diamonds.
    truth : array-like of shape (n_components,), optional
        True values, drawn as dotted horizontal lines.
    feature : int, optional
        Coordinate to draw when ``var_name`` is a vector per component.
    ci_prob : float, default 0.94
        Mass of the equal-tailed interval.
    estimate_label : str, default "EM estimate"
        Legend entry of the point estimates.
    %(ax_returns)s
        One errorbar container per component (``ax.containers``), one line
        of diamonds per component with estimates, one dotted line per true value.
    """
    if not isinstance(posteriors, dict) or not posteriors:
        raise TypeError("posteriors must be a non-empty dict {number of labels: idata}")
    if not 0.0 < float(ci_prob) < 1.0:
        raise ValueError(f"ci_prob must lie strictly between 0 and 1, got {ci_prob}")
    keys = list(posteriors)
    summaries = []
    for key in keys:
        draws = _component_draws(posteriors[key], var_name, feature)
        lo, hi = np.quantile(draws, [(1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
        summaries.append((draws.mean(axis=0), lo, hi))
    mean, lower, upper = (np.array(part) for part in zip(*summaries, strict=True))
    k = mean.shape[1]
    ax = get_axes(ax)
    positions = np.arange(len(keys), dtype=float)
    offsets = (np.arange(k) - (k - 1) / 2) * 0.12
    for j in range(k):
        colour = PALETTE[j % len(PALETTE)]
        ax.errorbar(positions + offsets[j], mean[:, j],
                    yerr=[mean[:, j] - lower[:, j], upper[:, j] - mean[:, j]],
                    fmt="o", color=colour, capsize=3, label=f"component {j}: posterior")
        if truth is not None:
            ax.axhline(np.asarray(truth, dtype=float)[j], color=colour, linestyle=":",
                       linewidth=1)
    if estimates:
        unknown = [key for key in estimates if key not in posteriors]
        if unknown:
            raise ValueError(f"estimates has keys {unknown} that posteriors lacks")
        where = [keys.index(key) for key in estimates]
        values = np.array([check_finite_array(estimates[key], f"estimates[{key!r}]", ndim=1)
                           for key in estimates])
        if values.shape[1] != k:
            raise ValueError(f"estimates must have {k} values (one per component), got "
                             f"{values.shape[1]}")
        for j in range(k):
            ax.plot(positions[where] + offsets[j] + 0.22, values[:, j], linestyle="none",
                    marker="D", markerfacecolor="white", markeredgecolor=PALETTE[j % 8],
                    label=estimate_label if j == 0 else None)
    ax.set_xticks(positions, [str(key) for key in keys])
    ax.set_xlabel("labels per class")
    ax.set_ylabel(var_name if feature is None else f"{var_name}[:, {feature}]")
    ax.legend(loc="best", fontsize=8)
    return ax


def _probability_map():
    return LinearSegmentedColormap.from_list("class_probability", [PALETTE[0], "0.9", PALETTE[1]])


@fill_doc
def plot_class_probabilities(X, labels, probabilities, *, class_index=1, grid=None,
                             curves=None, class_names=None, ax=None):
    """Labelled and unlabelled points with their posterior class probability.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 2)
        The training points.
    labels : array-like of int of shape (n_samples,)
        Class of each labelled point, ``-1`` for unlabelled ones.
    probabilities : array-like of shape (n_samples, n_components)
        Posterior class probabilities of the points
        (:func:`mixgrad.bayes.label_posterior`).
    class_index : int, default 1
        Class whose probability is drawn.
    grid : array-like of shape (n_grid,), optional
        1-D only: x values of ``curves``.
    curves : dict of {str: array-like of shape (n_grid,)}, optional
        1-D only: probability curves over ``grid`` (e.g. posterior and EM).
    %(class_names)s
    %(ax_returns)s
        1-D: probability of ``class_index`` against x: unlabelled points in grey
        at their posterior probability, labelled ones in their class colour at 1
        (of class ``class_index``) or 0; one line per curve. 2-D: points
        coloured by that probability (a colour bar is added), labelled points
        larger with a black edge.
    """
    X = check_finite_array(X, "X", ndim=(1, 2))
    if X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if X.ndim == 2 and X.shape[1] != 2:
        raise ValueError(f"X must have 1 or 2 features to be drawn, got {X.shape[1]}")
    n = X.shape[0]
    labels = np.asarray(labels)
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers of shape ({n},) (-1 = unlabelled)")
    probabilities = check_finite_array(probabilities, "probabilities", ndim=2)
    if probabilities.shape[0] != n or not 0 <= class_index < probabilities.shape[1]:
        raise ValueError(f"probabilities must have shape ({n}, n_components) with "
                         f"class_index={class_index} < n_components; got {probabilities.shape}")
    if (grid is None) != (curves is None) or (curves is not None and X.ndim == 2):
        raise ValueError("pass grid and curves together, and only for 1-D data")

    def name(c):
        return class_names[c] if class_names is not None else f"class {c}"

    p = probabilities[:, class_index]
    seen = labels >= 0
    ax = get_axes(ax)
    if X.ndim == 1:
        # unlabelled points at their posterior probability, labelled ones at 0 or 1 (known)
        ax.scatter(X[~seen], p[~seen], s=8, color="0.6", alpha=0.5,
                   label="unlabelled")
        for c in np.unique(labels[seen]):
            ax.scatter(X[labels == c], np.full(np.sum(labels == c), float(c == class_index)),
                       s=50, color=PALETTE[c % len(PALETTE)], edgecolor="black", linewidth=0.7,
                       zorder=3, label=f"{name(c)} (labelled)")
        styles = ("-", "--", ":", "-.")
        for i, (curve_name, values) in enumerate((curves or {}).items()):
            values = check_finite_array(values, f"curves[{curve_name!r}]", ndim=1)
            ax.plot(np.asarray(grid, dtype=float), values, color="black", linewidth=1.3,
                    linestyle=styles[i % len(styles)], label=curve_name)
        ax.set_xlabel("x")
        ax.set_ylabel(f"P({name(class_index)} | x, data)")
        ax.set_ylim(-0.04, 1.04)
        legend_place = "center left"  # probabilities are near 0 or 1 at the ends, not between
    else:
        cmap = _probability_map()
        points = ax.scatter(*X[~seen].T, c=p[~seen], cmap=cmap, vmin=0, vmax=1, s=12)
        for c in np.unique(labels[seen]):
            ax.scatter(*X[labels == c].T, c=p[labels == c], cmap=cmap, vmin=0, vmax=1, s=60,
                       edgecolor=PALETTE[c % len(PALETTE)], linewidth=1.5,
                       marker="os^v"[c % 4], zorder=3,
                       label=f"{name(c)} (labelled)")
        ax.figure.colorbar(points, ax=ax, label=f"P({name(class_index)} | x, data)")
        ax.set_xlabel("x[0]")
        ax.set_ylabel("x[1]")
        legend_place = "best"
    ax.legend(loc=legend_place, fontsize=8)
    return ax
