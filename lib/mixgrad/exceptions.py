"""Warnings and errors raised by :mod:`mixgrad`.

Iterative fits that stop before meeting their tolerance (EM, k-means, Newton's
method) warn with :class:`ConvergenceWarning` instead of raising; the chapter
:ref:`em-gaussian-mixtures` shows one. It subclasses scikit-learn's
``ConvergenceWarning``, so filters written for scikit-learn also apply.
"""

from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning


class ConvergenceWarning(_SklearnConvergenceWarning):
    """An iterative algorithm stopped before meeting its tolerance.

    A subclass of :class:`sklearn.exceptions.ConvergenceWarning`: a filter
    such as ``warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)``
    also silences mixgrad's warnings.
    """
