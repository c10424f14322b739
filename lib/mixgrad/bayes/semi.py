"""Bayesian semi-supervised Gaussian mixtures (see :ref:`bayesian-semi-supervised`).

Some points carry a class label ``y_i`` in ``0 .. k-1``, the others ``-1``
(the Part II convention of :class:`mixgrad.mixture.GaussianMixtureClassifier`
with ``unlabelled=-1``). The likelihood is the semi-supervised one of :ref:`semi-supervised`:

.. math::

    \\sum_{i \\in L} \\log \\pi_{y_i} \\mathcal N(x_i \\mid \\mu_{y_i}, \\Sigma_{y_i})
    + \\sum_{j \\in U} \\log \\sum_k \\pi_k \\mathcal N(x_j \\mid \\mu_k, \\Sigma_k).

:func:`semi_supervised_mixture` writes the labelled part as an observed
``Categorical`` (the labels, ``"z_labelled"``) and an observed ``Normal`` /
``MvNormal`` (``"x_labelled"``), and the unlabelled part as a marginalised
``NormalMixture`` / ``Mixture`` (``"x_unlabelled"``).
:func:`latent_semi_supervised_mixture` is the seed's formulation, with a
latent ``Categorical`` ``"z"`` per unlabelled point, kept to compare against.
Class probabilities of new points come from
:func:`mixgrad.bayes.label_posterior` (the labels identify the
components, so no relabelling is needed).
"""

import numpy as np

from mixgrad._validation import check_integer, check_labels
from mixgrad.bayes.priors import check_data, lkj_cholesky_factors, resolve_priors

__all__ = [
    "semi_supervised_mixture",
    "latent_semi_supervised_mixture",
]


# --- input checks ----------------------------------------------------------------



def _prepare(X, y, n_components, priors, ordered):
    X = check_data(X, "X")
    k = check_integer(n_components, "n_components", minimum=1)
    if k > X.shape[0]:
        raise ValueError(f"n_components={k} exceeds the number of data points ({X.shape[0]}); "
                         "use fewer components or more data")
    y = check_labels(y, X.shape[0], k, name="y")
    priors = resolve_priors(priors, X, k)
    if ordered and X.shape[1] > 1:
        raise ValueError("ordered=True is only available for 1-D data (the ordered transform "
                         "acts on a vector of scalar means); use ordered=False")
    return X, y, k, priors


# --- building blocks shared by both formulations --------------------------------


def _coords(X, y, k):
    coords = {"component": np.arange(k),
              "obs_labelled": np.flatnonzero(y >= 0),
              "obs_unlabelled": np.flatnonzero(y < 0)}
    if X.shape[1] > 1:
        coords["feature"] = np.arange(X.shape[1])
        coords["feature_col"] = np.arange(X.shape[1])
    return coords


def _initial_means(X, y, k, priors, ordered):
    """Start values of the means, shape (k, d): labelled class means, else the prior's.

    Returns None (PyMC's default, the prior mean) when nothing is labelled and the
    means are unordered, so that no component is favoured.
    """
    if ordered:
        return priors.initial_means
    if not np.any(y >= 0):
        return None
    start = np.array(np.broadcast_to(priors.mean_loc, (k, X.shape[1])))
    for j in np.unique(y[y >= 0]):
        start[j] = X[y == j].mean(axis=0)
    return start


def _parameters(X, y, k, priors, ordered):
    """Create weights, means and scales in the current model; return (weights, means, scale).

    ``scale`` is the vector of sigmas (1-D) or the stacked Cholesky factors (k, d, d).
    """
    import pymc as pm

    weights = pm.Dirichlet("weights", a=priors.concentration, dims="component")
    start = _initial_means(X, y, k, priors, ordered)
    if X.shape[1] == 1:
        extra = {} if start is None else {"initval": start[:, 0]}
        if ordered:
            extra["transform"] = pm.distributions.transforms.ordered
        means = pm.Normal("means", mu=priors.mean_loc[0], sigma=priors.mean_scale[0],
                          dims="component", **extra)
        sigmas = pm.HalfNormal("sigmas", sigma=priors.sigma_scale[0], dims="component")
        return weights, means, sigmas
    means = pm.Normal("means", mu=priors.mean_loc, sigma=priors.mean_scale,
                      dims=("component", "feature"), initval=start)
    return weights, means, lkj_cholesky_factors(priors)


def _labelled_terms(X, y, weights, means, scale):
    """Observed labels and their points: log pi_{y_i} + log N(x_i | mu_{y_i}, Sigma_{y_i})."""
    import pymc as pm

    seen = y >= 0
    if not np.any(seen):
        return
    z = y[seen]
    pm.Categorical("z_labelled", p=weights, observed=z, dims="obs_labelled")
    if X.shape[1] == 1:
        pm.Normal("x_labelled", mu=means[z], sigma=scale[z], observed=X[seen, 0],
                  dims="obs_labelled")
    else:
        pm.MvNormal("x_labelled", mu=means[z], chol=scale[z], observed=X[seen],
                    dims=("obs_labelled", "feature"))


# --- the two formulations ---------------------------------------------------------


