"""How many components: PSIS-LOO over K and the occupied components of a sparse mixture.

See the chapter :ref:`how-many-components`. Two Bayesian answers to "how many
components?", both computed from posterior draws of
:func:`mixgrad.bayes.marginal_mixture`:

* Fit the mixture for several ``K`` and compare their expected log pointwise
  predictive densities, estimated by Pareto-smoothed importance-sampling
  leave-one-out cross-validation (PSIS-LOO, Vehtari, Gelman and Gabry 2017).
  :func:`fit_over_k` samples each model and stores the pointwise
  log-likelihood ``log p(x_i | theta^(s))`` (PyMC's
  :func:`pymc.compute_log_likelihood`); :func:`loo_table` hands the draws to
  ArviZ (:func:`arviz.loo`, :func:`arviz.compare`) and collects what it
  reports per ``K``.
* Fit one deliberately overfitted mixture with a small Dirichlet concentration
  and count how many of its components the data use: see
  :mod:`mixgrad.bayes.occupied`.
"""

import numpy as np

from mixgrad._validation import check_integer

__all__ = ["add_log_likelihood", "fit_over_k", "loo_table", "predictive_convergence"]


def add_log_likelihood(idata, model):
    """Store the pointwise log-likelihood of ``model`` at the draws of ``idata``.

    :func:`pymc.compute_log_likelihood` evaluates the observed variable's
    log-density point by point, here the mixture density
    ``log sum_j pi_j N(x_i | mu_j, sigma_j^2)`` of each point ``i`` at each
    draw. PyMC refuses models with custom initial values (the model builders set
    the means' starting values), so they are removed while it runs and put back
    afterwards.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior draws of ``model`` (from :func:`mixgrad.bayes.sample`).
    model : pymc.Model

    Returns
    -------
    xarray.DataTree
        ``idata`` with a ``log_likelihood`` group: variable ``x`` of shape
        (chain, draw, n_samples).
    """
    import pymc as pm

    if not isinstance(model, pm.Model):
        raise TypeError(f"model must be a pymc.Model, got {type(model).__name__}")
    saved = dict(model.rvs_to_initial_values)
    try:
        for rv in model.free_RVs:
            model.set_initval(rv, None)
        return pm.compute_log_likelihood(idata, model=model, extend_inferencedata=True,
                                         progressbar=False)
    finally:
        model.rvs_to_initial_values.clear()
        model.rvs_to_initial_values.update(saved)


def fit_over_k(X, ks, *, random_seed, concentration=2.0, draws=500, tune=500, chains=4,
               cores=1, target_accept=0.9):
    """Sample the marginalised mixture for each number of components, with log-likelihoods.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        The data.
    ks : iterable of int
        Numbers of components to fit, e.g. ``range(1, 5)``.
    random_seed : int
        Seed of every sampler call (the same for each ``K``).
    concentration : float, default 2.0
        Dirichlet concentration of the weights
        (:func:`mixgrad.bayes.weakly_informative_priors`).
    draws, tune, chains, cores : int
        Passed to :func:`mixgrad.bayes.sample`.
    target_accept : float or dict of {int: float}, default 0.9
        NUTS target acceptance rate, one for all ``K`` or one per ``K``.

    Returns
    -------
    dict of {int: xarray.DataTree}
        Inference data per ``K`` with ``posterior``, ``sample_stats`` and
        ``log_likelihood`` groups.
    """
    from mixgrad.bayes.priors import check_data, weakly_informative_priors
    from mixgrad.bayes.sampling import sample
    from mixgrad.bayes.unsupervised import marginal_mixture

    X = check_data(X)
    ks = [check_integer(k, "ks", minimum=1) for k in ks]
    if not ks or len(set(ks)) != len(ks):
        raise ValueError(f"ks must be a non-empty list of distinct integers, got {ks}")
    fits = {}
    for k in ks:
        accept = target_accept.get(k, 0.9) if isinstance(target_accept, dict) else target_accept
        model = marginal_mixture(X, k, priors=weakly_informative_priors(
            X, k, concentration=concentration))
        idata = sample(model, random_seed=random_seed, draws=draws, tune=tune, chains=chains,
                       cores=cores, target_accept=accept)
        fits[k] = add_log_likelihood(idata, model)
    return fits


