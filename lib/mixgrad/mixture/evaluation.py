"""Scoring mixtures as classifiers: label matching and the accuracy-vs-labels experiment.

A mixture fitted without labels numbers its components arbitrarily, so its
predictions are compared with the classes only after matching components to
classes. :func:`match_labels` finds the matching with the most agreements (the
Hungarian algorithm on the confusion matrix, :func:`scipy.optimize.linear_sum_assignment`).

:func:`accuracy_vs_labels` runs the semi-supervised experiment: for a growing
number of labels per class, fit on the labelled points only (supervised), on
all points with the labelled ones pinned (semi-supervised,
``GaussianMixtureClassifier(unlabelled=-1).fit(X, y)`` with ``y = -1`` for the
unlabelled), and on all points without labels
(unsupervised, components matched to classes on the labelled points), and
score each on a test set, over several seeded replicates.

See the chapter :ref:`semi-supervised`.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from mixgrad._validation import check_finite_array, check_integer, check_labels, check_rng
from mixgrad.mixture.classifier import GaussianMixtureClassifier
from mixgrad.mixture.estimator import GaussianMixture

__all__ = [
    "match_labels",
    "align_labels",
    "label_mapping",
    "matched_accuracy",
    "partial_labels",
    "LabelCurve",
    "fit_semi_supervised",
    "accuracy_vs_labels",
]

METHODS = ("supervised", "semi-supervised", "unsupervised")


# --- checks ---------------------------------------------------------------------


# --- matching components to classes ---------------------------------------------


def match_labels(y_true, y_pred, *, n_components=None):
    """Component-to-class map with the most agreements (Hungarian algorithm).

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        True classes, non-negative integers.
    y_pred : array-like of int of shape (n_samples,)
        Predicted components, non-negative integers (numbered arbitrarily).
    n_components : int, optional
        Number of components (default ``max(y_pred) + 1``); components that
        no sample is assigned to are mapped too.

    Returns
    -------
    mapping : ndarray of int of shape (n_components,)
        ``mapping[k]`` is the class assigned to component ``k``;
        ``mapping[y_pred]`` relabels the
        predictions. Distinct components get distinct classes while there are
        enough classes; surplus components get classes no sample has.
    """
    y_true = check_labels(y_true, name="y_true", unlabelled=False)
    y_pred = check_labels(y_pred, y_true.shape[0], name="y_pred", unlabelled=False)
    if y_true.size == 0:
        raise ValueError("y_true and y_pred must hold at least one sample")
    n = y_pred.max() + 1
    if n_components is not None:
        n = check_integer(n_components, "n_components", minimum=1)
        if y_pred.max() >= n:
            raise ValueError(f"y_pred holds component {y_pred.max()} but n_components={n}; "
                             "increase n_components")
    size = max(y_true.max() + 1, n)
    confusion = np.zeros((size, size), dtype=np.intp)
    np.add.at(confusion, (y_pred, y_true), 1)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    mapping = np.empty(size, dtype=np.intp)
    mapping[rows] = cols
    return mapping[:n]


def matched_accuracy(y_true, y_pred):
    """Fraction of agreements after the best matching of components to classes.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
    y_pred : array-like of int of shape (n_samples,)

    Returns
    -------
    float
        In [0, 1]; invariant under any renumbering of ``y_pred``.
    """
    mapping = match_labels(y_true, y_pred)
    return float(np.mean(mapping[np.asarray(y_pred, dtype=np.intp)] == np.asarray(y_true)))


# --- the experiment --------------------------------------------------------------


def partial_labels(y, n_per_class, *, rng):
    """Keep ``n_per_class`` random labels of every class, set the others to ``-1``.

    Parameters
    ----------
    y : array-like of int of shape (n_samples,)
        Classes ``0, ..., n_classes - 1``.
    n_per_class : int
        Labels kept per class (>= 1, at most the size of the smallest class).
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of int of shape (n_samples,)
        ``y`` on the kept samples, ``-1`` elsewhere (the input of ``fit(X, y)``).
    """
    y = check_labels(y, name="y", unlabelled=False)
    n_per_class = check_integer(n_per_class, "n_per_class", minimum=1)
    rng = check_rng(rng)
    counts = np.bincount(y)
    if np.any(counts < n_per_class):
        raise ValueError(
            f"n_per_class={n_per_class} exceeds the size of the smallest class "
            f"({counts.min()}); use fewer labels per class or more data"
        )
    out = np.full_like(y, -1)
    for c in range(counts.size):
        keep = rng.choice(np.flatnonzero(y == c), size=n_per_class, replace=False)
        out[keep] = c
    return out


@dataclass(frozen=True)
class LabelCurve:
    """Test accuracies of the three fits against the number of labels per class.

    Attributes
    ----------
    n_per_class : ndarray of int of shape (n_levels,)
    accuracies : dict of {str: ndarray of shape (n_replicates, n_levels)}
        Keys "supervised", "semi-supervised", "unsupervised".
    oracle_unsupervised : ndarray of shape (n_replicates,)
        Unsupervised accuracy with components matched on the test labels
        themselves (an optimistic bound: the labels are not available in practice).
    """

    n_per_class: np.ndarray
    accuracies: dict
    oracle_unsupervised: np.ndarray

    def mean(self):
        """Mean accuracy of every method, ``{name: ndarray of shape (n_levels,)}``."""
        return {name: acc.mean(axis=0) for name, acc in self.accuracies.items()}


def _model(n_components, covariance_type, reg_covar, seed, **init):
    return GaussianMixture(n_components, covariance_type=covariance_type, reg_covar=reg_covar,
                           max_iter=300, tol=1e-4, random_state=seed, record_history=False,
                           **init)


def _classifier(covariance_type, reg_covar, seed, **init):
    return GaussianMixtureClassifier(unlabelled=-1, covariance_type=covariance_type,
                                     reg_covar=reg_covar, max_iter=300, tol=1e-4,
                                     random_state=seed, record_history=False, **init)


def _relabelled_start(clusters, mapping):
    """Initial parameters of ``clusters`` with component ``k`` moved to class ``mapping[k]``."""
    order = np.argsort(mapping)  # order[c] is the component matched to class c
    precisions = clusters.precisions_
    if clusters.covariance_type != "tied":
        precisions = precisions[order]
    return {"weights_init": clusters.weights_[order], "means_init": clusters.means_[order],
            "precisions_init": precisions}


def fit_semi_supervised(X, y, *, n_components, rng, covariance_type="full", reg_covar=1e-6,
                        clusters=None):
    """Semi-supervised EM from two starts; the higher combined likelihood wins.

    The combined log-likelihood (labelled ``log p(x_i, z_i = y_i)`` plus
    unlabelled ``log p(x_j)``) is multimodal, and EM is local. One start is the
    labelled points' own fit (``GaussianMixtureClassifier.fit(X, y)``'s default); the
    other is an unsupervised fit whose components are matched to the classes
    on the labelled points (:func:`match_labels`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of int of shape (n_samples,)
        Partial labels, ``-1`` = unlabelled; every class must have a label.
    n_components : int
        Number of classes (= components).
    rng : numpy.random.Generator or int
        Seeds the initialisations.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    reg_covar : float, default 1e-6
    clusters : GaussianMixture, optional
        An unsupervised fit of ``X`` to reuse (fitted here if None).

    Returns
    -------
    GaussianMixture
        The fit with the larger ``lower_bound_`` (the mean combined log-likelihood).
    """
    X = check_finite_array(X, "X", ndim=2)
    k = check_integer(n_components, "n_components", minimum=1)
    y = check_labels(y, X.shape[0], name="y")
    seen = y >= 0
    if np.unique(y[seen]).size != k or y.max() >= k:
        raise ValueError(f"y must label at least one sample of each of the {k} classes "
                         f"0..{k - 1} (-1 = unlabelled); label more samples")
    seed = int(check_rng(rng).integers(2**31))
    options = (covariance_type, reg_covar, seed)
    if clusters is None:
        clusters = _model(k, *options).fit(X)
    mapping = match_labels(y[seen], clusters.predict(X[seen]), n_components=k)
    fits = [_classifier(*options).fit(X, y),
            _classifier(*options, **_relabelled_start(clusters, mapping)).fit(X, y)]
    return max(fits, key=lambda fit: fit.lower_bound_)


def accuracy_vs_labels(X, y, X_test, y_test, n_per_class, *, rng, n_replicates=8,
                       covariance_type="full", reg_covar=1e-6):
    """Supervised, semi-supervised and unsupervised test accuracy vs number of labels.

    In replicate ``r`` and for each ``m`` in ``n_per_class``, ``m`` labels of
    every class are kept (:func:`partial_labels`) and

    - "supervised": a mixture is fitted on the labelled points only (the
      closed-form MLE of a generative classifier);
    - "semi-supervised": on all of ``X`` with the other labels set to ``-1``
      (EM with pinned responsibilities, :func:`fit_semi_supervised`);
    - "unsupervised": on all of ``X`` without labels (fitted once per
      replicate), its components matched to classes by :func:`match_labels`
      on the labelled points.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training points.
    y : array-like of int of shape (n_samples,)
        Their classes ``0, ..., n_classes - 1`` (only the kept ones are used).
    X_test : array-like of shape (n_test, n_features)
    y_test : array-like of int of shape (n_test,)
    n_per_class : sequence of int of shape (n_levels,)
        Numbers of labels per class, each >= 1.
    rng : numpy.random.Generator or int
        Draws the labelled subsets and the seeds of the fits.
    n_replicates : int, default 8
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    reg_covar : float, default 1e-6

    Returns
    -------
    LabelCurve
    """
    X = check_finite_array(X, "X", ndim=2)
    X_test = check_finite_array(X_test, "X_test", ndim=2)
    if X_test.shape[1] != X.shape[1]:
        raise ValueError(f"X_test must have {X.shape[1]} features like X, got {X_test.shape[1]}")
    y = check_labels(y, X.shape[0], name="y", unlabelled=False)
    y_test = check_labels(y_test, X_test.shape[0], name="y_test", unlabelled=False)
    levels = np.array([check_integer(m, "n_per_class", minimum=1) for m in n_per_class])
    if levels.size == 0:
        raise ValueError("n_per_class must hold at least one number of labels")
    n_replicates = check_integer(n_replicates, "n_replicates", minimum=1)
    rng = check_rng(rng)
    k = int(y.max()) + 1
    options = {"covariance_type": covariance_type, "reg_covar": reg_covar}
    acc = {name: np.empty((n_replicates, levels.size)) for name in METHODS}
    oracle = np.empty(n_replicates)
    for r in range(n_replicates):
        seed = int(rng.integers(2**31))
        clusters = _model(k, covariance_type, reg_covar, seed).fit(X)
        on_train, on_test = clusters.predict(X), clusters.predict(X_test)
        oracle[r] = matched_accuracy(y_test, on_test)
        for j, m in enumerate(levels):
            partial = partial_labels(y, int(m), rng=rng)
            seen = partial >= 0
            supervised = _classifier(covariance_type, reg_covar, seed).fit(X[seen], partial[seen])
            semi = fit_semi_supervised(X, partial, n_components=k, rng=seed, clusters=clusters,
                                       **options)
            mapping = match_labels(partial[seen], on_train[seen], n_components=k)
            acc["supervised"][r, j] = np.mean(supervised.predict(X_test) == y_test)
            acc["semi-supervised"][r, j] = np.mean(semi.predict(X_test) == y_test)
            acc["unsupervised"][r, j] = np.mean(mapping[on_test] == y_test)
    return LabelCurve(levels, acc, oracle)


# --- renaming clusters to agree with a reference --------------------------------


def align_labels(labels, reference):
    """Relabel a clustering so that it agrees with ``reference`` as much as possible.

    Cluster labels are arbitrary (label switching); the permutation that
    maximises the number of agreements is found with the Hungarian algorithm
    (:func:`label_mapping`, i.e. :func:`match_labels`).

    Parameters
    ----------
    labels : array-like of int of shape (n_samples,)
        Labels to rename, values in ``0 .. k - 1``.
    reference : array-like of int of shape (n_samples,)
        Labels to agree with (e.g. the latent components), values in ``0 .. k - 1``.

    Returns
    -------
    ndarray of int of shape (n_samples,)
        ``mapping[labels]`` for the best one-to-one ``mapping``.
    """
    labels = check_labels(labels, name="labels", unlabelled=False)
    return label_mapping(labels, reference)[labels]


def label_mapping(labels, reference):
    """The one-to-one renaming of clusters that agrees best with ``reference``.

    Parameters
    ----------
    labels : array-like of int of shape (n_samples,)
        Cluster indices in ``0 .. k - 1``.
    reference : array-like of int of shape (n_samples,)
        Labels to agree with, in ``0 .. k - 1``.

    Returns
    -------
    mapping : ndarray of int of shape (k,)
        A permutation; cluster ``j`` is renamed ``mapping[j]``. Columns of a
        responsibility matrix ``R`` are renamed by ``R_new[:, mapping] = R``.

    Notes
    -----
    A thin wrapper around :func:`match_labels` (with
    ``n_components = k``, the larger label count of the two).
    """
    labels = check_labels(labels, name="labels", unlabelled=False)
    reference = check_labels(reference, name="reference", unlabelled=False)
    if labels.shape != reference.shape:
        raise ValueError(
            f"labels and reference must have the same length, got {labels.size} and "
            f"{reference.size}"
        )
    if labels.size == 0:
        return np.empty(0, dtype=int)
    k = int(max(labels.max(), reference.max())) + 1
    return match_labels(reference, labels, n_components=k)
