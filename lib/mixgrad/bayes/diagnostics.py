"""Convergence diagnostics and posterior tables (see :ref:`bayesian-unsupervised`).

A chapter asserts its diagnostics with one line,
``assert report.ok, report`` where ``report = convergence_report(idata, [...])``:
every reported quantity has rank-normalised split r-hat at most 1.01, bulk
and tail effective sample sizes of at least 400 (Vehtari et al. 2021: the
tail ESS governs the credible intervals printed everywhere), and the sampler
reported no divergent transitions, an E-BFMI of at least 0.3 in every chain
(Betancourt 2016; the provisional rule of thumb at which Stan and ArviZ flag a
chain) and no draw whose trajectory stopped at the maximum tree depth. The
last is an efficiency check, not a validity one (a truncated trajectory still
leaves the target invariant; Stan's documentation treats it as an efficiency
warning, PyMC warns only above 5 % of a chain's draws, ArviZ's ``diagnose``
flags any): its default of zero is deliberately strict; pass
``treedepth_draws_max`` to relax it.
"""

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ConvergenceReport", "convergence_report", "n_divergences", "min_bfmi", "n_max_treedepth",
    "ess_per_second",
    "posterior_draws", "posterior_table", "chain_intervals",
]


@dataclass(frozen=True)
class ConvergenceReport:
    """Worst-case diagnostics over the checked variables.

    Attributes
    ----------
    max_r_hat : float
        Largest rank-normalised split r-hat.
    min_ess_bulk, min_ess_tail : float
        Smallest bulk and tail effective sample sizes.
    divergences : int
        Number of divergent transitions over all chains (post-warm-up).
    min_bfmi : float
        Smallest per-chain E-BFMI (energy Bayesian fraction of missing
        information); NaN when the sampler recorded no ``energy``.
    max_treedepth_draws : int
        Number of draws whose NUTS trajectory stopped at the maximum tree depth
        (``sample_stats.reached_max_treedepth``; 0 if not recorded).
    r_hat_max, ess_min, max_divergences, bfmi_min, treedepth_draws_max : float or int
        The thresholds checked (a NaN ``min_bfmi`` passes: nothing to check).
    """

    max_r_hat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    min_bfmi: float = float("nan")
    max_treedepth_draws: int = 0
    r_hat_max: float = 1.01
    ess_min: float = 400.0
    max_divergences: int = 0
    bfmi_min: float = 0.3
    treedepth_draws_max: int = 0

    @property
    def ok(self):
        """True when every threshold is met."""
        return (self.max_r_hat <= self.r_hat_max and self.min_ess_bulk >= self.ess_min
                and self.min_ess_tail >= self.ess_min
                and self.divergences <= self.max_divergences
                and not self.min_bfmi < self.bfmi_min
                and self.max_treedepth_draws <= self.treedepth_draws_max)

    def __str__(self):
        return (f"max r_hat {self.max_r_hat:.3f} (<= {self.r_hat_max}), "
                f"min bulk ESS {self.min_ess_bulk:.0f}, min tail ESS {self.min_ess_tail:.0f} "
                f"(>= {self.ess_min:.0f}), "
                f"divergences {self.divergences} (<= {self.max_divergences}), "
                f"min E-BFMI {self.min_bfmi:.2f} (>= {self.bfmi_min}), "
                f"draws at max tree depth {self.max_treedepth_draws} "
                f"(<= {self.treedepth_draws_max})")


def _posterior(idata):
    try:
        return idata["posterior"]
    except (KeyError, TypeError) as exc:
        raise TypeError("idata must be inference data with a 'posterior' group, as returned "
                        "by mixgrad.bayes.sample") from exc


def _var_values(tree, var_names):
    ds = tree.to_dataset() if hasattr(tree, "to_dataset") else tree
    names = list(ds.data_vars) if var_names is None else list(var_names)
    missing = [v for v in names if v not in ds.data_vars]
    if missing:
        raise ValueError(f"var_names {missing} are not in the posterior; "
                         f"available: {sorted(ds.data_vars)}")
    return {v: np.asarray(ds[v].values, dtype=float) for v in names}


