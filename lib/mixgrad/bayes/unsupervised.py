"""The Bayesian unsupervised mixture, with and without latent labels (:ref:`bayesian-unsupervised`).

Without labels the likelihood of a point is the mixture density

.. math::

    p(x_i \\mid \\pi, \\mu, \\sigma) = \\sum_{j=1}^{k} \\pi_j\\,
    \\mathcal N(x_i \\mid \\mu_j, \\sigma_j^2),

and there are two ways to hand it to PyMC:

* :func:`mixgrad.bayes.latent_mixture` keeps one latent label ``z_i ~ Categorical(pi)`` per
  point, as the lecture notes' PyMC3 model did. NUTS cannot move discrete
  variables, so PyMC builds a compound step: a Metropolis-within-Gibbs sweep
  over the labels (one proposal per point, each evaluating the whole model's
  log-density, so a sweep costs O(n^2)) and NUTS for the continuous
  parameters, which then move given the current labels only.
* :func:`mixgrad.bayes.marginal_mixture` sums the labels out (:term:`marginalisation`): the
  observed variable is :class:`pymc.NormalMixture` in 1-D and a
  :class:`pymc.Mixture` of :class:`pymc.MvNormal` components otherwise. Every
  free variable is continuous, NUTS moves them all at once, and the labels can
  be recovered afterwards from the draws (:func:`mixgrad.bayes.label_posterior`).

Both put the same priors on the parameters
(:func:`mixgrad.bayes.weakly_informative_priors`). The priors are
exchangeable, so the posterior is symmetric under relabelling the components.
In 1-D ``ordered=True`` applies PyMC's ordered transform to the means
(:math:`\\mu_1 < \\mu_2 < \\dots`), which removes the symmetry; in more
dimensions no coordinate is a natural order, so the multivariate model is left
unordered and its draws are relabelled afterwards
(:func:`mixgrad.bayes.relabel`).
"""

import numpy as np

from mixgrad._validation import check_integer
from mixgrad.bayes.priors import check_data, lkj_cholesky_factors, resolve_priors

__all__ = ["latent_mixture", "marginal_mixture", "label_posterior"]


# --- shared checks -------------------------------------------------------------------------

def _check_k(n_components, n):
    k = check_integer(n_components, "n_components", minimum=1)
    if k > n:
        raise ValueError(f"n_components={k} exceeds the number of data points ({n}); "
                         "use fewer components or more data")
    return k



def _check_ordered(ordered):
    if not isinstance(ordered, (bool, np.bool_)):
        raise TypeError(f"ordered must be True or False, got {type(ordered).__name__}")
    return bool(ordered)


def _means_1d(pm, priors, ordered):
    """The 1-D component means, ordered (increasing) or exchangeable."""
    kwargs = {"transform": pm.distributions.transforms.ordered} if ordered else {}
    return pm.Normal("means", mu=priors.mean_loc[0], sigma=priors.mean_scale[0],
                     dims="component", initval=priors.initial_means[:, 0], **kwargs)


# --- model builders ------------------------------------------------------------------------

def latent_mixture(X, n_components, *, priors=None, ordered=True):
    """1-D Gaussian mixture with one latent label per point (the seed's model, fixed).

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 1)
        The data (univariate; for several features use
        :func:`mixgrad.bayes.marginal_mixture`).
    n_components : int
        Number of components ``k`` (``1 <= k <= n_samples``).
    priors : MixturePriors, optional
        Hyper-parameters; default ``weakly_informative_priors(X, n_components)``.
    ordered : bool, default True
        Put PyMC's ordered transform on the means, so that component 0 is the
        leftmost one in every draw.

    Returns
    -------
    pymc.Model
        Coordinates "component" and "obs". Free variables: ``weights`` (k,) ~
        Dirichlet; ``means`` (k,) ~ Normal; ``sigmas`` (k,) ~ HalfNormal; the
        labels ``z`` (n,) ~ Categorical(weights), started at the component whose
        initial mean is nearest to each point. Observed: ``x`` (n,) ~
        Normal(means[z], sigmas[z]).

    Notes
    -----
    :func:`mixgrad.bayes.sample` on this model uses a compound step: NUTS for
    the continuous variables and, for ``z``, Metropolis-within-Gibbs
    (:class:`pymc.BinaryGibbsMetropolis` for ``k = 2``, otherwise
    :class:`pymc.CategoricalGibbsMetropolis`), which re-evaluates the model's
    log-density once per label and sweep.
    """
    import pymc as pm

    X = check_data(X)
    if X.shape[1] != 1:
        raise ValueError(f"X must be univariate (shape (n,) or (n, 1)), got {X.shape[1]} "
                         "features; use marginal_mixture for multivariate data")
    x = X[:, 0]
    k = _check_k(n_components, x.shape[0])
    priors = resolve_priors(priors, X, k)
    ordered = _check_ordered(ordered)
    start = np.abs(x[:, None] - priors.initial_means[None, :, 0]).argmin(axis=1)
    coords = {"component": np.arange(k), "obs": np.arange(x.shape[0])}
    with pm.Model(coords=coords) as model:
        weights = pm.Dirichlet("weights", a=priors.concentration, dims="component")
        means = _means_1d(pm, priors, ordered)
        sigmas = pm.HalfNormal("sigmas", sigma=priors.sigma_scale[0], dims="component")
        z = pm.Categorical("z", p=weights, dims="obs", initval=start)
        pm.Normal("x", mu=means[z], sigma=sigmas[z], observed=x, dims="obs")
    return model


