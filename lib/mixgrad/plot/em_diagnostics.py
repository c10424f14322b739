"""Figures of the EM chapter that compare: the likelihood's collapse, the choice of k, EM vs AD.

Every function returns the Axes or Figure it drew on. They are also importable
from :mod:`mixgrad.plot.em_fit`, where they were first written.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import matplotlib.pyplot as plt
import numpy as np

from mixgrad._validation import check_finite_array

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_collapse", "plot_em_vs_gradient", "plot_model_selection"]


# --- the singularity ---------------------------------------------------------------------


def plot_collapse(sigmas, log_likelihoods, *, ax=None, label=None):
    """Log-likelihood against the standard deviation of a collapsing component.

    Parameters
    ----------
    sigmas : array-like of shape (m,)
        Positive standard deviations (log x-axis).
    log_likelihoods : array-like of shape (m,)
        E.g. :func:`mixgrad.mixture.collapsing_log_likelihood` of ``sigmas``.
    ax : matplotlib Axes, optional
    label : str, optional

    Returns
    -------
    matplotlib Axes
    """
    sigmas = check_finite_array(sigmas, "sigmas", ndim=1)
    values = check_finite_array(log_likelihoods, "log_likelihoods", ndim=1)
    if sigmas.shape != values.shape or np.any(sigmas <= 0):
        raise ValueError("sigmas must be positive and have the shape of log_likelihoods")
    ax = get_axes(ax)
    ax.plot(sigmas, values, marker="o", ms=3, label=label)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel(r"$\sigma$ of the collapsing component (decreasing)")
    ax.set_ylabel("mean log-likelihood")
    if label is not None:
        ax.legend()
    return ax


# --- choosing k and comparing optimisers ---------------------------------------------


def plot_model_selection(ks, bic, silhouette, *, figsize=(8.0, 3.0)):
    """BIC (lower is better) and silhouette (higher is better) against the number of components.

    Parameters
    ----------
    ks : array-like of int of shape (m,)
    bic : array-like of shape (m,)
    silhouette : array-like of shape (m,)
        NaN where undefined (k = 1) is left as a gap.
    figsize : tuple, default (8.0, 3.0)

    Returns
    -------
    matplotlib Figure
        Two panels; the best k of each criterion is circled.
    """
    ks = np.asarray(ks)
    bic = check_finite_array(bic, "bic", ndim=1)
    sil = np.asarray(silhouette, dtype=float)
    if not (ks.shape == bic.shape == sil.shape) or ks.ndim != 1:
        raise ValueError("ks, bic and silhouette must be 1-D arrays of the same length")
    fig, (a0, a1) = plt.subplots(1, 2, figsize=figsize)
    for ax, values, best, name in ((a0, bic, np.argmin(bic), "BIC (lower is better)"),
                                   (a1, sil, np.nanargmax(sil), "silhouette (higher is better)")):
        ax.plot(ks, values, marker="o")
        ax.plot(ks[best], values[best], marker="o", ms=14, mfc="none", mec=PALETTE[1], mew=2,
                ls="none", label=f"best k = {ks[best]}")
        ax.set_xlabel("number of components k")
        ax.set_title(name)
        ax.set_xticks(ks)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_em_vs_gradient(runs, *, optimum, figsize=(9.0, 3.4)):
    """Progress of several optimisers of the same likelihood: per iteration and per second.

    Parameters
    ----------
    runs : dict of {str: (seconds, log_likelihood)}
        For every method, arrays of shape (n_iter + 1,): elapsed seconds and
        mean log-likelihood at the start and after every iteration.
    optimum : float
        Best known mean log-likelihood; the y-axis is the gap
        ``optimum - log_likelihood`` on a log scale (gaps <= 0 are not drawn).
    figsize : tuple, default (9.0, 3.4)

    Returns
    -------
    matplotlib Figure
        Left: gap against iteration. Right: gap against wall-clock seconds.
    """
    if not runs:
        raise ValueError("runs must hold at least one method")
    fig, (a0, a1) = plt.subplots(1, 2, figsize=figsize, sharey=True)
    for j, (name, (seconds, ll)) in enumerate(runs.items()):
        seconds = check_finite_array(seconds, f"seconds of {name!r}", ndim=1)
        ll = check_finite_array(ll, f"log_likelihood of {name!r}", ndim=1)
        if seconds.shape != ll.shape:
            raise ValueError(f"seconds and log_likelihood of {name!r} must have the same shape")
        gap = float(optimum) - ll
        gap = np.where(gap > 0, gap, np.nan)
        color = PALETTE[j % len(PALETTE)]
        a0.plot(np.arange(ll.shape[0]), gap, color=color, label=name)
        a1.plot(seconds, gap, color=color, label=name)
    a0.set_yscale("log")
    a0.set_xlabel("iteration")
    a0.set_ylabel("optimum - mean log-likelihood")
    a1.set_xlabel("seconds")
    a0.legend()
    fig.tight_layout()
    return fig
