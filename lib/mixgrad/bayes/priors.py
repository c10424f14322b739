"""Weakly informative mixture priors set from the data's scale (:ref:`bayesian-supervised`).

The seed's PyMC3 models fixed the prior centres by hand (``Normal([130, 170], 20)``)
and kept the weights away from zero with a ``Potential``. Here every prior is
derived from two summaries of the data, its mean and standard deviation per
coordinate, so the same builder works for heights in cm and for standardised
data, and the choice is written down once:

* means: ``mu_j ~ Normal(mean(x), mean_scale_factor * sd(x))`` independently;
  with the default factor 2 a component may sit anywhere within a few data
  widths of the centre, which is vague on the scale of the data but excludes
  absurd values. The prior is exchangeable; the ordered transform (1-D) or a
  relabelling step breaks the symmetry, not the prior.
* scales: ``sigma_j ~ HalfNormal(sd(x))``: a component is rarely wider than
  the whole data set.
* weights: ``pi ~ Dirichlet(concentration * ones(k))``; the default 2 pulls
  gently away from empty components (it replaces the seed's hard ``p > 0.1``
  potential) and adds the same pseudo-counts as a MAP/EM fit with a
  Dirichlet(2) prior would.
* correlations (multivariate): ``LKJ(eta=lkj_eta)`` on the Cholesky factor, eta 2
  favours mild correlations; the per-coordinate scales use the HalfNormal above.
"""

from dataclasses import dataclass

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive

__all__ = [
    "MixturePriors", "weakly_informative_priors", "check_data", "resolve_priors",
    "lkj_cholesky_factors",
]


@dataclass(frozen=True)
class MixturePriors:
    """Hyper-parameters of a mixture's priors.

    Attributes
    ----------
    mean_loc : ndarray of shape (n_features,)
        Prior mean of every component mean.
    mean_scale : ndarray of shape (n_features,)
        Prior standard deviation of every component mean, per coordinate.
    sigma_scale : ndarray of shape (n_features,)
        Scale of the HalfNormal prior on the component standard deviations.
    concentration : ndarray of shape (n_components,)
        Dirichlet concentration of the weights.
    lkj_eta : float
        LKJ shape parameter for the correlations (multivariate models only).
    initial_means : ndarray of shape (n_components, n_features)
        Starting values for the means (data quantiles, increasing in the first coordinate).
    """

    mean_loc: np.ndarray
    mean_scale: np.ndarray
    sigma_scale: np.ndarray
    concentration: np.ndarray
    lkj_eta: float
    initial_means: np.ndarray

    @property
    def n_components(self):
        """Number of mixture components, ``k``."""
        return self.concentration.shape[0]


def check_data(X, name="X", *, min_samples=2):
    """Validate mixture data and return it as a float array of shape (n, d).

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
    name : str
        Parameter name used in error messages.
    min_samples : int
        Smallest number of rows accepted.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
    """
    X = check_finite_array(X, name, ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    if X.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} rows, got {X.shape[0]}")
    return X


def resolve_priors(priors, X, n_components):
    """The priors a model builder uses: ``priors`` checked against the data, or the default.

    Parameters
    ----------
    priors : MixturePriors or None
        None means ``weakly_informative_priors(X, n_components)``.
    X : ndarray of shape (n_samples, n_features)
        The model's data (all points), already checked by :func:`check_data`.
    n_components : int

    Returns
    -------
    MixturePriors
    """
    if priors is None:
        return weakly_informative_priors(X, n_components)
    if not isinstance(priors, MixturePriors):
        raise TypeError("priors must be a MixturePriors (see mixgrad.bayes."
                        f"weakly_informative_priors), got {type(priors).__name__}")
    if priors.n_components != n_components or priors.mean_loc.shape != (X.shape[1],):
        raise ValueError(
            f"priors are for {priors.n_components} components and {priors.mean_loc.shape[0]} "
            f"features, but the model has {n_components} components and {X.shape[1]} features; "
            f"build them with weakly_informative_priors(X, {n_components})"
        )
    return priors


def weakly_informative_priors(X, n_components, *, concentration=2.0, mean_scale_factor=2.0,
                              lkj_eta=2.0):
    """Priors for a ``k``-component mixture set from the data's mean and spread.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        The data (all points, labelled or not).
    n_components : int
        Number of components ``k`` (at least 1, at most ``n_samples``).
    concentration : float, default 2.0
        Dirichlet concentration of each weight.
    mean_scale_factor : float, default 2.0
        Prior sd of the means in units of the data's sd.
    lkj_eta : float, default 2.0
        LKJ shape for the correlation matrices.

    Returns
    -------
    MixturePriors
    """
    X = check_data(X)
    k = check_integer(n_components, "n_components", minimum=1)
    if k > X.shape[0]:
        raise ValueError(
            f"n_components={k} exceeds the number of data points ({X.shape[0]}); "
            "use fewer components or more data"
        )
    concentration = check_positive(concentration, "concentration")
    mean_scale_factor = check_positive(mean_scale_factor, "mean_scale_factor")
    lkj_eta = check_positive(lkj_eta, "lkj_eta")
    sd = X.std(axis=0, ddof=1)
    if np.any(sd <= 0):
        raise ValueError("X has a constant column; its scale is zero, so no prior can be set "
                         "from it. Remove the column or add variation.")
    order = np.argsort(X[:, 0], kind="stable")
    q = (np.arange(k) + 0.5) / k
    initial = X[order][np.minimum((q * X.shape[0]).astype(int), X.shape[0] - 1)]
    return MixturePriors(
        mean_loc=X.mean(axis=0),
        mean_scale=mean_scale_factor * sd,
        sigma_scale=sd.copy(),
        concentration=np.full(k, float(concentration)),
        lkj_eta=float(lkj_eta),
        initial_means=initial,
    )


def lkj_cholesky_factors(priors):
    """Per-component covariance priors of a multivariate mixture, inside a ``pm.Model`` block.

    Creates ``chol_0 ... chol_{k-1}`` (``pm.LKJCholeskyCov`` with ``eta = priors.lkj_eta`` and
    HalfNormal(``priors.sigma_scale``) standard deviations) and the Deterministics
    ``covariances`` (dims component, feature, feature_col) and ``sigmas`` (component,
    feature). Every multivariate builder of :mod:`mixgrad.bayes` uses it, so their
    variables have the same names.

    Parameters
    ----------
    priors : MixturePriors

    Returns
    -------
    pytensor tensor of shape (n_components, n_features, n_features)
        The stacked lower Cholesky factors of the covariances.
    """
    import pymc as pm
    import pytensor.tensor as pt

    d = priors.mean_loc.shape[0]
    chols = []
    for j in range(priors.n_components):
        chol, _, _ = pm.LKJCholeskyCov(
            f"chol_{j}", eta=priors.lkj_eta, n=d, compute_corr=True, store_in_trace=False,
            sd_dist=pm.HalfNormal.dist(sigma=priors.sigma_scale, shape=d),
        )
        chols.append(chol)
    chol = pt.stack(chols)
    covariances = pm.Deterministic("covariances", chol @ pt.swapaxes(chol, 1, 2),
                                   dims=("component", "feature", "feature_col"))
    pm.Deterministic("sigmas", pt.sqrt(covariances[:, np.arange(d), np.arange(d)]),
                     dims=("component", "feature"))
    return chol
