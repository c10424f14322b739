"""The Bayesian supervised mixture: every label observed (:ref:`bayesian-supervised`).

With the labels ``z`` known, the joint density of a labelled data set factorises
into a categorical part for the labels and one Gaussian part per component,

.. math::

    p(\\pi, \\mu, \\Sigma \\mid x, z) \\propto p(\\pi)\\, p(\\mu)\\, p(\\Sigma)
    \\prod_i \\pi_{z_i}\\, \\mathcal N(x_i \\mid \\mu_{z_i}, \\Sigma_{z_i}),

so the posterior is the Bayesian counterpart of the closed-form MLE of a
generative classifier (:ref:`generative-classifiers`): the weights only see the
label counts, each component's mean and scale only see the points with its
label. Unlike the latent-label models, the labels name the components, so
neither an ordering constraint nor a relabelling step is needed.

Compared with the PyMC3 model of the lecture notes the book starts from:
``Uniform(0, 1)`` weight plus ``1 - p`` becomes a Dirichlet over all ``k``
weights; ``Uniform(0, 100)`` scales become HalfNormal priors scaled to the
data; fixed ``Normal([130, 170], 20)`` centres become priors set from the data
(:func:`mixgrad.bayes.weakly_informative_priors`); the ``Potential`` that
forbids weights below 0.1 and the one that orders the centres are dropped
(the Dirichlet keeps weights off zero, the labels identify the components);
``sd=`` is spelled ``sigma=``.
"""

import numpy as np
from scipy.special import logsumexp

from mixgrad._validation import check_labels
from mixgrad.bayes.diagnostics import posterior_draws
from mixgrad.bayes.priors import check_data, lkj_cholesky_factors, resolve_priors

__all__ = ["supervised_mixture", "check_complete_labels", "class_probability_draws"]


def check_complete_labels(z, n_samples, n_components=None, name="z"):
    """Validate labels that are all observed and return them with ``k``.

    Parameters
    ----------
    z : array-like of int of shape (n_samples,)
        Component index of every point, in ``[0, n_components)``.
    n_samples : int
        Number of data points the labels belong to.
    n_components : int, optional
        Number of components ``k`` (default ``max(z) + 1``).
    name : str, default "z"
        Parameter name used in error messages.

    Returns
    -------
    labels : ndarray of intp of shape (n_samples,)
    n_components : int
    """
    if n_components is not None:
        if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)):
            raise TypeError(f"n_components must be an integer, got {type(n_components).__name__}")
        if n_components < 1:
            raise ValueError(f"n_components must be >= 1, got {n_components}")
    upper = np.iinfo(np.intp).max if n_components is None else int(n_components)
    labels = check_labels(z, n_samples, upper, name)
    if np.any(labels < 0):
        raise ValueError(
            f"{name} contains -1 (unlabelled) for {int(np.sum(labels < 0))} points; the "
            "supervised model needs every label. Drop those points, or use the "
            "semi-supervised model for partly labelled data"
        )
    k = int(labels.max()) + 1 if n_components is None else int(n_components)
    return labels, k



def _class_means(X, labels, k, fallback):
    """Per-class sample means (the prior centre for empty classes), shape (k, d)."""
    means = np.array(fallback, dtype=float)
    for j in range(k):
        if np.any(labels == j):
            means[j] = X[labels == j].mean(axis=0)
    return means


