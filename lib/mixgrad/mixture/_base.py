"""What :class:`GaussianMixture` and :class:`GaussianMixtureClassifier` share.

One EM run (best of ``n_init`` starts, :meth:`_BaseGaussianMixture._fit`) over
the engines of :mod:`mixgrad.mixture.engines`, with optional partial labels
(component indices, ``-1`` = unlabelled): labelled responsibilities are
pinned; with every sample labelled the fit is the closed-form supervised MLE
(one M-step). :class:`~mixgrad.mixture.GaussianMixture` calls it without
labels (its ``fit`` ignores ``y``, as scikit-learn's density estimators do);
:class:`~mixgrad.mixture.GaussianMixtureClassifier` maps its classes to
components and passes them.

Computation is in float64; float32 input gives float32 fitted parameters and
outputs, as in scikit-learn.

See the chapters :ref:`em-gaussian-mixtures` and :ref:`semi-supervised`.
"""

import numbers
import warnings
from time import perf_counter

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from mixgrad._docs import fill_doc
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.covariance import (
    ILL_DEFINED_COVARIANCE,
    _collapsed,
    _precisions_cholesky,
    collapse_floor,
    covariances_from_cholesky,
    n_parameters,
    parameter_shape,
    precisions_from_cholesky,
)
from mixgrad.mixture.em import _log_resp, _m_step, _weighted_log_prob
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

__all__ = []

_FITTED = ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_")