def n_divergences(idata):
    """Number of divergent transitions recorded by NUTS (0 if none were recorded).

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`.

    Returns
    -------
    int
    """
    div = _sample_stat(idata, "diverging")
    return 0 if div is None else int(div.sum())


def _sample_stat(idata, name):
    try:
        return np.asarray(idata["sample_stats"][name].values)
    except KeyError:
        return None


def min_bfmi(idata):
    """Smallest per-chain E-BFMI, ``sum((E[t] - E[t-1])**2) / sum((E[t] - mean E)**2)``.

    Computed by :func:`arviz.bfmi` from ``sample_stats.energy`` (the estimator
    of Betancourt 2016, arXiv:1604.00695). Values below 0.3, a provisional rule
    of thumb, suggest that the momentum resampling explores the energy
    distribution poorly (heavy tails, poor adaptation).

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`.

    Returns
    -------
    float
        NaN if the sampler recorded no energy (e.g. not NUTS/HMC).
    """
    if _sample_stat(idata, "energy") is None:
        return float("nan")
    import arviz as az

    return float(np.min(np.asarray(az.bfmi(idata)["energy"].values)))


def n_max_treedepth(idata):
    """Number of draws whose trajectory stopped at NUTS's maximum tree depth.

    Such draws are still valid draws of the chain; many of them mean slow
    exploration (an efficiency concern, which the ESS and r-hat also show).

    Parameters
    ----------
    idata : xarray.DataTree

    Returns
    -------
    int
        0 if ``sample_stats.reached_max_treedepth`` was not recorded.
    """
    hit = _sample_stat(idata, "reached_max_treedepth")
    return 0 if hit is None else int(hit.sum())


def convergence_report(idata, var_names=None, *, r_hat_max=1.01, ess_min=400,
                       max_divergences=0, bfmi_min=0.3, treedepth_draws_max=0):
    """Worst r-hat and ESS over ``var_names``, divergences, E-BFMI and tree-depth hits.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`.
    var_names : list of str, optional
        Variables to check (default: every posterior variable).
    r_hat_max, ess_min : float
        Thresholds (defaults 1.01 and 400, the book's standard); ``ess_min``
        applies to both the bulk and the tail ESS.
    max_divergences : int
        Largest acceptable number of divergences (0 for the marginalised models).
    bfmi_min : float, default 0.3
        Smallest acceptable per-chain E-BFMI (see :func:`min_bfmi`).
    treedepth_draws_max : int, default 0
        Largest acceptable number of draws at the maximum tree depth.

    Returns
    -------
    ConvergenceReport
    """
    import arviz as az

    post = _posterior(idata)
    values = _var_values(post, var_names)
    names = list(values)
    rhat = _var_values(az.rhat(idata, var_names=names), names)
    bulk = _var_values(az.ess(idata, var_names=names, method="bulk"), names)
    tail = _var_values(az.ess(idata, var_names=names, method="tail"), names)

    def worst(d, fn):
        return float(fn([fn(v) for v in d.values()]))

    return ConvergenceReport(
        max_r_hat=worst(rhat, np.max), min_ess_bulk=worst(bulk, np.min),
        min_ess_tail=worst(tail, np.min), divergences=n_divergences(idata),
        min_bfmi=min_bfmi(idata), max_treedepth_draws=n_max_treedepth(idata),
        r_hat_max=float(r_hat_max), ess_min=float(ess_min), max_divergences=int(max_divergences),
        bfmi_min=float(bfmi_min), treedepth_draws_max=int(treedepth_draws_max),
    )


