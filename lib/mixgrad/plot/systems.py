"""Figures of the chapter on AD systems: graph sizes and Hamiltonian trajectories.

Every function takes an optional ``ax`` (a new figure is made if None) and
returns the Axes it drew on. Import as ``from mixgrad.plot.systems import ...``.

See the chapter :ref:`ad-systems`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_node_counts", "plot_energy_error", "plot_trajectory"]


@fill_doc
def plot_node_counts(counts, *, ax=None):
    """Grouped bars: number of graph nodes per function and stage.

    Parameters
    ----------
    counts : dict of {str: dict of {str: int}}
        ``{function: {stage: count}}``, e.g.
        ``{"f": {"as built": 9, "after rewrites": 2}}``. Every function must
        have the same stages.
    %(ax_returns)s
    """
    if not isinstance(counts, dict) or not counts:
        raise ValueError("counts must be a non-empty dict {function: {stage: count}}")
    stages = list(next(iter(counts.values())))
    for name, by_stage in counts.items():
        if list(by_stage) != stages:
            raise ValueError(
                f"counts[{name!r}] must have the stages {stages}, got {list(by_stage)}"
            )
    ax = get_axes(ax)
    x = np.arange(len(counts))
    width = 0.8 / len(stages)
    for i, stage in enumerate(stages):
        heights = [counts[name][stage] for name in counts]
        bars = ax.bar(x + (i - (len(stages) - 1) / 2) * width, heights, width,
                      label=stage, color=PALETTE[i % len(PALETTE)])
        ax.bar_label(bars, padding=2)
    ax.set_xticks(x, list(counts))
    ax.set_ylabel("operations in the graph")
    ax.legend()
    return ax


@fill_doc
def plot_energy_error(errors_by_step, *, ax=None):
    """Energy error ``H_t - H_0`` along leapfrog trajectories, one line per step size.

    Point ``i`` of the trajectory with step size ``eps`` is drawn at time
    ``t = i * eps``, so trajectories of the same duration line up.

    Parameters
    ----------
    errors_by_step : dict of {float: array-like of shape (n_points,)}
        Step size to the energy errors (e.g. from
        :func:`mixgrad.ad.hamiltonian.energy_error`).
    %(ax_returns)s
    """
    if not isinstance(errors_by_step, dict) or not errors_by_step:
        raise ValueError("errors_by_step must be a non-empty dict {step_size: errors}")
    ax = get_axes(ax)
    for i, (step, errors) in enumerate(errors_by_step.items()):
        errors = check_finite_array(errors, f"errors_by_step[{step}]", ndim=1)
        ax.plot(step * np.arange(errors.size), errors, marker="o", markersize=3,
                color=PALETTE[i % len(PALETTE)], label=rf"$\varepsilon = {step:g}$")
    ax.axhline(0.0, color="0.5", linewidth=0.8)
    ax.set_xlabel(r"time $t$ (steps $\times \varepsilon$)")
    ax.set_ylabel(r"$H(q_t, p_t) - H(q_0, p_0)$")
    ax.legend()
    return ax


@fill_doc
def plot_trajectory(positions, logp=None, *, grid=None, ax=None):
    """A trajectory in a 2-D parameter space, over contours of ``log p``.

    Parameters
    ----------
    positions : array-like of shape (n_points, 2)
    logp : callable, optional
        ``logp(q) -> float``; if given with ``grid``, its contours are drawn.
    grid : tuple of two array-like of shape (m,), optional
        The x and y coordinates of the contour grid.
    %(ax_returns)s
    """
    positions = check_finite_array(positions, "positions", ndim=2)
    if positions.shape[1] != 2:
        raise ValueError(f"positions must have shape (n_points, 2), got {positions.shape}")
    if (logp is None) != (grid is None):
        raise ValueError("give both logp and grid to draw contours, or neither")
    ax = get_axes(ax)
    if logp is not None:
        gx, gy = (check_finite_array(g, "grid", ndim=1) for g in grid)
        values = np.array([[logp(np.array([a, b])) for a in gx] for b in gy])
        ax.contour(gx, gy, values, levels=15, colors="0.6", linewidths=0.7, linestyles="solid")
    ax.plot(positions[:, 0], positions[:, 1], "-o", color=PALETTE[1], markersize=3,
            label="leapfrog")
    ax.plot(*positions[0], "s", color=PALETTE[0], markersize=7, label="start")
    ax.set_xlabel(r"$q_1$")
    ax.set_ylabel(r"$q_2$")
    ax.legend()
    return ax
