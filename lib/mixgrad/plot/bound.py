"""Figures of "Why EM works": the ELBO staircase, the KL gap, the touching bound.

Every function takes an optional ``ax`` (a new figure is made if None) and
returns the Axes it drew on. The staircase and gap figures read an
:class:`mixgrad.mixture.EMHistory` (``GaussianMixture(...).fit(X).history_``).

See the chapter :ref:`why-em-works`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_elbo_staircase", "plot_kl_gap", "plot_lower_bound"]

_FIELDS = ("log_likelihood", "elbo_e_step", "elbo_m_step", "kl")


def _check_history(history):
    """The four arrays of an EMHistory, checked: finite, 1-D, equal lengths."""
    if not all(hasattr(history, field) for field in _FIELDS):
        raise TypeError(
            "history must be an EMHistory (GaussianMixture(...).fit(X).history_) with "
            f"attributes {', '.join(_FIELDS)}; got {type(history).__name__} "
            "(fit with record_history=True)"
        )
    arrays = {}
    for field in _FIELDS:
        arrays[field] = check_finite_array(getattr(history, field), f"history.{field}", ndim=1)
    sizes = {a.size for a in arrays.values()}
    if len(sizes) != 1 or 0 in sizes:
        raise ValueError("history arrays must be non-empty and of equal length")
    return arrays


def _window(n_total, first, n_iter):
    first = check_integer(first, "first", minimum=0)
    if first >= n_total:
        raise ValueError(f"first={first} must be below the number of iterations {n_total}")
    stop = n_total if n_iter is None else first + check_integer(n_iter, "n_iter", minimum=1)
    return first, min(stop, n_total)


# --- the staircase: log-likelihood, ELBO after E- and M-steps -----------------------


@fill_doc
def plot_elbo_staircase(history, *, first=0, n_iter=None, ax=None):
    """EM as coordinate ascent: the ELBO climbs in steps that touch the log-likelihood.

    Iteration ``t`` (1-based) is drawn from ``x = t - 1`` to ``x = t``: the
    M-step is a segment from ``(t - 1, ELBO after E-step)`` to ``(t, ELBO
    after M-step)``, and the next E-step a vertical segment at ``x = t`` up to
    the log-likelihood ``l(theta_t)`` (its length is the KL gap). The
    log-likelihood itself is drawn as markers at every integer ``x``.

    Parameters
    ----------
    history : EMHistory
        With arrays ``log_likelihood``, ``elbo_e_step``, ``elbo_m_step``,
        ``kl`` of shape (n_iterations,), all finite.
    first : int, default 0
        Index of the first iteration drawn (skip a large first jump).
    n_iter : int, optional
        Number of iterations drawn (default: all from ``first`` on).
    %(ax_returns)s
        Three lines, labelled "log-likelihood", "M-step (raises the ELBO)" and
        "E-step (closes the gap)", in this order.
    """
    h = _check_history(history)
    start, stop = _window(h["log_likelihood"].size, first, n_iter)
    ax = get_axes(ax)
    t = np.arange(start, stop)
    # l(theta_{t}) for x = start .. stop: the E-step value of the first drawn
    # iteration, then the log-likelihood after each drawn iteration.
    xs = np.arange(start, stop + 1)
    ll = np.concatenate([[h["elbo_e_step"][start]], h["log_likelihood"][start:stop]])
    m_x = np.column_stack([t, t + 1, np.full(t.size, np.nan)]).ravel()
    m_y = np.column_stack([h["elbo_e_step"][t], h["elbo_m_step"][t],
                           np.full(t.size, np.nan)]).ravel()
    e_x = np.column_stack([t + 1, t + 1, np.full(t.size, np.nan)]).ravel()
    e_y = np.column_stack([h["elbo_m_step"][t], h["log_likelihood"][t],
                           np.full(t.size, np.nan)]).ravel()
    ax.plot(xs, ll, color=PALETTE[7], marker="o", markersize=4, linestyle=":",
            linewidth=1, label="log-likelihood")
    ax.plot(m_x, m_y, color=PALETTE[0], linewidth=2, label="M-step (raises the ELBO)")
    ax.plot(e_x, e_y, color=PALETTE[1], linewidth=2, label="E-step (closes the gap)")
    ax.set_xlabel("iteration")
    ax.set_ylabel("mean log-likelihood / ELBO")
    ax.legend(loc="lower right")
    return ax


# --- the KL gap per iteration -----------------------------------------------------------


def _positive_or_nan(values):
    return np.where(values > 0, values, np.nan)


@fill_doc
def plot_kl_gap(history, *, ax=None):
    """The two gains of every EM iteration, on a log scale.

    Draws ``kl`` (the gap ``l(theta_t) - ELBO(q_t, theta_t)`` that the next
    E-step closes) and the M-step gain ``elbo_m_step - elbo_e_step`` against
    the iteration number (1-based). Exact zeros are left as gaps.

    Parameters
    ----------
    history : EMHistory
        With finite arrays of shape (n_iterations,).
    %(ax_returns)s
        Two lines: "KL gap (closed by the next E-step)" and "M-step gain in
        the ELBO", y axis logarithmic.
    """
    h = _check_history(history)
    ax = get_axes(ax)
    its = np.arange(1, h["kl"].size + 1)
    ax.plot(its, _positive_or_nan(h["kl"]), color=PALETTE[1], marker=".",
            label="KL gap (closed by the next E-step)")
    ax.plot(its, _positive_or_nan(h["elbo_m_step"] - h["elbo_e_step"]), color=PALETTE[0],
            marker=".", label="M-step gain in the ELBO")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("nats per sample")
    ax.legend()
    return ax


# --- the lower bound touching the log-likelihood -------------------------------------------


@fill_doc
def plot_lower_bound(values, log_likelihood, elbos, touch_at, *, xlabel=r"$\theta$", ax=None):
    """Log-likelihood along one parameter and ELBO curves that touch it from below.

    Parameters
    ----------
    values : array-like of shape (n_values,)
        Grid of the parameter (increasing).
    log_likelihood : array-like of shape (n_values,)
        Log-likelihood on the grid (e.g. from
        :func:`mixgrad.mixture.bound.lower_bound_curve`).
    elbos : array-like of shape (n_bounds, n_values)
        One ELBO curve per fixed ``q`` (each at most ``log_likelihood``).
    touch_at : array-like of shape (n_bounds,)
        Parameter value where each bound was built (``q`` = posterior there);
        marked with a dot on the log-likelihood and a dotted vertical line.
    xlabel : str, default ``"$\\theta$"``
    %(ax_returns)s
        One line for the log-likelihood, then four per bound: its curve, the
        vertical line at ``touch_at``, a triangle at its maximiser on the grid
        (the M-step's new value) and a dot where it touches the log-likelihood.
    """
    values = check_finite_array(values, "values", ndim=1)
    log_likelihood = check_finite_array(log_likelihood, "log_likelihood", ndim=1)
    elbos = check_finite_array(elbos, "elbos", ndim=2)
    touch_at = check_finite_array(touch_at, "touch_at", ndim=1)
    if log_likelihood.shape != values.shape or elbos.shape[1] != values.size:
        raise ValueError("log_likelihood and every row of elbos need one value per entry "
                         f"of values ({values.size})")
    if touch_at.size != elbos.shape[0]:
        raise ValueError(f"touch_at needs one value per bound ({elbos.shape[0]}), "
                         f"got {touch_at.size}")
    ax = get_axes(ax)
    ax.plot(values, log_likelihood, color=PALETTE[7], linewidth=2, label="log-likelihood")
    for b, (elbo, at) in enumerate(zip(elbos, touch_at, strict=True)):
        colour = PALETTE[b % 7]
        ax.plot(values, elbo, color=colour, linestyle="--",
                label=f"ELBO, q from {xlabel} = {at:.2f}")
        ax.axvline(at, color=colour, linestyle=":", linewidth=1)
        best = int(np.argmax(elbo))
        ax.plot([values[best]], [elbo[best]], color=colour, marker="^", markersize=7,
                linestyle="none")
        ax.plot([at], [np.interp(at, values, log_likelihood)], color=colour, marker="o",
                markersize=6, linestyle="none")
    low = np.min(log_likelihood)
    span = np.max(log_likelihood) - low
    ax.set_ylim(low - 0.15 * span, np.max(log_likelihood) + 0.1 * span)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean log-likelihood / ELBO")
    ax.legend(loc="lower center")
    return ax