def supervised_mixture(X, z, n_components=None, *, priors=None):
    """PyMC model of a Gaussian mixture whose labels are all observed.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        The data; one column (or a 1-D array) gives the univariate model.
    z : array-like of int of shape (n_samples,)
        Observed component of every point, in ``[0, n_components)``.
    n_components : int, optional
        Number of components ``k`` (default ``max(z) + 1``); ``k <= n_samples``.
    priors : MixturePriors, optional
        Hyper-parameters; default ``weakly_informative_priors(X, k)``.

    Returns
    -------
    pymc.Model
        Coordinates "component" and "obs" (and "feature", "feature_col" for d > 1).
        Variables: ``weights`` (k,) ~ Dirichlet; observed labels ``z`` ~
        Categorical(weights); ``means`` ~ Normal, shape (k,) in 1-D or (k, d);
        in 1-D ``sigmas`` (k,) ~ HalfNormal; for d > 1 one
        :func:`pymc.LKJCholeskyCov` per component, ``chol_0``, ``chol_1``, ...
        (packed Cholesky factors; LKJ(eta) correlations, HalfNormal scales) with
        the deterministics ``covariances`` (k, d, d) and ``sigmas`` (k, d);
        observed data ``x`` ~ Normal / MvNormal with the parameters of its label.
    """
    import pymc as pm

    X = check_data(X)
    n, d = X.shape
    labels, k = check_complete_labels(z, n, n_components)
    if k > n:
        raise ValueError(f"n_components={k} exceeds the number of data points ({n}); "
                         "use fewer components or more data")
    priors = resolve_priors(priors, X, k)
    start = _class_means(X, labels, k, np.broadcast_to(priors.mean_loc, (k, d)))
    coords = {"component": np.arange(k), "obs": np.arange(n)}
    if d > 1:
        coords |= {"feature": np.arange(d), "feature_col": np.arange(d)}
    with pm.Model(coords=coords) as model:
        weights = pm.Dirichlet("weights", a=priors.concentration, dims="component")
        pm.Categorical("z", p=weights, observed=labels, dims="obs")
        if d == 1:
            means = pm.Normal("means", mu=priors.mean_loc[0], sigma=priors.mean_scale[0],
                              dims="component", initval=start[:, 0])
            sigmas = pm.HalfNormal("sigmas", sigma=priors.sigma_scale[0], dims="component")
            pm.Normal("x", mu=means[labels], sigma=sigmas[labels], observed=X[:, 0], dims="obs")
            return model
        means = pm.Normal("means", mu=priors.mean_loc, sigma=priors.mean_scale,
                          dims=("component", "feature"), initval=start)
        chol = lkj_cholesky_factors(priors)
        pm.MvNormal("x", mu=means[labels], chol=chol[labels], observed=X,
                    dims=("obs", "feature"))
    return model


def _thin(n_total, max_draws):
    if max_draws is None or max_draws >= n_total:
        return np.arange(n_total)
    if isinstance(max_draws, bool) or not isinstance(max_draws, (int, np.integer)) \
            or max_draws < 1:
        raise ValueError(f"max_draws must be a positive integer or None, got {max_draws!r}")
    return np.linspace(0, n_total - 1, int(max_draws)).round().astype(int)


def class_probability_draws(idata, X, *, max_draws=None):
    """Per-draw plug-in class probabilities ``p(z = j | x, theta^(s))`` at new points.

    For every posterior draw ``theta^(s)`` this is Bayes' rule of a generative
    classifier (:ref:`generative-classifiers`), ``pi_j N(x | mu_j, Sigma_j)``
    normalised over ``j``; the spread over draws is the uncertainty of the
    plug-in classifier that the single MLE hides. Their *average* is not the
    posterior predictive probability of a new point: that is the ratio of the
    averaged joint densities, :func:`mixgrad.bayes.label_posterior` with
    ``predictive=True``.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior with ``weights`` (k,), ``means`` and either ``sigmas`` (k,) (1-D)
        or ``covariances`` (k, d, d), e.g. from :func:`supervised_mixture`.
    X : array-like of shape (n_points,) or (n_points, n_features)
        Where to classify.
    max_draws : int, optional
        Use at most this many draws, evenly spaced over the stacked chains.

    Returns
    -------
    ndarray of shape (n_used_draws, n_points, n_components)
        Rows sum to 1 over the last axis.
    """
    from mixgrad.bayes.unsupervised import _log_joint_draws

    X = check_data(X, min_samples=1)
    n_total = posterior_draws(idata, "weights").shape[0]
    joint = _log_joint_draws(idata, X, draws=_thin(n_total, max_draws))
    return np.exp(joint - logsumexp(joint, axis=-1, keepdims=True))