def ess_per_second(idata, var_names=None, seconds=None):
    """Smallest bulk ESS over ``var_names`` divided by the sampling wall time.

    Parameters
    ----------
    idata : xarray.DataTree
    var_names : list of str, optional
    seconds : float, optional
        Wall time to divide by (default ``idata.attrs["sampling_seconds"]``).

    Returns
    -------
    float
    """
    if seconds is None:
        seconds = idata.attrs.get("sampling_seconds")
        if seconds is None:
            raise ValueError("seconds not given and idata.attrs has no 'sampling_seconds'; "
                             "sample with mixgrad.bayes.sample or pass seconds=")
    return convergence_report(idata, var_names).min_ess_bulk / float(seconds)


def posterior_draws(idata, var_name):
    """All draws of one variable, chains stacked.

    Parameters
    ----------
    idata : xarray.DataTree
    var_name : str

    Returns
    -------
    ndarray of shape (n_chains * n_draws, ...)
        The variable's own dimensions follow the draw axis.
    """
    arr = _var_values(_posterior(idata), [var_name])[var_name]
    return arr.reshape((-1,) + arr.shape[2:])


def posterior_table(idata, var_names, *, ci_prob=0.94, decimals=2):
    """Posterior mean, sd and equal-tailed interval of every scalar entry, rounded.

    Parameters
    ----------
    idata : xarray.DataTree
    var_names : list of str
    ci_prob : float, default 0.94
        Probability mass of the equal-tailed credible interval.
    decimals : int, default 2
        Rounding, so that printed tables are stable from run to run.

    Returns
    -------
    pandas.DataFrame
        Index ``"mu[0]"``, ``"sigma[1]"``, ...; columns mean, sd, lower, upper.
    """
    import pandas as pd

    if not 0.0 < float(ci_prob) < 1.0:
        raise ValueError(f"ci_prob must lie strictly between 0 and 1, got {ci_prob}")
    rows, index = [], []
    for name in var_names:
        draws = posterior_draws(idata, name)
        flat = draws.reshape(draws.shape[0], -1)
        for j in range(flat.shape[1]):
            pos = np.unravel_index(j, draws.shape[1:]) if draws.ndim > 1 else ()
            index.append(name + ("[" + ",".join(map(str, pos)) + "]" if pos else ""))
            lo, hi = np.quantile(flat[:, j], [(1 - ci_prob) / 2, (1 + ci_prob) / 2])
            rows.append([flat[:, j].mean(), flat[:, j].std(ddof=1), lo, hi])
    table = pd.DataFrame(rows, index=index, columns=["mean", "sd", "lower", "upper"])
    return table.round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def chain_intervals(idata, var_name, *, ci_probs=(0.5, 0.94)):
    """Each chain's mean and two equal-tailed intervals of every entry of one variable.

    What a forest plot draws, one row per chain (see
    :func:`mixgrad.plot.mixing.plot_chain_intervals`).

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`.
    var_name : str
        A posterior variable, e.g. ``"means"``.
    ci_probs : tuple of two floats, default (0.5, 0.94)
        Probability masses of the inner and the outer interval, increasing.

    Returns
    -------
    ndarray of shape (n_chains, n_entries, 5)
        Along the last axis: outer lower, inner lower, mean, inner upper, outer
        upper. Entries are the variable's own dimensions flattened in C order
        (``means[0]``, ``means[1]``, ... as in :func:`posterior_table`).
    """
    inner, outer = (float(p) for p in ci_probs)
    if not 0.0 < inner < outer < 1.0:
        raise ValueError(f"ci_probs must be two probabilities 0 < inner < outer < 1, "
                         f"got {ci_probs}")
    values = _var_values(_posterior(idata), [var_name])[var_name]
    flat = values.reshape(values.shape[:2] + (-1,))           # (chain, draw, entry)
    q = np.quantile(flat, [(1 - outer) / 2, (1 - inner) / 2, (1 + inner) / 2,
                           (1 + outer) / 2], axis=1)         # (4, chain, entry)
    return np.stack([q[0], q[1], flat.mean(axis=1), q[2], q[3]], axis=-1)
