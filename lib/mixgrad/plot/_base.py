"""What every plot module needs: an Axes to draw on and points of the plane."""

import matplotlib.pyplot as plt
import numpy as np

from mixgrad._validation import check_finite_array

__all__ = ["check_plane_points", "get_axes"]


def get_axes(ax):
    """``ax``, or the Axes of a new figure when it is None."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def check_plane_points(X, labels=None, *, labels_name="labels", hint=""):
    """Points of the plane (n, 2) and, optionally, one integer label per point.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    labels : array-like of int of shape (n_samples,), optional
    labels_name : str, default "labels"
        Name of ``labels`` in error messages.
    hint : str, default ""
        Appended to the label error, e.g. ``" (-1 = unlabelled)"``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    labels : ndarray of int of shape (n_samples,) or None
    """
    X = check_finite_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 features to be drawn, got {X.shape[1]}")
    if labels is None:
        return X, None
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"{labels_name} must be integers of shape ({X.shape[0]},){hint}")
    return X, labels
