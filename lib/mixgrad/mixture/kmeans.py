"""Lloyd's k-means with k-means++ seeding and restarts.

k-means is the hard, equal-weight, isotropic limit of EM for a Gaussian
mixture (see :mod:`mixgrad.mixture.limits`); it also initialises
:class:`~mixgrad.mixture.GaussianMixture`.  The iteration follows
scikit-learn's ``algorithm="lloyd"`` step for step, so that from the same
initial centres both give the same labels, centres and inertia.

See the chapters :ref:`gaussian-mixtures` and :ref:`kmeans-limit`.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_integer, check_positive, check_rng
from mixgrad.exceptions import ConvergenceWarning

__all__ = ["KMeansResult", "kmeans", "kmeans_plusplus", "squared_distances", "inertia"]


@dataclass
class KMeansResult:
    """Outcome of :func:`kmeans`.

    See the chapter :ref:`kmeans-limit`.

    Attributes
    ----------
    centers : ndarray of shape (n_clusters, n_features)
        Final cluster centres.
    labels : ndarray of shape (n_samples,)
        Index of the nearest centre for every sample.
    inertia : float
        Sum of squared distances of the samples to their centre (the k-means
        cost :math:`J`).
    n_iter : int
        Number of Lloyd iterations of the best run.
    converged : bool
        Whether the best run met its stopping rule before ``max_iter``.
    history : ndarray of shape (n_iter,)
        Cost after every iteration of the best run (assignment then update);
        it never increases.
    restart_inertias : ndarray of shape (n_init,)
        Final cost of every restart, the best of which was kept.
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    converged: bool
    history: np.ndarray
    restart_inertias: np.ndarray = field(default_factory=lambda: np.empty(0))


# --- validation ---------------------------------------------------------------


def _check_X(X, n_clusters):
    X = check_finite_array(X, "X", ndim=2)
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have at least one sample and one feature, got shape {X.shape}")
    n_clusters = check_integer(n_clusters, "n_clusters", minimum=1)
    if n_clusters > X.shape[0]:
        raise ValueError(
            f"n_clusters={n_clusters} exceeds the number of samples {X.shape[0]}; "
            "use fewer clusters or more data"
        )
    return X, n_clusters


# --- distances and cost -------------------------------------------------------


@fill_doc
def squared_distances(X, centers):
    """Squared Euclidean distances between samples and centres.

    %(parameters_X_centers)s

    Returns
    -------
    ndarray of shape (n_samples, n_clusters)
        ``||x_i - c_k||^2``, clipped at zero (the expanded form
        ``|x|^2 - 2 x.c + |c|^2`` is one matrix product).
    """
    d2 = (
        np.einsum("ij,ij->i", X, X)[:, None]
        - 2.0 * (X @ centers.T)
        + np.einsum("ij,ij->i", centers, centers)[None, :]
    )
    return np.maximum(d2, 0.0, out=d2)


@fill_doc
def inertia(X, centers, labels):
    """k-means cost: sum of squared distances of samples to their centre.

    %(parameters_X_centers)s
    labels : ndarray of int of shape (n_samples,)
        Cluster index of every sample.

    Returns
    -------
    float
    """
    diff = X - centers[labels]
    return float(np.einsum("ij,ij->", diff, diff))


# --- seeding ------------------------------------------------------------------


