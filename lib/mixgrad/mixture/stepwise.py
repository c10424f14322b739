"""Stepwise (mini-batch, online) EM on running averages of the sufficient statistics.

EM's M-step needs the data only through the averages ``s = (1/n) sum_i
E[T(x_i, z_i) | x_i, theta]`` of the complete-data sufficient statistics.
Online EM (Cappé and Moulines 2009, one observation per step; its mini-batch
form and the name "stepwise EM" are Liang and Klein's, 2009) replaces them by a
running average over mini-batches ``B_t``:

``s_t = (1 - rho_t) s_{t-1} + rho_t (1 / |B_t|) sum_{i in B_t} E[T(x_i, z_i) | x_i, theta_{t-1}]``,
then ``theta_t = M-step(s_t)``,

with step sizes ``rho_t = (t + t_0)^(-kappa)``. For ``kappa in (0.5, 1]``
they satisfy the Robbins-Monro conditions ``sum rho_t = inf`` and ``sum
rho_t^2 < inf``. For an i.i.d. stream of data, and under a stability
condition (the statistics stay in a compact set), Cappé and Moulines show that
the iterates converge to the set of stationary points of the expected
log-likelihood; reshuffled passes over one fixed sample, as in
``MiniBatchGaussianMixture.fit``, are outside that theorem, and in practice
come close to the batch fit. Smaller ``kappa`` forgets the early, poorly
fitted batches faster. The first batch initialises the parameters as
:meth:`GaussianMixture.fit <mixgrad.mixture.GaussianMixture.fit>` would, and
its statistics start the average (``rho_0 = 1``).

The statistics are those of :class:`~mixgrad.mixture.StatsEM`, centred
on the mean of the first batch. Their M-step is computed in one pass, so a
component very tight and far from that centre loses digits (see
:class:`~mixgrad.mixture.StatsEM`); the batch engine's two-pass fallback would need
the data again.

See the chapter :ref:`em-at-scale`.
"""

import numbers

import numpy as np

from mixgrad.mixture.covariance import collapse_floor
from mixgrad.mixture.engines import ENGINES
from mixgrad.mixture.estimator import GaussianMixture
from mixgrad.mixture.initialization import (
    as_generator,
    check_hyperparameters,
    check_initial_parameters,
)
from mixgrad.mixture.scale import is_dask_array
from mixgrad.mixture.stats import StatsEM

__all__ = ["MiniBatchGaussianMixture", "MomentsEM", "check_step_schedule", "step_size"]


