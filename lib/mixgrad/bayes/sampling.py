"""Quiet, seeded wrappers around PyMC's samplers (used from :ref:`bayesian-supervised` on).

PyMC reports its progress through a progress bar and the ``pymc`` logger.
In the book both are configuration: :func:`sample` turns the bar off by
default and lowers the logger to errors while it runs, so executed chapters
store only what the code prints. Warnings raised while sampling (for example
"the effective sample size per chain is smaller than 100") are not lost:
they are collected in ``idata.attrs["sampling_warnings"]`` and the chapters
assert the diagnostics themselves (:func:`mixgrad.bayes.convergence_report`).
PyMC reports divergences and low effective sample sizes through its logger at
the "error" level, not as warnings; :func:`sample` collects those log records
in the same list instead of printing them.
"""

import contextlib
import logging
import numbers
import time
import warnings

import numpy as np

from mixgrad._validation import check_integer

__all__ = ["sample", "sample_posterior_predictive", "find_map", "quiet_pymc"]

_LOGGERS = ("pymc", "pytensor", "arviz", "arviz_base", "arviz_stats")


@contextlib.contextmanager
def quiet_pymc(level=logging.ERROR):
    """Lower PyMC's, PyTensor's and ArviZ's loggers to ``level`` inside the block.

    Parameters
    ----------
    level : int, default logging.ERROR
        The logging level in effect inside the block; the previous levels are
        restored on exit.
    """
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(level)
    try:
        yield
    finally:
        for lg, lvl in zip(loggers, before, strict=True):
            lg.setLevel(lvl)


class _Collector(logging.Handler):
    """Keeps the messages of the log records it receives."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collect_logs():
    """Route PyMC's warning and error log records into a list instead of the console."""
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    saved = [(lg.level, lg.handlers[:], lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
        lg.handlers = [collector]
        lg.propagate = False
    try:
        yield collector.messages
    finally:
        for lg, (level, handlers, propagate) in zip(loggers, saved, strict=True):
            lg.setLevel(level)
            lg.handlers = handlers
            lg.propagate = propagate


def _check_seed(random_seed):
    if isinstance(random_seed, bool) or not isinstance(random_seed, numbers.Integral):
        raise TypeError(
            "random_seed must be an int so that the run can be repeated, got "
            f"{type(random_seed).__name__}; pass e.g. random_seed=2026"
        )
    if random_seed < 0:
        raise ValueError(f"random_seed must be non-negative, got {random_seed}")
    return int(random_seed)


def sample(model, *, random_seed, draws=1000, tune=1000, chains=4, cores=None,
           target_accept=0.9, progressbar=False, **kwargs):
    """Draw posterior samples with PyMC's default sampler, seeded and quiet.

    Parameters
    ----------
    model : pymc.Model
        The model to sample, e.g. from :func:`mixgrad.bayes.marginal_mixture`.
    random_seed : int
        Seed for every chain (required: runs must be repeatable).
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, number of chains.
    cores : int, optional
        Processes used to run the chains (PyMC's default: the CPU count, at most 4).
    target_accept : float, default 0.9
        NUTS target acceptance rate; higher means smaller steps and fewer divergences.
    progressbar : bool, default False
        Show PyMC's progress bar (useful interactively; off in the book).
    **kwargs
        Passed on to :func:`pymc.sample`.

    Returns
    -------
    xarray.DataTree
        The inference data (groups ``posterior``, ``sample_stats``, ...). Its
        ``attrs`` hold ``sampling_seconds`` (wall time of the call, compile
        included) and ``sampling_warnings`` (messages of warnings raised).
    """
    import pymc as pm

    if not isinstance(model, pm.Model):
        raise TypeError(f"model must be a pymc.Model, got {type(model).__name__}")
    seed = _check_seed(random_seed)
    draws = check_integer(draws, "draws", minimum=1)
    tune = check_integer(tune, "tune", minimum=0)
    chains = check_integer(chains, "chains", minimum=1)
    if not 0.0 < float(target_accept) < 1.0:
        raise ValueError(f"target_accept must lie strictly between 0 and 1, got {target_accept}")
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, _collect_logs() as logged:
        warnings.simplefilter("always")
        idata = pm.sample(
            draws=draws, tune=tune, chains=chains, cores=cores, random_seed=seed,
            target_accept=target_accept, progressbar=progressbar, model=model, **kwargs,
        )
    idata.attrs["sampling_seconds"] = time.perf_counter() - start
    idata.attrs["sampling_warnings"] = [str(w.message) for w in caught] + logged
    return idata


def sample_posterior_predictive(idata, model, *, random_seed, var_names=None, **kwargs):
    """Posterior predictive draws for ``model``, seeded and quiet.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`sample` for ``model``.
    model : pymc.Model
    random_seed : int
    var_names : list of str, optional
        Observed variables to predict (default: all observed).
    **kwargs
        Passed on to :func:`pymc.sample_posterior_predictive`.

    Returns
    -------
    xarray.DataTree
        ``idata`` extended with a ``posterior_predictive`` group.
    """
    import pymc as pm

    seed = _check_seed(random_seed)
    with warnings.catch_warnings(), quiet_pymc():
        warnings.simplefilter("ignore", FutureWarning)
        return pm.sample_posterior_predictive(
            idata, model=model, random_seed=seed, var_names=var_names,
            extend_inferencedata=True, progressbar=False, **kwargs,
        )


def find_map(model, *, seed=0, **kwargs):
    """Maximum a posteriori point of ``model`` (quiet wrapper of :func:`pymc.find_MAP`).

    Only PyMC's progress bar and its log messages below the error level are
    silenced. Python warnings raised by PyMC are not caught, so a reader sees
    them (e.g. "The optimizer did not converge"; this wrapper used to hide
    them all).

    Parameters
    ----------
    model : pymc.Model
    seed : int, default 0
        Seed of the starting-point jitter; it matters only with ``jitter=True``
        (the default here is PyMC's current one, ``jitter=False``: start at the
        model's initial point, or ``initvals``).
    **kwargs
        Passed on to :func:`pymc.find_MAP` (e.g. ``initvals``, ``method``).

    Returns
    -------
    dict of str to ndarray
        Values of the free variables (constrained space) at the MAP.
    """
    import pymc as pm

    seed = _check_seed(seed)
    kwargs = {"jitter": False, **kwargs, "return_inferencedata": True}
    with quiet_pymc():
        result = pm.find_MAP(model=model, progressbar=False, random_seed=seed, **kwargs)
    post = result["posterior"]
    return {v.name: np.asarray(post[v.name].values[0, 0]) for v in model.free_RVs}