def marginal_mixture(X, n_components, *, priors=None, ordered=None):
    """Gaussian mixture with the labels summed out: NormalMixture (1-D) or Mixture of MvNormal.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        The data; one column (or a 1-D array) gives the univariate model.
    n_components : int
        Number of components ``k`` (``1 <= k <= n_samples``).
    priors : MixturePriors, optional
        Hyper-parameters; default ``weakly_informative_priors(X, n_components)``.
    ordered : bool, optional
        Ordered transform on the means. Default: True for univariate data,
        False for multivariate data, where it is not available (raises
        ValueError): relabel the draws with :func:`mixgrad.bayes.relabel`
        instead.

    Returns
    -------
    pymc.Model
        Coordinates "component" and "obs" (and "feature", "feature_col" for
        d > 1). Free variables: ``weights`` (k,) ~ Dirichlet; ``means`` ~ Normal,
        shape (k,) in 1-D or (k, d); in 1-D ``sigmas`` (k,) ~ HalfNormal; for
        d > 1 one :func:`pymc.LKJCholeskyCov` per component, ``chol_0``,
        ``chol_1``, ... (packed Cholesky factors: LKJ(eta) correlations,
        HalfNormal scales per coordinate), with the deterministics
        ``covariances`` (k, d, d) and ``sigmas`` (k, d). Observed: ``x``, the
        mixture density, shape (n,) or (n, d).
    """
    import pymc as pm

    X = check_data(X)
    n, d = X.shape
    k = _check_k(n_components, n)
    priors = resolve_priors(priors, X, k)
    ordered = (d == 1) if ordered is None else _check_ordered(ordered)
    if ordered and d > 1:
        raise ValueError("ordered=True needs univariate data: in several dimensions no "
                         "coordinate orders the components naturally. Pass ordered=False and "
                         "relabel the draws with mixgrad.bayes.relabel")
    coords = {"component": np.arange(k), "obs": np.arange(n)}
    if d > 1:
        coords |= {"feature": np.arange(d), "feature_col": np.arange(d)}
    with pm.Model(coords=coords) as model:
        weights = pm.Dirichlet("weights", a=priors.concentration, dims="component")
        if d == 1:
            means = _means_1d(pm, priors, ordered)
            sigmas = pm.HalfNormal("sigmas", sigma=priors.sigma_scale[0], dims="component")
            pm.NormalMixture("x", w=weights, mu=means, sigma=sigmas, observed=X[:, 0],
                             dims="obs")
            return model
        means = pm.Normal("means", mu=priors.mean_loc, sigma=priors.mean_scale,
                          dims=("component", "feature"), initval=priors.initial_means)
        chol = lkj_cholesky_factors(priors)
        components = [pm.MvNormal.dist(mu=means[j], chol=chol[j]) for j in range(k)]
        pm.Mixture("x", w=weights, comp_dists=components, observed=X, dims=("obs", "feature"))
    return model


# --- labels after the fact -----------------------------------------------------------------

def _log_densities(X, means, sigmas=None, covariances=None):
    """log N(x_i | component j of draw s), shape (s, n, k)."""
    if covariances is None:  # 1-D: means, sigmas of shape (s, k)
        z = (X[None, :, 0, None] - means[:, None, :]) / sigmas[:, None, :]
        return -0.5 * z**2 - np.log(sigmas[:, None, :]) - 0.5 * np.log(2 * np.pi)
    d = X.shape[1]
    chol = np.linalg.cholesky(covariances)                      # (s, k, d, d)
    diff = X[None, None, :, :] - means[:, :, None, :]           # (s, k, n, d)
    white = np.linalg.solve(chol, np.swapaxes(diff, -1, -2))    # (s, k, d, n)
    log_det = np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)  # (s, k)
    out = -0.5 * (white**2).sum(axis=-2) - log_det[..., None] - 0.5 * d * np.log(2 * np.pi)
    return np.swapaxes(out, -1, -2)                             # (s, n, k)


