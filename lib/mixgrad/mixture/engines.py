"""The two EM engines behind :class:`~mixgrad.mixture.GaussianMixture`.

Both map parameters ``(weights, means, covariances, precisions_cholesky)`` to
the next ones with :meth:`step` and evaluate the objective with
:meth:`objective`:

- :class:`DirectEM` (``solver="direct"``) is the textbook loop of
  :mod:`mixgrad.mixture.em`: responsibilities, then the M-step one component
  at a time. It is the reference the chapters read.
- :class:`~mixgrad.mixture.stats.StatsEM` (``solver="stats"``, the default)
  does the same with one matrix product per step.

The objective is the mean log-likelihood; with partial labels, labelled
samples contribute ``log p(x_i, z_i = y_i)`` (the semi-supervised
likelihood) and their responsibilities are pinned to their label.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad.mixture.covariance import _collapsed, _precisions_cholesky, collapse_floor
from mixgrad.mixture.em import _log_resp, _m_step, _objective, _weighted_log_prob
from mixgrad.mixture.likelihood import _entropy, _expected_log_joint
from mixgrad.mixture.stats import StatsEM

__all__ = ["DirectEM", "StatsEM", "ENGINES"]


@fill_doc
class DirectEM:
    """EM iterations written exactly as in the text (the reference path).

    %(parameters_engine)s
    record_history : bool, default True
        Also compute the ELBO after the E-step and after the M-step.
    """

    def __init__(self, X, n_components, covariance_type, reg_covar, labels=None,
                 record_history=True):
        self.X, self.n_components = X, n_components
        self.covariance_type, self.reg_covar = covariance_type, reg_covar
        self.labels, self.record_history = labels, record_history
        self._rows = None if labels is None else np.flatnonzero(labels >= 0)
        self.floor = collapse_floor(X, reg_covar)

    def _wlp(self, params):
        weights, means, _, prec = params
        return _weighted_log_prob(self.X, weights, means, prec, self.covariance_type)

    def e_step(self, params):
        """Responsibilities (pinned where labelled) and the mean objective."""
        wlp = self._wlp(params)
        log_resp, log_prob_norm = _log_resp(wlp)
        resp = np.exp(log_resp)
        if self._rows is not None:
            resp[self._rows] = 0.0
            resp[self._rows, self.labels[self._rows]] = 1.0
        return resp, wlp, float(np.mean(_objective(wlp, log_prob_norm, self.labels)))

    def m_step(self, resp, check_collapse=True):
        """Weights, means, covariances and precision factors from responsibilities.

        With ``check_collapse`` a variance at the collapse floor raises the
        "ill-defined empirical covariance" error (:meth:`step` reports it instead).
        """
        weights, means, covariances = _m_step(self.X, resp, self.covariance_type, self.reg_covar)
        prec = _precisions_cholesky(covariances, self.covariance_type,
                                    self.floor if check_collapse else None)
        return weights, means, covariances, prec

    def step(self, params):
        """One EM iteration; see :meth:`mixgrad.mixture.stats.StatsEM.step`."""
        resp, wlp, objective = self.e_step(params)
        new = self.m_step(resp, check_collapse=False)
        info = {"objective": objective,
                "collapsed": _collapsed(new[2], new[3], self.covariance_type, self.floor)}
        if self.record_history:
            entropy = _entropy(resp)
            info["elbo_e_step"] = _expected_log_joint(resp, wlp) + entropy
            info["elbo_m_step"] = _expected_log_joint(resp, self._wlp(new)) + entropy
        return new, info

    def objective(self, params):
        """Mean (semi-supervised) log-likelihood at ``params``."""
        wlp = self._wlp(params)
        return float(np.mean(_objective(wlp, _log_resp(wlp)[1], self.labels)))


ENGINES = {"direct": DirectEM, "stats": StatsEM}