@fill_doc
def kmeans_plusplus(X, n_clusters, *, rng, n_local_trials=None):
    """Choose initial centres by greedy k-means++ (Arthur & Vassilvitskii 2007).

    The first centre is a uniformly random sample; each next one is drawn with
    probability proportional to the squared distance to the nearest centre
    chosen so far. The greedy variant (as in scikit-learn) draws
    ``n_local_trials`` candidates and keeps the one that lowers the cost most.

    See the chapter :ref:`kmeans-limit`.

    %(parameters_X)s
    n_clusters : int
        Number of centres, ``1 <= n_clusters <= n_samples``.
    %(rng)s
    n_local_trials : int, optional
        Candidates per step; default ``2 + int(log(n_clusters))``. ``1`` gives
        plain k-means++.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        Rows of ``X`` chosen as centres.
    """
    X, n_clusters = _check_X(X, n_clusters)
    rng = check_rng(rng)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    n_local_trials = check_integer(n_local_trials, "n_local_trials", minimum=1)
    n = X.shape[0]
    index = np.empty(n_clusters, dtype=np.intp)
    index[0] = rng.integers(n)
    closest = squared_distances(X, X[index[:1]])[:, 0]
    for c in range(1, n_clusters):
        total = closest.sum()
        if total <= 0.0:  # every sample coincides with a centre: pick uniformly
            candidates = rng.integers(n, size=n_local_trials)
        else:
            cumulative = np.cumsum(closest)
            draws = rng.random(n_local_trials) * cumulative[-1]
            candidates = np.searchsorted(cumulative, draws, side="right")
            np.clip(candidates, 0, n - 1, out=candidates)
        d2 = np.minimum(closest[:, None], squared_distances(X, X[candidates]))
        best = int(np.argmin(d2.sum(axis=0)))
        index[c] = candidates[best]
        closest = d2[:, best]
    return X[index].copy()


def _init_centers(X, n_clusters, init, rng):
    if isinstance(init, str):
        if init == "k-means++":
            return kmeans_plusplus(X, n_clusters, rng=rng)
        if init == "random":
            return X[rng.choice(X.shape[0], size=n_clusters, replace=False)].copy()
        raise ValueError(f"init must be 'k-means++', 'random' or an array of centres, got {init!r}")
    centers = check_finite_array(init, "init", ndim=2)
    if centers.shape != (n_clusters, X.shape[1]):
        raise ValueError(
            f"init must have shape (n_clusters, n_features) = {(n_clusters, X.shape[1])}, "
            f"got {centers.shape}"
        )
    return centers.copy()


# --- Lloyd iterations ---------------------------------------------------------


_CHUNK_ROWS = 2**15  # rows per block in the assignment step (keeps blocks in cache)


class _Data:
    """Centred samples in both layouts, computed once per call (as scikit-learn
    centres X: the expanded distance formula then loses fewer digits)."""

    def __init__(self, X):
        self.offset = X.mean(axis=0)
        self.rows = X - self.offset  # (n, d), for the matrix product
        self.cols = np.ascontiguousarray(self.rows.T)  # (d, n), for per-feature sums
        self.sq_norms = np.einsum("ij,ij->i", self.rows, self.rows)


def _assign(data, centers):
    """Nearest centre of every sample and its squared distance (blockwise)."""
    n = data.rows.shape[0]
    labels = np.empty(n, dtype=np.intp)
    nearest = np.empty(n)
    minus_2ct = -2.0 * centers.T
    c_sq = np.einsum("ij,ij->i", centers, centers)
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, n)
        d2 = data.rows[start:stop] @ minus_2ct
        d2 += c_sq
        lab = d2.argmin(axis=1)
        labels[start:stop] = lab
        nearest[start:stop] = d2[np.arange(stop - start), lab]
    nearest += data.sq_norms
    return labels, np.maximum(nearest, 0.0, out=nearest)


def _cost(data, centers, labels):
    """Exact k-means cost from differences, one feature at a time."""
    return float(sum(np.sum((col - centers[labels, j]) ** 2) for j, col in enumerate(data.cols)))


def _update_centers(data, labels, centers, nearest):
    """Means of the clusters; an empty cluster takes the farthest sample.

    A cluster that is still empty afterwards (its only sample was taken by
    another empty cluster) keeps its previous centre.
    """
    n_clusters = centers.shape[0]
    counts = np.bincount(labels, minlength=n_clusters).astype(np.float64)
    sums = np.column_stack(
        [np.bincount(labels, weights=col, minlength=n_clusters) for col in data.cols]
    )
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        labels = labels.copy()
        far = np.argsort(nearest, kind="stable")[::-1][: empty.size]
        for k, i in zip(empty, far, strict=True):
            old = labels[i]
            sums[old] -= data.rows[i]
            counts[old] -= 1
            sums[k] = data.rows[i]
            counts[k] = 1
            labels[i] = k
    new = centers.copy()
    filled = counts > 0
    new[filled] = sums[filled] / counts[filled, None]
    return new, labels


