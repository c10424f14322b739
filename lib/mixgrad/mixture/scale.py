"""EM on data that never sit in memory: the sufficient statistics summed by Dask.

An EM iteration needs the data only through sums over the samples: the
objective, ``S = R T`` (responsibilities times sufficient statistics) and the
ELBO's entropy and cross terms. :class:`DaskEM` computes those sums block by
block with the in-memory engine :class:`~mixgrad.mixture.StatsEM` (all
blocks centred on one shared point, so their statistics add up) and lets Dask
add them: one map over the row blocks of a ``dask.array`` and one reduce per
iteration. The M-step, which needs only ``S``, is the in-memory engine's, so
from the same start the iterates equal those of the in-memory fit up to the
order of summation.

:meth:`GaussianMixture.fit <mixgrad.mixture.GaussianMixture.fit>` dispatches
here when ``X`` is a ``dask.array``; the initialisation (k-means, random, ...)
runs on a strided in-memory sample of at most :data:`INIT_SAMPLE_SIZE` rows
(all rows when there are fewer, so the fit then equals the in-memory one,
initialisation included). Without a ``distributed.Client`` Dask's threaded
scheduler runs the blocks; with one, its workers do.

See the chapter :ref:`em-gaussian-mixtures`.
"""

import math

import numpy as np

from mixgrad.mixture._base import _FITTED
from mixgrad.mixture.covariance import collapse_floor
from mixgrad.mixture.engines import ENGINES
from mixgrad.mixture.initialization import check_hyperparameters, check_initial_parameters
from mixgrad.mixture.stats import StatsEM, _n_statistics

__all__ = ["DaskEM", "INIT_SAMPLE_SIZE", "check_dask_array", "fit_dask", "is_dask_array",
           "score_dask"]

