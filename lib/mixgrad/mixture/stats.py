"""Fast EM from the Gaussian's exponential-family sufficient statistics.

The E-step's log-densities of all components are one matrix product
``W T^T`` and the M-step's statistics ``S = R T`` another (see
:mod:`mixgrad.mixture.expfamily`), instead of a Python loop over the
components. Memory is O(n (d^2 + k)). The data are stored as column blocks of
``T(x)^T`` so that each block's ``W T^T``, log-sum-exp and ``R T`` run while
it sits in cache.

Accuracy. The one-product form subtracts large terms when a component is
tight and far from the centre of the data: the E-step loses about
``log10(m^T L m)`` digits and the M-step's ``E[x x^T] - m m^T`` about
``log10(max_j m_j^2 / var_j)``. Components beyond :data:`Q_MAX` /
:data:`R_MAX` are computed directly (centred on their own mean, two passes),
so the results agree with the reference path of :mod:`mixgrad.mixture.em`.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad.mixture.covariance import _collapsed, _precisions_cholesky, collapse_floor
from mixgrad.mixture.em import COUNT_EPS
from mixgrad.mixture.expfamily import _fill_design, _n_rows, _natural_parameters
from mixgrad.mixture.gaussian import LOG_2PI, log_det_cholesky

__all__ = ["StatsEM", "Q_MAX", "R_MAX"]

Q_MAX = 5e3  # E-step: direct form when m^T L m (centred mean, own metric) exceeds this
R_MAX = 1e4  # M-step: two-pass covariance when m_j^2 / var_j exceeds this


# --- the engine -------------------------------------------------------------------


def _n_statistics(covariance_type, d):
    """Rows of a design block; "tied" needs only [1, x] (its quadratic term is shared)."""
    return _n_rows("linear" if covariance_type == "tied" else covariance_type, d)


@fill_doc
class StatsEM:
    """EM iterations for one data set through sufficient statistics.

    Built once per fit (the design blocks are computed once), then
    :meth:`step` maps parameters ``(weights, means, covariances,
    precisions_cholesky)`` to the next ones.

    For "tied" covariances the quadratic term ``-1/2 x^T L x`` is the same for
    every component: it cancels from the responsibilities, its sum over the
    samples is ``-1/2 <L, X^T X>``, and the M-step's second moment is always
    ``X^T X`` (responsibilities sum to 1), so the blocks hold only ``[1, x]``.

    %(parameters_engine)s
    record_history : bool, default True
        Also accumulate the entropy needed for the ELBO values.
    block_size : int, optional
        Samples per block (default: about 512 KiB of statistics and
        responsibilities per block).
    center : ndarray of shape (n_features,), optional
        Point the data are centred on (default: their mean). Engines over
        parts of one data set share the centre, so that their statistics add
        up (:mod:`mixgrad.mixture.scale`).
    """

    def __init__(self, X, n_components, covariance_type, reg_covar, labels=None,
                 record_history=True, block_size=None, center=None):
        n, d = X.shape
        self.n_samples, self.n_features, self.n_components = n, d, n_components
        self.covariance_type, self.reg_covar = covariance_type, reg_covar
        self.record_history = record_history
        self.center = X.mean(axis=0) if center is None else np.asarray(center, dtype=float)
        n_stats = _n_statistics(covariance_type, d)
        if block_size is None:
            block_size = 2 ** int(round(np.log2(2**16 / (n_stats + n_components))))
            block_size = int(np.clip(block_size, 256, 16384))
        block_size = min(block_size, n)
        self.slices = [slice(s, min(s + block_size, n)) for s in range(0, n, block_size)]
        kind = "linear" if covariance_type == "tied" else covariance_type
        store = np.empty((len(self.slices), n_stats, block_size))  # one allocation
        self.blocks = [_fill_design(store[b, :, : sl.stop - sl.start], X[sl], self.center, kind)
                       for b, sl in enumerate(self.slices)]
        squares = sum(np.einsum("ij,ij->i", B[1 : d + 1], B[1 : d + 1]) for B in self.blocks)
        self.floor = collapse_floor(squares / n, reg_covar)  # from the variances of the features
        self.scatter = None  # X^T X of the centred data, for "tied"
        if covariance_type == "tied":
            self.scatter = sum(B[1 : d + 1] @ B[1 : d + 1].T for B in self.blocks)
        self.block_labels = [self._labels_in(labels, sl) for sl in self.slices]
        self.resp = None  # (k, n) responsibilities, kept only when a fallback needs them
        self._z = np.empty((n_components, block_size))
        self._r = np.empty((n_components, block_size))
        self._partial = np.empty((len(self.blocks), n_components, n_stats))  # R T per block
        self._top, self._log_total, self._rz = np.empty(n), np.empty(n), np.zeros(n)

    @staticmethod
    def _labels_in(labels, sl):
        if labels is None:
            return None
        rows = np.flatnonzero(labels[sl] >= 0)
        return (rows, labels[sl][rows]) if rows.size else None

    # -- E-step ------------------------------------------------------------------

    def _direct(self, j, xt, means_c, prec, c0):
        """Log-density of component j at the columns of ``xt``, centred on its own mean."""
        diff = xt - means_c[j][:, None]
        if self.covariance_type in ("full", "tied"):
            y = (prec if self.covariance_type == "tied" else prec[j]).T @ diff
        else:
            y = diff * (prec[j][:, None] if self.covariance_type == "diag" else prec[j])
        return c0[j] - 0.5 * np.einsum("ij,ij->j", y, y)

    def _fix_direct(self, z, xt, direct, margin, means_c, prec, c0):
        """Recompute, in place, the entries of direct components that can matter.

        The product form errs by about ``eps * q_k`` on component k. Only entries
        within ``40 + errors`` of a sample's best component matter (the others have
        responsibility below ``e^-40``), so only those are recomputed directly.
        """
        if self.covariance_type == "tied":  # direct rows are full log-densities
            y = prec.T @ xt
            z -= 0.5 * np.einsum("ij,ij->j", y, y)
        top = z.max(axis=0)
        for j, m in zip(direct, margin, strict=True):
            cols = np.flatnonzero(z[j] > top - m)
            if cols.size:
                z[j, cols] = self._direct(j, xt[:, cols], means_c, prec, c0)

    def _e_pass(self, weights, means, prec, *, statistics, store=False):
        """One pass over the blocks: objective and, optionally, S = R T and the ELBO sums.

        Per sample it keeps ``top_i = max_k log p(x_i, k)``, ``lse_i - top_i``
        (or, for a labelled sample, ``log p(x_i, y_i) - top_i``) and
        ``sum_k r_ik (log p(x_i, k) - top_i)``; the sums are taken once at the end.
        """
        ct, d = self.covariance_type, self.n_features
        means_c = means - self.center
        W, q, c0 = _natural_parameters(weights, means_c, prec, ct)
        tied = ct == "tied"
        if tied:
            W = W[:, : d + 1]
        direct = np.flatnonzero(~(q <= Q_MAX))
        error = 1e-13 * (1.0 + q[direct])  # generous bound on the product form's error
        margin = 40.0 + error + (error.max() if direct.size else 0.0)
        history = statistics and self.record_history
        if store and self.resp is None:
            self.resp = np.empty((self.n_components, self.n_samples))
        top, log_total, rz = self._top, self._log_total, self._rz
        partial = self._partial if statistics else None
        for b, (block, sl, lab) in enumerate(zip(self.blocks, self.slices, self.block_labels,
                                                 strict=True)):
            z = self._z[:, : block.shape[1]]
            np.matmul(W, block, out=z)
            if direct.size:
                self._fix_direct(z, block[1 : d + 1], direct, margin, means_c, prec, c0)
            np.max(z, axis=0, out=top[sl])
            z -= top[sl]
            if lab is not None:
                own = z[lab[1], lab[0]]  # log p(x_i, y_i) - top_i of the labelled samples
            # exp below -708 takes a slow subnormal path (20x slower); e^-700 ~ 1e-304
            # is as good as zero next to the top component's 1.
            np.maximum(z, -700.0, out=z)
            r = self.resp[:, sl] if store else self._r[:, : block.shape[1]]
            np.exp(z, out=r)
            total = r.sum(axis=0)
            r /= total
            np.log(total, out=log_total[sl])
            if lab is not None:  # pinned: objective log p(x_i, y_i), zero entropy
                rows, cls = lab
                log_total[sl][rows] = own
                z[cls, rows] = own
                r[:, rows] = 0.0
                r[cls, rows] = 1.0
            if history:
                np.einsum("ij,ij->j", r, z, out=rz[sl])
            if statistics:
                np.matmul(r, block.T, out=partial[b])
        objective = float(top.sum() + log_total.sum())
        entropy = float(log_total.sum() - rz.sum()) if history else 0.0
        cross = float(top.sum() + rz.sum()) if history else 0.0
        if tied and not direct.size:  # the shared term, summed over the samples at once
            shared = -0.5 * np.einsum("ij,ij->", prec @ prec.T, self.scatter)
            objective += shared
            cross += shared
        return objective, partial.sum(axis=0) if statistics else None, entropy, cross

    # -- M-step ------------------------------------------------------------------

    def _two_pass(self, j, mean_c, squares_only=False):
        """Weighted scatter of component j about ``mean_c``, from stored resp."""
        d = self.n_features
        out = 0.0
        for block, sl in zip(self.blocks, self.slices, strict=True):
            diff = block[1 : d + 1] - mean_c[:, None]
            r = self.resp[j, sl]
            out = out + ((diff * diff) @ r if squares_only else (diff * r) @ diff.T)
        return out

    def _scatters(self, params, means_c, components, squares_only):
        """Recompute the responsibilities, then each component's scatter about its mean."""
        self._e_pass(params[0], params[1], params[3], statistics=False, store=True)
        return [self._two_pass(k, means_c[k], squares_only) for k in components]

    def _unpack(self, vech):
        d = self.n_features
        i, j = np.triu_indices(d)
        out = np.empty(vech.shape[:-1] + (d, d))
        out[..., i, j] = vech
        out[..., j, i] = vech
        return out

    def _one_pass_covariances(self, S, nk, means_c):
        """Covariances from the moments, and the components that lost too many digits.

        The scatter is taken about the returned means ``mu`` (which, as in
        scikit-learn, divide by ``N_k + 10 eps`` and so differ from ``m = S_1 / nk``
        for nearly empty components): ``E[x x^T] - m mu^T - mu m^T + (N_k / nk) mu mu^T``.
        """
        ct, d = self.covariance_type, self.n_features
        m = S[:, 1 : d + 1] / nk[:, None]
        if ct == "tied":
            total = self.scatter
            cov = (total - (nk[:, None] * means_c).T @ means_c) / nk.sum()
            ok = np.all(np.diagonal(total) / nk.sum() <= R_MAX * np.diagonal(cov))
            return cov, np.arange(len(nk)) if not ok else np.array([], dtype=int)
        rho = S[:, 0] / nk
        second = S[:, d + 1 :] / nk[:, None]
        if ct == "full":
            cross = m[:, :, None] * means_c[:, None, :]
            cov = (self._unpack(second) - cross - np.swapaxes(cross, 1, 2)
                   + rho[:, None, None] * means_c[:, :, None] * means_c[:, None, :])
            var = np.diagonal(cov, axis1=1, axis2=2)
            return cov, np.flatnonzero(~np.all(m**2 <= R_MAX * var, axis=1))
        if ct == "diag":
            cov = second - 2 * m * means_c + rho[:, None] * means_c**2
            return cov, np.flatnonzero(~np.all(m**2 <= R_MAX * cov, axis=1))
        sq = np.einsum("kj,kj->k", m, m)
        cov = (second[:, 0] - 2 * np.einsum("kj,kj->k", m, means_c)
               + rho * np.einsum("kj,kj->k", means_c, means_c)) / d
        return cov, np.flatnonzero(~(sq <= R_MAX * d * cov))

    def _covariances(self, S, nk, means_c, params):
        ct, d = self.covariance_type, self.n_features
        cov, bad = self._one_pass_covariances(S, nk, means_c)
        if bad.size and ct == "tied":
            cov = sum(self._scatters(params, means_c, range(len(nk)), False)) / nk.sum()
        elif bad.size:
            for k, scatter in zip(bad, self._scatters(params, means_c, bad, ct != "full"),
                                  strict=True):
                cov[k] = (scatter if ct != "spherical" else scatter.sum() / d) / nk[k]
        if ct in ("full", "tied"):
            cov[..., np.arange(d), np.arange(d)] += self.reg_covar
            return cov
        return cov + self.reg_covar

    def _m_step(self, S, params):
        d = self.n_features
        counts = S[:, 0]
        nk = counts + COUNT_EPS
        # scikit-learn's means are resp^T X / nk; with centred data the centre
        # enters with the factor counts / nk (it matters only for empty components).
        means_c = S[:, 1 : d + 1] / nk[:, None] - self.center * (COUNT_EPS / nk)[:, None]
        covariances = self._covariances(S, nk, means_c, params)
        prec = _precisions_cholesky(covariances, self.covariance_type)
        return nk / nk.sum(), means_c + self.center, covariances, prec

    def _expected_log_joint(self, S, weights, prec):
        """sum_ik r_ik log p(x_i, z_i = k | new parameters), from the M-step identities."""
        d, ct = self.n_features, self.covariance_type
        counts = S[:, 0]
        nk = counts + COUNT_EPS
        log_det = log_det_cholesky(prec, ct, d)
        if ct in ("full", "tied"):
            trace = np.einsum("...ij,...ij->...", prec, prec)
        else:
            trace = (prec**2).sum(axis=-1) if ct == "diag" else d * prec**2
        quad = nk * (d - self.reg_covar * trace)  # sum_i r_ik (x_i-mu_k)^T L_k (x_i-mu_k)
        return float(np.sum(counts * (np.log(weights) + log_det - 0.5 * d * LOG_2PI) - 0.5 * quad))

    # -- public --------------------------------------------------------------------

    def step(self, params):
        """One EM iteration.

        Parameters
        ----------
        params : tuple (weights, means, covariances, precisions_cholesky)

        Returns
        -------
        new_params : tuple (weights, means, covariances, precisions_cholesky)
        info : dict
            ``objective``: mean (semi-supervised) log-likelihood at ``params``;
            ``collapsed``: whether a new variance is at the collapse floor
            (``mixgrad.mixture.covariance.collapse_floor``; the caller must not step
            from such parameters); with ``record_history`` also ``elbo_e_step``
            and ``elbo_m_step`` (means over the samples).
        """
        weights, means, _, prec = params
        objective, S, entropy, cross = self._e_pass(weights, means, prec, statistics=True)
        new = self._m_step(S, params)
        n = self.n_samples
        info = {"objective": float(objective / n),
                "collapsed": _collapsed(new[2], new[3], self.covariance_type, self.floor)}
        if self.record_history:
            info["elbo_e_step"] = (cross + entropy) / n
            info["elbo_m_step"] = (self._expected_log_joint(S, new[0], new[3]) + entropy) / n
        return new, info

    def objective(self, params):
        """Mean (semi-supervised) log-likelihood at ``params``."""
        weights, means, _, prec = params
        return self._e_pass(weights, means, prec, statistics=False)[0] / self.n_samples
