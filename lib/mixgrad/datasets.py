"""Data sets and synthetic generators used throughout the book.

- :func:`load_old_faithful` -- the 272 eruptions of R's ``faithful`` data set.
- Generators from the lecture notes the book builds on: the 1-D two- and
  three-component mixtures, two-group heights, and the clusters where k-means
  fails (anisotropic, different widths, uneven sizes).
- The notes' bivariate normal with lost or censored y-values
  (:func:`bivariate_missing_y`, :func:`bivariate_censored_y`), which
  return dicts (data, truth and the notes' starting point).

Every mixture generator takes an explicit ``rng`` and returns ``(X, z, truth)``: the
points, their latent labels and a dict of the true parameters with keys
``"weights"``, ``"means"`` and ``"covariances"`` (variances in 1-D, full
matrices of shape (k, d, d) otherwise), ready for
:func:`mixgrad.mixture.sample_mixture`.
"""

from importlib import resources

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer, check_rng
from mixgrad.mixture.sampling import sample_gaussian, sample_mixture

__all__ = [
    "OLD_FAITHFUL_COLUMNS",
    "load_old_faithful",
    "mixture_1d",
    "two_component_1d",
    "three_component_1d",
    "heights",
    "anisotropic_blobs",
    "varied_blobs",
    "uneven_blobs",
    "ANISOTROPIC_TRANSFORM",
    "BIVARIATE_MEAN",
    "BIVARIATE_COVARIANCE",
    "bivariate_missing_y",
    "bivariate_censored_y",
]

#: Column names of :func:`load_old_faithful`, the eruption duration (minutes)
#: and the waiting time to the next eruption (minutes).
OLD_FAITHFUL_COLUMNS = ("eruptions", "waiting")

#: Linear map (row vectors, ``X = Y @ T``) that shears isotropic blobs into
#: parallel ellipses, as in scikit-learn's "k-means assumptions" demo.
ANISOTROPIC_TRANSFORM = np.array([[0.6, -0.64], [-0.41, 0.85]])


def load_old_faithful():
    """Load the Old Faithful geyser data (R's ``faithful``).

    Used in :ref:`em-gaussian-mixtures` and :ref:`why-em-works`.

    Returns
    -------
    X : ndarray of shape (272, 2)
        Columns :data:`OLD_FAITHFUL_COLUMNS`: eruption duration (minutes) and
        waiting time to the next eruption (minutes), in R's row order.

    Notes
    -----
    Source: R ``datasets`` package; Azzalini, A. and Bowman, A. W. (1990),
    *A look at some data on the Old Faithful geyser*, Applied Statistics 39,
    357-365. Shipped as ``mixgrad/data/old_faithful.csv``.
    """
    text = resources.files("mixgrad").joinpath("data", "old_faithful.csv").read_text()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if tuple(lines[0].split(",")) != OLD_FAITHFUL_COLUMNS:
        raise RuntimeError(f"old_faithful.csv has an unexpected header: {lines[0]!r}")
    return np.array([[float(v) for v in line.split(",")] for line in lines[1:]])


@fill_doc
def mixture_1d(n, weights, means, sigmas, *, rng):
    """Sample a univariate Gaussian mixture given standard deviations.

    Used in :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    n : int
        Number of points.
    weights : array-like of shape (n_components,)
        Mixing weights, summing to 1.
    means : array-like of shape (n_components,)
        Component means.
    sigmas : array-like of shape (n_components,)
        Component standard deviations (squared before sampling).
    %(rng)s

    Returns
    -------
    x : ndarray of shape (n,)
    z : ndarray of int of shape (n,)
    truth : dict
        ``weights``, ``means`` and ``covariances`` (variances) of shape (n_components,).
    """
    weights = np.asarray(weights, dtype=float)
    means = np.asarray(means, dtype=float)
    variances = np.asarray(sigmas, dtype=float) ** 2
    x, z = sample_mixture(n, weights, means, variances, rng=rng)
    return x, z, {"weights": weights, "means": means, "covariances": variances}


@fill_doc
def three_component_1d(n=10_000, *, rng):
    """Seed 003's 1-D example: weights (0.4, 0.2, 0.4), means (2, 5, 10), sigmas (0.6, 0.8, 0.5).

    Used in :ref:`gaussian-mixtures` and :ref:`em-gaussian-mixtures`.

    Parameters
    ----------
    n : int, default 10000
        Number of points.
    %(rng)s

    Returns
    -------
    %(mixture_1d_returns)s
    """
    return mixture_1d(n, [0.4, 0.2, 0.4], [2.0, 5.0, 10.0], [0.6, 0.8, 0.5], rng=rng)


