"""Figures of Part I: divided-difference errors, Newton convergence, graphs, sweeps.

Every function takes an optional ``ax`` (a new figure is made if None) and
returns the Axes it drew on. Only matplotlib is used.

See the chapters :ref:`divided-differences` and :ref:`forward-reverse`.
"""

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_step_errors", "plot_convergence", "plot_graph", "plot_sweep_costs"]

_KIND_LABELS = {
    "forward": "forward difference",
    "backward": "backward difference",
    "central": "central difference",
    "complex": "complex step",
}


def _positive_or_nan(values):
    """Errors for a log axis: exact zeros become NaN (gaps, not -inf)."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)


# --- divided differences ----------------------------------------------------------


@fill_doc
def plot_step_errors(hs, errors_by_kind, *, optimal_steps=None, theory=None, ax=None):
    """Error of divided differences against the step ``h`` (log-log: the V).

    Parameters
    ----------
    hs : array-like of shape (m,)
        Steps, all > 0.
    errors_by_kind : dict of {str: array-like of shape (m,)}
        Measured errors per kind (e.g. from :func:`mixgrad.ad.step_sweep`);
        exact zeros (the complex step often hits them) are left as gaps.
    optimal_steps : dict of {str: float}, optional
        Theoretical optimal steps (:func:`mixgrad.ad.optimal_step`), drawn as
        dotted vertical lines.
    theory : dict of {str: array-like of shape (m,)}, optional
        Modelled errors (:func:`mixgrad.ad.difference_error_model`), drawn as
        dashed lines in the colour of the measured ones.
    %(ax_returns)s
        One line per measured kind, per theory curve and per optimal step.
    """
    hs = check_finite_array(hs, "hs", ndim=1)
    if not isinstance(errors_by_kind, dict) or not errors_by_kind:
        raise TypeError("errors_by_kind must be a non-empty dict {kind: errors}")
    ax = get_axes(ax)
    colours = {}
    for i, (kind, errors) in enumerate(errors_by_kind.items()):
        errors = check_finite_array(errors, f"errors_by_kind[{kind!r}]", ndim=1)
        if errors.shape != hs.shape:
            raise ValueError(
                f"errors_by_kind[{kind!r}] has {errors.size} values but hs has {hs.size}"
            )
        colours[kind] = PALETTE[i % len(PALETTE)]
        ax.plot(hs, _positive_or_nan(errors), color=colours[kind], marker=".", markersize=3,
                linewidth=1, label=_KIND_LABELS.get(kind, kind))
    for kind, model in (theory or {}).items():
        model = check_finite_array(model, f"theory[{kind!r}]", ndim=1)
        ax.plot(hs, _positive_or_nan(model), color=colours.get(kind, "0.4"), linestyle="--",
                linewidth=1, label=f"model ({kind})")
    for kind, h in (optimal_steps or {}).items():
        ax.axvline(h, color=colours.get(kind, "0.4"), linestyle=":", linewidth=1,
                   label=f"optimal h ({kind}) = {h:.1e}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step h")
    ax.set_ylabel("absolute error")
    ax.legend(fontsize="small")
    return ax


# --- Newton's method --------------------------------------------------------------


@fill_doc
def plot_convergence(results, *, labels=None, ax=None):
    """Residual against iteration for one or several Newton runs (log y).

    Parameters
    ----------
    results : NewtonResult, list of NewtonResult, or dict of {str: NewtonResult}
        Runs of :func:`mixgrad.ad.newton` / :func:`mixgrad.ad.newton_system`.
    labels : list of str, optional
        Line labels (default: the dict keys, or each result's ``method``).
    %(ax_returns)s
        One line per run; exact zero residuals are left as gaps.
    """
    if isinstance(results, dict):
        labels = list(results) if labels is None else labels
        results = list(results.values())
    elif hasattr(results, "residuals"):
        results = [results]
    results = list(results)
    if not results or not all(hasattr(r, "residuals") for r in results):
        raise TypeError("results must be a NewtonResult or a non-empty list/dict of them")
    labels = [r.method for r in results] if labels is None else list(labels)
    if len(labels) != len(results):
        raise ValueError(f"got {len(labels)} labels for {len(results)} results")
    ax = get_axes(ax)
    markers = "osD^v<>"
    for i, (r, label) in enumerate(zip(results, labels, strict=True)):
        ax.plot(np.arange(r.residuals.size), _positive_or_nan(r.residuals),
                marker=markers[i % len(markers)], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("iteration k")
    ax.set_ylabel("residual |f(x_k)|")
    ax.legend()
    return ax


# --- computational graph ------------------------------------------------------------


def _layout(wl):
    """Node positions: x by depth (layer), y spread evenly within the layer."""
    layers = wl.layers()
    pos = np.zeros((len(wl), 2))
    for depth in np.unique(layers):
        members = np.flatnonzero(layers == depth)
        offsets = np.arange(members.size) - (members.size - 1) / 2.0
        pos[members, 0] = depth
        pos[members, 1] = -offsets
    return pos


def _annotation_values(values, default, n, name):
    if values is None or values is False:
        return None
    if values is True:
        values = default()
    values = check_finite_array(values, name, ndim=1)
    if values.size != n:
        raise ValueError(f"{name} must have one value per node ({n}), got {values.size}")
    return values


@fill_doc
def plot_graph(wengert_list, *, values=None, tangents=None, adjoints=None,
               direction="forward", ax=None):
    """Draw the computational graph of a Wengert list, layer by layer.

    Parameters
    ----------
    wengert_list : WengertList
        From :func:`mixgrad.ad.trace`.
    values : bool or array-like of shape (n_nodes,), optional
        ``True`` annotates every node with its value ``w_i``.
    tangents : bool, dict or array-like of shape (n_nodes,), optional
        Tangents ``ẇ_i`` to annotate; a dict is a seed for
        ``wengert_list.forward_sweep``.
    adjoints : bool or array-like of shape (n_nodes,), optional
        Adjoints ``w̄_i`` to annotate; ``True`` runs ``reverse_sweep()``.
    direction : {"forward", "reverse"}, default "forward"
        Arrows from inputs to output (evaluation, tangents) or from the
        output back to the inputs (adjoints).
    %(ax_returns)s
        Patches: one circle per node and one arrow per edge (its ``gid`` is
        ``"w1->w3"``, in the direction drawn). Texts: one label per node
        (``w3`` and its operation) plus one per annotation.
    """
    wl = wengert_list
    if not all(hasattr(wl, a) for a in ("nodes", "edges", "layers")):
        raise TypeError(f"wengert_list must be a WengertList, got {type(wl).__name__}")
    if direction not in ("forward", "reverse"):
        raise ValueError(f"direction must be 'forward' or 'reverse', got {direction!r}")
    n = len(wl)
    if isinstance(tangents, dict):
        tangents = wl.forward_sweep(tangents)
    elif tangents is True:
        raise TypeError("tangents=True needs a seed: pass a dict such as {'x1': 1.0}")
    notes = [
        ("w", _annotation_values(values, lambda: wl.values, n, "values")),
        ("ẇ", _annotation_values(tangents, None, n, "tangents")),
        ("w̄", _annotation_values(adjoints, wl.reverse_sweep, n, "adjoints")),
    ]
    notes = [(sym, vals) for sym, vals in notes if vals is not None]
    ax = get_axes(ax)
    pos = _layout(wl)
    radius = 0.22
    edge_colour = PALETTE[0] if direction == "forward" else PALETTE[1]
    for i, j in wl.edges:
        a, b = (i, j) if direction == "forward" else (j, i)
        ax.add_patch(FancyArrowPatch(pos[a - 1], pos[b - 1], arrowstyle="-|>",
                                     mutation_scale=12, shrinkA=14, shrinkB=14,
                                     color=edge_colour, linewidth=1.2,
                                     connectionstyle="arc3,rad=0.08", gid=f"w{a}->w{b}"))
    for node in wl.nodes:
        x, y = pos[node.index - 1]
        face = "#e8f1fa" if node.op == "input" else "white"
        if node.index == wl.output:
            face = "#fde8d9"
        ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor="0.2", linewidth=1.2,
                            zorder=3))
        ax.text(x, y, f"w{node.index}\n{wl.label(node.index)}", ha="center", va="center",
                fontsize=8, zorder=4)
        for k, (sym, vals) in enumerate(notes):
            text = f"{sym}{node.index} = {vals[node.index - 1]:.4g}"
            ax.text(x, y - radius - 0.1 - 0.16 * k, text, ha="center", va="top", fontsize=7,
                    zorder=4)
    depth = max(pos[:, 0].max(), 1.0)
    ax.set_xlim(-0.6, depth + 0.6)
    ax.set_ylim(pos[:, 1].min() - 0.6 - 0.16 * len(notes), pos[:, 1].max() + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("evaluation (forward)" if direction == "forward" else "adjoints (reverse)",
                 fontsize=9)
    return ax


# --- forward versus reverse sweeps -------------------------------------------------------


def plot_sweep_costs(ns, fwd_times, rev_times, ax=None, *, xlabel="input dimension n",
                     ylabel="time per Jacobian [s]"):
    """Cost of a Jacobian by columns (forward sweeps) against rows (reverse sweeps).

    Parameters
    ----------
    ns : array-like of shape (m,)
        Problem sizes (number of inputs, or of outputs).
    fwd_times, rev_times : array-like of shape (m,)
        Cost of the forward-mode and reverse-mode Jacobians (seconds, or
        sweep counts with a matching ``ylabel``), all > 0.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        Two lines on log-log axes.
    """
    ns = check_finite_array(ns, "ns", ndim=1)
    curves = {}
    for name, t in (("fwd_times", fwd_times), ("rev_times", rev_times)):
        t = check_finite_array(t, name, ndim=1)
        if t.shape != ns.shape:
            raise ValueError(f"{name} has {t.size} values but ns has {ns.size}")
        if np.any(t <= 0) or np.any(ns <= 0):
            raise ValueError(f"ns and {name} must be > 0 for log-log axes")
        curves[name] = t
    ax = get_axes(ax)
    ax.plot(ns, curves["fwd_times"], marker="o", color=PALETTE[0],
            label="forward mode (one sweep per column)")
    ax.plot(ns, curves["rev_times"], marker="s", color=PALETTE[1],
            label="reverse mode (one sweep per row)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