def check_step_schedule(learning_decay, learning_offset):
    """Check the step-size schedule ``rho_t = (t + t_0)^(-kappa)``.

    Parameters
    ----------
    learning_decay : float
        ``kappa``, in ``(0.5, 1]``.
    learning_offset : float
        ``t_0 >= 0``.

    Raises
    ------
    TypeError
        If either is not a real number.
    ValueError
        If ``kappa`` is outside ``(0.5, 1]`` or ``t_0 < 0``.
    """
    for name, value in (("learning_decay", learning_decay), ("learning_offset", learning_offset)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{name} must be a real number, got {value!r}")
    if not 0.5 < learning_decay <= 1.0:
        raise ValueError(
            f"learning_decay (kappa) must be in (0.5, 1], got {learning_decay!r}: the step sizes "
            "rho_t = (t + t0)^-kappa must sum to infinity (kappa <= 1) while their squares "
            "sum to a finite value (kappa > 0.5)"
        )
    if not learning_offset >= 0.0:
        raise ValueError(f"learning_offset (t0) must be >= 0, got {learning_offset!r}; it "
                         "delays the decay of rho_t = (t + t0)^-kappa")


def step_size(t, learning_decay=0.6, learning_offset=1.0):
    """Step size ``rho_t = (t + t_0)^(-kappa)`` of the ``t``-th update (``t >= 1``).

    Parameters
    ----------
    t : int or ndarray of int
        Update number; the first batch (``t = 0``) is taken whole.
    learning_decay : float, default 0.6
        ``kappa`` in ``(0.5, 1]``.
    learning_offset : float, default 1.0
        ``t_0 >= 0``.

    Returns
    -------
    float or ndarray
        In ``(0, 1]``.

    Examples
    --------
    >>> [round(step_size(t, 1.0, 1.0), 3) for t in (1, 2, 3)]
    [0.5, 0.333, 0.25]
    """
    check_step_schedule(learning_decay, learning_offset)
    rho = np.minimum(1.0, (np.asarray(t, dtype=float) + learning_offset) ** -learning_decay)
    return float(rho) if rho.ndim == 0 else rho


class MomentsEM(StatsEM):
    """The M-step of :class:`~mixgrad.mixture.StatsEM` from given statistics, no data.

    Parameters
    ----------
    center : ndarray of shape (n_features,)
        Centre the statistics were computed about.
    floor : ndarray of shape (n_features,)
        Collapse floor (``10 eps`` times the variances of the features).
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float
    """

    def __init__(self, center, floor, n_components, covariance_type, reg_covar):
        self.center, self.floor = np.asarray(center, dtype=float), floor
        self.n_features, self.n_components = len(self.center), n_components
        self.covariance_type, self.reg_covar = covariance_type, reg_covar
        self.scatter, self.resp = None, None

    def _scatters(self, params, means_c, components, squares_only):
        raise NotImplementedError  # never called: _covariances keeps the one-pass values

    def _covariances(self, S, nk, means_c, params):
        cov, _ = self._one_pass_covariances(S, nk, means_c)
        d = self.n_features
        if self.covariance_type in ("full", "tied"):
            cov[..., np.arange(d), np.arange(d)] += self.reg_covar
            return cov
        return cov + self.reg_covar

    def m_step(self, S, scatter=None):
        """Parameters from averaged statistics ``S`` (and, for "tied", ``X^T X / n``).

        Parameters
        ----------
        S : ndarray of shape (n_components, n_statistics)
            Averages of ``r_ik T(x_i)``, ``T`` centred on ``center``.
        scatter : ndarray of shape (n_features, n_features), optional
            Average of ``(x_i - c)(x_i - c)^T``; required for "tied".

        Returns
        -------
        tuple (weights, means, covariances, precisions_cholesky)
        """
        self.scatter = scatter
        return self._m_step(S, None)


def batch_statistics(X, params, center, n_components, covariance_type, reg_covar):
    """Mean log-likelihood and averaged statistics ``S / n`` (and scatter) of one batch.

    Parameters
    ----------
    X : ndarray of shape (n_batch, n_features)
    params : tuple (weights, means, covariances, precisions_cholesky)
    center : ndarray of shape (n_features,)
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float

    Returns
    -------
    objective : float
        Mean log-likelihood of the batch at ``params``.
    S : ndarray of shape (n_components, n_statistics)
    scatter : ndarray of shape (n_features, n_features) or None
        ``(X - c)^T (X - c) / n_batch`` for "tied", else None.
    """
    engine = StatsEM(X, n_components, covariance_type, reg_covar, record_history=False,
                     center=center)
    objective, S, _, _ = engine._e_pass(params[0], params[1], params[3], statistics=True)
    n = X.shape[0]
    scatter = None if engine.scatter is None else engine.scatter / n
    return objective / n, S / n, scatter


class MiniBatchGaussianMixture(GaussianMixture):
    """Gaussian mixture fitted by stepwise (mini-batch) EM; :meth:`partial_fit` for streams.

    The parameters of :class:`~mixgrad.mixture.GaussianMixture` (``max_iter``
    counts passes over the data in :meth:`fit`; ``n_init`` and ``solver`` are
    not used), plus:

    Parameters
    ----------
    n_components : int, default 1
    covariance_type, tol, reg_covar, max_iter, n_init, init_params, weights_init, means_init, \
precisions_init, random_state, warm_start, verbose, verbose_interval, record_history, \
keep_snapshots, solver
        As for :class:`~mixgrad.mixture.GaussianMixture`; ``max_iter`` is the
        number of passes of :meth:`fit` (default 10).
    batch_size : int, default 1024
        Samples per mini-batch in :meth:`fit` (a dask array is read one block
        at a time, each split into batches of this size).
    learning_decay : float, default 0.6
        ``kappa`` in ``rho_t = (t + t_0)^(-kappa)``, in ``(0.5, 1]``.
    learning_offset : float, default 1.0
        ``t_0 >= 0``; larger values take smaller early steps.

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_
        As for :class:`~mixgrad.mixture.GaussianMixture`.
    statistics_ : ndarray of shape (n_components, n_statistics)
        The running average ``s_t`` (rows ``[1, x - c, ...]`` times ``r_ik``).
    center_ : ndarray of shape (n_features,)
        The centre ``c`` of the statistics (mean of the first batch).
    n_steps_ : int
        Batches seen (``t + 1``).
    lower_bound_ : float
        Mean log-likelihood of the last batch at the parameters before its update.

    References
    ----------
    Cappé, O. and Moulines, E. (2009), "On-line expectation-maximization
    algorithm for latent data models", JRSS B 71(3).
    Liang, P. and Klein, D. (2009), "Online EM for unsupervised models", NAACL-HLT.
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=10, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None, warm_start=False,
                 verbose=0, verbose_interval=10, record_history=True, keep_snapshots=False,
                 solver="stats", batch_size=1024, learning_decay=0.6, learning_offset=1.0):
        super().__init__(n_components, covariance_type=covariance_type, tol=tol,
                         reg_covar=reg_covar, max_iter=max_iter, n_init=n_init,
                         init_params=init_params, weights_init=weights_init,
                         means_init=means_init, precisions_init=precisions_init,
                         random_state=random_state, warm_start=warm_start, verbose=verbose,
                         verbose_interval=verbose_interval, record_history=record_history,
                         keep_snapshots=keep_snapshots, solver=solver)
        self.batch_size = batch_size
        self.learning_decay = learning_decay
        self.learning_offset = learning_offset

    def _start(self, X):
        """Initialise from the first batch as ``fit`` would; the statistics at that start."""
        check_hyperparameters(self, ENGINES)
        initial = check_initial_parameters(self.weights_init, self.means_init,
                                           self.precisions_init, self.covariance_type,
                                           self.n_components, X.shape[1])
        params = self._initial(X, self.n_components, None, initial,
                               as_generator(self.random_state))
        self.center_ = X.mean(axis=0)
        self._floor = collapse_floor(X, float(self.reg_covar))
        return params

    def partial_fit(self, X, y=None):
        """One stepwise-EM update from the mini-batch ``X`` (the first call initialises).

        Parameters
        ----------
        X : array-like of shape (n_batch, n_features)
            The mini-batch (the first needs ``n_batch >= n_components``).
        y : None
            Ignored.

        Returns
        -------
        self : MiniBatchGaussianMixture
        """
        check_step_schedule(self.learning_decay, self.learning_offset)
        first = not hasattr(self, "statistics_")
        if is_dask_array(X):
            X = X.compute()
        X = self._validate_X(X, reset=first)
        if first:
            if X.shape[0] < self.n_components:
                raise ValueError(f"the first batch has {X.shape[0]} samples, fewer than "
                                 f"n_components={self.n_components}")
            params, rho, t = self._start(X), 1.0, 0
        else:
            params, t = self._current_params(), self.n_steps_
            rho = step_size(t, self.learning_decay, self.learning_offset)
        objective, S, scatter = batch_statistics(X, params, self.center_, self.n_components,
                                                 self.covariance_type, float(self.reg_covar))
        if first:
            self.statistics_, self._scatter = S, scatter
        else:
            self.statistics_ = (1.0 - rho) * self.statistics_ + rho * S
            if scatter is not None:
                self._scatter = (1.0 - rho) * self._scatter + rho * scatter
        moments = MomentsEM(self.center_, self._floor, self.n_components, self.covariance_type,
                            float(self.reg_covar))
        new = moments.m_step(self.statistics_, self._scatter)
        self._set(new, n_iter=t + 1, lower_bound=self._finite(objective), converged=False)
        self.n_steps_ = t + 1
        return self

    def _batches(self, X):
        if is_dask_array(X):
            for block in X.blocks:
                yield from self._batches(block.compute())
            return
        for start in range(0, X.shape[0], self.batch_size):
            yield X[start : start + self.batch_size]

    def fit(self, X, y=None):
        """``max_iter`` passes of stepwise EM over mini-batches of ``batch_size`` rows.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Read in order, batch by batch (a dask array block by block).
        y : None
            Ignored.

        Returns
        -------
        self : MiniBatchGaussianMixture
        """
        if not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {self.batch_size!r}")
        if not (self.warm_start and hasattr(self, "statistics_")):
            for name in ("statistics_", "n_steps_"):
                self.__dict__.pop(name, None)
        self.lower_bounds_ = []
        for _ in range(self.max_iter):
            for batch in self._batches(X):
                self.partial_fit(batch)
            self.lower_bounds_.append(self.lower_bound_)
        self.history_, self.snapshots_ = None, None
        return self