@fill_doc
def two_component_1d(n=1_000, *, rng):
    """Seed 003's two-component EM example: N(2, 0.6^2) w.p. 0.6, N(5, 0.6^2) w.p. 0.4.

    The seed writes its truth as ``0.4 [2, 5] [0.6, 0.6]``: 0.4 is the weight of
    the component at 5 (its fitted weights are 0.588 and 0.412).

    Used in :ref:`why-em-works`.

    Parameters
    ----------
    n : int, default 1000
        Number of points.
    %(rng)s

    Returns
    -------
    %(mixture_1d_returns)s
    """
    return mixture_1d(n, [0.6, 0.4], [2.0, 5.0], [0.6, 0.6], rng=rng)


@fill_doc
def heights(n=1_000, *, rng, weights=(0.5, 0.5), means=(163.0, 177.0), sigmas=(7.0, 7.5)):
    """Two overlapping groups of adult heights in cm (illustrative, not survey data).

    Component 0 stands for women, N(163, 7^2); component 1 for men, N(177, 7.5^2);
    equal weights by default. The overlap is what makes the labels matter.

    Used in :ref:`kmeans-limit`.

    Parameters
    ----------
    n : int, default 1000
        Number of people.
    %(rng)s
    weights, means, sigmas : sequences of length 2
        Group proportions, means (cm) and standard deviations (cm).

    Returns
    -------
    %(mixture_1d_returns)s
    """
    return mixture_1d(n, weights, means, sigmas, rng=rng)


def _blobs(n, weights, means, covariances, rng):
    weights = np.asarray(weights, dtype=float)
    X, z = sample_mixture(n, weights, means, covariances, rng=rng)
    return X, z, {"weights": weights, "means": means, "covariances": covariances}


@fill_doc
def anisotropic_blobs(n=1_500, *, rng):
    """Three equal blobs sheared by :data:`ANISOTROPIC_TRANSFORM`: k-means fails.

    Isotropic unit blobs centred at (-4, -2), (0, 3), (4, -1) are mapped by
    ``X = Y @ T``, so the true means are ``centres @ T`` and every covariance
    is ``T.T @ T``: long parallel ellipses that k-means cuts across, while a
    full-covariance mixture recovers them.

    Used in :ref:`gaussian-mixtures` and :ref:`kmeans-limit`.

    %(blobs_parameters_returns)s
    """
    T = ANISOTROPIC_TRANSFORM
    means = np.array([[-4.0, -2.0], [0.0, 3.0], [4.0, -1.0]]) @ T
    covariances = np.stack([T.T @ T] * 3)
    return _blobs(n, np.full(3, 1 / 3), means, covariances, rng)


@fill_doc
def varied_blobs(n=1_500, *, rng):
    """Three isotropic blobs of different widths (sigma 1.0, 2.5, 0.5): k-means fails.

    Centres (-5, 1), (2, 2), (6, -1), equal weights. k-means puts its
    boundaries halfway between centres and so hands the wide blob's outskirts
    to its neighbours.

    Used in :ref:`gaussian-mixtures`, :ref:`em-gaussian-mixtures` and
    :ref:`kmeans-limit`.

    %(blobs_parameters_returns)s
    """
    means = np.array([[-5.0, 1.0], [2.0, 2.0], [6.0, -1.0]])
    covariances = np.stack([s**2 * np.eye(2) for s in (1.0, 2.5, 0.5)])
    return _blobs(n, np.full(3, 1 / 3), means, covariances, rng)


@fill_doc
def uneven_blobs(n=1_500, *, rng):
    """A big broad blob and two small tight ones (weights 0.8, 0.15, 0.05).

    Centres (0, 0), (7, 3), (7, -3) with standard deviations 2, 0.6, 0.6.
    k-means, which has neither weights nor widths, splits the big blob and
    merges the two small ones; a mixture with weights and covariances does not.

    A third way to break k-means, beside the two cases of :ref:`kmeans-limit`.

    %(blobs_parameters_returns)s
    """
    means = np.array([[0.0, 0.0], [7.0, 3.0], [7.0, -3.0]])
    covariances = np.stack([s**2 * np.eye(2) for s in (2.0, 0.6, 0.6)])
    return _blobs(n, [0.8, 0.15, 0.05], means, covariances, rng)