def semi_supervised_mixture(X, y, n_components, *, priors=None, ordered=False):
    """Semi-supervised Bayesian Gaussian mixture, unlabelled points marginalised.

    Labelled points enter through ``log pi_{y_i} + log N(x_i | mu_{y_i}, Sigma_{y_i})``
    (an observed ``Categorical`` for the labels and an observed ``Normal`` or
    ``MvNormal`` for their points); unlabelled points through the mixture
    density ``log sum_k pi_k N(x_j | mu_k, Sigma_k)`` (``NormalMixture`` in 1-D,
    ``Mixture`` of ``MvNormal`` otherwise), which sums the label out exactly.

    The seed instead gives every unlabelled point a latent ``Categorical``
    (:func:`latent_semi_supervised_mixture`). Those discrete labels cannot be
    moved by NUTS: PyMC updates them with Gibbs/Metropolis steps, one label at
    a time, each step evaluating the model, so one sweep costs O(n) model
    evaluations, and the labels and the parameters they depend on move
    slowly in alternation. Summing the labels out leaves only continuous
    parameters, all moved jointly by NUTS.

    No ordering is needed once every class has a label: the labelled points tie
    component ``c`` to class ``c``, so the posterior has one mode per labelling
    and chains cannot switch labels (``ordered=False``, the default). With no
    labels at all the model is the unsupervised mixture, and in 1-D
    ``ordered=True`` (increasing means) removes label switching.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        All points, labelled and unlabelled. A 1-D array (or a single column)
        gives the 1-D model with scalar ``"sigmas"``; more columns give the
        multivariate model with one LKJ Cholesky factor per component.
    y : array-like of int of shape (n_samples,)
        Class ``0 .. n_components - 1`` of each labelled point, ``-1`` for unlabelled.
    n_components : int
        Number of classes ``k`` (1 <= k <= n_samples).
    priors : MixturePriors, optional
        Default :func:`mixgrad.bayes.weakly_informative_priors` of ``X`` (all points).
    ordered : bool, default False
        1-D only: constrain ``means`` to increase (the ordered transform).

    Returns
    -------
    pymc.Model
        Free variables ``"weights"`` (k,), ``"means"`` (k,) or (k, d), and
        ``"sigmas"`` (k,) in 1-D or ``"chol_0" .. "chol_{k-1}"`` (packed LKJ
        Cholesky factors) with the Deterministics ``"covariances"`` (k, d, d) and
        ``"sigmas"`` (k, d), as in :func:`mixgrad.bayes.supervised_mixture`.
        Observed: ``"z_labelled"`` and ``"x_labelled"`` (if any point is
        labelled), ``"x_unlabelled"`` (if any is not). Coords ``"component"``,
        ``"obs_labelled"`` / ``"obs_unlabelled"`` (row numbers in ``X``) and
        ``"feature"``, ``"feature_col"`` (d > 1).
    """
    import pymc as pm

    X, y, k, priors = _prepare(X, y, n_components, priors, ordered)
    unseen = y < 0
    with pm.Model(coords=_coords(X, y, k)) as model:
        weights, means, scale = _parameters(X, y, k, priors, ordered)
        _labelled_terms(X, y, weights, means, scale)
        if np.any(unseen):
            if X.shape[1] == 1:
                pm.NormalMixture("x_unlabelled", w=weights, mu=means, sigma=scale,
                                 observed=X[unseen, 0], dims="obs_unlabelled")
            else:
                components = [pm.MvNormal.dist(mu=means[j], chol=scale[j]) for j in range(k)]
                pm.Mixture("x_unlabelled", w=weights, comp_dists=components,
                           observed=X[unseen], dims=("obs_unlabelled", "feature"))
    return model


def latent_semi_supervised_mixture(X, y, n_components, *, priors=None, ordered=False):
    """The seed's semi-supervised mixture: a latent ``Categorical`` per unlabelled point.

    Same priors and labelled terms as :func:`semi_supervised_mixture`, but each
    unlabelled point gets a discrete label ``z_j ~ Categorical(pi)`` and
    ``x_j ~ N(mu_{z_j}, Sigma_{z_j})``. The posterior of the continuous
    parameters is the same; sampling it is slower (PyMC mixes NUTS for the
    parameters with one-at-a-time Gibbs updates of ``z``). Kept for the
    comparison in :ref:`bayesian-semi-supervised`.

    Parameters
    ----------
    X, y, n_components, priors, ordered
        As in :func:`semi_supervised_mixture`.

    Returns
    -------
    pymc.Model
        As :func:`semi_supervised_mixture`, plus the free discrete ``"z"``
        (dims ``"obs_unlabelled"``); ``"x_unlabelled"`` is then a ``Normal`` /
        ``MvNormal`` given ``z``.
    """
    import pymc as pm

    X, y, k, priors = _prepare(X, y, n_components, priors, ordered)
    unseen = y < 0
    with pm.Model(coords=_coords(X, y, k)) as model:
        weights, means, scale = _parameters(X, y, k, priors, ordered)
        _labelled_terms(X, y, weights, means, scale)
        if np.any(unseen):
            z = pm.Categorical("z", p=weights, dims="obs_unlabelled")
            if X.shape[1] == 1:
                pm.Normal("x_unlabelled", mu=means[z], sigma=scale[z], observed=X[unseen, 0],
                          dims="obs_unlabelled")
            else:
                pm.MvNormal("x_unlabelled", mu=means[z], chol=scale[z], observed=X[unseen],
                            dims=("obs_unlabelled", "feature"))
    return model
