"""``GaussianMixture``: a scikit-learn compatible estimator that shows its EM.

Same parameters, fitted attributes and semantics as
:class:`sklearn.mixture.GaussianMixture` (from the same start both give the
same iterates; ``fit(X, y)`` ignores ``y``, float32 stays float32,
``max_iter=0`` only initialises), plus

- ``history_``: the ELBO / KL trace of the best run (:class:`EMHistory`);
- ``snapshots_``: the parameters after every iteration (``keep_snapshots``);
- ``solver``: "stats" (one matrix product per step, the default) or "direct"
  (the textbook loop over components).

Fits with (partial) class labels are
:class:`~mixgrad.mixture.GaussianMixtureClassifier`'s job. The EM run both
share is in :mod:`mixgrad.mixture._base`.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numpy as np
from sklearn.base import DensityMixin

from mixgrad.mixture._base import _BaseGaussianMixture
from mixgrad.mixture.engines import ENGINES
from mixgrad.mixture.initialization import check_hyperparameters
from mixgrad.mixture.scale import fit_dask, is_dask_array

__all__ = ["GaussianMixture"]


class GaussianMixture(DensityMixin, _BaseGaussianMixture):
    """Gaussian mixture fitted by EM (scikit-learn compatible).

    A density estimator: ``fit(X, y)`` ignores ``y``. The fitted arrays are
    float32 when ``X`` is float32, else float64.

    Parameters
    ----------
    n_components : int, default 1
        Number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
        Own full matrix per component, one shared matrix, own diagonal, or own
        single variance.
    tol : float, default 1e-3
        Stop when the mean log-likelihood changes by less than ``tol`` (>= 0).
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance (>= 0); keeps components
        from collapsing onto single samples (the likelihood's singularity).
    max_iter : int, default 100
        Maximum number of EM iterations per initialisation (>= 0; 0 only
        initialises, as in scikit-learn).
    n_init : int, default 1
        Number of initialisations; the run with the best final objective is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default "kmeans"
        How initial responsibilities are chosen (scikit-learn's meanings).
    weights_init : array-like of shape (n_components,), optional
        Initial weights (non-negative, summing to 1).
    means_init : array-like of shape (n_components, n_features), optional
        Initial means.
    precisions_init : array-like, optional
        Initial precisions (inverse covariances), shaped per covariance type:
        (k, d, d), (d, d), (k, d) or (k,).
    random_state : None, int, numpy.random.Generator or RandomState, default None
        Source of randomness for the initialisation and :meth:`sample`
        (converted to a ``numpy.random.Generator``).
    warm_start : bool, default False
        If True, each ``fit`` continues from the previous solution (one run).
    verbose : int, default 0
        1 prints the initialisations and every ``verbose_interval``-th
        iteration; 2 adds timings, log-likelihood changes and the ELBO.
    verbose_interval : int, default 10
        Iterations between progress lines.
    record_history : bool, default True
        Record ``history_`` (log-likelihood, ELBO after each step, KL gap).
    keep_snapshots : bool, default False
        Keep ``snapshots_``, the parameters after every iteration.
    solver : {"stats", "direct"}, default "stats"
        "stats" computes each step from sufficient statistics with one matrix
        product; "direct" is the straightforward per-component reference path.
        Both give the same iterates.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        (k, d, d) "full", (d, d) "tied", (k, d) "diag", (k,) "spherical".
    precisions_ : ndarray
        Inverse covariances, same shape.
    precisions_cholesky_ : ndarray
        Cholesky factors ``P`` of the precisions (``P P^T = precisions_``).
    converged_ : bool
    n_iter_ : int
        EM iterations of the best run.
    lower_bound_ : float
        Mean log-likelihood of the best run at its last E-step, as in
        scikit-learn (``-inf`` after ``max_iter=0``).
    lower_bounds_ : list of float
        That value at every iteration of the best run.
    history_ : EMHistory or None
        ELBO / KL trace of the best run (None unless ``record_history``).
    snapshots_ : list of dict or None
        ``{"weights", "means", "covariances"}`` at the start and after every
        iteration of the best run (None unless ``keep_snapshots``).
    n_features_in_ : int
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None, warm_start=False,
                 verbose=0, verbose_interval=10, record_history=True, keep_snapshots=False,
                 solver="stats"):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.record_history = record_history
        self.keep_snapshots = keep_snapshots
        self.solver = solver

    # --- fitting -------------------------------------------------------------------

    def fit(self, X, y=None):
        """Estimate the parameters by EM (best of ``n_init`` runs).

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Training data; ``n_samples >= n_components``. A ``dask.array``
            chunked by rows is fitted block by block
            (:func:`~mixgrad.mixture.scale.fit_dask`).
        y : None
            Ignored, as by scikit-learn's density estimators (pipelines and
            ``cross_val_score`` pass class labels here). To fit with labels use
            :class:`~mixgrad.mixture.GaussianMixtureClassifier`.

        Returns
        -------
        self : GaussianMixture
        """
        if is_dask_array(X):  # EM on row blocks summed by Dask (mixgrad.mixture.scale)
            return fit_dask(self, X)
        X = self._validate_X(X, reset=True, ensure_min_samples=2)
        check_hyperparameters(self, ENGINES)
        if X.shape[0] < self.n_components:
            raise ValueError(
                f"n_samples={X.shape[0]} is smaller than n_components={self.n_components}; "
                "use fewer components or more data"
            )
        return self._fit(X, self.n_components)

    # --- prediction ----------------------------------------------------------------

    def fit_predict(self, X, y=None):
        """Fit, then return the most probable component of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of int of shape (n_samples,)
        """
        return self.fit(X).predict(X)

    def predict(self, X):
        """Most probable component ``argmax_k p(z = k | x)`` of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of int of shape (n_samples,)
        """
        return np.argmax(self._wlp(X)[0], axis=1)

    def predict_proba(self, X):
        """Responsibilities ``p(z = k | x)`` of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            float32 for float32 ``X``, else float64.
        """
        return self._proba(X)

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` (``y`` is ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X), dtype=np.float64))

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture (ancestral sampling).

        Parameters
        ----------
        n_samples : int, default 1
            Number of samples (>= 1).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of int of shape (n_samples,)
            Component of every sample.
        """
        return self._sample(n_samples)
