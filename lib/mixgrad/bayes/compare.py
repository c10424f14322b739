"""A PyMC posterior beside an EM or closed-form fit (used by :ref:`bayesian-supervised` and after).

Part II estimates a mixture by one point, the (penalised) maximum of the
likelihood; Part III describes it by a posterior distribution. These helpers
put the two side by side under the same names:

* :func:`em_parameters` reads ``weights``, ``means`` and ``sigmas`` (1-D) or
  ``covariances`` (multivariate) from a fitted
  :class:`mixgrad.mixture.GaussianMixture` or from a dict (a closed-form MLE,
  or the ``truth`` dict of a :mod:`mixgrad.datasets` generator);
* :func:`posterior_vs_em` tabulates, for every scalar entry, the point
  estimate, the posterior mean and an equal-tailed credible interval, and
  whether the point estimate lies inside it;
* :func:`map_vs_em` compares a MAP point (:func:`mixgrad.bayes.find_map`)
  with an EM fit entry by entry.
"""

import numpy as np

from mixgrad.bayes.diagnostics import posterior_table
from mixgrad.mixture.covariance import full_covariances

__all__ = ["em_parameters", "posterior_vs_em", "map_vs_em"]

_ORDER = ("weights", "means", "sigmas", "covariances")


def _from_estimator(model):
    try:
        weights, means = model.weights_, model.means_
        covariances = model.covariances_
    except AttributeError:
        raise ValueError("model is a GaussianMixture that has not been fitted; call "
                         "model.fit(X) or model.fit(X, y) first") from None
    means = np.asarray(means, dtype=float)
    k, d = means.shape
    full = full_covariances(covariances, model.covariance_type, k, d)
    return np.asarray(weights, dtype=float), means, full


def _from_dict(params):
    missing = [key for key in ("weights", "means") if key not in params]
    if missing or ("sigmas" not in params and "covariances" not in params):
        raise ValueError("em_params dict needs the keys 'weights', 'means' and 'sigmas' (1-D) or "
                         f"'covariances'; got {sorted(params)}")
    weights = np.asarray(params["weights"], dtype=float)
    means = np.asarray(params["means"], dtype=float)
    k = weights.shape[0]
    if weights.ndim != 1 or means.shape[0] != k or means.ndim not in (1, 2):
        raise ValueError(f"weights must have shape (k,) and means (k,) or (k, d) with the same k; "
                         f"got {weights.shape} and {means.shape}")
    if means.ndim == 1:
        means = means[:, None]
    d = means.shape[1]
    if "covariances" in params:
        cov = np.asarray(params["covariances"], dtype=float)
        if cov.shape in ((k,), (k, 1), (k, 1, 1)) and d == 1:  # variances of a 1-D mixture
            full = cov.reshape(k, 1, 1)
        elif cov.shape == (k, d, d):
            full = cov
        else:
            raise ValueError(f"covariances must have shape ({k}, {d}, {d}) (or ({k},) variances "
                             f"in 1-D); got {cov.shape}")
    else:
        sigmas = np.asarray(params["sigmas"], dtype=float)
        if d != 1 or sigmas.size != k:
            raise ValueError(f"sigmas are for 1-D mixtures and must have shape ({k},); got "
                             f"{sigmas.shape} with means of shape {means.shape}; pass "
                             "'covariances' for multivariate mixtures")
        full = (sigmas.reshape(k) ** 2)[:, None, None]
    return weights, means, full


def em_parameters(model):
    """Weights, means and scales of a point estimate, named as in the PyMC models.

    Parameters
    ----------
    model : GaussianMixture or dict
        A fitted :class:`mixgrad.mixture.GaussianMixture` (any covariance type), or
        a dict with keys ``"weights"``, ``"means"`` and either ``"sigmas"``
        (1-D standard deviations) or ``"covariances"`` (variances of shape (k,)
        in 1-D, as in the ``truth`` dicts of :mod:`mixgrad.datasets`, or
        matrices of shape (k, d, d)).

    Returns
    -------
    dict of str to ndarray
        ``"weights"`` of shape (k,); for one feature ``"means"`` and
        ``"sigmas"`` of shape (k,); for d > 1 features ``"means"`` of shape
        (k, d), ``"covariances"`` of shape (k, d, d) and ``"sigmas"`` of shape
        (k, d), the per-coordinate standard deviations.
    """
    if isinstance(model, dict):
        weights, means, full = _from_dict(model)
    elif hasattr(model, "covariance_type"):
        weights, means, full = _from_estimator(model)
    else:
        raise TypeError("model must be a fitted mixgrad.mixture.GaussianMixture(Classifier) "
                        "or a dict with "
                        f"weights/means/sigmas or covariances, got {type(model).__name__}")
    sds = np.sqrt(np.diagonal(full, axis1=1, axis2=2))
    if means.shape[1] == 1:
        return {"weights": weights, "means": means[:, 0], "sigmas": sds[:, 0]}
    return {"weights": weights, "means": means, "covariances": full, "sigmas": sds}


