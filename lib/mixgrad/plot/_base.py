"""What the plot modules share: an Axes to draw on, points of the plane, soft colours."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb

from mixgrad._validation import check_finite_array

from .style import PALETTE

__all__ = ["check_plane_points", "get_axes", "soft_colours"]


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


def soft_colours(responsibilities):
    """Mix the palette colours of the components with the responsibilities as weights.

    Parameters
    ----------
    responsibilities : array-like of shape (n_samples, n_components)
        Rows on the simplex (non-negative, summing to 1); at most
        ``len(PALETTE)`` components.

    Returns
    -------
    ndarray of shape (n_samples, 3)
        RGB colours: a one-hot row gets its component's pure colour, a soft
        row a blend.
    """
    R = check_finite_array(responsibilities, "responsibilities", ndim=2)
    if R.shape[1] > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} components can be coloured, got {R.shape[1]}")
    if np.any(R < 0) or not np.allclose(R.sum(axis=1), 1.0, rtol=0, atol=1e-9):
        raise ValueError("responsibilities must be non-negative with rows summing to 1")
    palette = np.array([to_rgb(c) for c in PALETTE[: R.shape[1]]])
    return np.clip(R @ palette, 0.0, 1.0)
