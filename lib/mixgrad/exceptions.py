"""Warnings and errors raised by :mod:`mixgrad`."""


class ConvergenceWarning(UserWarning):
    """An iterative algorithm stopped before meeting its tolerance."""