def _flat_entries(name, value):
    """Index labels like ``"means[0,1]"`` and values of one array, in C order."""
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return [name], [float(value)]
    labels = [name + "[" + ",".join(map(str, idx)) + "]" for idx in np.ndindex(value.shape)]
    return labels, list(value.ravel())


def _point_series(point, names, what):
    index, values = [], []
    for name in names:
        if name not in point:
            raise ValueError(f"{what} has no entry {name!r}; it has {sorted(point)}. "
                             "Pass var_names that both sides define")
        labels, vals = _flat_entries(name, point[name])
        index += labels
        values += vals
    return index, np.array(values)


def posterior_vs_em(idata, em_params, var_names=("weights", "means", "sigmas"), *,
                    ci_prob=0.94, decimals=2):
    """Posterior mean and credible interval of every parameter beside a point estimate.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`.
    em_params : dict
        Point estimate, e.g. from :func:`em_parameters`, with an entry for every name
        in ``var_names`` of the same shape as the posterior variable.
    var_names : sequence of str, default ("weights", "means", "sigmas")
        Posterior variables to compare.
    ci_prob : float, default 0.94
        Probability mass of the equal-tailed credible interval.
    decimals : int, default 2
        Rounding of the printed numbers (``inside`` is decided before rounding).

    Returns
    -------
    pandas.DataFrame
        Index ``"means[0]"``, ``"covariances[1,0,1]"``, ...; columns ``em`` (the point
        estimate), ``mean``, ``lower``, ``upper`` and ``inside`` (bool: the point
        estimate lies in the credible interval).
    """
    var_names = list(var_names)
    exact = posterior_table(idata, var_names, ci_prob=ci_prob, decimals=12)
    index, em = _point_series(em_params, var_names, "em_params")
    if index != list(exact.index):
        raise ValueError(f"em_params entries {index} do not match the posterior's "
                         f"{list(exact.index)}; check the shapes (1-D models use sigmas of "
                         "shape (k,), multivariate ones covariances of shape (k, d, d))")
    table = exact[["mean", "lower", "upper"]].copy()
    table.insert(0, "em", em)
    inside = (table["lower"] <= table["em"]) & (table["em"] <= table["upper"])
    table = table.round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    table["inside"] = inside.astype(bool)
    return table


def map_vs_em(map_point, em_params, decimals=3, *, var_names=None):
    """A MAP point beside an EM fit, entry by entry.

    Parameters
    ----------
    map_point : dict of str to array
        e.g. from :func:`mixgrad.bayes.find_map` (constrained values).
    em_params : dict of str to array
        e.g. from :func:`em_parameters`.
    decimals : int, default 3
        Rounding of the table.
    var_names : sequence of str, optional
        Entries to compare (default: the names among weights, means, sigmas and
        covariances that both dicts define).

    Returns
    -------
    pandas.DataFrame
        Index ``"means[0]"``, ...; columns ``map``, ``em`` and ``difference``
        (map minus em).
    """
    import pandas as pd

    if var_names is None:
        var_names = [name for name in _ORDER if name in map_point and name in em_params]
        if not var_names:
            raise ValueError(f"map_point ({sorted(map_point)}) and em_params ({sorted(em_params)}) "
                             "share none of weights, means, sigmas, covariances; pass var_names")
    var_names = list(var_names)
    index, map_values = _point_series(map_point, var_names, "map_point")
    em_index, em_values = _point_series(em_params, var_names, "em_params")
    if index != em_index:
        raise ValueError(f"map_point entries {index} and em_params entries {em_index} differ in "
                         "shape; compare parameters of the same model")
    table = pd.DataFrame({"map": map_values, "em": em_values,
                          "difference": map_values - em_values}, index=index)
    return table.round(decimals) + 0.0
