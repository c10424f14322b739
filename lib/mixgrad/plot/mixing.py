"""Figures of the Bayesian unsupervised chapter: how well chains mix, and predictive checks.

- :func:`plot_chain_traces`: one component's mean against the iteration, one
  line per chain (label switching shows as chains at different levels);
- :func:`plot_rank_histograms`: ranks of one quantity's draws among all
  chains, one histogram per chain (flat when the chains agree);
- :func:`autocorrelation` and :func:`plot_autocorrelation`: the chain
  autocorrelation of one quantity for several samplers;
- :func:`plot_ess_per_second`: effective samples per second as bars;
- :func:`plot_predictive_check`: the data's histogram over the histograms of
  replicated data sets drawn from the posterior predictive distribution;
- :func:`plot_chain_intervals`: a compact forest plot, each chain's interval of
  every component of one variable for several runs.

Every function takes an optional ``ax`` (a new figure is made if None) and
returns the Axes it drew on. See the chapter :ref:`bayesian-unsupervised`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer

from ._base import get_axes
from .style import PALETTE

__all__ = ["plot_chain_traces", "plot_rank_histograms", "autocorrelation",
           "plot_autocorrelation", "plot_ess_per_second", "plot_predictive_check",
           "plot_chain_intervals"]


def _chains(idata, var_name, index):
    """Draws of one scalar entry of a posterior variable, shape (n_chains, n_draws)."""
    try:
        da = idata["posterior"][var_name]
    except KeyError:
        raise ValueError(f"var_name {var_name!r} is not in the posterior") from None
    values = np.asarray(da.values, dtype=float)
    index = (index,) if np.isscalar(index) else tuple(index)
    if len(index) != values.ndim - 2:
        raise ValueError(f"{var_name} has {values.ndim - 2} non-sample dimension(s) "
                         f"(shape {values.shape[2:]}); pass index with that many entries")
    return values[(slice(None), slice(None)) + index]


@fill_doc
def plot_chain_traces(idata, var_name="means", index=0, *, ax=None):
    """One posterior entry against the iteration, one line per chain.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`.
    var_name : str, default "means"
    index : int or tuple of int, default 0
        The entry of the variable (e.g. the component), ``means[index]``.
    %(ax_returns)s
        One line per chain, in chain order.
    """
    chains = _chains(idata, var_name, index)
    ax = get_axes(ax)
    for c, trace in enumerate(chains):
        ax.plot(trace, color=PALETTE[c % len(PALETTE)], linewidth=0.6, alpha=0.85,
                label=f"chain {c}")
    ax.set_xlabel("draw")
    label = ",".join(map(str, np.atleast_1d(index)))
    ax.set_ylabel(f"{var_name}[{label}]")
    ax.legend(loc="best", fontsize=8, ncol=min(len(chains), 4))
    return ax


@fill_doc
def plot_rank_histograms(idata, var_name="means", index=0, *, bins=20, ax=None):
    """Histograms of the ranks of one entry's draws among all chains, per chain.

    When the chains sample the same distribution every chain's ranks are
    uniform, so each histogram is flat at ``n_draws / bins``; a chain stuck in a
    different region has all its ranks at one end.

    Parameters
    ----------
    idata : xarray.DataTree
    var_name : str, default "means"
    index : int or tuple of int, default 0
    bins : int, default 20
    %(ax_returns)s
        One step line per chain, then the dashed uniform level.
    """
    chains = _chains(idata, var_name, index)
    bins = check_integer(bins, "bins", minimum=2)
    from arviz_stats.base import array_stats  # ArviZ ranks the pooled draws (1 .. n)

    ranks = array_stats.compute_ranks(chains.ravel()).reshape(chains.shape) - 1
    edges = np.linspace(0, chains.size, bins + 1)
    ax = get_axes(ax)
    for c, r in enumerate(ranks):
        counts, _ = np.histogram(r, bins=edges)
        ax.stairs(counts, edges, color=PALETTE[c % len(PALETTE)], linewidth=1.2,
                  label=f"chain {c}")
    ax.axhline(chains.shape[1] / bins, color="black", linestyle="--", linewidth=0.8,
               label="uniform")
    ax.set_xlabel("rank among all draws")
    ax.set_ylabel("draws per bin")
    ax.legend(loc="best", fontsize=8, ncol=2)
    return ax


def autocorrelation(chains, max_lag=50):
    """Autocorrelation of draws, averaged over chains.

    Parameters
    ----------
    chains : array-like of shape (n_chains, n_draws) or (n_draws,)
    max_lag : int, default 50
        Largest lag (less than ``n_draws``).

    Returns
    -------
    ndarray of shape (max_lag + 1,)
        ``rho[l]`` is the mean over chains of
        ``sum_t (x_t - m)(x_{t+l} - m) / sum_t (x_t - m)^2`` with ``m`` the chain
        mean, so ``rho[0] = 1``; each chain's is ArviZ's
        (``arviz_stats`` ``autocorr``, by FFT).
    """
    chains = check_finite_array(chains, "chains", ndim=(1, 2))
    chains = np.atleast_2d(chains)
    max_lag = check_integer(max_lag, "max_lag", minimum=0)
    n = chains.shape[1]
    if max_lag >= n:
        raise ValueError(f"max_lag must be smaller than the number of draws ({n}), got {max_lag}")
    if np.any(np.ptp(chains, axis=1) == 0):
        raise ValueError("a chain is constant; its autocorrelation is undefined")
    from arviz_stats.base import array_stats  # FFT autocorrelation of each chain

    return array_stats.autocorr(chains, axis=-1)[:, : max_lag + 1].mean(axis=0)


@fill_doc
def plot_autocorrelation(series, max_lag=50, *, ax=None):
    """Chain autocorrelation against the lag for several samplers.

    Parameters
    ----------
    series : dict of {str: array-like of shape (n_chains, n_draws)}
        Draws of the same quantity from each sampler, keyed by legend label.
    max_lag : int, default 50
    %(ax_returns)s
        One line per sampler, in the order of ``series``.
    """
    if not isinstance(series, dict) or not series:
        raise ValueError("series must be a non-empty dict {label: draws of shape "
                         "(n_chains, n_draws)}")
    ax = get_axes(ax)
    for i, (label, chains) in enumerate(series.items()):
        ax.plot(np.arange(max_lag + 1), autocorrelation(chains, max_lag), marker="o",
                markersize=2.5, color=PALETTE[i % len(PALETTE)], label=label)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel("lag (draws)")
    ax.set_ylabel("autocorrelation")
    ax.legend(loc="best", fontsize=8)
    return ax


@fill_doc
def plot_ess_per_second(rates, *, ax=None):
    """Effective samples per second as horizontal bars on a log scale.

    Parameters
    ----------
    rates : dict of {str: float}
        Positive rates keyed by sampler label.
    %(ax_returns)s
        One bar per sampler, top to bottom in the order of ``rates``, starting at
        the power of ten below the smallest rate and labelled with its value.
    """
    if not isinstance(rates, dict) or not rates:
        raise ValueError("rates must be a non-empty dict {label: effective samples per second}")
    values = check_finite_array(list(rates.values()), "rates", ndim=1)
    if np.any(values <= 0):
        raise ValueError(f"rates must be positive, got {values}")
    ax = get_axes(ax)
    rows = -np.arange(len(values))
    base = 10.0 ** np.floor(np.log10(values.min()))  # bars start at a power of ten, not at 0
    ax.barh(rows, values - base, left=base,
            color=[PALETTE[i % len(PALETTE)] for i in range(len(values))])
    for row, value in zip(rows, values, strict=True):
        text = f"{value:.0f}/s" if value >= 10 else f"{value:.2g}/s"
        ax.annotate(text, (value, row), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9)
    ax.set_yticks(rows, list(rates))
    ax.set_xscale("log")
    ax.set_xlim(base, values.max() * 3)
    ax.set_xlabel("effective samples per second (log scale)")
    ax.grid(axis="y", visible=False)
    return ax


@fill_doc
def plot_predictive_check(x, replicates, *, n_lines=40, bins=30, ax=None):
    """Histogram of the data over the histograms of replicated data sets.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The observed data.
    replicates : array-like of shape (n_replicates, n_samples)
        Data sets drawn from the posterior predictive distribution (draws stacked).
    n_lines : int, default 40
        Number of evenly spaced replicates drawn as thin lines.
    bins : int, default 30
        Number of bins over the range of the data and the drawn replicates.
    %(ax_returns)s
        ``n_lines`` thin step lines (replicates), then the data's thick step line.
    """
    x = check_finite_array(x, "x", ndim=1)
    replicates = check_finite_array(replicates, "replicates", ndim=2)
    if replicates.shape[1] != x.shape[0]:
        raise ValueError(f"replicates must have one column per data point ({x.shape[0]}), "
                         f"got shape {replicates.shape}")
    n_lines = check_integer(n_lines, "n_lines", minimum=1)
    bins = check_integer(bins, "bins", minimum=2)
    keep = np.unique(np.linspace(0, replicates.shape[0] - 1, n_lines).round().astype(int))
    shown = replicates[keep]
    edges = np.linspace(min(x.min(), shown.min()), max(x.max(), shown.max()), bins + 1)
    ax = get_axes(ax)
    for i, rep in enumerate(shown):
        counts, _ = np.histogram(rep, bins=edges, density=True)
        ax.stairs(counts, edges, color=PALETTE[0], alpha=0.25, linewidth=0.8,
                  label="replicated data" if i == 0 else None)
    counts, _ = np.histogram(x, bins=edges, density=True)
    ax.stairs(counts, edges, color="black", linewidth=2.0, label="observed data")
    ax.set_ylabel("density")
    ax.legend(loc="best", fontsize=8)
    return ax


@fill_doc
def plot_chain_intervals(runs, var_name="means", *, entry_labels=None, ci_probs=(0.5, 0.94),
                         ax=None):
    """A compact forest plot: each chain's intervals of one variable, for several runs.

    One row per (entry, run, chain), grouped by entry; the y axis is labelled
    only by the entries (``entry_labels``), the runs by colour in the legend,
    and the chains of a run are its adjacent rows, in chain order from the top.
    The numbers come from :func:`mixgrad.bayes.chain_intervals`.

    Parameters
    ----------
    runs : dict of {str: xarray.DataTree}
        Posterior runs keyed by their legend label, each with ``var_name``.
    var_name : str, default "means"
    entry_labels : list of str, optional
        One short label per entry of the variable (default ``"0"``, ``"1"``, ...).
    ci_probs : tuple of two floats, default (0.5, 0.94)
        Inner (thick line) and outer (thin line) interval masses.
    %(ax_returns)s
        For every run, one thin and one thick line per row and the chain means
        as dots; the first row of each run carries its legend label.
    """
    from mixgrad.bayes.diagnostics import chain_intervals

    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict {label: inference data}")
    stats = {label: chain_intervals(idata, var_name, ci_probs=ci_probs)
             for label, idata in runs.items()}
    n_entries = {s.shape[1] for s in stats.values()}
    if len(n_entries) != 1:
        raise ValueError(f"every run must have the same entries of {var_name!r}, got "
                         f"{sorted(n_entries)}")
    (n_entry,) = n_entries
    labels = [str(j) for j in range(n_entry)] if entry_labels is None else list(entry_labels)
    if len(labels) != n_entry:
        raise ValueError(f"entry_labels must have {n_entry} labels, got {len(labels)}")
    ax = get_axes(ax)
    rows_per_entry = sum(s.shape[0] for s in stats.values())
    step = 1.0 / (rows_per_entry + 1)  # rows of one entry fill (y - 0.5, y + 0.5)
    centres = -np.arange(n_entry, dtype=float)
    for j, centre in enumerate(centres):
        y = centre + 0.5 - step
        for r, (label, s) in enumerate(stats.items()):
            colour = PALETTE[r % len(PALETTE)]
            for c in range(s.shape[0]):
                lo, lo_in, mean, hi_in, hi = s[c, j]
                ax.plot([lo, hi], [y, y], color=colour, linewidth=0.9,
                        label=label if (j == 0 and c == 0) else None)
                ax.plot([lo_in, hi_in], [y, y], color=colour, linewidth=2.6)
                ax.plot([mean], [y], "o", color=colour, markersize=3.5)
                y -= step
    ax.set_yticks(centres, labels)
    for centre in centres[1:]:
        ax.axhline(centre + 0.5, color="0.85", linewidth=0.8)
    ax.set_ylim(centres[-1] - 0.5, 0.5)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="best", fontsize=8)
    return ax
