"""``GaussianMixtureClassifier``: supervised and semi-supervised Gaussian mixtures.

One Gaussian component per class. With ``unlabelled=-1`` it follows the
convention of :mod:`sklearn.semi_supervised`: ``y = -1`` marks an unlabelled
sample. The default ``unlabelled=None`` makes every value of ``y`` a class, as
in any scikit-learn classifier: labels such as ``{-1, 1}`` then mean two
classes (scikit-learn's ``check_estimator`` requires this; it exempts its own
semi-supervised estimators by name).

- every sample labelled: the closed-form maximum-likelihood fit in one M-step,
  a generative classifier ("tied" is LDA's model, "full" QDA's, "diag"
  Gaussian naive Bayes);
- some unlabelled: EM on the combined likelihood, labelled responsibilities
  pinned to their class, started from the labelled points' own fit.

Classes may be any labels (``classes_`` is their sorted set); component ``k``
models class ``classes_[k]``. The EM run is the one
:class:`~mixgrad.mixture.GaussianMixture` uses (:mod:`mixgrad.mixture._base`).

See the chapters :ref:`generative-classifiers` and :ref:`semi-supervised`.
"""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from mixgrad.mixture._base import _BaseGaussianMixture
from mixgrad.mixture.em import _log_resp

__all__ = ["GaussianMixtureClassifier", "UNLABELLED"]

UNLABELLED = -1
"""The label of an unlabelled sample in scikit-learn's semi-supervised convention."""


def _is_marker(value, marker):
    """``value == marker`` for a label of the same kind (str with str, number with number)."""
    if isinstance(marker, str):
        return isinstance(value, str) and value == marker
    number = isinstance(value, numbers.Number) and not isinstance(value, bool)
    return number and value == marker


def _unlabelled(y, marker):
    """Boolean mask of the samples whose label is the ``unlabelled`` marker."""
    if marker is None or y.dtype.kind == "b":
        return np.zeros(y.shape, dtype=bool)
    if y.dtype.kind in "iufUS" and isinstance(marker, str) == (y.dtype.kind in "US"):
        return np.asarray(y == marker, dtype=bool)
    if y.dtype.kind == "O":
        return np.array([_is_marker(v, marker) for v in y], dtype=bool)
    return np.zeros(y.shape, dtype=bool)


class GaussianMixtureClassifier(ClassifierMixin, _BaseGaussianMixture):
    """Generative classifier with one Gaussian per class, optionally semi-supervised.

    Parameters
    ----------
    unlabelled : int, str or None, default None
        The value of ``y`` that marks an unlabelled sample; ``-1`` (the
        marker of :mod:`sklearn.semi_supervised`, ``UNLABELLED``) for
        semi-supervised fits. None: every sample is labelled.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
        Own full matrix per class (QDA), one shared matrix (LDA), own diagonal
        (Gaussian naive Bayes), or own single variance.
    tol : float, default 1e-3
        Semi-supervised EM stops when the mean combined log-likelihood changes
        by less than ``tol`` (>= 0).
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance (>= 0).
    max_iter : int, default 100
        Maximum number of EM iterations (>= 0) when some samples are unlabelled.
    weights_init, means_init, precisions_init : array-like, optional
        Start of semi-supervised EM, one row per class in the order of
        ``classes_`` (shapes as in :class:`~mixgrad.mixture.GaussianMixture`);
        by default the labelled points' own fit.
    random_state : None, int, numpy.random.Generator or RandomState, default None
        Source of randomness for :meth:`sample`.
    warm_start : bool, default False
        If True, each ``fit`` continues from the previous solution.
    verbose : int, default 0
    verbose_interval : int, default 10
    record_history : bool, default True
        Record ``history_`` (log-likelihood, ELBO after each step, KL gap).
    keep_snapshots : bool, default False
        Keep ``snapshots_``, the parameters after every iteration.
    solver : {"stats", "direct"}, default "stats"
        As in :class:`~mixgrad.mixture.GaussianMixture`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``y`` (``unlabelled`` excluded), sorted.
    weights_ : ndarray of shape (n_classes,)
        Class priors ``pi_c``.
    means_ : ndarray of shape (n_classes, n_features)
    covariances_, precisions_, precisions_cholesky_ : ndarray
        Shaped per covariance type as in :class:`~mixgrad.mixture.GaussianMixture`
        (float32 when ``X`` is float32).
    converged_ : bool
    n_iter_ : int
        EM iterations (1 for a fully labelled fit).
    lower_bound_ : float
        Mean combined log-likelihood: ``log p(x_i, y_i)`` for labelled,
        ``log p(x_j)`` for unlabelled samples (at the fitted parameters for a
        fully labelled fit).
    lower_bounds_ : list of float
    history_ : EMHistory or None
    snapshots_ : list of dict or None
    n_features_in_ : int
    """

    def __init__(self, *, unlabelled=None, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, weights_init=None, means_init=None, precisions_init=None,
                 random_state=None, warm_start=False, verbose=0, verbose_interval=10,
                 record_history=True, keep_snapshots=False, solver="stats"):
        self.unlabelled = unlabelled
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
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

    def fit(self, X, y):
        """Fit one Gaussian per class; unlabelled samples (``y = -1``) by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (any sortable values); the value ``unlabelled``
            (e.g. ``-1``) marks an unlabelled sample. At least one sample
            must be labelled.

        Returns
        -------
        self : GaussianMixtureClassifier
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        unlabelled = _unlabelled(y, self.unlabelled)
        if unlabelled.all():
            raise ValueError(
                f"y has no labelled sample (every entry is unlabelled={self.unlabelled!r}); "
                "label at least one sample per class, or fit "
                "mixgrad.mixture.GaussianMixture without labels"
            )
        check_classification_targets(y[~unlabelled])
        if self.warm_start and hasattr(self, "classes_"):
            classes = np.unique(y[~unlabelled])
            if not np.array_equal(classes, self.classes_):
                raise ValueError(f"warm_start=True needs the classes of the previous fit, "
                                 f"{self.classes_.tolist()}; got {classes.tolist()}")
        self.classes_, codes = np.unique(y[~unlabelled], return_inverse=True)
        labels = np.full(X.shape[0], -1, dtype=np.intp)
        labels[~unlabelled] = codes
        return self._fit(X, len(self.classes_), labels)

    def predict(self, X):
        """Most probable class ``argmax_c p(y = c | x)`` of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Values of ``classes_``.
        """
        wlp, _ = self._wlp(X)  # checks that the model is fitted
        return self.classes_[np.argmax(wlp, axis=1)]

    def predict_proba(self, X):
        """Class posteriors ``p(y = c | x)`` (Bayes' rule), columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            float32 for float32 ``X``, else float64.
        """
        return self._proba(X)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed by log-sum-exp.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        wlp, dtype = self._wlp(X)
        log_proba = _log_resp(wlp)[0]
        if dtype == np.float64:
            return log_proba
        proba = np.exp(log_proba).astype(dtype)  # agree with log(predict_proba) in float32
        with np.errstate(divide="ignore"):
            return np.where(proba > 0, np.log(proba), log_proba).astype(dtype)

    def sample(self, n_samples=1):
        """Draw samples ``(x, y)`` from the fitted joint model.

        Parameters
        ----------
        n_samples : int, default 1
            Number of samples (>= 1).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            Class of every sample (values of ``classes_``).
        """
        X, components = self._sample(n_samples)  # checks that the model is fitted
        return X, self.classes_[components]