class _BaseGaussianMixture(BaseEstimator):
    """EM fitting, density evaluation, sampling and model choice (no public API)."""

    # --- checks --------------------------------------------------------------------

    def _validate_X(self, X, reset, ensure_min_samples=1):
        return validate_data(self, X, reset=reset, dtype=[np.float64, np.float32],
                             ensure_min_samples=ensure_min_samples if reset else 1)

    def _check_warm_start(self, n_components, n_features):
        """Whether this fit continues the previous one (and that it can)."""
        if not (self.warm_start and hasattr(self, "converged_")):
            return False
        expected = (n_components, n_features)
        shape = parameter_shape(self.covariance_type, n_components, n_features)
        if self.means_.shape != expected or self.covariances_.shape != shape:
            raise ValueError(
                f"warm_start=True continues the previous fit, which has "
                f"{self.means_.shape[0]} components, {self.means_.shape[1]} features and "
                f"covariances of shape {self.covariances_.shape}; this fit needs "
                f"{n_components} components, {n_features} features and covariance_type="
                f"{self.covariance_type!r}. Set warm_start=False to start afresh."
            )
        return True

    # --- fitting -------------------------------------------------------------------

    def _fit(self, X, n_components, labels=None):
        """Fit ``n_components`` components to validated ``X`` (partial labels optional).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float64 or float32
        n_components : int
        labels : ndarray of int of shape (n_samples,), optional
            Component of each labelled sample, ``-1`` for the unlabelled ones.

        Returns
        -------
        self
        """
        dtype, X = X.dtype, np.asarray(X, dtype=np.float64)
        check_hyperparameters(self, ENGINES)
        initial = check_initial_parameters(self.weights_init, self.means_init,
                                           self.precisions_init, self.covariance_type,
                                           n_components, X.shape[1])
        if labels is not None and np.all(labels < 0):
            labels = None
        engine = ENGINES[self.solver](X, n_components, self.covariance_type,
                                      float(self.reg_covar), labels=labels,
                                      record_history=self.record_history)
        if labels is not None and np.all(labels >= 0):
            self._fit_supervised(X, n_components, labels, engine)
        else:
            self._fit_em(X, n_components, labels, engine, initial)
        for name in _FITTED:  # float32 in, float32 out
            setattr(self, name, getattr(self, name).astype(dtype, copy=False))
        return self

    def _fit_supervised(self, X, n_components, labels, engine):
        resp = np.zeros((X.shape[0], n_components))
        resp[np.arange(X.shape[0]), labels] = 1.0
        params = self._from_moments(_m_step(X, resp, self.covariance_type, float(self.reg_covar)),
                                    collapse_floor(X, float(self.reg_covar)))
        objective = self._finite(engine.objective(params))
        recorder = Recorder(self.record_history, self.keep_snapshots)
        recorder.record({"objective": -np.inf, "elbo_e_step": -np.inf,
                         "elbo_m_step": objective}, params)
        self._set(params, n_iter=1, lower_bound=objective, converged=True)
        self.lower_bounds_ = [objective]
        self.history_ = recorder.history(objective)
        self.snapshots_ = recorder.snapshots

    def _fit_em(self, X, n_components, labels, engine, initial):
        do_init = not self._check_warm_start(n_components, X.shape[1])
        rng = as_generator(self.random_state)
        n_init = getattr(self, "n_init", 1) if do_init else 1
        best, best_bound = None, -np.inf
        for init in range(n_init):
            progress(self, f"Initialization {init}")
            params = (self._initial(X, n_components, labels, initial, rng) if do_init
                      else self._current_params())
            bound = -np.inf if do_init else self.lower_bound_
            run = Recorder(self.record_history, self.keep_snapshots, start=params)
            converged, n_iter, tic = False, 0, perf_counter()
            # a collapsed component (variance at the floor) ends the run with an error at
            # the next E-step; after the last iteration it is returned, unconverged
            collapsed = not do_init and _collapsed(*params[2:], self.covariance_type, engine.floor)
            for n_iter in range(1, self.max_iter + 1):
                if collapsed:
                    raise ValueError(ILL_DEFINED_COVARIANCE)
                previous = bound
                params, info = engine.step(params)
                collapsed = info["collapsed"]
                bound = self._finite(info["objective"])
                run.record(info, params)
                if self.verbose and n_iter % self.verbose_interval == 0:
                    progress(self, iteration_line(self.verbose, n_iter, bound, bound - previous,
                                                  info, perf_counter() - tic))
                if abs(bound - previous) < self.tol:
                    if collapsed:
                        raise ValueError(ILL_DEFINED_COVARIANCE)
                    converged = True
                    break
            progress(self, f"Initialization {'converged' if converged else 'did not converge'}.")
            # max_iter=0 keeps the last start, as scikit-learn does
            if best is None or bound > best_bound or self.max_iter == 0:
                best, best_bound = (params, n_iter, run, converged, collapsed), bound
        params, n_iter, run, converged, collapsed = best
        if not converged and self.max_iter > 0:  # max_iter=0: initialisation only
            warnings.warn(
                f"EM did not converge in max_iter={self.max_iter} iterations (best of "
                f"{n_init} initialisations); "
                + ("its last M-step collapsed a component onto coinciding samples "
                   "(variance ~0; increase reg_covar); " if collapsed else "")
                + "increase max_iter or tol, try other init parameters, or check for "
                "degenerate data.",
                ConvergenceWarning, stacklevel=4,
            )
        self._set(params, n_iter=n_iter, lower_bound=best_bound, converged=converged)
        self.lower_bounds_ = list(run.objectives)
        final = engine.objective(params) if self.record_history and n_iter else None
        self.history_ = run.history(final)
        self.snapshots_ = run.snapshots

    def _initial(self, X, n_components, labels, initial, rng):
        weights, means, prec = initial
        if weights is not None and means is not None and prec is not None:
            return weights, means, covariances_from_cholesky(prec, self.covariance_type), prec
        init_params = getattr(self, "init_params", None)
        if init_params is None:  # every component labelled: start from the labelled points
            resp = np.zeros((X.shape[0], n_components))
        else:
            resp = initial_responsibilities(X, n_components, init_params, rng)
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
        return tuple(np.asarray(getattr(self, name), dtype=np.float64) for name in _FITTED[:4])

    # --- evaluation ----------------------------------------------------------------

    def _wlp(self, X):
        """``log p(x_i, z_i = k)`` (float64) and the dtype of the validated X."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        params = self._current_params()
        wlp = _weighted_log_prob(np.asarray(X, dtype=np.float64), params[0], params[1],
                                 params[3], self.covariance_type)
        return wlp, X.dtype

    def _proba(self, X):
        wlp, dtype = self._wlp(X)
        return np.exp(_log_resp(wlp)[0]).astype(dtype, copy=False)

    def score_samples(self, X):
        """Log-density ``log p(x)`` of every sample under the fitted mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            float32 for float32 ``X``, else float64.
        """
        wlp, dtype = self._wlp(X)
        return _log_resp(wlp)[1].astype(dtype, copy=False)

    def _sample(self, n_samples):
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool):
            raise TypeError(f"n_samples must be an integer, got {type(n_samples).__name__}")
        if n_samples < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples}")
        weights, means, covariances, _ = self._current_params()
        return sample_mixture(int(n_samples), weights / weights.sum(), means, covariances,
                              covariance_type=self.covariance_type,
                              rng=as_generator(self.random_state))

    # --- model choice --------------------------------------------------------------

    def _n_parameters(self):
        return n_parameters(self.means_.shape[0], self.means_.shape[1], self.covariance_type)

    def _log_likelihood(self, X):
        return float(np.sum(self.score_samples(X), dtype=np.float64))

    @fill_doc
    def bic(self, X):
        """Bayesian information criterion ``-2 log L + p log n`` (lower is better).

        %(parameters_X_returns_float)s
        """
        n = self._validate_X(X, reset=False).shape[0]
        return bic(self._log_likelihood(X), self._n_parameters(), n)

    @fill_doc
    def aic(self, X):
        """Akaike information criterion ``-2 log L + 2 p`` (lower is better).

        %(parameters_X_returns_float)s
        """
        return aic(self._log_likelihood(X), self._n_parameters())