def _lloyd(data, centers, max_iter, tol):
    """Lloyd iterations on centred data; returns centres in centred coordinates."""
    labels_old = np.full(data.rows.shape[0], -1, dtype=np.intp)
    history = []
    strict = converged = False
    for _ in range(max_iter):
        labels, nearest = _assign(data, centers)
        new_centers, labels = _update_centers(data, labels, centers, nearest)
        history.append(_cost(data, new_centers, labels))
        shift = float(((new_centers - centers) ** 2).sum())
        centers = new_centers
        if np.array_equal(labels, labels_old):
            strict = converged = True
            break
        if shift <= tol:
            converged = True
            break
        labels_old = labels
    if not strict:  # labels of the final centres
        labels, _ = _assign(data, centers)
    return centers, labels, _cost(data, centers, labels), len(history), converged, history


@fill_doc
def kmeans(X, n_clusters, *, init="k-means++", n_init=1, max_iter=300, tol=1e-4, rng):
    """Cluster ``X`` with Lloyd's algorithm, keeping the best of ``n_init`` runs.

    Each iteration assigns every sample to its nearest centre, then moves each
    centre to the mean of its samples. It stops when the labels no longer
    change or the total squared centre shift is at most
    ``tol * mean(var(X, axis=0))`` (scikit-learn's relative tolerance).
    An empty cluster is moved onto the sample farthest from its centre.

    See the chapters :ref:`gaussian-mixtures` (where k-means fails) and
    :ref:`kmeans-limit`.

    %(parameters_X)s
    n_clusters : int
        Number of clusters, ``1 <= n_clusters <= n_samples``.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features)
        Seeding: greedy k-means++, distinct random samples, or given centres
        (then ``n_init`` must be 1: every restart would be the same).
    n_init : int, default 1
        Number of restarts; the run with the lowest final cost is returned.
    max_iter : int, default 300
        Maximum number of Lloyd iterations per run.
    tol : float, default 1e-4
        Relative tolerance on the centre shift (``>= 0``).
    rng : numpy.random.Generator or int
        Source of randomness for the seeding.

    Returns
    -------
    KMeansResult
        Centres, labels, cost, iterations, convergence flag, cost history and
        the final costs of all restarts.

    Warns
    -----
    ConvergenceWarning
        If the best run stopped at ``max_iter`` without meeting the rule.
    """
    X, n_clusters = _check_X(X, n_clusters)
    n_init = check_integer(n_init, "n_init", minimum=1)
    max_iter = check_integer(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol", strict=False)
    rng = check_rng(rng)
    if not isinstance(init, str) and n_init != 1:
        raise ValueError("n_init must be 1 when init is an array of centres")
    abs_tol = float(np.mean(np.var(X, axis=0))) * tol
    data = _Data(X)
    best, inertias = None, []
    for _ in range(n_init):
        centers = _init_centers(X, n_clusters, init, rng) - data.offset
        run = _lloyd(data, centers, max_iter, abs_tol)
        inertias.append(run[2])
        if best is None or run[2] < best[2]:
            best = run
    centers, labels, cost, n_iter, converged, history = best
    centers = centers + data.offset
    if not converged:
        warnings.warn(
            f"k-means did not converge in max_iter={max_iter} iterations; increase max_iter or tol",
            ConvergenceWarning,
            stacklevel=2,
        )
    return KMeansResult(
        centers=centers,
        labels=labels,
        inertia=cost,
        n_iter=n_iter,
        converged=converged,
        history=np.asarray(history),
        restart_inertias=np.asarray(inertias),
    )
