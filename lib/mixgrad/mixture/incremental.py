"""Incremental EM (Neal and Hinton 1998): refresh one block's statistics per step.

EM maximises the ELBO ``F(q, theta) = sum_b F_b(q_b, theta)``, a sum over
blocks of samples. An E-step on block ``b`` alone replaces ``q_b`` by the
posterior at the current ``theta``, which maximises ``F_b`` and leaves the
other terms unchanged; the M-step then maximises ``F`` over ``theta`` from the
summed statistics ``S = sum_b S_b``. Both raise ``F``, so the bound never
decreases, yet each step reads only one block. The statistics are those of
:class:`~mixgrad.mixture.StatsEM` (all blocks centred on one point), and
the M-step is that of :class:`~mixgrad.mixture.stepwise.MomentsEM` (one pass).

See the chapter :ref:`em-at-scale`.
"""

import numpy as np

from mixgrad.mixture.covariance import collapse_floor
from mixgrad.mixture.stats import StatsEM
from mixgrad.mixture.stepwise import MomentsEM

__all__ = ["IncrementalEM"]


class IncrementalEM:
    """Incremental EM over ``n_blocks`` contiguous blocks of the samples.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float64 data.
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float
        Added to the covariances' diagonal; with 0 the M-step maximises the
        bound exactly and ``bounds`` is non-decreasing up to rounding.
    n_blocks : int
        Number of blocks (``1 <= n_blocks <= n_samples``); 1 is batch EM.

    Attributes
    ----------
    statistics : list of ndarray of shape (n_components, n_statistics)
        ``S_b = R_b T_b`` of every block, at the parameters of its last E-step.
    entropies : ndarray of shape (n_blocks,)
        Entropy of every block's responsibilities.
    bounds : list of float
        Mean ELBO ``F(q, theta) / n`` after every M-step.

    References
    ----------
    Neal, R. M. and Hinton, G. E. (1998), "A view of the EM algorithm that
    justifies incremental, sparse, and other variants".
    """

    def __init__(self, X, n_components, covariance_type, reg_covar, n_blocks):
        X = np.asarray(X, dtype=np.float64)
        n = X.shape[0]
        if not 1 <= n_blocks <= n:
            raise ValueError(f"n_blocks must be in [1, n_samples={n}], got {n_blocks}")
        center = X.mean(axis=0)
        edges = np.linspace(0, n, n_blocks + 1).astype(int)
        self.parts = [StatsEM(X[a:b], n_components, covariance_type, reg_covar, center=center)
                      for a, b in zip(edges[:-1], edges[1:], strict=True)]
        self.moments = MomentsEM(center, collapse_floor(X, reg_covar), n_components,
                                 covariance_type, reg_covar)
        self.scatter = (sum(p.scatter for p in self.parts) if covariance_type == "tied"
                        else None)
        self.n_samples, self.statistics, self.bounds = n, None, []
        self.entropies = np.zeros(n_blocks)

    def _refresh(self, b, params):
        _, S, entropy, _ = self.parts[b]._e_pass(params[0], params[1], params[3],
                                                 statistics=True)
        self.statistics[b], self.entropies[b] = S, entropy

    def _m_step(self):
        S = sum(self.statistics)
        new = self.moments.m_step(S, self.scatter)
        bound = self.moments._expected_log_joint(S, new[0], new[3]) + self.entropies.sum()
        self.bounds.append(float(bound / self.n_samples))
        return new

    def start(self, params):
        """A full E-step over all blocks at ``params``, then the M-step.

        Parameters
        ----------
        params : tuple (weights, means, covariances, precisions_cholesky)

        Returns
        -------
        tuple (weights, means, covariances, precisions_cholesky)
        """
        self.statistics = [None] * len(self.parts)
        for b in range(len(self.parts)):
            self._refresh(b, params)
        return self._m_step()

    def step(self, params, block):
        """E-step on ``block`` only, then the M-step from the summed statistics.

        Parameters
        ----------
        params : tuple (weights, means, covariances, precisions_cholesky)
            The current parameters (the last M-step's).
        block : int
            Index of the block to refresh.

        Returns
        -------
        tuple (weights, means, covariances, precisions_cholesky)
        """
        if self.statistics is None:
            raise RuntimeError("call start(params) first: every block needs statistics")
        self._refresh(block, params)
        return self._m_step()

    def run(self, params, n_sweeps, rng=None):
        """:meth:`start`, then ``n_sweeps`` sweeps over the blocks.

        Parameters
        ----------
        params : tuple (weights, means, covariances, precisions_cholesky)
            Initial parameters.
        n_sweeps : int
            Sweeps over all blocks.
        rng : numpy.random.Generator, optional
            Visit the blocks in a fresh random order each sweep (default: in order).

        Returns
        -------
        tuple (weights, means, covariances, precisions_cholesky)
            The final parameters; the bound after every step is in ``bounds``.
        """
        params = self.start(params)
        for _ in range(n_sweeps):
            order = range(len(self.parts)) if rng is None else rng.permutation(len(self.parts))
            for b in order:
                params = self.step(params, int(b))
        return params