#: Most rows of the strided sample the initialisation runs on.
INIT_SAMPLE_SIZE = 100_000


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (False when Dask is not installed).

    Parameters
    ----------
    X : object

    Returns
    -------
    bool
    """
    try:
        import dask.array as da
    except ImportError:  # pragma: no cover - dask is an optional extra
        return False
    return isinstance(X, da.Array)


def check_dask_array(X, name="X"):
    """Check that a ``dask.array`` can be fitted: 2-D float, chunked by rows only.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    name : str, default "X"
        Name used in the error messages.

    Returns
    -------
    X : dask.array.Array
        The same array.

    Raises
    ------
    TypeError
        If the array's dtype is not a floating-point type.
    ValueError
        If it is not 2-D, has unknown chunk sizes, or its columns are split
        over several chunks.
    """
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features), got "
                         f"{X.ndim}-D; reshape it, e.g. {name}.reshape(-1, 1)")
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"{name} must have a floating-point dtype, got {X.dtype}; "
                        f"convert it with {name}.astype(np.float64)")
    if any(math.isnan(c) for c in X.chunks[0]) or math.isnan(X.shape[1]):
        raise ValueError(f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() "
                         "first")
    if len(X.chunks[1]) > 1:
        raise ValueError(f"{name} is chunked across its columns ({len(X.chunks[1])} column "
                         f"chunks); EM needs whole rows in every block: use "
                         f"{name}.rechunk({{1: -1}})")
    return X


def _rows(block_info):
    start, stop = block_info[0]["array-location"][0]
    return block_info[0]["chunk-location"][0], start, stop


def _checked(block, dtype, block_info):
    """The block as float64, after the checks of dtype and finiteness."""
    index, start, stop = _rows(block_info)
    where = f"block {index} (rows {start}-{stop - 1})"
    if block.dtype != dtype:
        raise TypeError(f"X declares dtype {dtype} but {where} has dtype {block.dtype}; fix "
                        "the dtype of the function that makes the blocks, or use X.astype(...)")
    if not np.isfinite(block).all():
        raise ValueError(f"X has NaN or infinite values in {where}; drop or impute them "
                         "before fitting, e.g. X[da.isfinite(X).all(axis=1)]")
    return np.asarray(block, dtype=np.float64)


def _block_moments(block, dtype, tied, block_info=None):
    """Count, mean and scatter about its own mean of one block, as one row."""
    x = _checked(block, dtype, block_info)
    mean = x.mean(axis=0)
    xc = x - mean
    scatter = (xc.T @ xc).ravel() if tied else np.einsum("ij,ij->j", xc, xc)
    return np.concatenate([[x.shape[0]], mean, scatter])[None, :]


def _block_pass(block, params, center, options, statistics, block_info=None):
    """Objective, entropy, cross term and ``S`` of one block, as one row."""
    dtype, k, ct, reg, history = options
    engine = StatsEM(_checked(block, dtype, block_info), k, ct, reg, record_history=history,
                     center=center)
    objective, S, entropy, cross = engine._e_pass(params[0], params[1], params[3],
                                                  statistics=statistics)
    S = np.zeros((k, _n_statistics(ct, len(center)))) if S is None else S
    return np.concatenate([[objective, entropy, cross], S.ravel()])[None, :]


def _block_scatters(block, params, means_c, components, squares_only, center, options,
                    block_info=None):
    """Weighted scatter of the given components about their means, one block."""
    dtype, k, ct, reg, _ = options
    engine = StatsEM(_checked(block, dtype, block_info), k, ct, reg, record_history=False,
                     center=center)
    scatters = engine._scatters(params, means_c, components, squares_only)
    return np.concatenate([np.ravel(s) for s in scatters])[None, :]


class DaskEM(StatsEM):
    """:class:`~mixgrad.mixture.StatsEM` over the row blocks of a ``dask.array``.

    Construction makes one pass over the data: the centre, the collapse floor,
    for "tied" the scatter ``X^T X`` of the centred data, and the strided
    sample for the initialisation. Every ``step`` and ``objective``
    is then one map over the blocks and one reduce; the M-step is inherited.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Float data chunked by rows (one chunk across the columns).
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float
    record_history : bool, default True
        Also sum the entropy needed for the ELBO values.
    sample_size : int, default INIT_SAMPLE_SIZE
        Most rows kept in ``sample``.

    Attributes
    ----------
    sample : ndarray of shape (n_sample, n_features)
        Every ``ceil(n_samples / sample_size)``-th row (all rows when
        ``n_samples <= sample_size``), in memory, for the initialisation.
    """

    def __init__(self, X, n_components, covariance_type, reg_covar, record_history=True,
                 sample_size=INIT_SAMPLE_SIZE):
        import dask

        X = check_dask_array(X)
        n, d = X.shape
        self.X, self.n_samples, self.n_features = X, n, d
        self.n_components, self.covariance_type = n_components, covariance_type
        self.reg_covar, self.record_history, self.resp = reg_covar, record_history, None
        tied = covariance_type == "tied"
        width = 1 + d + (d * d if tied else d)
        moments = X.map_blocks(_block_moments, X.dtype, tied, dtype=np.float64,
                               chunks=((1,) * X.numblocks[0], (width,)))
        stride = max(1, math.ceil(n / sample_size))
        rows, sample = dask.compute(moments, X[::stride])
        counts, means, scatters = rows[:, 0], rows[:, 1 : d + 1], rows[:, d + 1 :]
        self.center = counts @ means / n
        offsets = means - self.center  # Chan et al.: scatter about the centre, blockwise
        if tied:
            scatter = scatters.sum(axis=0).reshape(d, d)
            self.scatter = scatter + (counts[:, None] * offsets).T @ offsets
            squares = np.diagonal(self.scatter).copy()
        else:
            self.scatter = None
            squares = scatters.sum(axis=0) + counts @ offsets**2
        self.floor = collapse_floor(squares / n, reg_covar)
        self.sample = np.asarray(sample, dtype=np.float64)
        self._options = (X.dtype, n_components, covariance_type, reg_covar, record_history)

    def _reduce(self, function, width, *args):
        out = self.X.map_blocks(function, *args, dtype=np.float64,
                                chunks=((1,) * self.X.numblocks[0], (width,)))
        return out.sum(axis=0).compute()

    def _e_pass(self, weights, means, prec, *, statistics, store=False):
        """Objective, ``S = R T``, entropy and cross term summed over all blocks."""
        if store:
            raise NotImplementedError("DaskEM keeps no responsibilities (store=True)")
        k, p = self.n_components, _n_statistics(self.covariance_type, self.n_features)
        params = (weights, means, None, prec)
        sums = self._reduce(_block_pass, 3 + k * p, params, self.center, self._options,
                            statistics)
        S = sums[3:].reshape(k, p) if statistics else None
        return float(sums[0]), S, float(sums[1]), float(sums[2])

    def _scatters(self, params, means_c, components, squares_only):
        """Two-pass scatters of ``components``: one more map and reduce."""
        components = list(components)
        d = self.n_features
        size = d if squares_only else d * d
        params = (params[0], params[1], None, params[3])
        sums = self._reduce(_block_scatters, size * len(components), params, means_c,
                            components, squares_only, self.center, self._options)
        shape = (d,) if squares_only else (d, d)
        return [sums[i * size : (i + 1) * size].reshape(shape) for i in range(len(components))]


def fit_dask(estimator, X):
    """Fit a :class:`~mixgrad.mixture.GaussianMixture` on a ``dask.array`` by EM.

    Called by :meth:`GaussianMixture.fit <mixgrad.mixture.GaussianMixture.fit>`
    for Dask input. Same EM loop, stopping rule, ``n_init``, ``warm_start``
    and fitted attributes as for in-memory data; the initialisation runs on
    ``DaskEM.sample``.

    Parameters
    ----------
    estimator : GaussianMixture
    X : dask.array.Array of shape (n_samples, n_features)
        Float data chunked by rows only.

    Returns
    -------
    estimator : GaussianMixture
        Fitted.

    Raises
    ------
    TypeError
        For a non-float dtype, or a block whose dtype differs from the declared one.
    ValueError
        For columns split over chunks, NaN or infinite values (naming the
        block), fewer samples than components, or ``solver="direct"``.
    """
    X = check_dask_array(X)
    n_samples, n_features = X.shape
    check_hyperparameters(estimator, ENGINES)
    initial = check_initial_parameters(estimator.weights_init, estimator.means_init,
                                       estimator.precisions_init, estimator.covariance_type,
                                       estimator.n_components, n_features)
    if estimator.solver != "stats":
        raise ValueError(f"solver={estimator.solver!r} needs the data in memory; use "
                         "solver='stats' for a dask array")
    if n_samples < estimator.n_components:
        raise ValueError(f"n_samples={n_samples} is smaller than n_components="
                         f"{estimator.n_components}; use fewer components or more data")
    engine = DaskEM(X, estimator.n_components, estimator.covariance_type,
                    float(estimator.reg_covar), record_history=estimator.record_history)
    estimator.n_features_in_ = n_features
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    estimator._fit_em(engine.sample, estimator.n_components, None, engine, initial)
    for name in _FITTED:  # float32 in, float32 out, as for in-memory data
        setattr(estimator, name, getattr(estimator, name).astype(X.dtype, copy=False))
    return estimator


def score_dask(estimator, X):
    """Mean log-likelihood of a ``dask.array`` under a fitted mixture, blockwise.

    Parameters
    ----------
    estimator : GaussianMixture
        Fitted.
    X : dask.array.Array of shape (n_samples, n_features)

    Returns
    -------
    float
        Equal to ``estimator.score(X.compute())`` up to rounding.
    """
    X = check_dask_array(X)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but the mixture was fitted with "
                         f"{estimator.n_features_in_}")
    engine = DaskEM(X, estimator.n_components, estimator.covariance_type,
                    float(estimator.reg_covar), record_history=False, sample_size=1)
    return float(engine.objective(estimator._current_params()))
