"""``GaussianMixture``: a scikit-learn compatible estimator that shows its EM.

Same parameters and fitted attributes as :class:`sklearn.mixture.GaussianMixture`
(from the same start both give the same iterates), plus

- ``history_``: the ELBO / KL trace of the best run (:class:`EMHistory`);
- ``snapshots_``: the parameters after every iteration (``keep_snapshots``);
- ``fit(X, y)`` with partial labels (``y = -1`` unlabelled): labelled
  responsibilities are pinned to their class; all labelled is the closed-form
  supervised MLE (a generative classifier: "tied" is LDA's model, "full"
  QDA's); none labelled is ordinary EM;
- ``solver``: "stats" (one matrix product per step, the default) or "direct"
  (the textbook loop over components).

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numbers
import warnings
from time import perf_counter

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.covariance import (
    ILL_DEFINED_COVARIANCE,
    _precisions_cholesky,
    collapse_floor,
    covariances_from_cholesky,
    n_parameters,
    precisions_from_cholesky,
)
from mixgrad.mixture.em import _log_resp, _m_step, _weighted_log_prob, check_labels
from mixgrad.mixture.engines import ENGINES
from mixgrad.mixture.history import Recorder, iteration_line, progress
from mixgrad.mixture.initialization import (
    as_generator,
    check_hyperparameters,
    check_initial_parameters,
    initial_responsibilities,
    pin_initial_responsibilities,
)
from mixgrad.mixture.metrics import aic, bic
from mixgrad.mixture.sampling import sample_mixture
from mixgrad.mixture.scale import fit_dask, is_dask_array

__all__ = ["GaussianMixture"]


class GaussianMixture(DensityMixin, BaseEstimator):
    """Gaussian mixture fitted by EM (scikit-learn compatible).

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
        Maximum number of EM iterations per initialisation (>= 1).
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
        Mean (semi-supervised) log-likelihood of the best run at its last
        E-step, as in scikit-learn (for a fully labelled fit: at the fitted
        parameters).
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

    # --- checks --------------------------------------------------------------------

    def _check_params(self, n_features):
        check_hyperparameters(self, ENGINES)
        return check_initial_parameters(self.weights_init, self.means_init, self.precisions_init,
                                        self.covariance_type, self.n_components, n_features)

    def _validate_X(self, X, reset):
        return validate_data(self, X, reset=reset, dtype=np.float64,
                             ensure_min_samples=2 if reset else 1)

    # --- fitting -------------------------------------------------------------------

    def fit(self, X, y=None):
        """Estimate the parameters by EM (best of ``n_init`` runs).

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Training data; ``n_samples >= n_components``. A ``dask.array``
            chunked by rows is fitted block by block
            (:func:`~mixgrad.mixture.scale.fit_dask`; ``y`` is then ignored).
        y : array-like of int of shape (n_samples,), optional
            Partial labels in ``[-1, n_components)``; ``-1`` marks unlabelled
            samples. Without labels (None or all ``-1``) this is ordinary EM;
            with all samples labelled it is the supervised MLE in one M-step.

        Returns
        -------
        self : GaussianMixture
        """
        if is_dask_array(X):  # EM on row blocks summed by Dask (mixgrad.mixture.scale)
            return fit_dask(self, X)
        X = self._validate_X(X, reset=True)
        n_samples, n_features = X.shape
        initial = self._check_params(n_features)
        if n_samples < self.n_components:
            raise ValueError(
                f"n_samples={n_samples} is smaller than n_components={self.n_components}; "
                "use fewer components or more data"
            )
        labels = None if y is None else check_labels(y, n_samples, self.n_components, "y")
        if labels is not None and np.all(labels < 0):
            labels = None
        engine = ENGINES[self.solver](X, self.n_components, self.covariance_type,
                                      float(self.reg_covar), labels=labels,
                                      record_history=self.record_history)
        if labels is not None and np.all(labels >= 0):
            return self._fit_supervised(X, labels, engine)
        return self._fit_em(X, labels, engine, initial)

    def _fit_supervised(self, X, labels, engine):
        resp = np.zeros((X.shape[0], self.n_components))
        resp[np.arange(X.shape[0]), labels] = 1.0
        moments = _m_step(X, resp, self.covariance_type, float(self.reg_covar))
        params = self._from_moments(moments, collapse_floor(X))
        objective = self._finite(engine.objective(params))
        recorder = Recorder(self.record_history, self.keep_snapshots)
        recorder.record({"objective": -np.inf, "elbo_e_step": -np.inf,
                         "elbo_m_step": objective}, params)
        self._set(params, n_iter=1, lower_bound=objective, converged=True)
        self.lower_bounds_ = [objective]
        self.history_ = recorder.history(objective)
        self.snapshots_ = recorder.snapshots
        return self

    def _fit_em(self, X, labels, engine, initial):
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        rng = as_generator(self.random_state)
        best, best_bound = None, -np.inf
        for init in range(self.n_init if do_init else 1):
            progress(self, f"Initialization {init}")
            params = self._initial(X, labels, initial, rng) if do_init else self._current_params()
            bound = -np.inf if do_init else self.lower_bound_
            run = Recorder(self.record_history, self.keep_snapshots, start=params)
            converged, tic = False, perf_counter()
            for n_iter in range(1, self.max_iter + 1):
                previous = bound
                params, info = engine.step(params)
                bound = self._finite(info["objective"])
                run.record(info, params)
                if self.verbose and n_iter % self.verbose_interval == 0:
                    progress(self, iteration_line(self.verbose, n_iter, bound, bound - previous,
                                                  info, perf_counter() - tic))
                if abs(bound - previous) < self.tol:
                    converged = True
                    break
            progress(self, f"Initialization {'converged' if converged else 'did not converge'}.")
            if bound > best_bound or best is None:
                best, best_bound = (params, n_iter, run, converged), bound
        params, n_iter, run, converged = best
        if not converged:
            warnings.warn(
                f"EM did not converge in max_iter={self.max_iter} iterations (best of "
                f"{self.n_init} initialisations); increase max_iter or tol, try other "
                "init parameters, or check for degenerate data.",
                ConvergenceWarning, stacklevel=3,
            )
        self._set(params, n_iter=n_iter, lower_bound=best_bound, converged=converged)
        self.lower_bounds_ = list(run.objectives)
        final = engine.objective(params) if self.record_history else None
        self.history_ = run.history(final)
        self.snapshots_ = run.snapshots
        return self

    def _initial(self, X, labels, initial, rng):
        weights, means, prec = initial
        if weights is not None and means is not None and prec is not None:
            return weights, means, covariances_from_cholesky(prec, self.covariance_type), prec
        resp = initial_responsibilities(X, self.n_components, self.init_params, rng)
        if labels is not None:
            resp = pin_initial_responsibilities(resp, labels)
        w, m, cov = _m_step(X, resp, self.covariance_type, float(self.reg_covar))
        w = w if weights is None else weights
        m = m if means is None else means
        if prec is None:
            return w, m, cov, _precisions_cholesky(cov, self.covariance_type)
        return w, m, covariances_from_cholesky(prec, self.covariance_type), prec

    def _from_moments(self, moments, floor):
        weights, means, covariances = moments
        prec = _precisions_cholesky(covariances, self.covariance_type, floor)
        return weights, means, covariances, prec

    @staticmethod
    def _finite(value):
        if not np.isfinite(value):
            raise ValueError(f"The log-likelihood is not finite ({value}). "
                             + ILL_DEFINED_COVARIANCE)
        return float(value)

    def _set(self, params, *, n_iter, lower_bound, converged):
        self.weights_, self.means_, self.covariances_, self.precisions_cholesky_ = params
        self.precisions_ = precisions_from_cholesky(params[3], self.covariance_type)
        self.n_iter_, self.lower_bound_, self.converged_ = n_iter, lower_bound, converged

    def _current_params(self):
        return self.weights_, self.means_, self.covariances_, self.precisions_cholesky_

    # --- prediction ----------------------------------------------------------------

    def _wlp(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return _weighted_log_prob(X, self.weights_, self.means_, self.precisions_cholesky_,
                                  self.covariance_type)

    def fit_predict(self, X, y=None):
        """Fit, then return the most probable component of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of int of shape (n_samples,), optional
            Partial labels, as in :meth:`fit`.

        Returns
        -------
        labels : ndarray of int of shape (n_samples,)
        """
        return self.fit(X, y).predict(X)

    def predict(self, X):
        """Most probable component ``argmax_k p(z = k | x)`` of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of int of shape (n_samples,)
        """
        return np.argmax(self._wlp(X), axis=1)

    def predict_proba(self, X):
        """Responsibilities ``p(z = k | x)`` of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
        """
        return np.exp(_log_resp(self._wlp(X))[0])

    def score_samples(self, X):
        """Log-density ``log p(x)`` of every sample under the fitted mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        return _log_resp(self._wlp(X))[1]

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
        return float(np.mean(self.score_samples(X)))

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
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool):
            raise TypeError(f"n_samples must be an integer, got {type(n_samples).__name__}")
        if n_samples < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples}")
        weights = self.weights_ / self.weights_.sum()
        return sample_mixture(int(n_samples), weights, self.means_, self.covariances_,
                              covariance_type=self.covariance_type,
                              rng=as_generator(self.random_state))

    # --- model choice --------------------------------------------------------------

    def _n_parameters(self):
        return n_parameters(self.n_components, self.means_.shape[1], self.covariance_type)

    def bic(self, X):
        """Bayesian information criterion ``-2 log L + p log n`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        n = self._validate_X(X, reset=False).shape[0]
        return bic(self.score(X) * n, self._n_parameters(), n)

    def aic(self, X):
        """Akaike information criterion ``-2 log L + 2 p`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        n = self._validate_X(X, reset=False).shape[0]
        return aic(self.score(X) * n, self._n_parameters())