def loo_table(fits):
    """PSIS-LOO per number of components, from ArviZ, and its ranking.

    Parameters
    ----------
    fits : dict of {int: xarray.DataTree}
        Inference data with a ``log_likelihood`` group, keyed by ``K`` (as from
        :func:`fit_over_k`).

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``K``: ``elpd_loo`` and its standard error ``se``, the
        effective number of parameters ``p_loo``, ``max_k_hat`` (the largest
        Pareto k-hat over the points), ``good_k`` (ArviZ's threshold for a
        reliable importance-sampling estimate, ``min(1 - 1/log10(S), 0.7)`` for
        ``S`` draws), ``n_bad_k`` (points above it), and from
        :func:`arviz.compare` (unrounded) the ``rank`` (0 is best),
        ``elpd_diff`` (this model's elpd minus the best one's, so at most 0), its
        standard error ``dse``, ``p_worse``, the normal approximation's
        probability that this model predicts worse than the best, ``diag_diff``
        (ArviZ's warning, ``"|elpd_diff| < 4"`` or ``"N < 100"``, when that
        normal approximation is not well calibrated; empty otherwise) and
        ``weight`` (stacking weights, Yao et al. 2018: the weights of the best
        predictive combination of the models, not model probabilities).
    """
    import arviz as az
    import pandas as pd

    if not isinstance(fits, dict) or not fits:
        raise TypeError("fits must be a non-empty dict {K: inference data}, e.g. from "
                        "mixgrad.bayes.fit_over_k")
    rows = {}
    for k, idata in fits.items():
        if "log_likelihood" not in idata.children:
            raise ValueError(f"fits[{k}] has no log_likelihood group; add it with "
                             "mixgrad.bayes.add_log_likelihood(idata, model)")
        loo = az.loo(idata, pointwise=True)
        k_hat = np.asarray(loo.pareto_k, dtype=float)
        rows[k] = {"elpd_loo": float(loo.elpd), "se": float(loo.se), "p_loo": float(loo.p),
                   "max_k_hat": float(k_hat.max()), "good_k": float(loo.good_k),
                   "n_bad_k": int(np.sum(k_hat > loo.good_k))}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "K"
    compared = az.compare({k: fits[k] for k in fits}, round_to="none")
    for column in ("rank", "elpd_diff", "dse", "p_worse", "weight"):
        table[column] = compared[column].reindex(table.index).to_numpy(dtype=float)
    table["rank"] = table["rank"].astype(int)
    flags = compared["diag_diff"].reindex(table.index).fillna("")
    table["diag_diff"] = flags.astype(str).to_numpy()
    return table


def predictive_convergence(idata, **thresholds):
    """Convergence of the pointwise log-likelihood: the check for non-identified components.

    In an overfitted mixture the components are not identified (two can share a
    cluster in many ways), so the r-hat of ``means[j]`` may stay above 1.01 while
    the mixture density, and hence everything PSIS-LOO uses, has converged. This
    applies :func:`mixgrad.bayes.convergence_report` to ``log p(x_i | theta)``,
    a label-free quantity, for every point ``i``.

    Parameters
    ----------
    idata : xarray.DataTree
        With ``log_likelihood`` (variable ``x``) and ``sample_stats`` groups.
    **thresholds
        ``r_hat_max``, ``ess_min``, ``max_divergences`` of
        :func:`mixgrad.bayes.convergence_report`.

    Returns
    -------
    ConvergenceReport
        Worst r-hat and ESS over the points, and the divergences of the run.
    """
    import xarray as xr

    from mixgrad.bayes.diagnostics import convergence_report

    if "log_likelihood" not in idata.children:
        raise ValueError("idata has no log_likelihood group; add it with "
                         "mixgrad.bayes.add_log_likelihood(idata, model)")
    tree = xr.DataTree.from_dict({"posterior": idata["log_likelihood"].to_dataset(),
                                  "sample_stats": idata["sample_stats"].to_dataset()})
    return convergence_report(tree, ["x"], **thresholds)
