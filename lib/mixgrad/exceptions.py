"""Warnings and errors raised by :mod:`mixgrad`.

Iterative fits that stop before meeting their tolerance (EM, k-means, Newton's
method) warn with :class:`ConvergenceWarning` instead of raising; the chapter
:ref:`em-gaussian-mixtures` shows one.
"""


class ConvergenceWarning(UserWarning):
    """An iterative algorithm stopped before meeting its tolerance."""
