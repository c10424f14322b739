"""Figures of the missing- and censored-data chapter.

Parameter trajectories of EM variants per iteration, observed versus imputed
points, and a censored histogram with fitted normal densities. Every function
takes an optional ``ax`` (or ``axes``) and returns what it drew on.

See the chapter :ref:`missing-data`.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer

from .style import PALETTE

__all__ = ["plot_parameter_trajectories", "plot_imputations", "plot_censored_histogram"]

_PARAM_LABELS = {
    "mu1": r"$\hat\mu_1$",
    "mu2": r"$\hat\mu_2$",
    "s1": r"$\hat\sigma_1$",
    "s2": r"$\hat\sigma_2$",
    "rho": r"$\hat\rho$",
}


def _check_tables(tables, params):
    if not isinstance(tables, dict) or not tables:
        raise TypeError("tables must be a non-empty dict {label: history table}")
    checked = {}
    for label, table in tables.items():
        if not isinstance(table, dict):
            raise TypeError(
                f"tables[{label!r}] must be a dict of arrays (see bivariate_history_table)"
            )
        checked[label] = {}
        for p in params:
            if p not in table:
                raise ValueError(f"tables[{label!r}] has no column {p!r}; choose params among "
                                 f"{sorted(table)}")
            checked[label][p] = check_finite_array(table[p], f"tables[{label!r}][{p!r}]", ndim=1)
    return checked


def plot_parameter_trajectories(tables, *, params=("rho", "s2"), references=None, axes=None):
    """Estimates per iteration for several EM variants, one panel per parameter.

    Parameters
    ----------
    tables : dict of {str: dict of array-like of shape (n_iter + 1,)}
        One history table per method, e.g. from
        :func:`mixgrad.mixture.bivariate_history_table`; iteration 0 is the start.
    params : sequence of str, default ("rho", "s2")
        Columns to draw, one panel each.
    references : dict of {str: dict of {str: float}}, optional
        Horizontal reference lines, e.g. ``{"full-data MLE": {"rho": 0.9}}``;
        a reference without a value for a panel's parameter is skipped there.
    axes : sequence of matplotlib Axes of length ``len(params)``, optional

    Returns
    -------
    ndarray of matplotlib Axes of shape (len(params),)
        Panel ``j`` holds one line per table and one per applicable reference.
    """
    params = tuple(params)
    if not params:
        raise ValueError("params must name at least one column, e.g. ('rho',)")
    tables = _check_tables(tables, params)
    references = references or {}
    if not isinstance(references, dict):
        raise TypeError("references must be a dict {label: {param: value}}")
    if axes is None:
        _, axes = plt.subplots(1, len(params), figsize=(3.4 * len(params), 3.4), squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(np.asarray(axes, dtype=object))
    if axes.shape != (len(params),):
        raise ValueError(f"axes must hold {len(params)} Axes (one per parameter), got {axes.size}")
    n_tables = len(tables)
    for ax, p in zip(axes, params, strict=True):
        for i, (label, table) in enumerate(tables.items()):
            values = table[p]
            ax.plot(np.arange(values.size), values, color=PALETTE[i % len(PALETTE)], marker=".",
                    markersize=4, linewidth=1.2, label=label)
        for j, (label, values) in enumerate(references.items()):
            if p in values:
                colour = PALETTE[(n_tables + j) % len(PALETTE)]
                ax.axhline(float(values[p]), color=colour, linestyle="--", linewidth=1,
                           label=label)
        ax.set_xlabel("iteration")
        ax.set_title(_PARAM_LABELS.get(p, p))
    axes[0].legend(fontsize=8)
    return axes


@fill_doc
def plot_imputations(X, imputed, *, lost=None, ax=None):
    """Observed points, imputed points per method, and (optionally) the lost truth.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        Data with NaN in the second column where a value is missing.
    imputed : dict of {str: array-like of shape (n_samples, 2)}
        Completed data per method (e.g. ``result.imputed``); only the rows
        missing in ``X`` are drawn.
    lost : array-like of shape (n_samples, 2), optional
        The complete data; its rows missing in ``X`` are drawn as hollow circles.
    %(ax_returns)s
        Collections in order: observed, one per method, then the lost values.
    """
    X = check_finite_array(X, "X", ndim=2, allow_nan=True)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns, got shape {X.shape}")
    if np.isnan(X[:, 0]).any():
        raise ValueError("X[:, 0] must be fully observed; only y-values may be missing")
    if not isinstance(imputed, dict) or not imputed:
        raise TypeError("imputed must be a non-empty dict {label: completed data}")
    missing = np.isnan(X[:, 1])
    if ax is None:
        _, ax = plt.subplots()
    ax.scatter(X[~missing, 0], X[~missing, 1], s=18, color="0.45", label="observed")
    markers = ("s", "^", "D", "v")
    for i, (label, Z) in enumerate(imputed.items()):
        Z = check_finite_array(Z, f"imputed[{label!r}]", ndim=2)
        if Z.shape != X.shape:
            raise ValueError(f"imputed[{label!r}] has shape {Z.shape}, expected {X.shape}")
        ax.scatter(Z[missing, 0], Z[missing, 1], s=22, marker=markers[i % len(markers)],
                   color=PALETTE[i % len(PALETTE)], label=f"imputed ({label})")
    if lost is not None:
        lost = check_finite_array(lost, "lost", ndim=2)
        if lost.shape != X.shape:
            raise ValueError(f"lost has shape {lost.shape}, expected {X.shape}")
        ax.scatter(lost[missing, 0], lost[missing, 1], s=30, facecolors="none",
                   edgecolors="black", linewidths=0.8, label="lost true value")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(fontsize=8)
    return ax


@fill_doc
def plot_censored_histogram(x, censored, threshold, fits, *, complete=None, bins=30, ax=None):
    """Histogram of uncensored values, the censored mass, and fitted normal densities.

    %(parameters_x_censored)s
    threshold : float
        Censoring threshold, drawn as a vertical line.
    fits : dict of {str: tuple of (float, float)}
        ``(mean, variance)`` of each fitted normal, drawn as a density curve.
    complete : array-like of shape (n_samples,), optional
        The uncensored truth, drawn as a step histogram (what was hidden).
    bins : int, default 30
        Number of histogram bins.
    %(ax_returns)s
        Bar patches of the observed histogram, one line per fit, one vertical
        line for the threshold. The legend states the censored count.
    """
    x = check_finite_array(x, "x", ndim=1, allow_nan=True)
    censored = np.asarray(censored)
    if censored.dtype != bool or censored.shape != x.shape:
        raise TypeError(f"censored must be a boolean array of shape {x.shape}")
    threshold = float(check_finite_array(threshold, "threshold", ndim=0))
    if not isinstance(fits, dict) or not fits:
        raise TypeError("fits must be a non-empty dict {label: (mean, variance)}")
    if np.isnan(x[~censored]).any():
        raise ValueError("x must be finite where not censored")
    bins = check_integer(bins, "bins", minimum=1)
    if complete is not None:
        complete = check_finite_array(complete, "complete", ndim=1)
    n = x.size
    observed = x[~censored]
    if ax is None:
        _, ax = plt.subplots()
    lo = observed.min() if complete is None else min(observed.min(), np.min(complete))
    # ``bins`` bins below the threshold (an edge), extended above it for ``complete``.
    edges = np.linspace(lo, threshold, bins + 1)
    if complete is not None and np.max(complete) > threshold:
        width = edges[1] - edges[0]
        extra = int(np.ceil((np.max(complete) - threshold) / width))
        edges = np.concatenate([edges, threshold + width * np.arange(1, extra + 1)])
    # Density of the whole sample: the bars integrate to the uncensored fraction.
    ax.hist(observed, bins=edges, weights=np.full(observed.size, 1.0 / (n * np.diff(edges)[0])),
            color="0.75", label=f"observed ({observed.size})")
    if complete is not None:
        ax.hist(complete, bins=edges, density=True, histtype="step", color="black",
                linewidth=0.8, label="complete (hidden)")
    grid = np.linspace(edges[0] - 0.5, edges[-1] + 0.5, 400)
    for i, (label, (mean, variance)) in enumerate(fits.items()):
        if not variance > 0:
            raise ValueError(f"fits[{label!r}] variance must be > 0, got {variance}")
        ax.plot(grid, norm.pdf(grid, mean, np.sqrt(variance)), color=PALETTE[i % len(PALETTE)],
                linewidth=1.5, label=label)
    ax.axvline(threshold, color="black", linestyle=":", linewidth=1,
               label=f"threshold ({int(censored.sum())} censored above)")
    ax.set_xlabel("value")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return ax
