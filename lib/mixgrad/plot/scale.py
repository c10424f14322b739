"""Figures of "EM at scale": how far batch, incremental and stepwise EM are from the optimum.

The function only draws: the values come from the chapter's EM runs. It
takes an optional ``ax`` (a new figure is made if None) and returns the Axes
it drew on.

See the chapter :ref:`em-at-scale`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_gap_to_optimum"]


@fill_doc
def plot_gap_to_optimum(curves, optimum, *, xlabel, floor=1e-12, ax=None):
    """Gap ``optimum - value`` of several runs, on a logarithmic axis.

    Parameters
    ----------
    curves : dict
        ``{label: (x, values)}``, each a pair of finite 1-D arrays of equal
        length (e.g. points seen and mean log-likelihoods); drawn in order,
        in the book's palette.
    optimum : float
        The value the runs approach (e.g. the full-batch fit's mean
        log-likelihood).
    xlabel : str
        Label of the horizontal axis.
    floor : float, default 1e-12
        Gaps below it (rounding, or values past the optimum) are drawn at it.
    %(ax_returns)s
        One line per curve, labelled with its key.
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict {label: (x, values)}")
    if len(curves) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} curves can be drawn, got {len(curves)}")
    optimum = float(optimum)
    if not np.isfinite(optimum):
        raise ValueError(f"optimum must be finite, got {optimum}")
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor}")
    checked = {}
    for label, pair in curves.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be a pair (x, values)")
        x = check_finite_array(pair[0], f"x of {label!r}", ndim=1)
        values = check_finite_array(pair[1], f"values of {label!r}", ndim=1)
        if x.shape != values.shape:
            raise ValueError(f"x and values of {label!r} must have the same length, "
                             f"got {x.size} and {values.size}")
        checked[label] = (x, values)
    ax = get_axes(ax)
    for colour, (label, (x, values)) in zip(PALETTE, checked.items(), strict=False):
        ax.semilogy(x, np.maximum(optimum - values, floor), color=colour, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("gap to the optimum")
    ax.legend(loc="best")
    return ax