def _draws_for_labels(idata, X):
    """Weights (s, k), means and the scale draws of a posterior, checked against ``X``."""
    from mixgrad.bayes.diagnostics import posterior_draws

    weights = posterior_draws(idata, "weights")
    means = posterior_draws(idata, "means")
    multivariate = means.ndim == 3
    d = means.shape[2] if multivariate else 1
    if X.shape[1] != d:
        raise ValueError(f"X has {X.shape[1]} features but the posterior means have {d}; "
                         "pass points of the data's dimension")
    scale = posterior_draws(idata, "covariances" if multivariate else "sigmas")
    return weights, means, scale, multivariate


def _log_joint_draws(idata, X, *, draws=None):
    """``log pi_j + log N(x_i | theta_j)`` for every posterior draw, shape (s, n, k).

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior with ``weights`` (k,), ``means`` (k,) or (k, d) and ``sigmas``
        (1-D) or ``covariances`` (k, d, d).
    X : array-like of shape (n_points,) or (n_points, n_features)
    draws : array-like of int, optional
        Indices of the stacked draws to use (default: all).

    Returns
    -------
    ndarray of shape (n_used_draws, n_points, n_components)
    """
    X = check_data(X, min_samples=1)
    weights, means, scale, multivariate = _draws_for_labels(idata, X)
    if draws is not None:
        weights, means, scale = weights[draws], means[draws], scale[draws]
    if multivariate:
        log_dens = _log_densities(X, means, covariances=scale)
    else:
        log_dens = _log_densities(X, means, sigmas=scale)
    return np.log(weights)[:, None, :] + log_dens


def label_posterior(idata, X, *, predictive=False, chunk=500):
    """Label probabilities from the draws: in-sample E[r_ij | data] or the posterior predictive.

    With ``r_ij(s) = pi_j N(x_i | theta_j) / sum_l pi_l N(x_i | theta_l)`` the
    E-step of EM at draw ``s``, two quantities are computed from the same draws:

    ``predictive=False`` (in-sample points)
        the average ``(1/S) sum_s r_ij(s)``. For a point ``x_i`` of the data the
        model was fitted to, this is ``p(z_i = j | data)``: ``x_i`` is already in
        the conditioning set.
    ``predictive=True`` (new points)
        the ratio of averages ``sum_s pi_j N(x | theta_j) / sum_s sum_l pi_l
        N(x | theta_l)``, i.e. Bayes' rule with the posterior predictive class
        densities, ``p(z = j | x, data)`` for a point ``x`` *not* in the data.
        The average of the ratios is then only the posterior mean of the plug-in
        classifier (it ignores that ``x`` itself informs ``theta``).

    Components must be identified (labelled classes, ordered means or
    relabelled draws).

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior with ``weights`` (k,), ``means`` (k,) or (k, d), and ``sigmas``
        (1-D) or ``covariances`` (k, d, d), e.g. from :func:`mixgrad.bayes.marginal_mixture`.
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        Points to classify: the fitted data (``predictive=False``) or new points
        (``predictive=True``).
    predictive : bool, default False
        Return the posterior predictive class probabilities of new points.
    chunk : int, default 500
        Draws processed at a time (bounds the memory to ``chunk * n * k`` floats).

    Returns
    -------
    ndarray of shape (n_samples, n_components)
        Rows sum to one.
    """
    from scipy.special import logsumexp

    X = check_data(X, min_samples=1)
    chunk = check_integer(chunk, "chunk", minimum=1)
    if not isinstance(predictive, (bool, np.bool_)):
        raise TypeError(f"predictive must be True or False, got {type(predictive).__name__}")
    n_draws = _draws_for_labels(idata, X)[0].shape[0]
    parts = []
    for start in range(0, n_draws, chunk):
        log_joint = _log_joint_draws(idata, X, draws=np.arange(start, min(start + chunk, n_draws)))
        if predictive:  # log sum_s pi_j N(x | theta_j^(s)), shape (n, k)
            parts.append(logsumexp(log_joint, axis=0))
        else:           # sum_s r_ij(s), shape (n, k)
            parts.append(np.exp(log_joint - logsumexp(log_joint, axis=-1, keepdims=True))
                         .sum(axis=0))
    if predictive:
        log_mix = logsumexp(np.stack(parts), axis=0)
        return np.exp(log_mix - logsumexp(log_mix, axis=-1, keepdims=True))
    return np.sum(parts, axis=0) / n_draws
