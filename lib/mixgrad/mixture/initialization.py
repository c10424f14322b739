"""Starting points for EM, with scikit-learn's meanings of ``init_params``.

Each method gives initial responsibilities; one M-step turns them into
parameters (user-given ``weights_init``/``means_init``/``precisions_init``
then replace the corresponding estimates):

- "kmeans": one-hot on the labels of a k-means run;
- "k-means++": one-hot on the k-means++ seeds only (each component starts on
  one sample, with covariance ``reg_covar * I``);
- "random": uniform random responsibilities, rows normalised;
- "random_from_data": one-hot on ``n_components`` distinct random samples.

Randomness comes only from an explicit ``numpy.random.Generator``.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numbers

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive
from mixgrad.mixture.covariance import (
    check_covariance_type,
    check_means,
    check_weights,
    parameter_shape,
    precisions_cholesky_from_precisions,
)
from mixgrad.mixture.kmeans import kmeans, kmeans_plusplus

__all__ = ["INIT_PARAMS", "as_generator", "initial_responsibilities", "check_hyperparameters"]

INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")


def as_generator(random_state):
    """A ``numpy.random.Generator`` from scikit-learn's ``random_state`` values.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` gives fresh OS entropy (no global state is touched), an int a
        reproducible generator, a Generator is used as is, and a legacy
        RandomState seeds a new Generator from one draw.

    Returns
    -------
    numpy.random.Generator
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative seed, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int seed, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {type(random_state).__name__}"
    )


def _one_hot_rows(n_samples, rows):
    resp = np.zeros((n_samples, len(rows)))
    resp[rows, np.arange(len(rows))] = 1.0
    return resp


def _row_indices(X, centers):
    """Index of a row of X equal to each centre (k-means++ returns rows of X)."""
    index = np.empty(len(centers), dtype=np.intp)
    for k, center in enumerate(centers):
        hits = np.flatnonzero(np.all(X == center, axis=1))
        index[k] = hits[0] if hits.size else np.argmin(((X - center) ** 2).sum(axis=1))
    return index


def initial_responsibilities(X, n_components, init_params, rng):
    """Initial responsibilities for one of the :data:`INIT_PARAMS` methods.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}
    rng : numpy.random.Generator

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    """
    n_samples = X.shape[0]
    if init_params == "kmeans":
        labels = kmeans(X, n_components, n_init=1, rng=rng).labels
        resp = np.zeros((n_samples, n_components))
        resp[np.arange(n_samples), labels] = 1.0
        return resp
    if init_params == "k-means++":
        return _one_hot_rows(n_samples, _row_indices(X, kmeans_plusplus(X, n_components, rng=rng)))
    if init_params == "random":
        resp = rng.uniform(size=(n_samples, n_components))
        return resp / resp.sum(axis=1, keepdims=True)
    if init_params == "random_from_data":
        return _one_hot_rows(n_samples, rng.choice(n_samples, size=n_components, replace=False))
    raise ValueError(f"init_params must be one of {INIT_PARAMS}, got {init_params!r}")


def pin_initial_responsibilities(resp, labels):
    """Semi-supervised start: labelled rows one-hot; labelled classes use only them.

    Components that have labelled samples start from those samples alone (their
    column is cleared on the unlabelled rows); the others keep the
    unsupervised initialisation.

    Parameters
    ----------
    resp : ndarray of shape (n_samples, n_components)
        Unsupervised initial responsibilities.
    labels : ndarray of int of shape (n_samples,)
        Partial labels, ``-1`` = unlabelled.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    resp = resp.copy()
    labelled = labels >= 0
    classes = np.unique(labels[labelled])
    resp[np.ix_(~labelled, classes)] = 0.0
    rows = np.flatnonzero(labelled)
    resp[rows] = 0.0
    resp[rows, labels[rows]] = 1.0
    return resp


def check_initial_parameters(weights_init, means_init, precisions_init, covariance_type,
                             n_components, n_features):
    """Validate the user's initial parameters (None stays None).

    Parameters
    ----------
    weights_init : array-like of shape (n_components,) or None
    means_init : array-like of shape (n_components, n_features) or None
    precisions_init : array-like or None
        Precisions shaped (k, d, d), (d, d), (k, d) or (k,) by covariance type.
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components : int
    n_features : int

    Returns
    -------
    weights : ndarray of shape (n_components,) or None
    means : ndarray of shape (n_components, n_features) or None
    precisions_cholesky : ndarray or None
        Factors of ``precisions_init`` (which holds precisions, the inverse
        covariances, shaped per covariance type).
    """
    weights = means = prec = None
    if weights_init is not None:
        weights = check_weights(weights_init, n_components, name="weights_init")
    if means_init is not None:
        means = check_means(means_init, n_features, name="means_init")
        if means.shape[0] != n_components:
            raise ValueError(
                f"means_init must have shape ({n_components}, {n_features}), got {means.shape}"
            )
    if precisions_init is not None:
        shape = parameter_shape(covariance_type, n_components, n_features)
        precisions = check_finite_array(precisions_init, "precisions_init")
        if precisions.shape != shape:
            raise ValueError(
                f"precisions_init must have shape {shape} for covariance_type="
                f"{covariance_type!r}, got {precisions.shape}"
            )
        prec = precisions_cholesky_from_precisions(
            precisions, covariance_type, name="precisions_init"
        )
    return weights, means, prec


def check_hyperparameters(estimator, solvers):
    """Check the constructor arguments of a Gaussian mixture estimator.

    ``max_iter=0`` is allowed (initialise only, as in scikit-learn).

    Parameters
    ----------
    estimator : GaussianMixture or GaussianMixtureClassifier
        Its parameters are read, never modified (those it lacks are skipped).
    solvers : iterable of str
        The allowed values of ``solver``.

    Raises
    ------
    ValueError or TypeError
        Naming the parameter and the allowed values.
    """
    est = estimator
    for name, minimum in (("n_components", 1), ("max_iter", 0), ("n_init", 1), ("verbose", 0),
                          ("verbose_interval", 1)):
        if hasattr(est, name):  # the classifier has no n_components, n_init, init_params
            check_integer(getattr(est, name), name, minimum=minimum)
    check_covariance_type(est.covariance_type)
    check_positive(est.tol, "tol", strict=False)
    check_positive(est.reg_covar, "reg_covar", strict=False)
    for name, options in (("init_params", INIT_PARAMS), ("solver", tuple(solvers))):
        if not hasattr(est, name):
            continue
        value = getattr(est, name)
        if not isinstance(value, str) or value not in options:
            raise ValueError(f"{name} must be one of {options}, got {value!r}")
    for name in ("warm_start", "record_history", "keep_snapshots"):
        if not isinstance(getattr(est, name), (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {getattr(est, name)!r}")