# --- the lecture notes' bivariate normal (missing and censored y) ------------


#: True mean of the lecture notes' bivariate normal (used in :ref:`missing-data`).
BIVARIATE_MEAN = np.array([1.85, 1.0])
#: Its true covariance (standard deviations 1 and 0.75, correlation 0.82).
BIVARIATE_COVARIANCE = np.array([[1.0, 1.0 * 0.75 * 0.82], [1.0 * 0.75 * 0.82, 0.75**2]])


def bivariate_missing_y(rng, *, n=40, n_missing=20):
    """The lecture notes' bivariate example: lose the last ``n_missing`` y-values.

    ``n`` points from N(mu, Sigma) with mu = (1.85, 1), sigma1 = 1,
    sigma2 = 0.75, rho = 0.82; the second coordinate of the last
    ``n_missing`` rows is set to NaN. The notes start from the M-step on the
    data with the missing values set to 0; that start is returned too.

    Used in :ref:`missing-data`.

    Parameters
    ----------
    rng : numpy.random.Generator or int
        Source of randomness (the notes' own draw is not reproducible).
    n : int, default 40
        Number of points.
    n_missing : int, default 20
        Number of trailing rows whose y-value is lost, ``0 <= n_missing < n``.

    Returns
    -------
    dict
        ``"X"`` (n, 2) with NaN, ``"X_complete"`` (n, 2), the true ``"mean"``
        (2,) and ``"covariance"`` (2, 2), and the notes' start
        ``"mean_init"``, ``"cov_init"`` (mean and biased covariance of the
        zero-filled data). Run e.g.
        ``mixgrad.mixture.mvn_em(ex["X"], method="naive", mean_init=ex["mean_init"],
        cov_init=ex["cov_init"])``.
    """
    rng = check_rng(rng)
    n = check_integer(n, "n", minimum=2)
    n_missing = check_integer(n_missing, "n_missing", minimum=0)
    if n_missing >= n:
        raise ValueError(f"n_missing must be < n = {n}, got {n_missing}")
    X_complete = sample_gaussian(n, BIVARIATE_MEAN, BIVARIATE_COVARIANCE, rng=rng)
    X = X_complete.copy()
    X[n - n_missing :, 1] = np.nan
    zero_filled = np.nan_to_num(X, nan=0.0)
    return {
        "X": X,
        "X_complete": X_complete,
        "mean": BIVARIATE_MEAN.copy(),
        "covariance": BIVARIATE_COVARIANCE.copy(),
        "mean_init": zero_filled.mean(axis=0),
        "cov_init": np.cov(zero_filled, rowvar=False, bias=True),
    }


@fill_doc
def bivariate_censored_y(rng, *, n=40, threshold=1.5):
    """The notes' bivariate normal with y right-censored at ``threshold``.

    ``n`` points from N((1.85, 1), Sigma) with sigma1 = 1, sigma2 = 0.75,
    rho = 0.82 (as in :func:`bivariate_missing_y`);
    every y above ``threshold`` is replaced by NaN and flagged as censored.

    Used in :ref:`missing-data`.

    Parameters
    ----------
    %(rng)s
    n : int, default 40
        Number of points.
    threshold : float, default 1.5
        Censoring threshold for y.

    Returns
    -------
    dict
        ``"X"`` (n, 2) with NaN where censored, ``"X_complete"``, ``"censored"``
        (n,) bool, ``"threshold"``, and the true ``"mean"`` and ``"covariance"``.
    """
    rng = check_rng(rng)
    n = check_integer(n, "n", minimum=2)
    threshold = float(check_finite_array(threshold, "threshold", ndim=0))
    X_complete = sample_gaussian(n, BIVARIATE_MEAN, BIVARIATE_COVARIANCE, rng=rng)
    censored = X_complete[:, 1] > threshold
    X = X_complete.copy()
    X[censored, 1] = np.nan
    return {
        "X": X,
        "X_complete": X_complete,
        "censored": censored,
        "threshold": threshold,
        "mean": BIVARIATE_MEAN.copy(),
        "covariance": BIVARIATE_COVARIANCE.copy(),
    }
